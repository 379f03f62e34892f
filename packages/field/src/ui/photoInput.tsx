/** "Take a photo": the camera on phones, a file picker elsewhere; the photo is compressed before it is kept. */
import { useState } from 'preact/hooks';
import { compressPhoto } from '../lib/photo.ts';
import type { LocalFile } from '../sync/types.ts';
import { t } from '../i18n/index.ts';

export function PhotoInput({ label, name, value, onChange }: { label: string; name: string; value: LocalFile | null; onChange: (f: LocalFile | null) => void }) {
  const [busy, setBusy] = useState(false);
  const id = `f-${name}`;
  return (
    <div class="field photo">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept="image/*"
        capture="environment"
        disabled={busy}
        onChange={async (e) => {
          const f = (e.currentTarget as HTMLInputElement).files?.[0];
          if (!f) return;
          setBusy(true);
          try {
            onChange(await compressPhoto(f));
          } finally {
            setBusy(false);
          }
        }}
      />
      {value && (
        <p class="hint">
          {t('visit.photo_added', { kb: Math.max(1, Math.round(value.bytes / 1024)) })}{' '}
          <button type="button" class="link" onClick={() => onChange(null)}>
            {t('visit.photo_remove')}
          </button>
        </p>
      )}
    </div>
  );
}
