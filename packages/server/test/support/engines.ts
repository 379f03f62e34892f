/**
 * Every database test runs on both engines from one definition: PGlite always, and the
 * PostgreSQL server at TEST_DATABASE_URL (scripts/test.mjs starts one). Each test file gets a
 * fresh database cloned from a template that is migrated and holds the reference data, so a
 * file starts in well under a second instead of re-running initdb and the seeds.
 */
import { describe, before, after } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openDatabase, PGLITE_CONF, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { seedReference } from '../../src/seed/reference.ts';
import { PG_PARSERS } from '../../src/db/types.ts';

export type Engine = 'pglite' | 'postgres';

export function engines(): Engine[] {
  const only = process.env.TEST_ENGINES?.split(',').map((s) => s.trim());
  const list: Engine[] = ['pglite'];
  if (process.env.TEST_DATABASE_URL) list.push('postgres');
  else if (process.env.CI) throw new Error('TEST_DATABASE_URL must be set in CI: every database test runs on PostgreSQL too');
  return only ? list.filter((e) => only.includes(e)) : list;
}

/** Changes to migrations, seed files or the code that seeds make a new template. */
const SEEDING_CODE = ['../../src/seed/reference.ts', '../../src/modules/units/seed.ts', '../../src/modules/procedures/seed.ts', '../../src/modules/calendar/service.ts'];
function templateKey(): string {
  const h = createHash('sha256');
  for (const dir of ['../../src/db/migrations/', '../../seed/']) {
    const abs = fileURLToPath(new URL(dir, import.meta.url));
    // Files only: demo data folders (seed/demo/) do not shape the template.
    for (const f of readdirSync(abs, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name).sort()) h.update(f).update(readFileSync(join(abs, f)));
  }
  for (const f of SEEDING_CODE) h.update(readFileSync(fileURLToPath(new URL(f, import.meta.url))));
  return h.digest('hex').slice(0, 12);
}

/** The migrated, seeded PGlite data folder as a tarball (the chaos test restores it into a folder on disk). */
export async function pgliteTemplate(): Promise<Blob> {
  const dir = join(tmpdir(), 'causo-test-templates');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `pglite-${templateKey()}.tar`);
  if (!existsSync(file)) {
    const db = await openDatabase({ dataDir: 'memory://' });
    await migrate(db);
    await seedReference(db);
    if (!db.pglite) throw new Error('openDatabase did not expose its PGlite instance');
    const dump = await db.pglite.dumpDataDir('none');
    const tmp = `${file}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file); // atomic: parallel test files never read half a template
    await db.close();
  }
  return new Blob([readFileSync(file)]);
}

async function freshPglite(): Promise<Db> {
  const pglite = await PGlite.create({ loadDataDir: await pgliteTemplate(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF });
  return openDatabase({ pglite });
}

/** A new database cloned from the template; `url` lets another process (a real server) open it too. */
export async function freshPostgres(): Promise<{ db: Db; url: string; drop: () => Promise<void> }> {
  const url = new URL(process.env.TEST_DATABASE_URL ?? '');
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  const template = `causo_tpl_${templateKey()}`;
  try {
    await admin.query('SELECT pg_advisory_lock(4242)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      const tu = new URL(url.toString());
      tu.pathname = `/${building}`;
      const tdb = await openDatabase({ databaseUrl: tu.toString(), poolSize: 2 });
      await migrate(tdb);
      await seedReference(tdb);
      await tdb.close();
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock(4242)');
  }
  const name = `causo_t_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const u = new URL(url.toString());
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), poolSize: 8 });
  return {
    db,
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: url.toString() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function freshDatabase(engine: Engine): Promise<{ db: Db; dispose: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await freshPglite();
    return { db, dispose: () => db.close() };
  }
  const { db, drop } = await freshPostgres();
  return {
    db,
    dispose: async () => {
      await db.close();
      await drop();
    },
  };
}

/**
 * `describeEachEngine('dossier actions', (env) => { it(...) })`: the suite runs once per engine;
 * `env.db` is ready inside tests (not at definition time).
 */
export function describeEachEngine(name: string, body: (env: { readonly db: Db; readonly engine: Engine }) => void): void {
  for (const engine of engines()) {
    describe(`${name} [${engine}]`, () => {
      let current: { db: Db; dispose: () => Promise<void> } | null = null;
      const env = {
        engine,
        get db(): Db {
          if (!current) throw new Error('database not ready: use env.db inside a test or hook');
          return current.db;
        },
      };
      before(async () => {
        current = await freshDatabase(engine);
      });
      after(async () => {
        await current?.dispose();
      });
      body(env);
    });
  }
}
