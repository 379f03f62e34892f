import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { officerOn, signedIn, type Client } from '../admin/support.ts';
import { onlineDossier } from '../office/helpers.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import { actOnDossier } from '../../src/modules/dossiers/service.ts';
import type { FieldMeta } from '../../src/modules/teams/schema.ts';
import { residentFieldsOf } from '../../src/modules/teams/records.ts';
import { SITE_CSS } from '../../src/web/render.tsx';
import { STEP_CARDS } from '@causo/field/cards';
import { OTHER_VILLAGE, VILLAGE, seedField, type FieldFixture } from './support.ts';

describeEachEngine('back-office pages of the community digital technology teams', (env) => {
  let web: WebServer;
  let f: FieldFixture;
  const users: Record<string, { id: number; username: string }> = {};
  const clients: Record<string, Client> = {};

  before(async () => {
    web = await startWebServer(env.db);
    f = await seedField(env.db, web.ctx);
    const make = async (key: string, roles: Parameters<typeof officerOn>[1]) => {
      users[key] = await officerOn(env.db, roles, key.toLowerCase());
      clients[key] = await signedIn(web, users[key].id);
    };
    await make('leader', [{ role: 'leader', unitCode: '25309' }]);
    await make('communeAdmin', [{ role: 'admin', unitCode: '25309' }]);
    await make('provinceAdmin', [{ role: 'admin', unitCode: '75' }]);
    await make('outsideLeader', [{ role: 'leader', unitCode: '25308' }]);
    await make('outsideAdmin', [{ role: 'admin', unitCode: '25308' }]);
    await make('officer', [{ role: 'officer', unitCode: '25309' }]);
    await make('villageOfficer', [{ role: 'officer', unitCode: VILLAGE }]);
    await make('specialist', [{ role: 'specialist', unitCode: '25309' }]);
    clients.member = await signedIn(web, f.member.id);
  });
  after(async () => {
    await web?.close();
  });

  const auditCount = async (action: string, entityId?: string) =>
    (
      await env.db.kysely
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', action)
        .$if(entityId !== undefined, (q) => q.where('entity_id', '=', entityId ?? ''))
        .execute()
    ).length;

  it('lists the teams of the villages under the supervisor, with their figures', async () => {
    const res = await clients.leader!.get('/office/teams');
    assert.equal(res.status, 200);
    assert.match(res.html, /Ấp Phước Tiến/);
    assert.doesNotMatch(res.html, /Khu phố Thanh Xuân/, 'a team of another commune is listed');
    // members 1, households 2, residents 4, visits in 30 days 1, open blockers 2, overdue follow-ups 1
    const row = /<tr><th scope="row"><a href="\/office\/teams\/25309-01">Ấp Phước Tiến<\/a><\/th>(.*?)<\/tr>/.exec(res.html)?.[1] ?? '';
    const cells = [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]?.replace(/<[^>]+>/g, ''));
    assert.deepEqual(cells.slice(1, 7), ['1', '2', '4', '1', '2', '1']);
    assert.match(cells[7] ?? '', /24\/11\/2026 17:00/);
    assert.match(res.html, /href="\/office\/teams\/conflicts"/);
    assert.match(res.html, /href="\/office\/teams">Tổ CNSCĐ<\/a>/, 'the office menu links to the teams');

    const outside = await clients.outsideLeader!.get('/office/teams');
    assert.match(outside.html, /Khu phố Thanh Xuân/);
    assert.doesNotMatch(outside.html, /Ấp Phước Tiến/);
  });

  it('refuses specialists and team members, and sends visitors to sign in', async () => {
    for (const who of ['specialist', 'member'] as const) {
      for (const path of ['/office/teams', `/office/teams/${VILLAGE}`, '/office/teams/conflicts']) {
        const res = await clients[who]!.get(path);
        assert.equal(res.status, 403, `${path} as ${who}`);
      }
    }
    const anon = await fetch(`${web.baseUrl}/office/teams`, { redirect: 'manual' });
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get('location') ?? '', /^\/office\/sign-in\?next=/);
  });

  it("shows a team: members and phones, blockers by reason with the portal citizen's name (audited), follow-ups overdue first, readiness", async () => {
    const before = await auditCount('blocker.names_read', VILLAGE);
    const res = await clients.leader!.get(`/office/teams/${VILLAGE}`);
    assert.equal(res.status, 200);
    assert.match(res.html, /<h1>Tổ CNSCĐ ấp Phước Tiến<\/h1>/);
    assert.match(res.html, /Samsung A05 của Hoa/);
    assert.match(res.html, /Đang dùng/);
    assert.doesNotMatch(res.html, /Báo mất máy<\/button>/, 'a leader may not mark phones lost');
    assert.match(res.html, /SIM không đứng tên mình/);
    assert.match(res.html, /Không có điện thoại thông minh/);
    assert.match(res.html, /K’Ho Văn Đức/, 'the name the citizen gave on the portal');
    assert.match(res.html, /Hộ Thị Mai/);
    assert.equal(await auditCount('blocker.names_read', VILLAGE), before + 1, 'showing a portal name is audited');
    const overdueAt = res.html.indexOf('Quay lại giúp thanh toán tiền điện');
    const laterAt = res.html.indexOf('Hẹn hướng dẫn cài VNeID');
    assert.ok(overdueAt > 0 && laterAt > overdueAt, 'the overdue follow-up comes first');
    assert.match(res.html, /20\/11\/2026 <span class="tag late">Quá hạn<\/span>/);
    // 4 residents, 3 adults (the child born 2015 is not): smartphone 2/3, SIM matched 1/3, VNeID 2 1/3.
    assert.match(res.html, /2 hộ, 4 người, trong đó 3 người từ 18 tuổi/);
    assert.match(res.html, /Có điện thoại thông minh<\/th><td class="num">2<\/td><td class="num">66,7%<\/td>/);
    assert.match(res.html, /VNeID mức 2<\/th><td class="num">1<\/td><td class="num">33,3%<\/td>/);

    const admin = await clients.communeAdmin!.get(`/office/teams/${VILLAGE}`);
    assert.match(admin.html, /Báo mất máy<\/button>/);
  });

  it("keeps a team from officers of another commune and from village-level officers' conflict pages", async () => {
    assert.equal((await clients.outsideLeader!.get(`/office/teams/${VILLAGE}`)).status, 403);
    assert.equal((await clients.outsideAdmin!.get(`/office/teams/${VILLAGE}`)).status, 403);
    assert.equal((await clients.leader!.get(`/office/teams/${OTHER_VILLAGE}`)).status, 403);
    assert.equal((await clients.leader!.get('/office/teams/99999-99')).status, 404);
    // A one-stop officer of the village may see its team, but settling conflicts needs the commune or above.
    assert.equal((await clients.villageOfficer!.get(`/office/teams/${VILLAGE}`)).status, 200);
    assert.equal((await clients.villageOfficer!.get('/office/teams/conflicts')).status, 403);
  });

  it('lets only an administrator of the subtree mark a phone lost: status, sessions ended, audited', async () => {
    const path = `/office/teams/${VILLAGE}/devices/${f.deviceId}/lost`;
    for (const who of ['outsideAdmin', 'leader', 'officer', 'member'] as const) assert.equal((await clients[who]!.post(path, {})).status, 403, who);
    const noCsrf = await fetch(`${web.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: clients.communeAdmin!.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    assert.equal(noCsrf.status, 403);
    let device = await env.db.kysely.selectFrom('devices').selectAll().where('id', '=', f.deviceId).executeTakeFirstOrThrow();
    assert.equal(device.status, 'active');
    assert.equal((await env.db.kysely.selectFrom('sessions').select('token_hash').where('device_id', '=', f.deviceId).execute()).length, 1);

    const done = await clients.communeAdmin!.post(path, {});
    assert.equal(done.status, 303);
    assert.equal(done.location, `/office/teams/${VILLAGE}?done=device_lost`);
    device = await env.db.kysely.selectFrom('devices').selectAll().where('id', '=', f.deviceId).executeTakeFirstOrThrow();
    assert.equal(device.status, 'lost');
    assert.equal(device.lost_marked_by, users.communeAdmin!.id);
    assert.equal(device.lost_marked_at?.toISOString(), web.ctx.now().toISOString());
    assert.equal((await env.db.kysely.selectFrom('sessions').select('token_hash').where('device_id', '=', f.deviceId).execute()).length, 0, "the phone's sessions are gone");
    const entry = await env.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'device.marked_lost').where('entity_id', '=', f.deviceId).executeTakeFirstOrThrow();
    assert.equal(entry.actor_id, users.communeAdmin!.id);
    // The member's phone session no longer opens pages.
    const phone = await fetch(`${web.baseUrl}/office/account`, { redirect: 'manual', headers: { cookie: `causo_session=${f.sessionToken}` } });
    assert.equal(phone.status, 303);

    const page = await clients.communeAdmin!.get(done.location ?? '');
    assert.match(page.html, /Đã báo mất máy/);
    assert.match(page.html, /Đã báo mất/);
    const again = await clients.provinceAdmin!.post(path, {});
    assert.equal(again.status, 409);
    assert.equal(await auditCount('device.marked_lost', f.deviceId), 1);
    assert.equal((await clients.communeAdmin!.post(`/office/teams/${VILLAGE}/devices/${randomUUID()}/lost`, {})).status, 404);
  });

  it('lists open conflicts with both values, for supervisors of the commune or above only', async () => {
    const before = await auditCount('conflict.values_read');
    const res = await clients.leader!.get('/office/teams/conflicts');
    assert.equal(res.status, 200);
    assert.match(res.html, /Điểu Văn Lực: Tên chủ hộ/);
    assert.match(res.html, /Điểu Văn Lộc \(sửa lúc 21\/11\/2026 08:00, bởi /);
    assert.match(res.html, /0987654321/);
    assert.equal(await auditCount('conflict.values_read'), before + 1, 'showing personal values is audited');
    const outside = await clients.outsideLeader!.get('/office/teams/conflicts');
    assert.equal(outside.status, 200);
    assert.doesNotMatch(outside.html, /Điểu Văn Lộc/);
    assert.equal((await clients.outsideLeader!.post(`/office/teams/conflicts/${f.conflicts.headName}`, { resolution: 'other', version: '1' })).status, 403);
    assert.equal((await clients.specialist!.post(`/office/teams/conflicts/${f.conflicts.headName}`, { resolution: 'other', version: '1' })).status, 403);
    assert.equal((await clients.leader!.post(`/office/teams/conflicts/${f.conflicts.headName}`, { version: '1' })).status, 400);
    assert.equal((await clients.leader!.post('/office/teams/conflicts/999999', { resolution: 'kept', version: '1' })).status, 404);
  });

  const changes = async (entity: string, entityId: string | number) =>
    (await env.db.kysely.selectFrom('sync_changes').select(['unit_id']).where('entity', '=', entity).where('entity_id', '=', String(entityId)).execute()).map((r) => r.unit_id);

  it('uses the other value of a household field: new version, field metadata, search, change log, audit', async () => {
    const id = f.conflicts.headName;
    const res = await clients.leader!.post(`/office/teams/conflicts/${id}`, { resolution: 'other', version: '1' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/office/teams/conflicts?done=conflict_other');
    const h = await env.db.kysely.selectFrom('households').selectAll().where('id', '=', f.householdId).executeTakeFirstOrThrow();
    assert.equal((h.data as { headName: string }).headName, 'Điểu Văn Lộc');
    assert.equal(h.version, 2);
    assert.deepEqual((h.field_meta as FieldMeta).headName, { v: 2, at: web.ctx.now().toISOString(), env: null, dev: null });
    assert.match(h.search, /dieu van loc/);
    const c = await env.db.kysely.selectFrom('sync_conflicts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(c.status, 'resolved');
    assert.equal(c.resolution, 'other');
    assert.equal(c.version, 2);
    assert.equal(c.resolved_by, users.leader!.id);
    assert.deepEqual(await changes('household', f.householdId), [f.villageId]);
    assert.deepEqual(await changes('conflict', id), [f.villageId]);
    assert.equal(await auditCount('conflict.resolved', String(id)), 1);
    // Settled once: the same form again is stale.
    const again = await clients.communeAdmin!.post(`/office/teams/conflicts/${id}`, { resolution: 'kept', version: '1' });
    assert.equal(again.status, 409);
    assert.match(again.html, /vừa được người khác xử lý/);
    assert.equal((await env.db.kysely.selectFrom('households').select('version').where('id', '=', f.householdId).executeTakeFirstOrThrow()).version, 2);
  });

  it('uses the other value of a personal field: re-sealed, lookup hashes recomputed', async () => {
    const id = f.conflicts.phones;
    const res = await clients.provinceAdmin!.post(`/office/teams/conflicts/${id}`, { resolution: 'other', version: '1' });
    assert.equal(res.status, 303);
    const r = await env.db.kysely.selectFrom('residents').selectAll().where('id', '=', f.residentId).executeTakeFirstOrThrow();
    assert.deepEqual(residentFieldsOf(web.ctx.vault, r).phones, ['0987654321']);
    assert.equal(residentFieldsOf(web.ctx.vault, r).idNumber, '070185000123', 'other personal fields are kept');
    assert.deepEqual(r.phone_hashes, [web.ctx.vault.lookupHash('phone', '0987654321')]);
    assert.equal(r.id_hash, web.ctx.vault.lookupHash('id', '070185000123'));
    assert.doesNotMatch(r.personal_sealed, /0987654321/);
    assert.equal(r.version, 2);
    assert.equal((r.field_meta as FieldMeta).phones?.v, 2);
    assert.deepEqual(await changes('resident', f.residentId), [f.villageId]);
  });

  it('keeps the current value: the record is untouched, the conflict is settled and logged', async () => {
    const id = f.conflicts.fullName;
    const res = await clients.leader!.post(`/office/teams/conflicts/${id}`, { resolution: 'kept', version: '1' });
    assert.equal(res.status, 303);
    const r = await env.db.kysely.selectFrom('residents').selectAll().where('id', '=', f.residentId).executeTakeFirstOrThrow();
    assert.equal((r.data as { fullName: string }).fullName, 'Điểu Thị Hoa');
    assert.equal(r.version, 2, 'unchanged since the phones were settled');
    assert.equal((await changes('resident', f.residentId)).length, 1, 'no new change for the resident');
    assert.deepEqual(await changes('conflict', id), [f.villageId]);
    const c = await env.db.kysely.selectFrom('sync_conflicts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(c.resolution, 'kept');
    assert.equal(c.version, 2);
    assert.equal(await auditCount('conflict.resolved', String(id)), 1);
    const page = await clients.leader!.get('/office/teams/conflicts?done=conflict_kept');
    assert.match(page.html, /Đã giữ giá trị hiện tại/);
    assert.match(page.html, /Không có xung đột nào cần xử lý/);
  });

  it('serves the step cards to everyone, one printable A4 page each, in both languages', async () => {
    const index = await fetch(`${web.baseUrl}/step-cards`);
    assert.equal(index.status, 200);
    const html = await index.text();
    for (const c of STEP_CARDS) assert.match(html, new RegExp(`href="/step-cards/${c.slug}"`));
    assert.equal(STEP_CARDS.length, 5);
    // The content is shared with the field app; the SIM card is the one that says 1414.
    const simCard = STEP_CARDS.find((c) => c.stepsVi.some((s) => s.includes('1414')));
    assert.ok(simCard, 'a card tells how to check the SIM with TTTB to 1414');
    const sim = await (await fetch(`${web.baseUrl}/step-cards/${simCard.slug}`)).text();
    assert.match(sim, /<ol class="steps">/);
    assert.match(sim, /TTTB/);
    assert.match(sim, /1414/);
    assert.match(sim, /class="card-brand">Cầu Số/);
    const en = await (await fetch(`${web.baseUrl}/step-cards/${simCard.slug}?lang=en`)).text();
    assert.ok(en.includes(simCard.titleEn.replace(/&/g, '&amp;')), 'the English card');
    assert.match(en, /1414/);
    assert.equal((await fetch(`${web.baseUrl}/step-cards/khong-co`)).status, 404);
    assert.match(SITE_CSS, /@media print\{@page\{size:A4/);
    assert.match(SITE_CSS, /header\.top,footer\.bottom,nav,\.no-print\{display:none\}/);
    assert.match(sim, /href="\/step-cards">Thẻ hướng dẫn<\/a>/, 'the footer links to the cards');
  });

  it('flags an assisted application on the dossier page, in the queue, and counts it in the II.06a report', async () => {
    const { code } = await onlineDossier(web.ctx, {});
    const officer = await loadOfficer(env.db.kysely, users.officer!.id);
    assert.ok(officer);
    await actOnDossier(web.ctx, { officer, ip: '127.0.0.1' }, code, { action: 'receive', transactionId: randomUUID() });
    await env.db.kysely.updateTable('dossiers').set({ assisted_by: f.member.id, assist_mode: 'on_behalf' }).where('code', '=', code).execute();
    const memberName = `Cán bộ ${f.member.username}`;
    const page = await clients.officer!.get(`/office/dossiers/${encodeURIComponent(code)}`);
    assert.equal(page.status, 200);
    assert.ok(page.html.includes(`Hỗ trợ nộp hồ sơ bởi ${memberName} (thay mặt người dân)`), 'the dossier page names the helper');
    const queue = await clients.officer!.get('/office?tab=all');
    assert.ok(queue.html.includes(`Hỗ trợ nộp hồ sơ bởi ${memberName} (thay mặt người dân)`), 'the queue row names the helper');
    const report = await clients.leader!.get('/office/reports/ii06a?unit=25309&from=2026-11-15&to=2026-12-14');
    assert.equal(report.status, 200);
    assert.match(report.html, /Trong đó hồ sơ trực tuyến được tổ CNSCĐ hỗ trợ nộp: 1</);
    const earlier = await clients.leader!.get('/office/reports/ii06a?unit=25309&from=2026-10-15&to=2026-11-14');
    assert.match(earlier.html, /Trong đó hồ sơ trực tuyến được tổ CNSCĐ hỗ trợ nộp: 0</);
  });
});
