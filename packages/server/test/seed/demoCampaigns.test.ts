/**
 * The demo's campaign: the province's "92 days and nights" of autumn 2026 over the three
 * communes that took over Bù Đốp, a target for every unit down to the village that adds up
 * level by level, and register figures with a past, so the weekly trend shows the teams' work.
 */
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { checkChildTargets, INDICATORS, type IndicatorKey } from '@causo/domain';
import { describeEachEngine } from '../support/engines.ts';
import { testContext, TestClock } from '../support/fixtures.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { DEMO_TEAM_COMMUNES, demoVillages, THUY_DONG_CODE } from '../../src/seed/demoTeams.ts';
import { DEMO_CAMPAIGN, DEMO_CAMPAIGN_INDICATORS, seedDemoCampaigns, weightFor } from '../../src/seed/demoCampaigns.ts';
import { recountVillages } from '../../src/modules/campaigns/registerFigures.ts';
import { findCampaign } from '../../src/modules/campaigns/campaignQueries.ts';
import { openDashboard } from '../../src/modules/campaigns/service.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import type { Db } from '../../src/db/database.ts';

const NOW = new Date('2026-11-25T09:00:00+07:00');
const TODAY = '2026-11-25';

async function campaignId(db: Db): Promise<number> {
  return (await db.kysely.selectFrom('campaigns').select('id').where('name', '=', DEMO_CAMPAIGN.name).executeTakeFirstOrThrow()).id;
}

/** The register of every demo village (and of each commune and the province, added up) at the end of `day`. */
async function registerOn(db: Db, day: string): Promise<Map<number, { adults: number; households: number; smartphone: number; vneid2: number }>> {
  const { rows } = await sql<{ id: number; adults: string; households: string; smartphone: string; vneid2: string }>`
    SELECT a.id, sum(r.adults) AS adults, sum(r.households) AS households, sum(r.smartphone) AS smartphone, sum(r.vneid2) AS vneid2
    FROM register_days r JOIN units v ON v.id = r.unit_id JOIN units a ON a.id = ANY(v.ancestor_ids)
    WHERE r.day <= ${day}::date GROUP BY a.id`.execute(db.kysely);
  return new Map(rows.map((r) => [r.id, { adults: Number(r.adults), households: Number(r.households), smartphone: Number(r.smartphone), vneid2: Number(r.vneid2) }]));
}

async function registerRows(db: Db): Promise<unknown[]> {
  return (await sql`SELECT * FROM register_days ORDER BY unit_id, day`.execute(db.kysely)).rows;
}

describeEachEngine('the demo campaign', (env) => {
  const ctx = () => testContext(env.db, new TestClock(NOW));

  before(async () => {
    await seedDemo(ctx(), 4);
  });

  it('is the province’s 92-day campaign under way over the three communes, owned by the demo administrator', async () => {
    const c = await findCampaign(env.db.kysely, await campaignId(env.db));
    assert.ok(c);
    // 92 days that started 56 days before the demo was seeded (2026-11-25 here).
    assert.equal(c.startsOn, '2026-09-30');
    assert.equal(c.endsOn, '2026-12-30');
    assert.equal(c.unitCode, '75');
    assert.deepEqual(c.indicators, [...DEMO_CAMPAIGN_INDICATORS]);
    const covered = await env.db.kysely.selectFrom('units').select('code').where('id', 'in', c.coveredUnitIds).execute();
    assert.deepEqual(covered.map((u) => u.code).sort(), [...DEMO_TEAM_COMMUNES].sort());
    const owner = await env.db.kysely.selectFrom('campaigns as c').innerJoin('users as u', 'u.id', 'c.created_by').select('u.username').where('c.id', '=', c.id).executeTakeFirstOrThrow();
    assert.equal(owner.username, 'admin');
  });

  it('gives the province, every commune and every village a target for each indicator, and the children’s targets add up to their parent’s', async () => {
    const id = await campaignId(env.db);
    const villages = await demoVillages(env.db.kysely);
    const units = await env.db.kysely.selectFrom('units').select(['id', 'code', 'parent_id']).where('id', 'in', [...villages.map((v) => v.id)]).execute();
    const communes = await env.db.kysely.selectFrom('units').select(['id', 'parent_id']).where('code', 'in', [...DEMO_TEAM_COMMUNES]).where('valid_to', 'is', null).execute();
    const provinceId = communes[0]?.parent_id ?? 0;
    const rows = await env.db.kysely.selectFrom('campaign_targets').select(['unit_id', 'indicator', 'target']).where('campaign_id', '=', id).execute();
    const target = (unit: number, key: IndicatorKey) => {
      const r = rows.find((x) => x.unit_id === unit && x.indicator === key);
      return r ? Number(r.target) : null;
    };
    assert.equal(rows.length, (1 + communes.length + villages.length) * DEMO_CAMPAIGN_INDICATORS.length);
    assert.equal(target(provinceId, 'smartphone_pct'), 85);
    assert.equal(target(provinceId, 'blocker_median_days'), 7);
    const register = await registerOn(env.db, TODAY);
    const province = register.get(provinceId);
    assert.ok(province);
    assert.equal(target(provinceId, 'households_visited'), Math.round(0.8 * province.households));

    const parents = [{ id: provinceId, children: communes.map((c) => c.id) }, ...communes.map((c) => ({ id: c.id, children: units.filter((u) => u.parent_id === c.id).map((u) => u.id) }))];
    let above = 0;
    for (const p of parents)
      for (const key of DEMO_CAMPAIGN_INDICATORS) {
        const parentTarget = target(p.id, key);
        assert.notEqual(parentTarget, null);
        const children = p.children.map((c) => ({ unitId: c, target: target(c, key), weight: weightFor(key, register.get(c) ?? { adults: 0, households: 0 }) }));
        const check = checkChildTargets(INDICATORS[key], parentTarget ?? 0, children);
        assert.equal(check.status, 'ok', `${key} under unit ${p.id}: ${JSON.stringify(check)}`);
        if (check.status === 'ok' && check.combined !== parentTarget) above += 1;
      }
    // The villages with a raised target make a few checks pass with room to spare.
    assert.ok(above >= 3, `${above} checks above their parent`);
    const thuyDong = units.find((u) => u.code === THUY_DONG_CODE);
    assert.ok(thuyDong);
    assert.equal(target(thuyDong.id, 'smartphone_pct'), 90);
    assert.equal(target(thuyDong.id, 'households_visited'), 236);
  });

  it('rebuilds the register’s past so that it adds up today to what the recount computes', async () => {
    const villages = (await demoVillages(env.db.kysely)).map((v) => v.id);
    const before = await registerRows(env.db);
    await env.db.transaction((trx) => recountVillages(trx, villages, NOW));
    assert.deepEqual(await registerRows(env.db), before);
    assert.equal(Number((await sql<{ n: string }>`SELECT count(*) AS n FROM register_dirty`.execute(env.db.kysely)).rows[0]?.n), 0);
  });

  it('shows the teams’ work in the weekly trend: households registered early in the campaign, readiness rising with the visits', async () => {
    const communes = await env.db.kysely.selectFrom('units').select('parent_id').where('code', '=', DEMO_TEAM_COMMUNES[0]).where('valid_to', 'is', null).executeTakeFirstOrThrow();
    const provinceId = communes.parent_id ?? 0;
    const at = async (day: string) => (await registerOn(env.db, day)).get(provinceId) ?? { adults: 0, households: 0, smartphone: 0, vneid2: 0 };
    const [start, mid, end] = [await at('2026-08-31'), await at('2026-10-01'), await at(TODAY)];
    assert.ok(start.households < end.households, `households ${start.households} → ${end.households}`);
    assert.equal(mid.households, end.households, 'every household registered by October');
    assert.ok(end.smartphone > mid.smartphone, `smartphones ${mid.smartphone} → ${end.smartphone}`);
    assert.ok(end.vneid2 - mid.vneid2 >= 0.05 * end.vneid2, `VNeID level 2 ${mid.vneid2} → ${end.vneid2}`);
  });

  it('opens on a commune’s dashboard for the demo administrator, with the campaign, its targets and every check of the villages’ targets passing', async () => {
    const admin = await env.db.kysely.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    const officer = await loadOfficer(env.db.kysely, admin.id);
    assert.ok(officer);
    const { dashboard } = await openDashboard(ctx(), officer, { unit: DEMO_TEAM_COMMUNES[0] });
    assert.equal(dashboard.campaign?.name, DEMO_CAMPAIGN.name);
    assert.ok(dashboard.covered);
    assert.equal(dashboard.total.cells.smartphone_pct.target, 85);
    assert.ok(dashboard.children.length >= 5);
    for (const key of DEMO_CAMPAIGN_INDICATORS) assert.equal(dashboard.targetChecks[key]?.status, 'ok', key);
    const rising = dashboard.weeks.map((w) => w.values.vneid2_pct ?? 0);
    assert.ok((rising[rising.length - 1] ?? 0) > (rising[4] ?? 0), `VNeID level 2 by week: ${rising.join(' ')}`);
  });

  it('seeds nothing twice', async () => {
    const before = await registerRows(env.db);
    const again = await seedDemoCampaigns(ctx());
    assert.equal(again.created, false);
    assert.equal(again.campaignId, await campaignId(env.db));
    assert.deepEqual(await registerRows(env.db), before);
    const n = await env.db.kysely.selectFrom('campaigns').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1);
  });
});
