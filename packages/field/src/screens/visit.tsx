/**
 * Record a visit in under a minute: tap who, tick what, save. Saving also updates the helped
 * person's readiness when the actions prove more than is known (readinessAfterVisit).
 */
import { useState } from 'preact/hooks';
import { VISIT_ACTIONS, readinessAfterVisit, uuidv7, type VisitAction } from '@causo/domain/sync';
import { useController } from '../app/controller.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { go, useLive } from '../lib/hooks.ts';
import { readinessOf, residentOf } from '../lib/records.ts';
import { baseVersionOf } from '../sync/envelopes.ts';
import type { LocalFile } from '../sync/types.ts';
import { ErrorSummary, Page, TextField } from '../ui/fields.tsx';
import { PhotoInput } from '../ui/photoInput.tsx';
import { DiscardButton, FixBanner, afterFix, fixedInput, type Fix } from './fixParts.tsx';

/** A new visit, or (fix) the correction of a visit the server refused: then it is one visit, of one person or the household. */
export function VisitScreen({ householdId, fix = null }: { householdId: string; fix?: Fix | null }) {
  const c = useController();
  const residents = useLive(async () => (c.db ? (await c.db.residents.where('householdId').equals(householdId).toArray()).map(residentOf) : []), [c.db, householdId]) ?? [];
  const sent = (fix?.envelope.payload ?? {}) as Record<string, unknown>;
  const [who, setWho] = useState<string[]>(() => (typeof sent.residentId === 'string' ? [sent.residentId] : []));
  const [actions, setActions] = useState<VisitAction[]>(() => (Array.isArray(sent.actions) ? (sent.actions as VisitAction[]).filter((a) => VISIT_ACTIONS.includes(a)) : []));
  const [notes, setNotes] = useState(typeof sent.notes === 'string' ? sent.notes : '');
  const sentPhoto = sent.photo && typeof sent.photo === 'object' ? (sent.photo as { sha256?: unknown }).sha256 : null;
  const [photo, setPhoto] = useState<LocalFile | null>(() => fix?.files.find((f) => f.sha256 === sentPhoto) ?? null);
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
        const payload = { residentId, householdId, actions, notes: notes.trim(), photo: photoRef };
        if (fix) {
          if (!(await c.save(fixedInput(fix, payload, {}, 0), photo ? [photo] : [], fix.id))) return afterFix(false, '');
        } else await c.save({ entity: 'visit', op: 'append', entityId: uuidv7(), baseVersion: null, payload }, photo ? [photo] : []);
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
    <Page title={fix ? t('fix.title') : t('visit.title')} back={fix ? '#/outbox' : `#/household/${householdId}`}>
      {fix && <FixBanner fix={fix} />}
      <ErrorSummary title={t('app.fix_errors')} errors={{ actions: error }} />
      <form onSubmit={submit} novalidate>
        <fieldset class="field">
          <legend>{t('visit.who')}</legend>
          <div class="chips">
            {residents.map((r) => (
              <button type="button" key={r.id} class="chip" aria-pressed={who.includes(r.id)} onClick={() => setWho(fix ? [r.id] : toggle(who, r.id))}>
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
      {fix && <DiscardButton id={fix.id} then={() => go('/outbox')} />}
    </Page>
  );
}
