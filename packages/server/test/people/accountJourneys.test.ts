/**
 * Citizens opening accounts and signing in, in real Chromium with JavaScript off and on;
 * axe-core checks every page on the way. Codes are read where the demo reads them: the
 * operators' SMS page, fed by the development sink.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { useBrowser, expectAccessible, journeyModes } from '../support/browser.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { makeCitizen } from '../support/citizens.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { deliverPending } from '../../src/modules/notify/sender.ts';
import type { SignupDetails } from '../../src/modules/people/forms.ts';
import { SIM_NOT_OWNED, TEST_PEOPLE, useTestRegister } from './helpers.ts';

describeEachEngine('account journeys in the browser', (env) => {
  let web: WebServer;
  let adminToken = '';
  const browser = useBrowser();

  it('starts', async () => {
    web = await startWebServer(env.db, undefined, useTestRegister);
    const admin = await makeOfficer(web.ctx.db, [{ role: 'admin', unitCode: '75', on: '2026-11-25' }]);
    adminToken = (await web.ctx.db.transaction((trx) => createSession(trx, { userId: admin.officer.id }, { ttlHours: 8, ip: null, userAgent: null, now: web.ctx.now() }))).token;
  });

  const url = (path: string) => `${web.baseUrl}${path}`;

  async function submit(page: Page, button: string, to?: RegExp): Promise<void> {
    await page.getByRole('button', { name: button, exact: true }).click();
    if (to) await page.waitForURL(to);
    else await page.waitForLoadState();
  }

  async function fillDetails(page: Page, who: SignupDetails): Promise<void> {
    const [y, m, d] = who.birthDate.split('-');
    await page.fill('#f-idNumber', who.idNumber);
    await page.fill('#f-fullName', who.fullName);
    await page.fill('#f-birth_day', String(Number(d)));
    await page.fill('#f-birth_month', String(Number(m)));
    await page.fill('#f-birth_year', y ?? '');
    await page.fill('#f-phone', who.phone);
  }

  /** What an operator sees on /office/dev/sms: the newest code sent to `phone`. */
  async function codeFromSmsPage(phone: string): Promise<string> {
    await deliverPending(web.ctx, 50);
    const context = await browser.context({ js: false });
    await context.addCookies([{ name: 'causo_session', value: adminToken, url: web.baseUrl }]);
    const page = await context.newPage();
    await page.goto(url('/office/dev/sms'));
    await expectAccessible(page);
    const row = page.locator('tbody tr', { has: page.locator('td.phone', { hasText: phone }) }).first();
    const text = (await row.locator('td.sms-text').textContent()) ?? '';
    assert.match(await row.textContent() ?? '', /Đã gửi/);
    const code = /\b(\d{6})\b/.exec(text)?.[1];
    if (!code) throw new Error(`no code on the SMS page for ${phone}: ${text}`);
    await context.close();
    return code;
  }

  async function signOut(page: Page): Promise<void> {
    await submit(page, 'Đăng xuất', /\/signed-out$/);
    assert.equal(await page.locator('h1').textContent(), 'Bạn đã đăng xuất');
    await expectAccessible(page);
  }

  for (const js of journeyModes(env.engine)) {
    const mode = js ? 'JavaScript on' : 'JavaScript off';
    const creator = js ? TEST_PEOPLE.bich : TEST_PEOPLE.an;
    const password = js ? 'bon con meo trang' : 'ba con trau vang';

    it(`is told plainly what to do when the SIM is in someone else's name, and a blocker is recorded (${mode})`, async () => {
      const page = await (await browser.context({ js })).newPage();
      await page.goto(url('/account/new'));
      assert.equal(await page.locator('h1').textContent(), 'Mở tài khoản dịch vụ công');
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Bắt đầu' }).click();
      await page.waitForURL(/\/account\/new\/details$/);
      await expectAccessible(page);
      await submit(page, 'Tiếp tục');
      await page.waitForSelector('.error-summary');
      assert.match(await page.title(), /^Lỗi:/);
      assert.equal(await page.locator('.error-summary a').count(), 4);
      await expectAccessible(page);
      const person = { ...SIM_NOT_OWNED, idNumber: js ? '070094007778' : SIM_NOT_OWNED.idNumber };
      await fillDetails(page, person);
      await submit(page, 'Tiếp tục', /\/account\/new\/sim\?reason=mismatched$/);
      assert.equal(await page.locator('h1').textContent(), 'Số điện thoại này chưa đứng tên bạn');
      const text = (await page.locator('main').textContent()) ?? '';
      assert.match(text, /soạn tin TTTB gửi 1414/);
      assert.match(text, /cửa hàng của nhà mạng/);
      await expectAccessible(page);
      const blocker = await web.ctx.db.kysely.selectFrom('blockers').select(['kind', 'status', 'source']).where('id_hash', '=', web.ctx.vault.lookupHash('id', person.idNumber)).executeTakeFirst();
      assert.deepEqual(blocker, { kind: 'sim_not_owner', status: 'open', source: 'portal' });
      assert.equal(await web.ctx.db.kysely.selectFrom('citizens').select('id').where('id_hash', '=', web.ctx.vault.lookupHash('id', person.idNumber)).executeTakeFirst(), undefined);
    });

    it(`opens an account with the code from the SMS and a password, then signs out (${mode})`, async () => {
      const page = await (await browser.context({ js })).newPage();
      await page.goto(url('/account/new/details'));
      await fillDetails(page, creator);
      await submit(page, 'Tiếp tục', /\/account\/new\/code$/);
      assert.match((await page.locator('main').textContent()) ?? '', new RegExp(creator.phone.replace(/^(\d{4})(\d{3})(\d{3})$/, '$1 $2 $3')));
      await expectAccessible(page);
      const code = await codeFromSmsPage(creator.phone);
      await page.fill('#f-code', code === '000000' ? '111111' : '000000');
      await submit(page, 'Xác nhận');
      await page.waitForSelector('.error-summary');
      assert.match((await page.locator('.error-summary').textContent()) ?? '', /Mã chưa đúng\. Bạn còn 4 lần thử/);
      await expectAccessible(page);
      await page.fill('#f-code', code);
      await submit(page, 'Xác nhận', /\/account\/new\/password$/);
      await expectAccessible(page);
      await page.check('#f-method');
      await page.fill('#f-password', password);
      await page.fill('#f-passwordConfirm', password);
      await submit(page, 'Mở tài khoản', /\/account\/new\/done$/);
      assert.equal(await page.locator('h1').textContent(), 'Đã mở tài khoản');
      assert.match((await page.locator('main').textContent()) ?? '', new RegExp(`Chào ${creator.fullName}`));
      await expectAccessible(page);
      const c = await web.ctx.db.kysely.selectFrom('citizens').select(['phone_ownership', 'phone_checked_by']).where('phone_hash', '=', web.ctx.vault.lookupHash('phone', creator.phone)).executeTakeFirstOrThrow();
      assert.deepEqual(c, { phone_ownership: 'matched', phone_checked_by: 'simulator' });
      await signOut(page);
    });

    it(`signs in with phone and password, after a wrong one (${mode})`, async () => {
      const page = await (await browser.context({ js })).newPage();
      await page.goto(url('/sign-in'));
      await expectAccessible(page);
      await page.fill('#f-phone', creator.phone);
      await page.fill('#f-password', 'not my password');
      await submit(page, 'Đăng nhập');
      await page.waitForSelector('.error-summary');
      assert.match((await page.locator('.error-summary').textContent()) ?? '', /Số điện thoại hoặc mật khẩu chưa đúng/);
      await expectAccessible(page);
      await page.fill('#f-password', password);
      await submit(page, 'Đăng nhập', /\/my$/);
      assert.equal(await page.getByRole('button', { name: 'Đăng xuất' }).count(), 1);
      await signOut(page);
    });

    it(`signs in without a password, with a code sent by SMS (${mode})`, async () => {
      const phone = js ? '0912500002' : '0912500001';
      await makeCitizen(web.ctx, { phone, idNumber: js ? '070190500002' : '070190500001', birthDate: '1990-06-06', fullName: 'Lâm Thị Sen' });
      const page = await (await browser.context({ js })).newPage();
      await page.goto(url('/sign-in'));
      await page.getByRole('link', { name: 'Đăng nhập bằng mã qua tin nhắn' }).click();
      await page.waitForURL(/\/sign-in\/code$/);
      await expectAccessible(page);
      await page.fill('#f-phone', phone);
      await submit(page, 'Gửi mã cho tôi', /\/sign-in\/code\/enter$/);
      await expectAccessible(page);
      await page.fill('#f-code', await codeFromSmsPage(phone));
      await submit(page, 'Xác nhận', /\/my$/);
      assert.equal(await page.getByRole('button', { name: 'Đăng xuất' }).count(), 1);
      await signOut(page);
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
