/** Sign in (online), choose a PIN, unlock with the PIN. */
import { useState } from 'preact/hooks';
import { controller, MAX_PIN_FAILURES } from '../app/controller.ts';
import { isPin, isWeakPin } from '../crypto/pinKey.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { Page, TextField } from '../ui/fields.tsx';

export function SignInScreen({ notice }: { notice: MessageKey | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await controller.signIn(username, password, totp);
    setBusy(false);
    if (r) setError(typeof r === 'string' ? t(r) : t(r.key, { code: r.code }));
  }
  return (
    <Page title={t('signin.title')}>
      {notice && <p class="notice" role="status">{t(notice)}</p>}
      <p>{t('signin.lead')}</p>
      {error && (
        <p class="error-summary" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={submit} novalidate>
        <TextField label={t('signin.username')} name="username" value={username} onInput={setUsername} autoComplete="username" />
        <TextField label={t('signin.password')} name="password" type="password" value={password} onInput={setPassword} autoComplete="current-password" />
        <TextField label={t('signin.totp')} name="totp" value={totp} onInput={setTotp} inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signin.busy') : t('signin.submit')}
        </button>
      </form>
    </Page>
  );
}

export function SetPinScreen() {
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    if (!isPin(pin)) return setError(t('pin.six_digits'));
    if (isWeakPin(pin)) return setError(t('pin.too_simple'));
    if (pin !== again) return setError(t('pin.mismatch'));
    setBusy(true);
    const r = await controller.setPin(pin);
    setBusy(false);
    if (r) setError(t(r));
  }
  return (
    <Page title={t('pin.set_title')}>
      <p>{t('pin.set_lead')}</p>
      <form onSubmit={submit} novalidate>
        <TextField label={t('pin.new')} name="pin" type="password" inputMode="numeric" maxLength={6} value={pin} onInput={setPin} autoComplete="new-password" error={error} />
        <TextField label={t('pin.repeat')} name="pin2" type="password" inputMode="numeric" maxLength={6} value={again} onInput={setAgain} autoComplete="new-password" />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('pin.busy') : t('pin.set_submit')}
        </button>
      </form>
    </Page>
  );
}

export function UnlockScreen({ name, failures }: { name: string; failures: number }) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    await controller.unlock(pin);
    setBusy(false);
    setPin('');
  }
  return (
    <Page title={t('pin.unlock_title')}>
      <p>{t('pin.unlock_lead', { name })}</p>
      <form onSubmit={submit} novalidate>
        <TextField
          label={t('pin.pin')}
          name="unlock-pin"
          type="password"
          inputMode="numeric"
          maxLength={6}
          value={pin}
          onInput={setPin}
          autoComplete="current-password"
          error={failures > 0 ? t('pin.wrong', { n: MAX_PIN_FAILURES - failures }) : null}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('pin.busy') : t('pin.unlock_submit')}
        </button>
      </form>
      <p>
        <button type="button" class="link" onClick={() => controller.switchAccount()}>
          {t('pin.other_user')}
        </button>
      </p>
    </Page>
  );
}
