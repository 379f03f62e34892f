/**
 * Back-office journeys in real Chromium, with JavaScript off and on, axe-core on every page:
 * signing in with a lockout, and a dossier from online submission to the result handed back.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { useBrowser, expectAccessible, journeyModes } from '../support/browser.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { findDossierByCode } from '../../src/modules/dossiers/queries.ts';
import { COMMUNE, officerAt, onlineDossier, scanPng } from './helpers.ts';

async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/office/sign-in`);
  await page.fill('#f-username', username);
  await page.fill('#f-password', password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForLoadState('domcontentloaded');
}

describeEachEngine('back-office journeys in Chromium', (env) => {
  let web: WebServer;
  const browser = useBrowser();

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  for (const js of journeyModes(env.engine)) {
    it(`signs in, is locked out after 5 wrong passwords, and gets in again 15 minutes later (JavaScript ${js ? 'on' : 'off'})`, async () => {
      web.ctx.clock.set('2026-11-25T09:00:00+07:00');
      const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }], 'Nguyễn Thị Lan');
      const page = await (await browser.context({ js })).newPage();
      await page.goto(`${web.baseUrl}/office`);
      assert.match(page.url(), /\/office\/sign-in\?next=%2Foffice$/);
      assert.equal(await page.locator('h1').textContent(), 'Đăng nhập cho cán bộ');
      await expectAccessible(page);

      for (let i = 1; i <= 4; i++) {
        await signIn(page, web.baseUrl, o.username, 'sai mật khẩu');
        assert.match(await page.locator('.error-summary').textContent() ?? '', /Tên đăng nhập hoặc mật khẩu không đúng/);
      }
      await expectAccessible(page);
      await signIn(page, web.baseUrl, o.username, 'sai mật khẩu');
      assert.match(await page.locator('.notice.error').textContent() ?? '', /tạm khóa/);
      await signIn(page, web.baseUrl, o.username, o.password);
      assert.match(await page.locator('.notice.error').textContent() ?? '', /tạm khóa/, 'still locked');
      await expectAccessible(page);

      web.ctx.clock.set('2026-11-25T09:16:00+07:00');
      await signIn(page, web.baseUrl, o.username, o.password);
      assert.equal(new URL(page.url()).pathname, '/office');
      assert.equal(await page.locator('h1').textContent(), 'Hồ sơ cần xử lý');
      await expectAccessible(page);

      await page.getByRole('link', { name: 'Nguyễn Thị Lan' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.equal(new URL(page.url()).pathname, '/office/account');
      assert.match(await page.locator('table').textContent() ?? '', /Sai mật khẩu/);
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Bật xác thực hai bước' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.ok(await page.locator('img[alt^="Mã QR"]').isVisible());
      await expectAccessible(page);

      await page.getByRole('button', { name: 'Đăng xuất' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.match(page.url(), /\/office\/sign-in\?signed_out=1$/);
      assert.match(await page.locator('.notice').textContent() ?? '', /Bạn đã đăng xuất/);
      await page.close();
    });
  }

  for (const js of journeyModes(env.engine)) {
    it(`takes an online dossier from reception to the result handed back (JavaScript ${js ? 'on' : 'off'})`, async () => {
      web.ctx.clock.set('2026-11-25T09:00:00+07:00');
      const desk = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }], 'Nguyễn Thị Lan');
      const { code, citizen } = await onlineDossier(web.ctx, { fullName: 'Điểu Thị Hoa' });
      const page = await (await browser.context({ js })).newPage();
      const act = async (button: string, done: string) => {
        await page.getByRole('button', { name: button, exact: true }).click();
        await page.waitForLoadState('domcontentloaded');
        assert.match(await page.locator('.notice').first().textContent() ?? '', new RegExp(done));
        await expectAccessible(page);
      };

      await signIn(page, web.baseUrl, desk.username, desk.password);
      await page.getByRole('link', { name: code }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.equal(await page.locator('h1').textContent(), `Hồ sơ ${code}`);
      assert.ok(await page.getByText(citizen.phone).isVisible(), 'the applicant in full');
      await expectAccessible(page);

      await act('Tiếp nhận hồ sơ', 'Đã tiếp nhận hồ sơ');
      assert.match(await page.locator('dl.summary').first().textContent() ?? '', /Hạn trả kết quả26\/11\/2026 09:00/);
      assert.ok(await page.getByRole('link', { name: /Mẫu 01/ }).isVisible());
      await act('Bắt đầu xử lý', 'Hồ sơ đã chuyển sang đang xử lý');

      await page.fill('#f-request_supplement_missing', 'Giấy chứng sinh bản chính\nCăn cước của mẹ');
      await act('Gửi yêu cầu bổ sung', 'Đã gửi yêu cầu bổ sung giấy tờ');
      assert.match(await page.locator('dl.summary').first().textContent() ?? '', /Tạm dừng, chờ người dân bổ sung/);

      // The citizen hands in the papers through the portal, the next morning.
      web.ctx.clock.set('2026-11-26T08:00:00+07:00');
      const own = await web.ctx.db.transaction((trx) => createSession(trx, { citizenId: citizen.id }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'test', now: web.ctx.now() }));
      const portal = await browser.context({ js });
      await portal.addCookies([{ name: SESSION_COOKIE, value: own.token, url: web.baseUrl }]);
      const home = await portal.newPage();
      await home.goto(`${web.baseUrl}/my/${code}`);
      await home.getByRole('link', { name: 'Gửi giấy tờ bổ sung' }).click();
      await home.waitForSelector('h1:has-text("Gửi giấy tờ bổ sung")');
      await home.getByLabel('Giấy chứng sinh bản chính').setInputFiles({ name: 'giay-chung-sinh.png', mimeType: 'image/png', buffer: await scanPng() });
      await home.getByRole('button', { name: 'Gửi giấy tờ' }).click();
      await home.waitForSelector('text=Đã gửi giấy tờ bổ sung');
      await expectAccessible(home);
      await portal.close();
      // Yesterday's session has expired overnight: the officer signs in again.
      await page.goto(`${web.baseUrl}/office?tab=processing`);
      assert.match(page.url(), /\/office\/sign-in\?next=/);
      await page.fill('#f-username', desk.username);
      await page.fill('#f-password', desk.password);
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.waitForLoadState('domcontentloaded');
      assert.equal(new URL(page.url()).search, '?tab=processing');
      assert.ok(await page.getByRole('link', { name: code }).isVisible(), 'back in processing');
      await expectAccessible(page);
      await page.getByRole('link', { name: code }).click();
      await page.waitForLoadState('domcontentloaded');

      await page.setInputFiles('#f-finish_result', { name: 'Trích lục khai sinh.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
      await act('Xác nhận xử lý xong', 'Đã ghi nhận xử lý xong');
      assert.ok(await page.getByRole('link', { name: 'Kết quả giải quyết' }).isVisible());
      await act('Đã trả kết quả', 'Đã trả kết quả');
      assert.match(await page.locator('p.lead').textContent() ?? '', /Đã trả kết quả/);
      assert.match(await page.locator('#actions + p').textContent() ?? '', /không có việc gì/);

      const d = await findDossierByCode(env.db.kysely, code);
      assert.equal(d?.status, 10);
      const log = await env.db.kysely.selectFrom('dossier_actions').select('action').where('dossier_id', '=', d?.id ?? 0).orderBy('seq').execute();
      assert.deepEqual(log.map((a) => a.action), ['create', 'receive', 'start_processing', 'request_supplement', 'supplement_received', 'finish', 'return_result']);
      await page.goto(`${web.baseUrl}/office?tab=finished_today`);
      assert.ok(await page.getByRole('link', { name: code }).isVisible());
      await expectAccessible(page);
      await page.close();
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
