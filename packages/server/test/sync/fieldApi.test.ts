/**
 * The field API over HTTP: a phone signs in once and is bound to its device id; calls need
 * both the token and that device; a gzipped push is inflated (and a bomb refused); a phone an
 * admin marked lost is told to wipe itself and its session ends; officers without a team
 * cannot sign a phone in.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { makeOfficer } from '../support/fixtures.ts';
import { envelope, household, settled, TODAY, VILLAGE } from './support.ts';
import { photo } from '../apply/helpers.ts';
import type { FieldMember } from '../../src/modules/sync/fieldAuth.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';

describeEachEngine('field API', (env) => {
  let web: WebServer;
  let username: string;
  let password: string;
  const deviceId = randomUUID();
  let token = '';
  before(async () => {
    web = await startWebServer(env.db);
    const m = await makeOfficer(env.db, [{ role: 'member', unitCode: VILLAGE, on: TODAY }]);
    username = m.username;
    password = m.password;
  });
  after(() => web.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, opts: { body?: unknown; headers?: Record<string, string>; payload?: Buffer; device?: string } = {}) =>
    web.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'x-device-id': opts.device ?? deviceId, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      ...(opts.payload ? { payload: opts.payload } : opts.body !== undefined ? { payload: JSON.stringify(opts.body) } : {}),
    });

  it('signs a phone in and bootstraps its villages, team and procedure forms', async () => {
    const res = await web.app.inject({ method: 'POST', url: '/api/v1/field/sign-in', payload: { username, password, deviceId, deviceLabel: 'Điện thoại thử' } });
    assert.equal(res.statusCode, 200, res.body);
    token = res.json().token;
    const boot = await call('GET', '/api/v1/field/bootstrap');
    assert.equal(boot.statusCode, 200, boot.body);
    const b = boot.json();
    assert.deepEqual(b.villages.map((v: { code: string }) => v.code), [VILLAGE]);
    assert.ok(b.villages[0].team.members.some((x: { displayName: string }) => x.displayName === username));
    assert.ok(b.procedures.length > 10 && Array.isArray(b.procedures[0].form));
  });

  it('refuses calls without the device the session was bound to', async () => {
    assert.equal((await call('GET', '/api/v1/field/bootstrap', { device: randomUUID() })).json().code, 'device.unknown');
    assert.equal((await web.app.inject({ method: 'GET', url: '/api/v1/sync/pull' })).statusCode, 401);
  });

  it('refuses to sign in an officer who is on no team', async () => {
    const o = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309', on: TODAY }]);
    const res = await web.app.inject({ method: 'POST', url: '/api/v1/field/sign-in', payload: { username: o.username, password: o.password, deviceId: randomUUID(), deviceLabel: '' } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'field.not_member');
    assert.ok(res.json().messages.vi.includes('tổ'));
  });

  it('takes a gzipped push, answers per envelope, and refuses a decompression bomb', async () => {
    const officer = await loadOfficer(env.db.kysely, (await env.db.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id);
    assert.ok(officer);
    const member: FieldMember = { officer, deviceId, villages: [], ip: null };
    const envs = [await envelope(member, { entity: 'household', op: 'create', payload: household() }), await envelope(member, { entity: 'household', op: 'create', payload: household({ headName: 'Hộ Thứ Hai' }) })];
    const body = gzipSync(JSON.stringify({ deviceId, envelopes: envs }));
    const res = await call('POST', '/api/v1/sync/push', { payload: body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().results.map((r: { result: string }) => r.result), ['accepted', 'accepted']);
    const again = await call('POST', '/api/v1/sync/push', { payload: body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.deepEqual(again.json().results.map((r: { result: string }) => r.result), ['duplicate', 'duplicate']);
    const bomb = gzipSync(Buffer.alloc(12_000_000, 32));
    const refused = await call('POST', '/api/v1/sync/push', { payload: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.ok(refused.statusCode === 413 || refused.statusCode === 400, `${refused.statusCode}`);
    assert.equal(refused.headers['content-type']?.toString().startsWith('application/problem+json'), true);
    await settled(env.db);
    const pulled = await call('GET', '/api/v1/sync/pull?limit=1');
    assert.equal(pulled.statusCode, 200);
    assert.equal(pulled.json().records.length, 1);
    assert.equal(pulled.json().more, true);
  });

  it('stores a photo by its hash once and refuses one whose content does not match', async () => {
    const png = await photo(2, 2, 'png'); // the server decodes every photo: it must be a real one
    const sha = (await import('node:crypto')).createHash('sha256').update(png).digest('hex');
    const first = await call('PUT', `/api/v1/sync/files/${sha}`, { payload: png, headers: { 'content-type': 'image/png' } });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal((await call('PUT', `/api/v1/sync/files/${sha}`, { payload: png, headers: { 'content-type': 'image/png' } })).statusCode, 200);
    const wrong = await call('PUT', `/api/v1/sync/files/${'0'.repeat(64)}`, { payload: png, headers: { 'content-type': 'image/png' } });
    assert.equal(wrong.json().code, 'sync.file_invalid');
  });

  it('sends a team member who opens the back office to the field app', async () => {
    const user = await env.db.kysely.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow();
    const session = await env.db.transaction((trx) => createSession(trx, { userId: user.id }, { ttlHours: 1, ip: null, userAgent: null, now: web.ctx.now() }));
    const res = await web.app.inject({ method: 'GET', url: '/office', headers: { cookie: `${SESSION_COOKIE}=${session.token}` } });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/field/');
  });

  it('wipes a phone marked lost at its next contact and ends its session', async () => {
    await env.db.kysely.updateTable('devices').set({ status: 'lost', lost_marked_at: web.ctx.now() }).where('id', '=', deviceId).execute();
    const res = await call('GET', '/api/v1/sync/pull');
    assert.equal(res.statusCode, 410);
    assert.equal(res.json().code, 'device.wiped');
    assert.equal(res.json().wipe, true);
    const d = await env.db.kysely.selectFrom('devices').select(['status', 'wiped_at']).where('id', '=', deviceId).executeTakeFirstOrThrow();
    assert.equal(d.status, 'wiped');
    assert.equal((await call('GET', '/api/v1/sync/pull')).statusCode, 401);
    const again = await web.app.inject({ method: 'POST', url: '/api/v1/field/sign-in', payload: { username, password, deviceId, deviceLabel: '' } });
    assert.equal(again.statusCode, 410);
    const audit = await env.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'field.device_wiped').execute();
    assert.equal(audit.length, 1);
  });
});
