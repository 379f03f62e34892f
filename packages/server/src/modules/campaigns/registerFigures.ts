/**
 * Keeps `register_days` (the household register in figures, as signed daily changes per
 * village) in step with the register. Triggers on households and residents log which villages
 * changed (`register_dirty`); `refreshRegisterFigures` recounts those villages from the
 * register and writes the difference with what the rows already add up to, on today's row.
 * A village's figures at the end of any day are then the sum of its rows up to that day.
 *
 * The refresh runs before a dashboard reads (so a visit synced a moment ago shows), every
 * minute from the server, and once a day for every village (a resident who turns 18 changes
 * the adult count without any write). Concurrent refreshers skip each other (advisory lock).
 */
import { sql } from 'kysely';
import { localDateOf } from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import './schema.ts';

/** Advisory lock key: "CAUSOREG". */
const REFRESH_LOCK = 0x4341_5553_4f52_4547n;

const FIGURES = ['households', 'residents', 'adults', 'smartphone', 'sim_matched', 'vneid2', 'service_accounts', 'wallet_or_bank'] as const;

/**
 * Brings the given villages' figures up to date as of `now` (all villages when `unitIds` is
 * null). Returns how many villages it recounted.
 */
export async function recountVillages(trx: Trx, unitIds: readonly number[] | null, now: Date): Promise<number> {
  const day = localDateOf(now);
  const adultBorn = Number(day.slice(0, 4)) - 18;
  const ids = unitIds === null ? null : [...new Set(unitIds)].sort((a, b) => a - b);
  if (ids !== null && ids.length === 0) return 0;
  const scope = (col: string) => (ids === null ? sql`true` : sql`${sql.ref(col)} = ANY(${sql.val(ids)}::int[])`);
  const { rows } = await sql<{ n: number }>`
    WITH actual AS (
      SELECT unit_id,
        count(*) AS residents,
        count(*) FILTER (WHERE adult) AS adults,
        count(*) FILTER (WHERE adult AND data->>'smartphone' = 'true') AS smartphone,
        count(*) FILTER (WHERE adult AND data->>'simOwnership' = 'matched') AS sim_matched,
        count(*) FILTER (WHERE adult AND data->>'vneidLevel' = '2') AS vneid2,
        count(*) FILTER (WHERE adult AND data->>'publicServiceAccount' = 'true') AS service_accounts,
        count(*) FILTER (WHERE adult AND data->>'walletOrBank' = 'true') AS wallet_or_bank
      FROM (SELECT unit_id, data, coalesce((data->>'birthYear')::int <= ${adultBorn}, false) AS adult FROM residents WHERE ${scope('unit_id')}) r
      GROUP BY unit_id
    ),
    homes AS (SELECT unit_id, count(*) AS households FROM households WHERE ${scope('unit_id')} GROUP BY unit_id),
    recorded AS (
      SELECT unit_id, ${sql.join(FIGURES.map((f) => sql`sum(${sql.ref(f)}) AS ${sql.ref(f)}`))}
      FROM register_days WHERE ${scope('unit_id')} GROUP BY unit_id
    ),
    villages AS (
      SELECT unit_id FROM actual UNION SELECT unit_id FROM homes UNION SELECT unit_id FROM recorded
    ),
    diff AS (
      SELECT v.unit_id,
        coalesce(h.households, 0) - coalesce(rec.households, 0) AS households,
        ${sql.join(
          FIGURES.filter((f) => f !== 'households').map((f) => sql`coalesce(a.${sql.ref(f)}, 0) - coalesce(rec.${sql.ref(f)}, 0) AS ${sql.ref(f)}`),
        )}
      FROM villages v
      LEFT JOIN actual a ON a.unit_id = v.unit_id
      LEFT JOIN homes h ON h.unit_id = v.unit_id
      LEFT JOIN recorded rec ON rec.unit_id = v.unit_id
    ),
    written AS (
      INSERT INTO register_days (unit_id, day, ${sql.join(FIGURES.map((f) => sql.ref(f)))})
      SELECT unit_id, ${day}::date, ${sql.join(FIGURES.map((f) => sql.ref(f)))} FROM diff
      WHERE ${sql.join(FIGURES.map((f) => sql`${sql.ref(f)} <> 0`), sql` OR `)}
      ORDER BY unit_id
      ON CONFLICT (unit_id, day) DO UPDATE SET ${sql.join(FIGURES.map((f) => sql`${sql.ref(f)} = register_days.${sql.ref(f)} + excluded.${sql.ref(f)}`))}
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM villages)::int AS n`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Recounts the villages logged as changed. Skips (returning -1) when another refresher holds
 * the lock: its result is as fresh as ours would be.
 */
export async function refreshRegisterFigures(db: Db, now: Date): Promise<number> {
  // Most dashboard views find nothing to do: a plain read avoids a write transaction then.
  const pending = await db.kysely.selectFrom('register_dirty').select('id').limit(1).executeTakeFirst();
  if (!pending) return 0;
  return db.transaction(async (trx) => {
    const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${sql.lit(REFRESH_LOCK.toString())}::bigint) AS ok`.execute(trx);
    if (!rows[0]?.ok) return -1;
    const taken = await trx.deleteFrom('register_dirty').returning('unit_id').execute();
    if (taken.length === 0) return 0;
    return recountVillages(trx, taken.map((r) => r.unit_id), now);
  });
}

/** Recounts every village (the daily pass). */
export async function recountAllVillages(db: Db, now: Date): Promise<number> {
  return db.transaction(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(REFRESH_LOCK.toString())}::bigint)`.execute(trx);
    await trx.deleteFrom('register_dirty').execute();
    return recountVillages(trx, null, now);
  });
}
