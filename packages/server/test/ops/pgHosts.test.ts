/**
 * Multi-host PostgreSQL URLs (libpq's form), the pool that resolves them and follows a failover,
 * and the read replica that reports fall back from. The pool tests need a PostgreSQL server
 * (TEST_DATABASE_URL); the whole primary/replica failover is in failover.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { parsePgUrl, PgUrlError } from '../../src/db/pgHosts.ts';
import { FailoverPool, isFailoverError } from '../../src/db/failoverPool.ts';
import { openDatabase } from '../../src/db/database.ts';
import { ConfigError, describeDatabase, loadConfig } from '../../src/config.ts';
import { freePort } from '../chaos/serverProcess.ts';

describe('multi-host PostgreSQL URLs', () => {
  it('reads hosts, ports, target_session_attrs, and builds one-host URLs with everything else kept', () => {
    const u = parsePgUrl('postgres://causo:s%40cret@db1:5432,db2:5433,[::1]/causo?target_session_attrs=read-write&sslmode=disable');
    assert.deepEqual(u.hosts, [
      { host: 'db1', port: 5432 },
      { host: 'db2', port: 5433 },
      { host: '[::1]', port: 5432 },
    ]);
    assert.equal(u.target, 'read-write');
    assert.equal(u.forHost({ host: 'db2', port: 5433 }), 'postgres://causo:s%40cret@db2:5433/causo?sslmode=disable');
    assert.equal(u.describe(), 'postgres://db1:5432,db2:5433,[::1]:5432/causo');
    assert.equal(parsePgUrl('postgresql://localhost/x').target, undefined);
    assert.deepEqual(parsePgUrl('postgres://u@h/x').hosts, [{ host: 'h', port: 5432 }]);
  });

  it('refuses what libpq would refuse', () => {
    assert.throws(() => parsePgUrl('postgres://h1:5432,h2:99999/db'), PgUrlError);
    assert.throws(() => parsePgUrl('postgres://h1:abc/db'), PgUrlError);
    assert.throws(() => parsePgUrl('postgres://h1/db?target_session_attrs=whatever'), /target_session_attrs must be one of/);
  });

  it('validates DATABASE_URL and DATABASE_REPLICA_URL at start, and never shows a password', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://causo:secret@db1:5432,db2:5433/causo?target_session_attrs=read-write', DATABASE_REPLICA_URL: 'postgres://causo:secret@db2:5433/causo' });
    assert.equal(describeDatabase(c), 'postgres://db1:5432,db2:5433/causo');
    assert.equal(describeDatabase(loadConfig({ DATABASE_URL: 'postgres://u:pw@db/causo' })), 'postgres://db:5432/causo');
    assert.throws(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://db2/causo' }), (e: unknown) => e instanceof ConfigError && /DATABASE_REPLICA_URL needs DATABASE_URL/.test(e.message));
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://db1/causo', DATABASE_REPLICA_URL: 'http://db2' }), /DATABASE_REPLICA_URL: must start with postgres:\/\//);
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://db1:5432,db2:x/causo' }), /DATABASE_URL: "db2:x" is not host or host:port/);
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://db1,db2/causo?target_session_attrs=standby' }), /DATABASE_URL: the app writes through DATABASE_URL/);
  });

  it('tells connection losses and read-only servers from mistakes in a query', () => {
    for (const code of ['25006', '57P01', '57P02', '57P03', '08006', 'ECONNREFUSED', 'ECONNRESET']) assert.ok(isFailoverError(Object.assign(new Error('x'), { code })), code);
    assert.ok(isFailoverError(new Error('Connection terminated unexpectedly')));
    for (const code of ['23505', '42P01', '40001', undefined]) assert.ok(!isFailoverError(Object.assign(new Error('x'), { code })), String(code));
    assert.ok(!isFailoverError(null));
  });
});

const SERVER = process.env.TEST_DATABASE_URL;
const noServer = SERVER ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL)';
const types = pg.types as unknown as pg.CustomTypesConfig;

/** The test server's host:port, and a URL with another host before it that nobody listens on. */
async function twoHosts(query = ''): Promise<{ url: string; live: string }> {
  const u = new URL(SERVER ?? 'postgres://x');
  const live = `${u.hostname}:${u.port || 5432}`;
  const auth = u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : '';
  return { url: `postgres://${auth}127.0.0.1:${await freePort()},${live}${u.pathname}${query}`, live };
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe('the pool that resolves several hosts', { skip: noServer }, () => {
  it('skips a host that does not answer and takes the one that accepts writes', async () => {
    const { url, live } = await twoHosts('?target_session_attrs=read-write');
    const pool = new FailoverPool(url, { max: 2, types, defaultTarget: 'any' });
    try {
      const c = await pool.connect();
      assert.equal((await c.query('select pg_is_in_recovery() as r')).rows[0].r, false);
      c.release();
      assert.equal(pool.server, live);
    } finally {
      await pool.end();
    }
  });

  it('refuses to pool on a primary when a standby is required, and takes it when one is only preferred', async () => {
    const standby = new FailoverPool((await twoHosts('?target_session_attrs=standby')).url, { max: 1, types, defaultTarget: 'any' });
    await assert.rejects(standby.connect(), /no server fits target_session_attrs=standby: .*ECONNREFUSED.*primary \(read-write\)/);
    await standby.end();
    const { url, live } = await twoHosts('?target_session_attrs=prefer-standby');
    const prefer = new FailoverPool(url, { max: 1, types, defaultTarget: 'any' });
    (await prefer.connect()).release();
    assert.equal(prefer.server, live);
    await prefer.end();
  });

  it('drops a connection that turned read-only or was cut, and finds the server again', async () => {
    const events: string[] = [];
    const { url } = await twoHosts('?target_session_attrs=read-write&application_name=causo-failover-unit');
    const db = await openDatabase({ databaseUrl: url, poolSize: 1, log: { warn: (_o, m) => events.push(`warn ${m}`), info: (_o, m) => events.push(`info ${m}`) } });
    try {
      // A session that refuses writes (what a demoted primary does) fails with 25006 and is not reused.
      await assert.rejects(
        db.raw(async (c) => {
          await c.query('SET default_transaction_read_only = on');
          await c.query('CREATE TABLE causo_failover_unit_never ()');
        }),
        (e: unknown) => (e as { code?: string }).code === '25006',
      );
      const ro = await sql<{ transaction_read_only: string }>`show transaction_read_only`.execute(db.kysely);
      assert.equal(ro.rows[0]?.transaction_read_only, 'off');
      // The server ends every connection of the app (a restart, a failover): the next query succeeds.
      const pidBefore = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely)).rows[0]?.pid;
      await admin((c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'causo-failover-unit'"));
      let answered = false;
      for (let i = 0; i < 3 && !answered; i++) answered = await sql`select 1`.execute(db.kysely).then(() => true, () => false);
      assert.ok(answered, 'the pool never came back');
      const pidAfter = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.kysely)).rows[0]?.pid;
      assert.notEqual(pidAfter, pidBefore);
      assert.ok(events.some((e) => e.startsWith('info database: connected to the primary')), events.join('\n'));
    } finally {
      await db.close();
    }
  });
});

describe('reports on a read replica', { skip: noServer }, () => {
  it('read from the replica pool when it answers', async () => {
    const db = await openDatabase({ databaseUrl: SERVER, replicaUrl: SERVER, poolSize: 2 });
    try {
      let used: Kysely<unknown> | null = null;
      await db.read(async (k) => {
        used = k as unknown as Kysely<unknown>;
        return sql`select 1`.execute(k);
      });
      assert.ok(used && used !== (db.kysely as unknown), 'the read went to the primary');
      // A mistake in the query is thrown as it is; the replica stays in use.
      await assert.rejects(db.read((k) => sql`select * from causo_no_such_table`.execute(k)), /causo_no_such_table/);
      await db.read(async (k) => assert.notEqual(k as unknown, db.kysely as unknown));
      assert.equal(await db.replica?.reachable(), true);
      assert.ok((db.replica?.poolStats().total ?? 0) >= 1);
    } finally {
      await db.close();
    }
  });

  it('fall back to the primary when the replica is unreachable, with one warning for the outage', async () => {
    const warnings: string[] = [];
    const replicaUrl = `postgres://postgres@127.0.0.1:${await freePort()}/causo`;
    const db = await openDatabase({ databaseUrl: SERVER, replicaUrl, poolSize: 2, log: { warn: (_o, m) => warnings.push(m), info: () => {} } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await db.read((k) => sql<{ n: number }>`select 7 as n`.execute(k))).rows[0]?.n, 7);
      assert.equal(await db.replica?.reachable(), false);
      assert.deepEqual(warnings, ['read replica unreachable: reports read from the primary']);
    } finally {
      await db.close();
    }
  });
});
