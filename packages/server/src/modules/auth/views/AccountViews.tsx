/** The officer's own account: roles, session, two-step sign-in, and recent sign-ins. */
import { toLocalIso } from '@causo/domain';
import { CsrfField, ErrorSummary, Submit, SummaryList, TextField, type FieldErrors } from '../../../web/components.tsx';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../service.ts';
import type { SignInRecord } from '../signInLog.ts';
import type { TotpSetup } from '../totp.ts';

/** 25/11/2026 09:00 in Vietnamese time. */
export function dateTime(d: Date): string {
  const iso = toLocalIso(d);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

export interface AccountProps {
  p: PageRequest;
  officer: Officer;
  roles: { role: string; unitName: string }[];
  sessionExpiresAt: Date | null;
  totpEnabledAt: Date | null;
  signIns: SignInRecord[];
  errors?: FieldErrors;
  notice?: string | undefined;
}

export function AccountView({ p, officer, roles, sessionExpiresAt, totpEnabledAt, signIns, errors = {}, notice }: AccountProps) {
  return (
    <OfficePage p={p} title={p.t('office.account.title')} officer={officer} hasErrors={Object.keys(errors).length > 0}>
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('office.account.title')}</h1>
      {notice ? (
        <div class="notice" role="status">
          <p>{notice}</p>
        </div>
      ) : null}
      <SummaryList
        rows={[
          { key: p.t('office.account.name'), value: officer.displayName },
          { key: p.t('office.account.username'), value: officer.username },
          {
            key: p.t('office.account.roles'),
            value: roles.length ? (
              <ul class="plain">
                {roles.map((r) => (
                  <li key={`${r.role}-${r.unitName}`}>{p.t('office.account.role_on_unit', { role: p.t(`office.role.${r.role}`), unit: r.unitName })}</li>
                ))}
              </ul>
            ) : (
              p.t('office.account.no_roles')
            ),
          },
          ...(sessionExpiresAt ? [{ key: p.t('office.account.session_expires'), value: dateTime(sessionExpiresAt) }] : []),
        ]}
      />

      <h2>{p.t('office.account.totp.heading')}</h2>
      {totpEnabledAt ? (
        <>
          <p>{p.t('office.account.totp.on', { date: dateTime(totpEnabledAt) })}</p>
          <form method="post" action="/office/account/totp/disable" novalidate>
            <CsrfField p={p} />
            <TextField name="code" label={p.t('office.account.totp.disable_code')} hint={p.t('office.signin.code.hint')} inputMode="numeric" autocomplete="one-time-code" short maxLength={6} error={errors.code} />
            <Submit secondary>{p.t('office.account.totp.disable')}</Submit>
          </form>
        </>
      ) : (
        <>
          <p>{p.t('office.account.totp.off')}</p>
          <p>
            <a class="button" href="/office/account/totp">
              {p.t('office.account.totp.set_up')}
            </a>
          </p>
        </>
      )}

      <h2 id="sign-ins">{p.t('office.account.sign_ins.heading')}</h2>
      <p>{p.t('office.account.sign_ins.intro')}</p>
      {signIns.length ? (
        <table>
          <caption class="muted">{p.t('office.account.sign_ins.caption', { n: signIns.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{p.t('office.account.sign_ins.at')}</th>
              <th scope="col">{p.t('office.account.sign_ins.outcome')}</th>
              <th scope="col">{p.t('office.account.sign_ins.ip')}</th>
              <th scope="col">{p.t('office.account.sign_ins.browser')}</th>
            </tr>
          </thead>
          <tbody>
            {signIns.map((s, i) => (
              <tr key={i}>
                <td>{dateTime(s.at)}</td>
                <td>
                  <span class={`tag ${s.outcome === 'success' ? 'ok' : 'late'}`}>{p.t(`office.account.sign_ins.${s.outcome}`)}</span>
                </td>
                <td>{s.ip ?? ''}</td>
                <td>{s.userAgent ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{p.t('office.account.sign_ins.none')}</p>
      )}
    </OfficePage>
  );
}

/** Groups of four, as authenticator apps show the key. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

export function TotpSetupView({ p, officer, setup, errors = {} }: { p: PageRequest; officer: Officer; setup: TotpSetup; errors?: FieldErrors }) {
  const qr = `data:image/svg+xml;base64,${Buffer.from(setup.qrSvg).toString('base64')}`;
  return (
    <OfficePage p={p} title={p.t('office.totp.title')} officer={officer} hasErrors={Object.keys(errors).length > 0}>
      <ErrorSummary p={p} errors={errors} />
      <p>
        <a href="/office/account">← {p.t('office.account.title')}</a>
      </p>
      <h1>{p.t('office.totp.title')}</h1>
      <p>{p.t('office.totp.intro')}</p>
      <ol>
        <li>{p.t('office.totp.step_app')}</li>
        <li>
          {p.t('office.totp.step_scan')}
          <p>
            <img src={qr} width={220} height={220} alt={p.t('office.totp.qr_alt')} />
          </p>
          <p>
            {p.t('office.totp.key')} <code class="big">{grouped(setup.secret)}</code>
          </p>
          <details>
            <summary>{p.t('office.totp.uri')}</summary>
            <p>
              <code>{setup.uri}</code>
            </p>
          </details>
        </li>
        <li>{p.t('office.totp.step_code')}</li>
      </ol>
      <form method="post" action="/office/account/totp" novalidate>
        <CsrfField p={p} />
        <TextField name="code" label={p.t('office.totp.code')} hint={p.t('office.signin.code.hint')} inputMode="numeric" autocomplete="one-time-code" short maxLength={6} error={errors.code} />
        <Submit>{p.t('office.totp.confirm')}</Submit>
      </form>
    </OfficePage>
  );
}
