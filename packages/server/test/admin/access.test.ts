/**
 * Only the administrator of a province in force reaches administration. The test reads every
 * route under /office/admin from the router itself, so a page added later is walked too.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { unitId } from '../support/fixtures.ts';
import { assertHas, TODAY, addProvince, officerOn, routesUnder, signedIn } from './support.ts';

describeEachEngine('administration is for province administrators only', (env) => {
  let web: WebServer;
  let routes: { method: 'GET' | 'POST'; path: string }[];
  let concrete: (path: string) => string;

  it('starts, and finds the administration routes in the router', async () => {
    web = await startWebServer(env.db);
    routes = routesUnder(web, '/office/admin');
    const paths = new Set(routes.map((r) => `${r.method} ${r.path}`));
    for (const expected of ['GET /office/admin', 'GET /office/admin/users', 'POST /office/admin/users/new', 'POST /office/admin/users/:id/roles', 'GET /office/admin/procedures/:code', 'POST /office/admin/procedures/:code', 'POST /office/admin/calendar/days', 'POST /office/admin/units/:id/replace', 'GET /office/admin/audit'])
      assert.ok(paths.has(expected), `${expected} not found in ${[...paths].join(', ')}`);
    const someone = await officerOn(env.db, [{ role: 'officer', unitCode: '25309' }]);
    const commune = await unitId(env.db, '25309', TODAY);
    concrete = (path) => path.replace('/users/:id', `/users/${someone.id}`).replace('/units/:id', `/units/${commune}`).replace(':code', '1.001193');
  });

  it('lets the province administrator open every administration page', async () => {
    const admin = await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], 'admin');
    const client = await signedIn(web, admin.id);
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const res = await client.get(concrete(r.path));
      assert.equal(res.status, 200, `${r.path}: ${res.status}`);
    }
  });

  const refusedPersonas: { name: string; roles: { role: 'admin' | 'leader' | 'officer' | 'specialist'; unitCode: string; on?: string }[] }[] = [
    { name: 'a one-stop officer', roles: [{ role: 'officer', unitCode: '25309' }] },
    { name: 'a specialist', roles: [{ role: 'specialist', unitCode: '25309' }] },
    { name: 'a leader of the province', roles: [{ role: 'leader', unitCode: '75' }] },
    { name: 'the administrator of a commune', roles: [{ role: 'admin', unitCode: '25309' }] },
    { name: 'the administrator of a district', roles: [{ role: 'admin', unitCode: '693', on: '2022-08-15' }] },
    { name: 'the administrator of another province (Bình Phước, merged into Đồng Nai in 2025)', roles: [{ role: 'admin', unitCode: '70', on: '2022-08-15' }] },
  ];

  for (const persona of refusedPersonas) {
    it(`refuses ${persona.name} on every administration route, GET and POST, and writes nothing`, async () => {
      const who = await officerOn(env.db, persona.roles);
      const client = await signedIn(web, who.id);
      const usersBefore = await env.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      for (const r of routes) {
        const path = concrete(r.path);
        const res = r.method === 'GET' ? await client.get(path) : await client.post(path, { username: 'x.intruder', displayName: 'X', password: 'long enough password', role: 'admin', unitId: '1', date: '2026-12-24', kind: 'holiday', nameVi: 'X', change: 'deactivate', step: 'confirm', newCodes: '25309', effective: '2026-12-01' });
        assert.equal(res.status, 403, `${r.method} ${path} gave ${res.status}`);
        assertHas(res.html, /không có quyền/);
      }
      const usersAfter = await env.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(usersAfter.n), Number(usersBefore.n));
      const written = await env.db.kysely.selectFrom('audit_log').select('action').where('actor_id', '=', who.id).execute();
      assert.deepEqual(written, []);
    });
  }

  it('sends someone who is not signed in to the sign-in page, and refuses their posts', async () => {
    for (const r of routes) {
      const res = await fetch(`${web.baseUrl}${concrete(r.path)}`, { method: r.method, redirect: 'manual', headers: r.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}, body: r.method === 'POST' ? '_csrf=x' : undefined });
      if (r.method === 'GET') assert.equal(res.status, 303, r.path);
      else assert.ok([401, 403].includes(res.status), `${r.path}: ${res.status}`);
    }
  });

  it("keeps the administrator of another province in force away from this province's officers and units", async () => {
    const other = await addProvince(env.db, '68', 'Tỉnh Lâm Đồng');
    const otherAdmin = await officerOn(env.db, [{ role: 'admin', unitCode: '68' }], 'admin68');
    const ours = await officerOn(env.db, [{ role: 'officer', unitCode: '25309' }], 'ours');
    const client = await signedIn(web, otherAdmin.id);
    const list = await client.get('/office/admin/users');
    assert.equal(list.status, 200);
    assert.doesNotMatch(list.html, new RegExp(ours.username));
    const commune = await unitId(env.db, '25309', TODAY);
    for (const [method, path, form] of [
      ['GET', `/office/admin/users/${ours.id}`, {}],
      ['GET', `/office/admin/users/${ours.id}/password`, {}],
      ['POST', `/office/admin/users/${ours.id}/status`, { change: 'deactivate' }],
      ['POST', `/office/admin/users/${ours.id}/password`, { password: 'a new long password', confirm: 'a new long password' }],
      ['POST', `/office/admin/users/${ours.id}/roles`, { role: 'officer', unitId: String(other.communeId) }],
      ['GET', `/office/admin/units/${commune}`, {}],
      ['POST', `/office/admin/units/${commune}/replace`, { step: 'confirm', newCodes: other.communeCode, kind: 'full', effective: '2026-12-01' }],
    ] as const) {
      const res = method === 'GET' ? await client.get(path) : await client.post(path, form);
      assert.ok([403, 404].includes(res.status), `${method} ${path}: ${res.status}`);
    }
    // Giving a role on a unit of this province to one of theirs is refused as well.
    const theirs = await officerOn(env.db, [{ role: 'officer', unitCode: other.communeCode }], 'theirs');
    const res = await client.post(`/office/admin/users/${theirs.id}/roles`, { role: 'admin', unitId: String(commune) });
    assert.equal(res.status, 400);
    assertHas(res.html, /không thuộc tỉnh của bạn/);
    const roles = await env.db.kysely.selectFrom('user_roles').select('unit_id').where('user_id', '=', theirs.id).execute();
    assert.deepEqual(roles.map((r) => r.unit_id), [other.communeId]);
    const user = await env.db.kysely.selectFrom('users').select('active').where('id', '=', ours.id).executeTakeFirstOrThrow();
    assert.equal(user.active, true);
  });

  it('stops', async () => {
    await web.close();
  });
});
