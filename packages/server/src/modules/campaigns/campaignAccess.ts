/**
 * Who may do what with campaigns, checked on the server for every route and API call:
 * - see a campaign: an admin, leader or one-stop officer role on a unit the campaign concerns
 *   (the owner's subtree, or an ancestor of the owner), and a unit's targets when the role
 *   covers that unit;
 * - create a campaign owned by unit U: the leader or administrator role covering U, with U in
 *   force today;
 * - set a unit's targets: the leader or administrator role covering the unit, and the unit
 *   inside the campaign's covered units.
 * Specialists and team members have no business here: 403.
 *
 * A role on a unit covers its subtree, and `ancestorIds` lists a unit's ancestors and itself,
 * so "covers" is a look at the unit's ancestors, with no query.
 */
import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';
import { notFound, Problem } from '../../http/problem.ts';
import { rootsFor, type Officer, type OfficerRole } from '../auth/service.ts';
import { campaignsConcerning, type CampaignRef } from './campaignQueries.ts';
import type { DashboardUnit } from './dashboard.ts';
import { DASHBOARD_ROLES } from './service.ts';

type Kdb = Db['kysely'] | Trx;

export const VIEW_ROLES: readonly OfficerRole[] = DASHBOARD_ROLES;
export const EDIT_ROLES: readonly OfficerRole[] = ['admin', 'leader'];

export interface CampaignUnit extends DashboardUnit {
  parentId: number | null;
}

const unitColumns = ['id', 'code', 'name', 'level', 'ancestor_ids', 'parent_id'] as const;
type UnitRow = { id: number; code: string; name: string; level: DashboardUnit['level']; ancestor_ids: number[]; parent_id: number | null };
export const toCampaignUnit = (r: UnitRow): CampaignUnit => ({ id: r.id, code: r.code, name: r.name, level: r.level, ancestorIds: r.ancestor_ids.map(Number), parentId: r.parent_id });

const covers = (officer: Officer, roles: readonly OfficerRole[], unit: Pick<DashboardUnit, 'ancestorIds'>): boolean =>
  officer.roles.some((r) => roles.includes(r.role) && unit.ancestorIds.includes(r.unitId));

export const canViewUnit = (officer: Officer, unit: Pick<DashboardUnit, 'ancestorIds'>): boolean => covers(officer, VIEW_ROLES, unit);
export const canEditUnit = (officer: Officer, unit: Pick<DashboardUnit, 'ancestorIds'>): boolean => covers(officer, EDIT_ROLES, unit);

/** 403 for officers without any of the roles (specialists, team members). */
export function requireSomeRole(officer: Officer, roles: readonly OfficerRole[], why: string): number[] {
  const roots = [...new Set(rootsFor(officer, roles))];
  if (roots.length === 0) throw new Problem(403, 'auth.forbidden', why);
  return roots;
}

const inForce = (day: string) => sql<boolean>`(valid_from <= ${day}::date AND (valid_to IS NULL OR valid_to >= ${day}::date))`;

/** The units in force today on which the officer is leader or administrator: the owners they may pick. */
export async function ownerChoices(db: Kdb, officer: Officer, today: string): Promise<CampaignUnit[]> {
  const roots = [...new Set(rootsFor(officer, EDIT_ROLES))];
  if (roots.length === 0) return [];
  const rows = await db.selectFrom('units').select(unitColumns).where('id', 'in', roots).where(inForce(today)).orderBy(sql`array_length(ancestor_ids, 1)`).orderBy('code').execute();
  return rows.map(toCampaignUnit);
}

/** 403 unless the officer may create campaigns at all (a leader or administrator role on a unit in force). */
export async function requireCreator(db: Kdb, officer: Officer, today: string): Promise<CampaignUnit[]> {
  const owners = await ownerChoices(db, officer, today);
  if (owners.length === 0) throw new Problem(403, 'auth.forbidden', 'campaigns are created by leaders and administrators');
  return owners;
}

/** The unit with this code in force today (null when there is none). */
export async function unitInForce(db: Kdb, code: string, today: string): Promise<DatedUnit | null> {
  const row = await db.selectFrom('units').select([...unitColumns, 'valid_from', 'valid_to']).where('code', '=', code).where(inForce(today)).orderBy('valid_from', 'desc').executeTakeFirst();
  return row ? { ...toCampaignUnit(row), validFrom: row.valid_from, validTo: row.valid_to } : null;
}

export interface DatedUnit extends CampaignUnit {
  validFrom: string;
  validTo: string | null;
}

/** The unit that owns the campaign, with its dates. */
export async function campaignOwner(db: Kdb, campaign: CampaignRef): Promise<DatedUnit> {
  const row = await db.selectFrom('units').select([...unitColumns, 'valid_from', 'valid_to']).where('id', '=', campaign.unitId).executeTakeFirstOrThrow();
  return { ...toCampaignUnit(row), validFrom: row.valid_from, validTo: row.valid_to };
}

/**
 * Units of the campaign by code: inside its covered units and existing at some time in its
 * period (codes were reused in the 2025 reform; the latest such version wins).
 */
export async function campaignUnits(db: Kdb, campaign: CampaignRef, codes: readonly string[]): Promise<Map<string, CampaignUnit>> {
  const out = new Map<string, CampaignUnit>();
  if (codes.length === 0) return out;
  const rows = await db
    .selectFrom('units')
    .select(unitColumns)
    .where('code', 'in', [...new Set(codes)])
    .where(sql<boolean>`ancestor_ids && ${sql.val(campaign.coveredUnitIds)}::int[]`)
    .where('valid_from', '<=', campaign.endsOn)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', campaign.startsOn)]))
    .orderBy('valid_from', 'desc')
    .execute();
  for (const r of rows) if (!out.has(r.code)) out.set(r.code, toCampaignUnit(r));
  return out;
}

export async function campaignUnitByCode(db: Kdb, campaign: CampaignRef, code: string): Promise<CampaignUnit | null> {
  return (await campaignUnits(db, campaign, [code])).get(code) ?? null;
}

async function unitsById(db: Kdb, ids: readonly number[]): Promise<CampaignUnit[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('units').select(unitColumns).where('id', 'in', [...ids]).orderBy('code').execute();
  return rows.map(toCampaignUnit);
}

/** The units a campaign covers, for showing them (the owner alone when none were picked). */
export const coveredUnitsOf = (db: Kdb, campaign: CampaignRef): Promise<CampaignUnit[]> => unitsById(db, campaign.coveredUnitIds);

/** Campaigns concerning any unit the officer may see, latest first, each once. */
export async function campaignsForOfficer(db: Kdb, officer: Officer): Promise<CampaignRef[]> {
  const roots = requireSomeRole(officer, VIEW_ROLES, 'campaigns are for leaders, administrators and officers');
  const units = await unitsById(db, roots);
  const seen = new Map<number, CampaignRef>();
  for (const u of units) for (const c of await campaignsConcerning(db, u)) seen.set(c.id, c);
  return [...seen.values()].sort((a, b) => (a.startsOn < b.startsOn ? 1 : a.startsOn > b.startsOn ? -1 : b.id - a.id));
}

/** Whether one of the officer's roots lies in the owner's subtree or above the owner. */
async function concernsOfficer(db: Kdb, officer: Officer, campaign: CampaignRef, roots: readonly number[]): Promise<boolean> {
  if (roots.length === 0) return false;
  const row = await db
    .selectFrom('units as r')
    .innerJoin('units as o', (j) => j.on('o.id', '=', campaign.unitId))
    .select('r.id')
    .where('r.id', 'in', [...roots])
    .where(sql<boolean>`(r.ancestor_ids @> ARRAY[o.id] OR o.ancestor_ids @> ARRAY[r.id])`)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Opens a campaign for an officer, with the unit whose targets to show: the one asked for
 * (404 when the campaign does not cover it, 403 when the officer does not see it), else the
 * first the officer sees of the owner, the covered units and the officer's own units; null
 * when the officer sees none of the units the campaign covers.
 */
export async function openCampaignFor(db: Kdb, officer: Officer, campaign: CampaignRef, code: string | undefined): Promise<CampaignUnit | null> {
  const roots = requireSomeRole(officer, VIEW_ROLES, 'campaigns are for leaders, administrators and officers');
  if (!(await concernsOfficer(db, officer, campaign, roots))) throw notFound('campaign.not_found', 'the campaign does not concern your units');
  if (code !== undefined) {
    const unit = await campaignUnitByCode(db, campaign, code);
    if (!unit) throw notFound('campaign.not_found', `the campaign does not cover ${code}`);
    if (!canViewUnit(officer, unit)) throw new Problem(403, 'auth.forbidden', 'no role on this unit');
    return unit;
  }
  const candidates = await unitsById(db, [...new Set([campaign.unitId, ...campaign.coveredUnitIds, ...roots])]);
  const covered = (u: CampaignUnit) => u.ancestorIds.some((id) => campaign.coveredUnitIds.includes(id));
  const order = (u: CampaignUnit) => (u.id === campaign.unitId ? 0 : campaign.coveredUnitIds.includes(u.id) ? 1 : 2);
  return candidates.filter((u) => covered(u) && canViewUnit(officer, u)).sort((a, b) => order(a) - order(b) || a.ancestorIds.length - b.ancestorIds.length)[0] ?? null;
}
