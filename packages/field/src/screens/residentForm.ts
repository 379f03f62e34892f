/** The resident form's rules, without the DOM: from a record to the form's text, checks, and back to protocol fields. */
import { EMPTY_READINESS, READINESS_FIELDS, canonicalJson, type Readiness, type ResidentFields } from '@causo/domain/sync';
import type { MessageKey } from '../i18n/index.ts';

export interface ResidentDraft {
  fullName: string;
  birthYear: string;
  birthDate: string;
  sex: string;
  ethnicity: string;
  idNumber: string;
  phones: string;
  relation: string;
  readiness: Readiness;
}

const s = (v: unknown): string => (typeof v === 'string' ? v : '');

export function residentDraftOf(data: Record<string, unknown> | null): ResidentDraft {
  const d = data ?? {};
  const readiness = { ...EMPTY_READINESS };
  for (const k of READINESS_FIELDS) if (k in d) (readiness as Record<string, unknown>)[k] = d[k];
  return {
    fullName: s(d.fullName),
    birthYear: typeof d.birthYear === 'number' ? String(d.birthYear) : '',
    birthDate: s(d.birthDate),
    sex: s(d.sex),
    ethnicity: s(d.ethnicity),
    idNumber: s(d.idNumber),
    phones: Array.isArray(d.phones) ? (d.phones as string[]).join(', ') : '',
    relation: s(d.relation),
    readiness,
  };
}

const splitPhones = (text: string): string[] =>
  text
    .split(/[,;\n]/)
    .map((p) => p.replace(/[\s.()-]/g, '').replace(/^\+84/, '0'))
    .filter(Boolean);

export function residentErrors(d: ResidentDraft, thisYear: number): Record<string, MessageKey | null> {
  const year = d.birthYear.trim();
  const phones = splitPhones(d.phones);
  return {
    fullName: d.fullName.trim().length < 2 ? 'resident.error_name' : null,
    birthYear: year && (!/^\d{4}$/.test(year) || Number(year) < 1900 || Number(year) > thisYear) ? 'resident.error_year' : null,
    birthDate: d.birthDate && !/^\d{4}-\d{2}-\d{2}$/.test(d.birthDate) ? 'resident.error_date' : null,
    idNumber: d.idNumber.trim() && !/^\d{12}$/.test(d.idNumber.trim()) ? 'resident.error_id' : null,
    phones: phones.length > 3 || phones.some((p) => !/^0\d{9}$/.test(p)) ? 'resident.error_phone' : null,
  };
}

export function residentFieldsOf(d: ResidentDraft, householdId: string): ResidentFields {
  const birthDate = d.birthDate || null;
  const year = d.birthYear.trim() ? Number(d.birthYear.trim()) : birthDate ? Number(birthDate.slice(0, 4)) : null;
  return {
    householdId,
    fullName: d.fullName.trim().normalize('NFC'),
    birthYear: year,
    birthDate,
    sex: d.sex === 'male' || d.sex === 'female' ? d.sex : null,
    ethnicity: d.ethnicity.trim().normalize('NFC'),
    idNumber: d.idNumber.trim() || null,
    phones: splitPhones(d.phones),
    relation: d.relation.trim().normalize('NFC'),
    ...d.readiness,
  };
}

/** The fields whose value differs from the record: an update carries only those. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) if (canonicalJson(before[k] ?? null) !== canonicalJson(v ?? null)) out[k] = v;
  return out;
}
