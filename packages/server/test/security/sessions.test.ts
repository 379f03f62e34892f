/**
 * Session fixation and session cookies. A session token is always made by the server at sign-in
 * (never taken from the request), the one the browser had before ends, sign-out ends the
 * session on the server, and a made-up cookie gets nowhere.
 *
 * Already tested elsewhere (not repeated here): HttpOnly/SameSite=Lax/Max-Age and Secure under
 * COOKIE_SECURE=true for officers (test/office/signIn.test.ts) and citizens
 * (test/people/accountPages.test.ts); officer sign-out (test/office/signIn.test.ts); a citizen's
 * new password sign-in ending the previous session (test/people/signin.test.ts); a field phone
 * marked lost losing its session (test/sync/fieldApi.test.ts).
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeCitizen } from '../support/citizens.ts';
import { findSession } from '../../src/modules/auth/sessions.ts';
import { COMMUNE, PageClient, officerAt } from '../office/helpers.ts';
import { lastCodeTo } from '../people/helpers.ts';
import { makeMember } from '../sync/support.ts';

describeEachEngine('security: session fixation', (env) => {
  let web: WebServer;
  const alive = (token: string) => findSession(env.db.kysely, token, web.ctx.now());

  before(async () => {
    web = await startWebServer(env.db);
  });
  after(async () => {
    await web?.close();
  });

  it('gives an officer a new session at sign-in and ends the one the browser had (another officer’s), whatever cookie came in', async () => {
    const first = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const second = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl);
    await c.signIn(first.username, first.password);
    const before = c.jar.causo_session ?? '';
    assert.ok(await alive(before));
    // The same browser signs in as someone else (a shared office PC) with its session's CSRF token.
    await c.get('/office');
    const res = await c.post('/office/sign-in', { username: second.username, password: second.password });
    assert.equal(res.status, 303);
    const after = c.jar.causo_session ?? '';
    assert.notEqual(after, before, 'a new token');
    assert.equal(await alive(before), null, 'the old session ended on the server');
    assert.equal((await alive(after))?.userId, second.officer.id);

    // A token planted by an attacker before sign-in is never adopted.
    const planted = randomBytes(32).toString('base64url');
    const victim = new PageClient(web.baseUrl, `causo_session=${planted}`);
    await victim.signIn(first.username, first.password);
    assert.notEqual(victim.jar.causo_session, planted);
    assert.equal(await alive(planted), null);
    const attacker = new PageClient(web.baseUrl, `causo_session=${planted}`);
    assert.equal((await attacker.get('/office')).status, 303, 'the planted token opens nothing');
  });

  it('gives the JSON API sign-in a new session and ends the cookie session it came with', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const login = async (cookie: { token: string; csrfToken: string } | null) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cookie) Object.assign(headers, { cookie: `causo_session=${cookie.token}`, 'x-csrf-token': cookie.csrfToken });
      const res = await fetch(`${web.baseUrl}/api/v1/auth/login`, { method: 'POST', headers, body: JSON.stringify({ username: o.username, password: o.password }) });
      assert.equal(res.status, 200);
      return (await res.json()) as { token: string; csrfToken: string };
    };
    const a = await login(null);
    const b = await login(a);
    assert.notEqual(b.token, a.token);
    assert.equal(await alive(a.token), null, 'the cookie session of the first sign-in ended');
    assert.ok(await alive(b.token));
  });

  it('gives a citizen signing in with an SMS code a new session, never a planted one; sign-out ends it on the server', async () => {
    // A signed-in citizen is sent on from the sign-in pages; a new password sign-in ending the
    // previous session is in test/people/signin.test.ts. Here the browser arrives with a planted token.
    const citizen = await makeCitizen(web.ctx);
    const planted = randomBytes(32).toString('base64url');
    const c = new PageClient(web.baseUrl, `causo_session=${planted}`);
    await c.get('/sign-in/code');
    assert.equal((await c.post('/sign-in/code', { phone: citizen.phone })).status, 303);
    await c.get('/sign-in/code/enter');
    const entered = await c.post('/sign-in/code/enter', { code: await lastCodeTo(web.ctx, citizen.phone) });
    assert.equal(entered.status, 303, entered.html.slice(0, 300));
    const after = c.jar.causo_session ?? '';
    assert.ok(after && after !== planted, 'a new token');
    assert.equal(await alive(planted), null, 'the planted token was never made a session');
    assert.equal((await alive(after))?.citizenId, citizen.id);

    await c.get('/my');
    const out = await c.post('/sign-out', {});
    assert.equal(out.status, 303);
    assert.equal(await alive(after), null, 'signed out on the server, not only in the browser');
    const replay = new PageClient(web.baseUrl, `causo_session=${after}`);
    const mine = await replay.get('/my');
    assert.equal(mine.status, 303, 'the old cookie, replayed, is sent to sign in');
    assert.match(mine.location ?? '', /^\/sign-in/);
  });

  it('gives each field sign-in its own token, bound to the phone; sign-out ends it; made-up tokens get 401', async () => {
    const m = await makeMember(web.ctx, env.db);
    const signIn = async () => {
      const res = await web.app.inject({ method: 'POST', url: '/api/v1/field/sign-in', payload: { username: m.username, password: m.password, deviceId: m.deviceId, deviceLabel: 'Máy thử' } });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { token: string }).token;
    };
    const bootstrap = (token: string, device = m.deviceId) => web.app.inject({ method: 'GET', url: '/api/v1/field/bootstrap', headers: { authorization: `Bearer ${token}`, 'x-device-id': device } });
    const one = await signIn();
    const two = await signIn();
    assert.notEqual(one, two);
    assert.equal((await bootstrap(two)).statusCode, 200);
    assert.equal((await bootstrap(two, randomUUID())).statusCode, 403, 'the token is bound to its phone');
    const out = await web.app.inject({ method: 'POST', url: '/api/v1/field/sign-out', headers: { authorization: `Bearer ${two}`, 'x-device-id': m.deviceId } });
    assert.ok(out.statusCode < 300, out.body);
    assert.equal(await alive(two), null);
    assert.equal((await bootstrap(two)).statusCode, 401);
    assert.equal((await bootstrap(randomBytes(32).toString('base64url'))).statusCode, 401);
  });

  it('refuses forged session cookies of every shape, on pages and on the API', async () => {
    const o = await officerAt(web.ctx, [{ role: 'officer', unitCode: COMMUNE }]);
    const c = new PageClient(web.baseUrl);
    await c.signIn(o.username, o.password);
    const real = c.jar.causo_session ?? '';
    const forged = [
      '',
      'x',
      randomBytes(32).toString('base64url'),
      `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`, // one character off
      real.toUpperCase() === real ? real.toLowerCase() : real.toUpperCase(),
      `${real}%00`,
      'a'.repeat(5000),
      "' OR '1'='1",
    ];
    for (const f of forged) {
      const cookie = `causo_session=${f}`;
      const page = await fetch(`${web.baseUrl}/office`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(page.status, 303, `page with ${JSON.stringify(f.slice(0, 40))}`);
      const api = await fetch(`${web.baseUrl}/api/v1/auth/me`, { headers: { cookie } });
      assert.equal(api.status, 401, `API with ${JSON.stringify(f.slice(0, 40))}`);
      const bearer = await fetch(`${web.baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${f || 'x'}` } });
      assert.equal(bearer.status, 401);
    }
    assert.equal((await c.get('/office')).status, 200, 'the real session still works');
  });
});
