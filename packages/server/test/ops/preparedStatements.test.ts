import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { StatementNames, withStatementName } from '../../src/db/preparedStatements.ts';
import { describeEachEngine, engines, freshPostgres } from '../support/engines.ts';
import { openDatabase } from '../../src/db/database.ts';
import { PGliteConnection } from '../../src/db/pgliteDialect.ts';

describe('statement names (prepared once per connection)', () => {
  it('names a statement from its third call on, always with the same name', () => {
    const names = new StatementNames();
    const q = 'select id from dossiers where code = $1';
    assert.equal(names.nameFor(q), undefined);
    assert.equal(names.nameFor(q), undefined);
    const name = names.nameFor(q);
    assert.match(name ?? '', /^causo_\d+$/);
    assert.equal(names.nameFor(q), name);
    assert.notEqual(names.nameFor('select 2') ?? names.nameFor('select 2') ?? names.nameFor('select 2'), name);
  });

  it('never names DDL, transaction control or SET', () => {
    const names = new StatementNames();
    for (const q of ['BEGIN', 'COMMIT', 'alter table x add column y int', 'create index i on x (y)', "set local lock_timeout = '3s'", 'drop table x'])
      for (let i = 0; i < 5; i++) assert.equal(names.nameFor(q), undefined, q);
    assert.equal(names.size, 0);
  });

  it('keeps at most 400 names, so one-off texts do not pile up on each connection', () => {
    const names = new StatementNames();
    for (let n = 0; n < 1_000; n++) for (let i = 0; i < 3; i++) names.nameFor(`select ${n}`);
    assert.equal(names.size, 400);
    assert.equal(names.nameFor('select 999'), undefined);
    assert.equal(names.nameFor('select 0'), 'causo_1');
  });

  it('adds a name only to the (text, values) form and leaves every other call as given', () => {
    const names = new StatementNames();
    const q = 'select 1 where $1::int = 1';
    for (let i = 0; i < 3; i++) withStatementName(names, [q, [1]]);
    assert.deepEqual(withStatementName(names, [q, [1]]), [{ name: 'causo_1', text: q, values: [1] }]);
    const config = { text: q, values: [1] };
    assert.deepEqual(withStatementName(names, [config]), [config]);
    assert.deepEqual(withStatementName(names, [q]), [q]);
    // No values: node-postgres's simple protocol (several statements in one text) stays.
    const many = 'select 1; select 2';
    for (let i = 0; i < 5; i++) assert.deepEqual(withStatementName(names, [many, []]), [many, []]);
  });
});

describeEachEngine('prepared statements on the server', (env) => {
  it('a frequent statement is prepared on its connection and keeps answering right', async (t) => {
    if (env.engine !== 'postgres') return t.skip('PGlite runs in the process: there is no connection to prepare on');
    const prepared = await env.db.raw(async (c) => {
      for (let i = 0; i < 5; i++) {
        const rows = await c.query<{ n: number }>('select count(*)::int as n from audit_log where id < $1', [i % 2 ? -1 : 1e12]);
        assert.equal(typeof rows[0]?.n, 'number');
      }
      return c.query<{ statement: string }>('select statement from pg_prepared_statements');
    });
    assert.ok(prepared.some((r) => r.statement === 'select count(*)::int as n from audit_log where id < $1'), JSON.stringify(prepared));
  });

  it('DB_PREPARED_STATEMENTS=false prepares nothing', async (t) => {
    if (env.engine !== 'postgres' || !process.env.TEST_DATABASE_URL) return t.skip('PostgreSQL only');
    const db = await openDatabase({ databaseUrl: process.env.TEST_DATABASE_URL, poolSize: 1, prepareStatements: false });
    try {
      for (let i = 0; i < 5; i++) await sql`select ${'01'}::text as code`.execute(db.kysely);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(db.kysely);
      assert.equal(rows[0]?.n, 0);
    } finally {
      await db.close();
    }
  });
});

describe('prepared statements on PGlite (the protocol path)', () => {
  const open = async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    const conn = new PGliteConnection(db.pglite!);
    return { db, run: <R>(text: string, params: unknown[] = []) => conn.statements.query<R>(text, params) };
  };

  it('answers exactly as PGlite.query does, for every type the app reads, before and after preparing', async () => {
    const { db, run } = await open();
    try {
      const text = `select $1::int8 as big, $2::date as day, $3::timestamptz as at, $4::jsonb as doc, $5::text[] as list, $6::text as nothing, $7::numeric as amount, $8::bool as yes`;
      const params = [9_007_199_254_740, '2022-12-31', new Date('2026-11-29T10:00:00Z'), JSON.stringify({ a: [1, 'hai'] }), ['a', 'b c'], null, '12.50', true];
      const expected = (await db.pglite!.query(text, params)).rows[0];
      for (let i = 0; i < 5; i++) assert.deepEqual((await run(text, params)).rows[0], expected, `call ${i + 1}`);
      assert.deepEqual(expected, { big: 9_007_199_254_740, day: '2022-12-31', at: new Date('2026-11-29T10:00:00Z'), doc: { a: [1, 'hai'] }, list: ['a', 'b c'], nothing: null, amount: 12.5, yes: true });
    } finally {
      await db.close();
    }
  });

  it('reports affected rows and errors with their SQLSTATE, and a failed statement leaves the transaction to roll back', async () => {
    const { db, run } = await open();
    const conn = new PGliteConnection(db.pglite!);
    try {
      await db.pglite!.exec('create table t (k text primary key)');
      for (let i = 0; i < 4; i++) assert.equal((await run('insert into t (k) values ($1)', [`k${i}`])).affectedRows, 1);
      await conn.statements.control('BEGIN');
      await run('insert into t (k) values ($1)', ['new']);
      await assert.rejects(run('insert into t (k) values ($1)', ['k1']), (e: { code?: string; message?: string }) => e.code === '23505' && /t_pkey/.test(e.message ?? ''));
      await assert.rejects(run('select count(*)::int as n from t where k <> $1', ['x']), /current transaction is aborted/);
      await conn.statements.control('ROLLBACK');
      assert.deepEqual((await run('select count(*)::int as n from t where k <> $1', ['x'])).rows, [{ n: 4 }]);
    } finally {
      await db.close();
    }
  });

  it('makes a statement again after its table changed shape', async () => {
    const { db, run } = await open();
    try {
      await db.pglite!.exec("create table t (k text); insert into t values ('a')");
      for (let i = 0; i < 4; i++) assert.deepEqual((await run('select * from t where k = $1', ['a'])).rows, [{ k: 'a' }]);
      await db.pglite!.exec('alter table t add column n int default 7');
      await assert.rejects(run('select * from t where k = $1', ['a']), (e: { code?: string }) => e.code === '0A000');
      assert.deepEqual((await run('select * from t where k = $1', ['a'])).rows, [{ k: 'a', n: 7 }]);
    } finally {
      await db.close();
    }
  });
});

describe('prepared statements on a PostgreSQL pool', () => {
  it('a connection whose statement went stale (table altered while serving) is dropped, and the next one works', async (t) => {
    if (!process.env.TEST_DATABASE_URL || !engines().includes('postgres')) return t.skip('PostgreSQL only');
    const { db, url, drop } = await freshPostgres();
    const pool = await openDatabase({ databaseUrl: url, poolSize: 1 });
    try {
      await sql`create table shaped (k text)`.execute(db.kysely);
      await sql`insert into shaped values ('a')`.execute(db.kysely);
      const read = () => sql<Record<string, unknown>>`select * from shaped where k = ${'a'}`.execute(pool.kysely);
      for (let i = 0; i < 4; i++) assert.deepEqual((await read()).rows, [{ k: 'a' }]);
      await sql`alter table shaped add column n int default 7`.execute(db.kysely);
      await assert.rejects(read(), (e: { code?: string }) => e.code === '0A000');
      assert.deepEqual((await read()).rows, [{ k: 'a', n: 7 }]);
    } finally {
      await pool.close();
      await db.close();
      await drop();
    }
  });
});
