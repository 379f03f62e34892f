import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser } from '../support/browser.ts';
import { COMMUNE, dashboardWorld, PROVINCE, VILLAGE, type DashboardWorld } from './dashboardSupport.ts';

describeEachEngine('dashboards in the browser', (env) => {
  let web: WebServer;
  let w: DashboardWorld;
  const browser = useBrowser();

  before(async () => {
    web = await startWebServer(env.db);
    w = await dashboardWorld(env.db, web);
  });
  after(async () => {
    await web?.close();
  });

  const signedInPage = async (js: boolean) => {
    const context = await browser.context({ js });
    const [name = '', value = ''] = w.clients.provinceLeader.cookie.split('=');
    await context.addCookies([{ name, value, url: web.baseUrl }]);
    return context.newPage();
  };

  it('the province, commune and village dashboards pass axe-core in Vietnamese and English', async () => {
    const page = await signedInPage(false);
    for (const lang of ['vi', 'en'])
      for (const unit of [PROVINCE, COMMUNE, VILLAGE]) {
        const res = await page.goto(`${web.baseUrl}/office/dashboard?unit=${unit}&lang=${lang}`);
        assert.equal(res?.status(), 200, `${unit} ${lang}`);
        assert.equal(await page.locator('svg.chart[role=img]').first().getAttribute('aria-labelledby'), unit === PROVINCE ? 'trend-smartphone_pct-title' : 'bar-smartphone_pct-title');
        await expectAccessible(page);
      }
    // The form with an error is accessible too.
    const res = await page.goto(`${web.baseUrl}/office/dashboard?unit=${COMMUNE}&from=2026-12-01&to=2026-11-01&lang=vi`);
    assert.equal(res?.status(), 400);
    await expectAccessible(page);
  });

  it('a leader drills down from the province to a village and back up, and picks a period with the form (JavaScript off)', async () => {
    const page = await signedInPage(false);
    await page.goto(`${web.baseUrl}/office/dashboard?lang=vi`);
    assert.equal(await page.locator('h1').textContent(), 'Bảng theo dõi: Tỉnh Đồng Nai');
    await page.locator('#children-title + p + .table-scroll').getByRole('link', { name: 'Xã Hưng Phước', exact: true }).click();
    await page.waitForURL(/unit=25309&/);
    assert.equal(await page.locator('h1').textContent(), 'Bảng theo dõi: Xã Hưng Phước');
    await page.getByRole('link', { name: 'Ấp Phước Tiến', exact: true }).click();
    await page.waitForURL(/unit=25309-01/);
    assert.equal(await page.locator('h1').textContent(), 'Bảng theo dõi: Ấp Phước Tiến');
    assert.equal(await page.getByRole('link', { name: 'Xem tổ công nghệ số cộng đồng của Ấp Phước Tiến' }).count(), 1);
    await page.locator('ol.breadcrumb').getByRole('link', { name: 'Xã Hưng Phước' }).click();
    await page.waitForURL(/unit=25309&/);

    // A shorter period with the form; the table of weeks then has three rows.
    await page.getByLabel('Từ ngày').fill('2026-11-09');
    await page.getByLabel('Đến ngày').fill('2026-11-25');
    await page.getByRole('button', { name: 'Xem số liệu' }).click();
    await page.waitForURL(/from=2026-11-09/);
    assert.match((await page.locator('p.lead').textContent()) ?? '', /từ ngày 09\/11\/2026 đến ngày 25\/11\/2026/);
    assert.equal(await page.locator('#indicator-smartphone_pct table tbody tr').count(), 3);
    // Re-rank by a column header.
    await page.locator('table.report thead').getByRole('link', { name: 'Vướng mắc chưa giải quyết' }).click();
    await page.waitForURL(/rank=open_blockers/);
    assert.equal(await page.locator('table.report thead th[aria-sort]').count(), 1);
    // Download the table of villages.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải bảng các đơn vị cấp dưới (Excel)' }).click()]);
    assert.match(download.suggestedFilename(), /^bang-theo-doi_25309_cd\d+_children_2026-11-09_2026-11-25\.xlsx$/);
  });
});
