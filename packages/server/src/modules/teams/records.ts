/**
 * How household and resident records are stored (households / residents tables) and handed to
 * phones. Non-personal fields live in `data` (jsonb); a resident's ID number, phones and date of
 * birth are sealed in `personal_sealed` and found by keyed hash only. Used by the sync
 * protocol, the demo seed and the office pages, so all three agree on the shape.
 */
import {
  foldDiacritics,
  PERSONAL_RESIDENT_FIELDS,
  type HouseholdFields,
  type ResidentFields,
} from '@causo/domain';
import type { Insertable, Selectable } from 'kysely';
import type { Vault } from '../../security/vault.ts';
import type { FieldMeta, HouseholdsTable, ResidentsTable } from './schema.ts';

export interface PersonalFields {
  idNumber: string | null;
  phones: string[];
  birthDate: string | null;
}
export type ResidentData = Omit<ResidentFields, (typeof PERSONAL_RESIDENT_FIELDS)[number]>;

export function splitResident(r: ResidentFields): { data: ResidentData; personal: PersonalFields } {
  const { idNumber, phones, birthDate, ...data } = r;
  return { data, personal: { idNumber, phones, birthDate } };
}

export function householdSearch(h: Pick<HouseholdFields, 'headName' | 'address'>): string {
  return foldDiacritics(`${h.headName} ${h.address}`);
}

/** Field metadata for a record created at `at` (every field at version 1). */
export function freshMeta(fields: readonly string[], at: Date, envelopeId: string | null, deviceId: string | null): FieldMeta {
  const meta: FieldMeta = {};
  for (const f of fields) meta[f] = { v: 1, at: at.toISOString(), env: envelopeId, dev: deviceId };
  return meta;
}

export interface NewRecordMeta {
  at: Date;
  receivedAt: Date;
  createdBy: number | null;
  envelopeId: string | null;
  deviceId: string | null;
}

export function householdInsert(id: string, unitId: number, h: HouseholdFields, m: NewRecordMeta): Insertable<HouseholdsTable> {
  return {
    id,
    unit_id: unitId,
    version: 1,
    data: JSON.stringify(h),
    field_meta: JSON.stringify(freshMeta(Object.keys(h), m.at, m.envelopeId, m.deviceId)),
    search: householdSearch(h),
    created_by: m.createdBy,
    created_at: m.receivedAt,
    updated_at: m.receivedAt,
  };
}

export function residentHashes(vault: Vault, p: PersonalFields): { id_hash: string | null; phone_hashes: string[] } {
  return { id_hash: p.idNumber ? vault.lookupHash('id', p.idNumber) : null, phone_hashes: p.phones.map((x) => vault.lookupHash('phone', x)) };
}

export function residentInsert(vault: Vault, id: string, unitId: number, r: ResidentFields, m: NewRecordMeta): Insertable<ResidentsTable> {
  const { data, personal } = splitResident(r);
  return {
    id,
    household_id: r.householdId,
    unit_id: unitId,
    version: 1,
    data: JSON.stringify(data),
    personal_sealed: vault.seal(personal),
    ...residentHashes(vault, personal),
    field_meta: JSON.stringify(freshMeta(Object.keys(r), m.at, m.envelopeId, m.deviceId)),
    search: foldDiacritics(r.fullName),
    created_by: m.createdBy,
    created_at: m.receivedAt,
    updated_at: m.receivedAt,
  };
}

/** The whole resident, personal fields opened (for a phone of the village's team, or an audited view). */
export function residentFieldsOf(vault: Vault, row: Pick<Selectable<ResidentsTable>, 'data' | 'personal_sealed'>): ResidentFields {
  const personal = vault.open<PersonalFields>(row.personal_sealed);
  return { ...(row.data as unknown as ResidentData), ...personal };
}

export function householdFieldsOf(row: Pick<Selectable<HouseholdsTable>, 'data'>): HouseholdFields {
  return row.data as unknown as HouseholdFields;
}
