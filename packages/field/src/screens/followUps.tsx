/** Plan a follow-up (due date, who), mark one done; the "to do" list sorted by due date. */
import { useState } from 'preact/hooks';
import { uuidv7 } from '@causo/domain/sync';
import { useController } from '../app/controller.ts';
import { formatDate, formatDateTime, t } from '../i18n/index.ts';
import { go, useLive } from '../lib/hooks.ts';
import { householdOf, residentOf, todayVn } from '../lib/records.ts';
import type { RecordRow } from '../store/db.ts';
import { Checkbox, ErrorSummary, Page, SelectField, TextField } from '../ui/fields.tsx';
import { BlockerItem } from './blockers.tsx';
import { DiscardButton, FixBanner, afterFix, fixedInput, type Fix } from './fixParts.tsx';

/** A new follow-up, or (fix) the correction of one the server refused. */
export function FollowUpScreen({ householdId, fix = null }: { householdId: string; fix?: Fix | null }) {
  const c = useController();
  const residents = useLive(async () => (c.db ? (await c.db.residents.where('householdId').equals(householdId).toArray()).map(residentOf) : []), [c.db, householdId]) ?? [];
  const members = c.teamMembers();
  const sent = (fix?.envelope.payload ?? {}) as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const [due, setDue] = useState(text(sent.dueDate));
  const [assignee, setAssignee] = useState(String(typeof sent.assigneeId === 'number' ? sent.assigneeId : (c.member?.id ?? '')));
  const [residentId, setResident] = useState(text(sent.residentId));
  const [note, setNote] = useState(text(sent.note));
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  async function submit(e: Event) {
    e.preventDefault();
    const errs = { due: /^\d{4}-\d{2}-\d{2}$/.test(due) ? null : t('followup.error_due'), assignee: assignee ? null : t('followup.error_assignee') };
    setErrors(errs);
    if (errs.due || errs.assignee) return;
    const payload = { blockerId: typeof sent.blockerId === 'string' ? sent.blockerId : null, householdId, residentId: residentId || null, dueDate: due, assigneeId: Number(assignee), note: note.trim() };
    if (fix) return afterFix(await c.save(fixedInput(fix, payload, {}, 0), [], fix.id), `/household/${householdId}`);
    await c.save({ entity: 'follow_up', op: 'append', entityId: uuidv7(), baseVersion: null, payload });
    go(`/household/${householdId}`);
  }
  return (
    <Page title={fix ? t('fix.title') : t('followup.title')} back={fix ? '#/outbox' : `#/household/${householdId}`}>
      {fix && <FixBanner fix={fix} />}
      <ErrorSummary title={t('app.fix_errors')} errors={errors} />
      <form onSubmit={submit} novalidate>
        <TextField label={t('followup.note')} name="note" value={note} onInput={setNote} multiline maxLength={500} />
        <TextField label={t('followup.due')} name="due" type="date" value={due} onInput={setDue} error={errors.due} />
        <SelectField label={t('followup.assignee')} name="assignee" value={assignee} onChange={setAssignee} error={errors.assignee} options={members.map((m) => ({ value: String(m.id), label: m.displayName }))} />
        <SelectField label={t('blocker.who')} name="resident" value={residentId} onChange={setResident} placeholder={t('visit.household_only')} options={residents.map((r) => ({ value: r.id, label: r.fullName }))} />
        <button type="submit" class="primary">
          {t('app.save')}
        </button>
      </form>
      {fix && <DiscardButton id={fix.id} then={() => go('/outbox')} />}
    </Page>
  );
}

export function FollowUpItem({ row, household }: { row: RecordRow; household?: string | undefined }) {
  const c = useController();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const d = row.data;
  const done = typeof d.doneAt === 'string';
  const dueDate = String(d.dueDate ?? '');
  const assignee = c.teamMembers().find((m) => m.id === d.assigneeId)?.displayName ?? '';
  async function markDone(e: Event) {
    e.preventDefault();
    await c.save({ entity: 'follow_up_done', op: 'append', entityId: uuidv7(), baseVersion: null, payload: { followUpId: row.id, note: note.trim() } });
    setOpen(false);
  }
  return (
    <li class={`item${done ? ' done' : ''}`}>
      <strong>
        {formatDate(dueDate)} {!done && dueDate < todayVn() && <span class="status late">{t('followup.overdue')}</span>}
      </strong>
      {typeof d.note === 'string' && d.note && <span>{d.note}</span>}
      <span class="meta">{[household, assignee].filter(Boolean).join(' · ')}</span>
      {household && <a href={`#/household/${String(d.householdId)}`}>{household} ›</a>}
      {done ? (
        <span class="status ok">{t('followup.done_at', { when: formatDateTime(String(d.doneAt)) })}</span>
      ) : open ? (
        <form onSubmit={markDone} novalidate>
          <TextField label={t('followup.done_note')} name={`done-${row.id}`} value={note} onInput={setNote} maxLength={500} />
          <button type="submit" class="primary">
            {t('followup.done_submit')}
          </button>
        </form>
      ) : (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          {t('followup.done')}
        </button>
      )}
    </li>
  );
}

export function TodoScreen() {
  const c = useController();
  const [mine, setMine] = useState(false);
  const data = useLive(async () => {
    if (!c.db) return null;
    const [followUps, blockers, households] = await Promise.all([c.db.followUps.orderBy('dueDate').toArray(), c.db.blockers.where('status').equals('open').toArray(), c.db.households.toArray()]);
    return { followUps, blockers, households: new Map(households.map((h) => [h.id, householdOf(h).headName])) };
  }, [c.db]);
  if (!data) return <p>{t('app.loading')}</p>;
  const open = data.followUps.filter((f) => typeof f.data.doneAt !== 'string' && (!mine || f.data.assigneeId === c.member?.id));
  const blockers = data.blockers.sort((a, b) => String(a.data.createdAt).localeCompare(String(b.data.createdAt)));
  return (
    <Page title={t('todo.title')}>
      <Checkbox label={t('todo.mine_only')} name="mine" checked={mine} onChange={setMine} />
      {!open.length && !blockers.length && <p>{t('todo.empty')}</p>}
      {open.length > 0 && (
        <>
          <h2>{t('todo.follow_ups')}</h2>
          <ul class="cards">
            {open.map((f) => (
              <FollowUpItem key={f.id} row={f} household={data.households.get(String(f.data.householdId))} />
            ))}
          </ul>
        </>
      )}
      {blockers.length > 0 && (
        <>
          <h2>{t('todo.blockers')}</h2>
          <ul class="cards">
            {blockers.map((b) => (
              <BlockerItem key={b.id} row={b} who={data.households.get(String(b.data.householdId)) ?? null} />
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}
