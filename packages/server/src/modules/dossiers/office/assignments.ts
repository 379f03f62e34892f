/**
 * Who processes a dossier (chuyên viên xử lý): a one-stop officer, a leader or an admin of the
 * dossier's unit hands it to a specialist whose role covers that unit. The history is kept; the
 * open row is the current assignee.
 */
import type { Generated } from 'kysely';
import type { AppContext } from '../../../context.ts';
import type { Db, Trx } from '../../../db/database.ts';
import { Problem, conflict, notFound } from '../../../http/problem.ts';
import { audit } from '../../audit/service.ts';
import { requireRoleOnUnit, type OfficerRole } from '../../auth/service.ts';
import { findUnitById } from '../../units/queries.ts';
import { lockDossierByCode } from '../queries.ts';
import type { Actor } from '../service.ts';

export interface DossierAssignmentsTable {
  id: Generated<number>;
  dossier_id: number;
  assignee_id: number;
  assigned_by: number;
  assigned_at: Date;
  ended_at: Date | null;
}

declare module '../../../db/schema.ts' {
  interface DB {
    dossier_assignments: DossierAssignmentsTable;
  }
}

/** Who may hand a dossier to a specialist. */
export const ASSIGNER_ROLES: readonly OfficerRole[] = ['admin', 'officer', 'leader'];
/** A dossier can be handed over while it is open (not yet finished). */
const ASSIGNABLE_STATUSES = new Set([1, 2, 4, 5, 6]);

export interface Person {
  id: number;
  displayName: string;
}

type Reader = Db['kysely'] | Trx;

/** Active specialists whose role covers the unit (a role on the unit or on one of its ancestors). */
export async function specialistsFor(db: Reader, unitId: number): Promise<Person[]> {
  const unit = await findUnitById(db, unitId);
  if (!unit) return [];
  const rows = await db
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id', 'u.display_name'])
    .distinct()
    .where('r.role', '=', 'specialist')
    .where('r.unit_id', 'in', unit.ancestor_ids)
    .where('u.active', '=', true)
    .orderBy('u.display_name')
    .execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}

export interface AssignmentEntry {
  assignee: Person;
  assignedBy: Person;
  assignedAt: Date;
  endedAt: Date | null;
}

/** Newest first; the first entry without `endedAt` is the current assignee. */
export async function assignmentHistory(db: Reader, dossierId: number): Promise<AssignmentEntry[]> {
  const rows = await db
    .selectFrom('dossier_assignments as a')
    .innerJoin('users as who', 'who.id', 'a.assignee_id')
    .innerJoin('users as by', 'by.id', 'a.assigned_by')
    .select(['a.assignee_id', 'who.display_name as assignee_name', 'a.assigned_by', 'by.display_name as by_name', 'a.assigned_at', 'a.ended_at'])
    .where('a.dossier_id', '=', dossierId)
    .orderBy('a.id', 'desc')
    .limit(50)
    .execute();
  return rows.map((r) => ({
    assignee: { id: r.assignee_id, displayName: r.assignee_name },
    assignedBy: { id: r.assigned_by, displayName: r.by_name },
    assignedAt: r.assigned_at,
    endedAt: r.ended_at,
  }));
}

/** Hands the dossier to `assigneeId`; handing it to whoever already has it changes nothing. */
export async function assignDossier(ctx: AppContext, actor: Actor, code: string, assigneeId: number, userAgent?: string | null): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const d = await lockDossierByCode(trx, code);
    if (!d) throw notFound('dossier.not_found', `no dossier ${code}`);
    await requireRoleOnUnit(trx, actor.officer, d.unit_id, ASSIGNER_ROLES);
    if (!ASSIGNABLE_STATUSES.has(d.status)) throw conflict('dossier.action_not_allowed', `a dossier in status ${d.status} cannot be assigned`);
    const candidates = await specialistsFor(trx, d.unit_id);
    if (!candidates.some((c) => c.id === assigneeId)) throw new Problem(400, 'dossier.assignee_invalid', `user ${assigneeId} is not a specialist for this unit`);
    const current = await trx.selectFrom('dossier_assignments').select(['id', 'assignee_id']).where('dossier_id', '=', d.id).where('ended_at', 'is', null).executeTakeFirst();
    if (current?.assignee_id === assigneeId) return;
    const now = ctx.now();
    if (current) await trx.updateTable('dossier_assignments').set({ ended_at: now }).where('id', '=', current.id).execute();
    await trx.insertInto('dossier_assignments').values({ dossier_id: d.id, assignee_id: assigneeId, assigned_by: actor.officer.id, assigned_at: now }).execute();
    await audit(trx, {
      actorId: actor.officer.id,
      action: 'dossier.assign',
      entity: 'dossier',
      entityId: code,
      ip: actor.ip,
      userAgent: userAgent ?? null,
      detail: { assigneeId, previousAssigneeId: current?.assignee_id ?? null },
    });
  });
}
