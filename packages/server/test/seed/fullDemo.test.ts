import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkingCalendar, parseHolidayCsv, parseMakeupCsv, yymmdd, type Ii06aReport } from '@causo/domain';
import { allocate, applicantName, mulberry32, planFullDemo, planTotals, PUBLISHED_2022, seedFullDemo } from '../../src/seed/fullDemo.ts';
import { ii06aReport } from '../../src/modules/reports/service.ts';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';

const SEED_DIR = fileURLToPath(new URL('../../seed/', import.meta.url));

function referenceCalendar(): WorkingCalendar {
  return new WorkingCalendar({
    holidays: parseHolidayCsv(readFileSync(`${SEED_DIR}holidays-vn-2022-2027.csv`, 'utf8')).map((h) => h.date),
    makeupWorkdays: parseMakeupCsv(readFileSync(`${SEED_DIR}workdays-makeup-vn-2022-2027.csv`, 'utf8')).map((h) => h.date),
  });
}

describe('allocate', () => {
  it('sums exactly, stays proportional and respects caps', () => {
    assert.deepEqual(allocate(10, [1, 1, 1]), [4, 3, 3]);
    assert.deepEqual(allocate(7, [5, 1, 1], [3, 10, 10]), [3, 2, 2]);
    assert.deepEqual(allocate(0, [1, 2]), [0, 0]);
    const rng = mulberry32(7);
    for (let round = 0; round < 50; round++) {
      const weights = Array.from({ length: 40 }, () => rng() * 10);
      const caps = weights.map(() => Math.floor(rng() * 30));
      const room = caps.reduce((a, b) => a + b, 0);
      const total = Math.floor(rng() * room);
      const out = allocate(total, weights, caps);
      assert.equal(out.reduce((a, b) => a + b, 0), total);
      out.forEach((n, i) => assert.ok(n >= 0 && n <= (caps[i] ?? 0)));
    }
  });

  it('refuses what the caps cannot hold', () => {
    assert.throws(() => allocate(5, [1, 1], [2, 2]), RangeError);
  });
});

describe('planFullDemo', () => {
  const calendar = referenceCalendar();
  const plan = planFullDemo({ isWorkingDay: (d) => calendar.isWorkingDay(d) });
  const { from, to } = PUBLISHED_2022.period;

  it('reproduces the published figures exactly', () => {
    const t = planTotals(plan);
    assert.equal(t.carriedOver, 31_768);
    assert.equal(t.received, 428_624);
    assert.equal(t.carriedOver + t.received, 460_392);
    assert.equal(t.resolved, 415_318);
    assert.equal(t.resolved + t.withdrawn + t.inProgress, 460_392);
    assert.ok(t.withdrawn >= 300 && t.withdrawn <= 2_000, `withdrawn ${t.withdrawn}`);
  });

  it('receives only on working days, history only before the period, and nothing during Tết', () => {
    for (const d of plan.days) {
      assert.ok(calendar.isWorkingDay(d.date), d.date);
      assert.ok(d.date >= '2021-09-01' && d.date <= to, d.date);
      if (d.date >= from) assert.equal(d.history, 0);
      for (const n of [d.history, d.resolved, d.withdrawn, d.openAtEnd, d.refused, d.waiting]) assert.ok(Number.isInteger(n) && n >= 0);
    }
    assert.ok(!plan.days.some((d) => d.date >= '2022-01-29' && d.date <= '2022-02-06'));
  });

  it('is deterministic for a seed and varies with it', () => {
    const again = planFullDemo({ isWorkingDay: (d) => calendar.isWorkingDay(d) });
    assert.deepEqual(again, plan);
    const other = planFullDemo({ isWorkingDay: (d) => calendar.isWorkingDay(d), seed: 1 });
    assert.notDeepEqual(other.days, plan.days);
    assert.equal(planTotals(other).resolved, 415_318);
  });

  it('leaves most of the last day open and few of the early days', () => {
    const last = plan.days[plan.days.length - 1];
    const early = plan.days.find((d) => d.date === '2022-03-01');
    assert.ok(last && early);
    assert.ok(last.openAtEnd > last.resolved);
    assert.ok(early.openAtEnd < 0.1 * early.resolved);
  });
});

describe('applicantName', () => {
  it('gives NFC names, minority names included in Bù Đốp', () => {
    const rng = mulberry32(3);
    const names = Array.from({ length: 2_000 }, () => applicantName(rng, '693'));
    for (const n of names) assert.equal(n, n.normalize('NFC'));
    assert.ok(names.some((n) => n.startsWith('Điểu ')));
    assert.ok(names.some((n) => n.startsWith('Thị ')));
    assert.ok(names.some((n) => n.startsWith('Nông ') || n.startsWith('Lâm ')));
  });
});

const YTD = PUBLISHED_2022.period;

describeEachEngine('seedFullDemo', (env) => {
  let ytd: Ii06aReport;
  const clock = new TestClock(new Date('2023-01-16T09:00:00+07:00'));

  before(async () => {
    const ctx = testContext(env.db, clock);
    const t0 = performance.now();
    const r = await seedFullDemo(ctx, {});
    // Logged, not asserted: the time depends on the machine's load more than on this code.
    console.log(`full demo on ${env.engine}: ${r.dossiers} dossiers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    ytd = await ii06aReport(env.db.kysely, { period: YTD, unitCode: '70', by: 'unit' });
  });

  it('reproduces Bình Phước’s published year-to-date figures', () => {
    const t = ytd.total;
    console.log(`YTD ${env.engine}: ${JSON.stringify(t)}`);
    assert.equal(t.receivedTotal, 460_392);
    assert.equal(t.carriedOver, 31_768);
    assert.equal(t.receivedOnline + t.receivedDirect, 428_624);
    assert.equal(t.resolvedTotal, 415_318);
    for (const c of ytd.checks) assert.ok(c.ok, `${c.rule} ${c.row}: ${c.detail}`);
  });

  it('looks like the province: 11 district rows, a May online share near 21.6%, few late', async () => {
    assert.ok(ytd.rows.filter((r) => r.code.length === 3).length === 11);
    const may = (await ii06aReport(env.db.kysely, { period: { from: '2022-04-15', to: '2022-05-14' }, unitCode: '70', by: 'unit' })).total;
    const online = may.receivedOnline / (may.receivedOnline + may.receivedDirect);
    assert.ok(online > 0.19 && online < 0.24, `online ${online}`);
    const late = may.resolvedLate / may.resolvedTotal;
    assert.ok(late > 0.02 && late < 0.07, `late ${late}`);
    const aug = (await ii06aReport(env.db.kysely, { period: { from: '2022-07-15', to: '2022-08-14' }, unitCode: '70', by: 'unit' })).total;
    assert.ok(aug.receivedOnline / (aug.receivedOnline + aug.receivedDirect) > 0.3);
  });

  it('chains periods: July’s in progress is August’s carried over, and later periods have data', async () => {
    const july = await ii06aReport(env.db.kysely, { period: { from: '2022-07-15', to: '2022-08-14' }, unitCode: '70', by: 'unit' });
    const august = await ii06aReport(env.db.kysely, { period: { from: '2022-08-15', to: '2022-09-14' }, unitCode: '70', by: 'unit' });
    assert.equal(july.total.inProgressTotal, august.total.carriedOver);
    assert.ok(august.total.resolvedTotal > 0);
    for (const c of [...july.checks, ...august.checks]) assert.ok(c.ok, `${c.rule} ${c.row}: ${c.detail}`);
  });

  it('numbers codes per agency and day and records the sequences for live dossiers', async () => {
    const sample = await env.db.kysely
      .selectFrom('dossiers')
      .innerJoin('units', 'units.id', 'dossiers.unit_id')
      .select(['dossiers.code', 'units.agency_code', 'units.level', 'dossiers.submitted_at'])
      .where('dossiers.province_code', '=', '70')
      .orderBy('dossiers.id')
      .limit(2_000)
      .execute();
    for (const d of sample) {
      assert.match(d.code, /^H70\.\d{3,5}-\d{6}-\d{4,}$/);
      // Numbered by the receiving agency on the local day of submission.
      if (d.level !== 'village') assert.ok(d.code.startsWith(`${d.agency_code}-${yymmdd(d.submitted_at)}-`), d.code);
    }
    const village = await env.db.kysely
      .selectFrom('dossiers')
      .innerJoin('units', 'units.id', 'dossiers.unit_id')
      .select(['dossiers.code'])
      .where('units.level', '=', 'village')
      .limit(1)
      .executeTakeFirst();
    assert.ok(village, 'some dossiers were helped by village teams');
    assert.match(village.code, /^H70\.\d{5}-/);
    const sequences = await env.db.kysely
      .selectFrom('dossier_code_sequences')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('agency_code', 'like', 'H70.%')
      .executeTakeFirstOrThrow();
    assert.ok(Number(sequences.n) > 10_000);
    const top = await env.db.kysely
      .selectFrom('dossier_code_sequences')
      .select(['agency_code', 'day', 'last_value'])
      .where('agency_code', 'like', 'H70.%')
      .orderBy('last_value', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const code = `${top.agency_code}-${top.day.slice(2).replaceAll('-', '')}-${String(top.last_value).padStart(4, '0')}`;
    assert.ok(await env.db.kysely.selectFrom('dossiers').select('id').where('code', '=', code).executeTakeFirst(), `${code} exists`);
  });

  it('keeps Chơn Thành’s dossiers on the unit version in force before 1 Oct 2022', async () => {
    const row = await env.db.kysely
      .selectFrom('dossiers')
      .innerJoin('units', 'units.id', 'dossiers.unit_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('units.code', 'in', ['25432', '25433', '25441', '25444', '25447'])
      .where('units.valid_from', '>=', '2022-10-01')
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.n), 0);
  });

  it('refuses to load twice', async () => {
    await assert.rejects(seedFullDemo(testContext(env.db, clock), {}), /already has dossiers/);
  });
});
