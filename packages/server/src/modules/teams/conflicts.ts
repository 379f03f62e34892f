/**
 * Sync conflicts (a field edited on two phones) for a supervisor to settle: keep the value the
 * later edit left, or use the other one. Using the other value writes it into the household or
 * resident as a new version (personal fields re-sealed, lookup hashes recomputed), marks the
 * conflict resolved, and appends both changes to the change log so the team's phones download
 * them; all in one transaction, audited. Values are sealed at rest (they may be personal).
 */
import { householdFields, PERSONAL_RESIDENT_FIELDS, residentFields, foldDiacritics } from '@causo/domain';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Db, Trx } from '../../db/database.ts';
import { notFound, Problem } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import type { Officer } from '../auth/service.ts';
import { recordChange } from '../sync/changes.ts';
import { coveredBy, requireSupervisorRoots } from './access.ts';
import type { RequestActor } from './devices.ts';
import { householdSearch, residentHashes, type PersonalFields } from './records.ts';
import type { FieldMeta } from './schema.ts';

type Kdb = Db['kysely'] | Trx;

export const CONFLICT_LIST_LIMIT = 200;
/** Fields that move a record elsewhere: only "keep" settles a conflict on them. */
const STRUCTURAL = new Set(['villageCode', 'householdId']);

export interface ConflictRow {
  id: number;
  version: number;
  entity: 'household' | 'resident';
  entityId: string;
  field: string;
  kept: unknown;
  keptAt: Date;
  other: unknown;
  otherAt: Date;
  /** Null when the other value came from the office or the seed. */
  otherMember: string | null;
  villageCode: string;
  villageName: string;
  /** Household head, or the resident's name. */
  recordName: string | null;
  householdHead: string | null;
  canUseOther: boolean;
}

export async function listOpenConflicts(ctx: AppContext, roots: readonly number[]): Promise<ConflictRow[]> {
  if (roots.length === 0) return [];
  const db = ctx.db.kysely;
  const rows = await db
    .selectFrom('sync_conflicts as c')
    .innerJoin('units as v', 'v.id', 'c.unit_id')
    .leftJoin('users as u', 'u.id', 'c.other_member_id')
    .leftJoin('households as h', (j) => j.on(sql<boolean>`c.entity = 'household' AND h.id = c.entity_id`))
    .leftJoin('residents as r', (j) => j.on(sql<boolean>`c.entity = 'resident' AND r.id = c.entity_id`))
    .leftJoin('households as rh', 'rh.id', 'r.household_id')
    .select([
      'c.id',
      'c.version',
      'c.entity',
      'c.entity_id',
      'c.field',
      'c.values_sealed',
      'c.kept_at',
      'c.other_at',
      'u.display_name',
      'v.code',
      'v.name',
      sql<string | null>`coalesce(h.data->>'headName', r.data->>'fullName')`.as('record_name'),
      sql<string | null>`rh.data->>'headName'`.as('household_head'),
    ])
    .where('c.status', '=', 'open')
    .where(sql<boolean>`v.ancestor_ids && ${sql.val([...roots])}::int[]`)
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(CONFLICT_LIST_LIMIT)
    .execute();
  return rows.map((r) => {
    const values = ctx.vault.open<{ kept: unknown; other: unknown }>(r.values_sealed);
    return {
      id: Number(r.id),
      version: r.version,
      entity: r.entity,
      entityId: r.entity_id,
      field: r.field,
      kept: values.kept,
      keptAt: r.kept_at,
      other: values.other,
      otherAt: r.other_at,
      otherMember: r.display_name,
      villageCode: r.code,
      villageName: r.name,
      recordName: r.record_name,
      householdHead: r.entity === 'resident' ? r.household_head : null,
      canUseOther: !STRUCTURAL.has(r.field),
    };
  });
}

/**
 * Refuses anyone who is not a supervisor (commune or above) of the conflict's village; 404 for
 * a conflict that does not exist. Returns the village's unit id.
 */
export async function authorizeConflict(db: Kdb, officer: Officer | null, id: number, knownUnitId?: number): Promise<number> {
  const roots = await requireSupervisorRoots(db, officer, true);
  const unitId = knownUnitId ?? (await db.selectFrom('sync_conflicts').select('unit_id').where('id', '=', id).executeTakeFirst())?.unit_id;
  if (unitId === undefined) throw notFound('request.not_found', `no conflict ${id}`);
  if (!(await coveredBy(db, unitId, roots))) throw new Problem(403, 'auth.forbidden', 'the conflict is outside your units');
  return unitId;
}

export const isPersonalField = (field: string): boolean => (PERSONAL_RESIDENT_FIELDS as readonly string[]).includes(field);

export type ResolveResult = { ok: true; recordVersion: number | null } | { ok: false; reason: 'stale' | 'invalid_value' };

/** The new field metadata entry for a value written from the office (no envelope, no device). */
function metaWith(meta: FieldMeta, field: string, version: number, at: Date): string {
  return JSON.stringify({ ...meta, [field]: { v: version, at: at.toISOString(), env: null, dev: null } });
}

async function writeHouseholdField(trx: Trx, id: string, field: string, value: unknown, now: Date): Promise<number | 'invalid' | null> {
  const shape = householdFields.shape as Record<string, { safeParse: (v: unknown) => { success: boolean; data?: unknown } }>;
  const check = shape[field]?.safeParse(value);
  if (!check?.success) return 'invalid';
  const row = await trx.selectFrom('households').select(['version', 'data', 'field_meta']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) return null;
  const data = { ...(row.data as Record<string, unknown>), [field]: check.data };
  const version = row.version + 1;
  await trx
    .updateTable('households')
    .set({
      version,
      data: JSON.stringify(data),
      field_meta: metaWith(row.field_meta, field, version, now),
      search: householdSearch(data as { headName: string; address: string }),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
  return version;
}

async function writeResidentField(ctx: AppContext, trx: Trx, id: string, field: string, value: unknown, now: Date): Promise<number | 'invalid' | null> {
  const shape = residentFields.shape as Record<string, { safeParse: (v: unknown) => { success: boolean; data?: unknown } }>;
  const check = shape[field]?.safeParse(value);
  if (!check?.success) return 'invalid';
  const row = await trx.selectFrom('residents').select(['version', 'data', 'personal_sealed', 'field_meta']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) return null;
  const version = row.version + 1;
  const common = { version, field_meta: metaWith(row.field_meta, field, version, now), updated_at: now };
  if (isPersonalField(field)) {
    const personal = { ...ctx.vault.open<PersonalFields>(row.personal_sealed), [field]: check.data } as PersonalFields;
    await trx
      .updateTable('residents')
      .set({ ...common, personal_sealed: ctx.vault.seal(personal), ...residentHashes(ctx.vault, personal) })
      .where('id', '=', id)
      .execute();
  } else {
    const data = { ...(row.data as Record<string, unknown>), [field]: check.data };
    await trx
      .updateTable('residents')
      .set({ ...common, data: JSON.stringify(data), search: foldDiacritics(String(data.fullName ?? '')) })
      .where('id', '=', id)
      .execute();
  }
  return version;
}

/**
 * Settles one conflict. `version` is the conflict's version the supervisor saw: if someone
 * settled it meanwhile, nothing is written and the answer says so.
 */
export async function resolveConflict(ctx: AppContext, actor: RequestActor, id: number, input: { resolution: 'kept' | 'other'; version: number }): Promise<ResolveResult> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx) => {
    const c = await trx
      .selectFrom('sync_conflicts')
      .select(['id', 'unit_id', 'entity', 'entity_id', 'field', 'values_sealed', 'status', 'version'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!c) throw notFound('request.not_found', `no conflict ${id}`);
    await authorizeConflict(trx, actor.officer, id, c.unit_id);
    if (c.status !== 'open' || c.version !== input.version) return { ok: false, reason: 'stale' } as const;

    let recordVersion: number | null = null;
    if (input.resolution === 'other') {
      if (STRUCTURAL.has(c.field)) return { ok: false, reason: 'invalid_value' } as const;
      const { other } = ctx.vault.open<{ kept: unknown; other: unknown }>(c.values_sealed);
      const written = c.entity === 'household' ? await writeHouseholdField(trx, c.entity_id, c.field, other, now) : await writeResidentField(ctx, trx, c.entity_id, c.field, other, now);
      if (written === 'invalid') return { ok: false, reason: 'invalid_value' } as const;
      if (written === null) throw notFound('request.not_found', `the ${c.entity} of conflict ${id} is gone`);
      recordVersion = written;
      await recordChange(trx, c.unit_id, c.entity, c.entity_id);
    }
    await trx
      .updateTable('sync_conflicts')
      .set({ status: 'resolved', resolved_by: actor.officer.id, resolved_at: now, resolution: input.resolution, version: c.version + 1 })
      .where('id', '=', id)
      .execute();
    await recordChange(trx, c.unit_id, 'conflict', id);
    await audit(trx, {
      actorId: actor.officer.id,
      action: 'conflict.resolved',
      entity: 'sync_conflict',
      entityId: id,
      detail: { resolution: input.resolution, entity: c.entity, entityId: c.entity_id, field: c.field, recordVersion },
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
    return { ok: true, recordVersion } as const;
  });
}
