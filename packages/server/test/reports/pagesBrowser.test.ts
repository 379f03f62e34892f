import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser, journeyModes } from '../support/browser.ts';
import { officerWithSession, seedMonth } from './support.ts';

/** The figures of a table row, read from the rendered page: [no, name, 12 figures, check]. */
async function rowTexts(page: import('playwright-core').Page, name: string): Promise<string[]> {
  const row = page.locator('table.report tr', { has: page.locator('th[scope=row]', { hasText: new RegExp(`^${name}$`) }) });
  return (await row.locator('td, th').allTextContents()).map((s) => s.trim());
}

describeEachEngine('II.06a report in the browser', (env) => {
  let web: WebServer;
  let leader: Awaited<ReturnType<typeof officerWithSession>>;
  const browser = useBrowser();

  it('starts', async () => {
    web = await startWebServer(env.db);
    await seedMonth(web, env.db);
    leader = await officerWithSession(web, env.db, [{ role: 'leader', unitCode: '70' }]);
  });

  for (const js of journeyModes(env.engine)) {
    it(`a province leader picks a month, drills down to a commune, switches to sectors and downloads the XLSX (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const context = await browser.context({ js });
      await context.addCookies([{ name: leader.cookie.name, value: leader.cookie.value, url: web.baseUrl }]);
      const page = await context.newPage();

      await page.goto(`${web.baseUrl}/office/reports/ii06a`);
      assert.equal(await page.locator('h1').textContent(), 'Báo cáo giải quyết thủ tục hành chính: Tỉnh Bình Phước');
      await expectAccessible(page);

      // Choose month 8 of 2022 with the form.
      await page.getByLabel('Loại kỳ').selectOption('month');
      await page.getByLabel('Năm', { exact: true }).selectOption('2022');
      await page.getByLabel('Tháng (khi xem theo tháng)').selectOption('8');
      await page.getByRole('button', { name: 'Xem báo cáo' }).click();
      await page.waitForURL(/month=8/);
      assert.match((await page.locator('p.lead').textContent()) ?? '', /từ ngày 15\/07\/2022 đến ngày 14\/08\/2022/);
      assert.deepEqual((await rowTexts(page, 'Huyện Bù Đốp')).slice(2, 14), ['8', '1', '6', '1', '4', '1', '2', '1', '1', '3', '2', '1']);
      assert.equal(await page.locator('svg.chart[role=img] title#chart-title').count(), 1);
      await expectAccessible(page);

      // Province → district → commune, then back up through the breadcrumb.
      await page.getByRole('link', { name: 'Huyện Bù Đốp', exact: true }).click();
      await page.waitForURL(/unit=693/);
      assert.deepEqual((await rowTexts(page, 'Xã Thiện Hưng')).slice(2, 14), ['7', '1', '5', '1', '3', '1', '1', '1', '1', '3', '2', '1']);
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Xã Thiện Hưng', exact: true }).click();
      await page.waitForURL(/unit=25312/);
      assert.equal(await page.locator('ol.breadcrumb li[aria-current=page]').textContent(), 'Xã Thiện Hưng');
      await expectAccessible(page);
      await page.locator('ol.breadcrumb').getByRole('link', { name: 'Huyện Bù Đốp' }).click();
      await page.waitForURL(/unit=693/);

      // By sector.
      await page.getByRole('link', { name: 'Theo lĩnh vực' }).click();
      await page.waitForURL(/by=sector/);
      assert.deepEqual((await rowTexts(page, 'Hộ tịch')).slice(2, 5), ['7', '1', '5']);
      assert.deepEqual((await rowTexts(page, 'Chứng thực')).slice(2, 5), ['1', '0', '1']);
      await expectAccessible(page);

      // Download the spreadsheet of this view and read its cells.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải bảng tính Excel (XLSX)' }).click()]);
      assert.equal(download.suggestedFilename(), 'II06a_693_2022-07-15_2022-08-14_linh-vuc.xlsx');
      const path = await download.path();
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(new Uint8Array(await readFile(path)).buffer);
      const ws = wb.getWorksheet('Biểu II.06a');
      assert.ok(ws);
      assert.equal(ws.getCell('B7').value, 'Lĩnh vực, công việc giải quyết theo cấp');
      let hoTich = 0;
      ws.eachRow((row, n) => {
        if (row.getCell(2).value === 'Hộ tịch') hoTich = n;
      });
      assert.ok(hoTich > 0, 'a row for Hộ tịch');
      assert.deepEqual(Array.from({ length: 12 }, (_, i) => ws.getRow(hoTich).getCell(3 + i).value), [7, 1, 5, 1, 3, 1, 1, 1, 1, 3, 2, 1]);
      await context.close();
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
