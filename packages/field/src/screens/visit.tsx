/**
 * Record a visit in under a minute: tap who, tick what, save. Saving also updates the helped
 * person's readiness when the actions prove more than is known (readinessAfterVisit).
 */
import { useState } from 'preact/hooks';
import { VISIT_ACTIONS, readinessAfterVisit, uuidv7, type VisitAction } from '@causo/domain';
import { useController } from '../app/controller.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { go, useLive } from '../lib/hooks.ts';
import { readinessOf, residentOf } from '../lib/records.ts';
import { baseVersionOf } from '../sync/envelopes.ts';
import type { LocalFile } from '../sync/types.ts';
import { ErrorSummary, Page, TextField } from '../ui/fields.tsx';
import { PhotoInput } from '../ui/photoInput.tsx';

export function VisitScreen({ householdId }: { householdId: string }) {
  const c = useController();
  const residents = useLive(async () => (c.db ? (await c.db.residents.where('householdId').equals(householdId).toArray()).map(residentOf) : []), [c.db, householdId]) ?? [];
  const [who, setWho] = useState<string[]>([]);
  const [actions, setActions] = useState<VisitAction[]>([]);
  const [notes, setNotes] = useState('');
  const [photo, setPhoto] = useState<LocalFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = <T,>(list: T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  async function submit(e: Event) {
    e.preventDefault();
    if (!actions.length) return setError(t('visit.error_actions'));
    setError(null);
    setBusy(true);
    try {
      const photoRef = photo ? { sha256: photo.sha256, type: photo.type, bytes: photo.bytes } : null;
      // One visit per person helped (or one for the household), each its own record.
      for (const residentId of who.length ? who : [null]) {
        await c.save({ entity: 'visit', op: 'append', entityId: uuidv7(), baseVersion: null, payload: { residentId, householdId, actions, notes: notes.trim(), photo: photoRef } }, photo ? [photo] : []);
        const r = residents.find((x) => x.id === residentId);
        if (!r) continue;
        const better = readinessAfterVisit(readinessOf(r), actions);
        if (Object.keys(better).length) await c.save({ entity: 'resident', op: 'update', entityId: r.id, baseVersion: baseVersionOf(r.version), payload: better });
      }
      go(`/household/${householdId}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page title={t('visit.title')} back={`#/household/${householdId}`}>
      <ErrorSummary title={t('app.fix_errors')} errors={{ actions: error }} />
      <form onSubmit={submit} novalidate>
        <fieldset class="field">
          <legend>{t('visit.who')}</legend>
          <div class="chips">
            {residents.map((r) => (
              <button type="button" key={r.id} class="chip" aria-pressed={who.includes(r.id)} onClick={() => setWho(toggle(who, r.id))}>
                {r.fullName}
              </button>
            ))}
            <button type="button" class="chip" aria-pressed={who.length === 0} onClick={() => setWho([])}>
              {t('visit.household_only')}
            </button>
          </div>
        </fieldset>
        <fieldset class={`field${error ? ' has-error' : ''}`} id="f-actions" tabIndex={-1}>
          <legend>{t('visit.what')}</legend>
          {error && <p class="error-message">{error}</p>}
          {VISIT_ACTIONS.map((a) => (
            <div class="check" key={a}>
              <input type="checkbox" id={`a-${a}`} name="actions" value={a} checked={actions.includes(a)} onChange={() => setActions(toggle(actions, a))} />
              <label for={`a-${a}`}>{t(`action.${a}` as MessageKey)}</label>
            </div>
          ))}
        </fieldset>
        <TextField label={t('visit.notes')} name="notes" value={notes} onInput={setNotes} multiline maxLength={1000} />
        <PhotoInput label={t('visit.photo')} name="photo" value={photo} onChange={setPhoto} />
        <button type="submit" class="primary" disabled={busy}>
          {t('app.save')}
        </button>
      </form>
    </Page>
  );
}
