/**
 * The SMS outbox when the server dies between handing a message to the SMSC and recording it,
 * on both engines: a real server process (`node bin/causo.mjs serve`, SMS_GATEWAY=smpp) sends 30
 * queued messages to a local SMSC, which SIGKILLs it on receiving the 10th submit_sm, before
 * answering. The server is started again and sends the rest. Nothing may be lost; with an SMPP
 * window of 1 at most one message may reach the SMSC twice, and that one must be flagged
 * (duplicate_suspected) and logged by the restarted server.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, PGLITE_CONF, type Db } from '../../src/db/database.ts';
import { PG_PARSERS } from '../../src/db/types.ts';
import { Vault } from '../../src/security/vault.ts';
import { queueMessage } from '../../src/modules/notify/outbox.ts';
import { SmppStatus } from '../../src/adapters/sms/smppModule.ts';
import { LocalSmsc, type SmscAnswer } from '../../src/bench/notify.ts';
import { engines, freshPostgres, pgliteTemplate, type Engine } from '../support/engines.ts';
import { ServerProcess, freePort } from '../chaos/serverProcess.ts';

const DATA_KEY = 'worker-crash-test-data-key-0123456789-abcdefghij';
const SYSTEM_ID = 'causo';
const PASSWORD = 'crash123';
const MESSAGES = 30;
const KILL_AT = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms: number, detail: () => string = () => ''): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`${what}: not within ${ms} ms\n${detail()}`);
    await sleep(25);
  }
}

interface Prepared {
  serverEnv: Record<string, string>;
  /** The outbox rows' ids, in the order written. */
  ids: number[];
  /** Opens the database for inspection (PGlite: only once the server has stopped). */
  inspect: () => Promise<Db>;
  dispose: () => Promise<void>;
}

/** A fresh migrated database (the test template: reference data, no demo) holding the queued messages. */
async function prepare(engine: Engine, texts: string[]): Promise<Prepared> {
  const vault = new Vault(DATA_KEY);
  const queue = async (db: Db) => {
    const ids: number[] = [];
    for (const [i, text] of texts.entries())
      await db.transaction(async (trx) => {
        const id = await queueMessage(trx, vault, { to: `09125${String(i).padStart(5, '0')}`, text, purpose: 'other' });
        assert.ok(id !== null);
        ids.push(id);
      });
    return ids;
  };
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'causo-notify-crash-'));
    const pglite = await PGlite.create(dir, { loadDataDir: await pgliteTemplate(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF });
    const db = await openDatabase({ pglite });
    const ids = await queue(db);
    await db.close();
    let opened: Db | null = null;
    return {
      serverEnv: { DATA_DIR: dir },
      ids,
      inspect: async () => (opened ??= await openDatabase({ dataDir: dir })),
      dispose: async () => {
        await opened?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const pg = await freshPostgres();
  const ids = await queue(pg.db);
  return {
    serverEnv: { DATABASE_URL: pg.url, DB_POOL_SIZE: '5' },
    ids,
    inspect: async () => pg.db,
    dispose: async () => {
      await pg.db.close();
      await pg.drop();
    },
  };
}

/** The server's pino lines (JSON), from its captured output. */
function logLines(server: ServerProcess): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of server.tail(400).split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the kill
    }
  }
  return out;
}

describe('the SMS outbox survives a worker killed between sending and recording', () => {
  for (const engine of engines())
    it(`[${engine}] ${MESSAGES} messages, SIGKILL on the ${KILL_AT}th submit_sm before its answer, restart: nothing lost, at most one sent twice and that one flagged`, { timeout: 120_000 }, async (t) => {
      const started = Date.now();
      const texts = Array.from({ length: MESSAGES }, (_, i) => `Cau So: tin so ${String(i + 1).padStart(2, '0')} (${engine})`);
      const prepared = await prepare(engine, texts);
      const smsc = await LocalSmsc.start({ systemId: SYSTEM_ID, password: PASSWORD });
      const port = await freePort();
      const env = {
        ...prepared.serverEnv,
        SEED_DEMO: 'false',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_KEY,
        TELECOM_SIM_LATENCY_MS: '0',
        SMS_GATEWAY: 'smpp',
        SMPP_HOST: '127.0.0.1',
        SMPP_PORT: String(smsc.port),
        SMPP_SYSTEM_ID: SYSTEM_ID,
        SMPP_PASSWORD: PASSWORD,
        SMPP_SOURCE_ADDR: 'CAUSO',
        SMPP_WINDOW: '1',
        SMS_SEND_INTERVAL_MS: '100',
        NOTIFY_LEASE_MS: '1000',
      };
      const first = new ServerProcess(port, env);
      const second = new ServerProcess(port, env);
      let killedAt: number | null = null;
      smsc.answer = (s): SmscAnswer => {
        if (killedAt === null && s.n === KILL_AT) {
          // Power cut with the message in the SMSC's hands and its answer not yet given.
          killedAt = s.n;
          void first.kill();
          return 'hold';
        }
        return { status: SmppStatus.OK };
      };
      const diagnose = () => `SMSC got ${smsc.submits.length} submits\nfirst server:\n${first.tail(20)}\nsecond server:\n${second.tail(20)}`;
      try {
        // The kill may come before the first server has answered /healthz: that is not a failure.
        const firstStart = first.start().catch((err: unknown) => {
          if (killedAt === null) throw err;
          return -1;
        });
        await waitFor('the first server is killed at the 10th submit', () => killedAt !== null && !first.running, 60_000, diagnose);
        await firstStart;
        const beforeRestart = smsc.submits.length;
        assert.equal(beforeRestart, KILL_AT, 'nothing reached the SMSC after the kill');
        t.diagnostic(`${engine}: killed at submit ${KILL_AT} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

        const restartMs = await second.start();
        t.diagnostic(`${engine}: restarted in ${(restartMs / 1000).toFixed(1)} s`);
        const acceptedTexts = () => new Set(smsc.accepted().map((s) => s.text));
        await waitFor('every message accepted by the SMSC', () => texts.every((text) => acceptedTexts().has(text)), 30_000, diagnose);
        const inspectDb = engine === 'postgres' ? await prepared.inspect() : null;
        if (inspectDb) {
          // The server is still running: wait for it to record the last sends.
          await waitFor(
            'every row sent',
            async () => (await inspectDb.kysely.selectFrom('notify_outbox').select('id').where('id', 'in', prepared.ids).where('status', '<>', 'sent').execute()).length === 0,
            10_000,
            diagnose,
          );
        }
        // An orderly stop finishes the round in progress (PGlite can then be opened here).
        await second.stop();

        const db = await prepared.inspect();
        const rows = await db.kysely.selectFrom('notify_outbox').select(['id', 'body', 'status', 'attempts', 'duplicate_suspected', 'provider_id']).where('id', 'in', prepared.ids).orderBy('id').execute();
        assert.equal(rows.length, MESSAGES);
        assert.deepEqual(
          rows.filter((r) => r.status !== 'sent').map((r) => `${r.id}: ${r.status}`),
          [],
          'no row is left unsent',
        );

        const counts = smsc.countsByText();
        assert.deepEqual(
          texts.filter((text) => !counts.has(text)),
          [],
          'every message reached the SMSC at least once',
        );
        const twice = texts.filter((text) => (counts.get(text) ?? 0) > 1);
        assert.ok(twice.length <= 1, `at most one message reached the SMSC twice; these did: ${twice.join(' | ')}`);
        assert.ok(texts.every((text) => (counts.get(text) ?? 0) <= 2), 'none more than twice');

        const warnings = logLines(second).filter((l) => typeof l.msg === 'string' && l.msg.includes('may be sent twice'));
        const warned = new Set(warnings.map((l) => l.outboxId));
        const flagged = rows.filter((r) => r.duplicate_suspected);
        for (const text of twice) {
          const row = rows.find((r) => r.body === text);
          assert.ok(row, `the row of "${text}"`);
          assert.equal(row.duplicate_suspected, true, `row ${row.id} reached the SMSC twice and is flagged duplicate_suspected`);
          assert.ok(warned.has(row.id), `the restarted server logged 'may be sent twice' for outbox ${row.id}; it warned for ${[...warned].join(', ')}`);
        }
        // Flags and warnings are for rows the dead worker held, never for rows it had recorded.
        const recordedBeforeKill = rows.filter((r) => r.attempts === 1);
        assert.ok(
          recordedBeforeKill.every((r) => !r.duplicate_suspected && !warned.has(r.id)),
          'a row recorded before the kill is neither flagged nor warned about',
        );
        t.diagnostic(
          `${engine}: ${smsc.submits.length} submits for ${MESSAGES} messages; sent twice: ${twice.length ? twice.map((x) => `"${x}"`).join(', ') : 'none'}; ` +
            `rows flagged duplicate_suspected: ${flagged.length} (${flagged.map((r) => r.id).join(', ')}); 'may be sent twice' warnings: ${warnings.length}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      } finally {
        await first.kill();
        await second.kill();
        await smsc.stop();
        await prepared.dispose();
      }
    });
});
