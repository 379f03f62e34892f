/**
 * Finding a service: the home page, browsing by life event and by sector, a search that ignores
 * diacritics and word order, and a procedure page that answers who, what papers, how long, how
 * much and whether it is all online, in Vietnamese and in English. Then the same journey in
 * Chromium with JavaScript off and on, with axe-core on every page.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, cookiesFrom, cookieHeader, type WebServer } from '../support/webServer.ts';
import { useBrowser, expectAccessible, journeyModes } from '../support/browser.ts';
import { glossaryIds } from '../../src/web/infoPages.tsx';
import { LIFE_EVENTS } from '../../src/modules/procedures/catalogueFile.ts';
import { allKeys } from '../../src/web/i18n.ts';

const h1 = (html: string): string => /<h1>(?:<label[^>]*>)?(.*?)(?:<\/label>)?<\/h1>/s.exec(html)?.[1] ?? '';
/** Procedure codes linked from a page, in page order. */
const procedureLinks = (html: string): string[] => [...html.matchAll(/href="\/services\/(\d\.\d{6})"/g)].map((m) => m[1] ?? '');
const mainOf = (html: string): string => /<main[^>]*>(.*)<\/main>/s.exec(html)?.[1] ?? '';

it('has a catalogue label for every life event a procedure can have', () => {
  const keys = new Set(allKeys('vi'));
  assert.deepEqual(
    LIFE_EVENTS.filter((e) => !keys.has(`portal.event.${e}`)),
    [],
  );
});

describeEachEngine('finding a service', (env) => {
  let web: WebServer;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${web.baseUrl}${path}`, { headers, redirect: 'manual' });
    return { status: res.status, html: await res.text(), res };
  };

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  it('opens on a home page with a search box, the most-used procedures and ways to browse', async () => {
    const { status, html } = await get('/');
    assert.equal(status, 200);
    assert.match(html, /<form method="get" action="\/services\/search"/);
    assert.match(html, /<input id="f-q" name="q" type="search"/);
    assert.deepEqual(procedureLinks(html), ['1.001193', '1.000894', '1.000656', '1.004873', '2.000635', '2.000815', '1.004222', '1.004194']);
    assert.match(html, />Đăng ký khai sinh</);
    for (const href of ['/services?event=birth', '/services?event=marriage', '/services', '/track', '/account/new', '/sign-in', '/help', '/glossary'])
      assert.ok(html.includes(`href="${href}"`), `home links to ${href}`);
  });

  it('lists every life event and sector that has procedures, with how many', async () => {
    const { status, html } = await get('/services');
    assert.equal(status, 200);
    assert.match(html, /href="\/services\?event=birth">Sinh con<\/a> <span class="muted">\(5 dịch vụ\)/);
    assert.match(html, /href="\/services\?sector=CT">Chứng thực<\/a> <span class="muted">\(3 dịch vụ\)/);
    // No procedure has the "business" life event in the demo catalogue: no empty group is offered.
    assert.doesNotMatch(html, /event=business/);
  });

  it('browses the procedures of one life event or one sector', async () => {
    const birth = await get('/services?event=birth');
    assert.equal(h1(birth.html), 'Sinh con');
    assert.deepEqual(new Set(procedureLinks(birth.html)), new Set(['1.001193', '1.003412', '1.001022', '2.000635', '1.004884']));
    const ct = await get('/services?sector=CT');
    assert.equal(h1(ct.html), 'Chứng thực');
    assert.deepEqual(new Set(procedureLinks(ct.html)), new Set(['2.000815', '2.000884', '2.001035']));
  });

  it('answers an unknown group with a page that offers the search box', async () => {
    for (const path of ['/services?event=lottery', '/services?sector=XYZ']) {
      const { status, html } = await get(path);
      assert.equal(status, 404, path);
      assert.match(mainOf(html), /action="\/services\/search"/);
    }
  });

  it('finds "Đăng ký khai sinh" from "dang ky khai sinh", first, without diacritics or in another word order', async () => {
    for (const q of ['dang ky khai sinh', 'khai sinh dang ky', 'ĐĂNG KÝ KHAI SINH', 'Đăng ký khai sinh', '  dang   ky khai-sinh ']) {
      const { status, html } = await get(`/services/search?q=${encodeURIComponent(q)}`);
      assert.equal(status, 200, q);
      const found = procedureLinks(mainOf(html));
      assert.equal(found[0], '1.001193', `first result for «${q}»`);
      assert.ok(found.includes('1.004884') && found.includes('1.003412'), `all birth registrations for «${q}»`);
      assert.ok(!found.includes('1.000894'), `marriage is not a result for «${q}»`);
    }
  });

  it('searches in English names too, and keeps what was typed in the box', async () => {
    const { html } = await get('/services/search?q=temporary%20residence');
    assert.deepEqual(procedureLinks(mainOf(html)), ['1.004194']);
    assert.match(html, /name="q" type="search" value="temporary residence"/);
  });

  it('says what to try next when nothing matches, and asks for words when the box was empty', async () => {
    const none = await get('/services/search?q=xe%20may%20bien%20so');
    assert.equal(none.status, 200);
    assert.match(none.html, /Không tìm thấy dịch vụ nào cho “xe may bien so”/);
    assert.deepEqual(procedureLinks(mainOf(none.html)), []);
    assert.match(mainOf(none.html), /href="\/services"/);
    assert.match(mainOf(none.html), /href="\/help"/);
    const empty = await get('/services/search?q=');
    assert.equal(empty.status, 200);
    assert.match(empty.html, /Hãy gõ tên việc bạn cần làm/);
    const tooLong = await get(`/services/search?q=${'khai '.repeat(100)}`);
    assert.equal(tooLong.status, 200);
  });

  it('escapes what was searched for', async () => {
    const { html } = await get(`/services/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script>alert\(1\)&lt;\/script>/);
  });

  it('shows a free, fully online procedure in plain words with a big start button', async () => {
    const { status, html } = await get('/services/1.001193');
    assert.equal(status, 200);
    const main = mainOf(html);
    assert.equal(h1(html), 'Đăng ký khai sinh');
    assert.match(main, /<h2>Ai làm được<\/h2><p>Cha, mẹ, ông, bà hoặc người thân của em bé mới sinh\./);
    assert.match(main, /<h2>Giấy tờ cần chuẩn bị<\/h2><ul><li>Tờ khai đăng ký khai sinh <span class="muted">\(1 bản chính\)/);
    assert.match(main, /Giấy chứng nhận kết hôn của cha mẹ \(nếu có\) <span class="muted">\(1 bản sao\)/);
    assert.match(main, /<dt>Thời gian<\/dt><dd>1 ngày làm việc<\/dd>/);
    assert.match(main, /<dt>Chi phí<\/dt><dd>Miễn phí<\/dd>/);
    assert.match(main, /<dd>Làm hết trên mạng<\/dd>/);
    assert.match(main, /toàn trình/);
    assert.match(main, /<a class="button big" href="\/apply\/1\.001193">Nộp hồ sơ trực tuyến<\/a>/);
    assert.match(main, /Bộ phận Một cửa/);
    assert.match(main, /Giờ mở cửa: 07:30–11:30 và 13:30–17:00/);
    assert.match(main, /href="\/services\?sector=HT">← Hộ tịch/);
  });

  it('shows fees in whole đồng, working hours, and what "partly online" means', async () => {
    const residence = mainOf((await get('/services/1.004222')).html);
    assert.match(residence, /Lệ phí đăng ký thường trú \(nộp trực tiếp\) – 20\.000 đồng mỗi hồ sơ/);
    assert.match(residence, /Lệ phí đăng ký thường trú \(nộp trực tuyến\) – 10\.000 đồng mỗi hồ sơ/);
    assert.match(residence, /7 ngày làm việc/);
    assert.match(residence, /<dt>Chi phí<\/dt><dd>Từ 10\.000 đồng \(xem chi tiết ở dưới\)<\/dd>/);
    const marital = mainOf((await get('/services/1.004873')).html);
    assert.match(marital, /<dt>Chi phí<\/dt><dd>Lệ phí cấp Giấy xác nhận tình trạng hôn nhân – 3\.000 đồng mỗi bản<\/dd>/);
    const copy = mainOf((await get('/services/2.000815')).html);
    assert.match(copy, /<dd>4 giờ làm việc<\/dd>/);
    assert.match(copy, /2\.000 đồng mỗi trang/);
    assert.match(copy, /<dd>Nộp trên mạng, đến xã một lần<\/dd>/);
    assert.match(copy, /đến xã một lần để đưa giấy tờ gốc hoặc nhận kết quả/);
    assert.doesNotMatch(copy, /Miễn phí/);
  });

  it('answers an unknown or retired procedure code with 404 and a way to search', async () => {
    for (const code of ['9.999999', 'abc', '1.001193x']) {
      const { status, html } = await get(`/services/${code}`);
      assert.equal(status, 404, code);
      assert.equal(h1(html), 'Không tìm thấy dịch vụ');
      assert.match(mainOf(html), /action="\/services\/search"/);
    }
    await env.db.kysely.updateTable('procedures').set({ active: false }).where('code', '=', '6.006758').execute();
    assert.equal((await get('/services/6.006758')).status, 404);
    assert.deepEqual(procedureLinks((await get('/services/search?q=gia%20dinh%20van%20hoa')).html), []);
  });

  it('speaks English from the language link on, names and money included', async () => {
    const first = await get('/services/1.004222?lang=en');
    assert.equal(h1(first.html), 'Permanent residence registration');
    assert.match(first.html, /<html lang="en">/);
    const main = mainOf(first.html);
    assert.match(main, /Fee when applying at the office – 20,000 dong per dossier/);
    assert.match(main, /7 working days/);
    assert.match(main, />Apply online</);
    assert.match(main, /Who can apply/);
    assert.doesNotMatch(main, /Đăng ký thường trú|ngày làm việc|Miễn phí/);
    // The choice is remembered in a cookie: the next page, without ?lang, is English too.
    const jar = cookiesFrom(first.res.headers.getSetCookie());
    const home = await get('/', { cookie: cookieHeader(jar) });
    assert.match(home.html, />Birth registration</);
    assert.match(home.html, />Most used services</);
    const search = await get('/services/search?q=khai%20sinh', { cookie: cookieHeader(jar) });
    assert.equal(procedureLinks(mainOf(search.html))[0], '1.001193');
    assert.match(search.html, />Birth registration</);
  });

  it('explains the official words on the glossary page and says how to get help', async () => {
    const glossary = await get('/glossary');
    assert.equal(glossary.status, 200);
    const ids = glossaryIds();
    assert.ok(ids.length >= 20, 'glossary has its entries');
    for (const id of ids) assert.ok(glossary.html.includes(`id="g-${id}"`), `glossary shows ${id}`);
    assert.match(glossary.html, /<dt>Thuê bao chính chủ<\/dt><dd>Số điện thoại đăng ký đúng tên/);
    const help = await get('/help');
    assert.equal(help.status, 200);
    assert.match(help.html, /Soạn TTTB rồi gửi đến số 1414\./);
    assert.match(help.html, /Tổ công nghệ số cộng đồng/);
    const helpEn = await get('/help?lang=en');
    assert.match(helpEn.html, /Type TTTB and send it to 1414\./);
  });

  const browser = useBrowser();
  for (const js of journeyModes(env.engine)) {
    it(`takes a resident from the home page to a procedure, through English and back, to the glossary (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const page = await (await browser.context({ js })).newPage();
      await page.goto(`${web.baseUrl}/`);
      await expectAccessible(page);

      await page.getByLabel('Bạn cần làm việc gì?').fill('dang ky khai sinh');
      await page.getByRole('button', { name: 'Tìm', exact: true }).click();
      await page.waitForURL(/\/services\/search\?q=dang\+ky\+khai\+sinh/);
      assert.equal(await page.locator('main ul.cards li a').first().textContent(), 'Đăng ký khai sinh');
      await expectAccessible(page);

      await page.locator('main ul.cards li a').first().click();
      await page.waitForURL(/\/services\/1\.001193$/);
      assert.equal(await page.locator('h1').textContent(), 'Đăng ký khai sinh');
      assert.equal(await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).getAttribute('href'), '/apply/1.001193');
      await expectAccessible(page);

      await page.getByRole('link', { name: 'English' }).click();
      await page.waitForURL(/lang=en/);
      assert.equal(await page.locator('h1').textContent(), 'Birth registration');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await expectAccessible(page);

      await page.getByRole('link', { name: 'Tiếng Việt' }).click();
      await page.waitForURL(/lang=vi/);
      assert.equal(await page.locator('h1').textContent(), 'Đăng ký khai sinh');

      await page.getByRole('link', { name: 'Ngày làm việc là gì?' }).click();
      await page.waitForURL(/\/glossary#g-ngay_lam_viec$/);
      assert.equal(await page.locator('h1').textContent(), 'Giải thích từ ngữ');
      assert.match((await page.locator('#g-ngay_lam_viec dd').textContent()) ?? '', /từ thứ Hai đến thứ Sáu/);
      await expectAccessible(page);
    });
  }

  it('stops', async () => {
    await web.close();
  });
});
