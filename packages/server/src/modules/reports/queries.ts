/** Reading sums from the II.06a counters for a period; see domain/ii06a.ts for what they mean. */
import { sql, type Kysely } from 'kysely';
import type { CounterSums } from '@causo/domain';
import type { DB } from '../../db/schema.ts';
import { ALL_SECTORS } from './counters.ts';

interface SumRow {
  key: string | number;
  open_before: number | null;
  open_through: number | null;
  overdue_through: number | null;
  received_online: number | null;
  received_direct: number | null;
  resolved_before: number | null;
  resolved_on: number | null;
  resolved_late: number | null;
  withdrawn: number | null;
}

const toSums = (r: SumRow): CounterSums => ({
  openBefore: Number(r.open_before ?? 0),
  openThrough: Number(r.open_through ?? 0),
  overdueThrough: Number(r.overdue_through ?? 0),
  receivedOnline: Number(r.received_online ?? 0),
  receivedDirect: Number(r.received_direct ?? 0),
  resolvedBefore: Number(r.resolved_before ?? 0),
  resolvedOn: Number(r.resolved_on ?? 0),
  resolvedLate: Number(r.resolved_late ?? 0),
  withdrawn: Number(r.withdrawn ?? 0),
});

function sumsSelect(from: string) {
  const inPeriod = (col: string) => sql<number>`coalesce(sum(${sql.ref(col)}) filter (where day >= ${from}::date), 0)::bigint`;
  return [
    sql<number>`coalesce(sum(open_delta) filter (where day < ${from}::date), 0)::bigint`.as('open_before'),
    sql<number>`coalesce(sum(open_delta), 0)::bigint`.as('open_through'),
    sql<number>`coalesce(sum(overdue_delta), 0)::bigint`.as('overdue_through'),
    inPeriod('received_online').as('received_online'),
    inPeriod('received_direct').as('received_direct'),
    inPeriod('resolved_before').as('resolved_before'),
    inPeriod('resolved_on').as('resolved_on'),
    inPeriod('resolved_late').as('resolved_late'),
    inPeriod('withdrawn').as('withdrawn'),
  ] as const;
}

/**
 * Sums grouped by unit id (over all sectors, the '*' rows) or by sector (over the given units,
 * the per-sector rows). The two never mix, so a unit's '*' row is not counted twice.
 */
async function groupedSums(db: Kysely<DB>, unitIds: number[], from: string, to: string, by: 'unit_id' | 'sector_code'): Promise<Map<string, CounterSums>> {
  if (unitIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('ii06a_counters')
    .select([sql<string>`${sql.ref(by)}::text`.as('key'), ...sumsSelect(from)])
    .where('unit_id', 'in', unitIds)
    .where('sector_code', by === 'unit_id' ? '=' : '<>', ALL_SECTORS)
    .where('day', '<=', to)
    .groupBy(by)
    .execute();
  return new Map(rows.map((r) => [String(r.key), toSums(r as SumRow)]));
}

/** Sums per unit id over all sectors. */
export async function sumsByUnit(db: Kysely<DB>, unitIds: number[], from: string, to: string): Promise<Map<number, CounterSums>> {
  const byKey = await groupedSums(db, unitIds, from, to, 'unit_id');
  return new Map([...byKey].map(([k, v]) => [Number(k), v]));
}

/** Sums per sector over the given unit ids. */
export function sumsBySector(db: Kysely<DB>, unitIds: number[], from: string, to: string): Promise<Map<string, CounterSums>> {
  return groupedSums(db, unitIds, from, to, 'sector_code');
}
