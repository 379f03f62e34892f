/** SQL for administrative units. Plain typed rows out; rules live in service.ts. */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB, UnitsTable } from '../../db/schema.ts';
import type { Selectable } from 'kysely';

export type UnitRecord = Selectable<UnitsTable>;

/** The unit with this code in force on `date` (codes are reused across the 2025 reform). */
export function findUnitByCode(db: Kysely<DB>, code: string, date: string) {
  return db
    .selectFrom('units')
    .selectAll()
    .where('code', '=', code)
    .where('valid_from', '<=', date)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', date)]))
    .orderBy('valid_from', 'desc')
    .executeTakeFirst();
}

/** Every version of a code, newest first. */
export function findUnitVersions(db: Kysely<DB>, code: string) {
  return db.selectFrom('units').selectAll().where('code', '=', code).orderBy('valid_from', 'desc').execute();
}

export function findUnitById(db: Kysely<DB>, id: number) {
  return db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface UnitFilter {
  level?: UnitRecord['level'] | undefined;
  parentId?: number | undefined;
  date?: string | undefined;
  search?: string | undefined;
  limit: number;
  offset: number;
}

export function listUnits(db: Kysely<DB>, f: UnitFilter) {
  let q = db.selectFrom('units').selectAll();
  if (f.level) q = q.where('level', '=', f.level);
  if (f.parentId !== undefined) q = q.where('parent_id', '=', f.parentId);
  if (f.date) {
    const d = f.date;
    q = q.where('valid_from', '<=', d).where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', d)]));
  }
  if (f.search) for (const token of f.search.split(' ').filter(Boolean)) q = q.where('search_name', 'like', `%${token}%`);
  return q.orderBy('valid_from', 'desc').orderBy('code').limit(f.limit).offset(f.offset).execute();
}

export function childrenOf(db: Kysely<DB>, parentId: number) {
  return db.selectFrom('units').selectAll().where('parent_id', '=', parentId).orderBy('code').execute();
}

/** Replacements from the 2025 reform, in both directions. */
export function replacementsOf(db: Kysely<DB>, unitId: number) {
  return db
    .selectFrom('unit_replacements as r')
    .innerJoin('units as o', 'o.id', 'r.old_unit_id')
    .innerJoin('units as n', 'n.id', 'r.new_unit_id')
    .select(['r.kind', 'r.effective', 'o.id as old_id', 'o.code as old_code', 'o.name as old_name', 'n.id as new_id', 'n.code as new_code', 'n.name as new_name'])
    .where((eb) => eb.or([eb('r.old_unit_id', '=', unitId), eb('r.new_unit_id', '=', unitId)]))
    .execute();
}

/** True when `unitId` lies in the subtree of any of `rootIds` (a unit covers itself). */
export async function isInSubtree(db: Kysely<DB>, unitId: number, rootIds: number[]): Promise<boolean> {
  if (rootIds.length === 0) return false;
  const row = await db
    .selectFrom('units')
    .select('id')
    .where('id', '=', unitId)
    .where(sql<boolean>`ancestor_ids && ${sql.val(rootIds)}::int[]`)
    .executeTakeFirst();
  return row !== undefined;
}
