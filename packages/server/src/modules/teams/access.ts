/**
 * Who may see the teams in the back office. Supervisors are leaders, administrators and
 * one-stop officers (never specialists, never team members): a role on a unit covers its
 * subtree. Settling sync conflicts needs such a role on a commune or above (a village-level
 * role is not enough: the village's own people made the edits). Marking a phone lost needs
 * the administrator role on the village's subtree.
 */
import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';
import { Problem } from '../../http/problem.ts';
import { rootsFor, type Officer, type OfficerRole } from '../auth/service.ts';

export const SUPERVISOR_ROLES: readonly OfficerRole[] = ['admin', 'leader', 'officer'];
export const DEVICE_ADMIN_ROLES: readonly OfficerRole[] = ['admin'];

type Kdb = Db['kysely'] | Trx;

/** Units on which the officer holds one of `roles`, optionally only at commune level or above. */
export async function rootsWith(db: Kdb, officer: Officer, roles: readonly OfficerRole[], communeOrAbove = false): Promise<number[]> {
  const ids = [...new Set(rootsFor(officer, roles))];
  if (!communeOrAbove || ids.length === 0) return ids;
  const rows = await db.selectFrom('units').select('id').where('id', 'in', ids).where('level', '<>', 'village').execute();
  return rows.map((r) => r.id);
}

/** The supervisor's roots; 403 for anyone who holds no supervisor role at all. */
export async function requireSupervisorRoots(db: Kdb, officer: Officer | null, communeOrAbove = false): Promise<number[]> {
  if (!officer) throw new Problem(401, 'auth.required');
  const roots = await rootsWith(db, officer, SUPERVISOR_ROLES, communeOrAbove);
  if (roots.length === 0) throw new Problem(403, 'auth.forbidden', 'only leaders, administrators and officers see the teams');
  return roots;
}

/** True when `unitId` lies under one of `roots` (a unit covers itself). */
export async function coveredBy(db: Kdb, unitId: number, roots: readonly number[]): Promise<boolean> {
  if (roots.length === 0) return false;
  const row = await db
    .selectFrom('units')
    .select('id')
    .where('id', '=', unitId)
    .where(sql<boolean>`ancestor_ids && ${sql.val([...roots])}::int[]`)
    .executeTakeFirst();
  return row !== undefined;
}

export async function requireCovered(db: Kdb, unitId: number, roots: readonly number[], why: string): Promise<void> {
  if (!(await coveredBy(db, unitId, roots))) throw new Problem(403, 'auth.forbidden', why);
}
