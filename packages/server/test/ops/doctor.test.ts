/**
 * `causo doctor` on both engines: a healthy installation passes; pending or unknown migrations,
 * an unreachable database, a low disk, a wrong clock, an SMSC or mail server that is down or
 * refuses our account, and stale backups each fail with what to fix, in both languages; an
 * embedded folder held by a running server is asked through that server, never opened twice.
 * The command itself is run as a process against each engine.
 */
import { before, after, it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { SMTPServer } from 'smtp-server';
import { engines, freshPostgres, pgliteTemplate, type Engine } from '../support/engines.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, PGLITE_CONF } from '../../src/db/database.ts';
import { PG_PARSERS } from '../../src/db/types.ts';
import { LOCK_FILE, lockDataDir } from '../../src/db/dataDirLock.ts';
import { runChecks, type CheckResult, type DoctorDeps } from '../../src/ops/doctor/checks.ts';
import { failed, renderText } from '../../src/ops/doctor/render.ts';
import { SmsSink } from '../../src/adapters/sms/sink.ts';
import { EmailSink } from '../../src/adapters/email/sink.ts';
import { SmsSmppGateway } from '../../src/adapters/sms/smppGateway.ts';
import { EmailSmtpGateway } from '../../src/adapters/email/smtp.ts';
import { LocalSmsc } from '../../src/bench/notify.ts';
import { freePort } from '../chaos/serverProcess.ts';

const CAUSO_BIN = fileURLToPath(new URL('../../../../bin/causo.mjs', import.meta.url));
const GiB = 1024 ** 3;

interface Installation {
  env: Record<string, string>;
  /** Runs SQL on the installation's database (closed again after, so the doctor can open it). */
  sql: (text: string) => Promise<void>;
  dispose: () => Promise<void>;
}

async function installation(engine: Engine): Promise<Installation> {
  if (engine === 'postgres') {
    const pg = await freshPostgres();
    return { env: { DATABASE_URL: pg.url }, sql: async (t) => void (await pg.db.raw((c) => c.exec(t))), dispose: () => pg.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'causo-doctor-'));
  const pglite = await PGlite.create(dir, { loadDataDir: await pgliteTemplate(), parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF });
  await pglite.close();
  return {
    env: { DATA_DIR: dir },
    sql: async (t) => {
      const db = await openDatabase({ dataDir: dir });
      try {
        await db.raw((c) => c.exec(t));
      } finally {
        await db.close();
      }
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function deps(env: Record<string, string>, over: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    now: () => new Date(),
    sms: new SmsSink(),
    email: new EmailSink(),
    diskOf: async () => ({ free: 100 * GiB, total: 200 * GiB }),
    ntpSynchronized: async () => true,
    readyz: async () => {
      throw new Error('no server');
    },
    timeoutMs: 3000,
    ...over,
  };
}

const byId = (results: CheckResult[], id: CheckResult['id']): CheckResult => {
  const r = results.find((x) => x.id === id);
  assert.ok(r, `no ${id} check in ${JSON.stringify(results)}`);
  return r;
};

/** This process's environment with `env` on top, and DATABASE_URL only when `env` sets it. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, ...env, LOG_LEVEL: 'silent' };
  if (!env.DATABASE_URL) delete out.DATABASE_URL;
  return out;
}

function runDoctorCli(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CAUSO_BIN, 'doctor', '--json', '--timeout-ms', '5000'], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

for (const engine of engines()) {
  describe(`causo doctor [${engine}]`, () => {
    let inst: Installation;
    before(async () => {
      inst = await installation(engine);
    });
    after(async () => inst.dispose());

    it('passes a healthy installation and says the database and migrations are fine', async () => {
      const results = await runChecks(deps(inst.env));
      assert.equal(byId(results, 'database').status, 'ok', renderText(results));
      assert.equal(byId(results, 'migrations').status, 'ok', renderText(results));
      assert.match(byId(results, 'migrations').detail, /current \(version \d+\)/);
      assert.equal(failed(results), false, renderText(results));
    });

    it('fails on a pending migration and on a migration this version does not know, naming them', async () => {
      await inst.sql(`CREATE TABLE doctor_saved AS SELECT * FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations); DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`);
      try {
        const pending = byId(await runChecks(deps(inst.env)), 'migrations');
        assert.equal(pending.status, 'fail');
        assert.match(pending.detail, /1 pending: \d+_\w+/);
        assert.match(pending.fix?.en ?? '', /causo migrate/);
        assert.match(pending.fix?.vi ?? '', /causo migrate/);
      } finally {
        await inst.sql(`INSERT INTO schema_migrations SELECT * FROM doctor_saved; DROP TABLE doctor_saved`);
      }
      await inst.sql(`INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from_the_future', 'x')`);
      try {
        const newer = byId(await runChecks(deps(inst.env)), 'migrations');
        assert.equal(newer.status, 'fail');
        assert.match(newer.detail, /999/);
        assert.match(newer.fix?.en ?? '', /newer/);
      } finally {
        await inst.sql(`DELETE FROM schema_migrations WHERE version = 999`);
      }
    });

    it('the command exits 0 on a healthy installation and prints its checks as JSON', async () => {
      const { code, out } = await runDoctorCli(inst.env);
      assert.equal(code, 0, out);
      const doc = JSON.parse(out) as { ok: boolean; checks: CheckResult[] };
      assert.equal(doc.ok, true);
      assert.deepEqual(doc.checks.map((c) => c.id), ['config', 'database', 'migrations', 'disk', 'clock', 'sms', 'email', 'backups']);
    });

    if (engine === 'postgres') {
      it('fails when this machine and the database server disagree on the time', async () => {
        const ahead = await runChecks(deps(inst.env, { now: () => new Date(Date.now() + 120_000) }));
        assert.equal(byId(ahead, 'clock').status, 'fail');
        assert.match(byId(ahead, 'clock').detail, /differ by 1[12]\d s/);
        const close = await runChecks(deps(inst.env, { now: () => new Date(Date.now() + 10_000) }));
        assert.equal(byId(close, 'clock').status, 'warn');
      });

      it('warns when the reports replica is not a standby or cannot be reached', async () => {
        const url = inst.env.DATABASE_URL ?? '';
        const primary = byId(await runChecks(deps({ ...inst.env, DATABASE_REPLICA_URL: url })), 'replica');
        assert.equal(primary.status, 'warn');
        assert.match(primary.detail, /is not a standby/);
        const gone = byId(await runChecks(deps({ ...inst.env, DATABASE_REPLICA_URL: `postgres://postgres@127.0.0.1:${await freePort()}/x` })), 'replica');
        assert.equal(gone.status, 'warn');
        assert.match(gone.detail, /ECONNREFUSED/);
        assert.match(gone.fix?.en ?? '', /fall back to the primary/);
      });
    } else {
      it('asks the running server instead of opening a data folder it holds', async () => {
        const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
        try {
          writeFileSync(join(inst.env.DATA_DIR ?? '', LOCK_FILE), JSON.stringify({ pid: holder.pid, startedAt: new Date().toISOString() }));
          const asked: string[] = [];
          const ready = await runChecks(
            deps(inst.env, {
              readyz: async (url) => {
                asked.push(url);
                return { status: 503, body: { status: 'migrations_pending', pending: ['14_next'] } };
              },
            }),
          );
          assert.deepEqual(asked, ['http://127.0.0.1:3000/readyz']);
          assert.equal(byId(ready, 'database').status, 'ok');
          assert.match(byId(ready, 'database').detail, new RegExp(`process ${holder.pid}`));
          assert.equal(byId(ready, 'migrations').status, 'fail');
          assert.match(byId(ready, 'migrations').detail, /14_next/);
          const silent = await runChecks(deps(inst.env));
          assert.equal(byId(silent, 'database').status, 'fail');
          assert.match(byId(silent, 'database').detail, /does not answer/);
        } finally {
          holder.kill('SIGKILL');
          rmSync(join(inst.env.DATA_DIR ?? '', LOCK_FILE), { force: true });
        }
      });
    }
  });
}

describe('causo doctor: database, disk, clock, gateways and backups', () => {
  it('fails on an unreachable database without printing the URL or its password', async () => {
    const port = await freePort();
    const results = await runChecks(deps({ DATABASE_URL: `postgres://causo:s3cret-pass@127.0.0.1:${port}/causo` }));
    const db = byId(results, 'database');
    assert.equal(db.status, 'fail');
    assert.match(db.detail, /ECONNREFUSED/);
    assert.ok(!renderText(results).includes('s3cret-pass'));
    assert.ok(!results.some((r) => r.id === 'migrations'), 'no migration check without a database');
  });

  it('fails on an empty DATA_DIR with how to create the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'causo-doctor-empty-'));
    try {
      const db = byId(await runChecks(deps({ DATA_DIR: dir })), 'database');
      assert.equal(db.status, 'fail');
      assert.match(db.fix?.en ?? '', /causo serve/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns on a disk under 10% or 5 GiB free and fails under 5% or 1 GiB', async () => {
    const env = { DATA_DIR: tmpdir() };
    const status = async (free: number, total: number) => byId(await runChecks(deps(env, { diskOf: async () => ({ free, total }) })), 'disk').status;
    assert.equal(await status(50 * GiB, 100 * GiB), 'ok');
    assert.equal(await status(8 * GiB, 100 * GiB), 'warn');
    assert.equal(await status(3 * GiB, 20 * GiB), 'warn');
    assert.equal(await status(4 * GiB, 100 * GiB), 'fail');
    assert.equal(await status(0.5 * GiB, 2 * GiB), 'fail');
  });

  it('fails on a clock set in the past and warns when NTP does not keep it', async () => {
    const env = { DATA_DIR: tmpdir() };
    assert.equal(byId(await runChecks(deps(env, { now: () => new Date('2020-01-01T00:00:00Z') })), 'clock').status, 'fail');
    assert.equal(byId(await runChecks(deps(env, { ntpSynchronized: async () => false })), 'clock').status, 'warn');
    assert.equal(byId(await runChecks(deps(env, { ntpSynchronized: async () => null })), 'clock').status, 'ok');
  });

  it('binds to the SMSC with our account, and fails on a wrong password or an SMSC that is down', async () => {
    const smsc = await LocalSmsc.start({ systemId: 'causo', password: 'secret1' });
    const gateway = (password: string, port = smsc.port) => new SmsSmppGateway({ host: '127.0.0.1', port, systemId: 'causo', password, sourceAddr: 'CAUSO' });
    try {
      const ok = byId(await runChecks(deps({ DATA_DIR: tmpdir() }, { sms: gateway('secret1') })), 'sms');
      assert.equal(ok.status, 'ok', ok.detail);
      assert.match(ok.detail, /bound as transceiver/);
      assert.equal(smsc.submits.length, 0, 'the check sends nothing');
      const refused = byId(await runChecks(deps({ DATA_DIR: tmpdir() }, { sms: gateway('wrong') })), 'sms');
      assert.equal(refused.status, 'fail');
      assert.match(refused.detail, /refused the bind/);
      assert.ok(!refused.detail.includes('wrong'), 'the password is not printed');
      assert.match(refused.fix?.vi ?? '', /SMPP_HOST/);
    } finally {
      await smsc.stop();
    }
    const down = byId(await runChecks(deps({ DATA_DIR: tmpdir() }, { sms: gateway('secret1', await freePort()) })), 'sms');
    assert.equal(down.status, 'fail');
    assert.match(down.detail, /ECONNREFUSED|closed/);
  });

  it('signs in to the mail server, and fails on a wrong password without printing it', async () => {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      disableReverseLookup: true,
      onAuth: (auth, _s, cb) => (auth.password === 'mail-pass-1' ? cb(null, { user: auth.username }) : cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }))),
    });
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
    const smtp = (password: string) => new EmailSmtpGateway({ host: '127.0.0.1', port, secure: false, requireTls: false, user: 'causo', password, from: 'Cầu Số <no-reply@localhost>', timeoutMs: 3000 });
    try {
      const good = smtp('mail-pass-1');
      const ok = byId(await runChecks(deps({ DATA_DIR: tmpdir() }, { email: good })), 'email');
      await good.close();
      assert.equal(ok.status, 'ok', ok.detail);
      const bad = smtp('wrong-pass-2');
      const refused = byId(await runChecks(deps({ DATA_DIR: tmpdir() }, { email: bad })), 'email');
      await bad.close();
      assert.equal(refused.status, 'fail');
      assert.match(refused.detail, /refused our login/);
      assert.ok(!refused.detail.includes('wrong-pass-2'));
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('warns that sinks send nothing in production', async () => {
    const prod = { DATA_DIR: tmpdir(), NODE_ENV: 'production', DATA_KEY: 'k'.repeat(40), PAYMENT_GATEWAY: 'sandbox' };
    const results = await runChecks(deps(prod));
    assert.equal(byId(results, 'sms').status, 'warn');
    assert.match(byId(results, 'sms').fix?.en ?? '', /SMS_GATEWAY/);
    assert.equal(byId(results, 'email').status, 'warn');
  });

  it('checks that scheduled backups are recent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'causo-doctor-backups-'));
    const env = { DATA_DIR: tmpdir(), BACKUP_DIR: dir, BACKUP_PASSPHRASE: 'a passphrase long enough', BACKUP_EVERY_HOURS: '24' };
    try {
      assert.equal(byId(await runChecks(deps({ DATA_DIR: tmpdir() })), 'backups').status, 'warn', 'off');
      assert.equal(byId(await runChecks(deps(env)), 'backups').status, 'warn', 'none yet');
      const file = join(dir, 'causo-20261120-0200.backup');
      writeFileSync(file, 'x');
      utimesSync(file, new Date(), new Date(Date.now() - 3 * 86_400_000));
      const stale = byId(await runChecks(deps(env)), 'backups');
      assert.equal(stale.status, 'fail');
      assert.match(stale.detail, /1 kept/);
      writeFileSync(join(dir, 'causo-20261128-0200.backup'), 'x');
      assert.equal(byId(await runChecks(deps(env)), 'backups').status, 'ok');
      mkdirSync(join(dir, 'gone'));
      assert.equal(byId(await runChecks(deps({ ...env, BACKUP_DIR: join(dir, 'missing') })), 'backups').status, 'fail');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints both languages and the fix under each problem', () => {
    const text = renderText([
      { id: 'disk', status: 'fail', title: { vi: 'Dung lượng đĩa', en: 'Disk space' }, detail: '0.1 GiB free', fix: { vi: 'Giải phóng đĩa', en: 'Free space' } },
      { id: 'clock', status: 'ok', title: { vi: 'Đồng hồ', en: 'Clock' }, detail: 'fine' },
    ]);
    assert.match(text, /✗ Dung lượng đĩa \/ Disk space: 0\.1 GiB free\n {4}Cách sửa: Giải phóng đĩa\n {4}Fix: Free space/);
    assert.match(text, /1 ok, 0 warning\(s\), 1 failure\(s\)/);
  });
});

// The data-folder lock: a second server on the same embedded folder is refused.
describe('one server per embedded data folder', () => {
  it('refuses a second `causo serve` on a folder a live server holds, and takes over one a dead server left', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'causo-lock-'));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: holder.pid, startedAt: '2026-11-29T00:00:00Z' }));
      const r = spawnSync(process.execPath, [CAUSO_BIN, 'serve'], { env: cliEnv({ DATA_DIR: dir, PORT: String(port) }), encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 78, r.stderr);
      assert.match(r.stderr, new RegExp(`in use by a running Cầu Số server \\(process ${holder.pid}`));
      // Commands that open the database refuse too (a second writer), and say what to do.
      const m = spawnSync(process.execPath, [CAUSO_BIN, 'migrate'], { env: cliEnv({ DATA_DIR: dir }), encoding: 'utf8', timeout: 60_000 });
      assert.equal(m.status, 78, m.stderr);
      assert.match(m.stderr, /Stop it first/);
      // A file left by a process that is gone (power cut) is taken over.
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 7, startedAt: '2026-11-29T00:00:00Z' }));
      const unlock = lockDataDir(dir);
      assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
      unlock();
      assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    } finally {
      holder.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
