/** The outbox: every record's state, "Sync now", last sync, storage, conflicts, sign out. */
import { useEffect, useState } from 'preact/hooks';
import { useController } from '../app/controller.ts';
import { formatBytes, formatDateTime, formatNumber, t, type MessageKey } from '../i18n/index.ts';
import { useLive } from '../lib/hooks.ts';
import { UNACKNOWLEDGED } from '../sync/types.ts';
import { Page } from '../ui/fields.tsx';
import { DiscardButton } from './fixParts.tsx';

const LOW_SPACE = 50 * 1024 * 1024;
const SHOWN = 200;

function useStorage(): { usage: number; quota: number; persisted: boolean } | null {
  const [s, setS] = useState<{ usage: number; quota: number; persisted: boolean } | null>(null);
  useEffect(() => {
    void (async () => {
      const est = await navigator.storage?.estimate?.().catch(() => null);
      const persisted = (await navigator.storage?.persisted?.().catch(() => false)) ?? false;
      if (est?.quota !== undefined) setS({ usage: est.usage ?? 0, quota: est.quota, persisted });
    })();
  }, []);
  return s;
}

const show = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export function OutboxScreen() {
  const c = useController();
  const rows = useLive(async () => (c.db ? c.db.outbox.orderBy('seq').reverse().limit(SHOWN).toArray() : []), [c.db]);
  const waiting = useLive(async () => (c.db ? c.db.outbox.where('state').anyOf([...UNACKNOWLEDGED]).count() : 0), [c.db]) ?? 0;
  const toFix = useLive(async () => (c.db ? c.db.outbox.where('state').equals('needs_fixing').count() : 0), [c.db]) ?? 0;
  const conflicts = useLive(async () => (c.db ? c.db.conflicts.where('status').equals('open').toArray() : []), [c.db]) ?? [];
  const lastSync = useLive(async () => (c.db ? ((await c.db.meta.get('lastSyncAt'))?.value ?? null) : null), [c.db, c.sync]);
  const storage = useStorage();
  const [blocked, setBlocked] = useState(false);
  const running = c.sync.kind === 'running';
  const free = storage ? storage.quota - storage.usage : null;
  return (
    <Page title={t('outbox.title')}>
      <p class="count" aria-live="polite">
        {waiting ? t('outbox.waiting_count', { n: formatNumber(waiting) }) : t('outbox.all_sent')}
      </p>
      <button type="button" class="primary" disabled={running} onClick={() => void c.syncNow()}>
        {running ? t('outbox.syncing') : t('outbox.sync_now')}
      </button>
      <p role="status" class="sync-status">
        {c.sync.kind === 'ok' && t('outbox.result_ok', { sent: c.sync.report.pushed, pulled: c.sync.report.pulledRecords })}
        {c.sync.kind === 'offline' && t('outbox.result_offline')}
        {c.sync.kind === 'error' && t('outbox.result_error', { code: c.sync.code })}
      </p>
      <p>{lastSync ? t('outbox.last_sync', { when: formatDateTime(lastSync) }) : t('outbox.never')}</p>
      {storage ? (
        <p>
          {t('outbox.storage', { used: formatBytes(storage.usage), free: formatBytes(storage.quota - storage.usage) })}
          {storage.persisted && ` ${t('outbox.storage_persisted')}`}
        </p>
      ) : (
        <p>{t('outbox.storage_unknown')}</p>
      )}
      {free !== null && free < LOW_SPACE && <p class="banner warn">{t('app.storage_low', { free: formatBytes(free) })}</p>}
      {conflicts.length > 0 && (
        <>
          <h2>{t('outbox.conflicts')}</h2>
          <ul class="cards">
            {conflicts.map((k) => (
              <li key={k.id} class="item conflict">
                {t('outbox.conflict_line', { field: String(k.data.field), kept: show(k.data.kept), keptAt: formatDateTime(String(k.data.keptAt)), other: show(k.data.other), otherAt: formatDateTime(String(k.data.otherAt)) })}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('outbox.records')}</h2>
      {toFix > 0 && <p class="banner warn">{t('fix.hint_needs_fixing')}</p>}
      <ul class="cards outbox">
        {(rows ?? []).map((r) =>
          r.state === 'needs_fixing' ? (
            <li key={r.id} class={`fixable state-${r.state}`}>
              <a href={`#/fix/${r.id}`}>
                <strong>{t(`entity.${r.envelope.entity}` as MessageKey)}</strong>
                <span class={`status ${r.state}`}>{t(`state.${r.state}` as MessageKey)}</span>
                <span class="meta">{formatDateTime(r.envelope.occurredAt)}</span>
                {r.message && <span class="error-message">{r.message}</span>}
                <span class="fix-open">{t('fix.open')} ›</span>
              </a>
              <DiscardButton id={r.id} />
            </li>
          ) : (
            <li key={r.id} class={`item state-${r.state}`}>
              <strong>{t(`entity.${r.envelope.entity}` as MessageKey)}</strong>
              <span class={`status ${r.state}`}>{t(`state.${r.state}` as MessageKey)}</span>
              <span class="meta">{formatDateTime(r.envelope.occurredAt)}</span>
              {r.message && r.state !== 'discarded' && <span class="error-message">{r.message}</span>}
            </li>
          ),
        )}
      </ul>
      {blocked && <p class="banner warn">{t('outbox.sign_out_blocked')}</p>}
      <button type="button" class="secondary danger" onClick={async () => setBlocked(!(await c.signOut()))}>
        {t('outbox.sign_out')}
      </button>
    </Page>
  );
}
