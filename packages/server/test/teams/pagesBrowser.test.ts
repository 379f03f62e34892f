import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser } from '../support/browser.ts';
import { officerOn, signedIn } from '../admin/support.ts';
import { STEP_CARDS } from '@causo/field/cards';
import { VILLAGE, seedField } from './support.ts';

describeEachEngine('team pages and step cards in the browser', (env) => {
  let web: WebServer;
  let adminCookie = '';
  const browser = useBrowser();

  before(async () => {
    web = await startWebServer(env.db);
    await seedField(env.db, web.ctx);
    const admin = await officerOn(env.db, [{ role: 'admin', unitCode: '25309' }], 'admin');
    adminCookie = (await signedIn(web, admin.id)).cookie;
  });
  after(async () => {
    await web?.close();
  });

  it('the teams list, a team (with its "report lost" forms) and the conflicts pass axe-core', async () => {
    const context = await browser.context({ js: false });
    const [name, value] = adminCookie.split('=');
    await context.addCookies([{ name: name ?? '', value: value ?? '', url: web.baseUrl }]);
    const page = await context.newPage();
    for (const path of ['/office/teams', `/office/teams/${VILLAGE}`, '/office/teams/conflicts', '/office/teams?lang=en', `/office/teams/${VILLAGE}?lang=en`, '/office/teams/conflicts?lang=en']) {
      const res = await page.goto(`${web.baseUrl}${path}`);
      assert.equal(res?.status(), 200, path);
      await expectAccessible(page);
    }
    await page.goto(`${web.baseUrl}/office/teams/${VILLAGE}?lang=vi`);
    assert.equal(await page.getByRole('button', { name: /^Báo mất máy Samsung A05 của Hoa của / }).count(), 1);
    await page.goto(`${web.baseUrl}/office/teams/conflicts?lang=vi`);
    await page.getByRole('button', { name: 'Dùng giá trị kia' }).first().click();
    await page.waitForURL(/done=conflict_other/);
    assert.match((await page.locator('.notice[role=status]').textContent()) ?? '', /Đã dùng giá trị kia/);
    await expectAccessible(page);
  });

  it('step cards pass axe-core, and each prints on one A4 page without the navigation', async () => {
    const context = await browser.context({ js: false });
    const page = await context.newPage();
    await page.goto(`${web.baseUrl}/step-cards`);
    await expectAccessible(page);
    for (const card of STEP_CARDS) {
      await page.goto(`${web.baseUrl}/step-cards/${card.slug}`);
      assert.equal(await page.locator('h1').textContent(), card.titleVi);
      assert.equal(await page.locator('ol.steps > li').count(), card.stepsVi.length);
      await expectAccessible(page);
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('header.top').isVisible(), false, 'no navigation on paper');
      assert.equal(await page.locator('footer.bottom').isVisible(), false);
      assert.equal(await page.locator('.card-brand').isVisible(), true, 'the Cầu Số name is on the card');
      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
      assert.equal(pages, 1, `${card.slug} prints on ${pages} pages`);
      await page.emulateMedia({ media: 'screen' });
    }
    await page.goto(`${web.baseUrl}/step-cards/${STEP_CARDS[0]?.slug ?? ''}?lang=en`);
    await expectAccessible(page);
  });
});
