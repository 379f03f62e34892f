import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chartPeriods, detectPreset, lastCompleteMonth, ReportPageQuery, reportSearch, resolvePeriod } from '../../src/modules/reports/pages/query.ts';
import { niceMax, renderChartSvg } from '../../src/modules/reports/chart.ts';

const at = (iso: string) => new Date(iso);
const resolve = (q: Record<string, string>, now = '2026-11-25T09:00:00+07:00') => resolvePeriod(ReportPageQuery.parse(q), at(now));

describe('report periods on the page', () => {
  it('defaults to the last month period that has ended (15th to 14th)', () => {
    assert.deepEqual(lastCompleteMonth('2026-11-25'), { year: 2026, month: 11 });
    assert.deepEqual(lastCompleteMonth('2026-11-14'), { year: 2026, month: 10 });
    assert.deepEqual(lastCompleteMonth('2027-01-03'), { year: 2026, month: 12 });
    assert.deepEqual(lastCompleteMonth('2026-12-20'), { year: 2026, month: 12 });
    assert.deepEqual(resolve({}).period, { from: '2026-10-15', to: '2026-11-14' });
  });

  it('reads presets, with January and the first quarter starting on 15 December of the year before', () => {
    assert.deepEqual(resolve({ preset: 'month', year: '2022', month: '1' }).period, { from: '2021-12-15', to: '2022-01-14' });
    assert.deepEqual(resolve({ preset: 'quarter', year: '2022', quarter: '1' }).period, { from: '2021-12-15', to: '2022-03-14' });
    assert.deepEqual(resolve({ preset: 'nine_months', year: '2022' }).period, { from: '2021-12-15', to: '2022-09-14' });
    assert.deepEqual(resolve({ preset: 'month', year: '2022', index: '8' }).period, { from: '2022-07-15', to: '2022-08-14' }, 'the API name `index` works too');
  });

  it('recognises a from/to range that is a preset, and keeps other ranges custom', () => {
    assert.deepEqual(detectPreset({ from: '2021-12-15', to: '2022-12-14' }), { kind: 'year', year: 2022 });
    assert.deepEqual(detectPreset({ from: '2022-09-15', to: '2022-12-14' }), { kind: 'quarter', index: 4, year: 2022 });
    assert.deepEqual(detectPreset({ from: '2022-11-15', to: '2022-12-14' }), { kind: 'month', index: 12, year: 2022 });
    assert.equal(detectPreset({ from: '2022-11-01', to: '2022-11-30' }), null);
    assert.equal(resolve({ from: '2022-11-01', to: '2022-11-30' }).choice.kind, 'custom');
  });

  it('names what is wrong with a custom range, field by field', () => {
    assert.deepEqual(resolve({ preset: 'custom' }).errors, { from: 'report.error.from_missing', to: 'report.error.to_missing' });
    assert.deepEqual(resolve({ preset: 'custom', from: '2022-02-29', to: '2022-03-01' }).errors, { from: 'report.error.date_invalid' });
    assert.deepEqual(resolve({ preset: 'custom', from: '2022-03-02', to: '2022-03-01' }).errors, { to: 'report.error.to_before_from' });
    assert.deepEqual(resolve({ preset: 'custom', from: '2000-01-01', to: '2022-03-01' }).errors, { to: 'report.error.range_too_long' });
    assert.equal(resolve({ preset: 'custom', from: '2000-01-01', to: '2022-03-01' }).period, null);
  });

  it('builds one canonical query string for links and downloads', () => {
    const { choice } = resolve({ from: '2022-07-15', to: '2022-08-14' });
    assert.equal(reportSearch(choice, '693', 'sector'), 'preset=month&year=2022&month=8&unit=693&by=sector');
    const custom = resolve({ preset: 'custom', from: '2022-08-01', to: '2022-08-10' }).choice;
    assert.equal(reportSearch(custom, null, 'unit'), 'preset=custom&from=2022-08-01&to=2022-08-10');
  });

  it('charts twelve months, eight quarters, six years of a cumulative preset, or six equal ranges, back to back', () => {
    const month = resolve({ preset: 'month', year: '2022', month: '2' });
    const months = chartPeriods(month.choice, month.period ?? { from: '', to: '' });
    assert.equal(months.length, 12);
    assert.deepEqual(months[0], { from: '2021-02-15', to: '2021-03-14', kind: 'month', year: 2021, index: 3 });
    assert.deepEqual(months.at(-1), { from: '2022-01-15', to: '2022-02-14', kind: 'month', year: 2022, index: 2 });
    months.slice(1).forEach((p, i) => assert.ok(p.from > (months[i]?.to ?? ''), 'in order'));
    const quarter = resolve({ preset: 'quarter', year: '2022', quarter: '1' });
    const quarters = chartPeriods(quarter.choice, quarter.period ?? { from: '', to: '' });
    assert.deepEqual([quarters.length, quarters[0]?.from, quarters[0]?.to], [8, '2020-03-15', '2020-06-14']);
    const half = resolve({ preset: 'half', year: '2022' });
    assert.deepEqual(chartPeriods(half.choice, half.period ?? { from: '', to: '' }).map((p) => p.to), ['2017-06-14', '2018-06-14', '2019-06-14', '2020-06-14', '2021-06-14', '2022-06-14']);
    const custom = resolve({ preset: 'custom', from: '2022-08-01', to: '2022-08-10' });
    const ranges = chartPeriods(custom.choice, custom.period ?? { from: '', to: '' });
    assert.deepEqual(ranges.map((p) => [p.from, p.to]).slice(-2), [['2022-07-22', '2022-07-31'], ['2022-08-01', '2022-08-10']]);
  });
});

describe('the chart', () => {
  it('uses round whole-number steps on its axis', () => {
    assert.equal(niceMax(0), 4);
    assert.equal(niceMax(7), 8);
    assert.equal(niceMax(9), 20);
    assert.equal(niceMax(460_392), 800_000);
  });

  it('escapes text and keeps to presentation attributes', () => {
    const svg = renderChartSvg([{ label: '<b>8/2022</b>', received: 7, resolved: 4, overdue: 1 }], {
      title: 'A & B',
      desc: 'd',
      legend: { received: 'r', resolved: 's', overdue: 'o' },
      format: String,
    });
    assert.match(svg, /<title id="chart-title">A &amp; B<\/title>/);
    assert.match(svg, /&lt;b&gt;8\/2022&lt;\/b&gt;/);
    assert.doesNotMatch(svg, /<b>| style=/);
    assert.equal((svg.match(/<rect /g) ?? []).length, 3 + 3, 'three legend swatches and three bars');
  });
});
