/**
 * Units for a province administrator: the list by province and level, and marking a unit as
 * replaced (the 2025 reform merged communes and abolished districts). Replacing ends the old
 * unit the day before the new one takes over, ends what is still in force under it, and
 * records old → new in `unit_replacements` (full: all of it went to one unit; partial: a part
 * went to each). The same plan is shown as a preview and then applied, recomputed inside the
 * transaction so what is written is what was checked.
 */
import { addDays, isLocalDate } from '@causo/domain';
import { sql } from 'kysely';
import type { AppContext } from '../../../context.ts';
import type { Db, Trx } from '../../../db/database.ts';
import { notFound } from '../../../http/problem.ts';
import { audit } from '../../audit/service.ts';
import type { AdminScope } from '../../auth/service.ts';
import { findUnitByCode, replacementsOf, type UnitRecord } from '../queries.ts';

type Q = Db['kysely'] | Trx;
const inScope = (rootIds: number[]) => sql<boolean>`ancestor_ids && ${sql.val(rootIds)}::int[]`;
const LEVELS = ['province', 'district', 'commune', 'village'] as const;
export type Level = (typeof LEVELS)[number];

/** Provinces (current and replaced) whose units this administrator looks after. */
export function scopeProvinces(db: Q, scope: AdminScope) {
  return db.selectFrom('units').selectAll().where('id', 'in', scope.rootIds).where('level', '=', 'province').orderBy('valid_from', 'desc').execute();
}

export interface UnitListFilter {
  provinceId: number;
  level?: Level | undefined;
  date?: string | undefined;
  search?: string | undefined;
  limit: number;
  offset: number;
}

export function listScopeUnits(db: Q, f: UnitListFilter) {
  let q = db.selectFrom('units').selectAll().where(sql<boolean>`ancestor_ids && ${sql.val([f.provinceId])}::int[]`);
  if (f.level) q = q.where('level', '=', f.level);
  if (f.date) {
    const d = f.date;
    q = q.where('valid_from', '<=', d).where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', d)]));
  }
  if (f.search) for (const token of f.search.split(' ').filter(Boolean)) q = q.where('search_name', 'like', `%${token}%`);
  return q.orderBy(sql`array_length(ancestor_ids, 1)`).orderBy('code').orderBy('valid_from', 'desc').limit(f.limit).offset(f.offset).execute();
}

export async function scopeUnit(db: Q, scope: AdminScope, id: number): Promise<UnitRecord> {
  const unit = await db.selectFrom('units').selectAll().where('id', '=', id).where(inScope(scope.rootIds)).executeTakeFirst();
  if (!unit) throw notFound('unit.not_found', `no unit ${id} in your province`);
  return unit;
}

export async function unitDetail(db: Q, scope: AdminScope, id: number) {
  const unit = await scopeUnit(db, scope, id);
  const parent = unit.parent_id === null ? null : await db.selectFrom('units').selectAll().where('id', '=', unit.parent_id).executeTakeFirst();
  const children = await db.selectFrom('units').select((eb) => eb.fn.countAll().as('n')).where('parent_id', '=', id).executeTakeFirstOrThrow();
  return { unit, parent: parent ?? null, childCount: Number(children.n), replacements: await replacementsOf(db as Db['kysely'], id) };
}

export interface ReplacementInput {
  newCodes: string[];
  kind: 'full' | 'partial';
  /** The first day the new unit(s) are in charge; the old unit ends the day before. */
  effective: string;
}

export interface ReplacementPlan {
  old: UnitRecord;
  input: ReplacementInput;
  endDate: string;
  newUnits: UnitRecord[];
  /** The old unit's end date before and after. */
  validTo: { from: string | null; to: string };
  /** Units under the old one still in force after the end date: they end with it. */
  descendantsEnding: { id: number; code: string; name: string; validTo: string | null }[];
  /** Replacement rows that already exist for one of the pairs (they are updated). */
  existing: { newUnitId: number; kind: string; effective: string }[];
  openDossiers: number;
}

export interface PlanIssue {
  field: 'newCodes' | 'kind' | 'effective';
  key: string;
  params?: Record<string, string>;
}

export function parseCodes(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((c) => c.trim()).filter(Boolean))];
}

export async function planReplacement(db: Q, scope: AdminScope, oldId: number, input: ReplacementInput): Promise<{ plan: ReplacementPlan | null; issues: PlanIssue[] }> {
  const old = await scopeUnit(db, scope, oldId);
  const issues: PlanIssue[] = [];
  if (!isLocalDate(input.effective) || input.effective < '2000-01-01' || input.effective > '2100-12-31') return { plan: null, issues: [{ field: 'effective', key: 'admin.units.error.effective' }] };
  const endDate = addDays(input.effective, -1);
  if (endDate < old.valid_from) issues.push({ field: 'effective', key: 'admin.units.error.before_start', params: { date: old.valid_from } });
  if (old.valid_to !== null && old.valid_to < endDate) issues.push({ field: 'effective', key: 'admin.units.error.already_ended', params: { date: old.valid_to } });
  if (input.newCodes.length === 0) issues.push({ field: 'newCodes', key: 'admin.units.error.no_new' });
  if (input.kind === 'full' && input.newCodes.length > 1) issues.push({ field: 'kind', key: 'admin.units.error.full_single' });

  const newUnits: UnitRecord[] = [];
  for (const code of input.newCodes.slice(0, 20)) {
    const unit = await findUnitByCode(db as Db['kysely'], code, input.effective);
    if (!unit) {
      issues.push({ field: 'newCodes', key: 'admin.units.error.new_unknown', params: { code, date: input.effective } });
      continue;
    }
    if (unit.id === old.id) issues.push({ field: 'newCodes', key: 'admin.units.error.new_is_old', params: { code } });
    else if (!(await db.selectFrom('units').select('id').where('id', '=', unit.id).where(inScope(scope.rootIds)).executeTakeFirst()))
      issues.push({ field: 'newCodes', key: 'admin.units.error.new_not_yours', params: { code } });
    else newUnits.push(unit);
  }

  const below = await db
    .selectFrom('units')
    .select(['id', 'code', 'name', 'valid_from', 'valid_to'])
    .where(sql<boolean>`ancestor_ids && ${sql.val([old.id])}::int[]`)
    .where('id', '!=', old.id)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', endDate)]))
    .orderBy('code')
    .execute();
  const startsLater = below.find((u) => u.valid_from > endDate);
  if (startsLater) issues.push({ field: 'effective', key: 'admin.units.error.child_starts_later', params: { code: startsLater.code, date: startsLater.valid_from } });
  if (issues.length) return { plan: null, issues };

  const existing = newUnits.length
    ? await db.selectFrom('unit_replacements').select(['new_unit_id', 'kind', 'effective']).where('old_unit_id', '=', old.id).where('new_unit_id', 'in', newUnits.map((u) => u.id)).execute()
    : [];
  const open = await db
    .selectFrom('dossiers')
    .innerJoin('units', 'units.id', 'dossiers.unit_id')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(sql<boolean>`units.ancestor_ids && ${sql.val([old.id])}::int[]`)
    .where('dossiers.finished_at', 'is', null)
    .where('dossiers.received_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return {
    issues: [],
    plan: {
      old,
      input,
      endDate,
      newUnits,
      validTo: { from: old.valid_to, to: endDate },
      descendantsEnding: below.map((u) => ({ id: u.id, code: u.code, name: u.name, validTo: u.valid_to })),
      existing: existing.map((e) => ({ newUnitId: e.new_unit_id, kind: e.kind, effective: e.effective })),
      openDossiers: Number(open.n),
    },
  };
}

export async function applyReplacement(ctx: AppContext, scope: AdminScope, oldId: number, input: ReplacementInput, meta: { ip: string; userAgent: string | null }): Promise<{ plan: ReplacementPlan | null; issues: PlanIssue[] }> {
  return ctx.db.transaction(async (trx) => {
    // One replacement at a time: two administrators ending the same unit see each other's work.
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(7_046_303)}::bigint)`.execute(trx);
    const { plan, issues } = await planReplacement(trx, scope, oldId, input);
    if (!plan) return { plan, issues };
    const ending = [plan.old.id, ...plan.descendantsEnding.map((d) => d.id)];
    await trx.updateTable('units').set({ valid_to: plan.endDate }).where('id', 'in', ending).execute();
    for (const n of plan.newUnits)
      await trx
        .insertInto('unit_replacements')
        .values({ old_unit_id: plan.old.id, new_unit_id: n.id, kind: input.kind, effective: input.effective })
        .onConflict((oc) => oc.columns(['old_unit_id', 'new_unit_id']).doUpdateSet({ kind: input.kind, effective: input.effective }))
        .execute();
    await audit(trx, {
      actorId: scope.officer.id,
      action: 'unit.replace',
      entity: 'unit',
      entityId: plan.old.id,
      detail: { code: plan.old.code, kind: input.kind, effective: input.effective, newUnits: plan.newUnits.map((u) => u.code), validTo: plan.validTo, alsoEnded: plan.descendantsEnding.length },
      ...meta,
    });
    return { plan, issues: [] };
  });
}

export function isLevel(v: string | undefined): v is Level {
  return (LEVELS as readonly string[]).includes(v ?? '');
}

export { LEVELS };
