import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { progressBarSvg, trendSvg, BAR } from '../../src/modules/campaigns/dashboardCharts.ts';
import { renderDashboardCsv } from '../../src/modules/campaigns/dashboardCsv.ts';
import type { ExportTable } from '../../src/modules/campaigns/dashboardExportTable.ts';
import { valueText } from '../../src/modules/campaigns/dashboardFormat.ts';
import { translator } from '../../src/web/i18n.ts';

const text = { title: 'Tỉ lệ <b>"sim"</b> & chỉ tiêu', desc: 'Tuần gần nhất: 66,7%', first: '01/10', last: '23/11', format: (n: number) => `${n}%` };

describe('dashboard charts and files, without a database', () => {
  it('draws a progress bar as an image named by its title, filled in proportion and capped at the target', () => {
    const svg = progressBarSvg('bar-smartphone_pct', 50, false, { title: 'Tiến độ: <x>', desc: 'Đạt 40 trên 80' });
    assert.match(svg, /^<svg [^>]*role="img"[^>]*aria-labelledby="bar-smartphone_pct-title" aria-describedby="bar-smartphone_pct-desc"/);
    assert.match(svg, /<title id="bar-smartphone_pct-title">Tiến độ: &lt;x&gt;<\/title>/);
    const filled = (s: string) => Number(/<rect x="1" y="1" width="([\d.]+)"/.exec(s)?.[1] ?? 0);
    assert.equal(filled(svg), (BAR.width - 2) / 2);
    assert.equal(filled(progressBarSvg('b', 250, true, { title: 't', desc: 'd' })), BAR.width - 2, 'past the target: full, not wider');
    assert.equal(filled(progressBarSvg('b', 0, false, { title: 't', desc: 'd' })), 0);
    assert.doesNotMatch(svg, /style=/, 'no style attributes under the strict CSP');
  });

  it('draws the weekly trend with gaps for "no data" and escapes every text', () => {
    const svg = trendSvg('trend-x"y', [null, 20, 40, null, 60], true, text);
    assert.match(svg, /aria-labelledby="trend-x-y-title"/, 'ids kept to safe characters');
    assert.ok(svg.includes('<title id="trend-x-y-title">Tỉ lệ &lt;b&gt;&quot;sim&quot;&lt;/b&gt; &amp; chỉ tiêu</title>'));
    assert.equal([...svg.matchAll(/<polyline /g)].length, 1, 'one line through weeks 2–3; week 5 stands alone');
    assert.equal([...svg.matchAll(/<circle /g)].length, 3);
    assert.match(svg, />100%<\/text>/, 'percentages on a 0–100 scale');
    const counts = trendSvg('t', [3, 7, 12], false, { ...text, format: String });
    assert.match(counts, />20<\/text>/, 'counts on a round maximum');
    assert.equal(trendSvg('t', [], false, text).includes('<circle'), false);
  });

  it('writes CSV with a BOM, quotes where needed, and neutralises anything a spreadsheet would run', () => {
    const table: ExportTable = {
      name: 'children',
      title: 'x',
      columns: ['Đơn vị', 'Giá trị (%)', 'Số'],
      rows: [
        { cells: ['=HYPERLINK("http://x")', { value: 66.7, kind: 'percent' }, { value: 1204, kind: 'int' }] },
        { cells: ['+1', { value: null, kind: 'percent' }, null] },
        { cells: ['@SUM(A1)', { value: 2.5, kind: 'days' }, { date: '2026-11-23' }] },
        { cells: ['-2, "quoted"', null, { value: 0, kind: 'int' }] },
      ],
    };
    const csv = renderDashboardCsv(table);
    assert.equal(csv.charCodeAt(0), 0xfeff);
    assert.deepEqual(csv.slice(1).split('\r\n'), [
      'Đơn vị,Giá trị (%),Số',
      `"'=HYPERLINK(""http://x"")",66.7,1204`,
      "'+1,,",
      "'@SUM(A1),2.5,2026-11-23",
      `"'-2, ""quoted""",,0`,
      '',
    ]);
  });

  it('says "no data" rather than 0, and formats numbers the page’s way', () => {
    const vi = { t: translator('vi'), lang: 'vi' };
    const en = { t: translator('en'), lang: 'en' };
    assert.equal(valueText(vi, 'smartphone_pct', null), 'Chưa có dữ liệu');
    assert.equal(valueText(en, 'smartphone_pct', null), 'No data');
    assert.equal(valueText(vi, 'smartphone_pct', 200 / 3), '66,7%');
    assert.equal(valueText(en, 'smartphone_pct', 200 / 3), '66.7%');
    assert.equal(valueText(vi, 'households_visited', 1204), '1.204');
    assert.equal(valueText(vi, 'open_blockers', 0), '0');
    assert.equal(valueText(vi, 'blocker_median_days', 2.5), '2,5 ngày');
    assert.equal(valueText(en, 'blocker_median_days', 3), '3 days');
  });
});
