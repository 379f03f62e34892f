/**
 * The pieces every form uses when it corrects a refused envelope (screens/fix.tsx): what is being
 * fixed, the corrected envelope's input, the server's message on top, and "Bỏ bản ghi này".
 */
import { useState } from 'preact/hooks';
import { useController } from '../app/controller.ts';
import { t } from '../i18n/index.ts';
import { go } from '../lib/hooks.ts';
import type { Fix } from './fixInput.ts';

export { fixedInput, type Fix } from './fixInput.ts';

/** After saving a correction: where the record lives, or the outbox when the refused one had gone meanwhile. */
export function afterFix(saved: boolean, where: string): void {
  go(saved ? where : '/outbox');
}

/** The server's message, at the top of the form. */
export function FixBanner({ fix }: { fix: Fix }) {
  return (
    <div class="banner warn fix-banner" role="alert">
      <p>
        <strong>{t('fix.server_said')}</strong> <span class="server-message">{fix.message ?? '—'}</span>
      </p>
      <p>{t('fix.lead')}</p>
    </div>
  );
}

/** "Bỏ bản ghi này", asked twice: the record cannot come back. */
export function DiscardButton({ id, then }: { id: string; then?: () => void }) {
  const c = useController();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="secondary danger" onClick={() => setAsking(true)}>
        {t('fix.discard')}
      </button>
    );
  return (
    <div class="confirm" role="group" aria-label={t('fix.discard')}>
      <p>{t('fix.discard_confirm')}</p>
      <button
        type="button"
        class="primary danger"
        onClick={async () => {
          await c.discard(id);
          setAsking(false);
          then?.();
        }}
      >
        {t('fix.discard_yes')}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        {t('fix.discard_no')}
      </button>
    </div>
  );
}
