/**
 * Bad input at every route. The routes come from the real app (the router's own list, the one
 * the route-access walk checks), their objects and callers from the walk's fixtures; each route
 * is called as anonymous, the citizen who owns the fixtures, the commune's one-stop officer and
 * the province administrator, with generated bodies of wrong shapes (arbitrary JSON, huge
 * strings, deep nesting, prototype-pollution keys, NUL bytes, invalid UTF-8, wrong content
 * types, form-encoded and multipart garbage), bad query strings, odd headers (cookies,
 * authorization, CSRF token, content encoding, languages) and bad path parameters.
 *
 * Every answer: below 500, nothing of the server's insides, and a refusal in the caller's
 * language (fuzzSupport.checkReply). A route a caller sent only refusals to stored nothing:
 * every table's fingerprint is unchanged, except the few listed in BY_DESIGN, and the audit
 * trail holds nothing from a refused request but the entries named in AUDITED_REFUSALS.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { STEP_CARDS } from '@causo/field/cards';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { ANON_CSRF_COOKIE } from '../../src/web/request.ts';
import { type Principal, type Who } from './routeAccessSupport.ts';
import { INSIDE, PROCEDURE, makeRouteFixtures, type Fixtures } from './routeFixtures.ts';
import { FUZZ_RUNS, changed, checkReply, fcOptions, fingerprint, watchWrites } from './fuzzSupport.ts';

/** Who calls: nobody, the owner of the citizen fixtures, an officer with rights on them, an administrator above. */
const CALLERS: readonly Who[] = ['anonymous', 'citizen', 'officer', 'provinceAdmin'];

/**
 * Tables that change for requests that store nothing, and why. Anything else changing after a
 * batch of refused requests (or of reads) is a failure.
 */
const BY_DESIGN: Record<string, string> = {
  audit_log: 'sensitive reads are audited (checked separately: no entry comes from a refused request)',
  sessions: "every signed-in request moves its session's last-seen time; sign-out routes get sessions the test makes",
  sign_in_failures: 'failed sign-ins are counted to slow down password guessing',
  lookup_attempts: 'failed dossier look-ups are counted to slow down guessing codes',
};

/** Routes that write on purpose even when they show a page or refuse a form. */
const READS_THAT_WRITE: Record<string, { tables: string[]; why: string }> = {
  'GET /office/account/totp': { tables: ['users'], why: 'the set-up page keeps a pending secret (made once), so the code from the QR it shows can be checked when posted' },
  'POST /office/account/totp': { tables: ['users'], why: 'a refused code shows the set-up page again, which makes the pending secret if there was none yet' },
};

/** Audit entries a refused request writes on purpose: refusals someone must be able to review. */
const AUDITED_REFUSALS = new Set([
  'auth.login_failed',
  'auth.sign_in_failed',
  'citizen.sign_in_failed',
  'field.sign_in_failed',
  // A refused form on the dossier page (an action, an assignment) comes back on that page, which shows the dossier: a read.
  'dossier.read',
]);

/** A value for each path parameter, from the fixtures; the route's prefix tells which object a `:code` or `:id` is. */
function paramValue(name: string, path: string, f: Fixtures): string {
  const under = (...prefixes: string[]) => prefixes.some((p) => path.startsWith(p));
  switch (name) {
    case 'code':
      if (under('/api/v1/units', '/performance')) return INSIDE;
      if (under('/api/v1/procedures', '/services', '/office/admin/procedures')) return PROCEDURE;
      if (under('/my', '/apply/done')) return encodeURIComponent(f.online);
      return encodeURIComponent(f.dossier);
    case 'id':
      if (under('/office/admin/users')) return String(f.userId);
      if (under('/office/admin/units')) return String(f.unitId);
      if (under('/office/campaigns', '/api/v1/campaigns')) return String(f.campaign);
      if (under('/office/documents')) return String(f.documentId);
      if (under('/office/teams/conflicts')) return String(f.conflictId);
      break;
    case 'draftId':
      return String(f.draftId);
    case 'documentId':
      return String(f.draftDocumentId);
    case 'key':
      return f.firstQuestion;
    case 'action':
      return 'receive';
    case 'date':
      return '2099-12-31';
    case 'deviceId':
      return f.deviceId;
    case 'villageCode':
      return f.village;
    case 'file':
      return 'manifest.webmanifest';
    case 'procedureCode':
      return PROCEDURE;
    case 'slug':
      return STEP_CARDS[0]?.slug ?? 'x';
    case 'sha256':
      return 'a'.repeat(64);
  }
  throw new Error(`no fixture for :${name} in ${path}: add one to paramValue`);
}

// ---- what is generated ------------------------------------------------------------------------

/** Percent-encodes any string, lone surrogates included (encodeURIComponent throws on them). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const ascii = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });

/** Strings that break naive code: traversal, NUL, lone surrogates, numbers out of range, injections, huge. */
const badText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '%ZZ', '..%2f..%2fetc%2fpasswd', '../../etc/passwd', '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', 'Đặng Thị Ánh', '\uFEFF', '\uD800x', 'NaN', '-1', '0', '1e308', '99999999999999999999', '0x10', 'null', 'true', '__proto__', 'constructor', '2026-02-30', '2026-11-25T25:61:00Z'),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
const badValue: fc.Arbitrary<unknown> = fc.oneof(badText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }), fc.array(badText, { maxLength: 3 }));

/** Field names the routes read, so generated bodies get past the first check now and then. */
const FIELDS = ['transactionId', 'action', 'procedureCode', 'unitCode', 'channel', 'applicant', 'amount', 'receiptNo', 'kind', 'nameVi', 'nameEn', 'officeHours', 'name', 'startsOn', 'endsOn', 'ownerUnit', 'indicators', 'version', 'targets', 'username', 'password', 'deviceId', 'envelopes', 'receipts', 'from', 'to', 'text', 'comment', 'code', 'phone', 'unit', 'procedure', 'assignee', 'then', 'ref', 'choice', 'fullName', 'reason', 'role', 'status', 'date', 'q', 'totp', 'next', 'answers', 'cursor'];
const fieldName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'a.b', 'a[b]', '_csrf') }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });

interface Body {
  label: string;
  type: string | null;
  payload: Buffer | string;
  encoding?: string;
}

const json = (value: unknown) => JSON.stringify(value) ?? 'null';
const deep = fc.integer({ min: 200, max: 20_000 }).chain((n) =>
  fc.constantFrom(`${'['.repeat(n)}${']'.repeat(n)}`, `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`, `{"applicant":${'{"x":'.repeat(n)}1${'}'.repeat(n)}}`),
);

/** A body as an API client might send it, wrong in one of many ways. */
const apiBody: fc.Arbitrary<Body> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ label: 'arbitrary JSON', type: 'application/json', payload: json(v) })),
  fc.dictionary(fieldName, badValue, { maxKeys: 6 }).map((v) => ({ label: 'object of wrong shape', type: 'application/json', payload: json(v) })),
  deep.map((payload) => ({ label: 'deep nesting', type: 'application/json', payload })),
  fc.dictionary(fc.constantFrom(...FIELDS), badValue, { maxKeys: 3 }).map((v) => ({
    label: 'prototype pollution',
    type: 'application/json',
    payload: `{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}}${Object.keys(v).length ? `,${json(v).slice(1)}` : '}'}`,
  })),
  fc.dictionary(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 }).map((s) => `${s}\u0000${s}`), { minKeys: 1, maxKeys: 4 }).map((v) => ({ label: 'NUL bytes', type: 'application/json', payload: json(v) })),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ label: 'invalid UTF-8', type: 'application/json', payload: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(b), Buffer.from('"}')]) })),
  fc
    .tuple(fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'multipart/form-data; boundary=zz', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'image/png', 'image/jpeg', 'application/octet-stream', 'application/x-www-form-urlencoded', 'a/b/c', ';;;'), ascii(200))
    .map(([type, text]) => ({ label: `wrong content type ${type}`, type, payload: text })),
  fc.dictionary(fieldName, badText, { maxKeys: 5 }).map((v) => ({ label: 'form-encoded', type: 'application/x-www-form-urlencoded', payload: new URLSearchParams(v as Record<string, string>).toString() })),
  fc.constantFrom('', '{', '{"a":1', 'nul', '[1,]', '{"a":1}{"b":2}', '\uFEFF{}').map((payload) => ({ label: 'broken JSON', type: 'application/json', payload })),
  fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip', 'xyz').map((encoding) => ({ label: `not really ${encoding}`, type: 'application/json', payload: '{"a":1}', encoding })),
);

/** A form as a page might receive it: fields of wrong shape, maybe with the right CSRF proof. */
const pageBody = (csrf: string | null): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.array(fc.tuple(fieldName, badText), { maxLength: 6 }), fc.boolean()).map(([pairs, proof]) => {
      const form = new URLSearchParams(pairs);
      if (proof && csrf) form.set('_csrf', csrf);
      return { label: 'form of wrong shape', type: 'application/x-www-form-urlencoded', payload: form.toString() };
    }) },
    { weight: 1, arbitrary: fc.tuple(ascii(300), fc.constantFrom('multipart/form-data; boundary=b', 'multipart/form-data', 'multipart/form-data; boundary=')).map(([junk, type]) => ({
      label: 'broken multipart',
      type,
      payload: `--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf ?? ''}\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="../../x.png"\r\nContent-Type: image/png\r\n\r\n${junk}`,
    })) },
    { weight: 2, arbitrary: apiBody },
  );

/** A query string with repeated keys, arrays, nested keys, huge values and bad escapes. */
const QUERY_KEYS = ['unit', 'from', 'to', 'q', 'limit', 'cursor', 'year', 'level', 'tab', 'page', 'table', 'format', 'receivedAt', 'value', 'next', 'procedure', 'v', 'ref', 'indicator', 'sort', 'status'];
const queryPart = fc.oneof(
  fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.oneof(badText.map(pct), fc.constantFrom(INSIDE, PROCEDURE, '2026-10-15', '%ZZ', '%', '%00', '%C0%AE', '%E0%A4%A', '+', '&&', '=='))).map(([k, v]) => `${k}=${v}`),
  fc.constantFrom(...QUERY_KEYS).map((k) => `${k}[]=1&${k}[]=2&${k}=3`),
  fc.constantFrom(...QUERY_KEYS).map((k) => `${k}[a][b]=1`),
  fc.constantFrom('__proto__[polluted]=yes', 'constructor[prototype][polluted]=yes', '=', '&', 'a', '%ZZ=%ZZ'),
  fc.integer({ min: 1_000, max: 60_000 }).map((n) => `q=${'y'.repeat(n)}`),
);
const query = fc.option(fc.array(queryPart, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('&')), { nil: null });

/** A bad value for a path parameter. */
const badParam = fc.oneof(
  fc.constantFrom('..%2f..%2fetc%2fpasswd', '..%252f', '%2e%2e', '%00', '%ZZ', '%C0%AE', '-1', '0', '99999999999999999999', '1e3', '0x10', 'NaN', '%F0%9F%92%A9', pct('Đường'), '%20', 'null'),
  fc.integer({ min: 100, max: 5_000 }).map((n) => 'z'.repeat(n)),
  fc.string({ maxLength: 20 }).map(pct),
);

interface HeaderMix {
  cookie: string | null;
  authorization: string | null;
  csrf: string | null;
  extra: Record<string, string>;
}
const headerMix: fc.Arbitrary<HeaderMix> = fc.record({
  cookie: fc.option(fc.oneof(ascii(60).map((v) => `${SESSION_COOKIE}=${v}`), fc.constantFrom(`${SESSION_COOKIE}=%ZZ; ${SESSION_COOKIE}=x`, '=;;;=', SESSION_COOKIE, `${ANON_CSRF_COOKIE}=short`, 'causo_lang=xx'), fc.integer({ min: 1_000, max: 7_000 }).map((n) => `${SESSION_COOKIE}=${'c'.repeat(n)}`)), { nil: null }),
  authorization: fc.option(fc.oneof(fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Negotiate x', 'bearer x'), ascii(80).map((v) => `Bearer ${v}`), fc.integer({ min: 1_000, max: 7_000 }).map((n) => `Bearer ${'t'.repeat(n)}`)), { nil: null }),
  csrf: fc.option(fc.oneof(ascii(40), fc.constant('')), { nil: null }),
  extra: fc.dictionary(
    fc.constantFrom('accept-language', 'x-device-id', 'accept', 'x-request-id', 'if-none-match', 'range', 'origin', 'x-forwarded-proto', 'accept-encoding'),
    fc.oneof(ascii(60), fc.constantFrom('*;q=garbage', 'vi;q=2,en;q=-1', 'zz-ZZ', 'bytes=999-1', '*/*;q=0', 'gzip;q=x')),
    { maxKeys: 3 },
  ),
});

interface Case {
  body: Body | null;
  query: string | null;
  headers: HeaderMix;
  badParam: string | null;
}

/** A real-looking request most of the time, broken in one or more places. */
const caseFor = (method: string, api: boolean, csrf: string | null, hasParams: boolean): fc.Arbitrary<Case> =>
  fc.record({
    body: method === 'GET' ? fc.constant(null) : fc.option(api ? apiBody : pageBody(csrf), { nil: null, freq: 6 }),
    query,
    headers: fc.oneof({ weight: 2, arbitrary: fc.constant({ cookie: null, authorization: null, csrf: null, extra: {} }) }, { weight: 1, arbitrary: headerMix }),
    badParam: hasParams ? fc.option(badParam, { nil: null, freq: 2 }) : fc.constant(null),
  });

// ---- the walk ---------------------------------------------------------------------------------

interface Sent {
  route: string;
  who: Who;
  ip: string;
  status: number;
  label: string;
}

/** Routes that end or remove what other routes use come last. */
const lateness = (route: string) => (/sign-out|logout|delete|remove|lost/.test(route) ? 1 : 0);

describeEachEngine('bad input at every route', (env) => {
  let web: WebServer;
  let f: Fixtures;
  let tables: string[];
  const principals = new Map<Who, Principal>();
  const sent: Sent[] = [];
  const slowest: { ms: number; what: string }[] = [];
  let requests = 0;

  before(async () => {
    web = await startWebServer(env.db);
    const made = await makeRouteFixtures(env.db, web.ctx);
    f = made.fixtures;
    for (const [who, p] of made.principals) principals.set(who, p);
    tables = await watchWrites(env.db);
  });
  after(async () => {
    await web?.close();
  });

  it('answers generated bad input on every route below 500, without insides, refusing in Vietnamese, and stores nothing it refused', async (t) => {
    const started = Date.now();
    const routes = web.app.registeredRoutes
      .filter((r) => r.method !== 'HEAD')
      .map((r) => ({ method: r.method, url: r.url, key: `${r.method} ${r.url}` }))
      .sort((a, b) => lateness(a.key) - lateness(b.key));
    assert.ok(routes.length > 100, `only ${routes.length} routes registered`);
    const storedOnRefusal: string[] = [];
    // Every route is walked even after a failure, so one run lists every broken route.
    const broken: string[] = [];

    for (const route of routes) {
      const api = route.url.startsWith('/api/');
      const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
      const concrete = route.url.replace(/:(\w+)/g, (_, name: string) => paramValue(name, route.url, f));
      for (const who of CALLERS) {
        const p = principals.get(who);
        assert.ok(p);
        const endsSession = /sign-out|logout/.test(route.url);
        const before = await fingerprint(env.db, tables);
        const batch: Sent[] = [];
        const failed = await fc.check(
          fc.asyncProperty(caseFor(route.method, api, p.session?.csrf ?? null, params.length > 0), async (c) => {
            const session = endsSession ? await p.fresh() : p.session;
            requests += 1;
            const ip = `10.77.${(requests >> 8) & 255}.${requests & 255}`;
            let path = concrete;
            if (c.badParam !== null) {
              const victim = params[requests % params.length] ?? '';
              path = route.url.replace(/:(\w+)/g, (_, name: string) => (name === victim ? (c.badParam ?? '') : paramValue(name, route.url, f)));
            }
            const url = c.query === null ? path : `${path}${path.includes('?') ? '&' : '?'}${c.query}`;
            const cookies = [c.headers.cookie ?? (session ? `${SESSION_COOKIE}=${session.token}` : ''), api ? '' : `${ANON_CSRF_COOKIE}=${'k'.repeat(32)}`].filter(Boolean);
            const headers: Record<string, string> = { 'x-forwarded-for': ip, 'user-agent': 'fuzz', ...c.headers.extra };
            if (cookies.length) headers.cookie = cookies.join('; ');
            if (c.headers.authorization) headers.authorization = c.headers.authorization;
            if (api && route.method !== 'GET') headers['x-csrf-token'] = c.headers.csrf ?? session?.csrf ?? '';
            if (c.body?.type) headers['content-type'] = c.body.type;
            if (c.body?.encoding) headers['content-encoding'] = c.body.encoding;
            const t0 = Date.now();
            const res = await web.app.inject({ method: route.method as 'GET', url, headers, ...(c.body ? { payload: c.body.payload } : {}) });
            slowest.push({ ms: Date.now() - t0, what: `${route.method} ${url.slice(0, 100)} (${c.body?.label ?? 'no body'})` });
            const lang = new URLSearchParams(c.query ?? '').get('lang');
            const label = `${who}, ${c.body?.label ?? 'no body'}, query ${c.query?.slice(0, 80) ?? 'none'}, param ${c.badParam?.slice(0, 40) ?? 'good'}`;
            batch.push({ route: route.key, who, ip, status: res.statusCode, label });
            checkReply(
              { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.rawPayload },
              { method: route.method, url: `${url} (${label})`, api: api || route.url === '/openapi.json', lang: lang === 'en' ? 'en' : 'vi' },
            );
          }),
          fcOptions(),
        );
        if (failed.failed) broken.push(`${route.key} as ${who}: seed ${failed.seed}, ${String((failed.errorInstance as Error | undefined)?.message ?? failed.errorInstance).slice(0, 1500)}\n  counterexample: ${fc.stringify(failed.counterexample).slice(0, 600)}`);
        sent.push(...batch);
        // Reads and refusals store nothing (BY_DESIGN aside); a batch with an accepted write proves nothing here.
        const wrote = route.method !== 'GET' && batch.some((s) => s.status < 400);
        if (!wrote) {
          const moved = changed(before, await fingerprint(env.db, tables)).filter((tb) => !(tb in BY_DESIGN) && !READS_THAT_WRITE[route.key]?.tables.includes(tb));
          if (moved.length) storedOnRefusal.push(`${route.key} as ${who}: ${moved.join(', ')} changed (${batch.map((s) => `${s.status}: ${s.label}`).join(' | ')})`);
        }
      }
    }
    t.diagnostic(`${sent.length} requests (${routes.length} routes × ${CALLERS.length} callers × ${FUZZ_RUNS} runs) in ${((Date.now() - started) / 1000).toFixed(1)} s; ${sent.filter((s) => s.status < 400).length} not refused`);
    t.diagnostic(`slowest: ${slowest.sort((a, b) => b.ms - a.ms).slice(0, 8).map((x) => `${x.ms} ms ${x.what}`).join('; ')}`);
    assert.deepEqual(broken, [], `${broken.length} route(s) answered bad input wrongly`);
    assert.deepEqual(storedOnRefusal, [], 'refused requests (or reads) stored something');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype was polluted');
  });

  it('keeps refused requests out of the audit trail, but for refusals audited on purpose', async () => {
    const refused = sent.filter((s) => s.status >= 400);
    assert.ok(refused.length > 100, 'the walk refused too little to say anything');
    const byIp = new Map(refused.map((s) => [s.ip, s]));
    const rows = await env.db.kysely.selectFrom('audit_log').select(['ip', 'action']).where('ip', 'in', [...byIp.keys()]).execute();
    const unexpected = rows.filter((r) => !AUDITED_REFUSALS.has(r.action)).map((r) => `${r.action} by ${byIp.get(r.ip ?? '')?.route} (${byIp.get(r.ip ?? '')?.label})`);
    assert.deepEqual(unexpected, [], 'refused requests left entries in the audit trail');
  });
});
