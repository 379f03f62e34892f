/** Reading sums from the II.06a counters for a period; see domain/ii06a.ts for what they mean. */
import { sql, type Kysely } from 'kysely';
import { addDays, type CounterSums } from '@causo/domain';
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

export interface SeriesSums {
  received: number;
  resolved: number;
  overdue: number;
}

/**
 * The chart's figures for several periods of one unit code (all its versions in the province),
 * in ONE grouped query over the unit's all-sector counter rows. The periods' boundaries cut the
 * days into buckets (`width_bucket`); the query returns a few sums per bucket, and each period
 * adds up its own buckets: new receptions and resolutions inside it, and the overdue deltas of
 * every bucket up to its end (dossiers overdue at the end of the period).
 */
export async function seriesSums(db: Kysely<DB>, unit: { code: string; province_code: string }, periods: { from: string; to: string }[]): Promise<SeriesSums[]> {
  if (periods.length === 0) return [];
  const ends = periods.map((p) => addDays(p.to, 1));
  const bounds = [...new Set([...periods.map((p) => p.from), ...ends])].sort();
  const last = bounds[bounds.length - 1] ?? '';
  const { rows } = await sql<{ bucket: number; received: string | number; resolved: string | number; overdue: string | number }>`
    select width_bucket(day, ${sql.val(bounds)}::date[]) as bucket,
      sum(received_online + received_direct)::bigint as received,
      sum(resolved_before + resolved_on + resolved_late)::bigint as resolved,
      sum(overdue_delta)::bigint as overdue
    from ii06a_counters
    where unit_id in (select id from units where code = ${unit.code} and province_code = ${unit.province_code})
      and sector_code = ${ALL_SECTORS}
      and day < ${last}::date
    group by 1`.execute(db);
  // Bucket b holds the days in [bounds[b-1], bounds[b]); bucket 0 the days before bounds[0].
  const byBucket = new Map(rows.map((r) => [Number(r.bucket), { received: Number(r.received), resolved: Number(r.resolved), overdue: Number(r.overdue) }]));
  return periods.map((p, i) => {
    const first = bounds.indexOf(p.from) + 1;
    const end = bounds.indexOf(ends[i] ?? '');
    const out: SeriesSums = { received: 0, resolved: 0, overdue: 0 };
    for (const [b, v] of byBucket) {
      if (b <= end) out.overdue += v.overdue;
      if (b >= first && b <= end) {
        out.received += v.received;
        out.resolved += v.resolved;
      }
    }
    return out;
  });
}

/** A unit and its ancestors (top first), each with its own ancestor ids, for a breadcrumb. */
export function unitTrail(db: Kysely<DB>, ancestorIds: number[]) {
  return db
    .selectFrom('units')
    .select(['id', 'code', 'name', 'level', 'ancestor_ids'])
    .where('id', 'in', ancestorIds.length ? ancestorIds : [-1])
    .orderBy(sql`array_length(ancestor_ids, 1)`)
    .execute();
}

/** The units an officer holds roles on, to pick the default unit of the report. */
export function unitsByIds(db: Kysely<DB>, ids: number[]) {
  return db
    .selectFrom('units')
    .select(['id', 'code', 'name', 'level', 'valid_from', 'valid_to', 'ancestor_ids'])
    .where('id', 'in', ids.length ? ids : [-1])
    .execute();
}

/** Sector names in English, for the by-sector view in English. */
export function sectorNames(db: Kysely<DB>) {
  return db.selectFrom('sectors').select(['code', 'name_vi', 'name_en']).execute();
}

/**
 * "Trong đó hồ sơ trực tuyến được tổ CNSCĐ hỗ trợ nộp": assisted applications (submitted online
 * by a team member for a resident) received in the period under the unit's subtree (every
 * version of the unit code). Read through the partial index of 010_field_indexes.sql, which
 * holds assisted dossiers only, so it stays small however many dossiers there are.
 */
export async function assistedOnlineCount(db: Kysely<DB>, unit: { code: string; province_code: string }, start: Date, end: Date): Promise<number> {
  const row = await db
    .selectFrom('dossiers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('assisted_by', 'is not', null)
    .where('received_at', '>=', start)
    .where('received_at', '<', end)
    .where('status', 'not in', [1, 3])
    .where(
      'unit_id',
      'in',
      db
        .selectFrom('units as u')
        .select('u.id')
        .where(sql<boolean>`u.ancestor_ids && (SELECT array_agg(s.id) FROM units s WHERE s.code = ${unit.code} AND s.province_code = ${unit.province_code})`),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
