/**
 * A citizen whose phone check failed on the portal leaves a blocker without a village. Once a
 * team's register holds a resident with the same ID number or phone, the blocker joins that
 * village, so the team sees it after its next sync.
 */
import { sql } from 'kysely';
import type { Trx } from '../../../db/database.ts';
import { recordChange } from '../changes.ts';

export interface ResidentKeys {
  residentId: string;
  householdId: string;
  unitId: number;
  idHash: string | null;
  phoneHashes: string[];
}

export async function linkPortalBlockers(a: { trx: Trx; batch: { portalBlockersWaiting: boolean } | null }, r: ResidentKeys): Promise<void> {
  if (!r.idHash && r.phoneHashes.length === 0) return;
  if (a.batch && !a.batch.portalBlockersWaiting) return;
  const linked = await a.trx
    .updateTable('blockers')
    .set({ unit_id: r.unitId, resident_id: r.residentId, household_id: r.householdId })
    .where('unit_id', 'is', null)
    .where('source', '=', 'portal')
    .where((eb) => {
      const ors = [];
      if (r.idHash) ors.push(eb('id_hash', '=', r.idHash));
      if (r.phoneHashes.length > 0) ors.push(eb('phone_hash', 'in', r.phoneHashes));
      return eb.or(ors);
    })
    .returning('id')
    .execute();
  for (const b of linked) await recordChange(a.trx, r.unitId, 'blocker', b.id);
}

/** The other way round: a new portal blocker for someone already in a register. */
export async function linkNewPortalBlocker(trx: Trx, blockerId: number, idHash: string | null, phoneHash: string | null): Promise<void> {
  const resident = await trx
    .selectFrom('residents')
    .select(['id', 'household_id', 'unit_id'])
    .where((eb) => eb.or([...(idHash ? [eb('id_hash', '=', idHash)] : []), ...(phoneHash ? [eb(sql.val(phoneHash), '=', sql<string>`ANY(phone_hashes)`)] : []), eb.val(false)]))
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  if (!resident) return;
  await trx.updateTable('blockers').set({ unit_id: resident.unit_id, resident_id: resident.id, household_id: resident.household_id }).where('id', '=', blockerId).where('unit_id', 'is', null).execute();
  await recordChange(trx, resident.unit_id, 'blocker', blockerId);
}
