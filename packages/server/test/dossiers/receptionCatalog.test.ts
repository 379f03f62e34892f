import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer, testContext, txid } from '../support/fixtures.ts';
import { createDossier } from '../../src/modules/dossiers/service.ts';
import { catalogGeneration, receptionCatalogOf } from '../../src/modules/dossiers/receptionCatalog.ts';
import { Problem } from '../../src/http/problem.ts';
import type { AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';
import type { CreateDossierInput } from '../../src/modules/dossiers/schema.ts';

const input = (over: Partial<CreateDossierInput> = {}): CreateDossierInput => ({
  transactionId: txid(),
  procedureCode: '1.001193',
  unitCode: '25309',
  channel: 1,
  applicant: { fullName: 'Lò Thị Vy' },
  formData: {},
  ...over,
});

/** Counts the transactions the context opens (a dossier written from the catalog opens none), on its own copy of the database handle. */
function countTransactions(ctx: AppContext): { count: number } {
  const seen = { count: 0 };
  const db = ctx.db;
  const counted: Db = Object.create(db);
  counted.transaction = (fn) => {
    seen.count++;
    return db.transaction(fn);
  };
  ctx.db = counted;
  return seen;
}

/** Changes the birth-registration procedure with plain SQL (as another process would) while `fn` runs, then puts it back. */
async function whileProcedureChanged(db: Db, change: { sla_value?: number; active?: boolean }, fn: () => Promise<void>): Promise<void> {
  const was = await db.kysely.selectFrom('procedures').select(['sla_value', 'active']).where('code', '=', '1.001193').executeTakeFirstOrThrow();
  await db.kysely.updateTable('procedures').set(change).where('code', '=', '1.001193').execute();
  try {
    await fn();
  } finally {
    await db.kysely.updateTable('procedures').set(was).where('code', '=', '1.001193').execute();
  }
}

describeEachEngine('reception catalog', (env) => {
  it('writes the second dossier of a procedure and unit as one statement, with the same answer and rows as the first', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-09-05T09:00:00+07:00');
    const seen = countTransactions(ctx);
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const first = await createDossier(ctx, actor, input());
    assert.equal(seen.count, 1);
    assert.ok(receptionCatalogOf(ctx).lookup('1.001193', '25309', '2022-09-05'), 'the first dossier leaves its procedure and unit known');
    const second = await createDossier(ctx, actor, input());
    assert.equal(seen.count, 1, 'no transaction for the second');
    assert.equal(Number(second.code.slice(-4)), Number(first.code.slice(-4)) + 1);
    assert.deepEqual({ ...second, code: '', applicant: null }, { ...first, code: '', applicant: null });
    const rows = await env.db.kysely
      .selectFrom('dossiers as d')
      .innerJoin('dossier_actions as a', 'a.dossier_id', 'd.id')
      .innerJoin('audit_log as l', (j) => j.onRef('l.entity_id', '=', 'd.code').on('l.action', '=', 'dossier.create'))
      .select(['d.code', 'd.status', 'd.due_at', 'a.action', 'a.seq'])
      .where('d.code', 'in', [first.code, second.code])
      .orderBy('d.code')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.code, r.status, r.action, r.seq]),
      [
        [first.code, 2, 'create', 1],
        [second.code, 2, 'create', 1],
      ],
    );
  });

  it('sees a change made behind its back (another process, plain SQL): the new due date, no code number lost', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-09-06T09:00:00+07:00');
    const seen = countTransactions(ctx);
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const first = await createDossier(ctx, actor, input());
    assert.equal(first.dueAt, '2022-09-07T09:00:00+07:00'); // 1 working day
    const before = await catalogGeneration(env.db.kysely);
    await whileProcedureChanged(env.db, { sla_value: 3 }, async () => {
      assert.ok((await catalogGeneration(env.db.kysely)) > before, 'a statement on procedures moves the generation on');
      const second = await createDossier(ctx, actor, input());
      assert.equal(second.dueAt, '2022-09-09T09:00:00+07:00', 'written with the new time limit (3 working days)');
      assert.equal(Number(second.code.slice(-4)), Number(first.code.slice(-4)) + 1, 'the refused attempt took no number');
      assert.equal(seen.count, 2, 'written again in a transaction that read the procedure afresh');
      const third = await createDossier(ctx, actor, input());
      assert.equal(third.dueAt, '2022-09-09T09:00:00+07:00');
      assert.equal(seen.count, 2, 'and known again after that');
    });
  });

  it('writes a dossier and its receipt SMS as one statement, and again from the tables after a change, with one SMS each', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-09-12T09:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    await createDossier(ctx, actor, input());
    const seen = countTransactions(ctx);
    const phone = { applicant: { fullName: 'Lò Văn Sơn', phone: '0912000111' } };
    const first = await createDossier(ctx, actor, input(phone));
    assert.equal(seen.count, 0, 'the dossier and its SMS in one statement');
    await whileProcedureChanged(env.db, { sla_value: 2 }, async () => {
      const second = await createDossier(ctx, actor, input(phone));
      assert.equal(second.dueAt, '2022-09-14T09:00:00+07:00');
      assert.equal(seen.count, 1, 'refused once, then written from the tables in a transaction');
      const sms = await env.db.kysely
        .selectFrom('notify_outbox as o')
        .innerJoin('dossiers as d', 'd.id', 'o.dossier_id')
        .select(['d.code', 'o.body', 'o.purpose', 'o.template', 'o.channel'])
        .where('d.code', 'in', [first.code, second.code])
        .execute();
      assert.deepEqual(sms.map((r) => r.code).sort(), [first.code, second.code].sort(), 'one SMS each, none left from the refused attempt');
      for (const m of sms) {
        assert.ok(m.body.includes(m.code), `the receipt names its code: ${m.body}`);
        assert.ok(!m.body.includes('CAUSO-CODE-MARK'));
        assert.deepEqual([m.channel, m.purpose, m.template], ['sms', 'dossier_received', 'notify.sms.dossier_received']);
      }
      assert.ok(sms.find((m) => m.code === second.code)?.body.includes('14/09/2022'), 'with the new due date');
    });
  });

  it('refuses a procedure withdrawn behind its back, and a unit the officer has no role on, as before', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-09-07T09:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const other = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25310' }]);
    await createDossier(ctx, actor, input());
    await assert.rejects(createDossier(ctx, other, input()), (e: unknown) => e instanceof Problem && e.status === 403);
    await whileProcedureChanged(env.db, { active: false }, async () => {
      await assert.rejects(createDossier(ctx, actor, input()), (e: unknown) => e instanceof Problem && e.code === 'procedure.not_found');
      assert.equal(receptionCatalogOf(ctx).lookup('1.001193', '25309', '2022-09-07'), null, 'a withdrawn procedure is not kept');
    });
  });

  it('keeps the II.06a counters equal to a recount when most dossiers skip the transaction', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-09-08T09:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25310' }]);
    await Promise.all(Array.from({ length: 24 }, (_, i) => createDossier(ctx, actor, input({ unitCode: '25310', channel: i % 3 === 0 ? 2 : 1 }))));
    const counted = await env.db.kysely
      .selectFrom('ii06a_counters as c')
      .innerJoin('units as u', 'u.id', 'c.unit_id')
      .select((eb) => [eb.fn.sum<string>('c.received_direct').as('direct'), eb.fn.sum<string>('c.open_delta').as('open')])
      .where('u.code', '=', '25310')
      .where('c.sector_code', '=', '*')
      .where('c.day', '=', '2022-09-08')
      .executeTakeFirstOrThrow();
    assert.equal(Number(counted.direct), 16, 'the 16 counter dossiers, received on the spot');
    assert.equal(Number(counted.open), 16, 'open until resolved; the 8 online ones count from their reception');
  });
});
