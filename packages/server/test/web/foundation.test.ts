import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { useBrowser, expectAccessible, axeViolations } from '../support/browser.ts';
import { catalogueGaps, translator } from '../../src/web/i18n.ts';

it('every catalogue language has every Vietnamese key', () => {
  assert.deepEqual(catalogueGaps(), {});
});

it('fills in parameters and formats numbers the Vietnamese way', () => {
  assert.equal(translator('vi')('common.dong', { amount: 460392 }), '460.392 đồng');
  assert.equal(translator('en')('common.dong', { amount: 460392 }), '460,392 dong');
});

describeEachEngine('page foundation', (env) => {
  let web: WebServer;
  const browser = useBrowser();
  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  it('answers an unknown page with an HTML page in the chosen language, under a strict CSP', async () => {
    const vi = await fetch(`${web.baseUrl}/khong-co-trang-nay`);
    assert.equal(vi.status, 404);
    assert.match(vi.headers.get('content-type') ?? '', /text\/html/);
    const csp = vi.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/); // a commune's LAN over plain HTTP must keep working
    assert.match(csp, /script-src 'self'/);
    assert.match(await vi.text(), /Không tìm thấy trang/);
    const en = await fetch(`${web.baseUrl}/khong-co-trang-nay?lang=en`);
    assert.match(await en.text(), /Page not found/);
    assert.match(en.headers.get('set-cookie') ?? '', /causo_lang=en/);
  });

  it('compresses the not-found page like every other page (a mistyped address on 2G)', async () => {
    const res = await fetch(`${web.baseUrl}/khong-co-trang-nay`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.match(await res.text(), /Không tìm thấy trang/);
  });

  it('refuses a form post without the CSRF token', async () => {
    const res = await fetch(`${web.baseUrl}/sign-out`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1', redirect: 'manual' });
    assert.equal(res.status, 403);
  });

  it('sends officers who are not signed in to the sign-in page', async () => {
    const res = await fetch(`${web.baseUrl}/office`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location') ?? '', /^\/office\/sign-in\?next=/);
  });

  it('renders an accessible error page with JavaScript off', async () => {
    const page = await (await browser.context({ js: false })).newPage();
    await page.goto(`${web.baseUrl}/khong-co-trang-nay`);
    assert.equal(await page.locator('h1').textContent(), 'Không tìm thấy trang');
    await expectAccessible(page);
  });

  it('the accessibility check does catch a broken page', async () => {
    const page = await (await browser.context({ js: false })).newPage();
    await page.setContent('<html><body><img src="x.png"><input type="text"></body></html>');
    const ids = (await axeViolations(page)).map((v) => v.id);
    assert.ok(ids.includes('image-alt') && ids.includes('html-has-lang') && ids.includes('label'), ids.join(','));
  });

  it('stops', async () => {
    await web.close();
  });
});
