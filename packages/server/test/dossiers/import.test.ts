import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachEngine } from '../support/engines.ts';
import { testContext } from '../support/fixtures.ts';
import { importDossiersCsv } from '../../src/modules/dossiers/importCsv.ts';
import { ii06aReport } from '../../src/modules/reports/service.ts';
import { verifyCounters } from '../../src/modules/reports/recount.ts';
import { Problem } from '../../src/http/problem.ts';

const HEADER = 'code,procedure_code,unit_code,channel,status,received_at,due_at,finished_at';
const dir = mkdtempSync(join(tmpdir(), 'causo-import-'));
let n = 0;
function file(lines: string[], header = HEADER): string {
  const p = join(dir, `f${++n}.csv`);
  writeFileSync(p, `${[header, ...lines].join('\n')}\n`);
  return p;
}

const GOOD = [
  // carried over into Jul 15–Aug 14 and resolved on time inside it
  'IMP-0001,1.001193,25309,1,10,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,2022-07-18T15:00:00+07:00',
  // new online in the period, resolved before the due date
  'IMP-0002,1.001193,25309,2,9,2022-07-20T09:00:00+07:00,2022-07-22T09:00:00+07:00,2022-07-21T10:00:00+07:00',
  // new counter, still open and overdue at the end
  'IMP-0003,2.000815,25310,1,4,2022-08-01T09:00:00+07:00,2022-08-02T09:00:00+07:00,',
  // new by post, withdrawn
  'IMP-0004,1.004873,25310,3,7,2022-08-03T09:00:00+07:00,2022-08-06T09:00:00+07:00,2022-08-04T09:00:00+07:00',
  // never received: does not count
  'IMP-0005,1.001193,25309,2,1,,,',
];

async function badFile(ctx: ReturnType<typeof testContext>, lines: string[], header?: string) {
  try {
    await importDossiersCsv(ctx, file(lines, header), { actorId: null });
  } catch (e) {
    assert.ok(e instanceof Problem);
    assert.equal(e.code, 'import.bad_file');
    return e;
  }
  assert.fail('the file was accepted');
}

describeEachEngine('dossier import', (env) => {
  it('imports a good file with one import entry per dossier and reports it exactly', async () => {
    const ctx = testContext(env.db);
    const r = await importDossiersCsv(ctx, file(GOOD), { actorId: null });
    assert.equal(r.imported, 5);
    const actions = await env.db.kysely.selectFrom('dossier_actions').select(['action', 'transaction_id']).where('action', '=', 'import').execute();
    assert.equal(actions.length, 5);
    const report = await ii06aReport(env.db.kysely, { period: { from: '2022-07-15', to: '2022-08-14' }, unitCode: '693', by: 'unit' });
    const t = report.total;
    assert.deepEqual(
      [t.carriedOver, t.receivedOnline, t.receivedDirect, t.resolvedBefore, t.resolvedOn, t.resolvedLate, t.withdrawn, t.inProgressWithin, t.inProgressOverdue],
      [1, 1, 2, 1, 1, 0, 1, 0, 1],
    );
    assert.ok(report.checks.every((c) => c.ok));
    assert.ok((await verifyCounters(env.db)).ok);
  });

  const cases: [string, string, RegExp][] = [
    ['a missing code', ',1.001193,25309,1,2,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', /missing or too short/],
    ['an unknown procedure', 'B-00001,9.999999,25309,1,2,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', /not in the catalogue/],
    ['an unknown unit', 'B-00002,1.001193,99999,1,2,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', /not a known unit/],
    ['a unit not in force on the day', 'B-00003,1.001193,25312,1,2,2025-08-12T09:00:00+07:00,2025-08-18T09:00:00+07:00,', /not in force/],
    ['a bad channel', 'B-00004,1.001193,25309,4,2,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', /channel|1 \(counter\)/],
    ['a bad status', 'B-00005,1.001193,25309,1,11,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', /status from 1 to 10/],
    ['a date without offset', 'B-00006,1.001193,25309,1,2,2022-07-12 09:00,2022-07-18T09:00:00+07:00,', /ISO 8601/],
    ['received_at missing', 'B-00007,1.001193,25309,1,2,,2022-07-18T09:00:00+07:00,', /received_at is required/],
    ['received_at on a never-received dossier', 'B-00008,1.001193,25309,2,1,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', /must be empty/],
    ['due_at missing', 'B-00009,1.001193,25309,1,2,2022-07-12T09:00:00+07:00,,', /due_at is required/],
    ['finished_at missing on a finished dossier', 'B-00010,1.001193,25309,1,9,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', /finished_at is required/],
    ['finished_at on an open dossier', 'B-00011,1.001193,25309,1,4,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,2022-07-13T09:00:00+07:00', /must be empty while/],
    ['finished before received', 'B-00012,1.001193,25309,1,9,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,2022-07-11T09:00:00+07:00', /before received_at/],
    ['a missing column', 'B-00013,1.001193,25309,1,2,2022-07-12T09:00:00+07:00', /fields/],
  ];
  for (const [what, line, reason] of cases)
    it(`rejects a file with ${what}, naming the line`, async () => {
      const e = await badFile(testContext(env.db), [GOOD[1]?.replace('IMP-0002', `OK-${what.length}x`) ?? '', line]);
      assert.ok(e.errors?.some((x) => x.line === 3 && reason.test(x.message)), JSON.stringify(e.errors));
    });

  it('rejects duplicate codes within the file and codes already stored', async () => {
    const e = await badFile(testContext(env.db), ['D-00001,1.001193,25309,1,2,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', 'D-00001,1.001193,25309,1,2,2022-07-12T09:00:00+07:00,2022-07-18T09:00:00+07:00,', GOOD[0] ?? '']);
    assert.ok(e.errors?.some((x) => x.line === 3 && /already on line 2/.test(x.message)));
    assert.ok(e.errors?.some((x) => x.line === 4 && /already stored/.test(x.message)));
  });

  it('stores nothing from a file with one bad row among good ones', async () => {
    const count = async () => ({
      dossiers: Number((await env.db.kysely.selectFrom('dossiers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      counters: JSON.stringify(await env.db.kysely.selectFrom('ii06a_counters').selectAll().orderBy(['unit_id', 'sector_code', 'day']).execute()),
    });
    const before = await count();
    await badFile(testContext(env.db), [
      'A-00001,1.001193,25309,1,2,2022-09-12T09:00:00+07:00,2022-09-13T09:00:00+07:00,',
      'A-00002,1.001193,25309,1,2,2022-09-12T09:00:00+07:00,2022-09-13T09:00:00+07:00,',
      'A-00003,1.001193,25309,1,2,2022-09-12T09:00:00+07:00,2022-09-13T09:00:00+07:00,',
      'A-00004,1.001193,25309,1,12,2022-09-12T09:00:00+07:00,2022-09-13T09:00:00+07:00,',
    ]);
    assert.deepEqual(await count(), before);
  });

  it('checks the header', async () => {
    const e = await badFile(testContext(env.db), [GOOD[0] ?? ''], 'code,procedure,unit');
    assert.equal(e.errors?.[0]?.line, 1);
  });
});
