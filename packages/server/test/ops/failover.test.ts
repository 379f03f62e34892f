/**
 * High availability on PostgreSQL: a primary and a synchronous streaming replica (two clusters
 * this test starts on loopback), and the real server (`node bin/causo.mjs serve`) with a
 * two-host DATABASE_URL (target_session_attrs=read-write) and the replica as
 * DATABASE_REPLICA_URL. Reports are read from the replica. Dossiers are submitted without pause;
 * the primary is killed (`pg_ctl stop -m immediate`) and the replica promoted; the server must
 * find the new primary on its own, and every dossier it acknowledged must be in the promoted
 * database exactly once, with the II.06a counters agreeing with a recount.
 *
 * PostgreSQL only (it runs its own clusters, not the TEST_DATABASE_URL server); skipped when
 * the PostgreSQL binaries are missing. FAILOVER_WRITERS sets the concurrent submitters (4).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { seedReference } from '../../src/seed/reference.ts';
import { verifyCounters } from '../../src/modules/reports/recount.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { ServerProcess, freePort } from '../chaos/serverProcess.ts';

const WRITERS = Number(process.env.FAILOVER_WRITERS ?? 4);
/** The app must write again within this long after the promotion, without a restart. */
const RECOVERY_BUDGET_MS = 30_000;
const DATA_KEY = 'failover-test-data-key-0123456789-abcdefghijklmn';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const trace = (line: string) => process.env.FAILOVER_TRACE && process.stdout.write(`# ${line}\n`);

function findPgBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a)))
    if (['initdb', 'pg_ctl', 'pg_basebackup'].every((b) => existsSync(join(base, v, 'bin', b)))) return join(base, v, 'bin');
  return null;
}

const PG_BIN = findPgBin();
const asRoot = process.getuid?.() === 0;

/** initdb refuses root: the clusters run as the postgres user then. */
function run(cmd: string, args: string[]): string {
  const bin = join(PG_BIN ?? '', cmd);
  const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' }) : spawnSync(bin, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

class Cluster {
  constructor(
    readonly dir: string,
    readonly port: number,
    readonly socketDir: string,
  ) {}
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }
  start(): void {
    const opts = [`-p ${this.port}`, `-k ${this.socketDir}`, '-c listen_addresses=127.0.0.1', '-c wal_level=replica', '-c max_wal_senders=5', '-c fsync=off', '-c synchronous_commit=on', '-c max_connections=60'];
    run('pg_ctl', ['-D', this.dir, '-w', '-t', '60', '-l', `${this.dir}.log`, '-o', opts.join(' '), 'start']);
  }
  /** The server dies as in a power cut: no shutdown checkpoint, connections cut. */
  kill(): void {
    run('pg_ctl', ['-D', this.dir, '-m', 'immediate', 'stop']);
  }
  promote(): void {
    run('pg_ctl', ['-D', this.dir, '-w', '-t', '60', 'promote']);
  }
  stopQuietly(): void {
    try {
      run('pg_ctl', ['-D', this.dir, '-m', 'immediate', 'stop']);
    } catch {
      // not running
    }
  }
  async query<R extends pg.QueryResultRow>(text: string, params: unknown[] = [], db = 'causo'): Promise<R[]> {
    const c = new pg.Client({ connectionString: `${this.url}/${db}` });
    await c.connect();
    try {
      return (await c.query<R>(text, params)).rows;
    } finally {
      await c.end();
    }
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, ms: number, detail: () => string = () => ''): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) assert.fail(`${what}: not within ${ms} ms\n${detail()}`);
    await sleep(100);
  }
}

describe('PostgreSQL failover: primary, synchronous replica, promotion', { skip: PG_BIN ? false : 'PostgreSQL binaries (initdb, pg_ctl, pg_basebackup in /usr/lib/postgresql/*/bin) not found: apt-get install postgresql' }, () => {
  let work = '';
  let primary: Cluster;
  let replica: Cluster;
  let server: ServerProcess | null = null;
  let officer = { username: '', password: '' };

  before(async () => {
    const t0 = Date.now();
    const step = (what: string) => trace(`${what}: ${Date.now() - t0} ms`);
    work = mkdtempSync(join(tmpdir(), 'causo-failover-'));
    chmodSync(work, 0o777);
    primary = new Cluster(join(work, 'primary'), await freePort(), work);
    replica = new Cluster(join(work, 'replica'), await freePort(), work);
    run('initdb', ['-D', primary.dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    primary.start();
    step('primary started');
    await primary.query('CREATE DATABASE causo', [], 'postgres');
    const db = await openDatabase({ databaseUrl: `${primary.url}/causo`, poolSize: 4 });
    try {
      await migrate(db);
      await seedReference(db);
      const o = await makeOfficer(db, [
        { role: 'officer', unitCode: '25309', on: '2022-08-15' },
        { role: 'officer', unitCode: '25309', on: '2025-07-01' },
      ]);
      officer = { username: o.username, password: o.password };
      step('seeded');
    } finally {
      await db.close();
    }
    run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', replica.dir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    // The name the primary's synchronous_standby_names waits for (a later line wins over -R's).
    appendFileSync(join(replica.dir, 'postgresql.auto.conf'), `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres application_name=replica1'\n`);
    replica.start();
    step('replica started');
    await primary.query("ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (replica1)'");
    await primary.query('SELECT pg_reload_conf()');
    await waitFor(
      'the replica streams synchronously',
      async () => (await primary.query("SELECT 1 FROM pg_stat_replication WHERE application_name = 'replica1' AND state = 'streaming' AND sync_state = 'sync'")).length === 1,
      30_000,
    );
    step('synchronous');
  });

  after(async () => {
    await server?.stop().catch(() => {});
    primary?.stopQuietly();
    replica?.stopQuietly();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('reads reports from the replica, follows the promoted replica on its own and loses no acknowledged dossier', { timeout: 240_000 }, async () => {
    const started = Date.now();
    server = new ServerProcess(await freePort(), {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${replica.port}/causo?target_session_attrs=read-write`,
      DATABASE_REPLICA_URL: `postgres://postgres@127.0.0.1:${replica.port}/causo`,
      DATA_DIR: join(work, 'app'),
      DATA_KEY,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    });
    await server.start();
    trace(`server started: ${Date.now() - started} ms`);
    const base = server.url;
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(officer) });
    assert.equal(login.status, 200, await login.clone().text());
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };

    // Reports come from the replica: its connection's last statement is the report's.
    const report = await fetch(`${base}/api/v1/reports/ii06a?preset=year&year=2026&unit=25309`, { headers: auth });
    assert.equal(report.status, 200, await report.clone().text());
    const onReplica = await replica.query<{ query: string }>("SELECT query FROM pg_stat_activity WHERE datname = 'causo' AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
    assert.ok(onReplica.some((r) => r.query.includes('ii06a_counters')), `no report query on the replica: ${JSON.stringify(onReplica)}`);
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { replica?: { reachable: boolean; server: string } };
    assert.deepEqual(ready.replica, { server: `postgres://127.0.0.1:${replica.port}/causo`, reachable: true });

    // Writers: each dossier is retried with its transactionId until acknowledged (a client that never gives up).
    const acked: string[] = [];
    const ackTimes: number[] = [];
    let failures = 0;
    let lastFailure = '';
    let stop = false;
    const submit = async (transactionId: string): Promise<boolean> => {
      try {
        const res = await fetch(`${base}/api/v1/dossiers`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ transactionId, procedureCode: '1.001193', unitCode: '25309', channel: 1, applicant: { fullName: 'Nông Văn Tuấn' } }),
          signal: AbortSignal.timeout(15_000),
        });
        const body = await res.text();
        if (res.status === 201 || res.status === 200) return true;
        lastFailure = `${res.status} ${body.slice(0, 300)}`;
        return false;
      } catch (e) {
        lastFailure = String(e);
        return false;
      }
    };
    const writer = async () => {
      while (!stop) {
        const id = randomUUID();
        while (!stop) {
          if (await submit(id)) {
            acked.push(id);
            ackTimes.push(Date.now());
            break;
          }
          failures++;
          await sleep(50);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, writer);
    trace(`writing: ${Date.now() - started} ms`);
    try {
      await waitFor('dossiers acknowledged before the failover', async () => acked.length >= 30, 30_000);
      const beforeKill = acked.length;
      trace(`killing the primary: ${Date.now() - started} ms`);
      primary.kill();
      const killedAt = Date.now();
      await sleep(1_000);
      replica.promote();
      const promotedAt = Date.now();
      await waitFor('the app writes again after the promotion, without a restart', async () => ackTimes.some((t) => t > promotedAt), RECOVERY_BUDGET_MS, () => `last failure: ${lastFailure}\nserver:\n${server?.tail() ?? ''}`);
      const recoveredMs = (ackTimes.find((t) => t > promotedAt) ?? 0) - promotedAt;
      const ackedAtRecovery = acked.length;
      await waitFor('more dossiers on the new primary', async () => acked.length >= ackedAtRecovery + 15, 20_000);
      stop = true;
      await Promise.all(writers);
      process.stdout.write(`# failover: ${beforeKill} acknowledged before the kill, ${acked.length} in all, ${failures} failed attempts; writes again ${recoveredMs} ms after promotion (${promotedAt - killedAt} ms after the kill); ${Date.now() - started} ms\n`);
    } finally {
      stop = true;
      await Promise.all(writers);
    }

    // Reports still answer (the replica is now the primary).
    assert.equal((await fetch(`${base}/api/v1/reports/ii06a?preset=year&year=2026&unit=25309`, { headers: auth })).status, 200);
    await server.stop();

    const db = await openDatabase({ databaseUrl: `${replica.url}/causo`, poolSize: 2 });
    try {
      const rows = await db.raw((c) =>
        c.query<{ transaction_id: string; n: number }>("SELECT transaction_id, count(*)::int AS n FROM dossier_actions WHERE action = 'create' AND transaction_id = ANY($1) GROUP BY transaction_id", [acked]),
      );
      const found = new Map(rows.map((r) => [r.transaction_id, r.n]));
      const missing = acked.filter((t) => !found.has(t));
      const twice = rows.filter((r) => r.n !== 1);
      assert.deepEqual({ missing: missing.length, twice: twice.length }, { missing: 0, twice: 0 }, `missing ${missing.slice(0, 5).join(', ')}; more than once ${JSON.stringify(twice.slice(0, 5))}`);
      const counters = await verifyCounters(db);
      assert.ok(counters.ok, counters.differences.join('\n'));
    } finally {
      await db.close();
    }
  });
});
