/**
 * The dossier CSV import on both engines: a good file is stored with one `import` action per
 * dossier and counted exactly by Biểu II.06a; every kind of bad row is reported with its line;
 * a bad file stores nothing; the counters always equal a full recount from the action logs.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEachEngine } from '../support/engines.ts';
import { testContext } from '../support/fixtures.ts';
import type { Db } from '../../src/db/database.ts';
import { Problem } from '../../src/http/problem.ts';
import { IMPORT_COLUMNS, importDossiersCsv, parseIsoWithOffset } from '../../src/modules/dossiers/importCsv.ts';
import { bulkLoadDossiers } from '../../src/modules/dossiers/bulkLoad.ts';
import { ii06aReport } from '../../src/modules/reports/service.ts';
import { countersTable, recountCounters, verifyCounters } from '../../src/modules/reports/recount.ts';

const HEADER = IMPORT_COLUMNS.join(',');
const dir = mkdtempSync(join(tmpdir(), 'causo-import-test-'));
let files = 0;

function csvFile(lines: string[], opts: { header?: string; eol?: string; bom?: boolean } = {}): string {
  const eol = opts.eol ?? '\n';
  const path = join(dir, `import-${++files}.csv`);
  writeFileSync(path, `${opts.bom ? '\uFEFF' : ''}${[opts.header ?? HEADER, ...lines].join(eol)}${eol}`);
  return path;
}

/** A row from named parts, so each test says only what matters to it. */
function row(r: { code: string; procedure?: string; unit?: string; channel?: string; status?: string; received?: string; due?: string; finished?: string }): string {
  return [r.code, r.procedure ?? '1.001193', r.unit ?? '25309', r.channel ?? '1', r.status ?? '4', r.received ?? '', r.due ?? '', r.finished ?? ''].join(',');
}

const T = (local: string) => `${local}+07:00`;

async function rejected(promise: Promise<unknown>): Promise<Problem> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Problem, `expected a Problem, got ${String(e)}`);
    assert.equal(e.code, 'import.bad_file');
    assert.equal(e.status, 400);
    return e;
  }
  assert.fail('the file was accepted');
}

async function tableSnapshot(db: Db) {
  const count = async (table: 'dossiers' | 'dossier_actions' | 'audit_log') =>
    Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    dossiers: await count('dossiers'),
    actions: await count('dossier_actions'),
    audit: await count('audit_log'),
    counters: [...(await countersTable(db))].sort(([a], [b]) => (a < b ? -1 : 1)),
  };
}

describeEachEngine('dossier CSV import', (env) => {
  // Report period 15 Jul – 14 Aug 2022 at Huyện Bù Đốp (693); communes 25309 and 25310 are in it.
  const GOOD = [
    // received before the period, finished inside it on its due date: carried over, resolved on time
    row({ code: 'BD-0001', status: '10', received: T('2022-07-12T09:00:00'), due: T('2022-07-18T09:00:00'), finished: T('2022-07-18T15:00:00') }),
    // online, finished before its due date
    row({ code: 'BD-0002', channel: '2', status: '9', received: T('2022-07-20T09:00:00'), due: T('2022-07-22T09:00:00'), finished: T('2022-07-21T10:00:00') }),
    // at the counter, still open at the end and past its due date: overdue
    row({ code: 'BD-0003', procedure: '2.000815', unit: '25310', status: '4', received: T('2022-08-01T09:00:00'), due: T('2022-08-02T09:00:00') }),
    // by post, withdrawn
    row({ code: 'BD-0004', unit: '25310', channel: '3', status: '7', received: T('2022-08-03T09:00:00'), due: T('2022-08-06T09:00:00'), finished: T('2022-08-04T09:00:00') }),
    // waiting for a supplement: past due, but its clock is paused, so within
    row({ code: 'BD-0005', status: '5', received: T('2022-08-05T09:00:00'), due: T('2022-08-08T09:00:00') }),
    // finished after the period: in progress (overdue) at its end
    row({ code: 'BD/2022/0006', status: '10', received: T('2022-08-10T09:00:00'), due: T('2022-08-12T09:00:00'), finished: T('2022-08-20T09:00:00') }),
    // never received: submitted online, and refused at the counter; neither counts
    row({ code: 'BD-0007', channel: '2', status: '1' }),
    row({ code: 'BD-0008', status: '3' }),
  ];

  it('stores a good file: one import action each, the right dossiers, an exact II.06a report', async () => {
    const ctx = testContext(env.db);
    const before = await tableSnapshot(env.db);
    const progress: [number, number | undefined][] = [];
    const r = await importDossiersCsv(ctx, csvFile(GOOD), { actorId: null, onProgress: (done, total) => progress.push([done, total]) });
    assert.equal(r.imported, 8);
    assert.deepEqual(progress.at(-1), [8, 8]);

    const stored = await env.db.kysely
      .selectFrom('dossiers as d')
      .innerJoin('units as u', 'u.id', 'd.unit_id')
      .select(['d.id', 'd.code', 'd.status', 'd.channel', 'd.source', 'd.version', 'd.received_at', 'd.submitted_at', 'd.paused_at', 'd.phases', 'd.sector_code', 'u.code as unit_code'])
      .where('d.code', 'in', ['BD-0001', 'BD-0002', 'BD-0003', 'BD-0004', 'BD-0005', 'BD/2022/0006', 'BD-0007', 'BD-0008'])
      .orderBy('d.code')
      .execute();
    assert.deepEqual(
      stored.map((d) => [d.code, d.status, d.channel, d.unit_code, d.sector_code]),
      [
        ['BD-0001', 10, 1, '25309', 'HT'],
        ['BD-0002', 9, 2, '25309', 'HT'],
        ['BD-0003', 4, 1, '25310', 'CT'],
        ['BD-0004', 7, 3, '25310', 'HT'],
        ['BD-0005', 5, 1, '25309', 'HT'],
        ['BD-0007', 1, 2, '25309', 'HT'],
        ['BD-0008', 3, 1, '25309', 'HT'],
        ['BD/2022/0006', 10, 1, '25309', 'HT'],
      ],
    );
    assert.ok(stored.every((d) => d.source === 'import' && d.version === 1));
    const byCode = new Map(stored.map((d) => [d.code, d]));
    const waiting = byCode.get('BD-0005');
    assert.equal(waiting?.paused_at?.toISOString(), new Date(T('2022-08-05T09:00:00')).toISOString());
    assert.deepEqual(waiting?.phases, [{ from: '2022-08-05T02:00:00.000Z', paused: true, dueAt: '2022-08-08T02:00:00.000Z' }]);
    assert.equal(byCode.get('BD-0007')?.received_at, null);
    assert.equal(byCode.get('BD-0007')?.submitted_at.getTime(), ctx.now().getTime(), 'a dossier never received counts as submitted at the import');

    const actions = await env.db.kysely
      .selectFrom('dossier_actions as a')
      .innerJoin('dossiers as d', 'd.id', 'a.dossier_id')
      .select(['d.code', 'd.status', 'a.seq', 'a.action', 'a.from_status', 'a.to_status', 'a.actor_id', 'a.actor_role', 'a.occurred_at', 'a.transaction_id', 'a.payload'])
      .where('d.id', 'in', stored.map((d) => d.id))
      .execute();
    assert.equal(actions.length, 8);
    for (const a of actions) {
      assert.deepEqual([a.seq, a.action, a.from_status, a.to_status, a.actor_id, a.actor_role], [1, 'import', null, a.status, null, 'system']);
      assert.match(a.transaction_id, new RegExp(`^import-[0-9a-f-]{36}:${a.code.replaceAll('/', '\\/')}$`));
      assert.equal((a.payload as Record<string, unknown>).source, 'import');
    }
    const first = actions.find((a) => a.code === 'BD-0001');
    const payload = first?.payload as Record<string, string>;
    assert.equal(new Date(payload.receivedAt ?? '').getTime(), Date.parse(T('2022-07-12T09:00:00')));
    assert.equal(new Date(payload.dueAt ?? '').getTime(), Date.parse(T('2022-07-18T09:00:00')));
    assert.equal(new Date(payload.finishedAt ?? '').getTime(), Date.parse(T('2022-07-18T15:00:00')));
    assert.equal(first?.occurred_at.getTime(), Date.parse(T('2022-07-12T09:00:00')));

    const audit = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'dossier.import').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.entity, 'import');
    assert.deepEqual(audit[0]?.detail, { file: `import-${files}.csv`, rows: 8 });
    assert.equal((await tableSnapshot(env.db)).actions, before.actions + 8);

    const report = await ii06aReport(env.db.kysely, { period: { from: '2022-07-15', to: '2022-08-14' }, unitCode: '693', by: 'unit' });
    const t = report.total;
    assert.deepEqual(
      {
        carriedOver: t.carriedOver,
        online: t.receivedOnline,
        direct: t.receivedDirect,
        received: t.receivedTotal,
        before: t.resolvedBefore,
        on: t.resolvedOn,
        late: t.resolvedLate,
        withdrawn: t.withdrawn,
        within: t.inProgressWithin,
        overdue: t.inProgressOverdue,
      },
      { carriedOver: 1, online: 1, direct: 4, received: 6, before: 1, on: 1, late: 0, withdrawn: 1, within: 1, overdue: 2 },
    );
    const commune = report.rows.find((r) => r.code === '25310');
    assert.deepEqual([commune?.receivedDirect, commune?.withdrawn, commune?.inProgressOverdue], [2, 1, 1]);
    assert.ok(report.checks.every((c) => c.ok), JSON.stringify(report.checks.filter((c) => !c.ok)));
    assert.deepEqual((await verifyCounters(env.db)).differences, []);
  });

  it('picks the version of a unit in force on the day of reception (codes were reused in 2025)', async () => {
    const ctx = testContext(env.db);
    await importDossiersCsv(
      ctx,
      csvFile([
        row({ code: 'V-2022', status: '2', received: T('2022-03-01T08:15:00'), due: T('2022-03-02T08:15:00') }),
        row({ code: 'V-2025', status: '2', received: T('2025-08-01T08:15:00'), due: T('2025-08-04T08:15:00') }),
      ]),
      { actorId: null },
    );
    const rows = await env.db.kysely
      .selectFrom('dossiers as d')
      .innerJoin('units as u', 'u.id', 'd.unit_id')
      .select(['d.code', 'd.province_code', 'u.valid_from'])
      .where('d.code', 'in', ['V-2022', 'V-2025'])
      .orderBy('d.code')
      .execute();
    assert.deepEqual(rows, [
      { code: 'V-2022', province_code: '70', valid_from: '2020-01-01' },
      { code: 'V-2025', province_code: '75', valid_from: '2025-07-01' },
    ]);
  });

  const good = (code: string) => row({ code, status: '2', received: T('2023-03-01T08:15:00'), due: T('2023-03-02T08:15:00') });
  const BAD_ROWS: { what: string; line: string; path: string; message: RegExp }[] = [
    { what: 'a missing code', line: row({ code: '', status: '1' }), path: 'code', message: /code is missing/ },
    { what: 'a code with a space', line: row({ code: 'AB 12', status: '1' }), path: 'code', message: /letters, digits/ },
    { what: 'an unknown procedure', line: row({ code: 'X-01', procedure: '9.999999', status: '1' }), path: 'procedure_code', message: /no procedure 9\.999999/ },
    { what: 'an unknown unit', line: row({ code: 'X-02', unit: '99999', status: '1' }), path: 'unit_code', message: /no unit 99999/ },
    {
      what: 'a unit not in force on the day of reception',
      line: row({ code: 'X-03', unit: '693', status: '2', received: T('2025-08-01T09:00:00'), due: T('2025-08-04T09:00:00') }),
      path: 'unit_code',
      message: /693 is not in force on 2025-08-01/,
    },
    { what: 'channel 4', line: row({ code: 'X-04', channel: '4', status: '1' }), path: 'channel', message: /1 \(counter\), 2 \(online\) or 3 \(post\)/ },
    { what: 'status 11', line: row({ code: 'X-05', status: '11' }), path: 'status', message: /from 1 to 10/ },
    { what: 'status 0', line: row({ code: 'X-06', status: '0' }), path: 'status', message: /from 1 to 10/ },
    { what: 'a time without offset', line: row({ code: 'X-07', status: '2', received: '2023-03-01T08:15:00', due: T('2023-03-02T08:15:00') }), path: 'received_at', message: /ISO 8601 with its offset/ },
    { what: 'a date that does not exist', line: row({ code: 'X-08', status: '2', received: T('2023-02-30T08:15:00'), due: T('2023-03-02T08:15:00') }), path: 'received_at', message: /2023-02-30T08:15:00\+07:00" is not a date and time that exists/ },
    { what: 'a date only', line: row({ code: 'X-09', status: '2', received: T('2023-03-01T08:15:00'), due: '2023-03-02' }), path: 'due_at', message: /ISO 8601/ },
    { what: 'no received_at on a received dossier', line: row({ code: 'X-10', status: '2', due: T('2023-03-02T08:15:00') }), path: 'received_at', message: /required for status 2/ },
    { what: 'a received_at on a dossier never received', line: row({ code: 'X-11', status: '1', received: T('2023-03-01T08:15:00') }), path: 'received_at', message: /must be empty for status 1/ },
    { what: 'a received_at on a refused dossier', line: row({ code: 'X-12', status: '3', received: T('2023-03-01T08:15:00') }), path: 'received_at', message: /must be empty for status 3/ },
    { what: 'no due_at on a received dossier', line: row({ code: 'X-13', status: '4', received: T('2023-03-01T08:15:00') }), path: 'due_at', message: /required for status 4/ },
    { what: 'no finished_at on a finished dossier', line: row({ code: 'X-14', status: '9', received: T('2023-03-01T08:15:00'), due: T('2023-03-02T08:15:00') }), path: 'finished_at', message: /required for status 9/ },
    {
      what: 'a finished_at on an open dossier',
      line: row({ code: 'X-15', status: '6', received: T('2023-03-01T08:15:00'), due: T('2023-03-02T08:15:00'), finished: T('2023-03-02T08:15:00') }),
      path: 'finished_at',
      message: /must be empty for status 6/,
    },
    {
      what: 'finished before received',
      line: row({ code: 'X-16', status: '8', received: T('2023-03-01T08:15:00'), due: T('2023-03-02T08:15:00'), finished: T('2023-02-28T08:15:00') }),
      path: 'finished_at',
      message: /before received_at/,
    },
    { what: 'due before received', line: row({ code: 'X-17', status: '2', received: T('2023-03-01T08:15:00'), due: T('2023-02-28T08:15:00') }), path: 'due_at', message: /before received_at/ },
    { what: 'a missing column', line: 'X-18,1.001193,25309,1,1,,', path: 'line 3', message: /expected 8 fields .* found 7/ },
    { what: 'an extra column', line: 'X-19,1.001193,25309,1,1,,,,', path: 'line 3', message: /found 9/ },
    { what: 'a code already on an earlier line', line: good('DUP-1'), path: 'code', message: /also on line 2/ },
  ];
  for (const [i, bad] of BAD_ROWS.entries())
    it(`rejects ${bad.what}, on line 3`, async () => {
      const firstCode = bad.what.startsWith('a code already') ? 'DUP-1' : `GOOD-${i}`;
      const e = await rejected(importDossiersCsv(testContext(env.db), csvFile([good(firstCode), bad.line]), { actorId: null }));
      assert.deepEqual(
        e.errors?.map((x) => [x.line, x.path]),
        [[3, bad.path]],
        JSON.stringify(e.errors),
      );
      assert.match(e.errors?.[0]?.message ?? '', bad.message);
      assert.equal(e.extra.errorCount, 1);
    });

  it('collects every error of a file with its own line: blank lines, CRLF, a BOM and a quoted line break', async () => {
    const lines = [
      good('L-1'), // line 2
      row({ code: 'L-2', status: '12' }), // line 3
      '', // line 4
      row({ code: 'L-3', channel: '9', status: '1', unit: '99999' }), // line 5: two errors
      '"L-4\nX",1.001193,25309,1,1,,,', // lines 6-7: a code with a line break
      row({ code: 'L-5', status: '2' }), // line 8: no dates
    ];
    const e = await rejected(importDossiersCsv(testContext(env.db), csvFile(lines, { eol: '\r\n', bom: true }), { actorId: null }));
    assert.deepEqual(
      e.errors?.map((x) => [x.line, x.path]),
      [
        [3, 'status'],
        [5, 'channel'],
        [5, 'unit_code'],
        [6, 'code'],
        [8, 'received_at'],
        [8, 'due_at'],
      ],
    );
    assert.equal(e.extra.errorCount, 6);
    assert.match(e.detail ?? '', /6 error\(s\); nothing was imported/);
  });

  it('reports broken CSV quoting with its line', async () => {
    const e = await rejected(importDossiersCsv(testContext(env.db), csvFile([good('Q-1'), 'Q-2,"1.001193"x,25309,1,1,,,']), { actorId: null }));
    assert.equal(e.errors?.[0]?.line, 3);
    assert.match(e.errors?.[0]?.message ?? '', /not valid CSV/);
  });

  it('stores nothing from a file with three good rows and one bad one', async () => {
    const before = await tableSnapshot(env.db);
    const e = await rejected(
      importDossiersCsv(testContext(env.db), csvFile([good('A-1'), good('A-2'), good('A-3'), row({ code: 'A-4', status: '12', received: T('2023-03-01T08:15:00'), due: T('2023-03-02T08:15:00') })]), {
        actorId: null,
      }),
    );
    assert.deepEqual(e.errors?.map((x) => x.line), [5]);
    assert.deepEqual(await tableSnapshot(env.db), before);
  });

  it('rejects codes that are already stored, with their lines, and stores nothing', async () => {
    const ctx = testContext(env.db);
    await importDossiersCsv(ctx, csvFile([good('S-1'), good('S-2')]), { actorId: null });
    const before = await tableSnapshot(env.db);
    const e = await rejected(importDossiersCsv(ctx, csvFile([good('S-3'), good('S-2'), good('S-4'), good('S-1')]), { actorId: null }));
    assert.deepEqual(
      e.errors?.map((x) => [x.line, x.path, x.message]),
      [
        [3, 'code', 'a dossier with code S-2 is already stored'],
        [5, 'code', 'a dossier with code S-1 is already stored'],
      ],
    );
    assert.deepEqual(await tableSnapshot(env.db), before);
  });

  const headerCases: [string, string][] = [
    ['a missing column', 'code,procedure_code,unit_code,channel,status,received_at,due_at'],
    ['an extra column', `${HEADER},note`],
    ['columns out of order', 'procedure_code,code,unit_code,channel,status,received_at,due_at,finished_at'],
    ['no header at all', good('H-0')],
  ];
  for (const [what, header] of headerCases)
    it(`rejects a file whose header has ${what}, naming the expected header`, async () => {
      const e = await rejected(importDossiersCsv(testContext(env.db), csvFile([good('H-1')], { header }), { actorId: null }));
      assert.equal(e.errors?.length, 1);
      assert.deepEqual([e.errors?.[0]?.line, e.errors?.[0]?.path], [1, 'header']);
      assert.ok(e.detail?.includes(HEADER), e.detail);
    });

  it('rejects an empty file', async () => {
    const path = join(dir, 'empty.csv');
    writeFileSync(path, '');
    const e = await rejected(importDossiersCsv(testContext(env.db), path, { actorId: null }));
    assert.deepEqual([e.errors?.[0]?.line, e.errors?.[0]?.path], [1, 'header']);
  });

  it('loads names with commas, quotes and diacritics through COPY as they are', async () => {
    const unit = await env.db.kysely.selectFrom('units').select(['id', 'ancestor_ids']).where('code', '=', '25309').where('province_code', '=', '70').executeTakeFirstOrThrow();
    const procedure = await env.db.kysely.selectFrom('procedures').select(['id', 'sector_code']).where('code', '=', '1.001193').executeTakeFirstOrThrow();
    const at = new Date(T('2023-04-03T08:00:00'));
    const name = 'Nguyễn "Bé", Thị\tHoa';
    const { inserted } = await bulkLoadDossiers(
      env.db,
      [
        [
          {
            code: 'NAME-1',
            procedureId: procedure.id,
            sectorCode: procedure.sector_code,
            unitId: unit.id,
            unitAncestorIds: unit.ancestor_ids,
            provinceCode: '70',
            channel: 1,
            status: 2,
            submittedAt: at,
            receivedAt: at,
            dueAt: new Date(T('2023-04-04T08:00:00')),
            finishedAt: null,
            applicantName: name,
          },
        ],
      ],
      { actorId: null, transactionPrefix: 'test-names' },
    );
    assert.equal(inserted, 1);
    const d = await env.db.kysely.selectFrom('dossiers').select(['applicant_name', 'applicant_search']).where('code', '=', 'NAME-1').executeTakeFirstOrThrow();
    assert.deepEqual(d, { applicant_name: name, applicant_search: 'nguyen "be", thi\thoa' });
  });

  it('bulk-loads more than one chunk with an encoder thread, and the counters equal a full recount', async () => {
    // 60,000 rows: the first 50,000 are encoded on this thread, the rest on the encoder thread;
    // both add counters for the same units and days, which the merge must sum.
    const units = await env.db.kysely.selectFrom('units').select(['id', 'ancestor_ids']).where('code', 'in', ['25309', '25310']).where('province_code', '=', '70').execute();
    const procedures = await env.db.kysely.selectFrom('procedures').select(['id', 'sector_code']).where('code', 'in', ['1.001193', '2.000815']).execute();
    const start = Date.parse(T('2020-02-03T08:00:00'));
    function* batches() {
      for (let b = 0; b < 6; b++)
        yield Array.from({ length: 10_000 }, (_, j) => {
          const i = b * 10_000 + j;
          const unit = units[i % units.length];
          const procedure = procedures[i % procedures.length];
          if (!unit || !procedure) throw new Error('test data missing');
          const receivedAt = new Date(start + (i % 300) * 86_400_000);
          const status = ([10, 4, 5, 8] as const)[i % 4] ?? 10;
          return {
            code: `ENC-${i}`,
            procedureId: procedure.id,
            sectorCode: procedure.sector_code,
            unitId: unit.id,
            unitAncestorIds: unit.ancestor_ids,
            provinceCode: '70',
            channel: ((i % 3) + 1) as 1 | 2 | 3,
            status,
            submittedAt: receivedAt,
            receivedAt,
            dueAt: new Date(receivedAt.getTime() + 3 * 86_400_000),
            finishedAt: status === 10 || status === 8 ? new Date(receivedAt.getTime() + (i % 7) * 86_400_000) : null,
            applicantName: `Người dân ${i}`,
          };
        });
    }
    const progress: number[] = [];
    const { inserted } = await bulkLoadDossiers(env.db, batches(), { actorId: null, transactionPrefix: 'test-encoder', onProgress: (n) => progress.push(n) });
    assert.equal(inserted, 60_000);
    assert.deepEqual(progress, [50_000, 60_000]);
    const actions = await env.db.kysely.selectFrom('dossier_actions').select((eb) => eb.fn.countAll<number>().as('n')).where('transaction_id', 'like', 'test-encoder:%').executeTakeFirstOrThrow();
    assert.equal(Number(actions.n), 60_000);
    // The counters are compared with a full recount by the next test, over both loads.
  });

  it('loads a large file through the worker thread, and the counters equal a full recount', async () => {
    // Over 4 MB, so the import parses and encodes in a worker; on PGlite over 20,000 rows, so the
    // secondary indexes are dropped and rebuilt. Spread over 2021, several communes and sectors.
    const communes = ['25309', '25310', '25312', '25315', '25318', '25321', '25308'];
    const procedures = ['1.001193', '2.000815', '1.004873', '1.004222'];
    const lines: string[] = [];
    const start = Date.parse(T('2021-01-04T07:30:00'));
    for (let i = 0; i < 40_000; i++) {
      const received = new Date(start + ((i * 7_919) % 360) * 86_400_000 + (i % 480) * 60_000);
      const due = new Date(received.getTime() + (1 + (i % 9)) * 86_400_000);
      const status = [10, 10, 9, 4, 5, 2, 6, 7, 8, 10, 1, 3][i % 12] ?? 10;
      const finished = status >= 7 ? new Date(received.getTime() + (i % 13) * 86_400_000 + 3_600_000) : null;
      const iso = (d: Date | null) => (d ? d.toISOString().replace('Z', '+00:00') : '');
      const receivedCell = status === 1 || status === 3 ? '' : iso(received);
      const dueCell = status === 1 || status === 3 ? '' : iso(due);
      lines.push([`BIG-${String(i).padStart(6, '0')}-H70.${communes[i % communes.length]}`, procedures[i % procedures.length], communes[i % communes.length], 1 + (i % 3), status, receivedCell, dueCell, iso(finished)].join(','));
    }
    const before = (await tableSnapshot(env.db)).dossiers;
    const indexes = () => env.db.raw((c) => c.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename IN ('dossiers', 'dossier_actions') ORDER BY 1`));
    const indexesBefore = await indexes();
    const progress: number[] = [];
    const r = await importDossiersCsv(testContext(env.db), csvFile(lines), { actorId: null, onProgress: (done) => progress.push(done) });
    assert.equal(r.imported, 40_000);
    assert.deepEqual(progress, [40_000]);
    assert.equal((await tableSnapshot(env.db)).dossiers, before + 40_000);
    assert.deepEqual(await indexes(), indexesBefore, 'every index is back after the load');

    const [expected, actual] = [await recountCounters(env.db), await countersTable(env.db)];
    assert.ok(actual.size > 1000);
    assert.deepEqual(actual, expected);
  });
});

it('reads ISO 8601 times with their offset, and only those', () => {
  assert.equal(parseIsoWithOffset('2022-03-01T08:15:00+07:00'), Date.parse('2022-03-01T01:15:00Z'));
  assert.equal(parseIsoWithOffset('2022-03-01T08:15+07:00'), Date.parse('2022-03-01T01:15:00Z'));
  assert.equal(parseIsoWithOffset('2022-03-01T01:15:00.5Z'), Date.parse('2022-03-01T01:15:00.500Z'));
  assert.equal(parseIsoWithOffset('2022-03-01T01:15:00.123456-02:30'), Date.parse('2022-03-01T03:45:00.123Z'));
  assert.equal(parseIsoWithOffset('2024-02-29T00:00:00+07:00'), Date.parse('2024-02-28T17:00:00Z'));
  for (const bad of ['2023-02-29T00:00:00+07:00', '2022-03-01T08:15:00', '2022-03-01', '2022-03-01T24:00:00+07:00', '2022-13-01T00:00:00Z', '2022-03-01 08:15:00+07:00', ' 2022-03-01T08:15:00+07:00'])
    assert.equal(parseIsoWithOffset(bad), null, bad);
});
