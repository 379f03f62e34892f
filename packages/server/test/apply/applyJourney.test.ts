import { it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { useBrowser, expectAccessible, journeyModes } from '../support/browser.ts';
import { makeCitizen } from '../support/citizens.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { MAX_IMAGE_SIDE } from '../../src/modules/dossiers/documents.ts';
import { FAKE_JPEG, PDF, photo } from './helpers.ts';

/** Small enough that a test can send a file over it without a slow upload. */
const UPLOAD_LIMIT = 400_000;

describeEachEngine('applying online in the browser', (env) => {
  let web: WebServer;
  const browser = useBrowser();

  it('starts', async () => {
    web = await startWebServer(env.db, undefined, (ctx) => {
      ctx.config.UPLOAD_MAX_BYTES = UPLOAD_LIMIT;
    });
  });

  const next = (page: Page) => page.getByRole('button', { name: 'Lưu và tiếp tục' }).click();
  const heading = (page: Page) => page.locator('h1').first().textContent();

  /** The error summary is shown, named, and its link points at the field. */
  async function expectErrorOn(page: Page, fieldId: string, text: RegExp) {
    const link = page.locator('.error-summary a');
    assert.equal(await link.count(), 1);
    assert.equal(await link.getAttribute('href'), `#${fieldId}`);
    assert.match((await link.textContent()) ?? '', text);
    assert.equal(await page.locator(`#${fieldId}`).count(), 1, 'the link leads to the field');
    assert.match(await page.title(), /^Lỗi:/);
    await expectAccessible(page);
  }

  for (const js of journeyModes(env.engine)) {
    it(`applies for a birth registration with JavaScript ${js ? 'on' : 'off'}: questions, upload, leave and resume, check, send`, async () => {
      const citizen = await makeCitizen(web.ctx, { fullName: js ? 'Thị Bé' : 'Điểu Thị Hoa' });
      const context = await browser.context({ js });
      await context.addCookies([{ name: SESSION_COOKIE, value: citizen.sessionToken, url: web.baseUrl }]);
      const page = await context.newPage();

      await page.goto(`${web.baseUrl}/apply/1.001193`);
      assert.equal(await heading(page), 'Đăng ký khai sinh');
      await expectAccessible(page);
      await page.getByRole('button', { name: 'Bắt đầu' }).click();

      // 1. Text.
      assert.match(page.url(), /\/apply\/d\/\d+\/q\/childFullName$/);
      await expectAccessible(page);
      await page.fill('#f-childFullName', 'Điểu Thị Mai');
      await next(page);

      // 2. A choice, first sent empty: the error summary links to the first radio.
      await next(page);
      await expectErrorOn(page, 'f-childSex', /Hãy chọn một câu trả lời/);
      await page.getByLabel('Nữ').check();
      await next(page);

      // 3. A date as three boxes; a day in the future is refused.
      await page.fill('#f-childBirthDate', '30');
      await page.fill('#f-childBirthDate-month', '11');
      await page.fill('#f-childBirthDate-year', '2026');
      await next(page);
      await expectErrorOn(page, 'f-childBirthDate', /chưa tới/);
      assert.equal(await page.inputValue('#f-childBirthDate-year'), '2026', 'what was typed is kept');
      await page.fill('#f-childBirthDate', '20');
      await next(page);

      await page.fill('#f-childBirthPlace', 'Trạm y tế xã Hưng Phước');
      await next(page);
      await page.locator('#f-childEthnicity').check();
      await next(page);
      await page.fill('#f-motherFullName', citizen.fullName);
      await next(page);
      await page.fill('#f-motherIdNumber', '070 203 001 234');
      await next(page);
      // The father's name and number are optional: passed over.
      assert.match((await heading(page)) ?? '', /không bắt buộc/);
      await next(page);
      await next(page);

      // 4. The address, one level per page (the only province in force is chosen already).
      assert.match(page.url(), /\/q\/residence$/);
      await expectAccessible(page);
      await page.selectOption('#f-residence', '25309');
      await next(page);
      assert.match(page.url(), /\/q\/residence$/);
      assert.match((await page.locator('dl.summary').textContent()) ?? '', /Xã Hưng Phước/);
      await expectAccessible(page);
      await page.selectOption('#f-residence', { label: 'Ấp Tân Phước' });
      await next(page);

      // 5. Papers: too large, then not a photo at all, then a huge photo and a PDF.
      assert.match(page.url(), /\/q\/birthCertificate$/);
      const upload = async (name: string, mimeType: string, buffer: Buffer) => {
        await page.setInputFiles('#f-birthCertificate', { name, mimeType, buffer });
        await page.getByRole('button', { name: 'Tải tệp lên' }).click();
      };
      await upload('ban-scan.pdf', 'application/pdf', Buffer.concat([PDF, Buffer.alloc(UPLOAD_LIMIT + 10_000, 0x20)]));
      await expectErrorOn(page, 'f-birthCertificate', /Tệp quá lớn/);
      await upload('giay-chung-sinh.jpg', 'image/jpeg', FAKE_JPEG);
      await expectErrorOn(page, 'f-birthCertificate', /Chỉ nhận ảnh/);
      await upload('giay-chung-sinh.jpg', 'image/jpeg', await photo(3000, 2000));
      assert.match((await page.locator('.notice').textContent()) ?? '', /Đã tải tệp lên/);
      await upload('trang-2.pdf', 'application/pdf', PDF);
      const files = await page.locator('ul.cards li a').allTextContents();
      assert.deepEqual(files, ['giay-chung-sinh.jpg', 'trang-2.pdf']);
      await expectAccessible(page);

      // 6. Leave half-way ("save and come back later"), then come back from the list.
      await page.getByRole('button', { name: 'Lưu và làm tiếp sau' }).click();
      assert.match(page.url(), /\/apply\?saved=\d+$/);
      assert.match((await page.locator('.notice').textContent()) ?? '', /Đã lưu/);
      await expectAccessible(page);
      const later = await context.newPage(); // another day, another tab
      await later.goto(`${web.baseUrl}/apply`);
      await later.getByRole('link', { name: /Làm tiếp.*Đăng ký khai sinh/ }).click();
      assert.match(later.url(), /\/q\/applicantRelationship$/, 'carries on at the first unanswered question');
      await later.locator('#f-applicantRelationship').check();
      await next(later);
      assert.equal(await later.inputValue('#f-applicantPhone'), citizen.phone, "offers the citizen's own phone");
      await next(later);

      // 7. Check answers, change one, come back to the check page.
      assert.match(later.url(), /\/check$/);
      await expectAccessible(later);
      const summary = (await later.locator('dl.summary').textContent()) ?? '';
      for (const text of ['Điểu Thị Mai', '20/11/2026', 'Ấp Tân Phước, Xã Hưng Phước, Tỉnh Đồng Nai', 'giay-chung-sinh.jpg', 'trang-2.pdf', 'Không trả lời'])
        assert.ok(summary.includes(text), `check page shows ${text}`);
      await later.locator('a[href$="/q/childFullName?change=1"]').click();
      await later.fill('#f-childFullName', 'Điểu Thị Mai Anh');
      await next(later);
      assert.match(later.url(), /\/check$/);
      assert.match((await later.locator('dl.summary').textContent()) ?? '', /Điểu Thị Mai Anh/);

      // 8. Send: the confirmation shows the code in large type.
      await later.getByRole('button', { name: 'Gửi hồ sơ' }).click();
      assert.match(later.url(), /\/apply\/done\/H75\.25309-\d{6}-\d{4}$/);
      const code = ((await later.locator('.confirm .code').textContent()) ?? '').trim();
      assert.match(code, /^H75\.25309-261125-\d{4}$/);
      await expectAccessible(later);

      const db = env.db.kysely;
      const dossier = await db.selectFrom('dossiers').select(['id', 'status', 'applicant_name']).where('code', '=', code).executeTakeFirstOrThrow();
      assert.equal(dossier.status, 1);
      assert.equal(dossier.applicant_name, citizen.fullName);
      const papers = await db.selectFrom('documents').select(['data', 'content_type']).where('dossier_id', '=', dossier.id).orderBy('id').execute();
      assert.deepEqual(papers.map((p) => p.content_type), ['image/jpeg', 'application/pdf']);
      const meta = await sharp(papers[0]?.data).metadata();
      assert.ok(Math.max(meta.width ?? 0, meta.height ?? 0) <= MAX_IMAGE_SIDE, 'the 3000 px photo was downscaled');
      const sms = await db.selectFrom('notify_outbox').select('body').where('dossier_id', '=', dossier.id).execute();
      assert.equal(sms.length, 1);
      assert.ok(sms[0]?.body.includes(code));

      // Going back to the sent draft shows its confirmation, not the questions.
      await later.goBack();
      await later.goto(`${web.baseUrl}/apply`);
      assert.equal(await later.getByRole('link', { name: /Làm tiếp.*Đăng ký khai sinh/ }).count(), 0);
    });
  }

  it('switches the questions to English with the language link', async () => {
    const citizen = await makeCitizen(web.ctx);
    const context = await browser.context({ js: false });
    await context.addCookies([{ name: SESSION_COOKIE, value: citizen.sessionToken, url: web.baseUrl }]);
    const page = await context.newPage();
    await page.goto(`${web.baseUrl}/apply/1.000656`);
    await page.getByRole('button', { name: 'Bắt đầu' }).click();
    assert.equal(await heading(page), 'Bạn nộp hồ sơ cho xã, phường nào?');
    await page.getByRole('link', { name: 'English' }).click();
    assert.equal(await heading(page), 'Which commune or ward should receive your application?');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    assert.match((await page.locator('.error-summary a').textContent()) ?? '', /Choose a place from the list/);
    await expectAccessible(page);
  });

  it('stops', async () => {
    await web.close();
  });
});
