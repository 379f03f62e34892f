import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { pdfPages } from '../reports/pdfText.ts';
import { CAMPAIGN_NAME, COMMUNE, dashboardWorld, OLD_CAMPAIGN_NAME, PROVINCE, VILLAGE, type DashboardWorld, type Who } from './dashboardSupport.ts';

describeEachEngine('dashboard downloads: XLSX, CSV and the one-page PDF', (env) => {
  let web: WebServer;
  let w: DashboardWorld;

  before(async () => {
    web = await startWebServer(env.db);
    w = await dashboardWorld(env.db, web);
  });
  after(async () => {
    await web?.close();
  });

  const download = async (who: Who, path: string) => {
    const res = await fetch(`${web.baseUrl}${path}`, { headers: { cookie: w.clients[who].cookie }, redirect: 'manual' });
    return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', body: Buffer.from(await res.arrayBuffer()) };
  };
  const workbook = async (body: Buffer) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(body).buffer);
    const ws = wb.worksheets[0];
    assert.ok(ws, 'a worksheet');
    return ws;
  };
  const exportsOf = async (unit: string) =>
    Number((await env.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).where('action', '=', 'dashboard.exported').where('entity_id', '=', unit).executeTakeFirstOrThrow()).n);

  it('downloads the villages of a commune as a workbook with the heading block, percentages as percentages and "no data" left empty', async () => {
    const before = await exportsOf(COMMUNE);
    const res = await download('communeLeader', `/office/dashboard/export?unit=${COMMUNE}&table=children&format=xlsx`);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(res.disposition, `attachment; filename="bang-theo-doi_${COMMUNE}_cd${w.campaignId}_children_2026-10-01_2026-11-25.xlsx"`);
    const ws = await workbook(res.body);
    assert.equal(ws.getCell('A1').value, 'Bảng theo dõi: Bảng các đơn vị cấp dưới');
    assert.equal(ws.getCell('B2').value, 'Xã Hưng Phước (25309)');
    assert.equal(ws.getCell('B3').value, CAMPAIGN_NAME);
    assert.equal(ws.getCell('B4').value, 'từ ngày 01/10/2026 đến ngày 25/11/2026');
    const header = ws.getRow(7).values as unknown[];
    assert.deepEqual(header.slice(1, 7), [
      'Hạng',
      'Mã đơn vị',
      'Đơn vị',
      'Người trưởng thành có điện thoại thông minh (%)',
      'Người trưởng thành có điện thoại thông minh – chỉ tiêu',
      'Người trưởng thành có điện thoại thông minh – tỉ lệ đạt chỉ tiêu (%)',
    ]);
    const first = ws.getRow(8);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((c) => first.getCell(c).value), [1, VILLAGE, 'Ấp Phước Tiến', 0.667, 0.8, 0.833]);
    assert.equal(first.getCell(4).numFmt, '0.0%');
    assert.equal(first.getCell(1).numFmt, '#,##0');
    // Ấp Bù Tam has a target but no register: the value stays empty, never 0.
    let empty = 0;
    ws.eachRow((row, n) => {
      if (row.getCell(3).value === 'Ấp Bù Tam') empty = n;
    });
    assert.ok(empty > 8);
    assert.equal(ws.getRow(empty).getCell(4).value, null);
    assert.equal(ws.getRow(empty).getCell(5).value, 0.75);
    // The last row is the commune's total, in bold.
    const total = ws.getRow(ws.rowCount);
    assert.equal(total.getCell(3).value, 'Tổng: Xã Hưng Phước');
    assert.equal(total.getCell(4).value, 0.667);
    assert.equal(total.getCell(3).font?.bold, true);
    assert.equal(await exportsOf(COMMUNE), before + 1, 'the download is audited');
  });

  it('writes a campaign name that looks like a formula as plain text', async () => {
    const res = await download('communeLeader', `/office/dashboard/export?unit=${COMMUNE}&campaign=${w.oldCampaignId}&table=weeks&format=xlsx`);
    assert.equal(res.status, 200);
    const ws = await workbook(res.body);
    const cell = ws.getCell('B3');
    assert.equal(cell.type, ExcelJS.ValueType.String);
    assert.equal(cell.value, OLD_CAMPAIGN_NAME);
    // Weeks of 1 June – 31 August 2026 as real dates.
    const firstWeek = ws.getCell('A8');
    assert.ok(firstWeek.value instanceof Date);
    assert.equal(firstWeek.value.toISOString().slice(0, 10), '2026-06-01');
    assert.equal(firstWeek.numFmt, 'dd/mm/yyyy');
  });

  it('downloads the indicators as CSV in UTF-8 with a BOM, in Vietnamese or English', async () => {
    const res = await download('communeLeader', `/office/dashboard/export?unit=${COMMUNE}&table=indicators&format=csv`);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'text/csv; charset=utf-8');
    assert.equal(res.disposition, `attachment; filename="bang-theo-doi_${COMMUNE}_cd${w.campaignId}_indicators_2026-10-01_2026-11-25.csv"`);
    assert.deepEqual([...res.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = res.body.toString('utf8').slice(1).split('\r\n');
    assert.equal(lines[0], 'Mã chỉ số,Chỉ số,Đơn vị tính,Giá trị,Tử số,Mẫu số,Chỉ tiêu,Tỉ lệ đạt chỉ tiêu (%),Đạt chỉ tiêu,Nguồn số liệu');
    assert.equal(lines[1], 'smartphone_pct,Người trưởng thành có điện thoại thông minh,%,66.7,2,3,80,83.3,Chưa đạt,Sổ hộ gia đình do tổ công nghệ số cộng đồng ghi');
    assert.ok(lines.includes('online_share_pct,Tỉ lệ hồ sơ tiếp nhận trực tuyến,%,,0,0,,,,Hồ sơ thủ tục hành chính (cùng số liệu với biểu II.06a)'), 'no dossiers: an empty value');
    assert.ok(lines.includes('households_visited,Hộ gia đình đã được đến hỗ trợ,số lượng,1,,,4,25,Chưa đạt,Ứng dụng của tổ công nghệ số cộng đồng và Cổng dịch vụ công'));
    assert.equal(lines.length, 5 + 2, 'a header, the five indicators and the final line end');

    const en = await download('communeLeader', `/office/dashboard/export?unit=${COMMUNE}&table=indicators&format=csv&lang=en`);
    const enLines = en.body.toString('utf8').slice(1).split('\r\n');
    assert.equal(enLines[0], 'Indicator code,Indicator,Unit of measure,Value,Numerator,Denominator,Target,Share of target reached (%),Target met,Source');
    assert.match(enLines[1] ?? '', /^smartphone_pct,Adults with a smartphone,%,66\.7,2,3,80,83\.3,Not met,/);
  });

  it('downloads the weeks as CSV, one line a week', async () => {
    const res = await download('communeLeader', `/office/dashboard/export?unit=${VILLAGE}&table=weeks&format=csv`);
    const lines = res.body.toString('utf8').slice(1).trimEnd().split('\r\n');
    assert.equal(lines[0], 'Tuần từ ngày,Đến ngày,Người trưởng thành có điện thoại thông minh (%),Số điện thoại đứng tên chính chủ (%),Tỉ lệ hồ sơ tiếp nhận trực tuyến (%),Hộ gia đình đã được đến hỗ trợ,Vướng mắc chưa giải quyết');
    assert.equal(lines.length, 1 + 9);
    assert.equal(lines[1], '2026-10-01,2026-10-04,,,,,0');
    assert.equal(lines[9], '2026-11-23,2026-11-25,66.7,33.3,,0,2');
  });

  it('makes a one-page A4 summary with the unit’s name in Vietnamese letters', async () => {
    for (const unit of [COMMUNE, VILLAGE, PROVINCE]) {
      const res = await download('provinceLeader', `/office/dashboard/summary.pdf?unit=${unit}`);
      assert.equal(res.status, 200, unit);
      assert.equal(res.type, 'application/pdf');
      assert.match(res.disposition, new RegExp(`^attachment; filename="bang-theo-doi_${unit}_cd${w.campaignId}_tom-tat_2026-10-01_2026-11-25\\.pdf"$`));
      const pages = await pdfPages(res.body);
      assert.equal(pages.length, 1, `${unit}: one page`);
    }
    // All twelve indicators and some ninety communes still fit on the page.
    const all = await download('provinceLeader', `/office/dashboard/summary.pdf?unit=${PROVINCE}&campaign=none&lang=en`);
    const allPages = await pdfPages(all.body);
    assert.equal(allPages.length, 1);
    assert.ok(allPages[0]?.includes('Median days to resolve a blocker'), 'the last indicator is on the page');
    assert.ok(allPages[0]?.includes('Adults with a smartphone'), 'every letter is in the text layer, after Vietnamese documents');
    assert.ok(allPages[0]?.includes('Tỉnh Đồng Nai'));
    const res = await download('communeLeader', `/office/dashboard/summary.pdf?unit=${COMMUNE}`);
    const [text = ''] = await pdfPages(res.body);
    for (const s of ['Tóm tắt bảng theo dõi', 'Xã Hưng Phước', 'Tỉnh Đồng Nai', CAMPAIGN_NAME, 'Người trưởng thành có điện thoại thông minh', '66,7%', '83,3%', 'Dẫn đầu', 'Ấp Phước Tiến', 'Không có điện thoại thông minh', 'Tổng cộng: 2 vướng mắc còn mở'])
      assert.ok(text.includes(s), `the summary says "${s}"`);
    const mediaBox = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(res.body.toString('latin1'));
    assert.deepEqual([Number(mediaBox?.[1]), Number(mediaBox?.[2])], [595.28, 841.89], 'A4 portrait');
  });

  it('refuses an unknown table or format, and downloads nothing for an officer outside the unit', async () => {
    assert.equal((await download('communeLeader', `/office/dashboard/export?unit=${COMMUNE}&table=secrets&format=csv`)).status, 400);
    assert.equal((await download('communeLeader', `/office/dashboard/export?unit=${COMMUNE}&table=children&format=ods`)).status, 400);
    const before = await exportsOf(COMMUNE);
    assert.equal((await download('outsideLeader', `/office/dashboard/export?unit=${COMMUNE}&table=children&format=csv`)).status, 403);
    assert.equal((await download('specialist', `/office/dashboard/summary.pdf?unit=${COMMUNE}`)).status, 403);
    assert.equal(await exportsOf(COMMUNE), before);
  });
});
