/**
 * The citizen form runner: one question per page, generated from a procedure's form
 * definition. Pure rules shared by the portal and the field app: which questions a form asks
 * and in what order, whether one answer is acceptable (errors are catalogue keys such as
 * `apply.error.date_future`, so every language words them its own way), what comes next, and
 * whether everything required has been answered.
 *
 * Answers are stored as plain JSON values. A question the citizen has not reached yet has no
 * entry (`undefined`); an optional question they passed over is stored as `null`, so
 * "resume" can tell "skipped" from "not seen yet".
 */
import { isLocalDate, type LocalDate } from './localTime.ts';
import { normalizeText } from './text.ts';
import { checkCccd, cleanCccd } from './cccd.ts';

// ---- the form definition (same shape as the procedure catalogue's zod schemas) -------------

interface FieldBase {
  key: string;
  labelVi: string;
  labelEn: string;
  required: boolean;
  hintVi?: string | undefined;
  hintEn?: string | undefined;
}

export interface TextFieldDef extends FieldBase {
  type: 'text';
  maxLength: number;
  minLength?: number | undefined;
  multiline?: boolean | undefined;
}
export interface DateFieldDef extends FieldBase {
  type: 'date';
  notInFuture?: boolean | undefined;
}
export interface ChoiceFieldDef extends FieldBase {
  type: 'choice';
  options: { value: string; labelVi: string; labelEn: string }[];
  multiple?: boolean | undefined;
}
export type AddressDepth = 'province' | 'district' | 'commune' | 'village';
export interface AddressFieldDef extends FieldBase {
  type: 'address';
  depth: AddressDepth;
}
export interface DocumentFieldDef extends FieldBase {
  type: 'document';
  accept: ('image/jpeg' | 'image/png' | 'application/pdf')[];
  maxSizeMb?: number | undefined;
}
export interface NumberFieldDef extends FieldBase {
  type: 'number';
  integer?: boolean | undefined;
  min?: number | undefined;
  max?: number | undefined;
  unitVi?: string | undefined;
  unitEn?: string | undefined;
}
export interface PhoneFieldDef extends FieldBase {
  type: 'phone';
}
export interface IdNumberFieldDef extends FieldBase {
  type: 'id_number';
}

export type FormFieldDef = TextFieldDef | DateFieldDef | ChoiceFieldDef | AddressFieldDef | DocumentFieldDef | NumberFieldDef | PhoneFieldDef | IdNumberFieldDef;

// ---- answers --------------------------------------------------------------------------------

/** One picked administrative unit, province first. */
export interface PickedUnit {
  code: string;
  name: string;
  level: AddressDepth;
}

/**
 * An address picked level by level. `complete` is set by whoever knows the unit tree: the
 * wanted depth was reached, or the last unit has nothing finer (a commune with no villages).
 */
export interface AddressAnswer {
  units: PickedUnit[];
  complete: boolean;
}

/** text, phone, id_number: string; date: YYYY-MM-DD; choice: string or string[]; number; address; document: file names. */
export type AnswerValue = string | string[] | number | AddressAnswer | null;
export type Answers = Record<string, AnswerValue | undefined>;

/** What a page sends for one question. Dates come as three boxes, like the paper forms. */
export type RawAnswer = string | string[] | { day?: string; month?: string; year?: string } | AddressAnswer | undefined;

export interface AnswerError {
  /** A catalogue key, e.g. `apply.error.date_future`. */
  key: string;
  params?: Record<string, string | number>;
}

export type AnswerCheck = { ok: true; value: AnswerValue } | { ok: false; error: AnswerError };

// ---- the questions --------------------------------------------------------------------------

/**
 * The question added to a form that has no address: which commune should receive the dossier.
 * Form keys are camelCase letters, so a key starting with "_" can never clash with one.
 */
export const SUBMIT_TO_KEY = '_submitTo';
export const SUBMIT_TO_QUESTION: AddressFieldDef = {
  key: SUBMIT_TO_KEY,
  type: 'address',
  depth: 'commune',
  required: true,
  labelVi: 'Bạn nộp hồ sơ cho xã, phường nào?',
  labelEn: 'Which commune or ward should receive your application?',
  hintVi: 'Thường là nơi bạn đang sống.',
  hintEn: 'Usually where you live.',
};

/** The pages of a form, in order: its own fields, after a "where to submit" question when it asks no address. */
export function questionsOf(form: readonly FormFieldDef[]): FormFieldDef[] {
  if (form.some((f) => f.type === 'address')) return [...form];
  return [SUBMIT_TO_QUESTION, ...form];
}

/** The address whose commune receives the dossier: the form's first address, or the added question. */
export function receivingAddressKey(questions: readonly FormFieldDef[]): string {
  return questions.find((q) => q.type === 'address')?.key ?? SUBMIT_TO_KEY;
}

/**
 * Answers kept sealed at rest (DESIGN.md "Personal data"): ID numbers, phone numbers and
 * dates of birth. Other answers are stored as they are.
 */
export function isPersonalField(field: FormFieldDef): boolean {
  return field.type === 'id_number' || field.type === 'phone' || (field.type === 'date' && /birthdate$/i.test(field.key));
}

export function questionIndex(questions: readonly FormFieldDef[], key: string): number {
  return questions.findIndex((q) => q.key === key);
}

/** The page after `key`, or null when the next page is "check your answers". */
export function nextQuestion(questions: readonly FormFieldDef[], key: string): FormFieldDef | null {
  const i = questionIndex(questions, key);
  if (i < 0) return null;
  return questions[i + 1] ?? null;
}

/** The page before `key`, or null for the first question. */
export function previousQuestion(questions: readonly FormFieldDef[], key: string): FormFieldDef | null {
  const i = questionIndex(questions, key);
  return i > 0 ? (questions[i - 1] ?? null) : null;
}

// ---- checking one answer --------------------------------------------------------------------

const fail = (key: string, params?: Record<string, string | number>): AnswerCheck => ({ ok: false, error: params ? { key, params } : { key } });
const accept = (value: AnswerValue): AnswerCheck => ({ ok: true, value });

function isBlank(raw: RawAnswer): boolean {
  if (raw === undefined) return true;
  if (typeof raw === 'string') return raw.trim() === '';
  if (Array.isArray(raw)) return raw.every((v) => v.trim() === '');
  if ('units' in raw) return raw.units.length === 0;
  return [raw.day, raw.month, raw.year].every((v) => (v ?? '').trim() === '');
}

const single = (raw: RawAnswer): string => (typeof raw === 'string' ? raw : Array.isArray(raw) ? (raw[0] ?? '') : '');

function checkText(f: TextFieldDef, raw: RawAnswer): AnswerCheck {
  // Line breaks matter in a long answer; elsewhere whitespace is tidied like any stored text.
  const text = f.multiline ? single(raw).normalize('NFC').trim().replace(/\r\n?/g, '\n') : normalizeText(single(raw));
  if ([...text].length > f.maxLength) return fail('apply.error.text_too_long', { max: f.maxLength });
  if (f.minLength !== undefined && [...text].length < f.minLength) return fail('apply.error.text_too_short', { min: f.minLength });
  return accept(text);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A date typed as day, month and year; `today` is the local date in Viet Nam. */
export function checkDate(f: Pick<DateFieldDef, 'notInFuture'>, raw: RawAnswer, today: LocalDate): AnswerCheck {
  let parts: { day: string; month: string; year: string };
  if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw.trim())) {
    const [year = '', month = '', day = ''] = raw.trim().split('-');
    parts = { day, month, year };
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw) && !('units' in raw)) {
    parts = { day: (raw.day ?? '').trim(), month: (raw.month ?? '').trim(), year: (raw.year ?? '').trim() };
  } else return fail('apply.error.date_invalid');
  if (!parts.day || !parts.month || !parts.year) return fail('apply.error.date_incomplete');
  if (![parts.day, parts.month, parts.year].every((p) => /^\d+$/.test(p))) return fail('apply.error.date_invalid');
  if (parts.year.length !== 4) return fail('apply.error.date_year_four_digits');
  const iso = `${parts.year}-${pad2(Number(parts.month))}-${pad2(Number(parts.day))}`;
  if (!isLocalDate(iso)) return fail('apply.error.date_invalid');
  if (iso < '1900-01-01') return fail('apply.error.date_too_old');
  if (f.notInFuture && iso > today) return fail('apply.error.date_future');
  return accept(iso);
}

function checkChoice(f: ChoiceFieldDef, raw: RawAnswer): AnswerCheck {
  const allowed = new Set(f.options.map((o) => o.value));
  const picked = (Array.isArray(raw) ? raw : [single(raw)]).map((v) => v.trim()).filter((v) => v !== '');
  if (!picked.every((v) => allowed.has(v))) return fail('apply.error.choice_invalid');
  if (!f.multiple) {
    if (picked.length !== 1) return fail('apply.error.choice_one');
    return accept(picked[0] ?? '');
  }
  // Keep the order of the options, not of the request, and each value once.
  return accept(f.options.map((o) => o.value).filter((v) => picked.includes(v)));
}

/** Numbers as people write them here: "1.500" is fifteen hundred, "2,5" is two and a half. */
export function parseLocalNumber(text: string): number | null {
  const t = text.trim().replace(/\s/g, '');
  if (!/^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+(,\d+)?$|^-?\d+\.\d{1,2}$/.test(t)) return null;
  // A single dot followed by one or two digits is a decimal point typed on an English keyboard.
  if (/^-?\d+\.\d{1,2}$/.test(t)) return Number(t);
  return Number(t.replace(/\./g, '').replace(',', '.'));
}

function numberProblem(f: NumberFieldDef, n: number): AnswerCheck | null {
  if (!Number.isFinite(n)) return fail('apply.error.number_invalid');
  if (f.integer && !Number.isInteger(n)) return fail('apply.error.number_whole');
  if (f.min !== undefined && n < f.min) return fail('apply.error.number_min', { min: f.min });
  if (f.max !== undefined && n > f.max) return fail('apply.error.number_max', { max: f.max });
  return null;
}

const numberFits = (f: NumberFieldDef, n: number): boolean => numberProblem(f, n) === null;

function checkNumber(f: NumberFieldDef, raw: RawAnswer): AnswerCheck {
  const n = parseLocalNumber(single(raw));
  if (n === null) return fail('apply.error.number_invalid');
  return numberProblem(f, n) ?? accept(n);
}

/** Vietnamese mobile numbers: 10 digits starting with 0 (or +84 / 84 and 9 digits). */
export function normaliseMobile(text: string): string | null {
  let d = text.replace(/[\s.()-]/g, '');
  if (d.startsWith('+84')) d = `0${d.slice(3)}`;
  else if (d.startsWith('84') && d.length === 11) d = `0${d.slice(2)}`;
  return /^0[35789]\d{8}$/.test(d) ? d : null;
}

function checkPhone(raw: RawAnswer): AnswerCheck {
  const phone = normaliseMobile(single(raw));
  return phone ? accept(phone) : fail('apply.error.phone_invalid');
}

/** A CCCD number (12 digits) of any person named in the form; its birth year cannot be cross-checked here. */
function checkIdNumber(raw: RawAnswer): AnswerCheck {
  const digits = cleanCccd(single(raw));
  if (!/^\d+$/.test(digits)) return fail('apply.error.id_number_digits');
  if (digits.length !== 12) return fail('apply.error.id_number_length');
  const check = checkCccd(digits);
  if (!check.ok) return fail('apply.error.id_number_province');
  return accept(digits);
}

function checkAddress(raw: RawAnswer): AnswerCheck {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !('units' in raw)) return fail('apply.error.address_incomplete');
  if (!raw.complete) return fail('apply.error.address_incomplete');
  return accept({ units: raw.units.map((u) => ({ code: u.code, name: u.name, level: u.level })), complete: true });
}

/** Documents are uploaded one by one; the answer is the list of file names already there. */
function checkDocument(raw: RawAnswer): AnswerCheck {
  const names = (Array.isArray(raw) ? raw : []).filter((n) => n !== '');
  return names.length ? accept(names) : fail('apply.error.document_required');
}

/**
 * Checks what the citizen sent for one question. A blank answer to an optional question is
 * accepted as `null` (skipped); to a required one it is an error saying what is missing.
 */
export function checkAnswer(field: FormFieldDef, raw: RawAnswer, opts: { today: LocalDate }): AnswerCheck {
  if (isBlank(raw)) {
    if (!field.required) return accept(null);
    return fail(REQUIRED_KEY[field.type]);
  }
  switch (field.type) {
    case 'text':
      return checkText(field, raw);
    case 'date':
      return checkDate(field, raw, opts.today);
    case 'choice':
      return checkChoice(field, raw);
    case 'number':
      return checkNumber(field, raw);
    case 'phone':
      return checkPhone(raw);
    case 'id_number':
      return checkIdNumber(raw);
    case 'address':
      return checkAddress(raw);
    case 'document':
      return checkDocument(raw);
  }
}

/** Each kind of question says differently what is missing ("choose one", "enter a date"...). */
const REQUIRED_KEY: Record<FormFieldDef['type'], string> = {
  text: 'apply.error.text_required',
  date: 'apply.error.date_required',
  choice: 'apply.error.choice_required',
  number: 'apply.error.number_required',
  phone: 'apply.error.phone_required',
  id_number: 'apply.error.id_number_required',
  address: 'apply.error.address_required',
  document: 'apply.error.document_required',
};

// ---- the whole form -------------------------------------------------------------------------

/** A stored answer still holds (the definition may have changed since it was given). */
export function isAnswered(field: FormFieldDef, answers: Answers, today: LocalDate): boolean {
  const value = answers[field.key];
  if (value === undefined) return false;
  if (value === null) return !field.required;
  if (typeof value === 'number') return field.type === 'number' && numberFits(field, value);
  return checkAnswer(field, value, { today }).ok;
}

/** Required questions without a valid answer, in form order. */
export function missingRequired(questions: readonly FormFieldDef[], answers: Answers, today: LocalDate): FormFieldDef[] {
  return questions.filter((q) => q.required && !isAnswered(q, answers, today));
}

export function isComplete(questions: readonly FormFieldDef[], answers: Answers, today: LocalDate): boolean {
  return missingRequired(questions, answers, today).length === 0;
}

/**
 * Where a returning citizen carries on: the first question not yet answered (or whose
 * answer no longer holds), or null when every page is done and "check your answers" is next.
 */
export function resumePoint(questions: readonly FormFieldDef[], answers: Answers, today: LocalDate): FormFieldDef | null {
  return questions.find((q) => !isAnswered(q, answers, today)) ?? null;
}

/** How far along: questions answered out of all, for "question 3 of 12". */
export function progressOf(questions: readonly FormFieldDef[], answers: Answers, today: LocalDate): { answered: number; total: number } {
  return { answered: questions.filter((q) => isAnswered(q, answers, today)).length, total: questions.length };
}
