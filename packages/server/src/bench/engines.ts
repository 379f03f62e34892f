/** Fresh databases for benchmarks: PGlite in a temporary folder on disk, or a new database on a PostgreSQL server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { seedReference } from '../seed/reference.ts';

export type BenchEngine = 'pglite' | 'postgres';

export async function benchDatabase(engine: BenchEngine, serverUrl?: string): Promise<{ db: Db; dispose: () => Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'causo-bench-'));
    const db = await openDatabase({ dataDir: dir });
    await migrate(db);
    await seedReference(db);
    return { db, dispose: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  if (!serverUrl) throw new Error('the PostgreSQL benchmark needs BENCH_DATABASE_URL (or DATABASE_URL) pointing at a server, e.g. postgres://postgres@127.0.0.1:5432/postgres');
  const name = `causo_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), poolSize: 4 });
  await migrate(db);
  await seedReference(db);
  return {
    db,
    dispose: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
