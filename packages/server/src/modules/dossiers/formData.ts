/**
 * A dossier's form data as the apply flow writes it: answers by question key, with the
 * personal ones (ID numbers, phones, dates of birth) sealed together under `_sealed` so a
 * database dump does not show them. Officers read it opened, through `openFormData`, in
 * reads that are audited.
 */
import { isPersonalField, type AddressAnswer, type Answers, type FormFieldDef } from '@causo/domain';
import type { Vault } from '../../security/vault.ts';
import { addressText } from './addressPicker.ts';

/** Key inside a dossier's form data that holds its personal answers, sealed. */
export const SEALED_FORM_KEY = '_sealed';

/**
 * The dossier's form data: answers by question key, personal ones sealed under `_sealed`,
 * addresses with their text, papers by file name. The "where to submit" question is the
 * dossier's unit, not form data.
 */
export function dossierFormData(ctx: { vault: Vault }, questions: FormFieldDef[], answers: Answers): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const personal: Record<string, unknown> = {};
  for (const q of questions) {
    if (q.key.startsWith('_')) continue;
    const v = answers[q.key];
    if (v === undefined || v === null) continue;
    const value = q.type === 'address' ? { ...(v as AddressAnswer), text: addressText(v as AddressAnswer) } : v;
    (isPersonalField(q) ? personal : data)[q.key] = value;
  }
  if (Object.keys(personal).length) data[SEALED_FORM_KEY] = ctx.vault.seal(personal);
  return data;
}

/** Form data as an officer reads it: the sealed part opened (callers audit the read). */
export function openFormData(ctx: { vault: Vault }, formData: Record<string, unknown>): Record<string, unknown> {
  const sealed = formData[SEALED_FORM_KEY];
  if (typeof sealed !== 'string') return formData;
  const { [SEALED_FORM_KEY]: _drop, ...rest } = formData;
  return { ...rest, ...ctx.vault.open<Record<string, unknown>>(sealed) };
}
