import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { unitId } from '../support/fixtures.ts';
import { verifyPassword } from '../../src/modules/auth/passwords.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { assertHas, TODAY, officerOn, signedIn, type Client } from './support.ts';

describeEachEngine('administration: officers and roles', (env) => {
  let web: WebServer;
  let admin: { id: number; username: string };
  let client: Client;
  let commune: number;
  let created: number;

  const lastAudit = async (action: string) =>
    env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id', 'desc').limit(1).executeTakeFirst();

  it('starts with a province administrator signed in', async () => {
    web = await startWebServer(env.db);
    admin = await officerOn(env.db, [{ role: 'admin', unitCode: '75' }], 'admin');
    client = await signedIn(web, admin.id);
    commune = await unitId(env.db, '25309', TODAY);
  });

  it('creates an officer with a role on a commune, with an argon2id password, and audits it', async () => {
    const form = await client.get('/office/admin/users/new');
    assert.equal(form.status, 200);
    assertHas(form.html, new RegExp(`<option value="${commune}">`));
    const res = await client.post('/office/admin/users/new', { username: 'Motcua.An', displayName: 'Nguyễn Văn An', password: 'mot cua hung phuoc 2026', role: 'officer', unitId: String(commune) });
    assert.equal(res.status, 303);
    const m = /^\/office\/admin\/users\/(\d+)\?done=created$/.exec(res.location ?? '');
    assert.ok(m, res.location ?? '');
    created = Number(m[1]);
    const user = await env.db.kysely.selectFrom('users').selectAll().where('id', '=', created).executeTakeFirstOrThrow();
    assert.equal(user.username, 'motcua.an');
    assert.match(user.password_hash, /^\$argon2id\$/);
    assert.ok(await verifyPassword(user.password_hash, 'mot cua hung phuoc 2026'));
    const roles = await env.db.kysely.selectFrom('user_roles').select(['role', 'unit_id']).where('user_id', '=', created).execute();
    assert.deepEqual(roles, [{ role: 'officer', unit_id: commune }]);
    const entry = await lastAudit('user.create');
    assert.equal(entry?.actor_id, admin.id);
    assert.equal(entry?.entity_id, String(created));
    assert.equal(entry?.user_agent, 'admin-test');
    assert.ok(entry?.ip);
    assert.doesNotMatch(JSON.stringify(entry?.detail), /mot cua hung phuoc/, 'no password in the audit trail');
    const page = await client.get(res.location ?? '');
    assertHas(page.html, /Đã tạo tài khoản/);
    assertHas(page.html, /Xã Hưng Phước/);
  });

  it('finds the officer by name without diacritics', async () => {
    const res = await client.get('/office/admin/users?q=nguyen+van+an');
    assertHas(res.html, /motcua\.an/);
    const none = await client.get('/office/admin/users?q=khong+co+ai');
    assert.doesNotMatch(none.html, /motcua\.an/);
  });

  it('explains each mistake in the new-officer form and keeps what was typed', async () => {
    const res = await client.post('/office/admin/users/new', { username: 'A', displayName: 'Trần Thị Bình', password: 'short', role: 'officer', unitId: '' });
    assert.equal(res.status, 400);
    assertHas(res.html, /<title>Lỗi:/);
    assertHas(res.html, /class="error-summary"/);
    assertHas(res.html, /href="#f-username">Tên đăng nhập chưa đúng/);
    assertHas(res.html, /href="#f-password">Mật khẩu quá ngắn/);
    assertHas(res.html, /href="#f-unitId">Hãy chọn một đơn vị/);
    assertHas(res.html, /value="Trần Thị Bình"/);
    const taken = await client.post('/office/admin/users/new', { username: 'motcua.an', displayName: 'X', password: 'another long password', role: 'officer', unitId: String(commune) });
    assert.equal(taken.status, 400);
    assertHas(taken.html, /đã có người dùng/);
  });

  it('refuses a role on a unit that no longer exists (a 2022 commune)', async () => {
    const old = await unitId(env.db, '25309', '2022-08-15');
    const res = await client.post(`/office/admin/users/${created}/roles`, { role: 'leader', unitId: String(old) });
    assert.equal(res.status, 400);
    assertHas(res.html, /không còn hoạt động/);
  });

  it('gives a role and takes it away, auditing both, but never the last role', async () => {
    const province = await unitId(env.db, '75', TODAY);
    assert.equal((await client.post(`/office/admin/users/${created}/roles`, { role: 'leader', unitId: String(province) })).status, 303);
    assert.equal((await lastAudit('user.role_add'))?.entity_id, String(created));
    const again = await client.post(`/office/admin/users/${created}/roles`, { role: 'leader', unitId: String(province) });
    assert.equal(again.status, 400);
    assertHas(again.html, /đã có quyền này/);
    assert.equal((await client.post(`/office/admin/users/${created}/roles/remove`, { role: 'leader', unitId: String(province) })).status, 303);
    assert.deepEqual((await lastAudit('user.role_remove'))?.detail, { role: 'leader', unitId: province });
    const last = await client.post(`/office/admin/users/${created}/roles/remove`, { role: 'officer', unitId: String(commune) });
    assert.equal(last.status, 400);
    assertHas(last.html, /quyền cuối cùng/);
    const roles = await env.db.kysely.selectFrom('user_roles').select('role').where('user_id', '=', created).execute();
    assert.deepEqual(roles, [{ role: 'officer' }]);
  });

  it('deactivates an officer, signing them out at once, and reactivates them', async () => {
    const theirs = await signedIn(web, created);
    assert.equal((await theirs.get('/office/admin')).status, 403, 'signed in (and not an admin)');
    assert.equal((await client.post(`/office/admin/users/${created}/status`, { change: 'deactivate' })).status, 303);
    assert.equal(await loadOfficer(env.db.kysely, created), null);
    const sessions = await env.db.kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', created).execute();
    assert.deepEqual(sessions, []);
    assert.equal((await theirs.get('/office/admin')).status, 303, 'back to the sign-in page');
    assert.ok(await lastAudit('user.deactivate'));
    assert.equal((await client.post(`/office/admin/users/${created}/status`, { change: 'reactivate' })).status, 303);
    assert.ok(await loadOfficer(env.db.kysely, created));
    assert.ok(await lastAudit('user.reactivate'));
  });

  it('unlocks an officer locked after failed sign-ins', async () => {
    await env.db.kysely.updateTable('users').set({ failed_logins: 3, locked_until: new Date('2026-11-25T09:10:00+07:00') }).where('id', '=', created).execute();
    const page = await client.get(`/office/admin/users/${created}`);
    assertHas(page.html, /Tạm khóa đến 25\/11\/2026 09:10/);
    assert.equal((await client.post(`/office/admin/users/${created}/status`, { change: 'unlock' })).status, 303);
    const user = await env.db.kysely.selectFrom('users').select(['failed_logins', 'locked_until']).where('id', '=', created).executeTakeFirstOrThrow();
    assert.deepEqual(user, { failed_logins: 0, locked_until: null });
    assert.equal((await lastAudit('user.unlock'))?.actor_id, admin.id);
  });

  it('resets a password after checking both entries match', async () => {
    const mismatch = await client.post(`/office/admin/users/${created}/password`, { password: 'a brand new password', confirm: 'a brand new passw0rd' });
    assert.equal(mismatch.status, 400);
    assertHas(mismatch.html, /Hai mật khẩu không giống nhau/);
    await signedIn(web, created);
    const ok = await client.post(`/office/admin/users/${created}/password`, { password: 'a brand new password', confirm: 'a brand new password' });
    assert.equal(ok.status, 303);
    const user = await env.db.kysely.selectFrom('users').select('password_hash').where('id', '=', created).executeTakeFirstOrThrow();
    assert.ok(await verifyPassword(user.password_hash, 'a brand new password'));
    assert.equal((await env.db.kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', created).execute()).length, 0);
    assert.ok(await lastAudit('user.password_reset'));
  });

  it('does not let an administrator lock themselves out', async () => {
    const res = await client.post(`/office/admin/users/${admin.id}/status`, { change: 'deactivate' });
    assert.equal(res.status, 400);
    assertHas(res.html, /không tự khóa/);
    const province = await unitId(env.db, '75', TODAY);
    await client.post(`/office/admin/users/${admin.id}/roles`, { role: 'officer', unitId: String(commune) });
    const drop = await client.post(`/office/admin/users/${admin.id}/roles/remove`, { role: 'admin', unitId: String(province) });
    assert.equal(drop.status, 400);
    assertHas(drop.html, /không tự bỏ quyền quản trị/);
  });

  it('manages officers still holding roles on the units Đồng Nai replaced (Bình Phước 2022)', async () => {
    const old = await officerOn(env.db, [{ role: 'specialist', unitCode: '25309', on: '2022-08-15' }], 'cu');
    const page = await client.get(`/office/admin/users/${old.id}`);
    assert.equal(page.status, 200);
    assertHas(page.html, /Khóa tài khoản/);
  });

  it('stops', async () => {
    await web.close();
  });
});
