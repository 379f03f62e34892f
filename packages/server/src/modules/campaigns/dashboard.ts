/**
 * The dashboard of one unit: every indicator's value for the unit and for each child unit
 * (plus the unit's own level when it has figures of its own), the campaign's targets and the
 * progress towards them, the check of the children's targets against the unit's, and a value
 * per week for the trend line. Pages, exports and the JSON API all draw from this one model.
 */
import {
  BLOCKER_REASONS,
  checkChildTargets,
  INDICATOR_KEYS,
  INDICATORS,
  mergeInputs,
  progressTowards,
  type BlockerReason,
  type ChildTargetCheck,
  type IndicatorInputs,
  type IndicatorKey,
  type IndicatorValue,
  type TargetProgress,
} from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import { campaignCovers, concernedAmong, targetsFor, type CampaignRef } from './campaignQueries.ts';
import { inputsByChild, inputsByWeek, OWN_LEVEL, weeksOf, type Period, type Week } from './inputs.ts';

type Kdb = Db['kysely'] | Trx;

export interface DashboardUnit {
  id: number;
  code: string;
  name: string;
  level: 'province' | 'district' | 'commune' | 'village';
  ancestorIds: number[];
}

/** The columns of `units` a DashboardUnit is read from, and the reading. */
export const unitColumns = ['id', 'code', 'name', 'level', 'ancestor_ids'] as const;
export const toUnit = (r: { id: number; code: string; name: string; level: DashboardUnit['level']; ancestor_ids: number[] }): DashboardUnit => ({
  id: r.id,
  code: r.code,
  name: r.name,
  level: r.level,
  ancestorIds: r.ancestor_ids.map(Number),
});

export interface IndicatorCell extends IndicatorValue {
  target: number | null;
  progress: TargetProgress;
}

export interface DashboardRow {
  /** null for the unit's own level (figures that belong to the unit itself, not to a child). */
  unit: DashboardUnit | null;
  inputs: IndicatorInputs;
  cells: Record<IndicatorKey, IndicatorCell>;
}

export interface WeekPoint {
  week: Week;
  values: Record<IndicatorKey, number | null>;
}

export interface Dashboard {
  unit: DashboardUnit;
  period: Period;
  campaign: CampaignRef | null;
  /** Whether the campaign covers this unit (targets apply only then). */
  covered: boolean;
  /** The indicators shown: the campaign's, or all of them. */
  indicators: IndicatorKey[];
  total: DashboardRow;
  /** Child units ranked by `rankBy` (best first; "no data" last), then by name. */
  children: DashboardRow[];
  own: DashboardRow | null;
  rankBy: IndicatorKey;
  weeks: WeekPoint[];
  /** Per indicator with a target on the unit: how the children's targets compare. */
  targetChecks: Partial<Record<IndicatorKey, ChildTargetCheck>>;
  openBlockersByReason: Record<BlockerReason, number>;
}

function cellsOf(inputs: IndicatorInputs, targets: Map<IndicatorKey, number> | undefined): Record<IndicatorKey, IndicatorCell> {
  const out = {} as Record<IndicatorKey, IndicatorCell>;
  for (const key of INDICATOR_KEYS) {
    const def = INDICATORS[key];
    const v = def.compute(inputs);
    const target = targets?.get(key) ?? null;
    out[key] = { ...v, target, progress: progressTowards(def, v.value, target) };
  }
  return out;
}

/**
 * Best first: by progress towards the target when any child has a target for the indicator
 * (children without one come last), else by the value itself. One scale per ranking.
 */
function rank(rows: DashboardRow[], key: IndicatorKey): DashboardRow[] {
  const def = INDICATORS[key];
  const byTarget = rows.some((r) => r.cells[key].progress.percentOfTarget !== null);
  const score = (r: DashboardRow): number | null => {
    const c = r.cells[key];
    if (byTarget) return c.progress.percentOfTarget;
    if (c.value === null) return null;
    return def.higherIsBetter ? c.value : -c.value;
  };
  return [...rows].sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    if (sa === null || sb === null) return sa === sb ? (a.unit?.name ?? '').localeCompare(b.unit?.name ?? '', 'vi') : sa === null ? 1 : -1;
    return sb - sa || (a.unit?.name ?? '').localeCompare(b.unit?.name ?? '', 'vi');
  });
}

export interface DashboardRequest {
  unit: DashboardUnit;
  children: DashboardUnit[];
  period: Period;
  campaign: CampaignRef | null;
  rankBy?: IndicatorKey | undefined;
}

export async function buildDashboard(db: Kdb, req: DashboardRequest): Promise<Dashboard> {
  const { unit, children, period, campaign } = req;
  const childIds = children.map((c) => c.id);
  const weeks = weeksOf(period);
  const covered = campaign ? await campaignCovers(db, campaign, unit.id) : false;
  const [byChild, weekly, targets, concerned] = await Promise.all([
    inputsByChild(db, unit, period, childIds),
    inputsByWeek(db, unit, weeks),
    campaign && covered ? targetsFor(db, campaign.id, [unit.id, ...childIds]) : Promise.resolve(new Map<number, Map<IndicatorKey, number>>()),
    campaign ? concernedAmong(db, campaign, childIds) : Promise.resolve(new Set<number>()),
  ]);
  const totalInputs = mergeInputs([...byChild.values()]);
  const total: DashboardRow = { unit, inputs: totalInputs, cells: cellsOf(totalInputs, targets.get(unit.id)) };
  const rows: DashboardRow[] = children.map((c) => {
    const inputs = byChild.get(c.id) ?? mergeInputs([]);
    return { unit: c, inputs, cells: cellsOf(inputs, targets.get(c.id)) };
  });
  const ownInputs = byChild.get(OWN_LEVEL);
  const own = ownInputs ? { unit: null, inputs: ownInputs, cells: cellsOf(ownInputs, undefined) } : null;
  const indicators = campaign ? campaign.indicators : [...INDICATOR_KEYS];
  const rankBy = req.rankBy && indicators.includes(req.rankBy) ? req.rankBy : (indicators[0] ?? 'smartphone_pct');

  const targetChecks: Partial<Record<IndicatorKey, ChildTargetCheck>> = {};
  const unitTargets = targets.get(unit.id);
  if (unitTargets)
    for (const [key, parentTarget] of unitTargets) {
      const def = INDICATORS[key];
      targetChecks[key] = checkChildTargets(
        def,
        parentTarget,
        // Only the children the campaign concerns need targets (a province campaign over three communes).
        rows.filter((r) => r.unit && concerned.has(r.unit.id)).map((r) => ({ unitId: r.unit?.id ?? 0, target: r.cells[key].target, weight: def.weight(r.inputs) })),
      );
    }

  const openBlockersByReason = Object.fromEntries(BLOCKER_REASONS.map((r) => [r, totalInputs.openBlockers[r]])) as Record<BlockerReason, number>;
  return {
    unit,
    period,
    campaign,
    covered,
    indicators,
    total,
    children: rank(rows, rankBy),
    own,
    rankBy,
    weeks: weeks.map((week, i) => ({
      week,
      values: Object.fromEntries(INDICATOR_KEYS.map((k) => [k, INDICATORS[k].compute(weekly[i] ?? mergeInputs([])).value])) as Record<IndicatorKey, number | null>,
    })),
    targetChecks,
    openBlockersByReason,
  };
}
