/**
 * Paying a fee through the sandbox gateway in real Chromium, with JavaScript off and on, axe
 * on every page: cancel once at the gateway, then pay; the dossier moves on and a receipt
 * SMS is queued.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { expectAccessible, useBrowser, journeyModes } from '../support/browser.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { FEE_PROCEDURE, awaitingFees, fileOnline, officerOf } from '../track/helpers.ts';

describeEachEngine('paying a fee through the sandbox gateway in the browser', (env) => {
  let web: WebServer;
  const browser = useBrowser();

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  for (const js of journeyModes(env.engine)) {
    it(`cancels once, then pays, and the dossier moves on (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const officer = await officerOf(web.ctx);
      const filed = await fileOnline(web.ctx, { procedureCode: FEE_PROCEDURE, formData: { copies: 2 } });
      await awaitingFees(web.ctx, officer, filed.code);
      const context = await browser.context({ js });
      await context.addCookies([{ name: SESSION_COOKIE, value: filed.citizen.sessionToken, url: web.baseUrl }]);
      const page = await context.newPage();

      await page.goto(`${web.baseUrl}/my/${filed.code}`);
      assert.match((await page.locator('main').textContent()) ?? '', /Bạn cần nộp 16\.000 đồng tiền phí/);
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Nộp phí' }).click();
      await page.waitForSelector('h1:has-text("Nộp phí hồ sơ")');
      await expectAccessible(page);

      await page.getByRole('button', { name: /Nộp 16\.000 đồng trên mạng/ }).click();
      await page.waitForSelector('h1:has-text("Cổng thanh toán thử nghiệm")');
      assert.match(page.url(), /\/sandbox\/pay\?.*vnp_SecureHash=/);
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Hủy, không thanh toán' }).click();
      await page.waitForSelector('h1:has-text("Bạn đã hủy nộp phí")');
      await expectAccessible(page);

      await page.getByRole('link', { name: 'Nộp phí lại' }).click();
      await page.waitForSelector('h1:has-text("Nộp phí hồ sơ")');
      await page.getByRole('button', { name: /Nộp 16\.000 đồng trên mạng/ }).click();
      await page.waitForSelector('h1:has-text("Cổng thanh toán thử nghiệm")');
      await page.getByRole('button', { name: 'Thanh toán', exact: true }).click();
      await page.waitForSelector('h1:has-text("Đã nộp phí")');
      assert.match(page.url(), new RegExp(`/my/${filed.code}/pay/return\\?`));
      await expectAccessible(page);

      await page.getByRole('link', { name: 'Quay lại hồ sơ' }).click();
      await page.waitForSelector(`text=Mã hồ sơ: ${filed.code}`);
      const main = (await page.locator('main').textContent()) ?? '';
      assert.match(main, /Đang giải quyết/);
      assert.match(main, /Đã nộp phí trên mạng\./);
      await expectAccessible(page);

      const d = await env.db.kysely.selectFrom('dossiers').select(['id', 'status']).where('code', '=', filed.code).executeTakeFirstOrThrow();
      assert.equal(d.status, 4);
      const payments = await env.db.kysely.selectFrom('payments').select('status').where('dossier_id', '=', d.id).orderBy('id').execute();
      assert.deepEqual(payments.map((p) => p.status), ['cancelled', 'paid']);
      const sms = await env.db.kysely.selectFrom('notify_outbox').select('body').where('dossier_id', '=', d.id).where('purpose', '=', 'payment_received').execute();
      assert.equal(sms.length, 1);
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
