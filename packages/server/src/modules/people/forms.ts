/**
 * What a citizen types on the account pages, checked before anything is looked up: the ID
 * number's digits against the date of birth, a real date, a Vietnamese mobile number, a name.
 * Errors are catalogue keys, one per field, so a page can list them all at once.
 */
import { checkBirthDate, checkCccd, cleanCccd, normalizeText, type CccdProblem } from '@causo/domain';
import { normalisePhone } from '../notify/outbox.ts';

export interface SignupDetails {
  idNumber: string;
  fullName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** 0xxxxxxxxx */
  phone: string;
}

export type FieldErrorKeys = Record<string, string>;

/** Mobile numbers: 10 digits, 03/05/07/08/09 (+84 and 84 forms accepted). */
export function parseMobile(input: string): string | null {
  const phone = normalisePhone(input.trim());
  return /^0[35789]\d{8}$/.test(phone) ? phone : null;
}

const CCCD_ERRORS: Record<CccdProblem, string> = {
  'cccd.format': 'account.error.cccd_format',
  'cccd.province_unknown': 'account.error.cccd_province',
  'cccd.century_mismatch': 'account.error.cccd_birth',
  'cccd.birth_year_mismatch': 'account.error.cccd_birth',
};

const NAME = /^[\p{L}\p{M}' .-]+$/u;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `today` is the local date (YYYY-MM-DD) in Asia/Ho_Chi_Minh. */
export function readSignupDetails(body: Record<string, unknown>, today: string): { ok: true; details: SignupDetails } | { ok: false; errors: FieldErrorKeys } {
  const errors: FieldErrorKeys = {};
  const birth = checkBirthDate(str(body.birth_day), str(body.birth_month), str(body.birth_year), today);
  const cccd = checkCccd(str(body.idNumber), birth.ok ? birth.date : undefined);
  if (!str(body.idNumber).trim()) errors.idNumber = 'form.error.required';
  else if (!cccd.ok) errors.idNumber = CCCD_ERRORS[cccd.problems[0] ?? 'cccd.format'];
  const fullName = normalizeText(str(body.fullName));
  if (!fullName) errors.fullName = 'account.error.name_required';
  else if (fullName.length < 2 || fullName.length > 100 || !NAME.test(fullName)) errors.fullName = 'account.error.name_invalid';
  if (!birth.ok) errors.birth_day = `account.error.${birth.problem.replace('birth_date.', 'birth_')}`;
  const phone = parseMobile(str(body.phone));
  if (!str(body.phone).trim()) errors.phone = 'form.error.required';
  else if (!phone) errors.phone = 'account.error.phone_invalid';
  if (Object.keys(errors).length || !birth.ok || !phone) return { ok: false, errors };
  return { ok: true, details: { idNumber: cleanCccd(str(body.idNumber)), fullName, birthDate: birth.date, phone } };
}

export type SignInMethod = 'password' | 'sms';

export function readPasswordChoice(body: Record<string, unknown>): { ok: true; method: SignInMethod; password: string | null } | { ok: false; errors: FieldErrorKeys } {
  const method = str(body.method);
  const password = str(body.password);
  const errors: FieldErrorKeys = {};
  if (method !== 'password' && method !== 'sms') errors.method = 'account.error.method_required';
  if (method === 'password') {
    if ([...password].length < 8) errors.password = 'account.error.password_short';
    else if (password.length > 200) errors.password = 'account.error.password_long';
    else if (password !== str(body.passwordConfirm)) errors.passwordConfirm = 'account.error.password_mismatch';
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, method: method as SignInMethod, password: method === 'password' ? password : null };
}

/** The code as typed: spaces are forgiven, anything but 6 digits is not. */
export function readCode(body: Record<string, unknown>): string | null {
  const code = str(body.code).replace(/\s/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/** `?next=` only to a path on this site, never to another host (open redirects). */
export function safeNext(next: unknown, fallback = '/my'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f\\]/.test(next) || next.length > 500) return fallback;
  return next;
}
