import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { useBrowser, expectAccessible, journeyModes } from '../support/browser.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { deskOfficer, pdfText, scanPng, type DeskOfficer } from './helpers.ts';

describeEachEngine('counter intake in the browser', (env) => {
  let web: WebServer;
  let desk: DeskOfficer;
  const browser = useBrowser();

  it('starts', async () => {
    web = await startWebServer(env.db);
    desk = await deskOfficer(web.ctx, [{ role: 'officer', unitCode: '25309' }], 'Nguyễn Văn Bình');
  });

  for (const js of journeyModes(env.engine)) {
    it(`an officer receives a walk-in birth registration with a scanned paper and prints the receipt (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const context = await browser.context({ js });
      await context.addCookies([{ name: SESSION_COOKIE, value: desk.token, url: web.baseUrl }]);
      const page = await context.newPage();

      await page.goto(`${web.baseUrl}/office/intake`);
      assert.equal(await page.locator('h1').textContent(), 'Tiếp nhận hồ sơ tại quầy');
      await expectAccessible(page);

      await page.getByRole('searchbox', { name: 'Tìm thủ tục' }).fill('khai sinh');
      await page.getByRole('button', { name: 'Tìm', exact: true }).click();
      await page.waitForURL(/q=khai\+sinh/);
      await page.getByRole('link', { name: 'Đăng ký khai sinh', exact: true }).click();
      await page.waitForURL(/\/office\/intake\/new\?/);
      assert.equal(await page.locator('h1').textContent(), 'Tiếp nhận hồ sơ: Đăng ký khai sinh');
      await expectAccessible(page);

      // Sent empty first: the page says what to fix, and is accessible in that state too.
      await page.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
      await page.waitForSelector('.error-summary');
      assert.match((await page.title()) ?? '', /^Lỗi:/);
      await expectAccessible(page);

      await page.getByLabel('Họ, chữ đệm và tên người nộp').fill('Điểu Thị Hoa');
      await page.getByLabel('Số căn cước công dân (nếu có)').fill('070301234567');
      await page.getByLabel('Số điện thoại (nếu có)').fill('0912345678');
      await page.getByLabel('Địa chỉ (nếu có)').fill('Ấp 3, xã Hưng Phước');
      await page.getByLabel('Họ, chữ đệm và tên của trẻ').fill('Điểu Văn Nam');
      await page.getByLabel('Nam', { exact: true }).check();
      await page.getByLabel('Ngày sinh của trẻ').fill('2026-11-20');
      await page.getByLabel('Nơi sinh (tên bệnh viện, trạm y tế hoặc địa chỉ)').fill('Trạm y tế xã Hưng Phước');
      await page.getByLabel("Xtiêng (S'tiêng)").check();
      await page.getByLabel('Họ, chữ đệm và tên của mẹ').fill('Điểu Thị Hoa');
      await page.getByLabel('Số căn cước công dân của mẹ').fill('070301234567');
      await page.getByLabel('Nơi bạn đang ở').fill('Ấp 3, xã Hưng Phước');
      await page.getByLabel('Mẹ', { exact: true }).check();
      await page.getByLabel('Số điện thoại để nhận tin nhắn').fill('0912345678');
      await page.getByLabel('Tờ khai đăng ký khai sinh').check();
      await page.getByLabel('Giấy chứng sinh do bệnh viện hoặc trạm y tế cấp').check();
      await page.getByLabel('Giấy tờ tùy thân của người đi đăng ký (căn cước công dân)').check();
      await page.getByLabel('Ảnh chụp giấy chứng sinh').setInputFiles({ name: 'giay-chung-sinh.png', mimeType: 'image/png', buffer: await scanPng() });
      await page.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();

      await page.waitForURL(/\/office\/intake\/received\//);
      assert.equal(await page.locator('h1').textContent(), 'Đã tiếp nhận hồ sơ');
      await expectAccessible(page);
      const code = ((await page.locator('.confirm .code').textContent()) ?? '').trim();
      assert.match(code, /^H75\.25309-261125-\d{4}$/);
      assert.match((await page.locator('dl.summary').textContent()) ?? '', /1 tệp/);

      const href = await page.getByRole('link', { name: 'In giấy tiếp nhận và hẹn trả kết quả (Mẫu 01)' }).getAttribute('href');
      assert.equal(href, `/office/dossiers/${code}/forms/01.pdf`);
      const res = await fetch(`${web.baseUrl}${href}`, { headers: { cookie: desk.cookie } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      const text = await pdfText(new Uint8Array(await res.arrayBuffer()));
      for (const expected of ['GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', code, 'Điểu Thị Hoa', '070301234567', 'ngày 26 tháng 11 năm 2026', 'Nguyễn Văn Bình'])
        assert.ok(text.includes(expected), `missing "${expected}" in: ${text}`);

      const stored = await env.db.kysely.selectFrom('documents').innerJoin('dossiers', 'dossiers.id', 'documents.dossier_id').select(['documents.kind']).where('dossiers.code', '=', code).execute();
      assert.deepEqual(stored, [{ kind: 'birthCertificate' }]);
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
