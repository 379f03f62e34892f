/**
 * Cross-site request forgery, on every state-changing route the router holds (the same list the
 * route-access walk in test/http/routeAccess.test.ts checks for authorization): a request with a
 * valid session cookie but without the CSRF token, with a wrong one, or with the right one sent
 * from another site (Origin), is refused with `auth.csrf` and writes nothing.
 *
 * Already tested elsewhere: a page form without its token (test/web/foundation.test.ts,
 * test/apply/applyPages.test.ts, test/people/accountPages.test.ts), an API write without
 * x-csrf-token (test/http/api.test.ts), session cookie attributes (test/office/signIn.test.ts,
 * test/people/accountPages.test.ts).
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { problemMessage } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeCitizen } from '../support/citizens.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { ANON_CSRF_COOKIE } from '../../src/web/request.ts';
import { COMMUNE, officerAt } from '../office/helpers.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const PARAMS: Record<string, string> = {
  code: `${COMMUNE}-261125-0001`,
  sha256: 'a'.repeat(64),
  date: '2099-12-31',
  villageCode: `${COMMUNE}-01`,
  deviceId: '0193c1e0-0000-7000-8000-000000000000',
  procedureCode: '1.001193',
  action: 'receive',
  key: 'a',
};
const concrete = (pattern: string) => pattern.replace(/:(\w+)/g, (_, name: string) => PARAMS[name] ?? '1');
const CSRF_TEXT = problemMessage('auth.csrf').vi;

type Who = 'officer' | 'citizen' | 'anonymous';
interface Cookies {
  session: { token: string; csrf: string } | null;
  anon: string;
}

let requests = 0;

async function post(baseUrl: string, method: string, path: string, cookies: Cookies, opts: { token?: string | null; origin?: string }) {
  requests += 1;
  const isApi = path.startsWith('/api/');
  const headers: Record<string, string> = { 'x-forwarded-for': `10.77.${(requests >> 8) & 255}.${requests & 255}` };
  headers.cookie = [cookies.session ? `causo_session=${cookies.session.token}` : '', `${ANON_CSRF_COOKIE}=${cookies.anon}`].filter(Boolean).join('; ');
  if (opts.origin) headers.origin = opts.origin;
  let body: string;
  if (isApi) {
    headers['content-type'] = 'application/json';
    if (opts.token) headers['x-csrf-token'] = opts.token;
    body = '{}';
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ ...(opts.token ? { _csrf: opts.token } : {}), x: '1' }).toString();
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const csrf = isApi ? text.includes('"code":"auth.csrf"') : text.includes(CSRF_TEXT);
  return { status: res.status, csrf, excerpt: text.slice(0, 200) };
}

describeEachEngine('security: CSRF on every state-changing route', (env) => {
  let web: WebServer;
  const cookies = new Map<Who, Cookies>();

  /** Rows in every table: a refused request writes nothing anywhere. */
  const snapshot = async () => {
    const tables = await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(env.db.kysely);
    const out: Record<string, number> = {};
    for (const { name } of tables.rows) out[name] = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(env.db.kysely)).rows[0]?.n);
    return out;
  };

  before(async () => {
    web = await startWebServer(env.db);
    const admin = await officerAt(web.ctx, [{ role: 'admin', unitCode: '75' }]);
    const citizen = await makeCitizen(web.ctx);
    const session = async (who: { userId: number } | { citizenId: number }) => {
      const s = await env.db.transaction((trx) => createSession(trx, who, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'csrf-test', now: web.ctx.now() }));
      return { token: s.token, csrf: s.csrfToken };
    };
    const anon = () => randomBytes(24).toString('base64url');
    cookies.set('officer', { session: await session({ userId: admin.officer.id }), anon: anon() });
    cookies.set('citizen', { session: await session({ citizenId: citizen.id }), anon: anon() });
    cookies.set('anonymous', { session: null, anon: anon() });
  });
  after(async () => {
    await web?.close();
  });

  it('refuses, on every POST/PUT/DELETE route, a missing or wrong token and a right token sent from another site', async () => {
    const writes = web.app.registeredRoutes.filter((r) => !SAFE.has(r.method));
    assert.ok(writes.length > 40, `only ${writes.length} state-changing routes found`);
    const before = await snapshot();
    const failures: string[] = [];
    let refusedAsCsrf = 0;
    for (const r of writes) {
      const path = concrete(r.url);
      // Whose session reaches this route's CSRF check: officers for the back office and the API,
      // citizens (and visitors, on pages open to them) for the portal. Others are stopped by the
      // guard before (test/http/routeAccess.test.ts).
      const home: Who[] = path.startsWith('/api/') || path.startsWith('/office') ? ['officer'] : r.citizen ? ['citizen'] : ['citizen', 'anonymous'];
      const asks = home.flatMap((who) => {
        const c = cookies.get(who) as Cookies;
        const right = c.session?.csrf ?? c.anon;
        const wrong = randomBytes(24).toString('base64url');
        return [
          { label: 'no token', token: null },
          { label: 'wrong token', token: wrong },
          { label: 'from another site', token: right, origin: 'https://evil.example' },
          { label: 'from an opaque origin', token: right, origin: 'null' },
        ].map((k) => ({ who, c, ...k }));
      });
      await Promise.all(
        asks.map(async (a) => {
          const res = await post(web.baseUrl, r.method, path, a.c, { token: a.token, ...(a.origin ? { origin: a.origin } : {}) });
          const where = `${r.method} ${path} as ${a.who}, ${a.label}`;
          if (res.status !== 403 || !res.csrf) failures.push(`${where}: ${res.status}, not auth.csrf: ${res.excerpt}`);
          else refusedAsCsrf += 1;
        }),
      );
    }
    assert.deepEqual(failures, []);
    assert.ok(refusedAsCsrf >= writes.length * 4);
    assert.deepEqual(await snapshot(), before, 'a refused request wrote something');
  });

  it('lets the same request through CSRF with the right token from this site (so the refusals above are about the token)', async () => {
    const officer = cookies.get('officer') as Cookies;
    const origin = web.baseUrl;
    const page = await post(web.baseUrl, 'POST', `/office/dossiers/${PARAMS.code}/comments`, officer, { token: officer.session?.csrf ?? null, origin });
    assert.equal(page.csrf, false, page.excerpt);
    assert.equal(page.status, 404, 'past CSRF: the dossier does not exist');
    const api = await post(web.baseUrl, 'PUT', '/api/v1/calendar/office-hours', officer, { token: officer.session?.csrf ?? null, origin });
    assert.equal(api.status, 400, `past CSRF: the body is invalid: ${api.excerpt}`);
    const visitor = cookies.get('anonymous') as Cookies;
    const signIn = await post(web.baseUrl, 'POST', '/office/sign-in', visitor, { token: visitor.anon, origin });
    assert.equal(signIn.csrf, false, signIn.excerpt);
  });

  it('sets the visitor CSRF cookie HttpOnly and SameSite=Lax, and Secure when configured', async () => {
    const plain = await fetch(`${web.baseUrl}/sign-in`);
    const cookie = plain.headers.getSetCookie().find((s) => s.startsWith(`${ANON_CSRF_COOKIE}=`)) ?? '';
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /Secure/i);
    // COOKIE_SECURE is read on each request (a second server on PostgreSQL costs a minute here).
    web.ctx.config.COOKIE_SECURE = 'true';
    try {
      const res = await fetch(`${web.baseUrl}/sign-in?lang=en`);
      for (const name of [ANON_CSRF_COOKIE, 'causo_lang']) {
        const c = res.headers.getSetCookie().find((s) => s.startsWith(`${name}=`));
        assert.ok(c, `${name} set`);
        assert.match(c, /Secure/, name);
        assert.match(c, /HttpOnly/i, name);
      }
    } finally {
      web.ctx.config.COOKIE_SECURE = 'auto';
    }
  });

  it('takes bearer calls (the field app, API clients) without a CSRF token or Origin check: a browser cannot attach them', async () => {
    const officer = cookies.get('officer') as Cookies;
    const res = await fetch(`${web.baseUrl}/api/v1/calendar/office-hours`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${officer.session?.token ?? ''}`, 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ officeHours: 'x' }),
    });
    assert.equal(res.status, 400, 'past CSRF, refused for its body');
  });
});
