import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser } from '../support/browser.ts';
import { officerOn, signedIn } from '../admin/support.ts';
import { register, storedTargets } from './campaignSupport.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A targets workbook made from nothing: a row of column keys, then one row per unit. */
async function workbook(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Chỉ tiêu');
  ws.addRow(['code', 'name', 'smartphone_pct', 'service_accounts']);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describeEachEngine('a leader creates a campaign and imports its targets in the browser', (env) => {
  let web: WebServer;
  let cookie = '';
  const browser = useBrowser();

  before(async () => {
    web = await startWebServer(env.db);
    await register(env.db, '25309-01', 2);
    const leader = await officerOn(env.db, [{ role: 'leader', unitCode: '25309' }], 'lanhdao');
    cookie = (await signedIn(web, leader.id)).cookie;
  });
  after(async () => {
    await web?.close();
  });

  const checkBoth = async (page: Page, path: string) => {
    for (const lang of ['vi', 'en']) {
      const res = await page.goto(`${web.baseUrl}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
      assert.equal(res?.status(), 200, `${path} in ${lang}`);
      await expectAccessible(page);
    }
    await page.goto(`${web.baseUrl}${path}${path.includes('?') ? '&' : '?'}lang=vi`);
  };

  it('creates the campaign through the form, imports an XLSX file, sees the grid; axe passes on every page in vi and en', async () => {
    const context = await browser.context({ js: false });
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name: name ?? '', value: value ?? '', url: web.baseUrl }]);
    const page = await context.newPage();

    await checkBoth(page, '/office/campaigns');
    await page.getByRole('link', { name: 'Tạo chiến dịch' }).click();
    await page.waitForURL(/\/office\/campaigns\/new/);
    await checkBoth(page, '/office/campaigns/new');

    // Sent empty: the error summary, linked to the fields, also passes.
    await page.getByRole('button', { name: 'Tạo chiến dịch' }).click();
    assert.equal(await page.locator('.error-summary li').count(), 4);
    await expectAccessible(page);

    await page.getByLabel('Tên chiến dịch').fill('92 ngày đêm: nâng cao hiệu quả cung cấp, sử dụng dịch vụ công trực tuyến');
    await page.getByLabel('Ngày bắt đầu').fill('2026-11-01');
    await page.getByLabel('Ngày kết thúc').fill('2027-01-31');
    await page.getByLabel('Người trưởng thành có điện thoại thông minh').check();
    await page.getByLabel('Tài khoản dịch vụ công').check();
    await page.getByRole('button', { name: 'Tạo chiến dịch' }).click();
    await page.waitForURL(/\/office\/campaigns\/\d+\?done=created/);
    const id = Number(/campaigns\/(\d+)/.exec(page.url())?.[1]);
    assert.match((await page.locator('.notice[role=status]').textContent()) ?? '', /Đã tạo chiến dịch/);
    await expectAccessible(page);
    await checkBoth(page, `/office/campaigns/${id}`);
    await checkBoth(page, `/office/campaigns/${id}/edit`);
    await page.goto(`${web.baseUrl}/office/campaigns/${id}`);

    await page.getByRole('link', { name: 'Nhập chỉ tiêu từ tệp Excel' }).click();
    await page.waitForURL(/\/import\?unit=25309/);
    await checkBoth(page, `/office/campaigns/${id}/import?unit=25309`);

    // A file with a bad row: nothing stored, the rows listed; the page passes axe.
    await page.setInputFiles('#f-file', { name: 'chi-tieu.xlsx', mimeType: XLSX, buffer: await workbook([['25309', 'Xã Hưng Phước', 80, 40], ['25309-01', 'Ấp Phước Tiến', 180, 40]]) });
    await page.getByRole('button', { name: 'Tải lên và lưu chỉ tiêu' }).click();
    assert.match((await page.locator('.error-summary').textContent()) ?? '', /Dòng 3, cột C: tỉ lệ phải từ 0 đến 100/);
    await expectAccessible(page);
    assert.deepEqual(await storedTargets(env.db, id), {});

    await page.setInputFiles('#f-file', { name: 'chi-tieu.xlsx', mimeType: XLSX, buffer: await workbook([['25309', 'Xã Hưng Phước', 80, 40], ['25309-01', 'Ấp Phước Tiến', 85.5, 40]]) });
    await page.getByRole('button', { name: 'Tải lên và lưu chỉ tiêu' }).click();
    await page.waitForURL(/done=imported/);
    assert.match((await page.locator('.notice[role=status]').textContent()) ?? '', /4 chỉ tiêu được đặt/);
    assert.equal(await page.getByLabel('Chỉ tiêu Người trưởng thành có điện thoại thông minh của Xã Hưng Phước').inputValue(), '80');
    assert.equal(await page.getByLabel('Chỉ tiêu Người trưởng thành có điện thoại thông minh của Ấp Phước Tiến').inputValue(), '85,5');
    assert.equal(await page.getByLabel('Chỉ tiêu Tài khoản dịch vụ công của Ấp Phước Tiến').inputValue(), '40');
    await expectAccessible(page);

    // The rest of the villages in the grid, then split: every check is met.
    await page.getByRole('button', { name: 'Chia tất cả chỉ tiêu xuống các đơn vị con' }).click();
    await page.waitForURL(/done=split/);
    assert.equal(await page.locator('#checks-caption ~ tbody .tag.ok').count(), 2);
    await expectAccessible(page);
  });
});
