/**
 * A procedure's form (its definition in the catalogue) on one desk page: every question at
 * once, since the officer types what the citizen says or shows. Answers are checked against the
 * same definition; errors are texts already in the page's language.
 */
import { isLocalDate, localDateOf } from '@causo/domain';
import { z } from 'zod';
import { FormFieldSchema, type FormField } from '../../../procedures/catalogueFile.ts';
import { Choices, TextArea, TextField, type FieldErrors } from '../../../../web/components.tsx';
export { FileField } from '../../../../web/components.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { FormBody } from '../../../../web/plugin.ts';

export const answerName = (key: string) => `answer.${key}`;
export const scanName = (key: string) => `scan.${key}`;

/** The form definition stored with the procedure; a broken definition is a server error, not the officer's. */
export function formDefinition(raw: unknown): FormField[] {
  return z.array(FormFieldSchema).parse(raw);
}

export const questionsOf = (form: FormField[]) => form.filter((f) => f.type !== 'document');
export const documentFieldsOf = (form: FormField[]) => form.filter((f): f is Extract<FormField, { type: 'document' }> => f.type === 'document');

const label = (p: PageRequest, f: { labelVi: string; labelEn: string }) => (p.lang === 'vi' ? f.labelVi : f.labelEn);
const hint = (p: PageRequest, f: { hintVi?: string | undefined; hintEn?: string | undefined }) => (p.lang === 'vi' ? f.hintVi : f.hintEn);

export type Values = Record<string, string | string[]>;

/** "… (nếu có)" for a question that may be left empty, unless its label already says so. */
export function optionalLabel(p: PageRequest, text: string): string {
  return /\((nếu có|if |optional)/i.test(text) ? text : `${text} ${p.t('intake.optional')}`;
}

/** One question as a form field; the label says when it may be left empty. */
export function Question({ p, field: f, values, errors }: { p: PageRequest; field: FormField; values: Values; errors: FieldErrors }) {
  const name = answerName(f.key);
  const value = values[name];
  const text = typeof value === 'string' ? value : '';
  const common = { name, label: f.required ? label(p, f) : optionalLabel(p, label(p, f)), error: errors[name] };
  switch (f.type) {
    case 'text':
      return f.multiline ? (
        <TextArea {...common} hint={hint(p, f)} value={text} maxLength={f.maxLength} />
      ) : (
        <TextField {...common} hint={hint(p, f)} value={text} maxLength={f.maxLength} />
      );
    case 'date':
      return <TextField {...common} type="date" hint={hint(p, f)} value={text} />;
    case 'choice':
      return <Choices name={name} legend={common.label} hint={hint(p, f)} error={common.error} multiple={f.multiple} value={value} options={f.options.map((o) => ({ value: o.value, label: label(p, o) }))} />;
    case 'number': {
      const unit = p.lang === 'vi' ? f.unitVi : f.unitEn;
      return <TextField {...common} hint={hint(p, f) ?? (unit ? p.t('intake.number_unit', { unit }) : undefined)} value={text} inputMode="numeric" short />;
    }
    case 'phone':
      return <TextField {...common} type="tel" hint={hint(p, f)} value={text} autocomplete="off" short />;
    case 'id_number':
      return <TextField {...common} hint={hint(p, f) ?? p.t('intake.id_number_hint')} value={text} inputMode="numeric" maxLength={12} short />;
    case 'address':
      return <TextField {...common} hint={hint(p, f) ?? p.t('intake.address_hint')} value={text} maxLength={300} />;
    case 'document':
      return null;
  }
}


export const PHONE = /^(\+?84|0)\d{9,10}$/;
export const ID_NUMBER = /^\d{12}$/;
/** People type phone and ID numbers with spaces or dots; the digits are what count. */
export const compactNumber = (s: string) => s.replace(/[\s.-]/g, '');

/** Small numbers (years, counts) as typed; large ones with Vietnamese thousands separators. */
const shown = (n: number): string | number => (Math.abs(n) < 10_000 ? String(n) : n);

const one = (v: FormBody[string] | undefined): string => (typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '');
const many = (v: FormBody[string] | undefined): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v : []);

/** Reads and checks the answers; `values` are what to show again, `answers` what to store. */
export function readAnswers(p: PageRequest, form: FormField[], body: FormBody, today = localDateOf(new Date())) {
  const t = p.t;
  const values: Values = {};
  const answers: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const f of questionsOf(form)) {
    const name = answerName(f.key);
    if (f.type === 'choice') {
      const allowed = new Set(f.options.map((o) => o.value));
      const picked = many(body[name]).filter((v) => v !== '');
      values[name] = f.multiple ? picked : (picked[0] ?? '');
      if (!picked.length) {
        if (f.required) errors[name] = t('intake.error.choose_field', { field: label(p, f) });
      } else if (!picked.every((v) => allowed.has(v)) || (!f.multiple && picked.length > 1)) errors[name] = t('intake.error.choose_field', { field: label(p, f) });
      else answers[f.key] = f.multiple ? picked : picked[0];
      continue;
    }
    const raw = one(body[name]).normalize('NFC').trim();
    values[name] = raw;
    if (!raw) {
      if (f.required) errors[name] = t('intake.error.required_field', { field: label(p, f) });
      continue;
    }
    switch (f.type) {
      case 'text':
        if (raw.length > f.maxLength) errors[name] = t('intake.error.too_long', { max: f.maxLength });
        else if (f.minLength && raw.length < f.minLength) errors[name] = t('intake.error.too_short', { min: f.minLength });
        else answers[f.key] = raw;
        break;
      case 'address':
        if (raw.length > 300) errors[name] = t('intake.error.too_long', { max: 300 });
        else answers[f.key] = raw;
        break;
      case 'date':
        if (!isLocalDate(raw)) errors[name] = t('intake.error.date');
        else if (f.notInFuture && raw > today) errors[name] = t('intake.error.date_future');
        else answers[f.key] = raw;
        break;
      case 'number': {
        const n = Number(raw.replace(/\./g, '').replace(',', '.'));
        const min = f.min ?? Number.MIN_SAFE_INTEGER;
        const max = f.max ?? Number.MAX_SAFE_INTEGER;
        if (!Number.isFinite(n) || (f.integer && !Number.isInteger(n)) || n < min || n > max)
          errors[name] = f.min !== undefined && f.max !== undefined ? t('intake.error.number_range', { min: shown(f.min), max: shown(f.max) }) : t('intake.error.number');
        else answers[f.key] = n;
        break;
      }
      case 'phone':
        if (!PHONE.test(compactNumber(raw))) errors[name] = t('intake.error.phone');
        else answers[f.key] = compactNumber(raw);
        break;
      case 'id_number':
        if (!ID_NUMBER.test(compactNumber(raw))) errors[name] = t('intake.error.id_number');
        else answers[f.key] = compactNumber(raw);
        break;
    }
  }
  return { values, answers, errors };
}
