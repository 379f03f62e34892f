/** Reading campaigns and their targets. Writes live in campaignService.ts. */
import { sql } from 'kysely';
import { INDICATOR_KEYS, type IndicatorKey } from '@causo/domain';
import type { Db, Trx } from '../../db/database.ts';
import './schema.ts';

type Kdb = Db['kysely'] | Trx;

export interface CampaignRef {
  id: number;
  name: string;
  description: string;
  startsOn: string;
  endsOn: string;
  /** The unit that owns the campaign. */
  unitId: number;
  unitCode: string;
  unitName: string;
  indicators: IndicatorKey[];
  /** Units the campaign covers with their subtrees; the owner alone when none were picked. */
  coveredUnitIds: number[];
  version: number;
  createdAt: Date;
}

const knownIndicators = (keys: string[]): IndicatorKey[] => INDICATOR_KEYS.filter((k) => keys.includes(k));

function campaignSelect(db: Kdb) {
  return db
    .selectFrom('campaigns as c')
    .innerJoin('units as u', 'u.id', 'c.unit_id')
    .select([
      'c.id',
      'c.name',
      'c.description',
      'c.starts_on',
      'c.ends_on',
      'c.unit_id',
      'u.code as unit_code',
      'u.name as unit_name',
      'c.indicators',
      'c.version',
      'c.created_at',
      sql<number[]>`coalesce((SELECT array_agg(cu.unit_id ORDER BY cu.unit_id) FROM campaign_units cu WHERE cu.campaign_id = c.id), ARRAY[c.unit_id])`.as('covered'),
    ]);
}

type CampaignRow = Awaited<ReturnType<ReturnType<typeof campaignSelect>['execute']>>[number];
const toRef = (r: CampaignRow): CampaignRef => ({
  id: r.id,
  name: r.name,
  description: r.description,
  startsOn: r.starts_on,
  endsOn: r.ends_on,
  unitId: r.unit_id,
  unitCode: r.unit_code,
  unitName: r.unit_name,
  indicators: knownIndicators(r.indicators),
  coveredUnitIds: r.covered.map(Number),
  version: r.version,
  createdAt: r.created_at,
});

export async function findCampaign(db: Kdb, id: number): Promise<CampaignRef | null> {
  const row = await campaignSelect(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toRef(row) : null;
}

/**
 * Campaigns that concern a unit: those covering it or any unit of its subtree, or covering one
 * of its ancestors (a province campaign concerns every village). Latest first.
 */
export async function campaignsConcerning(db: Kdb, unit: { id: number; ancestorIds: number[] }, limit = 50): Promise<CampaignRef[]> {
  const rows = await campaignSelect(db)
    .where(({ or, exists, selectFrom }) =>
      or([
        sql<boolean>`c.unit_id = ANY(${sql.val(unit.ancestorIds)}::int[])`,
        exists(selectFrom('units as s').select('s.id').where('s.id', '=', sql<number>`c.unit_id`).where(sql<boolean>`s.ancestor_ids @> ARRAY[${sql.lit(unit.id)}]::int[]`)),
      ]),
    )
    .orderBy('c.starts_on', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRef);
}

/** Whether the campaign covers the unit (the unit lies in the subtree of one of its covered units). */
export async function campaignCovers(db: Kdb, campaign: CampaignRef, unitId: number): Promise<boolean> {
  const row = await db
    .selectFrom('units')
    .select('id')
    .where('id', '=', unitId)
    .where(sql<boolean>`ancestor_ids && ${sql.val(campaign.coveredUnitIds)}::int[]`)
    .executeTakeFirst();
  return row !== undefined;
}

/** Targets of a campaign for the given units: unit id → indicator → target. */
export async function targetsFor(db: Kdb, campaignId: number, unitIds: readonly number[]): Promise<Map<number, Map<IndicatorKey, number>>> {
  const out = new Map<number, Map<IndicatorKey, number>>();
  if (unitIds.length === 0) return out;
  const rows = await db
    .selectFrom('campaign_targets')
    .select(['unit_id', 'indicator', 'target'])
    .where('campaign_id', '=', campaignId)
    .where('unit_id', 'in', [...unitIds])
    .execute();
  for (const r of rows) {
    if (!(INDICATOR_KEYS as readonly string[]).includes(r.indicator)) continue;
    const m = out.get(r.unit_id) ?? new Map<IndicatorKey, number>();
    m.set(r.indicator as IndicatorKey, Number(r.target));
    out.set(r.unit_id, m);
  }
  return out;
}

export interface UnitTarget {
  unitCode: string;
  unitName: string;
  indicator: IndicatorKey;
  target: number;
}

/** Every target of a campaign on a unit under one of `rootIds` (the units an officer sees), by unit code. */
export async function targetsWithin(db: Kdb, campaign: Pick<CampaignRef, 'id' | 'indicators'>, rootIds: readonly number[], limit = 100_000): Promise<UnitTarget[]> {
  if (rootIds.length === 0) return [];
  const rows = await db
    .selectFrom('campaign_targets as t')
    .innerJoin('units as u', 'u.id', 't.unit_id')
    .select(['u.code', 'u.name', 't.indicator', 't.target'])
    .where('t.campaign_id', '=', campaign.id)
    .where(sql<boolean>`u.ancestor_ids && ${sql.val([...rootIds])}::int[]`)
    .orderBy('u.code')
    .orderBy('t.indicator')
    .limit(limit)
    .execute();
  return rows
    .filter((r) => campaign.indicators.includes(r.indicator as IndicatorKey))
    .map((r) => ({ unitCode: r.code, unitName: r.name, indicator: r.indicator as IndicatorKey, target: Number(r.target) }));
}

/**
 * Of the given units, those the campaign concerns: inside a covered unit's subtree, or holding a
 * covered unit in theirs (a district of which the campaign covers some communes).
 */
export async function concernedAmong(db: Kdb, campaign: CampaignRef, unitIds: readonly number[]): Promise<Set<number>> {
  if (unitIds.length === 0) return new Set();
  const covered = sql.val(campaign.coveredUnitIds);
  const rows = await db
    .selectFrom('units as c')
    .select('c.id')
    .where('c.id', 'in', [...unitIds])
    .where(
      sql<boolean>`(c.ancestor_ids && ${covered}::int[] OR EXISTS (SELECT 1 FROM units k WHERE k.id = ANY(${covered}::int[]) AND k.ancestor_ids @> ARRAY[c.id]))`,
    )
    .execute();
  return new Set(rows.map((r) => r.id));
}
