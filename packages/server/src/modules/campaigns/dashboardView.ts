/**
 * Everything the dashboard page shows beyond the dashboard model: which campaign the links
 * keep (a drill-down keeps it only for a child it concerns), and at village level the open
 * blockers of the village and whether it has a team. Authorization is openDashboard's.
 */
import type { AppContext } from '../../context.ts';
import type { Officer } from '../auth/service.ts';
import { openBlockers, type OpenBlocker } from '../teams/teamQueries.ts';
import { cachedView } from '../reports/viewCache.ts';
import type { DashboardUnit } from './dashboard.ts';
import type { DashboardLinkState } from './dashboardQuery.ts';
import { openDashboard, type DashboardQuery, type DashboardView } from './service.ts';

export interface VillageExtras {
  blockers: { list: OpenBlocker[]; total: number };
  hasTeam: boolean;
}

export interface DashboardPageView extends DashboardView {
  /** What links from this page keep (the rank and dates as asked, the campaign as shown). */
  link: DashboardLinkState;
  /** Whether the campaign shown concerns a child unit (else its dashboard would not find it). */
  concerns: (child: DashboardUnit) => boolean;
  village: VillageExtras | null;
}

export async function loadDashboardPage(ctx: AppContext, officer: Officer, q: DashboardQuery): Promise<DashboardPageView> {
  const view = await openDashboard(ctx, officer, q);
  const { dashboard } = view;
  const db = ctx.db.kysely;
  const campaign = dashboard.campaign;
  // A campaign concerns a unit when its owner is the unit, above it, or below it. For the
  // current unit's children, only an owner below the current unit needs its own path.
  let ownerPath: number[] = [];
  if (campaign && !dashboard.unit.ancestorIds.includes(campaign.unitId)) {
    const owner = await db.selectFrom('units').select('ancestor_ids').where('id', '=', campaign.unitId).executeTakeFirst();
    ownerPath = owner?.ancestor_ids.map(Number) ?? [];
  }
  const concerns = (child: DashboardUnit) => !campaign || child.ancestorIds.includes(campaign.unitId) || ownerPath.includes(child.id);

  let village: VillageExtras | null = null;
  if (dashboard.unit.level === 'village') {
    const unitId = dashboard.unit.id;
    // Shared by a room of leaders on the same village like the dashboard itself; a sync push
    // drops it at once, anything else (a blocker closed at the office) within 5 seconds.
    village = await cachedView(db, `dashboard-village:${unitId}`, async (): Promise<VillageExtras> => {
      const [blockers, team] = await Promise.all([openBlockers(db, unitId), db.selectFrom('teams').select('id').where('unit_id', '=', unitId).executeTakeFirst()]);
      return { blockers: { list: blockers.list, total: blockers.total }, hasTeam: team !== undefined };
    });
  }
  const link: DashboardLinkState = { campaign: campaign ? campaign.id : q.campaign === null ? null : undefined, from: q.from, to: q.to, rank: q.rank };
  return { ...view, link, concerns, village };
}
