/**
 * Households and residents: created once, then edited field by field (merge.ts). A stale edit
 * of a field someone else changed is kept as a conflict with both values; the record's version
 * goes up only when a stored value changes.
 */
import { foldDiacritics, type HouseholdFields, type ResidentFields } from '@causo/domain';
import { householdInsert, householdSearch, residentFieldsOf, residentHashes, residentInsert, splitResident } from '../../teams/records.ts';
import type { FieldMeta } from '../../teams/schema.ts';
import { mergeEdit, type FieldConflict } from '../merge.ts';
import { Rejection, flushEnvelopes, householdUnit, noteChange, villageByCode, villageById, type Applied, type ApplyContext } from './context.ts';
import { linkPortalBlockers } from './portalBlockers.ts';

export interface EditEnvelope<P> {
  id: string;
  deviceId: string;
  memberId: number;
  entityId: string;
  op: 'create' | 'update';
  baseVersion: number | null;
  occurredAt: string;
  payload: P;
}

/**
 * The device time an edit competes with: a phone whose clock runs ahead must not win every
 * conflict for months, so a time later than the server's (plus a few minutes of drift) counts
 * as the moment the server received it.
 */
export function competingTime(occurredAt: string, receivedAt: Date): string {
  const limit = receivedAt.getTime() + 5 * 60_000;
  return Date.parse(occurredAt) > limit ? receivedAt.toISOString() : new Date(Date.parse(occurredAt)).toISOString();
}

const meta = (a: ApplyContext, e: EditEnvelope<unknown>) => ({ at: new Date(competingTime(e.occurredAt, a.receivedAt)), receivedAt: a.receivedAt, createdBy: e.memberId, envelopeId: e.id, deviceId: e.deviceId });

async function storeConflicts(a: ApplyContext, e: EditEnvelope<unknown>, entity: 'household' | 'resident', unitId: number, conflicts: FieldConflict[]): Promise<number[]> {
  if (conflicts.length === 0) return [];
  await flushEnvelopes(a);
  const previousWriters = await a.trx
    .selectFrom('sync_envelopes')
    .select(['id', 'member_id'])
    .where('id', 'in', conflicts.map((c) => (c.incomingWon ? c.otherEnvelope : c.keptEnvelope)).filter((x): x is string => x !== null).concat(['00000000-0000-0000-0000-000000000000']))
    .execute();
  const writerOf = new Map(previousWriters.map((r) => [r.id, r.member_id]));
  const rows = await a.trx
    .insertInto('sync_conflicts')
    .values(
      conflicts.map((c) => ({
        unit_id: unitId,
        entity,
        entity_id: e.entityId,
        field: c.field,
        values_sealed: a.ctx.vault.seal({ kept: c.kept, other: c.other }),
        envelope_id: e.id,
        member_id: e.memberId,
        incoming_won: c.incomingWon,
        kept_at: c.keptAt,
        kept_envelope: c.keptEnvelope,
        other_at: c.otherAt,
        other_envelope: c.otherEnvelope,
        other_member_id: c.incomingWon ? (c.otherEnvelope ? (writerOf.get(c.otherEnvelope) ?? null) : null) : e.memberId,
        created_at: a.receivedAt,
      })),
    )
    .returning('id')
    .execute();
  for (const r of rows) await noteChange(a, unitId, 'conflict', r.id);
  return rows.map((r) => r.id);
}

export async function applyHousehold(a: ApplyContext, e: EditEnvelope<Partial<HouseholdFields>>): Promise<Applied> {
  if (e.op === 'create') {
    const h = e.payload as HouseholdFields;
    const village = villageByCode(a, h.villageCode);
    if (a.batch?.households.has(e.entityId) || (await a.trx.selectFrom('households').select('id').where('id', '=', e.entityId).executeTakeFirst())) throw new Rejection('sync.id_reused', `household ${e.entityId} exists already`);
    await a.trx.insertInto('households').values(householdInsert(e.entityId, village.id, h, meta(a, e))).execute();
    a.batch?.households.set(e.entityId, village.id);
    await noteChange(a, village.id, 'household', e.entityId);
    return { version: 1, conflictIds: [] };
  }
  const row = await a.trx.selectFrom('households').selectAll().where('id', '=', e.entityId).forNoKeyUpdate().executeTakeFirst();
  if (!row) throw new Rejection('sync.not_found', `no household ${e.entityId}`);
  villageById(a, row.unit_id);
  const current = row.data as unknown as HouseholdFields;
  const m = mergeEdit(current as unknown as Record<string, unknown>, row.field_meta as unknown as FieldMeta, { envelopeId: e.id, deviceId: e.deviceId, memberId: e.memberId, baseVersion: e.baseVersion ?? 1, occurredAt: competingTime(e.occurredAt, a.receivedAt), patch: e.payload }, row.version + 1);
  const changed = Object.keys(m.changed).length > 0;
  const next = { ...current, ...m.changed } as HouseholdFields;
  const unitId = changed && next.villageCode !== current.villageCode ? villageByCode(a, next.villageCode).id : row.unit_id;
  const version = changed ? row.version + 1 : row.version;
  if (changed) {
    await a.trx
      .updateTable('households')
      .set({ data: JSON.stringify(next), field_meta: JSON.stringify(m.meta), search: householdSearch(next), version, unit_id: unitId, updated_at: a.receivedAt })
      .where('id', '=', e.entityId)
      .execute();
    a.batch?.households.set(e.entityId, unitId);
    if (unitId !== row.unit_id) {
      // The household moved village: its residents go with it, and the old village's phones learn of the move.
      await a.trx.updateTable('residents').set({ unit_id: unitId }).where('household_id', '=', e.entityId).execute();
      await noteChange(a, row.unit_id, 'household', e.entityId);
    }
    await noteChange(a, unitId, 'household', e.entityId);
  }
  return { version, conflictIds: await storeConflicts(a, e, 'household', unitId, m.conflicts) };
}

export async function applyResident(a: ApplyContext, e: EditEnvelope<Partial<ResidentFields>>): Promise<Applied> {
  const vault = a.ctx.vault;
  if (e.op === 'create') {
    const r = e.payload as ResidentFields;
    const unitId = await householdUnit(a, r.householdId);
    if (a.batch?.residents.has(e.entityId) || (await a.trx.selectFrom('residents').select('id').where('id', '=', e.entityId).executeTakeFirst())) throw new Rejection('sync.id_reused', `resident ${e.entityId} exists already`);
    const values = residentInsert(vault, e.entityId, unitId, r, meta(a, e));
    await a.trx.insertInto('residents').values(values).execute();
    a.batch?.residents.set(e.entityId, r.householdId);
    await noteChange(a, unitId, 'resident', e.entityId);
    // The household's member count (pulled with it) changed: phones fetch the household again.
    await noteChange(a, unitId, 'household', r.householdId);
    await linkPortalBlockers(a, { residentId: e.entityId, householdId: r.householdId, unitId, idHash: values.id_hash ?? null, phoneHashes: values.phone_hashes ?? [] });
    return { version: 1, conflictIds: [] };
  }
  const row = await a.trx.selectFrom('residents').selectAll().where('id', '=', e.entityId).forNoKeyUpdate().executeTakeFirst();
  if (!row) throw new Rejection('sync.not_found', `no resident ${e.entityId}`);
  villageById(a, row.unit_id);
  const current = residentFieldsOf(vault, row);
  const m = mergeEdit(current as unknown as Record<string, unknown>, row.field_meta as unknown as FieldMeta, { envelopeId: e.id, deviceId: e.deviceId, memberId: e.memberId, baseVersion: e.baseVersion ?? 1, occurredAt: competingTime(e.occurredAt, a.receivedAt), patch: e.payload }, row.version + 1);
  const changed = Object.keys(m.changed).length > 0;
  const next = { ...current, ...m.changed } as ResidentFields;
  const unitId = changed && next.householdId !== current.householdId ? await householdUnit(a, next.householdId) : row.unit_id;
  const version = changed ? row.version + 1 : row.version;
  if (changed) {
    const { data, personal } = splitResident(next);
    const hashes = residentHashes(vault, personal);
    await a.trx
      .updateTable('residents')
      .set({ household_id: next.householdId, unit_id: unitId, data: JSON.stringify(data), personal_sealed: vault.seal(personal), ...hashes, field_meta: JSON.stringify(m.meta), search: foldDiacritics(next.fullName), version, updated_at: a.receivedAt })
      .where('id', '=', e.entityId)
      .execute();
    if (unitId !== row.unit_id) await noteChange(a, row.unit_id, 'resident', e.entityId);
    await noteChange(a, unitId, 'resident', e.entityId);
    if (next.householdId !== current.householdId) {
      // Moved to another household: both member counts changed.
      await noteChange(a, row.unit_id, 'household', current.householdId);
      await noteChange(a, unitId, 'household', next.householdId);
    }
    await linkPortalBlockers(a, { residentId: e.entityId, householdId: next.householdId, unitId, idHash: hashes.id_hash, phoneHashes: hashes.phone_hashes });
  }
  return { version, conflictIds: await storeConflicts(a, e, 'resident', unitId, m.conflicts) };
}
