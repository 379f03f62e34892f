/** Record a blocker for a household or person, and resolve one (saying how). */
import { useState } from 'preact/hooks';
import { BLOCKER_REASONS, uuidv7, type BlockerReason } from '@causo/domain/sync';
import { useController } from '../app/controller.ts';
import { formatDateTime, t, type MessageKey } from '../i18n/index.ts';
import { go, useLive } from '../lib/hooks.ts';
import { residentOf } from '../lib/records.ts';
import type { RecordRow } from '../store/db.ts';
import { ErrorSummary, Page, Radios, SelectField, TextField } from '../ui/fields.tsx';
import { DiscardButton, FixBanner, afterFix, fixedInput, type Fix } from './fixParts.tsx';

/** A new blocker, or (fix) the correction of one the server refused. */
export function BlockerScreen({ householdId, fix = null }: { householdId: string; fix?: Fix | null }) {
  const c = useController();
  const residents = useLive(async () => (c.db ? (await c.db.residents.where('householdId').equals(householdId).toArray()).map(residentOf) : []), [c.db, householdId]) ?? [];
  const sent = (fix?.envelope.payload ?? {}) as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const [reason, setReason] = useState<string>(text(sent.reason));
  const [residentId, setResident] = useState(text(sent.residentId));
  const [note, setNote] = useState(text(sent.note));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    if (!BLOCKER_REASONS.includes(reason as BlockerReason)) return setError(t('apply.error.choice_required'));
    setBusy(true);
    try {
      const payload = { householdId, residentId: residentId || null, reason, note: note.trim() };
      if (fix) return afterFix(await c.save(fixedInput(fix, payload, {}, 0), [], fix.id), `/household/${householdId}`);
      await c.save({ entity: 'blocker', op: 'append', entityId: uuidv7(), baseVersion: null, payload });
      go(`/household/${householdId}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Page title={fix ? t('fix.title') : t('blocker.title')} back={fix ? '#/outbox' : `#/household/${householdId}`}>
      {fix && <FixBanner fix={fix} />}
      <ErrorSummary title={t('app.fix_errors')} errors={{ reason: error }} />
      <form onSubmit={submit} novalidate>
        <Radios label={t('blocker.reason')} name="reason" value={reason} onChange={setReason} error={error} options={BLOCKER_REASONS.map((r) => ({ value: r, label: t(`reason.${r}` as MessageKey) }))} />
        <SelectField label={t('blocker.who')} name="resident" value={residentId} onChange={setResident} placeholder={t('visit.household_only')} options={residents.map((r) => ({ value: r.id, label: r.fullName }))} />
        <TextField label={t('blocker.note')} name="note" value={note} onInput={setNote} multiline maxLength={1000} />
        <button type="submit" class="primary" disabled={busy}>
          {t('app.save')}
        </button>
      </form>
      {fix && <DiscardButton id={fix.id} then={() => go('/outbox')} />}
    </Page>
  );
}

/** A blocker in a list, with "resolved, how" when it is open. */
export function BlockerItem({ row, who }: { row: RecordRow; who: string | null }) {
  const c = useController();
  const [open, setOpen] = useState(false);
  const [how, setHow] = useState('');
  const [error, setError] = useState<string | null>(null);
  const d = row.data;
  const resolved = d.status === 'resolved';
  const name = who ?? (typeof d.personName === 'string' ? d.personName : null);
  async function resolve(e: Event) {
    e.preventDefault();
    if (how.trim().length < 2) return setError(t('blocker.error_how'));
    await c.save({ entity: 'blocker_resolution', op: 'append', entityId: uuidv7(), baseVersion: null, payload: { blockerId: row.id, how: how.trim() } });
    setOpen(false);
  }
  return (
    <li class={`item blocker${resolved ? ' done' : ''}`}>
      <strong>{t(`reason.${String(d.reason)}` as MessageKey)}</strong>
      {name && <span>{name}</span>}
      {typeof d.note === 'string' && d.note && <span>{d.note}</span>}
      <span class="meta">
        {d.source === 'portal' ? `${t('blocker.from_portal')} · ` : ''}
        {typeof d.createdAt === 'string' ? formatDateTime(d.createdAt) : ''}
      </span>
      {typeof d.householdId === 'string' && d.householdId && !location.hash.includes(d.householdId) && <a href={`#/household/${d.householdId}`}>{t('nav.households')} ›</a>}
      {resolved ? (
        <span class="status ok">{t('blocker.resolved', { how: String(d.resolution ?? '') })}</span>
      ) : open ? (
        <form onSubmit={resolve} novalidate>
          <TextField label={t('blocker.resolve_how')} name={`how-${row.id}`} value={how} onInput={setHow} error={error} maxLength={500} />
          <button type="submit" class="primary">
            {t('blocker.resolve_submit')}
          </button>
        </form>
      ) : (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          {t('blocker.resolve')}
        </button>
      )}
    </li>
  );
}
