/** `causo audit verify` as an operator runs it: a separate process on the same database. */
import { it, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { audit } from '../../src/modules/audit/service.ts';
import { engines } from '../support/engines.ts';

const CAUSO = fileURLToPath(new URL('../../../../bin/causo.mjs', import.meta.url));

function causo(args: string[], env: Record<string, string>): { status: number | null; out: string } {
  const base: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'silent', SEED_DEMO: 'false' };
  delete base.DATABASE_URL;
  const r = spawnSync(process.execPath, [CAUSO, ...args], { env: { ...base, ...env }, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Target {
  env: Record<string, string>;
  open: () => Promise<Db>;
  cleanup: () => Promise<void>;
}

async function target(engine: 'pglite' | 'postgres'): Promise<Target> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'causo-audit-cli-'));
    return { env: { DATA_DIR: dir }, open: () => openDatabase({ dataDir: dir }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = new URL(process.env.TEST_DATABASE_URL ?? '');
  const name = `causo_audit_cli_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    open: () => openDatabase({ databaseUrl: url.toString(), poolSize: 2 }),
    cleanup: async () => {
      const a = new pg.Client({ connectionString: base.toString() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

for (const engine of engines()) {
  describe(`causo audit verify [${engine}]`, () => {
    let t: Target;
    after(async () => t?.cleanup());

    it('says how many entries there are and that the chain is intact, sealing pending entries first', async () => {
      t = await target(engine);
      const db = await t.open();
      await migrate(db);
      await db.transaction(async (trx) => {
        for (let i = 0; i < 12; i++) await audit(trx, { actorId: null, action: 'cli.test', entity: 'thing', entityId: i, ip: '127.0.0.1' });
      });
      await db.close();
      const r = causo(['audit', 'verify'], t.env);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /^12 entries, chain intact; head #12 [0-9a-f]{64}/);
    });

    it('reports a changed entry with what was expected and what was found, and exits with 1', async () => {
      const db = await t.open();
      const row = await db.kysely.selectFrom('audit_log').select(['id', 'hash']).where('chain_seq', '=', 5).executeTakeFirstOrThrow();
      await db.transaction(async (trx) => {
        await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
        await sql`UPDATE audit_log SET entity_id = '999' WHERE id = ${row.id}`.execute(trx);
        await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(trx);
      });
      await db.close();
      const r = causo(['audit', 'verify'], t.env);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /chain BROKEN at 1 place/);
      assert.match(r.out, new RegExp(`entry #5 \\(id ${row.id},.*cli\\.test\\): the entry was changed`));
      assert.match(r.out, new RegExp(`found    ${row.hash}`));
      assert.match(r.out, /expected [0-9a-f]{64}/);
    });

    it('refuses a malformed anchor with a message that says what to give', () => {
      const r = causo(['audit', 'verify', '--anchor', 'yesterday'], t.env);
      assert.notEqual(r.status, 0);
      assert.match(r.out, /SEQ:HASH/);
    });
  });
}
