/**
 * SQL-first migrations: `migrations/NNN_name.sql`, applied in order, each in its own
 * transaction, recorded with a checksum so an edited migration is noticed. An advisory lock
 * keeps two app servers starting at once from migrating twice.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Db } from './database.ts';

const DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 7_046_301; // arbitrary, constant

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(DIR + f, 'utf8');
      return {
        version: Number(f.slice(0, 3)),
        name: f.slice(4, -4),
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      };
    });
}

/**
 * Applies what is pending, in order. `upTo` stops after that version: a restore loads a backup
 * into the schema it was taken from, then runs the later migrations over the data as an upgrade would.
 */
export async function migrate(db: Db, opts: { upTo?: number } = {}): Promise<{ applied: string[]; current: number }> {
  return db.raw(async (c) => {
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    await c.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      const done = new Map(
        (await c.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')).map((r) => [
          r.version,
          r.checksum,
        ]),
      );
      const applied: string[] = [];
      for (const m of listMigrations()) {
        if (opts.upTo !== undefined && m.version > opts.upTo) break;
        const seen = done.get(m.version);
        if (seen) {
          if (seen !== m.checksum) throw new Error(`migration ${m.version}_${m.name} was changed after it was applied`);
          continue;
        }
        await c.query('BEGIN');
        try {
          await c.exec(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            m.checksum,
          ]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw e;
        }
        applied.push(`${m.version}_${m.name}`);
      }
      const all = listMigrations();
      return { applied, current: all[all.length - 1]?.version ?? 0 };
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  });
}

/** Migrations not yet applied (for `causo doctor` and /readyz). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  return db.raw(async (c) => {
    const exists = await c.query<{ ok: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`);
    const done = exists[0]?.ok ? new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version)) : new Set<number>();
    return listMigrations()
      .filter((m) => !done.has(m.version))
      .map((m) => `${m.version}_${m.name}`);
  });
}
