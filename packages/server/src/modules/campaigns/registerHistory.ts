/**
 * Rebuilds the past of the register figures (`register_days`) for villages whose register was
 * loaded without them: an import, the demo seed, a benchmark. The register only stores the
 * current state, but every record says when it arrived (`created_at`) and, per field, when the
 * field last changed on the device (`field_meta.<field>.at`). From those the figures of any
 * past day follow:
 * - households and residents count from the day they were created;
 * - adults from the later of that day and 1 January of the year they turn 18 (the rule of
 *   `recountVillages`: born in or before this year minus 18), so a trend across New Year
 *   shows what the daily recount would have recorded;
 * - each readiness flag (smartphone, SIM in own name, VNeID level 2, public-service account,
 *   e-wallet or bank) from the day its field last changed to its current value (its
 *   `field_meta` time, else the creation day), and never before the resident counts as an adult.
 * A day after today (a device clock ahead) counts as today, so the rows add up at today to
 * exactly what `recountVillages` computes: after a backfill the recount has nothing to write.
 *
 * What the register no longer holds (a resident removed, a flag that was true and went back to
 * false) leaves no trace, so the past is the present's history, not a full audit.
 */
import { sql, type RawBuilder } from 'kysely';
import { localDateOf } from '@causo/domain';
import type { Trx } from '../../db/database.ts';
import './schema.ts';

/**
 * The advisory lock `registerFigures.ts` takes ("CAUSOREG"): holding it keeps a concurrent
 * refresher from writing today's row between the delete and the insert below.
 */
const REFRESH_LOCK = 0x4341_5553_4f52_4547n;

/** A readiness flag: the register_days column, the resident field, and the value that counts. */
const FLAGS = [
  { column: 'smartphone', field: 'smartphone', value: 'true' },
  { column: 'sim_matched', field: 'simOwnership', value: 'matched' },
  { column: 'vneid2', field: 'vneidLevel', value: '2' },
  { column: 'service_accounts', field: 'publicServiceAccount', value: 'true' },
  { column: 'wallet_or_bank', field: 'walletOrBank', value: 'true' },
] as const;

const localDay = (col: RawBuilder<unknown>): RawBuilder<string> => sql`(${col} AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;

export interface BackfillResult {
  villages: number;
  /** register_days rows written. */
  rows: number;
}

/**
 * Replaces the register_days rows of the given villages with their history as of `now`, and
 * clears their entries in register_dirty. Runs inside the caller's transaction.
 */
export async function backfillRegisterHistory(trx: Trx, unitIds: readonly number[], now: Date): Promise<BackfillResult> {
  const ids = [...new Set(unitIds)].sort((a, b) => a - b);
  if (ids.length === 0) return { villages: 0, rows: 0 };
  const today = localDateOf(now);
  const adultBorn = Number(today.slice(0, 4)) - 18;
  const scope = sql`unit_id = ANY(${sql.val(ids)}::int[])`;
  await sql`SELECT pg_advisory_xact_lock(${sql.lit(REFRESH_LOCK.toString())}::bigint)`.execute(trx);
  await sql`DELETE FROM register_days WHERE ${scope}`.execute(trx);

  const day = (expr: RawBuilder<unknown>): RawBuilder<string> => sql`least(${today}::date, ${expr})`;
  // One row per resident with the day it started to count for each figure (NULL: it does not count).
  const flagDays = FLAGS.map(
    (f) => sql`CASE WHEN adult_on IS NOT NULL AND data->>${sql.lit(f.field)} = ${sql.lit(f.value)}
      THEN ${day(sql`greatest(adult_on, coalesce(${localDay(sql`(field_meta->${sql.lit(f.field)}->>'at')::timestamptz`)}, added))`)} END AS ${sql.ref(f.column)}`,
  );
  const { rows } = await sql<{ n: number }>`
    WITH people AS (
      SELECT unit_id, data, field_meta, added,
        CASE WHEN (data->>'birthYear')::int <= ${adultBorn}
          THEN greatest(added, make_date(greatest((data->>'birthYear')::int + 18, 1), 1, 1)) END AS adult_on
      FROM (SELECT unit_id, data, field_meta, ${day(localDay(sql`created_at`))} AS added FROM residents WHERE ${scope}) r
    ),
    dated AS (
      SELECT unit_id, added, adult_on, ${sql.join(flagDays)} FROM people
    ),
    events AS (
      SELECT unit_id, ${day(localDay(sql`created_at`))} AS day, 1 AS households, 0 AS residents, 0 AS adults,
        0 AS smartphone, 0 AS sim_matched, 0 AS vneid2, 0 AS service_accounts, 0 AS wallet_or_bank
      FROM households WHERE ${scope}
      UNION ALL
      SELECT d.unit_id, e.* FROM dated d CROSS JOIN LATERAL (VALUES
        (d.added, 0, 1, 0, 0, 0, 0, 0, 0),
        (d.adult_on, 0, 0, 1, 0, 0, 0, 0, 0),
        (d.smartphone, 0, 0, 0, 1, 0, 0, 0, 0),
        (d.sim_matched, 0, 0, 0, 0, 1, 0, 0, 0),
        (d.vneid2, 0, 0, 0, 0, 0, 1, 0, 0),
        (d.service_accounts, 0, 0, 0, 0, 0, 0, 1, 0),
        (d.wallet_or_bank, 0, 0, 0, 0, 0, 0, 0, 1)
      ) e(day, households, residents, adults, smartphone, sim_matched, vneid2, service_accounts, wallet_or_bank)
      WHERE e.day IS NOT NULL
    ),
    written AS (
      INSERT INTO register_days (unit_id, day, households, residents, adults, smartphone, sim_matched, vneid2, service_accounts, wallet_or_bank)
      SELECT unit_id, day, sum(households), sum(residents), sum(adults), sum(smartphone), sum(sim_matched), sum(vneid2), sum(service_accounts), sum(wallet_or_bank)
      FROM events GROUP BY unit_id, day ORDER BY unit_id, day
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM written`.execute(trx);
  await sql`DELETE FROM register_dirty WHERE ${scope}`.execute(trx);
  return { villages: ids.length, rows: Number(rows[0]?.n ?? 0) };
}
