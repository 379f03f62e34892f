/**
 * The citizen's follow-up journeys in real Chromium, with JavaScript off and on, and axe-core
 * on every page met: tracking by code, answering a supplement request with an upload,
 * withdrawing a dossier.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser, journeyModes } from '../support/browser.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { awaitingSupplement, act, fileOnline, officerOf, scanPng, MISSING } from './helpers.ts';

describeEachEngine('citizen follow-up journeys in the browser', (env) => {
  let web: WebServer;
  const browser = useBrowser();

  async function signedIn(js: boolean, sessionToken: string): Promise<BrowserContext> {
    const c = await browser.context({ js });
    await c.addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: web.baseUrl }]);
    return c;
  }

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  for (const js of journeyModes(env.engine)) {
    const mode = js ? 'JavaScript on' : 'JavaScript off';

    it(`tracks a dossier by its code and phone digits (${mode})`, async () => {
      const officer = await officerOf(web.ctx);
      const phone = js ? '0977000111' : '0977000222';
      const filed = await fileOnline(web.ctx, { phone });
      await act(web.ctx, officer, filed.code, 'receive');
      const page = await (await browser.context({ js })).newPage();
      await page.goto(`${web.baseUrl}/`);
      await page.goto(`${web.baseUrl}/track`);
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Tra cứu' }).click();
      await page.waitForSelector('.error-summary');
      assert.match(await page.title(), /^Lỗi:/);
      await expectAccessible(page);
      await page.getByLabel('Mã hồ sơ').fill(filed.code);
      await page.getByLabel('4 số cuối điện thoại').fill('9999');
      await page.getByRole('button', { name: 'Tra cứu' }).click();
      await page.waitForSelector('.error-summary');
      assert.match(await page.locator('.error-summary').textContent() ?? '', /Không tìm thấy hồ sơ/);
      await expectAccessible(page);
      await page.getByLabel('4 số cuối điện thoại').fill(phone.slice(-4));
      await page.getByRole('button', { name: 'Tra cứu' }).click();
      await page.waitForSelector(`h1:has-text("Hồ sơ ${filed.code}")`);
      const main = (await page.locator('main').textContent()) ?? '';
      assert.match(main, /Cơ quan đã nhận hồ sơ/);
      assert.match(main, /Việc bạn cần làm bây giờ/);
      await expectAccessible(page);
    });

    it(`answers a supplement request with an upload (${mode})`, async () => {
      const officer = await officerOf(web.ctx);
      const filed = await fileOnline(web.ctx);
      await awaitingSupplement(web.ctx, officer, filed.code);
      const page = await (await signedIn(js, filed.citizen.sessionToken)).newPage();
      await page.goto(`${web.baseUrl}/my`);
      await expectAccessible(page);
      await page.getByRole('link', { name: /Đăng ký khai sinh/ }).first().click();
      await page.waitForSelector(`text=Mã hồ sơ: ${filed.code}`);
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Gửi giấy tờ bổ sung' }).click();
      await page.waitForSelector('h1:has-text("Gửi giấy tờ bổ sung")');
      for (const doc of MISSING) assert.ok(await page.getByLabel(doc).isVisible(), doc);
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Gửi giấy tờ' }).click();
      await page.waitForSelector('.error-summary');
      await expectAccessible(page);
      await page.getByLabel(MISSING[0]!).setInputFiles({ name: 'giay-chung-sinh.png', mimeType: 'image/png', buffer: await scanPng() });
      await page.getByRole('button', { name: 'Gửi giấy tờ' }).click();
      await page.waitForSelector('text=Đã gửi giấy tờ bổ sung');
      assert.match((await page.locator('main').textContent()) ?? '', /giay-chung-sinh\.jpg/);
      await expectAccessible(page);
      const d = await env.db.kysely.selectFrom('dossiers').select('status').where('code', '=', filed.code).executeTakeFirstOrThrow();
      assert.equal(d.status, 4);
    });

    it(`withdraws a dossier after confirming (${mode})`, async () => {
      const officer = await officerOf(web.ctx);
      const filed = await fileOnline(web.ctx);
      await act(web.ctx, officer, filed.code, 'receive');
      const page = await (await signedIn(js, filed.citizen.sessionToken)).newPage();
      await page.goto(`${web.baseUrl}/my/${filed.code}`);
      await page.getByRole('link', { name: 'Rút hồ sơ này' }).click();
      await page.waitForSelector('h1:has-text("Bạn muốn rút hồ sơ này?")');
      await expectAccessible(page);
      await page.getByLabel(/Vì sao bạn rút hồ sơ/).fill('Tôi nộp nhầm thủ tục.');
      await page.getByRole('button', { name: 'Có, rút hồ sơ' }).click();
      await page.waitForSelector('text=Đã gửi yêu cầu rút hồ sơ');
      assert.match((await page.locator('main').textContent()) ?? '', /Đã xin rút hồ sơ/);
      await expectAccessible(page);
      const again = await page.goto(`${web.baseUrl}/my/${filed.code}/withdraw`);
      assert.equal(again?.status(), 409);
      await expectAccessible(page);
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
