import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import type { CampaignRef } from '../../src/modules/campaigns/campaignQueries.ts';
import { apiClient, auditActions, COMMUNE, download, fillTemplate, makeCampaign, people, storedTargets, upload, VILLAGES, zipOf, type People } from './campaignSupport.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The error summary's items, as text. */
const errorsOf = (html: string): string[] =>
  [...(/<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '').matchAll(/<li><a href="#f-file">([\s\S]*?)<\/a><\/li>/g)].map((m) => (m[1] ?? '').replace(/&quot;/g, '"'));

describeEachEngine('targets from an XLSX file: the template, the import, and files that are refused', (env) => {
  let web: WebServer;
  let who: People;
  let c: CampaignRef;
  let template: Buffer;

  before(async () => {
    web = await startWebServer(env.db);
    who = await people(env.db, web);
    c = await makeCampaign(web, who.ids.communeLeader);
    const api = await apiClient(web, who.ids.communeLeader);
    const set = await api.send('PUT', `/api/v1/campaigns/${c.id}/targets`, { version: 1, targets: [{ unit: COMMUNE, indicator: 'smartphone_pct', target: 75 }, { unit: '25309-09', indicator: 'households_visited', target: 4 }] });
    assert.equal(set.status, 200);
  });
  after(async () => {
    await web?.close();
  });

  it('gives a template listing the commune and its villages with the current targets, and notes in Vietnamese', async () => {
    const res = await download(web, who.clients.communeLeader, `/office/campaigns/${c.id}/targets.xlsx?unit=${COMMUNE}`);
    assert.equal(res.status, 200);
    assert.equal(res.type, XLSX);
    template = res.data;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Chỉ tiêu');
    assert.ok(ws);
    assert.deepEqual((ws.getRow(4).values as unknown[]).slice(1), ['code', 'name', 'level', 'smartphone_pct', 'service_accounts', 'households_visited']);
    assert.match(String(ws.getCell('D3').value), /Người trưởng thành có điện thoại thông minh \(%\)/);
    assert.deepEqual((ws.getRow(5).values as unknown[]).slice(1, 5), [COMMUNE, 'Xã Hưng Phước', 'Xã, phường', 75]);
    const codes = Array.from({ length: 9 }, (_, i) => ws.getCell(6 + i, 1).value);
    assert.deepEqual(codes, VILLAGES);
    assert.equal(ws.getCell(14, 6).value, 4, 'ấp Phước Hòa keeps its target');
    const notes = wb.getWorksheet('Hướng dẫn');
    assert.ok(notes);
    const text = notes.getSheetValues().flat().join(' ');
    assert.match(text, /Ô để trống nghĩa là đơn vị không có chỉ tiêu/);
    assert.match(text, /tỉ lệ phần trăm từ 0 đến 100/);
    assert.deepEqual(await auditActions(env.db, c.id), ['campaign.created', 'campaign.targets_set', 'campaign.template']);
  });

  it('imports a filled-in template: every target stored, an emptied cell removed, the checks shown', async () => {
    const filled = await fillTemplate(template, {
      [COMMUNE]: { smartphone_pct: 80, service_accounts: 40 },
      '25309-01': { smartphone_pct: '92,5', service_accounts: 30 },
      '25309-02': { smartphone_pct: 70.04, service_accounts: '1.200' },
      '25309-09': { households_visited: null },
    });
    const page = await who.clients.communeLeader.get(`/office/campaigns/${c.id}/import?unit=${COMMUNE}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /enctype="multipart\/form-data"/);
    const res = await upload(web, who.clients.communeLeader, `/office/campaigns/${c.id}/targets/import`, { unit: COMMUNE }, { name: 'chi-tieu.xlsx', data: filled });
    assert.equal(res.status, 303, errorsOf(res.html).join('\n'));
    assert.equal(res.location, `/office/campaigns/${c.id}?unit=25309&done=imported&n=6&d=1#checks`);
    const stored = await storedTargets(env.db, c.id);
    assert.deepEqual(stored[COMMUNE], { smartphone_pct: 80, service_accounts: 40 });
    assert.deepEqual(stored['25309-01'], { smartphone_pct: 92.5, service_accounts: 30 });
    assert.deepEqual(stored['25309-02'], { smartphone_pct: 70, service_accounts: 1200 });
    assert.equal(stored['25309-09'], undefined, 'the emptied cell removed the target');
    assert.equal((await auditActions(env.db, c.id)).at(-1), 'campaign.targets_imported');

    const after = await who.clients.communeLeader.get(res.location ?? '');
    assert.match(after.html, /Đã nhập tệp chỉ tiêu: 6 chỉ tiêu được đặt, 1 chỉ tiêu được xoá/);
    assert.match(after.html, /Còn 7 đơn vị chưa có chỉ tiêu/);

    // The next template carries what was imported.
    const again = await download(web, who.clients.communeLeader, `/office/campaigns/${c.id}/targets.xlsx?unit=${COMMUNE}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(again.data as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Chỉ tiêu');
    assert.deepEqual([ws?.getCell('D6').value, ws?.getCell('E6').value, ws?.getCell('D7').value, ws?.getCell('E7').value, ws?.getCell('F14').value], [92.5, 30, 70, 1200, null]);
  });

  it('stores nothing from a file with three good rows and one bad one, and names the bad row and column', async () => {
    const before = await storedTargets(env.db, c.id);
    const audited = (await auditActions(env.db, c.id)).length;
    const filled = await fillTemplate(template, {
      '25309-03': { smartphone_pct: 60 },
      '25309-04': { smartphone_pct: 120 },
      '25309-05': { smartphone_pct: 60 },
      '25309-06': { service_accounts: 12 },
    });
    const res = await upload(web, who.clients.communeLeader, `/office/campaigns/${c.id}/targets/import`, { unit: COMMUNE }, { name: 'chi-tieu.xlsx', data: filled });
    assert.equal(res.status, 400);
    assert.deepEqual(errorsOf(res.html), ['Dòng 9, cột D: tỉ lệ phải từ 0 đến 100, tối đa một chữ số thập phân, hoặc để trống.']);
    assert.match(res.html, /Chưa có chỉ tiêu nào được lưu/);
    assert.deepEqual(await storedTargets(env.db, c.id), before);
    assert.equal((await auditActions(env.db, c.id)).length, audited);
  });

  it('lists every bad row at once: units outside the campaign or the officer’s reach, bad numbers, a unit twice', async () => {
    const filled = await fillTemplate(template, { '25309-01': { service_accounts: 'nhiều', households_visited: -3 } }, [
      { code: '99999', values: { smartphone_pct: 50 } },
      { code: '25308-01', values: { smartphone_pct: 50 } },
      { code: '25309-01', values: { smartphone_pct: 50 } },
    ]);
    const res = await upload(web, who.clients.communeLeader, `/office/campaigns/${c.id}/targets/import?lang=en`, { unit: COMMUNE }, { name: 'targets.xlsx', data: filled });
    assert.equal(res.status, 400);
    assert.deepEqual(errorsOf(res.html), [
      'Row 6, column E: a count must be a whole number, not negative, or empty.',
      'Row 6, column F: a count must be a whole number, not negative, or empty.',
      'Row 15, column A: there is no unit 99999 covered by the campaign.',
      'Row 16, column A: there is no unit 25308-01 covered by the campaign.',
      'Row 17, column A: unit 25309-01 is already on row 6. One row per unit.',
    ]);

    // A village leader may import their village's row only.
    const village = await upload(web, who.clients.villageLeader, `/office/campaigns/${c.id}/targets/import`, { unit: '25309-02' }, { name: 'chi-tieu.xlsx', data: template });
    assert.equal(village.status, 400);
    assert.match(errorsOf(village.html)[0] ?? '', /^Dòng 5, cột A: bạn không phải lãnh đạo hoặc quản trị của đơn vị 25309/);
    assert.equal(errorsOf(village.html).length, 10 - 1, 'every row but their own village');
    assert.equal((await upload(web, who.clients.officer, `/office/campaigns/${c.id}/targets/import`, { unit: COMMUNE }, { name: 'chi-tieu.xlsx', data: template })).status, 403);
  });

  it('refuses what is not a real, bounded XLSX with a message in the page’s language', async () => {
    const before = await storedTargets(env.db, c.id);
    const send = (name: string, data: Buffer, lang = 'vi') => upload(web, who.clients.communeLeader, `/office/campaigns/${c.id}/targets/import?lang=${lang}`, { unit: COMMUNE }, { name, data });
    const unreadable = /Tệp chỉ tiêu không đọc được/;

    const csv = await send('chi-tieu.csv', Buffer.from('code,smartphone_pct\n25309,80\n'));
    assert.equal(csv.status, 400);
    assert.match(errorsOf(csv.html)[0] ?? '', unreadable);
    const renamed = await send('chi-tieu.xlsx', Buffer.from('code,smartphone_pct\n25309,80\n'));
    assert.equal(renamed.status, 400);
    assert.match(errorsOf(renamed.html)[0] ?? '', unreadable);
    const en = await send('targets.xlsx', Buffer.from('not a workbook'), 'en');
    assert.match(errorsOf(en.html)[0] ?? '', /The targets file cannot be read/);

    // 30 MB of zeros packed into about 30 kB, first honest about its size, then lying about it.
    const zeros = Buffer.alloc(30_000_000);
    for (const bomb of [zipOf([{ name: 'xl/workbook.xml', data: zeros }]), zipOf([{ name: 'xl/workbook.xml', data: zeros, claimedSize: 1_000 }])]) {
      assert.ok(bomb.length < 100_000);
      const started = Date.now();
      const res = await send('chi-tieu.xlsx', bomb);
      assert.equal(res.status, 400);
      assert.match(errorsOf(res.html)[0] ?? '', unreadable);
      assert.ok(Date.now() - started < 5_000, 'refused without unpacking it all');
    }
    // A few hundred bytes naming every cell of a sheet (ExcelJS would make an object per cell).
    const ranges = zipOf([
      { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook><sheets><sheet name="Chỉ tiêu" sheetId="1" r:id="rId1"/></sheets></workbook>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<worksheet><sheetData/><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>') },
    ]);
    const merged = await send('chi-tieu.xlsx', ranges);
    assert.equal(merged.status, 400);
    assert.match(errorsOf(merged.html)[0] ?? '', unreadable);

    const big = await send('chi-tieu.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(2_100_000)]));
    assert.equal(big.status, 413);
    assert.deepEqual(errorsOf(big.html), ['Tệp quá lớn: tối đa 2 MB. Hãy xoá các dòng không cần, hoặc chia thành nhiều tệp, rồi tải lên lại.']);

    const none = await upload(web, who.clients.communeLeader, `/office/campaigns/${c.id}/targets/import`, { unit: COMMUNE }, { name: 'empty.xlsx', data: Buffer.alloc(0) });
    assert.equal(none.status, 400);
    assert.deepEqual(errorsOf(none.html), ['Chọn tệp chỉ tiêu .xlsx để tải lên.']);
    assert.deepEqual(await storedTargets(env.db, c.id), before);
  });
});
