/**
 * Visits, blockers, follow-ups and their closing records: appended once, never edited, so two
 * phones can never conflict over them. Closing an already closed blocker or follow-up is
 * accepted and changes nothing.
 */
import type { BlockerReason, FileRef, VisitAction } from '@causo/domain';
import { UUID } from '@causo/domain';
import { teamMembers } from '../../teams/members.ts';
import { Rejection, householdUnit, noteChange, residentHousehold, villageById, type Applied, type ApplyContext } from './context.ts';

interface Appended<P> {
  id: string;
  memberId: number;
  entityId: string;
  occurredAt: string;
  payload: P;
}

async function householdIn(a: ApplyContext, householdId: string, residentId: string | null): Promise<number> {
  const unitId = await householdUnit(a, householdId);
  if (residentId && (await residentHousehold(a, residentId)) !== householdId) throw new Rejection('sync.not_found', `no resident ${residentId} in household ${householdId}`);
  return unitId;
}

export async function requireFile(a: ApplyContext, f: FileRef | null): Promise<void> {
  if (!f) return;
  const found = await a.trx.selectFrom('field_files').select('sha256').where('sha256', '=', f.sha256).executeTakeFirst();
  if (!found) throw new Rejection('sync.file_missing', `photo ${f.sha256} not uploaded yet`, true);
}

/** An appended record arrives once; its id again under another envelope is refused. */
const once = async (a: ApplyContext, table: 'visits' | 'follow_ups', id: string) => {
  const exists = a.batch ? a.batch.existing.has(id) : (await a.trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  if (exists) throw new Rejection('sync.id_reused', `${table} ${id} exists already`);
  a.batch?.existing.add(id);
};

export async function applyVisit(a: ApplyContext, e: Appended<{ residentId: string | null; householdId: string; actions: VisitAction[]; notes: string; photo: FileRef | null }>): Promise<Applied> {
  const p = e.payload;
  const unitId = await householdIn(a, p.householdId, p.residentId);
  await requireFile(a, p.photo);
  await once(a, 'visits', e.entityId);
  const visit = { id: e.entityId, unit_id: unitId, household_id: p.householdId, resident_id: p.residentId, member_id: e.memberId, actions: [...new Set(p.actions)], notes: p.notes, photo_sha256: p.photo?.sha256 ?? null, occurred_at: e.occurredAt, received_at: a.receivedAt };
  if (a.batch) a.batch.visits.push(visit);
  else await a.trx.insertInto('visits').values(visit).execute();
  await noteChange(a, unitId, 'visit', e.entityId);
  return { version: 1, conflictIds: [] };
}

export async function applyBlocker(a: ApplyContext, e: Appended<{ residentId: string | null; householdId: string; reason: BlockerReason; note: string }>): Promise<Applied> {
  const p = e.payload;
  const unitId = await householdIn(a, p.householdId, p.residentId);
  const seen = a.batch ? a.batch.existing.has(e.entityId) : (await a.trx.selectFrom('blockers').select('id').where('client_id', '=', e.entityId).executeTakeFirst()) !== undefined;
  if (seen) throw new Rejection('sync.id_reused', `blocker ${e.entityId} exists already`);
  a.batch?.existing.add(e.entityId);
  const name = p.residentId ? await a.trx.selectFrom('residents').select(['data']).where('id', '=', p.residentId).executeTakeFirst() : null;
  const { id } = await a.trx
    .insertInto('blockers')
    .values({
      client_id: e.entityId,
      id_hash: null,
      phone_hash: null,
      person_sealed: a.ctx.vault.seal({ fullName: (name?.data as { fullName?: string } | undefined)?.fullName ?? null }),
      kind: p.reason,
      source: 'field',
      note: p.note,
      unit_id: unitId,
      household_id: p.householdId,
      resident_id: p.residentId,
      created_by: e.memberId,
      created_at: e.occurredAt,
      last_seen_at: e.occurredAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await noteChange(a, unitId, 'blocker', id);
  return { version: 1, conflictIds: [] };
}

/** A blocker is named by its phone id (a UUID) or, for one made on the server, `p<id>`. */
export async function findBlocker(a: ApplyContext, ref: string) {
  const q = a.trx.selectFrom('blockers').select(['id', 'unit_id', 'status']);
  const row = UUID.test(ref) ? await q.where('client_id', '=', ref).forNoKeyUpdate().executeTakeFirst() : /^p\d{1,15}$/.test(ref) ? await q.where('id', '=', Number(ref.slice(1))).forNoKeyUpdate().executeTakeFirst() : undefined;
  if (!row || row.unit_id === null) throw new Rejection('sync.not_found', `no blocker ${ref}`);
  villageById(a, row.unit_id);
  return { id: row.id, unitId: row.unit_id, status: row.status };
}

export async function applyBlockerResolution(a: ApplyContext, e: Appended<{ blockerId: string; how: string }>): Promise<Applied> {
  const b = await findBlocker(a, e.payload.blockerId);
  if (b.status === 'open') {
    await a.trx
      .updateTable('blockers')
      .set({ status: 'resolved', resolved_at: e.occurredAt, resolved_by: e.memberId, resolution: e.payload.how })
      .where('id', '=', b.id)
      .execute();
    await noteChange(a, b.unitId, 'blocker', b.id);
  }
  return { version: null, conflictIds: [] };
}

export async function applyFollowUp(a: ApplyContext, e: Appended<{ blockerId: string | null; householdId: string; residentId: string | null; dueDate: string; assigneeId: number; note: string }>): Promise<Applied> {
  const p = e.payload;
  const unitId = await householdIn(a, p.householdId, p.residentId);
  const blocker = p.blockerId ? await findBlocker(a, p.blockerId) : null;
  let team = a.batch?.teams.get(unitId);
  if (!team) {
    team = (await teamMembers(a.trx, unitId)).map((m) => m.id);
    a.batch?.teams.set(unitId, team);
  }
  if (!team.includes(p.assigneeId)) throw new Rejection('sync.not_in_team', `user ${p.assigneeId} is not on this village's team`);
  await once(a, 'follow_ups', e.entityId);
  await a.trx
    .insertInto('follow_ups')
    .values({ id: e.entityId, unit_id: unitId, household_id: p.householdId, resident_id: p.residentId, blocker_id: blocker?.id ?? null, assignee_id: p.assigneeId, created_by: e.memberId, due_date: p.dueDate, note: p.note, created_at: e.occurredAt })
    .execute();
  await noteChange(a, unitId, 'follow_up', e.entityId);
  return { version: 1, conflictIds: [] };
}

export async function applyFollowUpDone(a: ApplyContext, e: Appended<{ followUpId: string; note: string }>): Promise<Applied> {
  const f = await a.trx.selectFrom('follow_ups').select(['unit_id', 'done_at', 'version']).where('id', '=', e.payload.followUpId).forNoKeyUpdate().executeTakeFirst();
  if (!f) throw new Rejection('sync.not_found', `no follow-up ${e.payload.followUpId}`);
  villageById(a, f.unit_id);
  if (f.done_at === null) {
    await a.trx
      .updateTable('follow_ups')
      .set({ done_at: e.occurredAt, done_by: e.memberId, done_note: e.payload.note, version: f.version + 1 })
      .where('id', '=', e.payload.followUpId)
      .execute();
    await noteChange(a, f.unit_id, 'follow_up', e.payload.followUpId);
  }
  return { version: null, conflictIds: [] };
}
