import { it } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, NUMBER_FIELDS, type Action, type Ii06aRow } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer, testContext, txid, type TestClock } from '../support/fixtures.ts';
import { actOnDossier, createDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import { ii06aReport } from '../../src/modules/reports/service.ts';
import { mulberry32 } from '../../src/bench/syntheticDossiers.ts';
import type { AppContext } from '../../src/context.ts';

type Ctx = AppContext & { clock: TestClock };

async function dossier(ctx: Ctx, actor: Actor, unitCode: string, at: string, channel: 1 | 2 | 3, steps: [Action, string][] = [], procedureCode = '1.001193') {
  ctx.clock.set(at);
  const d = await createDossier(ctx, actor, { transactionId: txid(), procedureCode, unitCode, channel, applicant: { fullName: 'Lâm Văn Sơn' }, formData: {} });
  for (const [action, when] of steps) {
    ctx.clock.set(when);
    await actOnDossier(ctx, actor, d.code, {
      action,
      transactionId: txid(),
      ...(action === 'stop' || action === 'refuse' ? { reason: 'lý do' } : {}),
      ...(action === 'request_supplement' ? { missingDocuments: ['Giấy tờ'] } : {}),
    });
  }
  return d;
}

const only = (row: Ii06aRow, fields: Partial<Ii06aRow>) => {
  const expected = Object.fromEntries(NUMBER_FIELDS.map((k) => [k, 0]));
  assert.deepEqual(Object.fromEntries(NUMBER_FIELDS.map((k) => [k, row[k]])), { ...expected, ...fields });
};

describeEachEngine('II.06a report', (env) => {
  it('fills every column from hand-computed cases in one commune', async () => {
    const ctx = testContext(env.db);
    const actor = await makeOfficer(env.db, [{ role: 'admin', unitCode: '70' }]);
    // Thiện Hưng (25312), period 2022-07-15 .. 2022-08-14. Birth registration: 1 working day.
    // carried over, then resolved on its due date
    await dossier(ctx, actor, '25312', '2022-07-13T09:00:00+07:00', 1, [['start_processing', '2022-07-13T10:00:00+07:00'], ['finish', '2022-07-14T08:00:00+07:00']]);
    await dossier(ctx, actor, '25312', '2022-07-14T09:00:00+07:00', 1, [['start_processing', '2022-07-14T10:00:00+07:00'], ['finish', '2022-07-15T08:30:00+07:00']]);
    // new online, resolved before the due date? same day → due next day → before
    await dossier(ctx, actor, '25312', '2022-07-18T08:00:00+07:00', 2, [['receive', '2022-07-18T08:00:00+07:00'], ['start_processing', '2022-07-18T09:00:00+07:00'], ['finish', '2022-07-18T15:00:00+07:00']]);
    // new by post, resolved late
    await dossier(ctx, actor, '25312', '2022-07-19T08:00:00+07:00', 3, [['start_processing', '2022-07-19T09:00:00+07:00'], ['finish', '2022-07-25T15:00:00+07:00'], ['return_result', '2022-07-26T08:00:00+07:00']]);
    // new counter, withdrawn
    await dossier(ctx, actor, '25312', '2022-07-20T08:00:00+07:00', 1, [['request_withdrawal', '2022-07-20T09:00:00+07:00'], ['stop', '2022-07-21T09:00:00+07:00']]);
    // new counter, still open and overdue at the end
    await dossier(ctx, actor, '25312', '2022-08-01T08:00:00+07:00', 1, [['start_processing', '2022-08-01T09:00:00+07:00']]);
    // new counter, waiting for a supplement past its due date: within
    await dossier(ctx, actor, '25312', '2022-08-02T08:00:00+07:00', 1, [['request_supplement', '2022-08-02T09:00:00+07:00']]);
    // new, open and not yet due at the end
    await dossier(ctx, actor, '25312', '2022-08-12T16:00:00+07:00', 1);
    // online but never received (status 1) and refused (3): never counted
    await dossier(ctx, actor, '25312', '2022-08-03T08:00:00+07:00', 2);
    await dossier(ctx, actor, '25312', '2022-08-03T08:00:00+07:00', 2, [['refuse', '2022-08-03T09:00:00+07:00']]);
    // outside the period entirely (finished before it)
    await dossier(ctx, actor, '25312', '2022-07-01T08:00:00+07:00', 1, [['start_processing', '2022-07-01T09:00:00+07:00'], ['finish', '2022-07-01T10:00:00+07:00']]);

    const r = await ii06aReport(env.db.kysely, { period: { from: '2022-07-15', to: '2022-08-14' }, unitCode: '693', by: 'unit' });
    const row = r.rows.find((x) => x.code === '25312');
    assert.ok(row);
    only(row, {
      receivedTotal: 7, carriedOver: 1, receivedOnline: 1, receivedDirect: 5,
      resolvedTotal: 3, resolvedBefore: 1, resolvedOn: 1, resolvedLate: 1,
      withdrawn: 1,
      inProgressTotal: 3, inProgressWithin: 2, inProgressOverdue: 1,
    });
    assert.ok(r.checks.every((c) => c.ok), JSON.stringify(r.checks.filter((c) => !c.ok)));
    // The first dossier was finished before the period: it is neither carried over nor resolved in it.
    const before = await ii06aReport(env.db.kysely, { period: { from: '2022-07-01', to: '2022-07-14' }, unitCode: '693', by: 'unit' });
    only(before.rows.find((x) => x.code === '25312') as Ii06aRow, { receivedTotal: 3, receivedDirect: 3, resolvedTotal: 2, resolvedBefore: 1, resolvedOn: 1, inProgressTotal: 1, inProgressWithin: 1 });
  });

  it('rolls up from communes to the district and province, by sector too, with an own row for district-level dossiers', async () => {
    const ctx = testContext(env.db);
    const actor = await makeOfficer(env.db, [{ role: 'admin', unitCode: '70' }]);
    await dossier(ctx, actor, '25308', '2022-09-01T08:00:00+07:00', 1);
    await dossier(ctx, actor, '25321', '2022-09-01T09:00:00+07:00', 2, [['receive', '2022-09-05T08:00:00+07:00']], '2.000815');
    await dossier(ctx, actor, '693', '2022-09-05T09:00:00+07:00', 1);
    await dossier(ctx, actor, '25309-01', '2022-09-06T09:00:00+07:00', 1); // a village of Hưng Phước
    const period = { from: '2022-09-01', to: '2022-09-10' };
    const district = await ii06aReport(env.db.kysely, { period, unitCode: '693', by: 'unit' });
    const fresh = (r: Ii06aRow | undefined) => (r ? r.receivedOnline + r.receivedDirect : NaN);
    // (the first test's open dossiers in Thiện Hưng are carried into September)
    assert.equal(fresh(district.total), 4);
    assert.equal(district.rows.find((x) => x.code === '693')?.receivedTotal, 1, 'own row for the district office');
    assert.equal(district.rows.find((x) => x.code === '25309')?.receivedTotal, 1, 'the village rolls up into its commune');
    assert.ok(district.checks.every((c) => c.ok));
    const province = await ii06aReport(env.db.kysely, { period, by: 'unit' });
    assert.equal(province.unit?.code, '70');
    assert.equal(province.rows.length, 11);
    assert.equal(fresh(province.rows.find((x) => x.code === '693')), 4);
    assert.equal(province.rows.find((x) => x.code === '693')?.receivedTotal, district.total.receivedTotal);
    const sectors = await ii06aReport(env.db.kysely, { period, unitCode: '693', by: 'sector' });
    assert.equal(fresh(sectors.rows.find((x) => x.code === 'HT')), 3);
    assert.equal(sectors.rows.find((x) => x.code === 'CT')?.receivedOnline, 1);
    assert.ok(sectors.checks.every((c) => c.ok));
  });

  it('keeps the invariants and chains periods on random activity (in progress = next carried over)', async () => {
    const ctx = testContext(env.db);
    const actor = await makeOfficer(env.db, [{ role: 'admin', unitCode: '70' }]);
    const rnd = mulberry32(7);
    const communes = ['25225', '25228', '25231', '25234'];
    const stories: Action[][] = [['start_processing', 'finish', 'return_result'], ['start_processing'], ['request_supplement', 'supplement_received', 'finish'], ['request_fees', 'fees_paid', 'finish'], ['request_withdrawal'], ['stop'], []];
    let t = Date.parse('2022-10-03T08:00:00+07:00');
    for (let i = 0; i < 60; i++) {
      t += Math.floor(rnd() * 30) * 3_600_000;
      const at = new Date(t);
      const steps: [Action, string][] = [];
      let s = t;
      for (const a of stories[Math.floor(rnd() * stories.length)] ?? []) {
        s += Math.floor(rnd() * 72) * 3_600_000;
        if (s < Date.parse('2022-12-20T00:00:00+07:00')) steps.push([a, new Date(s).toISOString()]);
      }
      steps.sort((a, b) => a[1].localeCompare(b[1]));
      await dossier(ctx, actor, communes[i % communes.length] ?? '25225', at.toISOString(), ((i % 3) + 1) as 1 | 2 | 3, i % 3 === 1 ? [['receive', at.toISOString()], ...steps] : steps);
    }
    ctx.clock.set('2022-12-31T12:00:00+07:00');
    let from = '2022-10-01';
    let previous: Ii06aRow | null = null;
    while (from < '2022-12-31') {
      const to = addDays(from, 9);
      const r = await ii06aReport(env.db.kysely, { period: { from, to }, unitCode: '692', by: 'unit' });
      assert.ok(r.checks.every((c) => c.ok), JSON.stringify(r.checks.filter((c) => !c.ok)));
      if (previous) assert.equal(r.total.carriedOver, previous.inProgressTotal, `chain at ${from}`);
      previous = r.total;
      from = addDays(to, 1);
    }
  });
});
