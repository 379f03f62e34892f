/**
 * The campaign side of the demo: the province's "92 days and nights" campaign of autumn 2026
 * over the three communes that took over Bù Đốp, with a target for every unit down to the
 * village, and the register figures of past days, so a first start shows a dashboard with
 * progress against targets and a weekly trend that moves.
 *
 * The demo register (demoTeams.ts) is written as if every field had been filled in when the
 * household was first recorded. To give the trend a past, the readiness fields that a visit
 * changed (VNeID activated, account opened, e-wallet installed, SIM checked) or that a
 * resolved blocker fixed (SIM now in own name, a smartphone) are dated, in `field_meta`, to
 * that visit or resolution, as a phone that synced them would have left them. The register
 * figures of past days are then rebuilt from those dates (registerHistory.ts).
 *
 * The province's targets are split down with the domain's `splitTarget` (weighted by adults, or
 * by households for household visits and open blockers), and a few villages get a more
 * ambitious target by hand, so the check of children's targets against the parent's has
 * something to show.
 */
import { sql } from 'kysely';
import { addDays, INDICATORS, localDateOf, localInstant, splitTarget, type IndicatorKey } from '@causo/domain';
import type { AppContext } from '../context.ts';
import type { Trx } from '../db/database.ts';
import { backfillRegisterHistory } from '../modules/campaigns/registerHistory.ts';
import '../modules/campaigns/schema.ts';
import { DEMO_TEAM_COMMUNES, demoVillages, THUY_DONG_CODE } from './demoTeams.ts';

export const DEMO_CAMPAIGN = {
  name: 'Chiến dịch 92 ngày đêm 2026: nâng cao hiệu quả cung cấp, sử dụng dịch vụ công trực tuyến',
  description:
    'Tổ công nghệ số cộng đồng đến từng hộ ở ba xã biên giới Hưng Phước, Thiện Hưng và Tân Tiến: điện thoại thông minh, sim chính chủ, định danh điện tử mức 2, tài khoản dịch vụ công, thanh toán trực tuyến và hỗ trợ nộp hồ sơ trực tuyến.',
  /** The demo officer who owns it: the administrator of the province in force. */
  owner: 'admin',
} as const;

/**
 * The campaign's 92 days, placed around the day the demo is seeded like the field data (which
 * covers the last eight weeks): it started 56 days ago, so a first start always shows a
 * campaign under way, whatever the date. Adopted a week before it started.
 */
export function demoCampaignPeriod(today: string): { startsOn: string; endsOn: string; createdAt: Date } {
  const startsOn = addDays(today, -56);
  return { startsOn, endsOn: addDays(startsOn, 91), createdAt: localInstant(addDays(startsOn, -7), 8 * 60) };
}

export const DEMO_CAMPAIGN_INDICATORS = [
  'smartphone_pct',
  'sim_owner_pct',
  'vneid2_pct',
  'service_accounts',
  'wallet_bank_pct',
  'assisted_applications',
  'online_share_pct',
  'on_time_pct',
  'households_visited',
  'open_blockers',
  'blocker_median_days',
] as const satisfies readonly IndicatorKey[];

/** Figures a unit's targets are split by. */
export interface TargetWeights {
  adults: number;
  households: number;
}

/** Counts about households are split by households; everything else by adults. */
export function weightFor(key: IndicatorKey, w: TargetWeights): number {
  return key === 'households_visited' || key === 'open_blockers' || key === 'blockers_resolved' ? w.households : w.adults;
}

/** The province's targets, from its register at the time (counts scaled to it). */
export function provinceTargets(w: TargetWeights): Record<(typeof DEMO_CAMPAIGN_INDICATORS)[number], number> {
  const tens = (n: number) => Math.max(10, Math.round(n / 10) * 10);
  return {
    smartphone_pct: 85,
    sim_owner_pct: 70,
    vneid2_pct: 60,
    service_accounts: tens(0.4 * w.adults),
    wallet_bank_pct: 50,
    assisted_applications: tens(w.households / 20),
    online_share_pct: 50,
    on_time_pct: 95,
    households_visited: Math.round(0.8 * w.households),
    open_blockers: tens(w.households / 25),
    blocker_median_days: 7,
  };
}

export interface TargetNode extends TargetWeights {
  id: number;
  children: TargetNode[];
}

/**
 * Every unit's targets, from the root's: each unit's target split over its children with
 * `splitTarget` and their weights, level by level. Unit id → indicator → target.
 */
export function splitTargetsDown(root: TargetNode, rootTargets: Partial<Record<IndicatorKey, number>>): Map<number, Map<IndicatorKey, number>> {
  const out = new Map<number, Map<IndicatorKey, number>>();
  const visit = (node: TargetNode, targets: Map<IndicatorKey, number>) => {
    out.set(node.id, targets);
    if (node.children.length === 0) return;
    const shares = new Map<number, Map<IndicatorKey, number>>(node.children.map((c) => [c.id, new Map()]));
    for (const [key, target] of targets) {
      const split = splitTarget(INDICATORS[key], target, node.children.map((c) => ({ unitId: c.id, weight: weightFor(key, c) })));
      for (const [childId, t] of split) shares.get(childId)?.set(key, t);
    }
    for (const c of node.children) visit(c, shares.get(c.id) ?? new Map());
  };
  visit(root, new Map(Object.entries(rootTargets) as [IndicatorKey, number][]));
  return out;
}

/** More ambitious targets set by hand for a few villages (higher where more is better, lower otherwise). */
const RAISED: { village: string; targets: Partial<Record<IndicatorKey, number | 'all_households'>> }[] = [
  { village: THUY_DONG_CODE, targets: { smartphone_pct: 90, vneid2_pct: 70, households_visited: 'all_households', blocker_median_days: 5 } },
  { village: '25308-02', targets: { sim_owner_pct: 80, wallet_bank_pct: 60 } },
  { village: '25318-01', targets: { open_blockers: 0, assisted_applications: 20 } },
];

/** Visit actions and resolved blockers that change a readiness field of the resident. */
const ACTION_FIELDS: [string, string][] = [
  ['installed_vneid', 'vneidLevel'],
  ['activated_vneid_level2', 'vneidLevel'],
  ['opened_public_service_account', 'publicServiceAccount'],
  ['installed_ewallet', 'walletOrBank'],
  ['opened_bank_account', 'walletOrBank'],
  ['checked_sim_owner', 'simOwnership'],
];
const BLOCKER_FIELDS: [string, string][] = [
  ['sim_not_owner', 'simOwnership'],
  ['no_smartphone', 'smartphone'],
];
const pairs = (list: [string, string][]) => sql.join(list.map(([a, b]) => sql`(${sql.lit(a)}, ${sql.lit(b)})`));

/**
 * Dates each readiness field that a visit or a resolved blocker changed to the latest such
 * moment (a new record version, as a synced edit would make). Returns the residents changed.
 * No sync_changes rows: the seed runs before any phone exists, and a pull sends a record's
 * current state anyway.
 */
async function dateFieldChanges(trx: Trx, villageIds: readonly number[]): Promise<number> {
  const ids = sql`${sql.val([...villageIds])}::int[]`;
  const { rows } = await sql<{ n: number }>`
    WITH changes AS (
      SELECT v.resident_id AS id, m.field, v.occurred_at AS at
      FROM visits v CROSS JOIN LATERAL unnest(v.actions) AS a(action)
      JOIN (VALUES ${pairs(ACTION_FIELDS)}) AS m(action, field) ON m.action = a.action
      WHERE v.unit_id = ANY(${ids}) AND v.resident_id IS NOT NULL
      UNION ALL
      SELECT b.resident_id, m.field, b.resolved_at
      FROM blockers b JOIN (VALUES ${pairs(BLOCKER_FIELDS)}) AS m(kind, field) ON m.kind = b.kind
      WHERE b.unit_id = ANY(${ids}) AND b.resident_id IS NOT NULL AND b.resolved_at IS NOT NULL
    ),
    latest AS (SELECT id, field, max(at) AS at FROM changes GROUP BY id, field),
    patch AS (
      SELECT id, max(at) AS last,
        jsonb_object_agg(field, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) AS times
      FROM latest GROUP BY id
    ),
    updated AS (
      UPDATE residents r SET
        version = r.version + 1,
        field_meta = r.field_meta || (
          SELECT jsonb_object_agg(t.key, coalesce(r.field_meta->t.key, '{}'::jsonb) || jsonb_build_object('v', r.version + 1, 'at', t.value, 'env', NULL, 'dev', NULL))
          FROM jsonb_each_text(p.times) t),
        updated_at = greatest(r.updated_at, p.last)
      FROM patch p WHERE r.id = p.id
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM updated`.execute(trx);
  return Number(rows[0]?.n ?? 0);
}

export interface DemoCampaignsResult {
  /** False when the campaign was there already (nothing written). */
  created: boolean;
  campaignId: number;
  targets: number;
  residentsDated: number;
  registerRows: number;
  ms: number;
}

export async function seedDemoCampaigns(ctx: AppContext): Promise<DemoCampaignsResult> {
  const started = Date.now();
  const now = ctx.now();
  const today = localDateOf(now);
  const result = await ctx.db.transaction(async (trx) => {
    const existing = await trx.selectFrom('campaigns').select('id').where('name', '=', DEMO_CAMPAIGN.name).executeTakeFirst();
    if (existing) return { created: false, campaignId: existing.id, targets: 0, residentsDated: 0, registerRows: 0 };
    const owner = await trx.selectFrom('users').select('id').where('username', '=', DEMO_CAMPAIGN.owner).executeTakeFirstOrThrow();
    const communes = await trx
      .selectFrom('units')
      .select(['id', 'code', 'parent_id'])
      .where('code', 'in', [...DEMO_TEAM_COMMUNES])
      .where('level', '=', 'commune')
      .where('valid_to', 'is', null)
      .orderBy('code')
      .execute();
    const provinceId = communes[0]?.parent_id;
    if (provinceId === undefined || provinceId === null || communes.some((c) => c.parent_id !== provinceId)) throw new Error('the demo communes must share a province in force');
    const villages = await demoVillages(trx);
    const villageIds = villages.map((v) => v.id);

    const residentsDated = await dateFieldChanges(trx, villageIds);
    const { rows: registerRows } = await backfillRegisterHistory(trx, villageIds, now);

    // Weights: each village's register today, added up the tree.
    const figures = await sql<{ unit_id: number; adults: string; households: string }>`
      SELECT unit_id, sum(adults) AS adults, sum(households) AS households FROM register_days
      WHERE unit_id = ANY(${sql.val(villageIds)}::int[]) AND day <= ${today}::date GROUP BY unit_id`.execute(trx);
    const byVillage = new Map(figures.rows.map((r) => [r.unit_id, { adults: Number(r.adults), households: Number(r.households) }]));
    const villageParents = await trx.selectFrom('units').select(['id', 'parent_id']).where('id', 'in', villageIds).execute();
    const node = (id: number, children: TargetNode[] = []): TargetNode => {
      const own = byVillage.get(id) ?? { adults: 0, households: 0 };
      return { id, children, adults: own.adults + children.reduce((s, c) => s + c.adults, 0), households: own.households + children.reduce((s, c) => s + c.households, 0) };
    };
    const communeNodes = communes.map((c) =>
      node(
        c.id,
        villageParents.filter((v) => v.parent_id === c.id).sort((a, b) => a.id - b.id).map((v) => node(v.id)),
      ),
    );
    const root = node(provinceId, communeNodes);
    const targets = splitTargetsDown(root, provinceTargets(root));
    const codeOf = new Map(villages.map((v) => [v.code, v.id]));
    for (const raised of RAISED) {
      const id = codeOf.get(raised.village);
      const mine = id === undefined ? undefined : targets.get(id);
      if (!mine) continue;
      for (const [key, value] of Object.entries(raised.targets) as [IndicatorKey, number | 'all_households'][])
        mine.set(key, value === 'all_households' ? (byVillage.get(id ?? 0)?.households ?? 0) : value);
    }

    const dates = demoCampaignPeriod(today);
    const at = dates.createdAt;
    const campaign = await trx
      .insertInto('campaigns')
      .values({
        name: DEMO_CAMPAIGN.name,
        description: DEMO_CAMPAIGN.description,
        starts_on: dates.startsOn,
        ends_on: dates.endsOn,
        unit_id: provinceId,
        indicators: [...DEMO_CAMPAIGN_INDICATORS],
        created_by: owner.id,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('campaign_units')
      .values(communes.map((c) => ({ campaign_id: campaign.id, unit_id: c.id })))
      .execute();
    const rows = [...targets].flatMap(([unitId, m]) => [...m].map(([indicator, target]) => ({ campaign_id: campaign.id, unit_id: unitId, indicator, target, set_by: owner.id, set_at: at })));
    for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('campaign_targets').values(rows.slice(i, i + 1000)).execute();
    return { created: true, campaignId: campaign.id, targets: rows.length, residentsDated, registerRows };
  });
  const ms = Date.now() - started;
  ctx.log.info({ ...result, ms }, 'demo campaign seeded');
  return { ...result, ms };
}
