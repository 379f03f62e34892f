import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { summaryOf } from '../admin/support.ts';
import type { CampaignRef } from '../../src/modules/campaigns/campaignQueries.ts';
import { apiClient, auditActions, COMMUNE, makeCampaign, people, register, storedTargets, VILLAGES, type People } from './campaignSupport.ts';

describeEachEngine('targets of a campaign: the grid, the API, the split and the checks', (env) => {
  let web: WebServer;
  let who: People;
  let c: CampaignRef;
  const version = async () => (await env.db.kysely.selectFrom('campaigns').select('version').where('id', '=', c.id).executeTakeFirstOrThrow()).version;
  const checkRow = (html: string, indicator: string) => new RegExp(`<th scope="row">${indicator}</th>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';

  before(async () => {
    web = await startWebServer(env.db);
    who = await people(env.db, web);
    // The weights of a split by adults: three in ấp Phước Tiến, one in ấp Bù Tam, none in the other seven villages.
    await register(env.db, '25309-01', 3);
    await register(env.db, '25309-02', 1);
    c = await makeCampaign(web, who.ids.communeLeader);
  });
  after(async () => {
    await web?.close();
  });

  it('saves the commune’s targets from the grid in one go, audited, and moves the version on', async () => {
    const page = await who.clients.communeLeader.get(`/office/campaigns/${c.id}`);
    assert.match(page.html, /<input type="hidden" name="version" value="1"\/>/);
    const res = await who.clients.communeLeader.post(`/office/campaigns/${c.id}/targets`, {
      unit: COMMUNE,
      version: '1',
      't.25309.smartphone_pct': '80',
      't.25309.service_accounts': '40',
      't.25309.households_visited': '',
    });
    assert.equal(res.status, 303, summaryOf(res.html));
    assert.equal(res.location, `/office/campaigns/${c.id}?unit=25309&done=saved&n=2&d=0#targets`);
    assert.deepEqual((await storedTargets(env.db, c.id))[COMMUNE], { smartphone_pct: 80, service_accounts: 40 });
    assert.equal(await version(), 2);
    assert.deepEqual(await auditActions(env.db, c.id), ['campaign.created', 'campaign.targets_set']);

    const after = await who.clients.communeLeader.get(res.location ?? '');
    assert.match(after.html, /Đã lưu chỉ tiêu: 2 chỉ tiêu được đặt, 0 chỉ tiêu được xoá/);
    assert.match(after.html, /name="t\.25309\.smartphone_pct" type="text" inputmode="decimal" class="short" value="80"/);
    assert.match(checkRow(after.html, 'Người trưởng thành có điện thoại thông minh'), /Còn 9 đơn vị chưa có chỉ tiêu/);
  });

  it('shows a wrong cell next to its input and in the summary, and stores nothing', async () => {
    const res = await who.clients.communeLeader.post(`/office/campaigns/${c.id}/targets`, {
      unit: COMMUNE,
      version: '2',
      't.25309.smartphone_pct': '120',
      't.25309-01.service_accounts': '2,5',
      't.25309-02.service_accounts': '7',
    });
    assert.equal(res.status, 400);
    const summary = summaryOf(res.html);
    assert.match(summary, /Xã Hưng Phước, Người trưởng thành có điện thoại thông minh: nhập tỉ lệ từ 0 đến 100/);
    assert.match(summary, /Ấp Phước Tiến, Tài khoản dịch vụ công: nhập số nguyên không âm/);
    assert.match(res.html, /<a href="#f-t-25309-smartphone_pct">/);
    assert.match(res.html, /id="f-t-25309-smartphone_pct"[^>]*value="120"[^>]*aria-invalid="true"/, 'what was typed comes back');
    assert.deepEqual(Object.keys(await storedTargets(env.db, c.id)), [COMMUNE]);
    assert.equal(await version(), 2);
  });

  it('refuses a form made from an older version with 409 and says why', async () => {
    const res = await who.clients.communeLeader.post(`/office/campaigns/${c.id}/targets`, { unit: COMMUNE, version: '1', 't.25309.smartphone_pct': '60' });
    assert.equal(res.status, 409);
    assert.match(res.html, /Chiến dịch vừa được người khác sửa nên thay đổi của bạn chưa được lưu/);
    assert.match(res.html, /name="version" value="2"/, 'the page shows the latest version');
    assert.equal((await storedTargets(env.db, c.id))[COMMUNE]?.smartphone_pct, 80);
  });

  it('splits the commune’s targets to its villages: counts by adults, percentages copied; then the check is met', async () => {
    const res = await who.clients.communeLeader.post(`/office/campaigns/${c.id}/split`, { unit: COMMUNE, indicator: '', version: '2' });
    assert.equal(res.status, 303, summaryOf(res.html));
    const stored = await storedTargets(env.db, c.id);
    assert.deepEqual(
      VILLAGES.map((v) => stored[v]),
      VILLAGES.map((_, i) => ({ smartphone_pct: 80, service_accounts: i === 0 ? 30 : i === 1 ? 10 : 0 })),
    );
    assert.equal(await version(), 3);
    assert.equal((await auditActions(env.db, c.id)).at(-1), 'campaign.targets_split');
    const page = await who.clients.communeLeader.get(res.location ?? '');
    assert.match(page.html, /Đã chia chỉ tiêu xuống các đơn vị trực thuộc: 18 chỉ tiêu được đặt/);
    assert.match(checkRow(page.html, 'Người trưởng thành có điện thoại thông minh'), /tag ok">Đủ \(80,0%\)/);
    assert.match(checkRow(page.html, 'Tài khoản dịch vụ công'), /tag ok">Đủ \(40\)/);
    assert.match(checkRow(page.html, 'Hộ gia đình đã được đến hỗ trợ'), /Chưa có chỉ tiêu/);

    const nothing = await who.clients.communeLeader.post(`/office/campaigns/${c.id}/split`, { unit: COMMUNE, indicator: 'households_visited', version: '3' });
    assert.equal(nothing.status, 400);
    assert.match(nothing.html, /Xã Hưng Phước chưa có chỉ tiêu để chia/);
  });

  it('sets targets through the API, and a lower village target makes the check short (weighted by adults)', async () => {
    const api = await apiClient(web, who.ids.communeLeader);
    const res = await api.send('PUT', `/api/v1/campaigns/${c.id}/targets`, {
      version: 3,
      targets: [
        { unit: '25309-01', indicator: 'smartphone_pct', target: 50 },
        { unit: '25309-02', indicator: 'service_accounts', target: 5 },
        { unit: '25309-05', indicator: 'service_accounts', target: null },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(res.json, { version: 4, changed: 2, deleted: 1 });
    const page = await who.clients.communeLeader.get(`/office/campaigns/${c.id}`);
    // (50 × 3 + 80 × 1) ÷ 4 = 57.5, short of 80 (the other villages have no adults); ấp Bù Dinh has no count target any more.
    assert.match(checkRow(page.html, 'Người trưởng thành có điện thoại thông minh'), /tag late">Chưa đủ: 57,5%/);
    assert.match(checkRow(page.html, 'Tài khoản dịch vụ công'), /Còn 1 đơn vị chưa có chỉ tiêu/);

    const stale = await api.send('PUT', `/api/v1/campaigns/${c.id}/targets`, { version: 3, targets: [{ unit: '25309-05', indicator: 'service_accounts', target: 0 }] });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.code, 'campaign.stale');
    assert.equal(stale.json.version, 4);

    const bad = await api.send('PUT', `/api/v1/campaigns/${c.id}/targets`, {
      version: 4,
      targets: [
        { unit: '25308-01', indicator: 'smartphone_pct', target: 50 },
        { unit: '25309-01', indicator: 'on_time_pct', target: 50 },
        { unit: '25309-01', indicator: 'service_accounts', target: 2.5 },
        { unit: '25309-01', indicator: 'smartphone_pct', target: 100.5 },
      ],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'campaign.bad_target');
    assert.deepEqual(
      (bad.json.errors as { path: string }[]).map((e) => e.path),
      ['targets.0.unit', 'targets.1.indicator', 'targets.2.target', 'targets.3.target'],
    );
    assert.equal(await version(), 4);
  });

  it('lets each leader set only the targets of their own units', async () => {
    const village = await apiClient(web, who.ids.villageLeader);
    const own = await village.send('PUT', `/api/v1/campaigns/${c.id}/targets`, { version: 4, targets: [{ unit: '25309-02', indicator: 'households_visited', target: 12 }] });
    assert.equal(own.status, 200, JSON.stringify(own.json));
    const other = await village.send('PUT', `/api/v1/campaigns/${c.id}/targets`, { version: 5, targets: [{ unit: '25309-01', indicator: 'households_visited', target: 12 }] });
    assert.equal(other.status, 403);
    for (const w of ['officer', 'specialist'] as const) {
      const api = await apiClient(web, who.ids[w]);
      assert.equal((await api.send('PUT', `/api/v1/campaigns/${c.id}/targets`, { version: 5, targets: [{ unit: COMMUNE, indicator: 'households_visited', target: 1 }] })).status, 403, w);
    }
    const outside = await apiClient(web, who.ids.outsideLeader);
    assert.equal((await outside.send('PUT', `/api/v1/campaigns/${c.id}/targets`, { version: 5, targets: [{ unit: COMMUNE, indicator: 'households_visited', target: 1 }] })).status, 403);

    // The village leader opens the campaign on their village, and does not see the commune's grid.
    const grid = await who.clients.villageLeader.get(`/office/campaigns/${c.id}`);
    assert.equal(grid.status, 200);
    assert.match(grid.html, /name="t\.25309-02\.households_visited" type="text" inputmode="decimal" class="short" value="12"/);
    assert.doesNotMatch(grid.html, /name="t\.25309-01\./);
    assert.doesNotMatch(grid.html, /name="t\.25309\./);
    assert.equal((await who.clients.villageLeader.get(`/office/campaigns/${c.id}?unit=${COMMUNE}`)).status, 403);
    const refused = await who.clients.villageLeader.post(`/office/campaigns/${c.id}/split`, { unit: COMMUNE, indicator: '', version: '5' });
    assert.equal(refused.status, 403);

    const officer = await who.clients.officer.get(`/office/campaigns/${c.id}`);
    assert.equal(officer.status, 200);
    assert.doesNotMatch(officer.html, /<input[^>]*name="t\./, 'an officer sees the targets as text');
    assert.match(officer.html, /chỉ lãnh đạo hoặc quản trị của đơn vị mới nhập chỉ tiêu/);
    assert.equal((await who.clients.officer.post(`/office/campaigns/${c.id}/targets`, { unit: COMMUNE, version: '5', 't.25309.smartphone_pct': '1' })).status, 403);
    assert.equal((await who.clients.specialist.get(`/office/campaigns/${c.id}`)).status, 403);
    assert.equal((await who.clients.member.get(`/office/campaigns/${c.id}`)).status, 403);
    assert.equal((await storedTargets(env.db, c.id))[COMMUNE]?.households_visited, undefined);
  });

  it('drills down from the commune to a village and links to the dashboard', async () => {
    const page = await who.clients.provinceLeader.get(`/office/campaigns/${c.id}?unit=25309-01`);
    assert.equal(page.status, 200);
    assert.match(page.html, new RegExp(`href="/office/campaigns/${c.id}\\?unit=25309">↑ Lên Xã Hưng Phước</a>`));
    assert.match(page.html, new RegExp(`href="/office/dashboard\\?unit=25309-01&amp;campaign=${c.id}"`));
    const commune = await who.clients.provinceLeader.get(`/office/campaigns/${c.id}`);
    assert.match(commune.html, new RegExp(`href="/office/campaigns/${c.id}\\?unit=25309-01"[^>]*>Ấp Phước Tiến</a>`));
    assert.doesNotMatch(commune.html, /↑ Lên/, 'the province is not in the campaign');
  });
});
