import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { safeNext } from '../../src/modules/auth/pages.tsx';
import { totpCodeAt } from '../../src/modules/auth/totp.ts';
import { recentSignIns } from '../../src/modules/auth/signInLog.ts';
import { COMMUNE, PageClient, officerAt } from './helpers.ts';

it('sends the officer back only to a local back-office page after signing in', () => {
  assert.equal(safeNext('/office/dossiers/25309-261125-0001'), '/office/dossiers/25309-261125-0001');
  assert.equal(safeNext('/office?tab=overdue'), '/office?tab=overdue');
  for (const bad of ['https://evil.example/office', '//evil.example/office', '/officex', '/\\evil.example', '/office\\..\\x', '/sign-in', '/office/sign-in?next=/office', undefined, ['/office']])
    assert.equal(safeNext(bad), '/office', String(bad));
});

describeEachEngine('officer sign-in', (env) => {
  let web: WebServer;
  const secretOf = (html: string) => {
    const m = /<code class="big">([A-Z2-7 ]+)<\/code>/.exec(html);
    if (!m?.[1]) throw new Error('no TOTP key on the page');
    return m[1].replace(/ /g, '');
  };

  it('starts', async () => {
    web = await startWebServer(env.db);
  });

  it('signs in with username and password into a session cookie that is HttpOnly and SameSite=Lax, then lands where it was going', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl);
    const first = await c.get('/office?tab=overdue');
    assert.equal(first.status, 303);
    assert.equal(first.location, '/office/sign-in?next=%2Foffice%3Ftab%3Doverdue');
    const page = await c.get(first.location ?? '');
    assert.equal(page.status, 200);
    assert.match(page.html, /name="next" value="\/office\?tab=overdue"/);
    const res = await c.post('/office/sign-in', { username: o.username, password: o.password, next: '/office?tab=overdue' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/office?tab=overdue');
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith('causo_session='));
    assert.ok(cookie, 'session cookie set');
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Max-Age=43200/, 'lives SESSION_TTL_HOURS (12), counted from now whatever the browser clock says');
    assert.doesNotMatch(cookie, /Secure/i, 'plain http in the test: not Secure under COOKIE_SECURE=auto');
    assert.equal((await c.get('/office?tab=overdue')).status, 200);
  });

  it('marks the session cookie Secure when the configuration asks for it', async () => {
    const secure = await startWebServer(env.db, undefined, (ctx) => {
      ctx.config.COOKIE_SECURE = 'true';
    });
    try {
      const o = await officerAt(secure.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
      const c = new PageClient(secure.baseUrl);
      await c.get('/office/sign-in');
      const res = await c.post('/office/sign-in', { username: o.username, password: o.password });
      assert.match(res.headers.getSetCookie().find((s) => s.startsWith('causo_session=')) ?? '', /Secure/);
    } finally {
      await secure.close();
    }
  });

  it('ignores a next= that leads off the back office', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl);
    await c.get('/office/sign-in?next=https://evil.example/');
    const res = await c.post('/office/sign-in', { username: o.username, password: o.password, next: '//evil.example/office' });
    assert.equal(res.location, '/office');
  });

  it('says what is wrong when a field is empty', async () => {
    const c = new PageClient(web.baseUrl);
    await c.get('/office/sign-in');
    const res = await c.post('/office/sign-in', { username: '', password: '' });
    assert.equal(res.status, 400);
    assert.match(res.html, /Hãy nhập tên đăng nhập/);
    assert.match(res.html, /Hãy nhập mật khẩu/);
  });

  it('locks the account after 5 wrong passwords, refuses even the right one while locked, and opens again after 15 minutes', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl);
    await c.get('/office/sign-in');
    for (let i = 1; i <= 4; i++) {
      const res = await c.post('/office/sign-in', { username: o.username, password: 'wrong password' });
      assert.equal(res.status, 401, `attempt ${i}`);
      assert.match(res.html, /Tên đăng nhập hoặc mật khẩu không đúng/);
    }
    const fifth = await c.post('/office/sign-in', { username: o.username, password: 'wrong password' });
    assert.equal(fifth.status, 401, 'still "wrong", as the API answers');
    assert.match(fifth.html, /tạm khóa/, 'but the page already says the account is locked');
    const right = await c.post('/office/sign-in', { username: o.username, password: o.password });
    assert.equal(right.status, 423, 'the right password does not open a locked account');
    web.ctx.clock.set('2026-11-25T09:16:00+07:00');
    try {
      const later = await c.post('/office/sign-in', { username: o.username, password: o.password });
      assert.equal(later.status, 303);
    } finally {
      web.ctx.clock.set('2026-11-25T09:00:00+07:00');
    }
    const log = await recentSignIns(env.db.kysely, o.officer.id);
    assert.deepEqual(
      log.map((l) => l.outcome),
      ['success', 'locked', 'bad_password', 'bad_password', 'bad_password', 'bad_password', 'bad_password'],
    );
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const c = new PageClient(web.baseUrl);
    await c.get('/office/sign-in');
    const res = await c.post('/office/sign-in', { username: 'khong-co-ai', password: 'whatever' });
    assert.equal(res.status, 401);
    assert.match(res.html, /Tên đăng nhập hoặc mật khẩu không đúng/);
  });

  it('ends the session after SESSION_TTL_HOURS', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl);
    await c.signIn(o.username, o.password);
    assert.equal((await c.get('/office')).status, 200);
    web.ctx.clock.set('2026-11-25T21:00:01+07:00'); // 12 hours and a second later
    try {
      const res = await c.get('/office');
      assert.equal(res.status, 303);
      assert.match(res.location ?? '', /^\/office\/sign-in/);
    } finally {
      web.ctx.clock.set('2026-11-25T09:00:00+07:00');
    }
  });

  it('signs out: the cookie is cleared and the old token no longer works', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl);
    await c.signIn(o.username, o.password);
    const token = c.jar.causo_session;
    await c.get('/office/account');
    const out = await c.post('/office/sign-out', {});
    assert.equal(out.status, 303);
    assert.equal(out.location, '/office/sign-in?signed_out=1');
    assert.match(out.headers.getSetCookie().join(';'), /causo_session=;/);
    const again = await fetch(`${web.baseUrl}/office`, { headers: { cookie: `causo_session=${token}` }, redirect: 'manual' });
    assert.equal(again.status, 303);
  });

  it('shows the officer their own recent sign-ins with time, IP and browser, failures included', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }], 'Lê Thị Mai');
    const c = new PageClient(web.baseUrl, undefined, 'Mozilla/5.0 (X11; Linux) Chromium/130 office-pc-7');
    await c.get('/office/sign-in');
    await c.post('/office/sign-in', { username: o.username, password: 'sai mat khau' });
    await c.post('/office/sign-in', { username: o.username, password: o.password });
    const page = await c.get('/office/account');
    assert.equal(page.status, 200);
    assert.match(page.html, /Lê Thị Mai/);
    assert.match(page.html, /Sai mật khẩu/);
    assert.match(page.html, /Thành công/);
    assert.match(page.html, /office-pc-7/);
    assert.match(page.html, /127\.0\.0\.1/);
    assert.match(page.html, /25\/11\/2026 09:00/);
    // Another officer's attempts are not shown.
    const other = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const mine = await new PageClient(web.baseUrl, other.cookie).get('/office/account');
    assert.doesNotMatch(mine.html, /office-pc-7/);
  });

  it('turns on TOTP with a QR code and a confirming code, then asks for the code at every sign-in, once per code', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl, o.cookie);
    const setup = await c.get('/office/account/totp');
    assert.equal(setup.status, 200);
    assert.match(setup.html, /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    assert.match(setup.html, /otpauth:\/\/totp\//);
    const secret = secretOf(setup.html);
    assert.equal(secretOf((await c.get('/office/account/totp')).html), secret, 'a reload shows the same key until confirmed');
    const stored = await env.db.kysely.selectFrom('users').select(['totp_pending_sealed']).where('id', '=', o.officer.id).executeTakeFirstOrThrow();
    assert.ok(stored.totp_pending_sealed && !stored.totp_pending_sealed.includes(secret), 'the key is stored sealed');

    const wrong = await c.post('/office/account/totp', { code: '000000' === (await totpCodeAt(secret, web.ctx.now())) ? '111111' : '000000' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /Mã xác thực không đúng/);
    const ok = await c.post('/office/account/totp', { code: await totpCodeAt(secret, web.ctx.now()) });
    assert.equal(ok.status, 303);
    assert.match((await c.get('/office/account')).html, /Đang bật từ 25\/11\/2026 09:00/);

    web.ctx.clock.set('2026-11-25T09:01:00+07:00');
    try {
      const b = new PageClient(web.baseUrl);
      const step1 = await b.signIn(o.username, o.password);
      assert.equal(step1.status, 303);
      assert.match(step1.location ?? '', /^\/office\/sign-in\/code/);
      assert.equal(b.jar.causo_session, undefined, 'no session before the code');
      assert.equal((await b.get('/office')).status, 303);
      await b.get(step1.location ?? '');
      const bad = await b.post('/office/sign-in/code', { code: '12345' });
      assert.equal(bad.status, 400);
      const wrongCode = (await totpCodeAt(secret, new Date('2026-11-25T08:00:00+07:00'))) as string;
      const refused = await b.post('/office/sign-in/code', { code: wrongCode });
      assert.equal(refused.status, 401);
      assert.match(refused.html, /Mã xác thực không đúng/);
      const code = await totpCodeAt(secret, web.ctx.now());
      const done = await b.post('/office/sign-in/code', { code });
      assert.equal(done.status, 303);
      assert.equal(done.location, '/office');
      assert.ok(b.jar.causo_session);
      assert.equal((await b.get('/office')).status, 200);

      // The same code cannot open a second session.
      const thief = new PageClient(web.baseUrl);
      await thief.signIn(o.username, o.password);
      await thief.get('/office/sign-in/code');
      assert.equal((await thief.post('/office/sign-in/code', { code })).status, 401);

      // The JSON API asks for the code too.
      const api = await fetch(`${web.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: o.username, password: o.password }) });
      assert.equal(api.status, 401);
      assert.equal((await api.json()).code, 'auth.totp_required');
    } finally {
      web.ctx.clock.set('2026-11-25T09:00:00+07:00');
    }
    const log = await recentSignIns(env.db.kysely, o.officer.id);
    assert.ok(log.some((l) => l.outcome === 'bad_code'));
  });

  it('locks after 5 wrong codes as after 5 wrong passwords', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl, o.cookie);
    const secret = secretOf((await c.get('/office/account/totp')).html);
    await c.post('/office/account/totp', { code: await totpCodeAt(secret, web.ctx.now()) });
    const b = new PageClient(web.baseUrl);
    await b.signIn(o.username, o.password);
    await b.get('/office/sign-in/code');
    const wrong = await totpCodeAt(secret, new Date('2026-11-24T08:00:00+07:00'));
    for (let i = 0; i < 4; i++) assert.equal((await b.post('/office/sign-in/code', { code: wrong })).status, 401);
    const locked = await b.post('/office/sign-in/code', { code: wrong });
    assert.match(locked.html, /tạm khóa/);
    const again = await b.signIn(o.username, o.password);
    assert.equal(again.status, 423);
  });

  it('stops', async () => {
    await web.close();
  });
});

describeEachEngine('officer sign-in rate limits', (env) => {
  it('refuses a burst of sign-in attempts from one address with 429', async () => {
    const web = await startWebServer(env.db);
    try {
      const c = new PageClient(web.baseUrl);
      const form = (await c.get('/office/sign-in')).html;
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) statuses.push((await c.post('/office/sign-in', { username: 'nobody', password: 'x' }, { from: form })).status);
      assert.equal(statuses[0], 401);
      assert.equal(statuses[statuses.length - 1], 429);
      assert.equal(statuses.filter((s) => s === 401).length, 20);
    } finally {
      await web.close();
    }
  });

  it('refuses a burst of codes with 429 before anyone can try them all', async () => {
    const web = await startWebServer(env.db);
    try {
      const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
      const c = new PageClient(web.baseUrl, o.cookie);
      const form = (await c.get('/office/account/totp')).html;
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await c.post('/office/account/totp', { code: '000001' }, { from: form })).status);
      assert.equal(statuses[statuses.length - 1], 429);
      const b = new PageClient(web.baseUrl);
      await b.get('/office/sign-in/code');
      assert.equal((await b.post('/office/sign-in/code', { code: '123456' }, { from: (await b.get('/office/sign-in')).html })).status, 401, 'no pending sign-in: sent back');
    } finally {
      await web.close();
    }
  });
});
