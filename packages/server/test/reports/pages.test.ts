import { it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { ii06aReport } from '../../src/modules/reports/service.ts';
import { seriesSums } from '../../src/modules/reports/queries.ts';
import { chartPeriods, resolvePeriod, ReportPageQuery } from '../../src/modules/reports/pages/query.ts';
import { MONTH_8_2022, linksIn, officerWithSession, rowNamed, seedMonth, tableRows } from './support.ts';
import { pdfPages } from './pdfText.ts';
import { makeOfficer, txid } from '../support/fixtures.ts';
import { createDossier } from '../../src/modules/dossiers/service.ts';

const PAGE = '/office/reports/ii06a';
type Session = Awaited<ReturnType<typeof officerWithSession>>;

describeEachEngine('II.06a report pages', (env) => {
  let web: WebServer;
  let leader: Session;
  let districtLeader: Session;
  let communeOfficer: Session;
  const get = (s: Session, path: string) => fetch(`${web.baseUrl}${path}`, { headers: { cookie: s.cookie.header }, redirect: 'manual' });
  const html = async (s: Session, path: string, status = 200) => {
    const res = await get(s, path);
    const body = await res.text();
    assert.equal(res.status, status, `${path} answered ${res.status}`);
    return body;
  };

  it('starts with a month of activity in Bù Đốp', async () => {
    web = await startWebServer(env.db);
    await seedMonth(web, env.db);
    leader = await officerWithSession(web, env.db, [{ role: 'leader', unitCode: '70' }]);
    districtLeader = await officerWithSession(web, env.db, [{ role: 'leader', unitCode: '693' }]);
    communeOfficer = await officerWithSession(web, env.db, [{ role: 'officer', unitCode: '25308' }]);
  });

  it('shows the province report for month 8/2022 with each district a row, the figures and the official column groups', async () => {
    const page = await html(leader, `${PAGE}?${MONTH_8_2022}&unit=70`);
    assert.match(page, /Kỳ báo cáo: từ ngày 15\/07\/2022 đến ngày 14\/08\/2022/);
    assert.match(page, /<h1>[^<]*Tỉnh Bình Phước<\/h1>/);
    assert.deepEqual(rowNamed(page, 'Huyện Bù Đốp').slice(2), ['8', '1', '6', '1', '4', '1', '2', '1', '1', '3', '2', '1', 'Đạt']);
    assert.deepEqual(rowNamed(page, 'Huyện Lộc Ninh').slice(2, 14), Array(12).fill('0'));
    const rows = tableRows(page);
    assert.deepEqual(rows.at(-1)?.slice(1), ['Tổng cộng', '8', '1', '6', '1', '4', '1', '2', '1', '1', '3', '2', '1', 'Đạt']);
    assert.equal(rows.length, 3 + 11 + 1, 'three header rows, the eleven districts, the total');
    // The official groups, announced to screen readers through scope.
    for (const heading of ['Số hồ sơ nhận giải quyết', 'Kết quả giải quyết', 'Trong đó', 'Số hồ sơ đã giải quyết', 'Số hồ sơ đang giải quyết'])
      assert.match(page, new RegExp(`<th scope="colgroup" colspan="\\d+" class="group">${heading}</th>`));
    for (const heading of ['Tổng số', 'Mới tiếp nhận trực tuyến', 'Mới tiếp nhận trực tiếp, bưu chính', 'Kỳ trước chuyển qua', 'Trả trước hạn', 'Trả đúng hạn', 'Trả quá hạn', 'Số hồ sơ rút, dừng xử lý', 'Trong hạn', 'Quá hạn'])
      assert.match(page, new RegExp(`<th scope="col"[^>]*>${heading}</th>`));
    assert.match(page, /<th scope="row"><a href="[^"]*unit=693">Huyện Bù Đốp<\/a><\/th>/);
  });

  it('shows the checks: the balance of the total with its figures, every rule passed', async () => {
    const page = await html(leader, `${PAGE}?${MONTH_8_2022}&unit=70`);
    assert.match(page, /Số liệu khớp: mọi dòng và dòng tổng cộng đều cân đối/);
    assert.match(page, /Cân đối: kỳ trước chuyển qua 1 \+ mới tiếp nhận 7 = đã giải quyết 4 \+ rút, dừng xử lý 1 \+ đang giải quyết 3/);
    const checks = /<ul class="checks">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '';
    assert.equal((checks.match(/class="tag ok"/g) ?? []).length, 5);
    assert.doesNotMatch(checks, /class="tag late"/);
    // Headline shares, formatted the Vietnamese way.
    assert.match(page, /<dt>Tỷ lệ tiếp nhận trực tuyến<\/dt><dd>14,3%<\/dd>/);
    assert.match(page, /<dt>Tỷ lệ giải quyết trước hạn và đúng hạn<\/dt><dd>75,0%<\/dd>/);
  });

  it('drills down province → district → commune and links back up through the breadcrumb', async () => {
    const province = await html(leader, `${PAGE}?${MONTH_8_2022}&unit=70`);
    const toDistrict = linksIn(province).find((h) => h.startsWith(PAGE) && h.endsWith('unit=693'));
    assert.equal(toDistrict, `${PAGE}?${MONTH_8_2022}&unit=693`);
    const district = await html(leader, toDistrict);
    assert.deepEqual(rowNamed(district, 'Xã Thiện Hưng').slice(2, 14), ['7', '1', '5', '1', '3', '1', '1', '1', '1', '3', '2', '1']);
    assert.deepEqual(rowNamed(district, 'Xã Hưng Phước').slice(2, 14), ['1', '0', '1', '0', '1', '0', '1', '0', '0', '0', '0', '0']);
    assert.match(district, /<ol class="breadcrumb"><li><a href="\/office\/reports\/ii06a\?preset=month&amp;year=2022&amp;month=8&amp;unit=70">Tỉnh Bình Phước<\/a><\/li><li aria-current="page">Huyện Bù Đốp<\/li><\/ol>/);
    const toCommune = linksIn(district).find((h) => h.endsWith('unit=25312'));
    assert.ok(toCommune);
    const commune = await html(leader, toCommune);
    assert.match(commune, /<li aria-current="page">Xã Thiện Hưng<\/li>/);
    assert.match(commune, /unit=693">Huyện Bù Đốp<\/a>/);
    assert.deepEqual(tableRows(commune).at(-1)?.slice(2, 14), ['7', '1', '5', '1', '3', '1', '1', '1', '1', '3', '2', '1']);
  });

  it('shows the report by sector, one row per sector, without drill-down links', async () => {
    const page = await html(leader, `${PAGE}?${MONTH_8_2022}&unit=693&by=sector`);
    assert.deepEqual(rowNamed(page, 'Hộ tịch').slice(2, 14), ['7', '1', '5', '1', '3', '1', '1', '1', '1', '3', '2', '1']);
    assert.deepEqual(rowNamed(page, 'Chứng thực').slice(2, 14), ['1', '0', '1', '0', '1', '0', '1', '0', '0', '0', '0', '0']);
    assert.match(page, /<th scope="col" rowspan="3">Lĩnh vực<\/th>/);
    assert.doesNotMatch(page, /<th scope="row"><a /);
    assert.match(page, /<a href="[^"]*by=sector" aria-current="page">Theo lĩnh vực<\/a>/);
    const en = await html(leader, `${PAGE}?${MONTH_8_2022}&unit=693&by=sector&lang=en`);
    assert.equal(rowNamed(en, 'Civil status')[2], '7');
  });

  it('reads plain from/to ranges (the bench and API style) as the matching preset', async () => {
    const page = await html(leader, `${PAGE}?unit=693&from=2022-07-15&to=2022-08-14`);
    assert.match(page, /<option value="month" selected>Tháng<\/option>/);
    assert.deepEqual(tableRows(page).at(-1)?.slice(2, 5), ['8', '1', '6']);
    const custom = await html(leader, `${PAGE}?unit=693&preset=custom&from=2022-08-01&to=2022-08-01`);
    // 1 August alone: two receptions at the counter, one resolution on its due date, nothing carried over.
    assert.match(custom, /<option value="custom" selected>/);
    assert.deepEqual(tableRows(custom).at(-1)?.slice(2, 9), ['2', '0', '2', '0', '1', '0', '1']);
  });

  it('opens on the officer\u2019s highest unit and the last complete month by default', async () => {
    const page = await html(districtLeader, PAGE);
    assert.match(page, /<h1>[^<]*Huyện Bù Đốp<\/h1>/);
    assert.match(page, /từ ngày 15\/10\/2026 đến ngày 14\/11\/2026/, 'the clock says 25 November 2026');
    const ownCommune = await html(communeOfficer, `${PAGE}?${MONTH_8_2022}`);
    assert.match(ownCommune, /<h1>[^<]*Thị trấn Thanh Bình<\/h1>/);
  });

  it('refuses a unit outside the officer\u2019s subtree, on the page and on every download', async () => {
    for (const path of [`${PAGE}?${MONTH_8_2022}&unit=25312`, `${PAGE}?${MONTH_8_2022}&unit=70`, `${PAGE}.xlsx?${MONTH_8_2022}&unit=25312`, `${PAGE}.csv?${MONTH_8_2022}&unit=693`, `${PAGE}.pdf?${MONTH_8_2022}&unit=70`]) {
      const res = await get(communeOfficer, path);
      assert.equal(res.status, 403, path);
      assert.match(await res.text(), /Bạn không có quyền làm việc này/);
    }
    // The district leader sees the district but not the province above it; the breadcrumb shows it as text.
    await html(districtLeader, `${PAGE}?${MONTH_8_2022}&unit=70`, 403);
    const district = await html(districtLeader, `${PAGE}?${MONTH_8_2022}&unit=693`);
    assert.match(district, /<ol class="breadcrumb"><li>Tỉnh Bình Phước<\/li>/);
    // Not signed in: sent to sign in.
    const anonymous = await fetch(`${web.baseUrl}${PAGE}.xlsx?${MONTH_8_2022}`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
  });

  it('explains a wrong custom range next to the field and keeps the form', async () => {
    const page = await html(leader, `${PAGE}?preset=custom&from=2022-08-14&to=2022-07-15&unit=693`, 400);
    assert.match(page, /<title>Lỗi:/);
    assert.match(page, /<a href="#f-to">Ngày kết thúc phải sau ngày bắt đầu/);
    assert.match(page, /<input id="f-from" name="from" type="date" value="2022-08-14"/);
    const missing = await html(leader, `${PAGE}?preset=custom&from=2022-02-30`, 400);
    assert.match(missing, /href="#f-from">Ngày này không có thật/);
    assert.match(missing, /href="#f-to">Hãy điền ngày kết thúc/);
    const download = await get(leader, `${PAGE}.csv?preset=custom&from=x`);
    assert.equal(download.status, 400);
  });

  it('draws the chart on the server: twelve months of received, resolved and overdue, with the same numbers in a table', async () => {
    const page = await html(leader, `${PAGE}?${MONTH_8_2022}&unit=693`);
    const svg = /<svg[\s\S]*?<\/svg>/.exec(page)?.[0] ?? '';
    assert.match(svg, /role="img"/);
    assert.match(svg, /aria-labelledby="chart-title chart-desc"/);
    assert.match(svg, /<title id="chart-title">Hồ sơ tiếp nhận, giải quyết và quá hạn qua các kỳ của Huyện Bù Đốp<\/title>/);
    assert.match(svg, /<desc id="chart-desc">Biểu đồ cột cho 12 kỳ, từ 9\/2021 đến 8\/2022\. Kỳ 8\/2022: 7 hồ sơ mới tiếp nhận, 4 hồ sơ đã giải quyết, 1 hồ sơ quá hạn cuối kỳ\./);
    assert.equal((svg.match(/<rect [^>]*><title>/g) ?? []).length, 36, 'three bars for each of twelve months');
    assert.ok(Buffer.byteLength(svg) < 12_000, `the chart stays light (${Buffer.byteLength(svg)} bytes)`);
    const data = tableRows(page, 'chart-data');
    assert.deepEqual(data[0], ['Kỳ', 'Mới tiếp nhận', 'Đã giải quyết', 'Quá hạn cuối kỳ']);
    assert.deepEqual(data.slice(1).map((r) => r[0]), ['9/2021', '10/2021', '11/2021', '12/2021', '1/2022', '2/2022', '3/2022', '4/2022', '5/2022', '6/2022', '7/2022', '8/2022']);
    assert.deepEqual(data.at(-2), ['7/2022', '3', '2', '0']);
    assert.deepEqual(data.at(-1), ['8/2022', '7', '4', '1']);
    assert.ok(!/<script/.test(svg) && !/ style=/.test(svg), 'no script and no style attribute (CSP)');
  });

  it('computes the chart series in one query that agrees with the report for every period', async () => {
    const q = ReportPageQuery.parse({ preset: 'quarter', year: '2022', quarter: '3' });
    const { period, choice } = resolvePeriod(q, web.ctx.now());
    assert.ok(period);
    const periods = chartPeriods(choice, period);
    assert.equal(periods.length, 8);
    const unit = await env.db.kysely.selectFrom('units').selectAll().where('code', '=', '693').executeTakeFirstOrThrow();
    const series = await seriesSums(env.db.kysely, unit, periods);
    for (const [i, p] of periods.entries()) {
      const r = await ii06aReport(env.db.kysely, { period: p, unitCode: '693', by: 'unit' });
      assert.deepEqual(series[i], { received: r.total.receivedOnline + r.total.receivedDirect, resolved: r.total.resolvedTotal, overdue: r.total.inProgressOverdue }, `${p.from}..${p.to}`);
    }
    assert.ok(series.some((s) => s.received > 0));
  });

  it('links each download with the same parameters', async () => {
    const page = await html(leader, `${PAGE}?${MONTH_8_2022}&unit=693&by=sector`);
    const links = linksIn(page).filter((h) => /ii06a\.(xlsx|csv|pdf)\?/.test(h));
    assert.deepEqual(links, [`${PAGE}.xlsx?${MONTH_8_2022}&unit=693&by=sector`, `${PAGE}.csv?${MONTH_8_2022}&unit=693&by=sector`, `${PAGE}.pdf?${MONTH_8_2022}&unit=693&by=sector`]);
  });

  it('downloads the XLSX laid out like the official form, and records the download in the audit log', async () => {
    const res = await get(leader, `${PAGE}.xlsx?${MONTH_8_2022}&unit=693`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /spreadsheetml/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="II06a_693_2022-07-15_2022-08-14\.xlsx"/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.getWorksheet('Biểu II.06a');
    assert.ok(ws);
    assert.equal(ws.getCell('A1').value, 'Huyện Bù Đốp');
    assert.equal(ws.getCell('A4').value, 'Kỳ báo cáo: từ ngày 15/07/2022 đến ngày 14/08/2022');
    assert.equal(ws.getCell('C7').value, 'Số hồ sơ nhận giải quyết');
    const names = Array.from({ length: 8 }, (_, i) => ws.getCell(`B${11 + i}`).value);
    const thienHung = 11 + names.indexOf('Xã Thiện Hưng');
    assert.deepEqual(Array.from({ length: 12 }, (_, i) => ws.getRow(thienHung).getCell(3 + i).value), [7, 1, 5, 1, 3, 1, 1, 1, 1, 3, 2, 1]);
    const totalRow = 11 + names.indexOf('Tổng cộng');
    assert.deepEqual(Array.from({ length: 12 }, (_, i) => ws.getRow(totalRow).getCell(3 + i).value), [8, 1, 6, 1, 4, 1, 2, 1, 1, 3, 2, 1]);
    const audit = await env.db.kysely.selectFrom('audit_log').select(['action', 'entity_id', 'detail']).where('action', '=', 'report.ii06a').where('actor_id', '=', leader.actor.officer.id).execute();
    assert.ok(audit.some((a) => a.entity_id === '693' && JSON.stringify(a.detail).includes('xlsx')));
  });

  it('downloads the CSV with the same figures', async () => {
    const res = await get(leader, `${PAGE}.csv?${MONTH_8_2022}&unit=693`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.includes('Xã Thiện Hưng,7,1,5,1,3,1,1,1,1,3,2,1\r\n'), text);
    assert.ok(text.includes(',,Tổng cộng,8,1,6,1,4,1,2,1,1,3,2,1\r\n'));
  });

  it('downloads a PDF whose text has the Vietnamese headings, the period, the figures and the checks', async () => {
    const res = await get(leader, `${PAGE}.pdf?${MONTH_8_2022}&unit=70`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    // Headings wrap inside their cells: compare with the line breaks folded into spaces.
    const text = (await pdfPages(pdf)).join('\n').replace(/\s+/g, ' ');
    for (const phrase of ['Biểu số II.06a/VPCP/KSTT', 'Tỉnh Bình Phước', 'Kỳ báo cáo: từ ngày 15/07/2022 đến ngày 14/08/2022', 'Số hồ sơ nhận giải quyết', 'Kết quả giải quyết', 'Số kỳ trước chuyển qua', 'Trả quá hạn', 'Quá hạn', 'Huyện Bù Đốp', 'Tổng cộng', 'Kiểm tra số liệu'])
      assert.ok(text.includes(phrase), `PDF text lacks "${phrase}"`);
    assert.match(text, /Huyện Bù Đốp\s+8\s+1\s+6\s+1\s+4\s+1\s+2\s+1\s+1\s+3\s+2\s+1/);
    assert.match(text, /Đạt\s+Cân đối: kỳ trước chuyển qua 1 \+ mới tiếp nhận 7 = đã giải quyết 4 \+ rút, dừng xử lý 1 \+ đang giải quyết 3/);
    assert.doesNotMatch(text, /Không đạt/);
    // The JSON API gives the same document.
    const api = await get(leader, `/api/v1/reports/ii06a?from=2022-07-15&to=2022-08-14&unit=70&format=pdf`);
    assert.equal(api.headers.get('content-type'), 'application/pdf');
    assert.match((await pdfPages(Buffer.from(await api.arrayBuffer()))).join(' '), /Huyện Bù Đốp/);
  });

  it('shows a new dossier at once, although the page keeps its figures for a few seconds between views', async () => {
    const path = `${PAGE}?${MONTH_8_2022}&unit=693`;
    assert.equal(rowNamed(await html(leader, path), 'Xã Thiện Hưng')[2], '7');
    const admin = await makeOfficer(env.db, [{ role: 'admin', unitCode: '70' }]);
    web.ctx.clock.set('2022-08-05T09:00:00+07:00');
    await createDossier(web.ctx, admin, { transactionId: txid(), procedureCode: '1.001193', unitCode: '25312', channel: 1, applicant: { fullName: 'Điểu Thị Lan' }, formData: {} });
    web.ctx.clock.set('2026-11-25T09:00:00+07:00');
    assert.equal(rowNamed(await html(leader, path), 'Xã Thiện Hưng')[2], '8');
  });

  it('stops', async () => {
    await web.close();
  });
});
