import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { summaryOf } from '../admin/support.ts';
import { apiClient, auditActions, COMMUNE, makeCampaign, OTHER_COMMUNE, people, PROVINCE, type People } from './campaignSupport.ts';

const FORM = {
  name: '92 ngày đêm: nâng cao hiệu quả cung cấp, sử dụng dịch vụ công trực tuyến',
  description: 'Theo kế hoạch của UBND tỉnh.',
  startsOn: '2026-11-01',
  endsOn: '2027-01-31',
  ownerUnit: COMMUNE,
  coveredUnits: '',
  indicators: ['smartphone_pct', 'service_accounts'],
};

describeEachEngine('creating campaigns', (env) => {
  let web: WebServer;
  let who: People;

  before(async () => {
    web = await startWebServer(env.db);
    who = await people(env.db, web);
  });
  after(async () => {
    await web?.close();
  });

  const campaignsNamed = async (name: string) => env.db.kysely.selectFrom('campaigns').select(['id', 'unit_id', 'indicators']).where('name', '=', name).execute();

  it('a commune leader creates a campaign through the form and lands on its page', async () => {
    const form = await who.clients.communeLeader.get('/office/campaigns/new');
    assert.equal(form.status, 200);
    assert.match(form.html, /92 ngày đêm: nâng cao hiệu quả cung cấp, sử dụng dịch vụ công trực tuyến/, 'the example is the hint');
    assert.match(form.html, /<option value="25309"[^>]*>Xã Hưng Phước \(25309\)<\/option>/);
    assert.doesNotMatch(form.html, /<option value="75"/, 'only units the leader leads are offered');

    const res = await who.clients.communeLeader.post('/office/campaigns/new', { ...FORM, name: 'Chiến dịch của xã Hưng Phước' });
    assert.equal(res.status, 303, summaryOf(res.html));
    const [row] = await campaignsNamed('Chiến dịch của xã Hưng Phước');
    assert.ok(row);
    assert.equal(res.location, `/office/campaigns/${row.id}?done=created`);
    assert.deepEqual(row.indicators, ['smartphone_pct', 'service_accounts']);
    assert.deepEqual(await auditActions(env.db, row.id), ['campaign.created']);

    const page = await who.clients.communeLeader.get(res.location ?? '');
    assert.equal(page.status, 200);
    assert.match(page.html, /Đã tạo chiến dịch/);
    assert.match(page.html, /01\/11\/2026 – 31\/01\/2027/);
    assert.match(page.html, /số người ≥ 18 tuổi có điện thoại thông minh ÷ số người ≥ 18 tuổi × 100/, 'the formula is shown');
    assert.match(page.html, /Toàn bộ Xã Hưng Phước và các đơn vị trực thuộc/);
    assert.match(page.html, /name="t\.25309-03\.service_accounts"/, 'a grid row per village');

    const list = await who.clients.officer.get('/office/campaigns');
    assert.match(list.html, new RegExp(`href="/office/campaigns/${row.id}">Chiến dịch của xã Hưng Phước</a>`), 'an officer of the commune sees it');
    assert.doesNotMatch(list.html, /Tạo chiến dịch/, 'officers do not create campaigns');
    const outside = await who.clients.outsideLeader.get('/office/campaigns');
    assert.doesNotMatch(outside.html, /Chiến dịch của xã Hưng Phước/, 'another commune does not see it');
    assert.match(outside.html, /Tạo chiến dịch/);
  });

  it('shows every mistake of the form at once, linked to its field, and stores nothing', async () => {
    const before = (await env.db.kysely.selectFrom('campaigns').select('id').execute()).length;
    const res = await who.clients.communeLeader.post('/office/campaigns/new', { ...FORM, name: 'ab', startsOn: '2027-02-01', endsOn: '2027-01-31', coveredUnits: '25309-01 25308-01 99999', indicators: [] });
    assert.equal(res.status, 400);
    assert.match(res.html, /<title>Lỗi: /);
    const summary = summaryOf(res.html);
    assert.match(summary, /Nhập tên chiến dịch, từ 3 đến 200 ký tự/);
    assert.match(summary, /Chọn ít nhất một chỉ số theo dõi/);
    assert.match(summary, /Ngày kết thúc phải cùng ngày hoặc sau ngày bắt đầu/, 'the rules between fields are checked in the same answer');
    assert.match(summary, /Không tìm thấy trong Xã Hưng Phước: 25308-01, 99999/);
    assert.match(res.html, /<a href="#f-name">/);
    assert.match(res.html, /<a href="#f-indicators">/);
    assert.match(res.html, /id="f-indicators"/, 'the summary link has a target');
    assert.match(res.html, /value="25309-01 25308-01 99999"/, 'what was typed comes back');

    const en = await who.clients.communeLeader.post('/office/campaigns/new?lang=en', { ...FORM, startsOn: 'tomorrow' });
    assert.equal(en.status, 400);
    assert.match(summaryOf(en.html), /Enter the start date/);

    const reform = await who.clients.communeLeader.post('/office/campaigns/new', { ...FORM, startsOn: '2022-06-01', endsOn: '2022-08-31' });
    assert.match(summaryOf(reform.html), /Xã Hưng Phước chỉ có từ ngày 2025-07-01/, 'the commune did not exist in 2022');
    assert.equal((await env.db.kysely.selectFrom('campaigns').select('id').execute()).length, before);
  });

  it('narrows a campaign to some villages of the owner', async () => {
    const res = await who.clients.communeLeader.post('/office/campaigns/new', { ...FORM, name: 'Hai ấp', coveredUnits: '25309-01, 25309-02' });
    assert.equal(res.status, 303, summaryOf(res.html));
    const [row] = await campaignsNamed('Hai ấp');
    const covered = await env.db.kysely.selectFrom('campaign_units as c').innerJoin('units as u', 'u.id', 'c.unit_id').select('u.code').where('c.campaign_id', '=', row?.id ?? 0).orderBy('u.code').execute();
    assert.deepEqual(
      covered.map((c) => c.code),
      ['25309-01', '25309-02'],
    );
    const page = await who.clients.communeLeader.get(`/office/campaigns/${row?.id}`);
    assert.match(page.html, /name="t\.25309-01\.smartphone_pct"/, 'the first covered village is shown');
    const outside = await who.clients.communeLeader.get(`/office/campaigns/${row?.id}?unit=25309-03`);
    assert.equal(outside.status, 404, 'a village outside the campaign has no targets');
  });

  it('refuses specialists, team members and leaders outside the owner unit', async () => {
    for (const w of ['specialist', 'member', 'officer'] as const) {
      assert.equal((await who.clients[w].get('/office/campaigns/new')).status, 403, `GET as ${w}`);
      assert.equal((await who.clients[w].post('/office/campaigns/new', FORM)).status, 403, `POST as ${w}`);
    }
    for (const w of ['specialist', 'member'] as const) assert.equal((await who.clients[w].get('/office/campaigns')).status, 403, `list as ${w}`);
    const outside = await who.clients.outsideLeader.post('/office/campaigns/new', { ...FORM, name: 'Không được phép' });
    assert.equal(outside.status, 403, 'a leader of 25308 cannot create a campaign owned by 25309');
    assert.deepEqual(await campaignsNamed('Không được phép'), []);
  });

  it('creates through the API, with every rule answered as campaign.bad_input', async () => {
    const body = { ...FORM, coveredUnits: [] as string[] };
    const api = await apiClient(web, who.ids.provinceLeader);
    const created = await api.send('POST', '/api/v1/campaigns', { ...body, ownerUnit: PROVINCE, coveredUnits: [COMMUNE, OTHER_COMMUNE], name: 'Chiến dịch của tỉnh' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal((created.json.ownerUnit as { code: string }).code, PROVINCE);
    assert.equal(created.json.version, 1);
    const id = created.json.id as number;
    assert.deepEqual(await auditActions(env.db, id), ['campaign.created']);

    const read = await api.get(`/api/v1/campaigns/${id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(
      (read.json.coveredUnits as { code: string }[]).map((u) => u.code),
      [OTHER_COMMUNE, COMMUNE],
    );
    assert.equal((read.json.indicatorDefinitions as { key: string; formula: { vi: string } }[])[0]?.key, 'smartphone_pct');

    const bad = await api.send('POST', '/api/v1/campaigns', { ...body, ownerUnit: PROVINCE, name: 'x', endsOn: '2026-10-01', indicators: ['no_such_indicator'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'campaign.bad_input');
    const paths = (bad.json.errors as { path: string; message: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['endsOn', 'indicators', 'name']);

    const order = await api.send('POST', '/api/v1/campaigns', { ...body, ownerUnit: PROVINCE, endsOn: '2026-10-01' });
    assert.equal(order.json.code, 'campaign.bad_input');
    assert.match(JSON.stringify(order.json.errors), /The end date must be the start date or later/);

    const communeApi = await apiClient(web, who.ids.communeLeader);
    const forbidden = await communeApi.send('POST', '/api/v1/campaigns', { ...body, ownerUnit: PROVINCE });
    assert.equal(forbidden.status, 403, 'a commune leader cannot own a province campaign');
    assert.equal(forbidden.json.code, 'auth.forbidden');
    const specialist = await apiClient(web, who.ids.specialist);
    assert.equal((await specialist.send('POST', '/api/v1/campaigns', { bogus: true })).status, 403, 'roles come before the body');

    const list = await communeApi.get(`/api/v1/campaigns?unit=${COMMUNE}`);
    assert.ok((list.json.items as { id: number }[]).some((c) => c.id === id), 'a province campaign concerns its communes');
    const mine = await (await apiClient(web, who.ids.outsideLeader)).get('/api/v1/campaigns');
    assert.ok((mine.json.items as { id: number }[]).some((c) => c.id === id), 'and the other commune it covers');
    assert.equal((await specialist.get(`/api/v1/campaigns/${id}`)).status, 403);

    const doc = (await (await fetch(`${web.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown; tags?: string[] }>> };
    assert.ok(doc.paths['/api/v1/campaigns']?.post?.requestBody, 'the creation body is documented');
    assert.ok(doc.paths['/api/v1/campaigns/{id}/targets']?.put?.requestBody, 'the targets body is documented');
    assert.deepEqual(doc.paths['/api/v1/campaigns/{id}']?.get?.tags, ['campaigns']);
  });

  it('changes a campaign’s name, period and indicators against the version read; the owner and coverage stay', async () => {
    const c = await makeCampaign(web, who.ids.communeLeader, { name: 'Bản nháp' });
    const form = await who.clients.communeAdmin.get(`/office/campaigns/${c.id}/edit`);
    assert.equal(form.status, 200);
    assert.match(form.html, /value="Bản nháp"/);
    assert.doesNotMatch(form.html, /name="ownerUnit"/, 'the owner cannot change');
    const edit = { name: 'Bản chính thức', description: 'Đã duyệt', startsOn: '2026-11-15', endsOn: '2027-02-14', indicators: ['vneid2_pct', 'smartphone_pct'], version: '1' };
    const res = await who.clients.communeAdmin.post(`/office/campaigns/${c.id}/edit`, edit);
    assert.equal(res.status, 303, summaryOf(res.html));
    const row = await env.db.kysely.selectFrom('campaigns').select(['name', 'starts_on', 'ends_on', 'indicators', 'version', 'unit_id']).where('id', '=', c.id).executeTakeFirstOrThrow();
    assert.deepEqual({ ...row, unit_id: undefined }, { name: 'Bản chính thức', starts_on: '2026-11-15', ends_on: '2027-02-14', indicators: ['smartphone_pct', 'vneid2_pct'], version: 2, unit_id: undefined });
    assert.equal(row.unit_id, c.unitId);
    assert.deepEqual(await auditActions(env.db, c.id), ['campaign.created', 'campaign.updated']);
    assert.match((await who.clients.communeAdmin.get(res.location ?? '')).html, /Đã lưu thay đổi của chiến dịch/);

    const stale = await who.clients.communeLeader.post(`/office/campaigns/${c.id}/edit`, { ...edit, name: 'Bản cũ' });
    assert.equal(stale.status, 409);
    assert.match(stale.html, /Chiến dịch vừa được người khác sửa/);
    assert.match(stale.html, /value="Bản chính thức"/, 'the latest version is shown');
    const bad = await who.clients.communeLeader.post(`/office/campaigns/${c.id}/edit`, { ...edit, version: '2', endsOn: '2026-01-01', indicators: [] });
    assert.equal(bad.status, 400);
    assert.match(summaryOf(bad.html), /Chọn ít nhất một chỉ số theo dõi/);
    for (const w of ['officer', 'outsideLeader', 'villageLeader'] as const) {
      assert.equal((await who.clients[w].get(`/office/campaigns/${c.id}/edit`)).status, 403, `GET as ${w}`);
      assert.equal((await who.clients[w].post(`/office/campaigns/${c.id}/edit`, { ...edit, version: '2' })).status, 403, `POST as ${w}`);
    }
    assert.match((await who.clients.communeLeader.get(`/office/campaigns/${c.id}`)).html, /Sửa tên, thời gian hoặc chỉ số của chiến dịch/);
    assert.doesNotMatch((await who.clients.villageLeader.get(`/office/campaigns/${c.id}`)).html, /Sửa tên, thời gian/);
  });

  it('keeps a campaign of one commune from another commune and its leader', async () => {
    const c = await makeCampaign(web, who.ids.communeLeader, { name: 'Chỉ xã Hưng Phước' });
    const outside = await apiClient(web, who.ids.outsideLeader);
    assert.equal((await outside.get(`/api/v1/campaigns/${c.id}`)).status, 404);
    assert.equal((await who.clients.outsideLeader.get(`/office/campaigns/${c.id}`)).status, 404);
    assert.equal((await who.clients.provinceLeader.get(`/office/campaigns/${c.id}`)).status, 200, 'the province sees its communes’ campaigns');
    assert.equal((await who.clients.officer.get('/office/campaigns/999999')).status, 404);
  });
});
