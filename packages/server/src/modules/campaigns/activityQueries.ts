/**
 * What the team activity page reads about a unit's subtree: visits per member, village and
 * week; the villages with a team that nobody has visited lately; the follow-ups past their due
 * date. Each is one grouped query over the subtree (units.ancestor_ids @> ARRAY[unit], like
 * inputs.ts), reading the field tables through their indexes: visits by (unit_id, occurred_at)
 * with member and household included, follow-ups by (unit_id, due_date) where not done. A
 * province of 1,000 villages and half a million visits stays a few index scans per village.
 */
import { sql, type RawBuilder } from 'kysely';
import { addDays, localDateOf, localMidnight } from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import type { ScopeUnit, Week } from './inputs.ts';

type Kdb = Db['kysely'] | Trx;

const num = (v: unknown): number => Number(v ?? 0);
/** The unit id as a literal, so the planner sees it when it weighs the GIN index on ancestor_ids. */
const inSubtree = (unit: ScopeUnit, alias = 'u'): RawBuilder<boolean> => sql<boolean>`${sql.ref(`${alias}.ancestor_ids`)} @> ARRAY[${sql.lit(unit.id)}]::int[]`;

export interface MemberWeekRow {
  memberId: number;
  memberName: string;
  /** The village visited; for a member with no visit, the unit they serve on. */
  villageId: number;
  villageCode: string;
  villageName: string;
  /** Visits in each week of `weeks`, in order. */
  perWeek: number[];
  total: number;
}

/**
 * Visits per member and village, week by week, for every visit in the subtree during the
 * weeks; then every active team member of the subtree without a visit, with zeros (a quiet
 * member is what a supervisor looks for). Ordered by village code, then member name.
 */
export async function visitsByMemberWeek(db: Kdb, unit: ScopeUnit, weeks: readonly Week[]): Promise<MemberWeekRow[]> {
  if (weeks.length === 0) return [];
  const last = weeks[weeks.length - 1]!.to;
  const start = localMidnight(weeks[0]!.from);
  const end = localMidnight(addDays(last, 1));
  const instants = [...weeks.map((w) => localMidnight(w.from).toISOString()), end.toISOString()];
  const [visits, members] = await Promise.all([
    sql<{ member_id: number; member_name: string; unit_id: number; code: string; name: string; b: number; n: number }>`
      SELECT x.member_id, m.display_name AS member_name, x.unit_id, u.code, u.name, x.b, x.n
      FROM (
        SELECT v.member_id, v.unit_id, width_bucket(v.occurred_at, ${sql.val(instants)}::timestamptz[]) AS b, count(*) AS n
        FROM visits v JOIN units u ON u.id = v.unit_id
        WHERE ${inSubtree(unit)} AND v.occurred_at >= ${start} AND v.occurred_at < ${end}
        GROUP BY 1, 2, 3
      ) x
      JOIN users m ON m.id = x.member_id
      JOIN units u ON u.id = x.unit_id`.execute(db),
    sql<{ member_id: number; member_name: string; unit_id: number; code: string; name: string }>`
      SELECT DISTINCT ON (r.user_id) r.user_id AS member_id, m.display_name AS member_name, u.id AS unit_id, u.code, u.name
      FROM user_roles r JOIN users m ON m.id = r.user_id JOIN units u ON u.id = r.unit_id
      WHERE r.role = 'member' AND m.active AND ${inSubtree(unit)}
      ORDER BY r.user_id, u.code`.execute(db),
  ]);
  const rows = new Map<string, MemberWeekRow>();
  const row = (memberId: number, memberName: string, villageId: number, code: string, name: string): MemberWeekRow => {
    const key = `${memberId}:${villageId}`;
    let r = rows.get(key);
    if (!r) {
      r = { memberId, memberName, villageId, villageCode: code, villageName: name, perWeek: weeks.map(() => 0), total: 0 };
      rows.set(key, r);
    }
    return r;
  };
  const visited = new Set<number>();
  for (const v of visits.rows) {
    const i = num(v.b) - 1;
    if (i < 0 || i >= weeks.length) continue;
    const r = row(num(v.member_id), v.member_name, num(v.unit_id), v.code, v.name);
    r.perWeek[i] = (r.perWeek[i] ?? 0) + num(v.n);
    r.total += num(v.n);
    visited.add(num(v.member_id));
  }
  for (const m of members.rows) if (!visited.has(num(m.member_id))) row(num(m.member_id), m.member_name, num(m.unit_id), m.code, m.name);
  return [...rows.values()].sort((a, b) => a.villageCode.localeCompare(b.villageCode) || a.memberName.localeCompare(b.memberName, 'vi') || a.memberId - b.memberId);
}

export interface IdleVillage {
  unitId: number;
  code: string;
  name: string;
  communeName: string;
  /** The last visit ever, or null when the village was never visited. */
  lastVisitAt: Date | null;
  households: number;
}

/**
 * Villages of the subtree with a team and no visit since `since` (never-visited ones first,
 * then the longest without). The last visit is one backward step on the visits index per
 * village; households are counted only for the villages listed.
 */
export async function idleVillages(db: Kdb, unit: ScopeUnit, since: Date, limit: number): Promise<IdleVillage[]> {
  const { rows } = await sql<{ unit_id: number; code: string; name: string; commune_name: string | null; last_visit: Date | null; households: number }>`
    SELECT i.unit_id, i.code, i.name, c.name AS commune_name, i.last_visit,
      (SELECT count(*) FROM households h WHERE h.unit_id = i.unit_id) AS households
    FROM (
      SELECT u.id AS unit_id, u.code, u.name, u.parent_id, lv.last_visit
      FROM teams t
      JOIN units u ON u.id = t.unit_id
      LEFT JOIN LATERAL (SELECT max(v.occurred_at) AS last_visit FROM visits v WHERE v.unit_id = u.id) lv ON true
      WHERE ${inSubtree(unit)} AND (lv.last_visit IS NULL OR lv.last_visit < ${since})
      ORDER BY lv.last_visit ASC NULLS FIRST, u.code
      LIMIT ${limit}
    ) i
    LEFT JOIN units c ON c.id = i.parent_id
    ORDER BY i.last_visit ASC NULLS FIRST, i.code`.execute(db);
  return rows.map((r) => ({ unitId: num(r.unit_id), code: r.code, name: r.name, communeName: r.commune_name ?? '', lastVisitAt: r.last_visit, households: num(r.households) }));
}

export interface OverdueFollowUp {
  id: string;
  villageCode: string;
  villageName: string;
  dueDate: string;
  daysOverdue: number;
  assigneeName: string;
  note: string;
}

/** Follow-ups of the subtree not done and due before `today`, oldest first; `total` counts them all. */
export async function overdueFollowUps(db: Kdb, unit: ScopeUnit, today: string, limit: number): Promise<{ rows: OverdueFollowUp[]; total: number }> {
  const { rows } = await sql<{ id: string; code: string; name: string; due_date: string; days: number; assignee: string; note: string; total: number }>`
    SELECT f.id, u.code, u.name, f.due_date, (${today}::date - f.due_date) AS days, a.display_name AS assignee, f.note,
      count(*) OVER () AS total
    FROM follow_ups f
    JOIN units u ON u.id = f.unit_id
    JOIN users a ON a.id = f.assignee_id
    WHERE ${inSubtree(unit)} AND f.done_at IS NULL AND f.due_date < ${today}::date
    ORDER BY f.due_date, u.code, f.id
    LIMIT ${limit}`.execute(db);
  return {
    rows: rows.map((r) => ({ id: r.id, villageCode: r.code, villageName: r.name, dueDate: String(r.due_date), daysOverdue: num(r.days), assigneeName: r.assignee, note: r.note })),
    total: num(rows[0]?.total),
  };
}

/** The local day of the last visit, for the page and the exports. */
export const lastVisitDay = (v: IdleVillage): string | null => (v.lastVisitAt ? localDateOf(v.lastVisitAt) : null);
