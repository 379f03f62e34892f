import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { describeEachEngine } from '../support/engines.ts';
import { makeOfficer, testContext, txid } from '../support/fixtures.ts';
import { buildApp } from '../../src/http/app.ts';

describeEachEngine('HTTP API', (env) => {
  let app: FastifyInstance;
  let token = '';
  let officer: Awaited<ReturnType<typeof makeOfficer>>;
  const auth = () => ({ authorization: `Bearer ${token}` });

  before(async () => {
    const ctx = testContext(env.db);
    ctx.clock.set('2022-08-15T09:00:00+07:00');
    app = await buildApp(ctx);
    officer = await makeOfficer(env.db, [{ role: 'officer', unitCode: '693' }]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: officer.username, password: officer.password } });
    assert.equal(res.statusCode, 200, res.body);
    token = res.json().token;
  });
  after(async () => {
    await app.close();
  });

  it('answers /healthz with the database kind and serves secure headers', async () => {
    const res = await app.inject({ url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().database, env.engine);
    assert.ok(res.headers['content-security-policy']);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('publishes an OpenAPI 3.1 document of every route', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/api/v1/units', '/api/v1/procedures', '/api/v1/dossiers', '/api/v1/dossiers/{code}/actions', '/api/v1/reports/ii06a', '/api/v1/auth/login'])
      assert.ok(doc.paths[p], `missing ${p}`);
    assert.ok(doc.paths['/api/v1/dossiers'].post.requestBody);
  });

  it('lists units by parent, and tells the 2022 and 2025 units with the same code apart', async () => {
    const communes = (await app.inject({ url: '/api/v1/units?parent=693&date=2022-08-01' })).json();
    assert.equal(communes.items.length, 7);
    const old = (await app.inject({ url: '/api/v1/units/25308?date=2022-08-01' })).json();
    const now = (await app.inject({ url: '/api/v1/units/25308?date=2025-08-01' })).json();
    assert.equal(old.name, 'Thị trấn Thanh Bình');
    assert.equal(now.name, 'Xã Thiện Hưng');
    assert.deepEqual(old.replacedBy.map((r: { code: string }) => r.code), ['25308']);
    assert.equal(now.replaces.length, 3);
    const hp = (await app.inject({ url: '/api/v1/units/25309?date=2022-08-01' })).json();
    assert.ok(hp.children.length >= 3, 'villages of Hưng Phước');
  });

  it('searches procedures ignoring diacritics and word order', async () => {
    const res = (await app.inject({ url: '/api/v1/procedures?q=khai%20sinh%20dang%20ky' })).json();
    assert.ok(res.items.some((p: { code: string }) => p.code === '1.001193'));
    const one = (await app.inject({ url: '/api/v1/procedures/1.001193' })).json();
    assert.ok(Array.isArray(one.form) && one.form.length > 0);
  });

  it('needs a signed-in officer to write, with a localized problem document', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/dossiers', payload: {} });
    assert.equal(res.statusCode, 401);
    assert.match(String(res.headers['content-type'] ?? ''), /application\/problem\+json/);
    const body = res.json();
    assert.equal(body.code, 'auth.required');
    assert.ok(body.messages.vi && body.messages.en);
  });

  it('validates bodies and names the bad fields', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: auth(), payload: { transactionId: 'x', channel: 9 } });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'request.invalid');
    assert.ok(body.errors.some((e: { path: string }) => e.path.includes('channel')));
  });

  it('creates, acts, refuses a disallowed action with 409, and reads the log', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: auth(), payload: { transactionId: txid(), procedureCode: '1.001193', unitCode: '25309', channel: 1, applicant: { fullName: 'Nông Văn Tuấn' } } });
    assert.equal(created.statusCode, 201, created.body);
    const code = created.json().code;
    const act = (action: string) => app.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, headers: auth(), payload: { action, transactionId: txid() } });
    assert.equal((await act('start_processing')).statusCode, 200);
    const refused = await act('receive');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'dossier.action_not_allowed');
    const read = (await app.inject({ url: `/api/v1/dossiers/${code}`, headers: auth() })).json();
    assert.deepEqual(read.actions.map((a: { action: string }) => a.action), ['create', 'start_processing']);
    assert.equal(read.actions[1].actor, officer.username);
    const list = (await app.inject({ url: '/api/v1/dossiers?unit=25309&status=4', headers: auth() })).json();
    assert.ok(list.items.some((d: { code: string }) => d.code === code));
  });

  it('requires the CSRF token for cookie-authenticated writes', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: officer.username, password: officer.password } });
    const cookie = login.cookies.find((c) => c.name === 'causo_session');
    assert.ok(cookie?.httpOnly);
    const payload = { transactionId: txid(), procedureCode: '1.001193', unitCode: '25309', channel: 1, applicant: { fullName: 'A' } };
    const without = await app.inject({ method: 'POST', url: '/api/v1/dossiers', cookies: { causo_session: cookie?.value ?? '' }, payload });
    assert.equal(without.statusCode, 403);
    assert.equal(without.json().code, 'auth.csrf');
    const withToken = await app.inject({ method: 'POST', url: '/api/v1/dossiers', cookies: { causo_session: cookie?.value ?? '' }, headers: { 'x-csrf-token': login.json().csrfToken }, payload });
    assert.equal(withToken.statusCode, 201);
  });

  it('locks an account after repeated wrong passwords and rate-limits login', async () => {
    const victim = await makeOfficer(env.db, [{ role: 'officer', unitCode: '25309' }]);
    for (let i = 0; i < 5; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.9', payload: { username: victim.username, password: 'wrong password' } });
      assert.equal(r.statusCode, 401);
    }
    const locked = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.9', payload: { username: victim.username, password: victim.password } });
    assert.equal(locked.statusCode, 423);
    assert.equal(locked.json().code, 'auth.locked');
    let limited = 0;
    for (let i = 0; i < 6; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.0.0.9', payload: { username: 'nobody', password: 'x' } });
      if (r.statusCode === 429) limited++;
    }
    assert.ok(limited > 0, 'login is rate-limited per address');
  });

  it('serves the II.06a report as JSON, CSV and XLSX for a unit the officer covers, and 403 elsewhere', async () => {
    const q = '/api/v1/reports/ii06a?from=2022-07-15&to=2022-08-14&unit=693';
    const json = await app.inject({ url: q, headers: auth() });
    assert.equal(json.statusCode, 200, json.body);
    const report = json.json();
    assert.equal(report.unit.code, '693');
    assert.ok(report.checks.every((c: { ok: boolean }) => c.ok));
    const csv = await app.inject({ url: `${q}&format=csv`, headers: auth() });
    assert.match(String(csv.headers['content-type'] ?? ''), /text\/csv/);
    assert.ok(csv.body.includes('Tiếp nhận'));
    const xlsx = await app.inject({ url: `${q}&format=xlsx`, headers: auth() });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx.rawPayload).buffer as ArrayBuffer);
    assert.ok(wb.worksheets.length >= 1);
    const preset = await app.inject({ url: '/api/v1/reports/ii06a?preset=month&year=2022&index=8&unit=693', headers: auth() });
    assert.deepEqual(preset.json().period, { from: '2022-07-15', to: '2022-08-14' });
    const bad = await app.inject({ url: '/api/v1/reports/ii06a?from=2022-08-14&to=2022-07-15&unit=693', headers: auth() });
    assert.equal(bad.json().code, 'report.bad_period');
    const elsewhere = await app.inject({ url: '/api/v1/reports/ii06a?from=2022-07-15&to=2022-08-14&unit=692', headers: auth() });
    assert.equal(elsewhere.statusCode, 403);
  });

  it('lets only a province admin change office hours and holidays', async () => {
    const put = await app.inject({ method: 'PUT', url: '/api/v1/calendar/office-hours', headers: auth(), payload: { officeHours: '07:00-11:30,13:30-17:00' } });
    assert.equal(put.statusCode, 403);
    const admin = await makeOfficer(env.db, [{ role: 'admin', unitCode: '70' }]);
    const t = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: admin.username, password: admin.password } })).json().token;
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/calendar/office-hours', headers: { authorization: `Bearer ${t}` }, payload: { officeHours: '17:00-07:00' } });
    assert.equal(bad.json().code, 'calendar.bad_office_hours');
    const day = await app.inject({ method: 'PUT', url: '/api/v1/calendar/days/2028-01-01', headers: { authorization: `Bearer ${t}` }, payload: { kind: 'holiday', nameVi: 'Tết Dương lịch', nameEn: "New Year's Day" } });
    assert.equal(day.statusCode, 204);
    const days = (await app.inject({ url: '/api/v1/calendar/days?year=2028' })).json();
    assert.equal(days.items[0].date, '2028-01-01');
    const due = (await app.inject({ url: '/api/v1/calendar/due-date?receivedAt=2023-01-19T10:00:00%2B07:00&value=3&unit=working_days' })).json();
    assert.equal(due.dueAt, '2023-01-31T10:00:00+07:00'); // across Tết 2023
  });

  it('answers unknown routes with a problem document (401 before anything for anonymous callers)', async () => {
    assert.equal((await app.inject({ url: '/api/v1/nothing' })).statusCode, 401);
    const res = await app.inject({ url: '/api/v1/nothing', headers: auth() });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'request.not_found');
  });
});
