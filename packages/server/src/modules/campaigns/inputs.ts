/**
 * Reads the raw figures behind the indicators (`IndicatorInputs`, domain/indicators.ts) for a
 * unit and a period, split by the unit's children (plus the unit's own level: a commune's
 * dossiers belong to the commune, not to a village), or by week for the trend line.
 *
 * Every query groups the rows of the whole subtree in one pass. ancestor_ids lists a unit
 * itself first and the province last, so for a descendant of a unit whose list has L entries,
 * the unit's child on the way down is at position length − L (1-based): grouping by it needs
 * no join per level, and the unit's own rows get position 0, which PostgreSQL reads as NULL.
 */
import { sql, type Expression, type RawBuilder } from 'kysely';
import { addDays, BLOCKER_REASONS, emptyInputs, localMidnight, mergeInputs, RESOLVE_DAYS_CAP, type BlockerReason, type IndicatorInputs } from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import { ALL_SECTORS } from '../reports/counters.ts';
import './schema.ts';

type Kdb = Db['kysely'] | Trx;

export interface ScopeUnit {
  id: number;
  /** The unit itself first, the province last (units.ancestor_ids). */
  ancestorIds: number[];
}

export interface Period {
  from: string;
  to: string;
}

/** Inputs keyed by child unit id; key 0 holds the unit's own level. */
export type InputsByChild = Map<number, IndicatorInputs>;
export const OWN_LEVEL = 0;

const num = (v: unknown): number => Number(v ?? 0);

function slot(map: Map<number, IndicatorInputs>, key: number | null): IndicatorInputs {
  const k = key ?? OWN_LEVEL;
  let v = map.get(k);
  if (!v) {
    v = emptyInputs();
    map.set(k, v);
  }
  return v;
}

/** The descendant's child of `unit` (NULL for the unit itself), from a units row aliased `u`. */
const childOf = (unit: ScopeUnit): RawBuilder<number | null> =>
  sql<number | null>`u.ancestor_ids[array_length(u.ancestor_ids, 1) - ${sql.lit(unit.ancestorIds.length)}]`;
const inSubtree = (unit: ScopeUnit): RawBuilder<boolean> => sql<boolean>`u.ancestor_ids @> ARRAY[${sql.lit(unit.id)}]::int[]`;

/**
 * Narrows the register's per-village sums to the unit's villages before adding them up. Below
 * the province that reads a few index ranges instead of every village's rows; for a province
 * (almost every row is in scope) the plain scan is quicker.
 */
const registerScope = (unit: ScopeUnit): RawBuilder<unknown> =>
  unit.ancestorIds.length <= 1
    ? sql``
    : sql`AND unit_id IN (SELECT s.id FROM units s WHERE s.ancestor_ids @> ARRAY[${sql.lit(unit.id)}]::int[] AND s.level = 'village')`;

/**
 * The figures of `unit` over `period`, by child. Merging every entry gives the unit's own
 * inputs (`mergeInputs`): the children's and its own level's add up by construction.
 */
export async function inputsByChild(db: Kdb, unit: ScopeUnit, period: Period, childIds: readonly number[]): Promise<InputsByChild> {
  const out: InputsByChild = new Map();
  for (const id of childIds) slot(out, id);
  const group = childOf(unit);
  const start = localMidnight(period.from);
  const end = localMidnight(addDays(period.to, 1));

  const [villages, register, dossiers, assisted, visited, open, resolved] = await Promise.all([
    sql<{ g: number | null; villages: number }>`
      SELECT ${group} AS g, count(*) AS villages FROM units u
      WHERE ${inSubtree(unit)} AND u.level = 'village' GROUP BY 1`.execute(db),
    sql<Record<string, number | null>>`
      SELECT ${group} AS g, count(*) FILTER (WHERE r.households > 0) AS with_register,
        sum(r.households) AS households, sum(r.residents) AS residents, sum(r.adults) AS adults,
        sum(r.smartphone) AS smartphone, sum(r.sim_matched) AS sim_matched, sum(r.vneid2) AS vneid2,
        sum(r.service_accounts) AS service_accounts, sum(r.wallet_or_bank) AS wallet_or_bank
      FROM (
        SELECT unit_id, sum(households) AS households, sum(residents) AS residents, sum(adults) AS adults,
          sum(smartphone) AS smartphone, sum(sim_matched) AS sim_matched, sum(vneid2) AS vneid2,
          sum(service_accounts) AS service_accounts, sum(wallet_or_bank) AS wallet_or_bank
        FROM register_days WHERE day <= ${period.to}::date ${registerScope(unit)} GROUP BY unit_id
      ) r JOIN units u ON u.id = r.unit_id
      WHERE ${inSubtree(unit)} GROUP BY 1`.execute(db),
    // The II.06a counters already add each unit's subtree up; the own level is the unit minus its children.
    sql<{ unit_id: number; online: number; direct: number; on_time: number; late: number }>`
      SELECT unit_id, sum(received_online) AS online, sum(received_direct) AS direct,
        sum(resolved_before + resolved_on) AS on_time, sum(resolved_late) AS late
      FROM ii06a_counters
      WHERE unit_id = ANY(${sql.val([unit.id, ...childIds])}::int[]) AND sector_code = ${ALL_SECTORS}
        AND day >= ${period.from}::date AND day <= ${period.to}::date
      GROUP BY unit_id`.execute(db),
    sql<{ g: number | null; n: number }>`
      SELECT ${group} AS g, count(*) AS n FROM assisted_applications a JOIN units u ON u.id = a.unit_id
      WHERE ${inSubtree(unit)} AND a.created_at >= ${start} AND a.created_at < ${end} GROUP BY 1`.execute(db),
    sql<{ g: number | null; n: number }>`
      SELECT g, count(*) AS n FROM (
        SELECT DISTINCT ${group} AS g, v.household_id FROM visits v JOIN units u ON u.id = v.unit_id
        WHERE ${inSubtree(unit)} AND v.occurred_at >= ${start} AND v.occurred_at < ${end}) x GROUP BY 1`.execute(db),
    sql<{ g: number | null; kind: BlockerReason; n: number }>`
      SELECT ${group} AS g, b.kind, count(*) AS n FROM blockers b JOIN units u ON u.id = b.unit_id
      WHERE ${inSubtree(unit)} AND b.created_at < ${end} AND (b.resolved_at IS NULL OR b.resolved_at >= ${end})
      GROUP BY 1, 2`.execute(db),
    sql<{ g: number | null; days: number; n: number }>`
      SELECT ${group} AS g, ${resolveDays()} AS days, count(*) AS n FROM blockers b JOIN units u ON u.id = b.unit_id
      WHERE ${inSubtree(unit)} AND b.resolved_at >= ${start} AND b.resolved_at < ${end}
      GROUP BY 1, 2`.execute(db),
  ]);

  for (const r of villages.rows) slot(out, r.g).villages = num(r.villages);
  for (const r of register.rows) {
    const s = slot(out, r.g as number | null);
    s.villagesWithRegister = num(r.with_register);
    s.register = {
      households: num(r.households),
      residents: num(r.residents),
      adults: num(r.adults),
      smartphone: num(r.smartphone),
      simMatched: num(r.sim_matched),
      vneid2: num(r.vneid2),
      serviceAccounts: num(r.service_accounts),
      walletOrBank: num(r.wallet_or_bank),
    };
  }
  const counters = new Map(dossiers.rows.map((r) => [r.unit_id, { receivedOnline: num(r.online), receivedDirect: num(r.direct), resolvedOnTime: num(r.on_time), resolvedLate: num(r.late) }]));
  const own = { ...(counters.get(unit.id) ?? { receivedOnline: 0, receivedDirect: 0, resolvedOnTime: 0, resolvedLate: 0 }) };
  for (const id of childIds) {
    const c = counters.get(id);
    if (!c) continue;
    slot(out, id).dossiers = c;
    own.receivedOnline -= c.receivedOnline;
    own.receivedDirect -= c.receivedDirect;
    own.resolvedOnTime -= c.resolvedOnTime;
    own.resolvedLate -= c.resolvedLate;
  }
  if (own.receivedOnline || own.receivedDirect || own.resolvedOnTime || own.resolvedLate) slot(out, OWN_LEVEL).dossiers = own;
  for (const r of assisted.rows) slot(out, r.g).assistedApplications = num(r.n);
  for (const r of visited.rows) slot(out, r.g).householdsVisited = num(r.n);
  for (const r of open.rows) if ((BLOCKER_REASONS as readonly string[]).includes(r.kind)) slot(out, r.g).openBlockers[r.kind] = num(r.n);
  for (const r of resolved.rows) {
    const s = slot(out, r.g);
    s.blockersResolved += num(r.n);
    s.resolveDays[num(r.days)] = (s.resolveDays[num(r.days)] ?? 0) + num(r.n);
  }
  // Figures of a child outside the list (a unit replaced during the period) count as the unit's own.
  for (const key of [...out.keys()]) {
    if (key === OWN_LEVEL || childIds.includes(key)) continue;
    const stray = out.get(key);
    out.delete(key);
    if (stray) out.set(OWN_LEVEL, mergeInputs([out.get(OWN_LEVEL) ?? emptyInputs(), stray]));
  }
  return out;
}

/** Whole local days from recording a blocker to resolving it, capped for the histogram. */
function resolveDays(): Expression<number> {
  return sql<number>`least(${sql.lit(RESOLVE_DAYS_CAP)}, greatest(0,
    ((b.resolved_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - (b.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)))`;
}

export interface Week {
  /** Monday */
  from: string;
  /** Sunday, or the period's last day */
  to: string;
}

/** The weeks (Monday to Sunday) that overlap the period, clipped to it; at most `max`, the latest kept. */
export function weeksOf(period: Period, max = 26): Week[] {
  const weeks: Week[] = [];
  let from = period.from;
  while (from <= period.to) {
    const dow = new Date(`${from}T00:00:00Z`).getUTCDay(); // 0 = Sunday
    const sunday = addDays(from, dow === 0 ? 0 : 7 - dow);
    const to = sunday < period.to ? sunday : period.to;
    weeks.push({ from, to });
    from = addDays(to, 1);
  }
  return weeks.slice(-max);
}

/**
 * The unit's inputs for each week: stocks (the register, open blockers) at the week's end,
 * flows (dossiers, visits, assisted applications, resolved blockers) within the week. One
 * query per source over the whole span, bucketed by week.
 */
export async function inputsByWeek(db: Kdb, unit: ScopeUnit, weeks: readonly Week[]): Promise<IndicatorInputs[]> {
  if (weeks.length === 0) return [];
  const out = weeks.map(() => emptyInputs());
  const first = weeks[0]!.from;
  const last = weeks[weeks.length - 1]!.to;
  // width_bucket over the weeks' first days (and the day after the last): bucket b (1-based) is week b-1; 0 is before.
  const bounds = [...weeks.map((w) => w.from), addDays(last, 1)];
  const instants = bounds.map((d) => localMidnight(d).toISOString());
  const dayBucket = (col: RawBuilder<unknown>) => sql<number>`width_bucket(${col}, ${sql.val(bounds)}::date[])`;
  const timeBucket = (col: RawBuilder<unknown>) => sql<number>`width_bucket(${col}, ${sql.val(instants)}::timestamptz[])`;
  const week = (b: number): IndicatorInputs | undefined => (b >= 1 && b <= weeks.length ? out[b - 1] : undefined);
  const fromWeek = (b: number): number => Math.max(0, b - 1);
  const start = localMidnight(first);
  const end = localMidnight(addDays(last, 1));

  const [villages, register, dossiers, assisted, visited, blockersIn, blockersOut] = await Promise.all([
    sql<{ villages: number }>`SELECT count(*) AS villages FROM units u WHERE ${inSubtree(unit)} AND u.level = 'village'`.execute(db),
    sql<Record<string, number>>`
      SELECT ${dayBucket(sql`r.day`)} AS b, r.unit_id, sum(households) AS households, sum(residents) AS residents, sum(adults) AS adults,
        sum(smartphone) AS smartphone, sum(sim_matched) AS sim_matched, sum(vneid2) AS vneid2,
        sum(service_accounts) AS service_accounts, sum(wallet_or_bank) AS wallet_or_bank
      FROM register_days r JOIN units u ON u.id = r.unit_id
      WHERE ${inSubtree(unit)} AND r.day <= ${last}::date GROUP BY 1, 2`.execute(db),
    sql<{ b: number; online: number; direct: number; on_time: number; late: number }>`
      SELECT ${dayBucket(sql`day`)} AS b, sum(received_online) AS online, sum(received_direct) AS direct,
        sum(resolved_before + resolved_on) AS on_time, sum(resolved_late) AS late
      FROM ii06a_counters WHERE unit_id = ${unit.id} AND sector_code = ${ALL_SECTORS}
        AND day >= ${first}::date AND day <= ${last}::date GROUP BY 1`.execute(db),
    sql<{ b: number; n: number }>`
      SELECT ${timeBucket(sql`a.created_at`)} AS b, count(*) AS n FROM assisted_applications a JOIN units u ON u.id = a.unit_id
      WHERE ${inSubtree(unit)} AND a.created_at >= ${start} AND a.created_at < ${end} GROUP BY 1`.execute(db),
    sql<{ b: number; n: number }>`
      SELECT b, count(*) AS n FROM (
        SELECT DISTINCT ${timeBucket(sql`v.occurred_at`)} AS b, v.household_id FROM visits v JOIN units u ON u.id = v.unit_id
        WHERE ${inSubtree(unit)} AND v.occurred_at >= ${start} AND v.occurred_at < ${end}) x GROUP BY 1`.execute(db),
    // Blockers recorded, by the week they were recorded in (bucket 0: before the first week).
    sql<{ b: number; kind: BlockerReason; n: number }>`
      SELECT ${timeBucket(sql`b.created_at`)} AS b, b.kind, count(*) AS n FROM blockers b JOIN units u ON u.id = b.unit_id
      WHERE ${inSubtree(unit)} AND b.created_at < ${end} GROUP BY 1, 2`.execute(db),
    // Blockers resolved, by the week they were resolved in, with the days it took.
    sql<{ b: number; kind: BlockerReason; days: number; n: number }>`
      SELECT ${timeBucket(sql`b.resolved_at`)} AS b, b.kind, ${resolveDays()} AS days, count(*) AS n FROM blockers b JOIN units u ON u.id = b.unit_id
      WHERE ${inSubtree(unit)} AND b.resolved_at < ${end} GROUP BY 1, 2, 3`.execute(db),
  ]);

  const totalVillages = num(villages.rows[0]?.villages);
  for (const w of out) w.villages = totalVillages;
  // Stocks: add each bucket's changes to every week ending at or after it.
  const householdsSoFar = new Map<number, number>();
  const byBucket = [...register.rows].sort((a, b) => num(a.b) - num(b.b));
  for (let i = 0; i < weeks.length; i++) {
    const w = out[i]!;
    for (const r of byBucket) {
      if (fromWeek(num(r.b)) > i) continue;
      w.register.households += num(r.households);
      w.register.residents += num(r.residents);
      w.register.adults += num(r.adults);
      w.register.smartphone += num(r.smartphone);
      w.register.simMatched += num(r.sim_matched);
      w.register.vneid2 += num(r.vneid2);
      w.register.serviceAccounts += num(r.service_accounts);
      w.register.walletOrBank += num(r.wallet_or_bank);
    }
    householdsSoFar.clear();
    for (const r of byBucket) if (fromWeek(num(r.b)) <= i) householdsSoFar.set(num(r.unit_id), (householdsSoFar.get(num(r.unit_id)) ?? 0) + num(r.households));
    w.villagesWithRegister = [...householdsSoFar.values()].filter((n) => n > 0).length;
  }
  for (const r of dossiers.rows) {
    const w = week(num(r.b));
    if (w) w.dossiers = { receivedOnline: num(r.online), receivedDirect: num(r.direct), resolvedOnTime: num(r.on_time), resolvedLate: num(r.late) };
  }
  for (const r of assisted.rows) {
    const w = week(num(r.b));
    if (w) w.assistedApplications = num(r.n);
  }
  for (const r of visited.rows) {
    const w = week(num(r.b));
    if (w) w.householdsVisited = num(r.n);
  }
  for (let i = 0; i < weeks.length; i++) {
    const w = out[i]!;
    for (const r of blockersIn.rows) if (fromWeek(num(r.b)) <= i && w.openBlockers[r.kind] !== undefined) w.openBlockers[r.kind] += num(r.n);
    for (const r of blockersOut.rows) if (fromWeek(num(r.b)) <= i && w.openBlockers[r.kind] !== undefined) w.openBlockers[r.kind] -= num(r.n);
  }
  for (const r of blockersOut.rows) {
    const w = week(num(r.b));
    if (!w) continue;
    w.blockersResolved += num(r.n);
    w.resolveDays[num(r.days)] = (w.resolveDays[num(r.days)] ?? 0) + num(r.n);
  }
  return out;
}
