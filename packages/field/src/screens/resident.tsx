/** Add or edit a person of a household, with the digital readiness checklist. Personal fields are decrypted only here. */
import { useState } from 'preact/hooks';
import { EMPTY_READINESS, uuidv7, type Readiness } from '@causo/domain/sync';
import { useController } from '../app/controller.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import { go, useLive } from '../lib/hooks.ts';
import { baseVersionOf } from '../sync/envelopes.ts';
import type { LocalRecord } from '../sync/localRecords.ts';
import { ErrorSummary, Page, Radios, SelectField, TextField } from '../ui/fields.tsx';
import { residentDraftOf, residentErrors, residentFieldsOf, changedFields, type ResidentDraft } from './residentForm.ts';
import { DiscardButton, FixBanner, afterFix, fixedInput, type Fix } from './fixParts.tsx';

export function ResidentScreen({ id, householdId }: { id: string | null; householdId: string | null }) {
  const c = useController();
  const rec = useLive(async () => (id && c.store ? await c.store.record('resident', id) : null), [c.store, id]);
  if (id && rec === undefined) return <p aria-live="polite">{t('resident.decrypting')}</p>;
  const hh = rec ? String(rec.data.householdId) : (householdId ?? '');
  return <ResidentForm key={id ?? 'new'} record={rec ?? null} householdId={hh} />;
}

const tri = (v: boolean | null): string => (v === null ? '' : v ? 'yes' : 'no');
const fromTri = (v: string): boolean | null => (v === 'yes' ? true : v === 'no' ? false : null);

/** A new person, an edit, or (fix) the correction of a resident envelope the server refused. */
export function ResidentForm({ record, householdId, fix = null }: { record: LocalRecord | null; householdId: string; fix?: Fix | null }) {
  const c = useController();
  const [d, setD] = useState<ResidentDraft>(() => residentDraftOf(fix ? { ...(record?.data ?? {}), ...fix.envelope.payload } : (record?.data ?? null)));
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof ResidentDraft>(k: K) => (v: ResidentDraft[K]) => setD((x) => ({ ...x, [k]: v }));
  const setR = <K extends keyof Readiness>(k: K, v: Readiness[K]) => setD((x) => ({ ...x, readiness: { ...x.readiness, [k]: v } }));
  const yesNo = [
    { value: 'yes', label: t('app.yes') },
    { value: 'no', label: t('app.no') },
    { value: '', label: t('app.unknown') },
  ];

  async function submit(e: Event) {
    e.preventDefault();
    const errs = residentErrors(d, new Date().getFullYear());
    const shown = Object.fromEntries(Object.entries(errs).map(([k, v]) => [k, v ? t(v) : null]));
    setErrors(shown);
    if (Object.values(errs).some(Boolean)) return;
    const fields = residentFieldsOf(d, householdId);
    setBusy(true);
    try {
      if (fix) {
        afterFix(await c.save(fixedInput(fix, fields, record ? changedFields(record.data, fields) : fields, record?.version ?? 0), [], fix.id), `/household/${householdId}`);
        return;
      }
      if (!record) {
        await c.save({ entity: 'resident', op: 'create', entityId: uuidv7(), baseVersion: null, payload: fields });
      } else {
        const changed = changedFields(record.data, fields);
        if (Object.keys(changed).length) await c.save({ entity: 'resident', op: 'update', entityId: record.id, baseVersion: baseVersionOf(record.version), payload: changed });
      }
      go(`/household/${householdId}`);
    } finally {
      setBusy(false);
    }
  }

  const r = d.readiness ?? EMPTY_READINESS;
  return (
    <Page title={fix ? t('fix.title') : record ? t('resident.title_edit') : t('resident.title_new')} back={fix ? '#/outbox' : `#/household/${householdId}`}>
      {fix && <FixBanner fix={fix} />}
      <ErrorSummary title={t('app.fix_errors')} errors={errors} />
      <form onSubmit={submit} novalidate>
        <TextField label={t('resident.name')} name="fullName" value={d.fullName} onInput={set('fullName')} error={errors.fullName} maxLength={100} />
        <TextField label={t('resident.birth_year')} name="birthYear" value={d.birthYear} onInput={set('birthYear')} inputMode="numeric" maxLength={4} error={errors.birthYear} />
        <TextField label={t('resident.birth_date')} name="birthDate" type="date" value={d.birthDate} onInput={set('birthDate')} error={errors.birthDate} hint={t('app.optional')} />
        <Radios label={t('resident.sex')} name="sex" value={d.sex} onChange={set('sex')} inline options={[{ value: 'male', label: t('resident.male') }, { value: 'female', label: t('resident.female') }, { value: '', label: t('app.unknown') }]} />
        <TextField label={t('resident.ethnicity')} name="ethnicity" value={d.ethnicity} onInput={set('ethnicity')} maxLength={40} />
        <TextField label={t('resident.relation')} name="relation" value={d.relation} onInput={set('relation')} maxLength={40} />
        <TextField label={t('resident.id_number')} name="idNumber" value={d.idNumber} onInput={set('idNumber')} inputMode="numeric" maxLength={12} error={errors.idNumber} hint={t('app.optional')} />
        <TextField label={t('resident.phones')} name="phones" value={d.phones} onInput={set('phones')} inputMode="tel" error={errors.phones} hint={t('app.optional')} />
        <fieldset class="readiness">
          <legend>{t('resident.readiness')}</legend>
          <Radios label={t('resident.smartphone')} name="smartphone" inline value={tri(r.smartphone)} onChange={(v) => setR('smartphone', fromTri(v))} options={yesNo} />
          <Radios
            label={t('resident.sim')}
            name="sim"
            value={r.simOwnership}
            onChange={(v) => setR('simOwnership', v === 'matched' || v === 'mismatched' ? v : 'unknown')}
            options={(['unknown', 'matched', 'mismatched'] as const).map((v) => ({ value: v, label: t(`resident.sim_${v}` as MessageKey) }))}
          />
          <Radios label={t('resident.coverage')} name="coverage" inline value={tri(r.coverageAtHome)} onChange={(v) => setR('coverageAtHome', fromTri(v))} options={yesNo} />
          <SelectField
            label={t('resident.vneid')}
            name="vneid"
            value={r.vneidLevel === null ? '' : String(r.vneidLevel)}
            onChange={(v) => setR('vneidLevel', v === '0' ? 0 : v === '1' ? 1 : v === '2' ? 2 : null)}
            placeholder={t('app.unknown')}
            options={[0, 1, 2].map((n) => ({ value: String(n), label: t(`resident.vneid_${n}` as MessageKey) }))}
          />
          <Radios label={t('resident.account')} name="account" inline value={tri(r.publicServiceAccount)} onChange={(v) => setR('publicServiceAccount', fromTri(v))} options={yesNo} />
          <Radios label={t('resident.wallet')} name="wallet" inline value={tri(r.walletOrBank)} onChange={(v) => setR('walletOrBank', fromTri(v))} options={yesNo} />
          <Radios label={t('resident.applied_alone')} name="alone" inline value={tri(r.appliedAlone)} onChange={(v) => setR('appliedAlone', fromTri(v))} options={yesNo} />
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>
          {t('app.save')}
        </button>
      </form>
      {fix && <DiscardButton id={fix.id} then={() => go('/outbox')} />}
    </Page>
  );
}
