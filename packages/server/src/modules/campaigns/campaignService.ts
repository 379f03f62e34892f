/**
 * Writing campaigns and their targets: create a campaign, set targets (the grid and the API),
 * split a unit's targets down to its children, import targets from a workbook. Each write is
 * one transaction with its audit entry; any change to the targets moves the campaign's version
 * on (cached dashboards key on it, and a form or client holding an older version gets 409
 * campaign.stale), and tells the view cache that figures changed.
 *
 * Who may do what is in campaignAccess.ts; every function here checks it before anything else.
 */
import { sql } from 'kysely';
import { daysBetween, INDICATOR_KEYS, INDICATORS, localDateOf, splitTarget, type IndicatorKey, type ProblemCode } from '@causo/domain';
import type { z } from 'zod';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import { conflict, notFound, Problem } from '../../http/problem.ts';
import { translator, type Params } from '../../web/i18n.ts';
import { audit } from '../audit/service.ts';
import type { Officer } from '../auth/service.ts';
import { countersChanged } from '../reports/viewCache.ts';
import { campaignOwner, campaignUnitByCode, campaignUnits, canEditUnit, EDIT_ROLES, requireCreator, requireSomeRole, unitInForce, type DatedUnit } from './campaignAccess.ts';
import { campaignChildren, childInputs, weightOf } from './campaignGrid.ts';
import { findCampaign, targetsFor, type CampaignRef } from './campaignQueries.ts';
import { CampaignEdit, CampaignInput, checkTarget, parseTarget, rangeKey, UNIT_CODE, type TargetsPutT } from './campaignSchemas.ts';
import { MAX_PERIOD_DAYS } from './service.ts';
import { readTargetsWorkbook } from './targetsXlsx.ts';

export interface CampaignActor {
  officer: Officer;
  ip: string | null;
  userAgent?: string | null;
}

/** One thing wrong, as a catalogue key: pages show it in their language, the API in English. */
export interface Issue {
  /** The form field or JSON path (`targets.3.target`); for a file, `row 12, column D`. */
  path: string;
  key: string;
  params?: Params;
  /** Row and column of a spreadsheet cell. */
  row?: number;
  column?: string;
}

/** 400 with every issue found, so a form or a file is corrected in one go. */
export class CampaignIssues extends Problem {
  constructor(
    code: Extract<ProblemCode, 'campaign.bad_input' | 'campaign.bad_target' | 'campaign.import_bad_rows'>,
    readonly issues: Issue[],
  ) {
    const en = translator('en');
    super(
      400,
      code,
      `${issues.length} problem(s)`,
      issues.map((i) => ({ path: i.path, message: en(i.key, i.params), ...(i.row !== undefined ? { line: i.row } : {}) })),
    );
  }
}

/** Zod issues as catalogue keys (schemas give keys as messages; anything else is "not valid"). */
export function issuesOf(error: z.ZodError): Issue[] {
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const i of error.issues) {
    const path = i.path.map(String).join('.') || 'form';
    const field = path.split('.')[0] ?? path;
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ path: field, key: /^campaigns\.error\.[a-z_]+$/.test(i.message) ? i.message : 'campaigns.error.invalid' });
  }
  return out;
}

const metaOf = (a: CampaignActor) => ({ actorId: a.officer.id, ip: a.ip, userAgent: a.userAgent ?? null });

/** The campaign's indicators in the catalogue's order, each once. */
const inCatalogueOrder = (keys: readonly IndicatorKey[]): IndicatorKey[] => INDICATOR_KEYS.filter((k) => keys.includes(k));

async function requireCampaign(ctx: AppContext, id: number): Promise<CampaignRef> {
  const campaign = await findCampaign(ctx.db.kysely, id);
  if (!campaign) throw notFound('campaign.not_found', `no campaign ${id}`);
  return campaign;
}

/** The period's rules: in order, at most MAX_PERIOD_DAYS long, and while the owner unit exists. */
function periodIssues(input: { startsOn: string; endsOn: string }, owner: DatedUnit): Issue[] {
  if (input.endsOn < input.startsOn) return [{ path: 'endsOn', key: 'campaigns.error.ends_before_start' }];
  if (daysBetween(input.startsOn, input.endsOn) > MAX_PERIOD_DAYS) return [{ path: 'endsOn', key: 'campaigns.error.period_too_long' }];
  if (owner.validFrom > input.endsOn || (owner.validTo !== null && owner.validTo < input.startsOn))
    return [{ path: 'startsOn', key: 'campaigns.error.owner_not_in_period', params: { unit: owner.name, from: owner.validFrom } }];
  return [];
}

// ---- creating a campaign ---------------------------------------------------------------------

/**
 * Creates a campaign owned by a unit the officer leads or administers. Authorization comes
 * first (403), then every field is checked (CampaignIssues with all the issues); nothing is
 * stored unless all is well.
 */
export async function createCampaign(ctx: AppContext, actor: CampaignActor, raw: unknown): Promise<CampaignRef> {
  const db = ctx.db.kysely;
  const today = localDateOf(ctx.now());
  await requireCreator(db, actor.officer, today);
  const parsed = CampaignInput.safeParse(raw);
  const issues = parsed.success ? [] : issuesOf(parsed.error);

  const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const ownerCode = typeof fields.ownerUnit === 'string' ? fields.ownerUnit : '';
  const owner = UNIT_CODE.test(ownerCode) ? await unitInForce(db, ownerCode, today) : null;
  if (owner && !canEditUnit(actor.officer, owner)) throw new Problem(403, 'auth.forbidden', `no leader or administrator role on ${ownerCode}`);
  if (!owner && !issues.some((i) => i.path === 'ownerUnit')) issues.push({ path: 'ownerUnit', key: 'campaigns.error.owner_unit' });
  if (!owner) throw new CampaignIssues('campaign.bad_input', issues);

  // The rules between fields are checked whenever their fields are valid, so one answer lists every issue.
  const period = CampaignInput.pick({ startsOn: true, endsOn: true }).safeParse(raw);
  if (period.success) issues.push(...periodIssues(period.data, owner));
  const covered = CampaignInput.shape.coveredUnits.safeParse(fields.coveredUnits);
  const codes = covered.success ? [...new Set(covered.data)] : [];
  let coveredIds: number[] = [];
  if (codes.length > 0) {
    const rows = await db
      .selectFrom('units')
      .select(['id', 'code'])
      .where('code', 'in', codes)
      .where(sql<boolean>`ancestor_ids @> ARRAY[${sql.lit(owner.id)}]::int[]`)
      .orderBy('valid_from', 'desc')
      .execute();
    const found = new Map<string, number>();
    for (const r of rows) if (!found.has(r.code)) found.set(r.code, r.id);
    const outside = codes.filter((c) => !found.has(c));
    if (outside.length > 0) issues.push({ path: 'coveredUnits', key: 'campaigns.error.covered_outside', params: { codes: outside.join(', '), owner: owner.name } });
    // Naming the owner itself is the same as naming nothing: its whole subtree.
    coveredIds = found.has(owner.code) ? [] : [...new Set(found.values())];
  }
  if (!parsed.success || issues.length > 0) throw new CampaignIssues('campaign.bad_input', issues);

  const input = parsed.data;
  const indicators = inCatalogueOrder(input.indicators);
  const now = ctx.now();
  const id = await ctx.db.transaction(async (trx) => {
    const row = await trx
      .insertInto('campaigns')
      .values({ name: input.name, description: input.description, starts_on: input.startsOn, ends_on: input.endsOn, unit_id: owner.id, indicators, created_by: actor.officer.id, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (coveredIds.length > 0) await trx.insertInto('campaign_units').values(coveredIds.map((unit_id) => ({ campaign_id: row.id, unit_id }))).execute();
    await audit(trx, { ...metaOf(actor), action: 'campaign.created', entity: 'campaign', entityId: row.id, detail: { unit: owner.code, startsOn: input.startsOn, endsOn: input.endsOn, indicators, covered: coveredIds.length } });
    return row.id;
  });
  countersChanged();
  return requireCampaign(ctx, id);
}

/**
 * Changes a campaign's name, description, period and indicators (its owner and covered units
 * stay: targets were set for them), against the version the editor read. Only the leaders and
 * administrators of the owner unit may. Targets of an indicator taken off stay stored, unseen,
 * and come back if it is followed again.
 */
export async function updateCampaign(ctx: AppContext, actor: CampaignActor, campaignId: number, raw: unknown, version: number): Promise<CampaignRef> {
  requireSomeRole(actor.officer, EDIT_ROLES, 'campaigns are changed by leaders and administrators');
  const campaign = await requireCampaign(ctx, campaignId);
  const owner = await campaignOwner(ctx.db.kysely, campaign);
  if (!canEditUnit(actor.officer, owner)) throw new Problem(403, 'auth.forbidden', `no leader or administrator role on ${owner.code}`);
  const parsed = CampaignEdit.safeParse(raw);
  if (!parsed.success) throw new CampaignIssues('campaign.bad_input', issuesOf(parsed.error));
  const input = parsed.data;
  const issues = periodIssues(input, owner);
  if (issues.length > 0) throw new CampaignIssues('campaign.bad_input', issues);
  const indicators = inCatalogueOrder(input.indicators);
  await ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('campaigns').select('version').where('id', '=', campaign.id).forUpdate().executeTakeFirstOrThrow();
    if (row.version !== version) throw conflict('campaign.stale', `version ${version} was read, the campaign is at ${row.version}`, { version: row.version });
    const changed = [
      input.name !== campaign.name && 'name',
      input.description !== campaign.description && 'description',
      (input.startsOn !== campaign.startsOn || input.endsOn !== campaign.endsOn) && 'period',
      indicators.join() !== campaign.indicators.join() && 'indicators',
    ].filter((x): x is string => typeof x === 'string');
    await trx
      .updateTable('campaigns')
      .set((eb) => ({ name: input.name, description: input.description, starts_on: input.startsOn, ends_on: input.endsOn, indicators, version: eb('version', '+', 1), updated_at: ctx.now() }))
      .where('id', '=', campaign.id)
      .execute();
    await audit(trx, { ...metaOf(actor), action: 'campaign.updated', entity: 'campaign', entityId: campaign.id, detail: { changed, startsOn: input.startsOn, endsOn: input.endsOn, indicators, version: row.version + 1 } });
  });
  countersChanged();
  return requireCampaign(ctx, campaign.id);
}

// ---- writing targets -------------------------------------------------------------------------

interface TargetChange {
  unitId: number;
  indicator: IndicatorKey;
  /** null removes the target. */
  target: number | null;
}

export interface TargetsWritten {
  version: number;
  /** Targets set to a new value. */
  changed: number;
  /** Targets removed. */
  deleted: number;
}

const CHUNK = 1000;
const chunks = <T>(list: readonly T[]): T[][] => Array.from({ length: Math.ceil(list.length / CHUNK) }, (_, i) => list.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * Writes what differs from the stored targets, under the campaign's row lock. With
 * `expectedVersion`, a campaign changed since that version is refused (409 campaign.stale).
 */
async function writeTargets(trx: Trx, campaignId: number, officerId: number, now: Date, changes: readonly TargetChange[], expectedVersion: number | undefined): Promise<TargetsWritten> {
  const row = await trx.selectFrom('campaigns').select('version').where('id', '=', campaignId).forUpdate().executeTakeFirst();
  if (!row) throw notFound('campaign.not_found');
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw conflict('campaign.stale', `version ${expectedVersion} was read, the campaign is at ${row.version}`, { version: row.version });
  const current = await targetsFor(trx, campaignId, [...new Set(changes.map((c) => c.unitId))]);
  const stored = (c: TargetChange) => current.get(c.unitId)?.get(c.indicator);
  const upserts = changes.filter((c) => c.target !== null && stored(c) !== c.target);
  const deletes = changes.filter((c) => c.target === null && stored(c) !== undefined);
  if (upserts.length === 0 && deletes.length === 0) return { version: row.version, changed: 0, deleted: 0 };
  for (const part of chunks(upserts))
    await trx
      .insertInto('campaign_targets')
      .values(part.map((c) => ({ campaign_id: campaignId, unit_id: c.unitId, indicator: c.indicator, target: c.target ?? 0, set_by: officerId, set_at: now })))
      .onConflict((oc) => oc.columns(['campaign_id', 'unit_id', 'indicator']).doUpdateSet((eb) => ({ target: eb.ref('excluded.target'), set_by: eb.ref('excluded.set_by'), set_at: eb.ref('excluded.set_at') })))
      .execute();
  for (const part of chunks(deletes))
    await trx
      .deleteFrom('campaign_targets')
      .where('campaign_id', '=', campaignId)
      .where(sql<boolean>`(unit_id, indicator) IN (${sql.join(part.map((d) => sql`(${d.unitId}::int, ${d.indicator}::text)`))})`)
      .execute();
  const bumped = await trx.updateTable('campaigns').set((eb) => ({ version: eb('version', '+', 1), updated_at: now })).where('id', '=', campaignId).returning('version').executeTakeFirstOrThrow();
  return { version: bumped.version, changed: upserts.length, deleted: deletes.length };
}

/**
 * Sets targets, each `{ unit, indicator, target | null }`, checked against the version the
 * caller read. 403 when one of the units is outside the officer's leader or administrator
 * roles; CampaignIssues (campaign.bad_target) for a unit outside the campaign, an indicator it
 * does not follow, or a number out of range.
 */
export async function setTargets(ctx: AppContext, actor: CampaignActor, campaignId: number, body: TargetsPutT, via: 'form' | 'api'): Promise<TargetsWritten> {
  const db = ctx.db.kysely;
  requireSomeRole(actor.officer, EDIT_ROLES, 'targets are set by leaders and administrators');
  const campaign = await requireCampaign(ctx, campaignId);
  const units = await campaignUnits(db, campaign, body.targets.map((t) => t.unit));
  for (const u of units.values()) if (!canEditUnit(actor.officer, u)) throw new Problem(403, 'auth.forbidden', `no leader or administrator role on ${u.code}`);

  const issues: Issue[] = [];
  const changes: TargetChange[] = [];
  const seen = new Set<string>();
  body.targets.forEach((t, i) => {
    const unit = units.get(t.unit);
    if (!unit) return void issues.push({ path: `targets.${i}.unit`, key: 'campaigns.error.unit_not_in_campaign', params: { code: t.unit } });
    if (!campaign.indicators.includes(t.indicator)) return void issues.push({ path: `targets.${i}.indicator`, key: 'campaigns.error.indicator_not_in_campaign', params: { indicator: t.indicator } });
    const checked = t.target === null ? { ok: true as const, value: null } : checkTarget(INDICATORS[t.indicator].kind, t.target);
    if (!checked.ok) return void issues.push({ path: `targets.${i}.target`, key: rangeKey(t.indicator) });
    if (seen.has(`${unit.id}:${t.indicator}`)) return void issues.push({ path: `targets.${i}`, key: 'campaigns.error.duplicate_target', params: { code: t.unit, indicator: t.indicator } });
    seen.add(`${unit.id}:${t.indicator}`);
    changes.push({ unitId: unit.id, indicator: t.indicator, target: checked.value });
  });
  if (issues.length > 0) throw new CampaignIssues('campaign.bad_target', issues);

  const result = await ctx.db.transaction(async (trx) => {
    const written = await writeTargets(trx, campaign.id, actor.officer.id, ctx.now(), changes, body.version);
    if (written.changed + written.deleted > 0)
      await audit(trx, { ...metaOf(actor), action: 'campaign.targets_set', entity: 'campaign', entityId: campaign.id, detail: { via, units: units.size, changed: written.changed, deleted: written.deleted, version: written.version } });
    return written;
  });
  if (result.changed + result.deleted > 0) countersChanged();
  return result;
}

/**
 * Splits a unit's targets down to its direct children (splitTarget: counts in proportion to the
 * children's weights, percentages and days copied), for one indicator or for every indicator
 * the unit has a target for. The children's targets are replaced.
 */
export async function splitTargets(
  ctx: AppContext,
  actor: CampaignActor,
  campaignId: number,
  req: { unitCode: string; indicator?: IndicatorKey | undefined; version: number },
): Promise<TargetsWritten & { indicators: IndicatorKey[]; children: number }> {
  const db = ctx.db.kysely;
  requireSomeRole(actor.officer, EDIT_ROLES, 'targets are split by leaders and administrators');
  const campaign = await requireCampaign(ctx, campaignId);
  const unit = await campaignUnitByCode(db, campaign, req.unitCode);
  if (!unit) throw notFound('campaign.not_found', `the campaign does not cover ${req.unitCode}`);
  if (!canEditUnit(actor.officer, unit)) throw new Problem(403, 'auth.forbidden', `no leader or administrator role on ${unit.code}`);
  if (req.indicator && !campaign.indicators.includes(req.indicator))
    throw new CampaignIssues('campaign.bad_target', [{ path: 'indicator', key: 'campaigns.error.indicator_not_in_campaign', params: { indicator: req.indicator } }]);

  const children = await campaignChildren(db, campaign, unit);
  if (children.length === 0) throw new CampaignIssues('campaign.bad_target', [{ path: 'unit', key: 'campaigns.error.no_children', params: { unit: unit.name } }]);
  const own = (await targetsFor(db, campaign.id, [unit.id])).get(unit.id) ?? new Map<IndicatorKey, number>();
  const keys = (req.indicator ? [req.indicator] : campaign.indicators).filter((k) => own.has(k));
  if (keys.length === 0) throw new CampaignIssues('campaign.bad_target', [{ path: 'indicator', key: 'campaigns.error.nothing_to_split', params: { unit: unit.name } }]);

  const inputs = await childInputs(ctx, campaign, unit, children);
  const changes: TargetChange[] = [];
  for (const key of keys) {
    const shares = splitTarget(INDICATORS[key], own.get(key) ?? 0, children.map((c) => ({ unitId: c.id, weight: weightOf(key, inputs.get(c.id)) })));
    for (const [unitId, target] of shares) changes.push({ unitId, indicator: key, target });
  }
  const result = await ctx.db.transaction(async (trx) => {
    const written = await writeTargets(trx, campaign.id, actor.officer.id, ctx.now(), changes, req.version);
    await audit(trx, { ...metaOf(actor), action: 'campaign.targets_split', entity: 'campaign', entityId: campaign.id, detail: { unit: unit.code, indicators: keys, children: children.length, changed: written.changed, version: written.version } });
    return written;
  });
  if (result.changed > 0) countersChanged();
  return { ...result, indicators: keys, children: children.length };
}

// ---- importing targets from a workbook ----------------------------------------------------------

export interface ImportResult extends TargetsWritten {
  /** Unit rows read from the file. */
  rows: number;
}

/**
 * Imports the targets of a filled-in template: every row is checked (a unit of the campaign
 * within the officer's leader or administrator roles, each number in its indicator's range) and
 * every problem is reported with its row and column; all or nothing. An empty cell removes the
 * target, as in the grid. The file's own problems (not a workbook, too big) are
 * campaign.import_bad_file.
 */
export async function importTargets(ctx: AppContext, actor: CampaignActor, campaignId: number, file: { filename: string; data: Buffer }): Promise<ImportResult> {
  const db = ctx.db.kysely;
  requireSomeRole(actor.officer, EDIT_ROLES, 'targets are imported by leaders and administrators');
  const campaign = await requireCampaign(ctx, campaignId);
  const sheet = await readTargetsWorkbook(file.data, campaign);
  const issues: Issue[] = [...sheet.issues];
  const units = await campaignUnits(db, campaign, sheet.rows.map((r) => r.code));
  const changes: TargetChange[] = [];
  const seenRow = new Map<string, number>();
  for (const r of sheet.rows) {
    const at = (column: string) => ({ path: `row ${r.row}, column ${column}`, row: r.row, column });
    const unit = units.get(r.code);
    if (!unit) {
      issues.push({ ...at(r.codeColumn), key: 'campaigns.import.unit_not_in_campaign', params: { code: r.code } });
      continue;
    }
    if (!canEditUnit(actor.officer, unit)) {
      issues.push({ ...at(r.codeColumn), key: 'campaigns.import.unit_out_of_reach', params: { code: r.code } });
      continue;
    }
    const earlier = seenRow.get(r.code);
    if (earlier !== undefined) {
      issues.push({ ...at(r.codeColumn), key: 'campaigns.import.duplicate_unit', params: { code: r.code, row: String(earlier) } });
      continue;
    }
    seenRow.set(r.code, r.row);
    for (const cell of r.cells) {
      const kind = INDICATORS[cell.indicator].kind;
      const parsed = cell.value.kind === 'empty' ? { ok: true as const, value: null } : cell.value.kind === 'number' ? checkTarget(kind, cell.value.n) : cell.value.kind === 'text' ? parseTarget(kind, cell.value.s) : { ok: false as const };
      if (!parsed.ok) issues.push({ ...at(cell.column), key: `campaigns.import.target_${kind}` });
      else changes.push({ unitId: unit.id, indicator: cell.indicator, target: parsed.value });
    }
  }
  if (issues.length > 0) {
    issues.sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || (a.column ?? '').length - (b.column ?? '').length || (a.column ?? '').localeCompare(b.column ?? ''));
    throw new CampaignIssues('campaign.import_bad_rows', issues);
  }
  const result = await ctx.db.transaction(async (trx) => {
    const written = await writeTargets(trx, campaign.id, actor.officer.id, ctx.now(), changes, undefined);
    await audit(trx, { ...metaOf(actor), action: 'campaign.targets_imported', entity: 'campaign', entityId: campaign.id, detail: { rows: sheet.rows.length, changed: written.changed, deleted: written.deleted, version: written.version, bytes: file.data.length } });
    return written;
  });
  if (result.changed + result.deleted > 0) countersChanged();
  return { ...result, rows: sheet.rows.length };
}
