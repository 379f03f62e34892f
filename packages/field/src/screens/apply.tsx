/**
 * Assisted application: a resident, a procedure from the bootstrap, its questions (the portal's
 * form definitions and checks), the resident's consent and the mode; saved as an `application`
 * envelope. After sync the list shows the dossier code the server gave it.
 */
import { useMemo, useState } from 'preact/hooks';
import { uuidv7 } from '@causo/domain/sync';
import { matchesSearch } from '@causo/domain/text';
import type { FormFieldDef, RawAnswer } from '@causo/domain/formRunner';
import { useController } from '../app/controller.ts';
import { addressFromVillage, checkAll, communesOf, documentShas, questionsOf } from '../apply/formModel.ts';
import { isMessageKey, lang, t } from '../i18n/index.ts';
import { go, useLive } from '../lib/hooks.ts';
import { residentOf, todayVn } from '../lib/records.ts';
import type { LocalFile } from '../sync/types.ts';
import { Checkbox, ErrorSummary, Page, Radios, SelectField, TextField } from '../ui/fields.tsx';
import { PhotoInput } from '../ui/photoInput.tsx';
import { DiscardButton, FixBanner, afterFix, fixedInput, type Fix } from './fixParts.tsx';

export function ApplicationsScreen() {
  const c = useController();
  const list = useLive(async () => {
    if (!c.db) return [];
    const apps = await c.db.applications.toArray();
    const residents = new Map((await c.db.residents.bulkGet(apps.map((a) => String(a.data.residentId)))).filter((r) => r).map((r) => [r!.id, residentOf(r!).fullName]));
    return apps.map((a) => ({ id: a.id, name: residents.get(String(a.data.residentId)) ?? '', code: typeof a.data.dossierCode === 'string' ? a.data.dossierCode : null, procedure: String(a.data.procedureCode), at: String(a.data.occurredAt) })).sort((a, b) => b.at.localeCompare(a.at));
  }, [c.db]);
  const procName = (code: string) => {
    const p = c.bootstrap?.procedures.find((x) => x.code === code);
    return p ? (lang() === 'vi' ? p.nameVi : p.nameEn) : code;
  };
  return (
    <Page title={t('apply.title')}>
      <p>{t('apply.lead')}</p>
      <a class="button primary" href="#/apply/new">
        {t('apply.new')}
      </a>
      <h2>{t('apply.list')}</h2>
      {list && !list.length && <p>{t('apply.none')}</p>}
      <ul class="cards">
        {(list ?? []).map((a) => (
          <li key={a.id} class="item">
            <strong>{a.name}</strong>
            <span>{procName(a.procedure)}</span>
            <span class={`meta dossier-code${a.code ? '' : ' waiting'}`}>{a.code ? t('apply.code', { code: a.code }) : t('apply.waiting_code')}</span>
          </li>
        ))}
      </ul>
    </Page>
  );
}

const errorText = (e: { key: string; params?: Record<string, string | number> } | undefined): string | null => (e ? (isMessageKey(e.key) ? t(e.key, e.params) : e.key) : null);

/** What a refused application's form starts from: its answers back to what the fields hold, its photos. */
function startOf(fix: Fix | null) {
  const p = (fix?.envelope.payload ?? {}) as Record<string, unknown>;
  const fileOf = (sha: unknown) => fix?.files.find((f) => f.sha256 === sha) ?? null;
  const raw: Record<string, RawAnswer> = {};
  const docs: Record<string, LocalFile | null> = {};
  const answers = p.answers && typeof p.answers === 'object' ? (p.answers as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(answers)) {
    if (Array.isArray(v) && v.length > 0 && v.every((x) => fileOf(x))) docs[k] = fileOf(v[0]);
    else if (typeof v === 'number') raw[k] = String(v);
    else if (v !== null && v !== undefined) raw[k] = v as RawAnswer;
  }
  const consent = (p.consent && typeof p.consent === 'object' ? p.consent : {}) as { kind?: string; agreed?: boolean; name?: string; photo?: { sha256?: string } };
  return {
    residentId: typeof p.residentId === 'string' ? p.residentId : '',
    procedureCode: typeof p.procedureCode === 'string' ? p.procedureCode : '',
    raw,
    docs,
    consentOk: consent.kind === 'checkbox' && consent.agreed === true,
    consentName: consent.kind === 'checkbox' ? (consent.name ?? '') : '',
    consentPhoto: consent.kind === 'photo' ? fileOf(consent.photo?.sha256) : null,
    mode: p.mode === 'alongside' ? 'alongside' : 'on_behalf',
  };
}

/** A new assisted application, or (fix) the correction of one the server refused. */
export function NewApplicationScreen({ fix = null }: { fix?: Fix | null }) {
  const c = useController();
  const procedures = c.bootstrap?.procedures ?? [];
  const villages = c.bootstrap?.villages ?? [];
  const residents = useLive(async () => (c.db ? (await c.db.residents.toArray()).map(residentOf) : []), [c.db]) ?? [];
  const [start] = useState(() => startOf(fix));
  const [search, setSearch] = useState('');
  const [residentId, setResident] = useState(start.residentId);
  const [procedureCode, setProcedure] = useState(start.procedureCode);
  const [raw, setRaw] = useState<Record<string, RawAnswer>>(start.raw);
  const [docs, setDocs] = useState<Record<string, LocalFile | null>>(start.docs);
  const [consentOk, setConsentOk] = useState(start.consentOk);
  const [consentName, setConsentName] = useState(start.consentName);
  const [consentPhoto, setConsentPhoto] = useState<LocalFile | null>(start.consentPhoto);
  const [mode, setMode] = useState(start.mode);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  const procedure = procedures.find((p) => p.code === procedureCode) ?? null;
  const questions = useMemo(() => (procedure ? questionsOf(procedure.form) : []), [procedure]);
  const found = residents.filter((r) => !search.trim() || matchesSearch(r.fullName, search)).slice(0, 50);
  const label = (q: FormFieldDef) => (lang() === 'vi' ? q.labelVi : q.labelEn);
  const setAnswer = (k: string, v: RawAnswer) => setRaw((x) => ({ ...x, [k]: v }));

  async function submit(e: Event) {
    e.preventDefault();
    const withDocs: Record<string, RawAnswer> = { ...raw };
    for (const q of questions) if (q.type === 'document') withDocs[q.key] = docs[q.key] ? [docs[q.key]!.sha256] : undefined;
    const check = checkAll(questions, withDocs, todayVn());
    const errs: Record<string, string | null> = {
      resident: residentId ? null : t('apply.error_resident'),
      procedure: procedure ? null : t('apply.error_procedure'),
      consent: consentPhoto || (consentOk && consentName.trim().length >= 2) ? null : t('apply.error_consent'),
    };
    for (const [k, v] of Object.entries(check.errors)) errs[`q-${k}`] = errorText(v);
    setErrors(errs);
    if (Object.values(errs).some(Boolean) || !procedure) return;
    const files = [...Object.values(docs).filter((f): f is LocalFile => !!f && documentShas(questions, check.answers).includes(f.sha256)), ...(consentPhoto ? [consentPhoto] : [])];
    const consent = consentPhoto ? { kind: 'photo', photo: { sha256: consentPhoto.sha256, type: consentPhoto.type, bytes: consentPhoto.bytes } } : { kind: 'checkbox', agreed: true, name: consentName.trim() };
    setBusy(true);
    try {
      const payload = { residentId, procedureCode: procedure.code, answers: check.answers, consent, mode };
      if (fix) return afterFix(await c.save(fixedInput(fix, payload, {}, 0), files, fix.id), '/apply');
      await c.save({ entity: 'application', op: 'append', entityId: uuidv7(), baseVersion: null, payload }, files);
      go('/apply');
    } finally {
      setBusy(false);
    }
  }

  if (!procedures.length)
    return (
      <Page title={t('apply.new')} back="#/apply">
        <p class="notice">{t('apply.no_procedures')}</p>
      </Page>
    );
  return (
    <Page title={fix ? t('fix.title') : t('apply.new')} back={fix ? '#/outbox' : '#/apply'}>
      {fix && <FixBanner fix={fix} />}
      <ErrorSummary title={t('app.fix_errors')} errors={errors} />
      <form onSubmit={submit} novalidate>
        <TextField label={t('apply.resident_search')} name="residentSearch" value={search} onInput={setSearch} />
        <SelectField label={t('apply.resident')} name="resident" value={residentId} onChange={setResident} error={errors.resident} placeholder={t('apply.choose')} options={found.map((r) => ({ value: r.id, label: `${r.fullName}${r.birthYear ? ` (${r.birthYear})` : ''}` }))} />
        <SelectField label={t('apply.procedure')} name="procedure" value={procedureCode} onChange={setProcedure} error={errors.procedure} placeholder={t('apply.choose')} options={procedures.map((p) => ({ value: p.code, label: lang() === 'vi' ? p.nameVi : p.nameEn }))} />
        {questions.length > 0 && <h2>{t('apply.questions')}</h2>}
        {questions.map((q) => (
          <Question key={q.key} q={q} label={label(q)} raw={raw[q.key]} setAnswer={setAnswer} error={errors[`q-${q.key}`] ?? null} villages={villages} doc={docs[q.key] ?? null} setDoc={(f) => setDocs((x) => ({ ...x, [q.key]: f }))} />
        ))}
        <fieldset class="field" id="f-consent" tabIndex={-1}>
          <legend>{t('apply.consent')}</legend>
          {errors.consent && <p class="error-message">{errors.consent}</p>}
          <Checkbox label={t('apply.consent_checkbox')} name="consentOk" checked={consentOk} onChange={setConsentOk} />
          <TextField label={t('apply.consent_name')} name="consentName" value={consentName} onInput={setConsentName} maxLength={100} />
          <PhotoInput label={t('apply.consent_photo')} name="consentPhoto" value={consentPhoto} onChange={setConsentPhoto} />
        </fieldset>
        <Radios label={t('apply.mode')} name="mode" value={mode} onChange={setMode} options={[{ value: 'on_behalf', label: t('apply.on_behalf') }, { value: 'alongside', label: t('apply.alongside') }]} />
        <button type="submit" class="primary" disabled={busy}>
          {t('apply.submit')}
        </button>
      </form>
      {fix && <DiscardButton id={fix.id} then={() => go('/outbox')} />}
    </Page>
  );
}

interface QuestionProps {
  q: FormFieldDef;
  label: string;
  raw: RawAnswer;
  setAnswer: (k: string, v: RawAnswer) => void;
  error: string | null;
  villages: { code: string; name: string; communeCode: string; communeName: string }[];
  doc: LocalFile | null;
  setDoc: (f: LocalFile | null) => void;
}

function Question({ q, label, raw, setAnswer, error, villages, doc, setDoc }: QuestionProps) {
  const name = `q-${q.key}`;
  const hint = (lang() === 'vi' ? q.hintVi : q.hintEn) ?? (q.required ? undefined : t('app.optional'));
  const text = typeof raw === 'string' ? raw : '';
  switch (q.type) {
    case 'text':
      return <TextField label={label} name={name} hint={hint} value={text} onInput={(v) => setAnswer(q.key, v)} error={error} multiline={q.multiline ?? false} maxLength={q.maxLength} />;
    case 'date':
      return <TextField label={label} name={name} hint={hint} type="date" value={text} onInput={(v) => setAnswer(q.key, v)} error={error} />;
    case 'number':
      return <TextField label={label} name={name} hint={hint} inputMode="numeric" value={text} onInput={(v) => setAnswer(q.key, v)} error={error} />;
    case 'phone':
      return <TextField label={label} name={name} hint={hint} type="tel" inputMode="tel" value={text} onInput={(v) => setAnswer(q.key, v)} error={error} />;
    case 'id_number':
      return <TextField label={label} name={name} hint={hint} inputMode="numeric" maxLength={14} value={text} onInput={(v) => setAnswer(q.key, v)} error={error} />;
    case 'choice':
      if (q.multiple) {
        const picked = Array.isArray(raw) ? raw : [];
        return (
          <fieldset class={`field${error ? ' has-error' : ''}`} id={`f-${name}`} tabIndex={-1}>
            <legend>{label}</legend>
            {error && <p class="error-message">{error}</p>}
            {q.options.map((o) => (
              <Checkbox key={o.value} label={lang() === 'vi' ? o.labelVi : o.labelEn} name={`${name}-${o.value}`} checked={picked.includes(o.value)} onChange={(on) => setAnswer(q.key, on ? [...picked, o.value] : picked.filter((x) => x !== o.value))} />
            ))}
          </fieldset>
        );
      }
      return <Radios label={label} name={name} hint={hint} value={text} onChange={(v) => setAnswer(q.key, v)} error={error} options={q.options.map((o) => ({ value: o.value, label: lang() === 'vi' ? o.labelVi : o.labelEn }))} />;
    case 'address': {
      const choices = q.depth === 'village' ? villages : communesOf(villages);
      const current = raw && typeof raw === 'object' && !Array.isArray(raw) && 'units' in raw ? (raw.units[raw.units.length - 1]?.code ?? '') : '';
      return (
        <SelectField
          label={label}
          name={name}
          hint={hint}
          value={current}
          error={error}
          placeholder={q.depth === 'village' ? t('apply.address_village') : t('apply.address_commune')}
          onChange={(code) => {
            const v = choices.find((x) => (q.depth === 'village' ? x.code : x.communeCode) === code);
            setAnswer(q.key, v ? addressFromVillage(q, v) : undefined);
          }}
          options={choices.map((v) => (q.depth === 'village' ? { value: v.code, label: `${v.name}, ${v.communeName}` } : { value: v.communeCode, label: v.communeName }))}
        />
      );
    }
    case 'document':
      return (
        <div class={error ? 'has-error' : ''}>
          {error && <p class="error-message">{error}</p>}
          <PhotoInput label={`${label} — ${t('apply.document_photo')}`} name={name} value={doc} onChange={setDoc} />
          {!q.required && !doc && <p class="hint">{t('apply.document_skip')}</p>}
        </div>
      );
  }
}
