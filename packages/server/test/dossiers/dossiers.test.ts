import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer, testContext, txid } from '../support/fixtures.ts';
import { actOnDossier, createDossier, formatDossierCode, getDossier, listDossiersFor } from '../../src/modules/dossiers/service.ts';
import { Problem } from '../../src/http/problem.ts';
import type { CreateDossierInput } from '../../src/modules/dossiers/schema.ts';

const input = (over: Partial<CreateDossierInput> = {}): CreateDossierInput => ({
  transactionId: txid(),
  procedureCode: '1.001193',
  unitCode: '25309',
  channel: 1,
  applicant: { fullName: 'Điểu Thị Lan', phone: '0912345678', idNumber: '070190000123' },
  formData: { childFullName: 'Điểu Văn Bình' },
  ...over,
});

async function rejects(p: Promise<unknown>, status: number, code: string) {
  await assert.rejects(p, (e: unknown) => e instanceof Problem && e.status === status && e.code === code);
}

describeEachEngine('dossiers', (env) => {
  it('receives a counter dossier at once with a code {agency}-{yyMMdd}-{NNNN} and a due date in working days', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-15T09:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const d = await createDossier(ctx, actor, input());
    assert.match(d.code, /^H70\.25309-220815-\d{4}$/);
    assert.equal(d.status, 2);
    assert.equal(d.receivedAt, '2022-08-15T09:00:00+07:00');
    // Birth registration: 1 working day.
    assert.equal(d.dueAt, '2022-08-16T09:00:00+07:00');
    assert.equal(d.applicant.phone, '0912345678');
  });

  it("numbers an agency's dossiers of the day in order, four digits and then as many as needed, and audits each under its code", async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-17T09:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const first = await createDossier(ctx, actor, input());
    assert.equal(first.code, formatDossierCode('H70.25309', new Date('2022-08-17T09:00:00+07:00'), 1));
    assert.equal(first.code, 'H70.25309-220817-0001');
    await env.db.kysely.updateTable('dossier_code_sequences').set({ last_value: 9998 }).where('agency_code', '=', 'H70.25309').where('day', '=', '2022-08-17').execute();
    const codes = [(await createDossier(ctx, actor, input())).code, (await createDossier(ctx, actor, input())).code];
    assert.deepEqual(codes, ['H70.25309-220817-9999', 'H70.25309-220817-10000']);
    const audited = await env.db.kysely.selectFrom('audit_log').select('entity_id').where('action', '=', 'dossier.create').where('entity_id', 'in', [first.code, ...codes]).execute();
    assert.equal(audited.length, 3);
  });

  it('receives a dossier after closing time and starts the clock next working morning', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-19T17:30:00+07:00'); // Friday after closing
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const d = await createDossier(ctx, actor, input());
    assert.equal(d.dueAt, '2022-08-22T17:00:00+07:00'); // the whole of Monday
  });

  it('starts an online dossier as new (1) with no due date until it is received', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-16T20:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const d = await createDossier(ctx, actor, input({ channel: 2 }));
    assert.equal(d.status, 1);
    assert.equal(d.dueAt, null);
    ctx.clock.set('2022-08-17T08:00:00+07:00');
    const r = await actOnDossier(ctx, actor, d.code, { action: 'receive', transactionId: txid() });
    assert.equal(r.status, 2);
    assert.equal(r.receivedAt, '2022-08-17T08:00:00+07:00');
    assert.equal(r.dueAt, '2022-08-18T08:00:00+07:00');
  });

  it('gives unique consecutive codes under concurrent creation at one agency', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-18T10:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25310' }]);
    const made = await Promise.all(Array.from({ length: 40 }, () => createDossier(ctx, actor, input({ unitCode: '25310' }))));
    const seqs = made.map((d) => Number(d.code.slice(-4))).sort((a, b) => a - b);
    assert.equal(new Set(made.map((d) => d.code)).size, 40);
    assert.deepEqual(seqs, Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('applies the same transactionId once, and refuses it for a different action', async () => {
    const ctx = testContext(env.db);
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const body = input();
    const [a, b] = await Promise.all([createDossier(ctx, actor, body), createDossier(ctx, actor, body)]);
    assert.equal(a.code, b.code);
    assert.equal([a.replayed, b.replayed].filter(Boolean).length, 1);
    const tx = txid();
    const s1 = await actOnDossier(ctx, actor, a.code, { action: 'start_processing', transactionId: tx });
    const s2 = await actOnDossier(ctx, actor, a.code, { action: 'start_processing', transactionId: tx });
    assert.equal(s1.version, s2.version);
    assert.equal(s2.replayed, true);
    await rejects(actOnDossier(ctx, actor, a.code, { action: 'finish', transactionId: tx }), 409, 'dossier.transaction_reused');
    const log = await getDossier(ctx, actor, a.code, { withLog: true });
    assert.deepEqual(log.actions?.map((x) => x.action), ['create', 'start_processing']);
  });

  it('answers a repeated creation with the stored dossier even when a check would now refuse it, and leaves no gap in the code numbers', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-24T10:00:00+07:00');
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25312' }]);
    const body = input({ unitCode: '25312', procedureCode: '2.000815' });
    const first = await createDossier(ctx, actor, body);
    const again = await createDossier(ctx, actor, body);
    assert.equal(again.code, first.code);
    assert.equal(again.replayed, true);
    // The procedure is withdrawn after the first answer was lost: the repeat still gets its dossier.
    await env.db.kysely.updateTable('procedures').set({ active: false }).where('code', '=', '2.000815').execute();
    try {
      const late = await createDossier(ctx, actor, body);
      assert.equal(late.code, first.code);
      assert.equal(late.replayed, true);
      await rejects(createDossier(ctx, actor, input({ unitCode: '25312', procedureCode: '2.000815' })), 404, 'procedure.not_found');
    } finally {
      await env.db.kysely.updateTable('procedures').set({ active: true }).where('code', '=', '2.000815').execute();
    }
    // The repeats' rolled-back attempts used no code number: the next dossier follows on.
    const next = await createDossier(ctx, actor, input({ unitCode: '25312' }));
    assert.equal(Number(next.code.slice(-4)), Number(first.code.slice(-4)) + 1);
    const stored = await env.db.kysely.selectFrom('dossier_actions').select((eb) => eb.fn.countAll<string>().as('n')).where('transaction_id', '=', body.transactionId).executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), 1);
  });

  it('answers 409 to an action the state machine does not allow and changes nothing', async () => {
    const ctx = testContext(env.db);
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const d = await createDossier(ctx, actor, input());
    const countersBefore = await env.db.kysely.selectFrom('ii06a_counters').selectAll().orderBy(['unit_id', 'sector_code', 'day']).execute();
    await assert.rejects(actOnDossier(ctx, actor, d.code, { action: 'return_result', transactionId: txid() }), (e: unknown) => {
      assert.ok(e instanceof Problem);
      assert.equal(e.status, 409);
      assert.equal(e.code, 'dossier.action_not_allowed');
      assert.deepEqual(e.extra.availableActions, ['start_processing', 'request_supplement', 'request_fees', 'request_withdrawal', 'stop']);
      return true;
    });
    const after = await getDossier(ctx, actor, d.code, { withLog: true });
    assert.equal(after.version, d.version);
    assert.equal(after.actions?.length, 1);
    assert.deepEqual(await env.db.kysely.selectFrom('ii06a_counters').selectAll().orderBy(['unit_id', 'sector_code', 'day']).execute(), countersBefore);
  });

  it('pauses the clock for a supplement and moves the due date by the paused working time', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-22T08:00:00+07:00'); // Monday
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const d = await createDossier(ctx, actor, input({ procedureCode: '1.004873' }));
    const due = new Date(d.dueAt ?? '');
    ctx.clock.set('2022-08-22T10:00:00+07:00');
    const p = await actOnDossier(ctx, actor, d.code, { action: 'request_supplement', transactionId: txid(), missingDocuments: ['Bản sao CCCD'] });
    assert.equal(p.status, 5);
    assert.equal(p.pausedAt, '2022-08-22T10:00:00+07:00');
    ctx.clock.set('2022-08-23T10:00:00+07:00'); // one full working day later
    const r = await actOnDossier(ctx, actor, d.code, { action: 'supplement_received', transactionId: txid() });
    assert.equal(r.status, 4);
    const cal = await ctx.calendar.calendar();
    assert.equal(new Date(r.dueAt ?? '').getTime(), cal.addWorkingMinutes(due, 450).getTime());
  });

  it('asks for a reason to refuse or stop and a list of missing papers for a supplement', async () => {
    const ctx = testContext(env.db);
    const actor = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const d = await createDossier(ctx, actor, input());
    await rejects(actOnDossier(ctx, actor, d.code, { action: 'stop', transactionId: txid() }), 400, 'dossier.missing_field');
    await rejects(actOnDossier(ctx, actor, d.code, { action: 'request_supplement', transactionId: txid() }), 400, 'dossier.missing_field');
  });

  it('refuses officers outside the unit subtree and roles that may not take the action', async () => {
    const ctx = testContext(env.db);
    const officer = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const elsewhere = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25312' }]);
    const specialist = await makeOfficer(env.db, [{ role: 'specialist', unitCode: '693' }]);
    const d = await createDossier(ctx, officer, input({ channel: 2 }));
    await rejects(createDossier(ctx, elsewhere, input()), 403, 'auth.forbidden');
    await rejects(getDossier(ctx, elsewhere, d.code), 403, 'auth.forbidden');
    await rejects(actOnDossier(ctx, specialist, d.code, { action: 'receive', transactionId: txid() }), 403, 'dossier.role_not_allowed');
    // a district role covers the commune
    const leader = await makeOfficer(env.db, [{ role: 'leader', unitCode: '693' }]);
    assert.equal((await getDossier(ctx, leader, d.code)).code, d.code);
  });

  it('keeps the unit a dossier was received under, and refuses a unit not in force on the day', async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2026-03-02T09:00:00+07:00');
    const officer = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25312' }]);
    await rejects(createDossier(ctx, officer, input({ unitCode: '25312' })), 422, 'dossier.unit_not_receiving');
  });

  it('audits reads of a full record and finds dossiers by name without diacritics and by phone', async () => {
    const ctx = testContext(env.db);
    const officer = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25315' }]);
    const d = await createDossier(ctx, officer, input({ unitCode: '25315', applicant: { fullName: 'Hoàng Thị Mận', phone: '0987654321' } }));
    await getDossier(ctx, officer, d.code);
    const reads = await env.db.kysely.selectFrom('audit_log').select('action').where('entity_id', '=', d.code).where('action', '=', 'dossier.read').execute();
    assert.equal(reads.length, 1);
    const byName = await listDossiersFor(ctx, officer, { q: 'hoang man', limit: 10, offset: 0 });
    assert.deepEqual(byName.map((x) => x.code), [d.code]);
    const byPhone = await listDossiersFor(ctx, officer, { phone: '+84987654321', limit: 10, offset: 0 });
    assert.deepEqual(byPhone.map((x) => x.code), [d.code]);
    const stored = await env.db.kysely.selectFrom('dossiers').select(['applicant_sealed']).where('code', '=', d.code).executeTakeFirstOrThrow();
    assert.ok(!stored.applicant_sealed?.includes('0987654321'), 'the phone number is sealed at rest');
  });
});
