import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSession } from '../../src/modules/auth/sessions.ts';
import type { DashboardResponseT } from '../../src/modules/campaigns/dashboardApi.ts';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { COMMUNE, dashboardWorld, EXPECTED, VILLAGE, type DashboardWorld, type Who } from './dashboardSupport.ts';

describeEachEngine('dashboard JSON API', (env) => {
  let web: WebServer;
  let w: DashboardWorld;

  before(async () => {
    web = await startWebServer(env.db);
    w = await dashboardWorld(env.db, web);
  });
  after(async () => {
    await web?.close();
  });

  const get = async (who: Who | null, path: string) => {
    const headers: Record<string, string> = {};
    if (who) {
      const s = await web.ctx.db.transaction((trx) => createSession(trx, { userId: w.ids[who] }, { ttlHours: 1, ip: '127.0.0.1', userAgent: 'api-test', now: web.ctx.now() }));
      headers.authorization = `Bearer ${s.token}`;
    }
    const res = await fetch(`${web.baseUrl}${path}`, { headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', json: (await res.json()) as Record<string, unknown> };
  };

  it('answers a commune’s dashboard with its indicators against targets, the villages ranked and the weeks', async () => {
    const res = await get('provinceLeader', `/api/v1/dashboards?unit=${COMMUNE}`);
    assert.equal(res.status, 200);
    const d = res.json as unknown as DashboardResponseT;
    assert.deepEqual(d.unit, { code: COMMUNE, name: 'Xã Hưng Phước', level: 'commune' });
    assert.deepEqual(
      d.trail.map((u) => u.code),
      ['75', COMMUNE],
    );
    assert.deepEqual(d.period, { from: '2026-10-01', to: '2026-11-25' });
    assert.equal(d.campaign?.id, w.campaignId);
    assert.equal(d.campaign?.ownerUnitCode, '75');
    assert.equal(d.campaign?.coversUnit, true);
    assert.equal(d.rankBy, 'smartphone_pct');
    assert.deepEqual(
      d.indicators.map((i) => i.indicator),
      ['smartphone_pct', 'sim_owner_pct', 'online_share_pct', 'households_visited', 'open_blockers'],
    );
    const smartphone = d.indicators[0];
    assert.ok(smartphone);
    assert.equal(smartphone.kind, 'percent');
    assert.equal(smartphone.name.vi, 'Người trưởng thành có điện thoại thông minh');
    assert.equal(smartphone.numerator, EXPECTED.smartphone.numerator);
    assert.equal(smartphone.denominator, EXPECTED.smartphone.denominator);
    assert.ok(Math.abs((smartphone.value ?? 0) - 200 / 3) < 1e-9);
    assert.equal(smartphone.target, 80);
    assert.ok(Math.abs((smartphone.percentOfTarget ?? 0) - 250 / 3) < 1e-9);
    assert.equal(smartphone.met, false);
    assert.deepEqual(smartphone.targetCheck, { status: 'incomplete', missing: 7 });
    const online = d.indicators.find((i) => i.indicator === 'online_share_pct');
    assert.equal(online?.value, null, 'no dossiers: null, never 0');

    assert.equal(d.children.length, 9);
    assert.equal(d.children[0]?.unit?.code, VILLAGE);
    assert.equal(d.children[0]?.rank, 1);
    assert.equal(d.children[1]?.rank, null, 'a village without data is not ranked');
    assert.equal(d.own, null);
    assert.equal(d.total.unit?.code, COMMUNE);
    assert.equal(d.total.cells.find((c) => c.indicator === 'households_visited')?.value, EXPECTED.visited);
    assert.equal(d.weeks.length, 9);
    assert.deepEqual(d.weeks[8]?.values.find((v) => v.indicator === 'open_blockers'), { indicator: 'open_blockers', value: EXPECTED.openBlockers });
    assert.deepEqual(d.openBlockersByReason, { sim_not_owner: 1, no_smartphone: 1, no_coverage: 0, no_id_card: 0, language: 0, other: 0 });
    assert.match(d.generatedAt, /^2026-11-25T02:00:00/);
  });

  it('takes a period, no campaign, and a rank', async () => {
    const res = await get('communeLeader', `/api/v1/dashboards?unit=${COMMUNE}&campaign=none&from=2026-11-16&to=2026-11-22&rank=open_blockers`);
    assert.equal(res.status, 200);
    const d = res.json as unknown as DashboardResponseT;
    assert.equal(d.campaign, null);
    assert.equal(d.indicators.length, 12);
    assert.equal(d.rankBy, 'open_blockers');
    assert.equal(d.weeks.length, 1);
    assert.equal(d.children[d.children.length - 1]?.unit?.code, VILLAGE, 'fewest open blockers first');
    // Without a unit: the caller's widest unit.
    const mine = await get('communeLeader', '/api/v1/dashboards');
    assert.equal((mine.json as unknown as DashboardResponseT).unit.code, COMMUNE);
  });

  it('answers problems: 401 without a session, 403 outside the subtree or for a specialist, 400 for a bad period', async () => {
    assert.equal((await get(null, `/api/v1/dashboards?unit=${COMMUNE}`)).status, 401);
    for (const who of ['outsideLeader', 'specialist'] as const) {
      const res = await get(who, `/api/v1/dashboards?unit=${COMMUNE}`);
      assert.equal(res.status, 403, who);
      assert.equal(res.json.code, 'auth.forbidden');
    }
    for (const q of ['from=2026-11-30&to=2026-11-01', 'from=2026-02-30', 'from=2020-01-01&to=2026-11-01']) {
      const res = await get('communeLeader', `/api/v1/dashboards?unit=${COMMUNE}&${q}`);
      assert.equal(res.status, 400, q);
      assert.match(res.type, /^application\/problem\+json/);
      assert.equal(res.json.code, 'campaign.bad_period');
    }
    assert.equal((await get('communeLeader', `/api/v1/dashboards?unit=${COMMUNE}&from=tomorrow`)).json.code, 'request.invalid');
    assert.equal((await get('communeLeader', `/api/v1/dashboards?unit=${COMMUNE}&campaign=999999`)).json.code, 'campaign.not_found');
  });

  it('is described in the OpenAPI document', async () => {
    const res = await fetch(`${web.baseUrl}/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, { get?: { parameters?: { name: string }[]; responses?: Record<string, unknown> } }> };
    const op = doc.paths['/api/v1/dashboards']?.get;
    assert.ok(op, 'the route is in the document');
    assert.deepEqual(op.parameters?.map((p) => p.name).sort(), ['campaign', 'from', 'rank', 'to', 'unit']);
    assert.ok(op.responses?.['200']);
  });
});
