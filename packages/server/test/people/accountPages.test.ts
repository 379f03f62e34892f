import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, csrfFrom, cookiesFrom, cookieHeader, type WebServer } from '../support/webServer.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { makeCitizen } from '../support/citizens.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { createSession, findSession } from '../../src/modules/auth/sessions.ts';
import { LIMITS } from '../../src/modules/people/limits.ts';
import { deliverPending } from '../../src/modules/notify/sender.ts';
import { useTestRegister } from './helpers.ts';

/** A browser without a browser: a cookie jar, the CSRF token of the last page, and forms. */
class Visitor {
  jar: Record<string, string> = {};
  csrf = '';
  constructor(
    private readonly web: WebServer,
    private readonly headers: Record<string, string> = {},
  ) {}
  async get(path: string): Promise<{ status: number; html: string; location: string | null }> {
    const res = await fetch(`${this.web.baseUrl}${path}`, { headers: { ...this.headers, cookie: cookieHeader(this.jar) }, redirect: 'manual' });
    cookiesFrom(res.headers.getSetCookie(), this.jar);
    const html = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (m?.[1]) this.csrf = m[1];
    return { status: res.status, html, location: res.headers.get('location') };
  }
  async post(path: string, form: Record<string, string>, extra: Record<string, string> = {}): Promise<{ status: number; html: string; location: string | null; setCookie: string[] }> {
    const res = await fetch(`${this.web.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...this.headers, ...extra, cookie: cookieHeader(this.jar), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
      redirect: 'manual',
    });
    const setCookie = res.headers.getSetCookie();
    cookiesFrom(setCookie, this.jar);
    return { status: res.status, html: await res.text(), location: res.headers.get('location'), setCookie };
  }
}

const errorSummary = (html: string): string => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';

describeEachEngine('account pages', (env) => {
  let web: WebServer;
  const PASSWORD = 'nam con ca vang';
  let lan: { id: number; phone: string };

  it('starts', async () => {
    web = await startWebServer(env.db, undefined, useTestRegister);
    lan = await makeCitizen(web.ctx, { phone: '0912400001', idNumber: '070195400001', birthDate: '1995-09-03', fullName: 'Điểu Thị Lan' });
    await web.ctx.db.kysely.updateTable('citizens').set({ password_hash: await hashPassword(PASSWORD) }).where('id', '=', lan.id).execute();
  });

  it('answers an unknown phone and a wrong password with the same page and status', async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.1.0.1' });
    await v.get('/sign-in');
    const wrong = await v.post('/sign-in', { phone: lan.phone, password: 'not the password' });
    const unknown = await v.post('/sign-in', { phone: '0912499999', password: 'not the password' });
    assert.equal(wrong.status, 400);
    assert.equal(unknown.status, wrong.status);
    assert.ok(errorSummary(wrong.html).includes('Số điện thoại hoặc mật khẩu chưa đúng'));
    assert.equal(errorSummary(unknown.html), errorSummary(wrong.html));
  });

  it('signs in, sets an HttpOnly SameSite=Lax session cookie (Secure over HTTPS), and follows only local next= paths', async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.1.0.2', 'x-forwarded-proto': 'https' });
    await v.get('/sign-in?next=%2Fapply%2F1.001193');
    assert.match((await v.get('/sign-in?next=%2Fapply%2F1.001193')).html, /name="next" value="\/apply\/1.001193"/);
    const ok = await v.post('/sign-in', { phone: '+84 912 400 001', password: PASSWORD, next: '/apply/1.001193' });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/apply/1.001193');
    const cookie = ok.setCookie.find((c) => c.startsWith('causo_session='));
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Secure/i);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, /Max-Age=43200/, 'the session lasts SESSION_TTL_HOURS, counted by the browser');
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
      const w = new Visitor(web, { 'x-forwarded-for': '10.1.0.3' });
      await w.get('/sign-in');
      assert.equal((await w.post('/sign-in', { phone: lan.phone, password: PASSWORD, next })).location, '/my', next);
    }
  });

  it('signs out: the session ends and the cookie is cleared', async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.1.0.4' });
    await v.get('/sign-in');
    await v.post('/sign-in', { phone: lan.phone, password: PASSWORD });
    const token = v.jar.causo_session ?? '';
    assert.ok(await findSession(web.ctx.db.kysely, token, web.ctx.now()));
    assert.match((await v.get('/account/new/done')).html, /action="\/sign-out"/); // the layout's sign-out form, with the session's CSRF token
    const out = await v.post('/sign-out', {});
    assert.equal(out.status, 303);
    assert.equal(out.location, '/signed-out');
    assert.ok(out.setCookie.some((c) => /^causo_session=;/.test(c)));
    assert.equal(await findSession(web.ctx.db.kysely, token, web.ctx.now()), null);
  });

  it(`limits sign-in attempts to ${LIMITS.perIp.signIns.max} per IP address in ${LIMITS.perIp.signIns.timeWindow}`, async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.2.0.1' });
    await v.get('/sign-in');
    for (let i = 0; i < LIMITS.perIp.signIns.max; i++) assert.equal((await v.post('/sign-in', { phone: '0912488888', password: `guess ${i}` })).status, i >= LIMITS.passwordFailures - 1 ? 429 : 400);
    const blocked = await v.post('/sign-in', { phone: '0912477777', password: 'guess' });
    assert.equal(blocked.status, 429);
    assert.match(blocked.html, /Bạn đã thử quá nhiều lần/);
    const other = new Visitor(web, { 'x-forwarded-for': '10.2.0.2' });
    await other.get('/sign-in');
    assert.equal((await other.post('/sign-in', { phone: '0912477777', password: 'guess' })).status, 400, 'another address still may try');
  });

  it('locks a number after repeated wrong passwords, with the same page whether or not it has an account', async () => {
    const pages: string[] = [];
    for (const phone of ['0912466666', '0912455555']) {
      const v = new Visitor(web, { 'x-forwarded-for': `10.3.0.${phone.slice(-1)}` });
      await v.get('/sign-in');
      let last = { status: 0, html: '' };
      for (let i = 0; i < LIMITS.passwordFailures; i++) last = await v.post('/sign-in', { phone, password: `guess ${i}` });
      assert.equal(last.status, 429);
      pages.push(errorSummary(last.html));
    }
    assert.match(pages[0] ?? '', /nhập sai mật khẩu nhiều lần/);
    assert.equal(pages[0], pages[1]);
  });

  it(`limits code entries to ${LIMITS.perIp.codeEntries.max} and code requests to ${LIMITS.perIp.codeRequests.max} per IP address`, async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.4.0.1' });
    await v.get('/sign-in/code');
    for (let i = 0; i < LIMITS.perIp.codeEntries.max; i++) assert.notEqual((await v.post('/sign-in/code/enter', { code: '123456' })).status, 429);
    assert.equal((await v.post('/sign-in/code/enter', { code: '123456' })).status, 429);
    const w = new Visitor(web, { 'x-forwarded-for': '10.4.0.2' });
    await w.get('/sign-in/code');
    for (let i = 0; i < LIMITS.perIp.codeRequests.max; i++) assert.notEqual((await w.post('/sign-in/code', { phone: 'x' })).status, 429);
    assert.equal((await w.post('/sign-in/code', { phone: 'x' })).status, 429);
  });

  it(`limits account details checks (telecom look-ups) to ${LIMITS.perIp.detailsChecks.max} per IP address`, async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.5.0.1' });
    await v.get('/account/new/details');
    for (let i = 0; i < LIMITS.perIp.detailsChecks.max; i++) assert.equal((await v.post('/account/new/details', { idNumber: '1' })).status, 400);
    assert.equal((await v.post('/account/new/details', { idNumber: '1' })).status, 429);
  });

  it('refuses the details form without its CSRF token', async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.5.0.2' });
    await v.get('/account/new/details');
    v.csrf = 'forged';
    assert.equal((await v.post('/account/new/details', { idNumber: '070090001234' })).status, 403);
  });

  it('keeps the sign-up on the server: no cookie or a made-up one gets nowhere', async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.6.0.1' });
    assert.match((await v.get('/account/new/password')).html, /Phiên mở tài khoản đã hết hạn/);
    v.jar.causo_signup = 'made-up-token';
    assert.match((await v.get('/account/new/code')).html, /Phiên mở tài khoản đã hết hạn/);
    await v.get('/account/new/details');
    const post = await v.post('/account/new/password', { method: 'sms' });
    assert.match(post.html, /Phiên mở tài khoản đã hết hạn/);
    assert.equal(await web.ctx.db.kysely.selectFrom('citizens').select('id').where('full_name', '=', '').executeTakeFirst(), undefined);
  });

  it('asks again with everything kept when the register does not answer, and stores nothing', async () => {
    const v = new Visitor(web, { 'x-forwarded-for': '10.6.0.2' });
    await v.get('/account/new/details');
    const r = await v.post('/account/new/details', { idNumber: '070090005555', fullName: 'Điểu Brah', birth_day: '10', birth_month: '10', birth_year: '1990', phone: '0966000099' });
    assert.equal(r.status, 503);
    assert.match(r.html, /Nhà mạng chưa trả lời/);
    assert.match(r.html, /value="0966000099"/);
    assert.equal(await web.ctx.db.kysely.selectFrom('signups').select('id').executeTakeFirst(), undefined);
  });

  it('shows administrators the SMS sent, with full numbers, and audits each view; other officers are refused', async () => {
    await deliverPending(web.ctx, 50);
    const v = new Visitor(web, { 'x-forwarded-for': '10.7.0.1' });
    await v.get('/sign-in/code');
    await v.post('/sign-in/code', { phone: lan.phone });
    await deliverPending(web.ctx, 50);
    const admin = await makeOfficer(web.ctx.db, [{ role: 'admin', unitCode: '75', on: '2026-11-25' }]);
    const clerk = await makeOfficer(web.ctx.db, [{ role: 'officer', unitCode: '25309' }]);
    const sessionOf = async (userId: number) => (await web.ctx.db.transaction((trx) => createSession(trx, { userId }, { ttlHours: 1, ip: null, userAgent: null, now: web.ctx.now() }))).token;
    const asAdmin = await fetch(`${web.baseUrl}/office/dev/sms`, { headers: { cookie: `causo_session=${await sessionOf(admin.officer.id)}` } });
    assert.equal(asAdmin.status, 200);
    const html = await asAdmin.text();
    assert.match(html, new RegExp(lan.phone));
    assert.match(html, /Mã đăng nhập/);
    assert.match(html, /Đã gửi/);
    assert.match(html, /1 tin, UCS-2/);
    const audited = await web.ctx.db.kysely.selectFrom('audit_log').select(['actor_id']).where('action', '=', 'sms.outbox_read').execute();
    assert.deepEqual(audited, [{ actor_id: admin.officer.id }]);
    const asClerk = await fetch(`${web.baseUrl}/office/dev/sms`, { headers: { cookie: `causo_session=${await sessionOf(clerk.officer.id)}` } });
    assert.equal(asClerk.status, 403);
    const anonymous = await fetch(`${web.baseUrl}/office/dev/sms`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
  });

  it('stops', async () => {
    await web.close();
  });
});
