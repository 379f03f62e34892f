/**
 * One question per page (GOV.UK "question pages"): the question is the page's heading, the
 * error summary sits on top and links to the field, and the answer is saved before the next
 * page. Each kind of question in the form definition has its own input here.
 */
import type { AddressDepth, FormFieldDef } from '@causo/domain';
import { BackLink, Choices, CsrfField, ErrorSummary, Select, TextArea, TextField, fieldId } from '../../../../web/components.tsx';
import { PortalPage } from '../../../../web/layout.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { Citizen } from '../../../people/citizens.ts';
import type { PickerStep } from '../../addressPicker.ts';
import type { DraftState } from '../../drafts.ts';
import { hintOf, inLang, labelOf, procedureName, questionUrl } from './shared.tsx';

/** What the inputs show: what was just typed (after an error) or what is saved. */
export type ShownValue = string | string[] | { day?: string; month?: string; year?: string } | undefined;

export interface QuestionView {
  p: PageRequest;
  citizen: Citizen;
  state: DraftState;
  question: FormFieldDef;
  /** Came from "check your answers": go back there after this page. */
  change: boolean;
  backHref: string;
  error?: string | undefined;
  value?: ShownValue;
  /** The address step to show, for an address question. */
  address?: PickerStep | undefined;
  /** A short confirmation shown on top, e.g. after an upload. */
  notice?: string | undefined;
  maxUploadBytes: number;
}

function Buttons({ p }: { p: PageRequest }) {
  return (
    <p>
      <button type="submit" name="then" value="next">
        {p.t('apply.question.continue')}
      </button>
      <button type="submit" class="secondary" name="then" value="later">
        {p.t('apply.question.later')}
      </button>
    </p>
  );
}

function withOptional(p: PageRequest, q: FormFieldDef, label: string): string {
  return q.required ? label : `${label} ${p.t('apply.question.optional')}`;
}

function DateInput({ p, name, legend, hint, error, value }: { p: PageRequest; name: string; legend: string; hint?: string | undefined; error?: string | undefined; value: { day?: string; month?: string; year?: string } }) {
  const id = fieldId(name);
  const described = [`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ');
  const part = (partName: 'day' | 'month' | 'year', inputId: string, cls: string) => (
    <div>
      <label for={inputId}>{p.t(`apply.date.${partName}`)}</label>
      <input id={inputId} name={partName} type="text" inputMode="numeric" class={cls} maxLength={partName === 'year' ? 4 : 2} value={value[partName] ?? ''} aria-invalid={error ? 'true' : undefined} />
    </div>
  );
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <fieldset role="group" aria-describedby={described}>
        <legend>
          <h1>{legend}</h1>
        </legend>
        <span class="hint" id={`${id}-hint`}>
          {hint ? `${hint} ` : ''}
          {p.t('apply.date.hint')}
        </span>
        {error ? (
          <span class="error-message" id={`${id}-error`}>
            {error}
          </span>
        ) : null}
        <div class="date-input">
          {part('day', id, 'dd')}
          {part('month', `${id}-month`, 'dd')}
          {part('year', `${id}-year`, 'yyyy')}
        </div>
      </fieldset>
    </div>
  );
}

const LEVEL_KEY: Record<AddressDepth, string> = {
  province: 'apply.address.level.province',
  district: 'apply.address.level.district',
  commune: 'apply.address.level.commune',
  village: 'apply.address.level.village',
};

function AddressInput({ v, label }: { v: QuestionView; label: string }) {
  const { p, question, state } = v;
  const step = v.address;
  if (!step) return null;
  const chosen = step.path.slice(0, step.at);
  const hint = hintOf(p, question);
  return (
    <>
      <h1>{label}</h1>
      {hint ? <p class="hint">{hint}</p> : null}
      {chosen.length ? (
        <dl class="summary">
          {chosen.map((u, i) => (
            <div key={u.code}>
              <dt>{p.t(LEVEL_KEY[u.level])}</dt>
              <dd>{u.name}</dd>
              <dd>
                <a href={questionUrl(state.id, question.key, { change: v.change, at: i })}>
                  {p.t('apply.address.change_level')}
                  <span class="vh"> {u.name}</span>
                </a>
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      <form method="post" action={questionUrl(state.id, question.key, { change: v.change })} novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="at" value={String(step.at)} />
        <Select
          name={question.key}
          label={p.t(LEVEL_KEY[step.level])}
          error={v.error}
          options={step.options.map((o) => ({ value: o.code, label: o.name }))}
          value={typeof v.value === 'string' ? v.value : step.selected}
          emptyLabel={p.t('apply.address.choose')}
        />
        <Buttons p={p} />
      </form>
    </>
  );
}

function DocumentInput({ v, label }: { v: QuestionView; label: string }) {
  const { p, question, state } = v;
  if (question.type !== 'document') return null;
  const files = state.documents.filter((d) => d.kind === question.key);
  const photos = question.accept.some((a) => a.startsWith('image/'));
  const pdf = question.accept.includes('application/pdf');
  const maxMb = Math.round(Math.min(v.maxUploadBytes, question.maxSizeMb ? question.maxSizeMb * 1_000_000 : Infinity) / 1_000_000);
  const acceptKey = photos && pdf ? 'apply.document.accept_photo_pdf' : photos ? 'apply.document.accept_photo' : 'apply.document.accept_pdf';
  const accept = [...(photos ? ['image/jpeg', 'image/png', 'image/webp'] : []), ...(pdf ? ['application/pdf'] : [])].join(',');
  const id = fieldId(question.key);
  const hint = hintOf(p, question);
  return (
    <>
      <h1>{label}</h1>
      {hint ? <p class="hint">{hint}</p> : null}
      <h2>{p.t('apply.document.uploaded')}</h2>
      {files.length === 0 ? (
        <p>{p.t('apply.document.none')}</p>
      ) : (
        <ul class="cards">
          {files.map((f) => (
            <li key={f.id}>
              <a href={`/apply/d/${state.id}/file/${f.id}`}>{f.filename}</a> <span class="muted">({p.t('apply.document.size', { kb: Math.max(1, Math.round(f.byteSize / 1000)) })})</span>
              <form method="post" action={`/apply/d/${state.id}/q/${encodeURIComponent(question.key)}/remove/${f.id}${v.change ? '?change=1' : ''}`} class="inline-form">
                <CsrfField p={p} />{' '}
                <button type="submit" class="secondary">
                  {p.t('apply.document.remove')}
                  <span class="vh"> {f.filename}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <form method="post" action={questionUrl(state.id, question.key, { change: v.change })} enctype="multipart/form-data" novalidate>
        <CsrfField p={p} />
        <div class={`field${v.error ? ' has-error' : ''}`}>
          <label for={id}>{p.t(files.length ? 'apply.document.file_label_more' : 'apply.document.file_label')}</label>
          <span class="hint" id={`${id}-hint`}>
            {p.t(acceptKey, { mb: maxMb })}
          </span>
          {v.error ? (
            <span class="error-message" id={`${id}-error`}>
              {v.error}
            </span>
          ) : null}
          <input id={id} name="file" type="file" accept={accept} aria-describedby={`${id}-hint${v.error ? ` ${id}-error` : ''}`} aria-invalid={v.error ? 'true' : undefined} />
        </div>
        <p>
          <button type="submit" class="secondary" name="then" value="upload">
            {p.t('apply.document.upload')}
          </button>
        </p>
        <Buttons p={p} />
      </form>
    </>
  );
}

function SimpleInput({ v, label }: { v: QuestionView; label: string }) {
  const { p, question: q, state } = v;
  const hint = hintOf(p, q);
  const str = typeof v.value === 'string' ? v.value : Array.isArray(v.value) ? v.value[0] : undefined;
  let input;
  switch (q.type) {
    case 'text':
      input = q.multiline ? (
        <TextArea name={q.key} label={label} hint={hint} error={v.error} value={str} maxLength={q.maxLength} asHeading rows={5} />
      ) : (
        <TextField name={q.key} label={label} hint={hint} error={v.error} value={str} maxLength={q.maxLength} asHeading />
      );
      break;
    case 'number': {
      const unit = q.unitVi ? p.t('apply.number.unit', { unit: inLang(p.lang, q.unitVi, q.unitEn) }) : undefined;
      input = <TextField name={q.key} label={label} hint={[hint, unit].filter(Boolean).join(' ') || undefined} error={v.error} value={str} inputMode="numeric" short asHeading />;
      break;
    }
    case 'phone':
      input = <TextField name={q.key} label={label} hint={hint ?? p.t('apply.phone.hint')} error={v.error} value={str} type="tel" inputMode="tel" autocomplete={q.key === 'applicantPhone' ? 'tel' : 'off'} short asHeading />;
      break;
    case 'id_number':
      input = <TextField name={q.key} label={label} hint={hint ?? p.t('apply.id_number.hint')} error={v.error} value={str} inputMode="numeric" autocomplete="off" maxLength={15} short asHeading />;
      break;
    case 'choice':
      input = (
        <Choices
          name={q.key}
          legend={label}
          hint={hint ?? (q.multiple ? p.t('apply.choice.hint_many') : undefined)}
          error={v.error}
          multiple={q.multiple}
          value={Array.isArray(v.value) || typeof v.value === 'string' ? v.value : undefined}
          options={q.options.map((o) => ({ value: o.value, label: inLang(p.lang, o.labelVi, o.labelEn) }))}
          asHeading
        />
      );
      break;
    case 'date': {
      const parts = v.value && typeof v.value === 'object' && !Array.isArray(v.value) ? v.value : typeof v.value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v.value) ? { year: v.value.slice(0, 4), month: String(Number(v.value.slice(5, 7))), day: String(Number(v.value.slice(8, 10))) } : {};
      input = <DateInput p={p} name={q.key} legend={label} hint={hint} error={v.error} value={parts} />;
      break;
    }
    default:
      input = null;
  }
  return (
    <form method="post" action={questionUrl(state.id, q.key, { change: v.change })} novalidate>
      <CsrfField p={p} />
      {input}
      <Buttons p={p} />
    </form>
  );
}

export function QuestionPage(v: QuestionView) {
  const { p, question, state } = v;
  const label = withOptional(p, question, labelOf(p, question));
  const index = state.questions.findIndex((q) => q.key === question.key);
  const errors = v.error ? { [question.key]: v.error } : {};
  return (
    <PortalPage p={p} title={label} citizen={v.citizen} hasErrors={Boolean(v.error)}>
      <BackLink href={v.backHref} label={p.t('common.back')} />
      {v.notice ? (
        <div class="notice" role="status">
          {v.notice}
        </div>
      ) : null}
      <ErrorSummary p={p} errors={errors} />
      <p class="muted">
        {procedureName(p, state.procedure)} · {p.t('apply.question.caption', { n: index + 1, total: state.questions.length })}
      </p>
      {question.type === 'address' ? <AddressInput v={v} label={label} /> : question.type === 'document' ? <DocumentInput v={v} label={label} /> : <SimpleInput v={v} label={label} />}
    </PortalPage>
  );
}
