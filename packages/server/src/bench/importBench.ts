/**
 * `causo bench import --rows N`: writes a valid CSV of N synthetic dossiers of Bình Phước 2022,
 * then times `importDossiersCsv` (read, validate every row, load, counters, commit) on a fresh
 * database: PGlite in a temporary folder on disk, or a new database on a PostgreSQL server,
 * dropped afterwards. Prints rows, seconds, rows/s and the process's peak RSS.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { toLocalIso } from '@causo/domain';
import { loadConfig } from '../config.ts';
import { createContext } from '../context.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { seedReference } from '../seed/reference.ts';
import { CalendarService } from '../modules/calendar/service.ts';
import { IMPORT_COLUMNS, importDossiersCsv } from '../modules/dossiers/importCsv.ts';
import { syntheticDossiers, syntheticSource } from './syntheticDossiers.ts';

export interface ImportBenchOptions {
  rows: number;
  engine: 'pglite' | 'postgres';
  /** The PostgreSQL server to create the benchmark database on. */
  databaseUrl?: string | undefined;
  log: (line: string) => void;
}

export async function benchImport(opts: ImportBenchOptions): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'causo-bench-import-'));
  const { db, dispose } = await freshDatabase(opts, work);
  try {
    const file = join(work, 'dossiers.csv');
    await writeSyntheticCsv(db, file, opts.rows);
    const ctx = createContext(loadConfig({ LOG_LEVEL: 'silent' }), db, pino({ level: 'silent' }));

    const started = performance.now();
    let firstStored = 0;
    const { imported } = await importDossiersCsv(ctx, file, {
      actorId: null,
      onProgress: () => (firstStored ||= performance.now() - started),
    });
    const seconds = (performance.now() - started) / 1000;

    const rss = Math.round(process.resourceUsage().maxRSS / 1024);
    const mb = (statSync(file).size / 1e6).toFixed(0);
    opts.log(
      `[${opts.engine}] import: ${imported.toLocaleString('en')} rows (${mb} MB CSV) in ${seconds.toFixed(1)} s = ` +
        `${Math.round(imported / seconds).toLocaleString('en')} rows/s; peak RSS ${rss} MB (target: 1,000,000 rows in < 60 s)`,
    );
    opts.log(`[${opts.engine}] first chunk stored after ${(firstStored / 1000).toFixed(1)} s (rows are loaded while the file is still being checked)`);
  } finally {
    await dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

/** PGlite in a folder on disk (not memory: that is how it runs), or a throwaway database on the server. */
async function freshDatabase(opts: ImportBenchOptions, work: string): Promise<{ db: Db; dispose: () => Promise<void> }> {
  if (opts.engine === 'pglite') {
    const db = await openDatabase({ dataDir: join(work, 'pglite') });
    await migrate(db);
    await seedReference(db);
    return { db, dispose: () => db.close() };
  }
  if (!opts.databaseUrl) throw new Error('the PostgreSQL import benchmark needs a server URL (BENCH_DATABASE_URL or DATABASE_URL)');
  const name = `causo_bench_import_${randomBytes(4).toString('hex')}`;
  await onServer(opts.databaseUrl, `CREATE DATABASE ${name}`);
  const url = new URL(opts.databaseUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
  const dispose = async () => {
    await db.close();
    await onServer(opts.databaseUrl ?? '', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  try {
    await migrate(db);
    await seedReference(db);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { db, dispose };
}

async function onServer(url: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/**
 * Dossiers received in 2022 across Bình Phước's communes and the whole catalogue: the same
 * generator as the report benchmark (receptions in working hours, due dates from the SLAs,
 * ~86% finished and a few of those late, the rest open, waiting or stopped; 30% online).
 * Nothing with status 1 or 3: a dossier never received is placed at the unit in force on the
 * day of the import, and Bình Phước's 2022 communes are not in force any more.
 */
async function writeSyntheticCsv(db: Db, file: string, rows: number): Promise<void> {
  const calendar = await new CalendarService(db).calendar();
  const source = await syntheticSource(db, '70', '2022-06-01', calendar);
  const unitCode = new Map((await db.kysely.selectFrom('units').select(['id', 'code']).execute()).map((u) => [u.id, u.code]));
  const procedureCode = new Map((await db.kysely.selectFrom('procedures').select(['id', 'code']).execute()).map((p) => [p.id, p.code]));
  const time = (d: Date | null) => (d ? toLocalIso(d) : '');

  const out = createWriteStream(file);
  out.write(`${IMPORT_COLUMNS.join(',')}\n`);
  for (const batch of syntheticDossiers(source, calendar, { count: rows, year: 2022, tag: 'b', seed: 3 })) {
    const lines = batch.map((d) =>
      [d.code, procedureCode.get(d.procedureId), unitCode.get(d.unitId), d.channel, d.status, time(d.receivedAt), time(d.dueAt), time(d.finishedAt)].join(','),
    );
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
