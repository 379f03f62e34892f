/**
 * Limits on public look-ups, counted in the database per fixed window (so they hold across app
 * servers and restarts). Keys are keyed hashes: the table never shows an IP address or which
 * dossier codes were tried.
 */
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../../../context.ts';

export interface LookupAttemptsTable {
  scope: string;
  key_hash: string;
  window_start: Date;
  hits: number;
}

declare module '../../../../db/schema.ts' {
  interface DB {
    lookup_attempts: LookupAttemptsTable;
  }
}

export interface Limit {
  scope: string;
  max: number;
  windowMinutes: number;
}

export function limitKey(ctx: AppContext, scope: string, value: string): string {
  return createHmac('sha256', ctx.config.dataKey).update(`lookup:${scope}:${value}`).digest('base64url').slice(0, 32);
}

function windowStart(now: Date, minutes: number): Date {
  const ms = minutes * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

/** Counts one attempt and returns how many there have been in this window (this one included). */
export async function countAttempt(ctx: AppContext, limit: Limit, key: string): Promise<number> {
  const start = windowStart(ctx.now(), limit.windowMinutes);
  const row = await ctx.db.kysely
    .insertInto('lookup_attempts')
    .values({ scope: limit.scope, key_hash: key, window_start: start, hits: 1 })
    .onConflict((oc) => oc.columns(['scope', 'key_hash', 'window_start']).doUpdateSet({ hits: sql<number>`lookup_attempts.hits + 1` }))
    .returning('hits')
    .executeTakeFirstOrThrow();
  // The first attempt of a window is a good moment to forget windows a day old.
  if (row.hits === 1) await ctx.db.kysely.deleteFrom('lookup_attempts').where('window_start', '<', new Date(start.getTime() - 86_400_000)).execute();
  return row.hits;
}

export async function attemptsSoFar(ctx: AppContext, limit: Limit, key: string): Promise<number> {
  const row = await ctx.db.kysely
    .selectFrom('lookup_attempts')
    .select('hits')
    .where('scope', '=', limit.scope)
    .where('key_hash', '=', key)
    .where('window_start', '=', windowStart(ctx.now(), limit.windowMinutes))
    .executeTakeFirst();
  return row?.hits ?? 0;
}
