/**
 * Personal fields of residents (ID number, phones, date of birth) never reach IndexedDB in the
 * clear: records and outbox envelopes keep them in one AES-GCM sealed string, opened only when
 * a screen or the sync needs them (the household list never does). An assisted application's
 * answers and the resident's consent are sealed whole: a form asks for phones and ID numbers.
 */
import { PERSONAL_RESIDENT_FIELDS } from '@causo/domain/sync';
import { seal, unseal } from '../crypto/seal.ts';
import type { RecordData } from '../sync/localRecords.ts';

export type Personal = Record<string, unknown>;

/** Fields sealed for each kind of record. */
const SEALED_FIELDS: Record<string, readonly string[]> = { resident: PERSONAL_RESIDENT_FIELDS, application: ['answers', 'consent'] };

/** The record without its personal fields, and those fields (null when it has none). */
export function splitPersonal(data: RecordData, entity = 'resident'): { plain: RecordData; personal: Personal | null } {
  const plain: RecordData = { ...data };
  const personal: Personal = {};
  let found = false;
  for (const k of SEALED_FIELDS[entity] ?? [])
    if (k in plain) {
      personal[k] = plain[k];
      delete plain[k];
      found = true;
    }
  return { plain, personal: found ? personal : null };
}

export interface SealedParts {
  data: Personal | null;
  server: Personal | null;
}

export async function sealParts(key: CryptoKey, parts: SealedParts): Promise<string | null> {
  if (!parts.data && !parts.server) return null;
  return seal(key, parts);
}

export async function unsealParts(key: CryptoKey, sealed: string | null): Promise<SealedParts> {
  if (!sealed) return { data: null, server: null };
  const v = (await unseal(key, sealed)) as Partial<SealedParts> | null;
  return { data: v?.data ?? null, server: v?.server ?? null };
}
