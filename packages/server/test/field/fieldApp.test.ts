/**
 * The field app in real Chromium: sign in online, choose a PIN, go offline, record a household,
 * a person, a visit with a photo, a blocker and an assisted application, reload offline and
 * unlock with the PIN, come back online, sync; the server refuses the application (the
 * province added a required question meanwhile), the member completes it from the outbox, syncs again, and the dossier (channel 2,
 * assisted) and the visit's photo are in the database.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { describeEachEngine } from '../support/engines.ts';
import { expectAccessible, useBrowser } from '../support/browser.ts';
import { makeOfficer, testContext, TestClock } from '../support/fixtures.ts';
import { buildApp } from '../../src/http/app.ts';
import { fieldAppRoutes } from '../../src/modules/sync/fieldAppRoutes.ts';
import type { Db } from '../../src/db/database.ts';

const TODAY = '2026-11-25';
const VILLAGE = '25309-04';
const PIN = '246813';

/** A server like startWebServer's, with the field app's routes (registered here until app.ts does). */
async function startFieldServer(db: Db) {
  const ctx = testContext(db, new TestClock(new Date(`${TODAY}T09:00:00+07:00`)));
  if (process.env.DEBUG_FIELD) ctx.log = (await import('pino')).default({ level: 'error' });
  const app = await buildApp(ctx);
  if (!app.hasRoute({ method: 'GET', url: '/field/' })) fieldAppRoutes(app, ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, ctx, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/**
 * axe-core runs on a copy of the page that loads nothing (support/browser.ts), and the app's
 * styles are a file: the stylesheet's text goes into the copy so touch targets and contrast are
 * checked as the member sees them. (The live page's CSP ignores the inline copy.)
 */
async function accessible(page: Page, baseUrl: string): Promise<void> {
  const href = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel=stylesheet]')?.href ?? '');
  const css = href ? await (await fetch(href.replace(/^https?:\/\/[^/]+/, baseUrl))).text() : '';
  await page.evaluate((text) => {
    const s = document.createElement('style');
    s.id = 'axe-copy-of-styles';
    s.textContent = text;
    document.head.append(s);
  }, css);
  try {
    await expectAccessible(page);
  } finally {
    await page.evaluate(() => document.getElementById('axe-copy-of-styles')?.remove());
  }
}

/** A small PNG (a green-and-white checkerboard) for the visit's photo: what a camera would give, only smaller. */
function testPng(size = 64): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const on = ((x >> 3) + (y >> 3)) % 2 === 0;
      rows.set(on ? [11, 110, 79] : [255, 255, 255], y * (1 + size * 3) + 1 + x * 3);
    }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Everything the app keeps in IndexedDB, as text: personal data (a resident's phone, the
 * answers of an assisted application) must not be found in it, only sealed.
 */
async function storedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const member = JSON.parse(localStorage.getItem('causo.field.member') ?? '{}') as { id: number };
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open(`causo-field-${member.id}`);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    try {
      const names = [...db.objectStoreNames].filter((n) => n !== 'files');
      const all = await Promise.all(
        names.map(
          (n) =>
            new Promise<unknown[]>((res, rej) => {
              const r = db.transaction(n).objectStore(n).getAll();
              r.onsuccess = () => res(r.result as unknown[]);
              r.onerror = () => rej(r.error);
            }),
        ),
      );
      return JSON.stringify(all);
    } finally {
      db.close();
    }
  });
}

async function waitSaved(page: Page) {
  await page.getByRole('status').filter({ hasText: 'Đã lưu trên máy.' }).first().waitFor();
}

describeEachEngine('field app in the browser', (env) => {
  const browser = useBrowser();
  let web: Awaited<ReturnType<typeof startFieldServer>>;
  let context: BrowserContext;
  let page: Page;
  let member: { username: string; password: string };

  it('starts a server with a team member of Ấp Thủy Đông', async () => {
    web = await startFieldServer(env.db);
    member = await makeOfficer(env.db, [{ role: 'member', unitCode: VILLAGE, on: TODAY }]);
  });

  it('serves the app shell with its own CSP, a service worker allowed on /field/ and hashed immutable files', async () => {
    const redirect = await fetch(`${web.baseUrl}/field`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/field/');
    const index = await fetch(`${web.baseUrl}/field/`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const d of ["script-src 'self'", "connect-src 'self'", "img-src 'self' blob: data:", "worker-src 'self'"]) assert.ok(csp.includes(d), d);
    assert.ok(!/unsafe-inline/.test(csp));
    const html = await index.text();
    assert.ok(!/<script>(?!<\/script>)/.test(html), 'no inline script');
    const js = /src="\/field\/(app\.[0-9A-Z]{8}\.js)"/.exec(html)?.[1];
    assert.ok(js);
    const asset = await fetch(`${web.baseUrl}/field/${js}`);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    const sw = await fetch(`${web.baseUrl}/field/sw.js`);
    assert.equal(sw.headers.get('service-worker-allowed'), '/field/');
    assert.equal(sw.headers.get('cache-control'), 'no-cache');
    const manifest = (await (await fetch(`${web.baseUrl}/field/manifest.webmanifest`)).json()) as { start_url: string; scope: string; display: string; icons: { sizes: string }[] };
    assert.equal(manifest.start_url, '/field/');
    assert.equal(manifest.display, 'standalone');
    assert.deepEqual([...new Set(manifest.icons.map((i) => i.sizes))], ['192x192', '512x512']);
    assert.equal((await fetch(`${web.baseUrl}/field/..%2Fpackage.json`)).status, 404);
  });

  it('signs in online, sets a PIN and shows the village household list', async () => {
    context = await browser.context({ js: true });
    page = await context.newPage();
    await page.goto(`${web.baseUrl}/field/`);
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await accessible(page, web.baseUrl);
    await page.getByLabel('Tên đăng nhập').fill(member.username);
    await page.getByLabel('Mật khẩu').fill(member.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: 'Đặt mã PIN' }).waitFor();
    await page.getByLabel('Mã PIN mới (6 chữ số)').fill(PIN);
    await page.getByLabel('Nhập lại mã PIN').fill(PIN);
    await page.getByRole('button', { name: 'Đặt mã PIN' }).click();
    await page.getByRole('heading', { name: 'Hộ dân' }).waitFor();
    await page.getByText(/Thủy Đông/).first().waitFor();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
    // Installable as an app: Chromium's own check (manifest, icons, service worker, scope). A test
    // browser context is a private window, which Chromium never installs from: that one is ours, not the app's.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    assert.deepEqual(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito'), []);
    await cdp.detach();
    await accessible(page, web.baseUrl);
  });

  it('records a household, a person, a visit, a blocker and an assisted application offline', async () => {
    await context.setOffline(true);
    await page.getByText('Đang không có mạng').waitFor();

    await page.getByRole('link', { name: '+ Thêm hộ' }).click();
    await page.getByLabel('Họ tên chủ hộ').fill('Lò Văn Thử');
    await page.getByLabel('Địa chỉ (tổ, xóm, số nhà)').fill('Tổ 2, ấp Thủy Đông');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await waitSaved(page);
    await page.getByRole('heading', { name: 'Lò Văn Thử' }).waitFor();
    await accessible(page, web.baseUrl);

    await page.getByRole('link', { name: '+ Thêm người' }).click();
    await page.getByLabel('Họ và tên').fill('Lò Thị Mai');
    await page.getByLabel('Năm sinh').fill('1990');
    await page.getByLabel('Dân tộc').fill('Tày');
    await page.getByLabel('Số điện thoại (cách nhau bằng dấu phẩy)').fill('0912345678');
    await accessible(page, web.baseUrl);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('heading', { name: 'Lò Văn Thử' }).waitFor();
    await page.getByRole('link', { name: /Lò Thị Mai/ }).waitFor();

    await page.getByRole('link', { name: 'Ghi lượt hỗ trợ' }).click();
    await page.getByRole('button', { name: 'Lò Thị Mai' }).click();
    await page.getByLabel('Cài ứng dụng VNeID').check();
    await page.getByLabel('Ảnh (không bắt buộc)').setInputFiles({ name: 'anh-ho-tro.png', mimeType: 'image/png', buffer: testPng() });
    await page.getByText(/Đã thêm ảnh/).waitFor();
    await accessible(page, web.baseUrl);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('heading', { name: 'Lò Văn Thử' }).waitFor();
    await page.getByText('Cài ứng dụng VNeID').waitFor();
    await page.getByText('VNeID: Mức 1').waitFor();

    await page.getByRole('link', { name: 'Ghi vướng mắc' }).click();
    await page.getByLabel('Số điện thoại không đứng tên chính chủ').check();
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('heading', { name: 'Lò Văn Thử' }).waitFor();
    await page.getByText('Số điện thoại không đứng tên chính chủ').waitFor();

    await page.getByRole('link', { name: 'Nộp hồ sơ' }).click();
    await page.getByRole('link', { name: 'Bắt đầu hồ sơ mới' }).click();
    await page.getByLabel('Người nộp', { exact: true }).selectOption({ label: 'Lò Thị Mai (1990)' });
    await page.getByLabel('Thủ tục').selectOption('6.006758');
    await page.getByLabel('Họ, chữ đệm và tên của chủ hộ').fill('Lò Văn Thử');
    await page.getByLabel('Nhà bạn có bao nhiêu người?').fill('4');
    await page.getByLabel('Đăng ký cho năm nào?').fill('2026');
    await page.getByLabel('Nơi bạn đang ở').selectOption(VILLAGE);
    await page.getByLabel('Số điện thoại để nhận tin nhắn').fill('0912345678');
    await page.getByLabel('Người dân đã đồng ý cho tôi nộp hồ sơ này').check();
    await page.getByLabel('Họ tên người đồng ý').fill('Lò Thị Mai');
    await accessible(page, web.baseUrl);
    await page.getByRole('button', { name: 'Lưu hồ sơ để gửi' }).click();
    await page.getByText('Chờ gửi — mã hồ sơ sẽ có sau khi đồng bộ').waitFor();

    // household, person, visit, the person's readiness, blocker, application
    await page.getByRole('link', { name: 'Hộp gửi 6 bản ghi chờ gửi' }).waitFor();
    // The phone number typed for the person and in the application is stored sealed only.
    const stored = await storedText(page);
    assert.ok(stored.includes('Lò Văn Thử'), 'the records are there');
    assert.ok(!stored.includes('0912345678'), 'a phone number is stored in the clear on the phone');
  });

  it('reloads offline, unlocks with the PIN and still has everything', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Mở khóa' }).waitFor();
    await accessible(page, web.baseUrl);
    await page.getByLabel('Mã PIN', { exact: true }).fill(PIN);
    await page.getByRole('button', { name: 'Mở khóa' }).click();
    await page.getByRole('heading', { name: 'Hỗ trợ nộp hồ sơ' }).waitFor(); // where the member was
    await page.getByRole('link', { name: 'Hộ dân' }).click();
    await page.getByRole('heading', { name: 'Hộ dân' }).waitFor();
    await page.getByLabel('Tìm theo tên chủ hộ hoặc địa chỉ').fill('lo van thu');
    await page.getByRole('link', { name: /Lò Văn Thử/ }).click();
    await page.getByRole('link', { name: /Lò Thị Mai/ }).click();
    // Personal fields are decrypted for the edit form only.
    assert.equal(await page.getByLabel('Số điện thoại (cách nhau bằng dấu phẩy)').inputValue(), '0912345678');
  });

  it('syncs when back online: the outbox empties and the assisted dossier exists as an online dossier', async () => {
    // While the phone was offline, the province added a required question to the form: the
    // server will refuse the application. (Changed before the phone is back online: the app
    // syncs by itself as soon as it sees the network.)
    const procedure = await env.db.kysely.selectFrom('procedures').select('form').where('code', '=', '6.006758').executeTakeFirstOrThrow();
    const added = { key: 'landPlot', type: 'text', required: true, maxLength: 100, labelVi: 'Số thửa đất ở', labelEn: 'Plot number' };
    await env.db.kysely.updateTable('procedures').set({ form: JSON.stringify([...(procedure.form as unknown[]), added]) }).where('code', '=', '6.006758').execute();
    await context.setOffline(false);
    await page.getByRole('link', { name: /bản ghi chờ gửi/ }).click();
    await page.getByRole('heading', { name: 'Hộp gửi' }).waitFor();
    const syncNow = page.getByRole('button', { name: 'Đồng bộ ngay' });
    await syncNow.waitFor();
    if (await syncNow.isEnabled()) await syncNow.click();

    // The server refused the application: "Cần sửa" with its message; the rest went.
    const refused = page.locator('ul.outbox li.state-needs_fixing');
    await refused.waitFor({ timeout: 20_000 });
    await refused.getByText('Cần sửa', { exact: true }).waitFor();
    await refused.getByText(/landPlot: required/).waitFor();
    await page.getByRole('link', { name: 'Hộp gửi 1 bản ghi chờ gửi' }).waitFor();
    await accessible(page, web.baseUrl);
    assert.equal(await env.db.kysely.selectFrom('assisted_applications').select('dossier_id').executeTakeFirst(), undefined);

    // Fix it: the application form opens filled in, with the server's message on top.
    await refused.getByRole('link', { name: /Sửa bản ghi này/ }).click();
    await page.getByRole('heading', { name: 'Sửa bản ghi máy chủ chưa nhận' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'landPlot: required' }).waitFor();
    assert.equal(await page.getByLabel('Họ, chữ đệm và tên của chủ hộ').inputValue(), 'Lò Văn Thử');
    assert.equal(await page.getByLabel('Người dân đã đồng ý cho tôi nộp hồ sơ này').isChecked(), true);
    assert.equal(await page.getByLabel('Nhà bạn có bao nhiêu người?').inputValue(), '4');
    await accessible(page, web.baseUrl);
    await page.getByLabel('Số thửa đất ở').fill('Thửa 112, tờ bản đồ 7');
    await page.getByRole('button', { name: 'Lưu hồ sơ để gửi' }).click();
    await page.getByRole('heading', { name: 'Hỗ trợ nộp hồ sơ' }).waitFor();
    await page.getByRole('link', { name: /bản ghi chờ gửi/ }).click();
    await page.locator('ul.outbox li.state-discarded').getByText('Đã bỏ', { exact: true }).waitFor();
    if (await syncNow.isEnabled()) await syncNow.click();
    await page
      .getByText('Mọi bản ghi đã được gửi.')
      .waitFor({ timeout: 20_000 })
      .catch(async (err: unknown) => {
        throw new Error(`${String(err)}\nsync status: ${await page.locator('.sync-status').textContent()}\n${(await page.locator('ul.outbox').textContent()) ?? ''}`);
      });
    await page.getByRole('link', { name: 'Hộp gửi 0 bản ghi chờ gửi' }).waitFor();
    await accessible(page, web.baseUrl);

    const dossier = await env.db.kysely
      .selectFrom('assisted_applications as a')
      .innerJoin('dossiers as d', 'd.id', 'a.dossier_id')
      .select(['d.code', 'd.channel', 'd.assist_mode', 'a.mode'])
      .executeTakeFirstOrThrow();
    assert.equal(dossier.channel, 2);
    assert.equal(dossier.mode, 'on_behalf');
    const households = await env.db.kysely.selectFrom('households').select('id').execute();
    assert.equal(households.length, 1);
    const visits = await env.db.kysely.selectFrom('visits').select(['actions', 'photo_sha256']).execute();
    assert.deepEqual(visits.map((v) => v.actions), [['installed_vneid']]);
    // The photo, compressed on the phone (JPEG), uploaded before its visit and named by its SHA-256.
    const sha = visits[0]?.photo_sha256;
    assert.match(sha ?? '', /^[0-9a-f]{64}$/);
    const file = await env.db.kysely.selectFrom('field_files').select(['sha256', 'type', 'bytes', 'data']).where('sha256', '=', sha ?? '').executeTakeFirstOrThrow();
    assert.equal(file.type, 'image/jpeg');
    assert.equal(file.bytes, file.data.length);
    assert.equal((await import('node:crypto')).createHash('sha256').update(file.data).digest('hex'), sha);

    await page.getByRole('link', { name: 'Nộp hồ sơ' }).click();
    await page.getByText(`Mã hồ sơ: ${dossier.code}`).waitFor({ timeout: 20_000 });
  });

  it('stops', async () => {
    await context?.close();
    await web?.close();
  });
});
