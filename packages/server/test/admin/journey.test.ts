/**
 * A province administrator's day in real Chromium, with JavaScript off and on, axe-core on every
 * page: create an officer with a role on a commune, change a procedure's SLA, add a holiday,
 * then find those three changes in the audit log.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { useBrowser, expectAccessible, journeyModes } from '../support/browser.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { officerOn } from './support.ts';

describeEachEngine('administration journey in the browser', (env) => {
  let web: WebServer;
  const browser = useBrowser();

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  for (const js of journeyModes(env.engine)) {
    it(`creates an officer, changes an SLA, adds a holiday and finds it all in the audit log (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const admin = await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], js ? 'adminjs' : 'adminnojs');
      const session = await env.db.transaction((trx) => createSession(trx, { userId: admin.id }, { ttlHours: 8, ip: '127.0.0.1', userAgent: null, now: web.ctx.now() }));
      const context = await browser.context({ js });
      await context.addCookies([{ name: 'causo_session', value: session.token, url: web.baseUrl }]);
      const page = await context.newPage();
      const checked = async (p: Page) => {
        await expectAccessible(p);
        return p;
      };

      await page.goto(`${web.baseUrl}/office`);
      await page.getByRole('link', { name: 'Quản trị' }).first().click();
      await page.waitForURL(/\/office\/admin$/);
      await checked(page);

      // An officer with a role on Hưng Phước commune.
      await page.getByRole('link', { name: 'Cán bộ và quyền' }).click();
      await checked(page);
      await page.getByRole('link', { name: 'Thêm cán bộ' }).click();
      await checked(page);
      await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
      await page.locator('.error-summary').waitFor();
      assert.match(await page.title(), /^Lỗi:/);
      await checked(page);
      const username = `motcua.${js ? 'js' : 'nojs'}`;
      await page.getByLabel('Tên đăng nhập').fill(username);
      await page.getByLabel('Họ và tên').fill('Thị Hạnh');
      await page.getByLabel('Mật khẩu ban đầu').fill('mot cua xa hung phuoc');
      await page.getByLabel('Vai trò').selectOption({ label: 'Cán bộ một cửa' });
      await page.getByLabel('Đơn vị', { exact: true }).selectOption({ label: 'Xã Hưng Phước (25309)' });
      await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
      await page.getByText('Đã tạo tài khoản').waitFor();
      assert.match(await page.locator('main').textContent() ?? '', /Cán bộ một cửa/);
      await checked(page);

      // The birth registration takes two working days from now on.
      await page.goto(`${web.baseUrl}/office/admin`);
      await page.getByRole('link', { name: 'Thủ tục hành chính' }).click();
      await checked(page);
      await page.getByRole('link', { name: '1.001193' }).click();
      await checked(page);
      await page.getByLabel('Số', { exact: true }).fill(js ? '2' : '4');
      await page.getByRole('button', { name: 'Lưu' }).click();
      await page.getByText('Đã lưu thủ tục.').waitFor();
      await checked(page);

      // A provincial holiday.
      await page.goto(`${web.baseUrl}/office/admin`);
      await page.getByRole('link', { name: 'Ngày nghỉ và giờ làm việc' }).click();
      await checked(page);
      const date = js ? '2026-12-23' : '2026-12-22';
      await page.getByLabel('Ngày', { exact: true }).fill(date);
      await page.getByLabel('Ngày nghỉ lễ').check();
      await page.getByLabel('Tên ngày (tiếng Việt)').fill('Ngày hội của tỉnh');
      await page.getByRole('button', { name: 'Thêm vào lịch' }).click();
      await page.getByText('Đã thêm ngày vào lịch').waitFor();
      assert.match(await page.locator('table').textContent() ?? '', /Ngày hội của tỉnh/);
      await checked(page);

      // A look at the units, and at a merger preview.
      await page.goto(`${web.baseUrl}/office/admin/units?level=commune`);
      await checked(page);
      await page.getByRole('link', { name: 'Xã Lộc Hưng' }).click();
      await checked(page);
      await page.getByLabel('Mã đơn vị mới').fill('25309');
      await page.getByLabel('Ngày hiệu lực').fill('2026-12-01');
      await page.getByRole('button', { name: 'Xem trước thay đổi' }).click();
      await page.getByRole('button', { name: 'Xác nhận thay thế' }).waitFor();
      await checked(page);

      // The three changes, found in the audit log by who made them.
      await page.goto(`${web.baseUrl}/office/admin`);
      await page.getByRole('link', { name: 'Nhật ký kiểm tra' }).click();
      await checked(page);
      await page.getByLabel('Tên đăng nhập của người làm').fill(admin.username);
      await page.getByRole('button', { name: 'Tìm trong nhật ký' }).click();
      await page.waitForURL(/actor=/);
      const log = (await page.locator('table').textContent()) ?? '';
      for (const action of ['user.create', 'procedure.update', 'calendar.put_day']) assert.match(log, new RegExp(action.replace('.', '\\.')), `${action} in the log`);
      assert.match(log, /127\.0\.0\.1/);
      await checked(page);
      await context.close();
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
