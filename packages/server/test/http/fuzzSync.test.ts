/**
 * Malformed sync pushes (docs/sync.md): a signed-in phone sends generated batches whose
 * envelopes are valid ones broken in one way each (a field missing, of the wrong type, out of
 * range, another device or member, a payload that does not match its hash, payloads of wrong
 * shape, huge, deeply nested, with NUL bytes or prototype keys), and whole requests of the
 * wrong shape. The answer is never 5xx; a refused request is a localized problem document;
 * an accepted request answers each envelope, and exactly the envelopes it accepted are stored:
 * the sync tables grow by those and by nothing else.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { MAX_PUSH_BATCH } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { envelope, household, TODAY, VILLAGE } from '../sync/support.ts';
import type { FieldMember } from '../../src/modules/sync/fieldAuth.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { FUZZ_RUNS, assertMemoryBelow, changed, checkReply, fcOptions, fingerprint, gzipBomb, watchWrites } from './fuzzSupport.ts';

/** Tables a push that stores nothing still touches, and why. */
const BY_DESIGN: Record<string, string> = {
  sessions: "every call moves the phone session's last-seen time",
  devices: "every call moves the phone's last-seen time",
  audit_log: 'checked apart: nothing from a refused push',
};

/** Stands for a payload nested 5,000 deep, spliced into the body as text (the test's own JSON.stringify would overflow first). */
const DEEP = '\u0001deep\u0001';
const DEEP_JSON = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

type Mutation = (e: Record<string, unknown>) => unknown;

const junk = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', '\u0000', '\uD800', 'x'.repeat(70_000)));
const FIELDS = ['id', 'deviceId', 'memberId', 'entity', 'entityId', 'op', 'baseVersion', 'occurredAt', 'payloadHash', 'payload'] as const;

/** One way to break a valid envelope. */
const mutation: fc.Arbitrary<{ label: string; apply: Mutation }> = fc.oneof(
  fc.constantFrom(...FIELDS).map((k) => ({ label: `without ${k}`, apply: (e: Record<string, unknown>) => ({ ...e, [k]: undefined }) })),
  fc.tuple(fc.constantFrom(...FIELDS), junk).map(([k, v]) => ({ label: `${k} = ${JSON.stringify(v)?.slice(0, 40)}`, apply: (e: Record<string, unknown>) => ({ ...e, [k]: v }) })),
  fc.constantFrom<[string, Mutation]>(
    ['another device', (e) => ({ ...e, deviceId: randomUUID() })],
    ['another member', (e) => ({ ...e, memberId: 1 })],
    ['a hash that does not match', (e) => ({ ...e, payloadHash: 'f'.repeat(64) })],
    ['an unknown entity', (e) => ({ ...e, entity: 'user' })],
    ['an unknown op', (e) => ({ ...e, op: 'drop' })],
    ['a negative base version', (e) => ({ ...e, baseVersion: -1 })],
    ['a base version out of range', (e) => ({ ...e, baseVersion: 2 ** 53 })],
    ['a date in year 9999', (e) => ({ ...e, occurredAt: '9999-12-31T23:59:59.999Z' })],
    ['a date that is not one', (e) => ({ ...e, occurredAt: '2026-13-45T99:99:99Z' })],
    ['an update of a household that does not exist', (e) => ({ ...e, op: 'update', baseVersion: 1 })],
    ['a village of another commune', (e) => ({ ...e, payload: { ...(e.payload as object), villageCode: '25308-01' } })],
    ['a village that does not exist', (e) => ({ ...e, payload: { ...(e.payload as object), villageCode: '99999-99' } })],
    ['a payload that is an array', (e) => ({ ...e, payload: [] })],
    ['a payload with prototype keys', (e) => JSON.parse(JSON.stringify(e).replace('"payload":{', '"payload":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},'))],
    ['a deeply nested payload', (e) => ({ ...e, payload: DEEP })],
    ['a head name with NUL bytes', (e) => ({ ...e, payload: { ...(e.payload as object), headName: 'Hoàng\u0000Văn' } })],
    ['a head name of 100 000 characters', (e) => ({ ...e, payload: { ...(e.payload as object), headName: 'H'.repeat(100_000) } })],
    ['not an object', () => 'envelope'],
    ['an empty object', () => ({})],
  ).map(([label, apply]) => ({ label, apply })),
);

/** A batch: valid envelopes (sometimes), each broken by a mutation (mostly). */
const batch = fc.array(fc.option(mutation, { nil: null, freq: 5 }), { minLength: 1, maxLength: 6 });

/** Requests of the wrong shape altogether. */
const wholeRequest = fc.constantFrom<[string, (deviceId: string, good: unknown) => unknown]>(
  ['no envelopes', (d) => ({ deviceId: d, envelopes: [] })],
  ['too many envelopes', (d, good) => ({ deviceId: d, envelopes: Array.from({ length: MAX_PUSH_BATCH + 1 }, () => good) })],
  ['envelopes not a list', (d) => ({ deviceId: d, envelopes: { 0: {} } })],
  ['another device', (_d, good) => ({ deviceId: randomUUID(), envelopes: [good] })],
  ['no device', (_d, good) => ({ envelopes: [good] })],
  ['a list', (_d, good) => [good]],
  ['a string', () => 'push'],
  ['null', () => null],
);

describeEachEngine('malformed sync pushes', (env) => {
  let web: WebServer;
  let tables: string[];
  let member: FieldMember;
  const deviceId = randomUUID();
  let token = '';

  before(async () => {
    web = await startWebServer(env.db);
    const m = await makeOfficer(env.db, [{ role: 'member', unitCode: VILLAGE, on: TODAY }]);
    const res = await web.app.inject({ method: 'POST', url: '/api/v1/field/sign-in', payload: { username: m.username, password: m.password, deviceId, deviceLabel: 'Điện thoại thử' } });
    assert.equal(res.statusCode, 200, res.body);
    token = res.json().token;
    const officer = await loadOfficer(env.db.kysely, m.officer.id);
    assert.ok(officer);
    member = { officer, deviceId, villages: [], ip: null };
    tables = await watchWrites(env.db);
  });
  after(() => web?.close());

  const push = (body: string | Buffer, headers: Record<string, string> = {}) =>
    web.app.inject({ method: 'POST', url: '/api/v1/sync/push', headers: { authorization: `Bearer ${token}`, 'x-device-id': deviceId, 'content-type': 'application/json', ...headers }, payload: body });
  const syncRows = async () => {
    const r = await env.db.kysely.selectFrom('sync_envelopes').select((eb) => eb.fn.countAll<string>().as('n')).where('device_id', '=', deviceId).executeTakeFirstOrThrow();
    return Number(r.n);
  };

  it('answers broken envelopes one by one and stores exactly the ones it accepted', async (t) => {
    let accepted = 0;
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(batch, async (mutations) => {
        const envelopes = await Promise.all(
          mutations.map(async (m) => {
            const e = (await envelope(member, { entity: 'household', op: 'create', payload: household() })) as unknown as Record<string, unknown>;
            return m ? m.apply(e) : e;
          }),
        );
        const before = await fingerprint(env.db, tables);
        const rowsBefore = await syncRows();
        const res = await push(JSON.stringify({ deviceId, envelopes }).replaceAll(JSON.stringify(DEEP), DEEP_JSON));
        const what = { method: 'POST', url: `/api/v1/sync/push (${mutations.map((m) => m?.label ?? 'valid').join('; ')})`, api: true };
        checkReply({ status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.rawPayload }, what);
        const stored = (await syncRows()) - rowsBefore;
        if (res.statusCode >= 400) {
          assert.equal(stored, 0, `${what.url}: a refused push stored envelopes`);
          assert.deepEqual(changed(before, await fingerprint(env.db, tables)).filter((x) => !(x in BY_DESIGN)), [], `${what.url}: a refused push changed tables`);
          return;
        }
        assert.equal(res.statusCode, 200, what.url);
        const results = (res.json() as { results: { id: string; result: string; code?: string }[] }).results;
        assert.equal(results.length, envelopes.length, `${what.url}: not one answer per envelope`);
        const kept = results.filter((r) => r.result === 'accepted' || r.result === 'conflict').length;
        accepted += kept;
        rejected += results.filter((r) => r.result === 'rejected').length;
        assert.equal(stored, kept, `${what.url}: ${stored} envelope(s) stored for ${kept} accepted (${JSON.stringify(results).slice(0, 400)})`);
        for (const r of results.filter((x) => x.result === 'rejected')) assert.ok(typeof r.code === 'string' && r.code.length > 0, `${what.url}: a rejection without a code`);
        if (kept === 0) assert.deepEqual(changed(before, await fingerprint(env.db, tables)).filter((x) => !(x in BY_DESIGN)), [], `${what.url}: a push that accepted nothing changed tables`);
      }),
      fcOptions(FUZZ_RUNS * 8),
    );
    t.diagnostic(`${accepted} envelopes accepted, ${rejected} rejected`);
    assert.ok(rejected > 0, 'no envelope was rejected: the mutations break nothing');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
  });

  it('refuses pushes of the wrong shape with a problem document and stores nothing', async () => {
    const good = await envelope(member, { entity: 'household', op: 'create', payload: household() });
    await fc.assert(
      fc.asyncProperty(wholeRequest, async ([label, make]) => {
        const before = await fingerprint(env.db, tables);
        const res = await push(JSON.stringify(make(deviceId, good)));
        checkReply({ status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.rawPayload }, { method: 'POST', url: `/api/v1/sync/push (${label})`, api: true });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${label}: answered ${res.statusCode}`);
        assert.deepEqual(changed(before, await fingerprint(env.db, tables)).filter((x) => !(x in BY_DESIGN)), [], `${label}: stored something`);
      }),
      fcOptions(FUZZ_RUNS * 4),
    );
  });

  it('refuses a gzip bomb, a body that is not gzip, and invalid UTF-8, quickly and without growing', async () => {
    const bomb = await gzipBomb(500_000_000); // ~500 KB on the wire, 500 MB unpacked
    const start = process.memoryUsage().rss;
    const cases: [string, Buffer, Record<string, string>][] = [
      ['a gzip bomb', bomb, { 'content-encoding': 'gzip' }],
      ['gzip that is not', Buffer.from('{"deviceId":1}'), { 'content-encoding': 'gzip' }],
      ['truncated gzip', gzipSync(Buffer.from(JSON.stringify({ deviceId, envelopes: [] }))).subarray(0, 12), { 'content-encoding': 'gzip' }],
      ['invalid UTF-8', Buffer.concat([Buffer.from(`{"deviceId":"${deviceId}","envelopes":[{"id":"`), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}]}')]), {}],
    ];
    for (const [label, body, headers] of cases) {
      const before = await fingerprint(env.db, tables);
      const started = Date.now();
      const res = await push(body, headers);
      checkReply({ status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.rawPayload }, { method: 'POST', url: `/api/v1/sync/push (${label})`, api: true });
      // Invalid UTF-8 inside a string decodes to U+FFFD: the envelope is then rejected on its own.
      if (res.statusCode === 200) assert.ok((res.json() as { results: { result: string }[] }).results.every((r) => r.result === 'rejected'), `${label}: an envelope was accepted`);
      else assert.ok(res.statusCode >= 400, `${label}: answered ${res.statusCode}`);
      assert.ok(Date.now() - started < 15_000, `${label}: took ${Date.now() - started} ms`);
      assert.deepEqual(changed(before, await fingerprint(env.db, tables)).filter((x) => !(x in BY_DESIGN)), [], `${label}: stored something`);
    }
    assertMemoryBelow(start, 150, 'bad gzip pushes');
  });
});
