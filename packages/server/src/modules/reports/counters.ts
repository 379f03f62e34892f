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
const COLUMNS = Object.values(COLUMN_OF);
export const COUNTER_SHARDS = 16;
/**
 * Each database connection writes its own shard of a counter row, so two transactions adding to
 * the province's row for today do not wait for each other's commit (014_counter_shards.sql).
 * Per connection, not per call: one transaction always uses one shard, so the fixed row order
 * below still rules out deadlocks between transactions that write counters more than once.
 */
const SHARD_OF_THIS_CONNECTION = sql<number>`(pg_backend_pid() % ${sql.lit(COUNTER_SHARDS)})::smallint`;

export async function applyCounterDeltas(trx: Trx, unitAncestorIds: number[], sectorCode: string, deltas: CounterDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await counterUpsert(trx, unitAncestorIds, sectorCode, deltas).execute();
}

/**
 * The upsert of applyCounterDeltas as a query, for a caller that runs it inside a larger
 * statement (a new dossier's insert). `deltas` must not be empty.
 */
export function counterUpsert(db: QueryCreator<DB>, unitAncestorIds: number[], sectorCode: string, deltas: CounterDelta[]) {
  countersChanged();
  const byDay = new Map<string, Record<string, number>>();
  for (const d of deltas) {
    const row = byDay.get(d.day) ?? Object.fromEntries(COLUMNS.map((c) => [c, 0]));
    row[COLUMN_OF[d.field]] = (row[COLUMN_OF[d.field]] ?? 0) + d.delta;
    byDay.set(d.day, row);
  }
  const rows: { unit_id: number; sector_code: string; day: string; shard: typeof SHARD_OF_THIS_CONNECTION; [c: string]: number | string | typeof SHARD_OF_THIS_CONNECTION }[] = [];
  const units = [...unitAncestorIds].sort((a, b) => a - b);
  const sectors = [ALL_SECTORS, sectorCode].sort();
  const days = [...byDay.keys()].sort();
  for (const unit_id of units)
    for (const sector_code of sectors) for (const day of days) rows.push({ unit_id, sector_code, day, ...byDay.get(day), shard: SHARD_OF_THIS_CONNECTION });
  return db
    .insertInto('ii06a_counters')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['unit_id', 'sector_code', 'day', 'shard']).doUpdateSet(
        Object.fromEntries(COLUMNS.map((c) => [c, sql`ii06a_counters.${sql.ref(c)} + excluded.${sql.ref(c)}`])),
      ),
    );
}
