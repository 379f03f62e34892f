/**
 * What other modules and the routes call: open a unit's dashboard for an officer (authorized,
 * with defaults for the campaign and the period), and keep the register figures fresh.
 *
 * Who sees dashboards: leaders, administrators and one-stop officers, each for the subtree of
 * the units they hold the role on (a role on a district covers its communes and villages).
 */
import { sql } from 'kysely';
import { addDays, daysBetween, isLocalDate, localDateOf, type IndicatorKey } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Db, Trx } from '../../db/database.ts';
import { notFound, Problem } from '../../http/problem.ts';
import { rootsFor, type Officer, type OfficerRole } from '../auth/service.ts';
import { cachedView, countersChanged, viewGeneration } from '../reports/viewCache.ts';
import { campaignsConcerning, type CampaignRef } from './campaignQueries.ts';
import { buildDashboard, toUnit, unitColumns, type Dashboard, type DashboardUnit } from './dashboard.ts';
import type { Period } from './inputs.ts';
import { recountAllVillages, refreshRegisterFigures } from './registerFigures.ts';

type Kdb = Db['kysely'] | Trx;

export const DASHBOARD_ROLES: readonly OfficerRole[] = ['admin', 'leader', 'officer'];
/** Without a campaign or dates, the dashboard shows the last 12 weeks. */
export const DEFAULT_WEEKS = 12;
export const MAX_PERIOD_DAYS = 731;
/**
 * How long a computed dashboard is served to everyone who asks. Writes in this process (sync
 * pushes, dossier actions, target changes) make it stale at once; the time bounds what they
 * cannot see (other processes, bulk imports). A province's dashboard reads a million dossiers'
 * counters and a few hundred thousand visits, so it is computed once for a room of leaders.
 */
export const DASHBOARD_CACHE_MS = 30_000;

export interface DashboardQuery {
  unit?: string | undefined;
  /** A campaign's id; null for no campaign at all; undefined for the one running today, if any. */
  campaign?: number | null | undefined;
  from?: string | undefined;
  to?: string | undefined;
  rank?: IndicatorKey | undefined;
}


/** The unit by code (the version in force on `day`, else the latest), or the officer's widest unit. */
export async function resolveDashboardUnit(db: Kdb, officer: Officer, code: string | undefined, day: string): Promise<DashboardUnit> {
  if (code) {
    const row = await db
      .selectFrom('units')
      .select(unitColumns)
      .where('code', '=', code)
      .orderBy(sql`(valid_from <= ${day}::date AND (valid_to IS NULL OR valid_to >= ${day}::date))`, 'desc')
      .orderBy('valid_from', 'desc')
      .executeTakeFirst();
    if (!row) throw notFound('unit.not_found', `no unit ${code}`);
    return toUnit(row);
  }
  const roots = [...new Set(rootsFor(officer, DASHBOARD_ROLES))];
  if (roots.length === 0) throw new Problem(403, 'auth.forbidden', 'dashboards are for leaders, administrators and officers');
  const row = await db
    .selectFrom('units')
    .select(unitColumns)
    .where('id', 'in', roots)
    .orderBy(sql`array_length(ancestor_ids, 1)`)
    .orderBy(sql`valid_to IS NULL`, 'desc')
    .orderBy('code')
    .executeTakeFirstOrThrow();
  return toUnit(row);
}

/** Direct children of the unit that exist at some time in the period. */
export async function childrenOf(db: Kdb, unitId: number, period: Period): Promise<DashboardUnit[]> {
  const rows = await db
    .selectFrom('units')
    .select(unitColumns)
    .where('parent_id', '=', unitId)
    .where('valid_from', '<=', period.to)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', period.from)]))
    .orderBy('code')
    .execute();
  return rows.map(toUnit);
}

/** The trail from the province down to the unit, for the breadcrumb (drill-up). */
export async function trailOf(db: Kdb, unit: DashboardUnit): Promise<DashboardUnit[]> {
  const rows = await db.selectFrom('units').select(unitColumns).where('id', 'in', unit.ancestorIds).execute();
  const byId = new Map(rows.map((r) => [r.id, toUnit(r)]));
  // ancestor_ids lists the unit first and the province last.
  return [...unit.ancestorIds].reverse().map((id) => byId.get(id)).filter((u): u is DashboardUnit => u !== undefined);
}

export function periodFor(q: Pick<DashboardQuery, 'from' | 'to'>, campaign: CampaignRef | null, today: string): Period {
  if (q.from || q.to) {
    const from = q.from ?? campaign?.startsOn ?? addDays(today, -7 * DEFAULT_WEEKS + 1);
    const to = q.to ?? (campaign ? (campaign.endsOn < today ? campaign.endsOn : today) : today);
    if (!isLocalDate(from) || !isLocalDate(to) || from > to || daysBetween(from, to) > MAX_PERIOD_DAYS) throw new Problem(400, 'campaign.bad_period');
    return { from, to };
  }
  if (campaign) return { from: campaign.startsOn, to: campaign.endsOn < today || campaign.startsOn > today ? campaign.endsOn : today };
  return { from: addDays(today, -7 * DEFAULT_WEEKS + 1), to: today };
}

export interface DashboardView {
  dashboard: Dashboard;
  trail: DashboardUnit[];
  campaigns: CampaignRef[];
}

/** Brings the register figures up to date; moves the view cache on when anything changed. */
export async function refreshFigures(ctx: AppContext): Promise<void> {
  const n = await refreshRegisterFigures(ctx.db, ctx.now());
  if (n > 0) countersChanged();
}

/** The officer holds one of the dashboard roles on the unit or above it (ancestor_ids holds the unit and every ancestor). */
export function canViewUnit(officer: Officer, unit: DashboardUnit): boolean {
  return officer.roles.some((r) => DASHBOARD_ROLES.includes(r.role) && unit.ancestorIds.includes(r.unitId));
}

let lastRefreshAt = 0;
let lastRefreshGeneration = -1;
/**
 * Refreshes the register figures before a dashboard is read, at most once a second unless
 * something was written in this process since (a synced visit shows on the next view).
 */
async function refreshBeforeRead(ctx: AppContext): Promise<void> {
  const now = performance.now();
  if (now - lastRefreshAt < 1_000 && viewGeneration() === lastRefreshGeneration) return;
  lastRefreshAt = now;
  await refreshFigures(ctx);
  lastRefreshGeneration = viewGeneration();
}

/**
 * A unit's dashboard for an officer: 403 without a supervisor role on the unit, 404 for an
 * unknown unit or a campaign that does not concern it. Cached briefly (see viewCache.ts):
 * the unit, its campaigns and its trail as well as the figures, so that a room of leaders
 * opening the same dashboard costs one computation; authorization is checked on every view.
 */
export async function openDashboard(ctx: AppContext, officer: Officer, q: DashboardQuery): Promise<DashboardView> {
  const db = ctx.db.kysely;
  const today = localDateOf(ctx.now());
  for (const d of [q.from, q.to]) if (d !== undefined && !isLocalDate(d)) throw new Problem(400, 'campaign.bad_period');
  const day = q.to ?? today;
  const unit = q.unit
    ? await cachedView(ctx.db, JSON.stringify(['dashboard.unit', q.unit, day]), () => resolveDashboardUnit(db, officer, q.unit, day), { ttlMs: DASHBOARD_CACHE_MS })
    : await resolveDashboardUnit(db, officer, undefined, day);
  if (!canViewUnit(officer, unit)) throw new Problem(403, 'auth.forbidden', 'no dashboard role on this unit');
  await refreshBeforeRead(ctx);
  const { campaigns, trail } = await cachedView(
    ctx.db,
    JSON.stringify(['dashboard.around', unit.id]),
    async () => ({ campaigns: await campaignsConcerning(db, unit), trail: await trailOf(db, unit) }),
    { ttlMs: DASHBOARD_CACHE_MS },
  );
  let campaign: CampaignRef | null = null;
  if (q.campaign === null) campaign = null;
  else if (q.campaign !== undefined) {
    campaign = campaigns.find((c) => c.id === q.campaign) ?? null;
    if (!campaign) throw notFound('campaign.not_found');
  } else {
    campaign = campaigns.find((c) => c.startsOn <= today && c.endsOn >= today) ?? null;
  }
  const period = periodFor(q, campaign, today);
  const key = JSON.stringify(['dashboard', unit.id, campaign?.id ?? null, campaign?.version ?? null, period, q.rank ?? null]);
  const dashboard = await cachedView(ctx.db, key, async () => buildDashboard(db, { unit, children: await childrenOf(db, unit.id, period), period, campaign, rankBy: q.rank }), {
    ttlMs: DASHBOARD_CACHE_MS,
  });
  return { dashboard, trail, campaigns };
}

export const REFRESH_EVERY_MS = 60_000;

/**
 * Keeps the register figures fresh in the background: the changed villages every minute, and
 * every village once a day (people turn 18 without anyone writing). Errors are logged and the
 * next tick tries again.
 */
export function startRegisterRefresher(ctx: AppContext, everyMs = REFRESH_EVERY_MS): { stop: () => Promise<void> } {
  let running: Promise<void> | null = null;
  let lastFullDay = '';
  const tick = () => {
    if (running) return;
    running = (async () => {
      const today = localDateOf(ctx.now());
      if (today !== lastFullDay) {
        await recountAllVillages(ctx.db, ctx.now());
        lastFullDay = today;
        countersChanged();
      } else await refreshFigures(ctx);
    })()
      .catch((err: unknown) => ctx.log.error({ err }, 'register figures refresh failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
