/**
 * What the campaign page, the template and the split read: the targets grid of a unit (the unit
 * and its direct children, one target per indicator), the check of the children's targets
 * against the unit's, the children's weights (adults, households, dossiers over the campaign's
 * period), and the unit's whole subtree for the XLSX template.
 */
import { sql } from 'kysely';
import { checkChildTargets, emptyInputs, INDICATORS, localDateOf, type ChildTargetCheck, type IndicatorInputs, type IndicatorKey } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Db, Trx } from '../../db/database.ts';
import type { Officer } from '../auth/service.ts';
import { canEditUnit, toCampaignUnit, type CampaignUnit } from './campaignAccess.ts';
import { targetsFor, type CampaignRef } from './campaignQueries.ts';
import type { DashboardUnit } from './dashboard.ts';
import { inputsByChild } from './inputs.ts';
import { childrenOf, periodFor, refreshFigures } from './service.ts';

type Kdb = Db['kysely'] | Trx;

/** The units of a campaign are those existing at some time in its period. */
export const campaignPeriod = (c: CampaignRef) => ({ from: c.startsOn, to: c.endsOn });

export const campaignChildren = (db: Kdb, campaign: CampaignRef, unit: Pick<DashboardUnit, 'id'>): Promise<DashboardUnit[]> => childrenOf(db, unit.id, campaignPeriod(campaign));

/**
 * The children's raw figures over the campaign so far (its whole period before it starts), the
 * register brought up to date first: a child's weight for an indicator is `INDICATORS[k].weight`.
 */
export async function childInputs(ctx: AppContext, campaign: CampaignRef, unit: DashboardUnit, children: readonly DashboardUnit[]): Promise<Map<number, IndicatorInputs>> {
  if (children.length === 0) return new Map();
  await refreshFigures(ctx);
  const period = periodFor({}, campaign, localDateOf(ctx.now()));
  return inputsByChild(ctx.db.kysely, unit, period, children.map((c) => c.id));
}

export const weightOf = (key: IndicatorKey, inputs: IndicatorInputs | undefined): number => INDICATORS[key].weight(inputs ?? emptyInputs());

export interface GridRow {
  unit: DashboardUnit;
  /** The officer may change this row's targets. */
  editable: boolean;
  targets: Map<IndicatorKey, number>;
}

export interface TargetCheck {
  indicator: IndicatorKey;
  /** The unit's own target; without one there is nothing to check or split. */
  parentTarget: number | null;
  result: ChildTargetCheck | null;
}

export interface TargetsGrid {
  unit: CampaignUnit;
  /** The unit's parent when the campaign covers it too (a link up). */
  parent: CampaignUnit | null;
  /** The unit first, then its children by code. */
  rows: GridRow[];
  checks: TargetCheck[];
  /** Leaders and administrators of the unit may split its targets down to its children. */
  canSplit: boolean;
}

export async function loadTargetsGrid(ctx: AppContext, officer: Officer, campaign: CampaignRef, unit: CampaignUnit): Promise<TargetsGrid> {
  const db = ctx.db.kysely;
  const children = await campaignChildren(db, campaign, unit);
  const [targets, inputs, parentRow] = await Promise.all([
    targetsFor(db, campaign.id, [unit.id, ...children.map((c) => c.id)]),
    childInputs(ctx, campaign, unit, children),
    unit.parentId === null ? undefined : db.selectFrom('units').select(['id', 'code', 'name', 'level', 'ancestor_ids', 'parent_id']).where('id', '=', unit.parentId).executeTakeFirst(),
  ]);
  const parent = parentRow ? toCampaignUnit(parentRow) : null;
  const rows: GridRow[] = [unit, ...children].map((u) => ({ unit: u, editable: canEditUnit(officer, u), targets: targets.get(u.id) ?? new Map() }));
  const own = targets.get(unit.id);
  const checks = campaign.indicators.map((key): TargetCheck => {
    const parentTarget = own?.get(key) ?? null;
    if (parentTarget === null) return { indicator: key, parentTarget, result: null };
    const childTargets = children.map((c) => ({ unitId: c.id, target: targets.get(c.id)?.get(key) ?? null, weight: weightOf(key, inputs.get(c.id)) }));
    return { indicator: key, parentTarget, result: checkChildTargets(INDICATORS[key], parentTarget, childTargets) };
  });
  return {
    unit,
    parent: parent && parent.ancestorIds.some((id) => campaign.coveredUnitIds.includes(id)) ? parent : null,
    rows,
    checks,
    canSplit: canEditUnit(officer, unit) && children.length > 0,
  };
}

export interface SubtreeUnit extends DashboardUnit {
  /** 0 for the unit itself, 1 for its children... */
  depth: number;
  targets: Map<IndicatorKey, number>;
}

/** The unit and its whole subtree down to the villages, depth first (children by code), with their targets; more than `limit` units are cut. */
export async function subtreeWithTargets(db: Kdb, campaign: CampaignRef, unit: CampaignUnit, limit: number): Promise<SubtreeUnit[]> {
  const rows = await db
    .selectFrom('units')
    .select(['id', 'code', 'name', 'level', 'ancestor_ids', 'parent_id'])
    .where(sql<boolean>`ancestor_ids @> ARRAY[${sql.lit(unit.id)}]::int[]`)
    .where('valid_from', '<=', campaign.endsOn)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', campaign.startsOn)]))
    .orderBy('code')
    .limit(limit + 1)
    .execute();
  const byParent = new Map<number, typeof rows>();
  for (const r of rows) if (r.id !== unit.id && r.parent_id !== null) byParent.set(r.parent_id, [...(byParent.get(r.parent_id) ?? []), r]);
  const targets = await targetsFor(db, campaign.id, rows.map((r) => r.id));
  const out: SubtreeUnit[] = [];
  const visit = (u: DashboardUnit, depth: number) => {
    out.push({ ...u, depth, targets: targets.get(u.id) ?? new Map() });
    for (const c of byParent.get(u.id) ?? []) visit(toCampaignUnit(c), depth + 1);
  };
  visit(unit, 0);
  return out;
}
