/**
 * The leader's whole journey in real Chromium: create a campaign, import its targets from the
 * XLSX template, open the dashboard, watch progress move after a team member's phone syncs a
 * visit, drill down from the commune to the village and its open blockers, and download a table.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { payloadHashOf, uuidv7 } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser } from '../support/browser.ts';
import { officerOn, signedIn } from '../admin/support.ts';
import { seedField, VILLAGE, type FieldFixture } from '../teams/support.ts';
import { fillTemplate, storedTargets } from './campaignSupport.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describeEachEngine('a leader follows a campaign from its targets to a village', (env) => {
  let web: WebServer;
  let field: FieldFixture;
  let cookie = '';
  const browser = useBrowser();

  before(async () => {
    web = await startWebServer(env.db);
    field = await seedField(env.db, web.ctx);
    const leader = await officerOn(env.db, [{ role: 'leader', unitCode: '25309' }], 'lanhdao');
    cookie = (await signedIn(web, leader.id)).cookie;
  });
  after(async () => {
    await web?.close();
  });

  /** What the phone of the village's team member sends: one visit to a household not yet visited. */
  async function syncVisit(householdId: string): Promise<void> {
    const payload = { residentId: null, householdId, actions: ['explained_online_services'], notes: 'Hướng dẫn nộp hồ sơ trực tuyến', photo: null };
    const envelope = {
      id: uuidv7(),
      deviceId: field.deviceId,
      memberId: field.member.id,
      entity: 'visit',
      entityId: uuidv7(),
      op: 'append',
      baseVersion: null,
      occurredAt: '2026-11-25T08:30:00+07:00',
      payloadHash: await payloadHashOf(payload),
      payload,
    };
    const res = await web.app.inject({
      method: 'POST',
      url: '/api/v1/sync/push',
      headers: { authorization: `Bearer ${field.sessionToken}`, 'x-device-id': field.deviceId, 'content-type': 'application/json' },
      payload: JSON.stringify({ deviceId: field.deviceId, envelopes: [envelope] }),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().results[0].result, 'accepted', res.body);
  }

  it('creates a campaign, imports targets, sees a synced visit move the village to its target, drills down and exports', async () => {
    const context = await browser.context({ js: false });
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name: name ?? '', value: value ?? '', url: web.baseUrl }]);
    const page = await context.newPage();

    // 1. The campaign, through the form.
    await page.goto(`${web.baseUrl}/office/campaigns/new?lang=vi`);
    await page.getByLabel('Tên chiến dịch').fill('Chiến dịch thử: hộ gia đình được hỗ trợ');
    await page.getByLabel('Ngày bắt đầu').fill('2026-11-01');
    await page.getByLabel('Ngày kết thúc').fill('2027-01-31');
    await page.getByLabel('Hộ gia đình đã được đến hỗ trợ').check();
    await page.getByLabel('Người trưởng thành có điện thoại thông minh').check();
    await page.getByRole('button', { name: 'Tạo chiến dịch' }).click();
    await page.waitForURL(/\/office\/campaigns\/\d+\?done=created/);
    const id = Number(/campaigns\/(\d+)/.exec(page.url())?.[1]);

    // 2. Targets from the XLSX template: downloaded from the page, filled in, uploaded.
    await page.getByRole('link', { name: 'Nhập chỉ tiêu từ tệp Excel' }).click();
    await page.waitForURL(/\/import\?unit=25309/);
    const templateLink = page.locator('a[href*="targets.xlsx"]').first();
    const [download] = await Promise.all([page.waitForEvent('download'), templateLink.click()]);
    const template = readFileSync((await download.path()) ?? '');
    const filled = await fillTemplate(template, {
      '25309': { households_visited: 4, smartphone_pct: 70 },
      [VILLAGE]: { households_visited: 2, smartphone_pct: 70 },
    });
    await page.setInputFiles('#f-file', { name: 'chi-tieu.xlsx', mimeType: XLSX, buffer: filled });
    await page.getByRole('button', { name: 'Tải lên và lưu chỉ tiêu' }).click();
    await page.waitForURL(/done=imported/);
    assert.deepEqual((await storedTargets(env.db, id))[VILLAGE], { households_visited: 2, smartphone_pct: 70 });

    // 3. The village's dashboard: one of its two households visited in the campaign, half of the target.
    const visited = page.locator('#indicator-households_visited');
    await page.goto(`${web.baseUrl}/office/dashboard?unit=${VILLAGE}&campaign=${id}&lang=vi`);
    assert.equal((await visited.locator('.big').textContent())?.trim(), '1');
    assert.match((await visited.textContent()) ?? '', /đạt 50,0\s?% chỉ tiêu/);

    // 4. The team member's phone syncs a visit to the other household: the target is met.
    const other = await env.db.kysely.selectFrom('households').select('id').where('unit_id', '=', field.villageId).where('id', '<>', field.householdId).executeTakeFirstOrThrow();
    await syncVisit(other.id);
    await page.reload();
    assert.equal((await visited.locator('.big').textContent())?.trim(), '2');
    assert.match((await visited.textContent()) ?? '', /100,0\s?%/);
    await expectAccessible(page);

    // 5. Drill down: from the commune's dashboard to the village, which lists its open blockers.
    await page.goto(`${web.baseUrl}/office/dashboard?unit=25309&campaign=${id}&lang=vi`);
    assert.equal((await page.locator('#indicator-households_visited .big').textContent())?.trim(), '2');
    await page.locator('#children-title ~ * a', { hasText: 'Ấp Phước Tiến' }).first().click();
    await page.waitForURL(new RegExp(`unit=${VILLAGE}`));
    assert.match((await page.locator('#village-blockers-title').textContent()) ?? '', /Ấp Phước Tiến/);
    await expectAccessible(page);

    // 6. Export: the commune's children table as XLSX, read back with ExcelJS.
    await page.goto(`${web.baseUrl}/office/dashboard?unit=25309&campaign=${id}&lang=vi`);
    const exportLink = page.locator('a[href*="/office/dashboard/export"][href*="table=children"][href*="format=xlsx"]').first();
    const [xlsx] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync((await xlsx.path()) ?? '') as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.worksheets[0]?.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    assert.ok(cells.includes('Ấp Phước Tiến'), 'the village is a row of the export');
    assert.ok(cells.some((c) => c === '2'), 'with its two visited households');
  });
});
