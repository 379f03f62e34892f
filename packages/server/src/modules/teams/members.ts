/**
 * Who is on which team. A member holds the role `member` on a village (or on a commune, which
 * covers all its villages); the villages in force under those units are what their phone
 * downloads and may write to.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Officer } from '../auth/service.ts';

export interface Village {
  id: number;
  code: string;
  name: string;
  communeId: number;
}

/** Villages in force on `today` inside the subtrees of the officer's `member` roles. */
export async function memberVillages(db: Kysely<DB>, officer: Pick<Officer, 'roles'>, today: string): Promise<Village[]> {
  const roots = officer.roles.filter((r) => r.role === 'member').map((r) => r.unitId);
  if (roots.length === 0) return [];
  const rows = await db
    .selectFrom('units')
    .select(['id', 'code', 'name', 'parent_id'])
    .where('level', '=', 'village')
    .where(sql<boolean>`ancestor_ids && ${sql.val(roots)}::int[]`)
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)]))
    .orderBy('code')
    .execute();
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, communeId: r.parent_id ?? 0 }));
}

/** The members of a village's team: users holding `member` on the village or on a unit above it. */
export async function teamMembers(db: Kysely<DB>, villageId: number): Promise<{ id: number; displayName: string }[]> {
  return db
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .innerJoin('units as v', (j) => j.on('v.id', '=', villageId))
    .select(['u.id', 'u.display_name as displayName'])
    .distinct()
    .where('r.role', '=', 'member')
    .where('u.active', '=', true)
    .where(sql<boolean>`r.unit_id = ANY(v.ancestor_ids)`)
    .orderBy('u.id')
    .execute();
}
