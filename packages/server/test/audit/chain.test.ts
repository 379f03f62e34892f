import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachEngine } from '../support/engines.ts';
import type { Db } from '../../src/db/database.ts';
import { audit } from '../../src/modules/audit/service.ts';
import { sealAuditChain, verifyAuditChain, GENESIS_HASH } from '../../src/modules/audit/chain.ts';

async function writeEntries(db: Db, n: number, tag = 'test'): Promise<void> {
  await db.transaction(async (trx) => {
    for (let i = 0; i < n; i++) await audit(trx, { actorId: null, action: `${tag}.write`, entity: 'thing', entityId: i, detail: { i, nested: { b: 2, a: 1 } }, ip: '10.0.0.1', userAgent: 'test-agent' });
  });
}

/** Bypasses the append-only trigger the way a superuser with direct database access could. */
async function tamper(db: Db, statement: string): Promise<void> {
  await db.transaction(async (trx) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(trx);
    await sql.raw(statement).execute(trx);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(trx);
  });
}

const refused = async (db: Db, statement: string) =>
  assert.rejects(() => db.transaction((trx) => sql.raw(statement).execute(trx)), /append-only|sealed by the sealer/);

describeEachEngine('audit log is append-only', (env) => {
  it('refuses to change, remove or empty entries, sealed or not', async () => {
    await writeEntries(env.db, 3);
    const first = await env.db.kysely.selectFrom('audit_log').select('id').orderBy('id').executeTakeFirstOrThrow();
    await refused(env.db, `UPDATE audit_log SET action = 'x' WHERE id = ${first.id}`);
    await refused(env.db, `DELETE FROM audit_log WHERE id = ${first.id}`);
    await sealAuditChain(env.db);
    await refused(env.db, `UPDATE audit_log SET detail = '{}' WHERE id = ${first.id}`);
    await refused(env.db, `UPDATE audit_log SET hash = repeat('0', 64) WHERE id = ${first.id}`);
    await refused(env.db, 'TRUNCATE audit_log');
  });

  it('refuses an entry that arrives already chained (only the sealer chains)', async () => {
    await refused(env.db, `INSERT INTO audit_log (action, entity, chain_seq, prev_hash, hash) VALUES ('forged', 'x', 999999, 'a', 'b')`);
  });
});

describeEachEngine('audit hash chain', (env) => {
  it('chains entries in id order after they commit, each linked to the one before', async () => {
    await writeEntries(env.db, 5);
    const before = await verifyAuditChain(env.db, { seal: false });
    assert.ok(before.unsealed >= 5);
    const sealed = await sealAuditChain(env.db);
    assert.ok(sealed >= 5);
    const rows = await env.db.kysely.selectFrom('audit_log').select(['id', 'chain_seq', 'prev_hash', 'hash']).orderBy('chain_seq').execute();
    assert.equal(rows[0]?.chain_seq, 1);
    assert.equal(rows[0]?.prev_hash, GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) {
      assert.equal(rows[i]?.chain_seq, i + 1);
      assert.equal(rows[i]?.prev_hash, rows[i - 1]?.hash);
      assert.ok((rows[i]?.id ?? 0) > (rows[i - 1]?.id ?? 0), 'one pass seals in id order');
    }
    const report = await verifyAuditChain(env.db);
    assert.deepEqual(report.breaks, []);
    assert.equal(report.entries, rows.length);
    assert.equal(report.unsealed, 0);
    assert.equal(report.head?.hash, rows.at(-1)?.hash);
  });

  it('seals nothing twice: a second pass with nothing new changes nothing', async () => {
    const head = (await verifyAuditChain(env.db)).head;
    assert.equal(await sealAuditChain(env.db), 0);
    assert.deepEqual((await verifyAuditChain(env.db)).head, head);
  });

  it('keeps one valid chain while many transactions write and several sealers run at once', async () => {
    const start = (await verifyAuditChain(env.db)).entries;
    const writers = Array.from({ length: 20 }, (_, w) => (async () => {
      for (let t = 0; t < 5; t++) await writeEntries(env.db, 3, `writer${w}`);
    })());
    const sealers = Array.from({ length: 3 }, () => (async () => {
      for (let s = 0; s < 10; s++) await sealAuditChain(env.db, { batch: 7 });
    })());
    await Promise.all([...writers, ...sealers]);
    const report = await verifyAuditChain(env.db);
    assert.deepEqual(report.breaks, []);
    assert.equal(report.entries, start + 20 * 5 * 3);
    assert.equal(report.unsealed, 0);
    const distinct = await env.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.count('chain_seq').distinct().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(distinct.n), report.entries);
  });

  it('chains an entry that commits after a later id was already chained', async (t) => {
    if (env.engine !== 'postgres') return t.skip('PGlite runs one transaction at a time, so ids cannot commit out of order');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedEarly = new Promise<void>((r) => (inserted = r));
    const slow = env.db.transaction(async (trx) => {
      await audit(trx, { actorId: null, action: 'slow.write', entity: 'thing' });
      inserted();
      await gate;
    });
    await insertedEarly;
    await writeEntries(env.db, 1, 'fast');
    await sealAuditChain(env.db);
    release();
    await slow;
    await sealAuditChain(env.db);
    const rows = await env.db.kysely.selectFrom('audit_log').select(['id', 'action', 'chain_seq']).where('action', 'in', ['slow.write', 'fast.write']).execute();
    const slowRow = rows.find((r) => r.action === 'slow.write');
    const fastRow = rows.find((r) => r.action === 'fast.write');
    assert.ok(slowRow && fastRow && slowRow.id < fastRow.id, 'the slow entry took the smaller id');
    assert.ok((slowRow.chain_seq ?? 0) > (fastRow.chain_seq ?? 0), 'and was chained after the fast one');
    assert.deepEqual((await verifyAuditChain(env.db)).breaks, []);
  });
});

describeEachEngine('audit chain verification finds tampering', (env) => {
  let seqOf: (n: number) => Promise<{ id: number; hash: string }>;
  it('starts from an intact chain', async () => {
    await writeEntries(env.db, 10);
    await sealAuditChain(env.db);
    seqOf = async (n) => {
      const r = await env.db.kysely.selectFrom('audit_log').select(['id', 'hash']).where('chain_seq', '=', n).executeTakeFirstOrThrow();
      return { id: r.id, hash: r.hash ?? '' };
    };
    assert.deepEqual((await verifyAuditChain(env.db)).breaks, []);
  });

  it('names the entry whose content was changed, with the expected and the stored hash', async () => {
    const target = await seqOf(4);
    await tamper(env.db, `UPDATE audit_log SET detail = '{"i": 999}' WHERE id = ${target.id}`);
    const report = await verifyAuditChain(env.db);
    assert.equal(report.breaks.length, 1, JSON.stringify(report.breaks));
    const b = report.breaks[0];
    assert.equal(b?.problem, 'hash_mismatch');
    assert.equal(b?.seq, 4);
    assert.equal(b?.id, target.id);
    assert.equal(b?.found, target.hash);
    assert.notEqual(b?.expected, target.hash);
  });

  it('notices a forger who also recomputed the changed entry\'s hash: the next link breaks', async () => {
    const target = await seqOf(6);
    await tamper(env.db, `UPDATE audit_log SET ip = '1.2.3.4', hash = repeat('a', 64) WHERE id = ${target.id}`);
    const breaks = (await verifyAuditChain(env.db)).breaks.filter((b) => b.seq >= 6);
    assert.deepEqual(breaks.map((b) => [b.seq, b.problem]), [[6, 'hash_mismatch'], [7, 'prev_mismatch']]);
  });

  it('notices a removed entry as a gap', async () => {
    const target = await seqOf(8);
    await tamper(env.db, `DELETE FROM audit_log WHERE id = ${target.id}`);
    const gap = (await verifyAuditChain(env.db)).breaks.find((b) => b.problem === 'gap');
    assert.equal(gap?.seq, 9);
    assert.equal(gap?.expected, '#8');
  });

  it('with an anchor from an earlier run, notices entries cut off the end', async () => {
    const last = await seqOf(10);
    await tamper(env.db, `DELETE FROM audit_log WHERE id = ${last.id}`);
    const report = await verifyAuditChain(env.db, { anchor: { seq: 10, hash: last.hash } });
    assert.ok(report.breaks.some((b) => b.problem === 'anchor_mismatch' && b.found === 'missing'));
  });
});
