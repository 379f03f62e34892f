/**
 * The figures of the public performance pages, already suppressed (performanceSuppression.ts):
 * nothing leaves this file as a raw number that the page could show by mistake.
 *
 * - An area (the province in force, or a district of an older tree): for each child unit, the
 *   dossiers received, the share received online, the dossiers resolved and the share resolved
 *   on time in the period (the II.06a counters, all sectors), and the progress of each campaign
 *   that runs in the period towards the child's targets.
 * - A commune: the same figures for the commune, week by week, and its villages' progress on
 *   the campaigns' household-register indicators.
 *
 * A campaign's progress is counted from its first day to the end of the period (or its own
 * last day): a target for the whole campaign is not compared with one month of it. Figures
 * come from inputsByChild (inputs.ts), so they are the dashboards' figures. No names of people,
 * no record-level data: only counts of units, and only from 5 up.
 */
import { sql } from 'kysely';
import { addDays, emptyDossiers, INDICATORS, mergeInputs, progressTowards, type DossierInputs, type IndicatorDefinition, type IndicatorInputs, type IndicatorKey, type IndicatorValue, type Period } from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import { notFound } from '../../http/problem.ts';
import { ALL_SECTORS } from '../reports/counters.ts';
import { campaignsConcerning, targetsFor, type CampaignRef } from './campaignQueries.ts';
import { toUnit, unitColumns, type DashboardUnit } from './dashboard.ts';
import { inputsByChild, weeksOf, type Week } from './inputs.ts';
import { NONE, protectParts, publishCount, publishOnBase, publishShare, type Published } from './performanceSuppression.ts';
import { childrenOf, trailOf } from './service.ts';

type Kdb = Db['kysely'] | Trx;

export interface PublishedDossiers {
  received: Published;
  onlineShare: Published;
  resolved: Published;
  onTimeShare: Published;
}

export interface PublishedProgress {
  value: Published;
  target: number;
  percentOfTarget: Published;
  /** Whether the target is met; null when the value is not shown. */
  met: boolean | null;
}
/** Indicator → progress, for the indicators with a target on the unit. */
export type ProgressCells = Partial<Record<IndicatorKey, PublishedProgress>>;

export interface PublicCampaign {
  id: number;
  name: string;
  startsOn: string;
  endsOn: string;
  /** From the campaign's first day to the end of the period or of the campaign. */
  counted: Period;
  /** The indicators shown: those with a target on at least one unit of the table. */
  indicators: IndicatorKey[];
}

export interface AreaRow {
  /** null: figures of the area's own level (its own agencies), not of a child. */
  unit: DashboardUnit | null;
  dossiers: PublishedDossiers;
  /** Campaign id → the row's progress. */
  progress: Record<number, ProgressCells>;
}

export interface AreaView {
  kind: 'area';
  unit: DashboardUnit;
  trail: DashboardUnit[];
  period: Period;
  rows: AreaRow[];
  own: AreaRow | null;
  total: AreaRow;
  campaigns: PublicCampaign[];
}

export interface VillageProgress {
  campaign: PublicCampaign;
  rows: { unit: DashboardUnit; cells: ProgressCells }[];
}

export interface CommuneView {
  kind: 'commune';
  unit: DashboardUnit;
  trail: DashboardUnit[];
  period: Period;
  totals: PublishedDossiers;
  weeks: { week: Week; dossiers: PublishedDossiers }[];
  /** The campaigns with a target on the commune, and its progress on each. */
  campaigns: PublicCampaign[];
  progress: Record<number, ProgressCells>;
  /** The campaigns with a register target on a village of the commune. */
  villages: VillageProgress[];
}

const inForce = (day: string) => sql<boolean>`(valid_from <= ${day}::date AND (valid_to IS NULL OR valid_to >= ${day}::date))`;

/** Provinces in force on `day`, the one with the most units under it first (the platform's own). */
export async function provincesInForce(db: Kdb, day: string): Promise<DashboardUnit[]> {
  const rows = await db
    .selectFrom('units as p')
    .select(unitColumns.map((c) => `p.${c}` as const))
    .where('p.level', '=', 'province')
    .where(sql<boolean>`(p.valid_from <= ${day}::date AND (p.valid_to IS NULL OR p.valid_to >= ${day}::date))`)
    .orderBy(sql`(SELECT count(*) FROM units c WHERE c.parent_id = p.id)`, 'desc')
    .orderBy('p.code')
    .execute();
  return rows.map(toUnit);
}

/** A unit by code as the public pages show it: the version in force on `day`, else the latest. Villages are not published alone. */
export async function publicUnit(db: Kdb, code: string, day: string): Promise<DashboardUnit> {
  const row = await db
    .selectFrom('units')
    .select(unitColumns)
    .where('code', '=', code)
    .where('level', '<>', 'village')
    .orderBy(inForce(day), 'desc')
    .orderBy('valid_from', 'desc')
    .executeTakeFirst();
  if (!row) throw notFound('unit.not_found', `no unit ${code}`);
  return toUnit(row);
}

const num = (v: unknown): number => Number(v ?? 0);

/** Dossier figures of each unit over the period (each unit's counters already add its subtree up). */
export async function dossierFigures(db: Kdb, unitIds: readonly number[], period: Period): Promise<Map<number, DossierInputs>> {
  const out = new Map<number, DossierInputs>();
  if (unitIds.length === 0) return out;
  const { rows } = await sql<{ unit_id: number; online: number; direct: number; on_time: number; late: number }>`
    SELECT unit_id, sum(received_online) AS online, sum(received_direct) AS direct,
      sum(resolved_before + resolved_on) AS on_time, sum(resolved_late) AS late
    FROM ii06a_counters
    WHERE unit_id = ANY(${sql.val([...unitIds])}::int[]) AND sector_code = ${ALL_SECTORS}
      AND day >= ${period.from}::date AND day <= ${period.to}::date
    GROUP BY unit_id`.execute(db);
  for (const r of rows) out.set(Number(r.unit_id), { receivedOnline: num(r.online), receivedDirect: num(r.direct), resolvedOnTime: num(r.on_time), resolvedLate: num(r.late) });
  return out;
}

/** A unit's dossier figures for each week, in one scan of its counters. */
export async function dossierFiguresByWeek(db: Kdb, unitId: number, weeks: readonly Week[]): Promise<DossierInputs[]> {
  const out = weeks.map(() => emptyDossiers());
  if (weeks.length === 0) return out;
  const last = weeks[weeks.length - 1]!.to;
  const bounds = [...weeks.map((w) => w.from), addDays(last, 1)];
  const { rows } = await sql<{ b: number; online: number; direct: number; on_time: number; late: number }>`
    SELECT width_bucket(day, ${sql.val(bounds)}::date[]) AS b, sum(received_online) AS online, sum(received_direct) AS direct,
      sum(resolved_before + resolved_on) AS on_time, sum(resolved_late) AS late
    FROM ii06a_counters
    WHERE unit_id = ${unitId} AND sector_code = ${ALL_SECTORS} AND day >= ${weeks[0]!.from}::date AND day <= ${last}::date
    GROUP BY 1`.execute(db);
  for (const r of rows) {
    const i = num(r.b) - 1;
    if (i >= 0 && i < out.length) out[i] = { receivedOnline: num(r.online), receivedDirect: num(r.direct), resolvedOnTime: num(r.on_time), resolvedLate: num(r.late) };
  }
  return out;
}

const received = (d: DossierInputs) => d.receivedOnline + d.receivedDirect;
const resolved = (d: DossierInputs) => d.resolvedOnTime + d.resolvedLate;

export function publishDossiers(d: DossierInputs): PublishedDossiers {
  return {
    received: publishCount(received(d)),
    onlineShare: publishShare(d.receivedOnline, received(d)),
    resolved: publishCount(resolved(d)),
    onTimeShare: publishShare(d.resolvedOnTime, resolved(d)),
  };
}

/** Publishes the parts of a published total, with the counts protected against subtraction. */
function publishParts(parts: readonly DossierInputs[]): PublishedDossiers[] {
  const out = parts.map(publishDossiers);
  const receivedCol = protectParts(out.map((d) => d.received));
  const resolvedCol = protectParts(out.map((d) => d.resolved));
  return out.map((d, i) => ({ ...d, received: receivedCol[i] ?? d.received, resolved: resolvedCol[i] ?? d.resolved }));
}

/** An indicator's value as the public may see it. */
export function publishIndicatorValue(def: Pick<IndicatorDefinition, 'kind' | 'weight'>, v: IndicatorValue, inputs: IndicatorInputs): Published {
  if (def.kind === 'percent') return v.denominator === null ? NONE : publishShare(v.numerator ?? 0, v.denominator);
  if (def.kind === 'count') return publishCount(v.value);
  // Days: a median over fewer than 5 blockers says too much about each of them.
  return publishOnBase(v.value, publishCount(def.weight(inputs)));
}

/**
 * One indicator over rows of units: the published value and progress of each row that has a
 * target. With `protect`, counts are parts of a published total (a commune's villages) and get
 * the secondary suppression; every row takes part, with a target or not.
 */
export function publishIndicator(key: IndicatorKey, rows: readonly { inputs: IndicatorInputs; target: number | null }[], protect: boolean): (PublishedProgress | null)[] {
  const def = INDICATORS[key];
  const raw = rows.map((r) => def.compute(r.inputs));
  let values = raw.map((v, i) => publishIndicatorValue(def, v, rows[i]!.inputs));
  if (protect && def.kind === 'count') values = protectParts(values);
  return rows.map((r, i) => {
    if (r.target === null) return null;
    const value = values[i] ?? NONE;
    const progress = progressTowards(def, raw[i]?.value ?? null, r.target);
    return { value, target: r.target, percentOfTarget: publishOnBase(progress.percentOfTarget, value), met: value.kind === 'value' ? progress.met : null };
  });
}

/** Campaigns that concern the unit and run at some time in the period, oldest first. */
async function campaignsIn(db: Kdb, unit: DashboardUnit, period: Period): Promise<CampaignRef[]> {
  const all = await campaignsConcerning(db, unit);
  return all.filter((c) => c.startsOn <= period.to && c.endsOn >= period.from).reverse();
}

const countedPeriod = (c: CampaignRef, period: Period): Period => ({ from: c.startsOn, to: c.endsOn < period.to ? c.endsOn : period.to });

interface CampaignFigures {
  campaign: CampaignRef;
  counted: Period;
  inputs: Map<number, IndicatorInputs>;
  targets: Map<number, Map<IndicatorKey, number>>;
}

async function campaignFigures(db: Kdb, unit: DashboardUnit, children: readonly DashboardUnit[], period: Period, withUnitTargets: boolean): Promise<CampaignFigures[]> {
  const campaigns = await campaignsIn(db, unit, period);
  const childIds = children.map((c) => c.id);
  return Promise.all(
    campaigns.map(async (campaign) => {
      const counted = countedPeriod(campaign, period);
      const [inputs, targets] = await Promise.all([inputsByChild(db, unit, counted, childIds), targetsFor(db, campaign.id, withUnitTargets ? [unit.id, ...childIds] : childIds)]);
      return { campaign, counted, inputs, targets };
    }),
  );
}

const publicCampaign = (f: CampaignFigures, indicators: IndicatorKey[]): PublicCampaign => ({
  id: f.campaign.id,
  name: f.campaign.name,
  startsOn: f.campaign.startsOn,
  endsOn: f.campaign.endsOn,
  counted: f.counted,
  indicators,
});

/** Rows of units against one campaign's indicators: the indicators with a target on some row, and each row's cells. */
function progressTable(f: CampaignFigures, units: readonly DashboardUnit[], keys: readonly IndicatorKey[], protect: boolean): { campaign: PublicCampaign; cells: ProgressCells[] } | null {
  const indicators = keys.filter((k) => units.some((u) => f.targets.get(u.id)?.has(k)));
  if (indicators.length === 0) return null;
  const cells: ProgressCells[] = units.map(() => ({}));
  for (const key of indicators) {
    const column = publishIndicator(
      key,
      units.map((u) => ({ inputs: f.inputs.get(u.id) ?? mergeInputs([]), target: f.targets.get(u.id)?.get(key) ?? null })),
      protect,
    );
    column.forEach((cell, i) => {
      if (cell) cells[i]![key] = cell;
    });
  }
  return { campaign: publicCampaign(f, indicators), cells };
}

/** The table of an area's children (the province's communes, or a district's). */
export async function buildAreaView(db: Kdb, unit: DashboardUnit, period: Period): Promise<AreaView> {
  const children = await childrenOf(db, unit.id, period);
  const [figures, trail, campaigns] = await Promise.all([dossierFigures(db, [unit.id, ...children.map((c) => c.id)], period), trailOf(db, unit), campaignFigures(db, unit, children, period, false)]);
  const totalFigures = figures.get(unit.id) ?? emptyDossiers();
  const ownFigures = { ...totalFigures };
  for (const c of children) {
    const f = figures.get(c.id);
    if (!f) continue;
    ownFigures.receivedOnline -= f.receivedOnline;
    ownFigures.receivedDirect -= f.receivedDirect;
    ownFigures.resolvedOnTime -= f.resolvedOnTime;
    ownFigures.resolvedLate -= f.resolvedLate;
  }
  const hasOwn = received(ownFigures) !== 0 || resolved(ownFigures) !== 0;
  const parts = publishParts([...children.map((c) => figures.get(c.id) ?? emptyDossiers()), ...(hasOwn ? [ownFigures] : [])]);
  const rows: AreaRow[] = children.map((c, i) => ({ unit: c, dossiers: parts[i]!, progress: {} }));
  const shown: PublicCampaign[] = [];
  for (const f of campaigns) {
    const table = progressTable(f, children, f.campaign.indicators, false);
    if (!table) continue;
    shown.push(table.campaign);
    table.cells.forEach((cells, i) => {
      rows[i]!.progress[f.campaign.id] = cells;
    });
  }
  return {
    kind: 'area',
    unit,
    trail,
    period,
    rows,
    own: hasOwn ? { unit: null, dossiers: parts[parts.length - 1]!, progress: {} } : null,
    total: { unit, dossiers: publishDossiers(totalFigures), progress: {} },
    campaigns: shown,
  };
}

/** The weeks of the period, all of them (a year to date has up to 53). */
export const weeksOfPeriod = (period: Period): Week[] => weeksOf(period, 60);

/** A commune's page: its figures, week by week, and its villages' register progress. */
export async function buildCommuneView(db: Kdb, unit: DashboardUnit, period: Period): Promise<CommuneView> {
  const weeks = weeksOfPeriod(period);
  const villages = await childrenOf(db, unit.id, period);
  const [figures, weekly, trail, campaigns] = await Promise.all([dossierFigures(db, [unit.id], period), dossierFiguresByWeek(db, unit.id, weeks), trailOf(db, unit), campaignFigures(db, unit, villages, period, true)]);
  const byWeek = publishParts(weekly);
  const own: PublicCampaign[] = [];
  const progress: Record<number, ProgressCells> = {};
  const villageTables: VillageProgress[] = [];
  for (const f of campaigns) {
    // The commune's own inputs are its villages' and its own level's together.
    const communeFigures: CampaignFigures = { ...f, inputs: new Map([[unit.id, mergeInputs([...f.inputs.values()])]]) };
    const mine = progressTable(communeFigures, [unit], f.campaign.indicators, false);
    if (mine) {
      own.push(mine.campaign);
      progress[f.campaign.id] = mine.cells[0] ?? {};
    }
    const registerKeys = f.campaign.indicators.filter((k) => INDICATORS[k].source === 'register');
    const table = progressTable(f, villages, registerKeys, true);
    if (table) villageTables.push({ campaign: table.campaign, rows: villages.map((v, i) => ({ unit: v, cells: table.cells[i] ?? {} })) });
  }
  return {
    kind: 'commune',
    unit,
    trail,
    period,
    totals: publishDossiers(figures.get(unit.id) ?? emptyDossiers()),
    weeks: weeks.map((week, i) => ({ week, dossiers: byWeek[i]! })),
    campaigns: own,
    progress,
    villages: villageTables,
  };
}
