/**
 * Keeps the II.06a counters: the dossier's contribution (domain/ii06a.ts) is applied to its
 * unit and every ancestor, for its sector and for '*' (all sectors), in the caller's
 * transaction. Rows are written in one statement in a fixed order so concurrent transactions
 * lock them in the same order and cannot deadlock. Readers sum over days and shards.
 */
import { sql, type QueryCreator } from 'kysely';
import type { CounterDelta, CounterField } from '@causo/domain';
import type { Trx } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { countersChanged } from './viewCache.ts';

export const ALL_SECTORS = '*';

export const COLUMN_OF: Record<CounterField, string> = {
  receivedOnline: 'received_online',
  receivedDirect: 'received_direct',
  open: 'open_delta',
  resolvedBefore: 'resolved_before',
  resolvedOn: 'resolved_on',
  resolvedLate: 'resolved_late',
  withdrawn: 'withdrawn',
  overdue: 'overdue_delta',
};
export const COUNTER_COLUMNS = Object.values(COLUMN_OF);
export const COUNTER_SHARDS = 16;
/**
 * Each database connection writes its own shard of a counter row, so two transactions adding to
 * the province's row for today do not wait for each other's commit (014_counter_shards.sql).
 * Per connection, not per call: one transaction always uses one shard, so the fixed row order
 * below still rules out deadlocks between transactions that write counters more than once.
 */
export const SHARD_SQL = `(pg_backend_pid() % ${COUNTER_SHARDS})::smallint`;
const SHARD_OF_THIS_CONNECTION = sql.raw<number>(SHARD_SQL);

export async function applyCounterDeltas(trx: Trx, unitAncestorIds: number[], sectorCode: string, deltas: CounterDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await counterUpsert(trx, unitAncestorIds, sectorCode, deltas).execute();
}

/** One counter row to add: a unit, a sector ('*' for all), a day and the amount per column. */
export interface CounterRow {
  unit_id: number;
  sector_code: string;
  day: string;
  amounts: Record<string, number>;
}

/**
 * The rows a contribution adds to: the unit and each ancestor, its sector and '*', each day, in
 * the fixed order every writer locks them in. `deltas` must not be empty.
 */
export function counterRows(unitAncestorIds: number[], sectorCode: string, deltas: CounterDelta[]): CounterRow[] {
  countersChanged();
  const byDay = new Map<string, Record<string, number>>();
  for (const d of deltas) {
    const row = byDay.get(d.day) ?? Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, 0]));
    row[COLUMN_OF[d.field]] = (row[COLUMN_OF[d.field]] ?? 0) + d.delta;
    byDay.set(d.day, row);
  }
  const rows: CounterRow[] = [];
  const units = [...unitAncestorIds].sort((a, b) => a - b);
  const sectors = [ALL_SECTORS, sectorCode].sort();
  const days = [...byDay.keys()].sort();
  for (const unit_id of units) for (const sector_code of sectors) for (const day of days) rows.push({ unit_id, sector_code, day, amounts: byDay.get(day) ?? {} });
  return rows;
}

function counterUpsert(db: QueryCreator<DB>, unitAncestorIds: number[], sectorCode: string, deltas: CounterDelta[]) {
  const rows = counterRows(unitAncestorIds, sectorCode, deltas).map(({ amounts, ...key }) => ({ ...key, ...amounts, shard: SHARD_OF_THIS_CONNECTION }));
  return db
    .insertInto('ii06a_counters')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['unit_id', 'sector_code', 'day', 'shard']).doUpdateSet(
        Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, sql`ii06a_counters.${sql.ref(c)} + excluded.${sql.ref(c)}`])),
      ),
    );
}
