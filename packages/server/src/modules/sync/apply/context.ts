/** What every envelope handler gets: the transaction, the member and device, the clock. */
import type { AppContext } from '../../../context.ts';
import type { Insertable } from 'kysely';
import type { Trx } from '../../../db/database.ts';
import type { SyncEnvelopesTable, VisitsTable } from '../../teams/schema.ts';
import type { FieldMember } from '../fieldAuth.ts';
import type { Village } from '../../teams/members.ts';
import { recordChange, type ChangeEntity } from '../changes.ts';

/**
 * What a batch learned up front (push.ts `prefetch`), so that applying an envelope is mostly
 * writes: the households and residents it refers to, and which appended records exist already.
 * Records created by earlier envelopes of the batch are added as they are made. Change-log rows
 * are collected and written once at the end (they share the transaction id anyway).
 */
export interface BatchState {
  households: Map<string, number>;
  residents: Map<string, string>;
  existing: Set<string>;
  changes: { unitId: number; entity: ChangeEntity; entityId: string }[];
  /** False when no portal blocker is waiting for a village: linking can be skipped. */
  portalBlockersWaiting: boolean;
  /** Envelope rows not yet written (they go in together at the end of the batch). */
  envelopes: Insertable<SyncEnvelopesTable>[];
  /** Visits not yet written (nothing in the batch reads them back). */
  visits: Insertable<VisitsTable>[];
  /** Team members by village, read once per batch. */
  teams: Map<number, number[]>;
}

/** Writes the collected envelope rows now: a conflict row is about to refer to one of them. */
export async function flushEnvelopes(a: ApplyContext): Promise<void> {
  if (!a.batch || a.batch.envelopes.length === 0) return;
  const rows = a.batch.envelopes.splice(0);
  for (let i = 0; i < rows.length; i += 500) await a.trx.insertInto('sync_envelopes').values(rows.slice(i, i + 500)).execute();
}

/** Writes the collected visits (at the end of the batch). */
export async function flushVisits(a: ApplyContext): Promise<void> {
  if (!a.batch || a.batch.visits.length === 0) return;
  const rows = a.batch.visits.splice(0);
  for (let i = 0; i < rows.length; i += 500) await a.trx.insertInto('visits').values(rows.slice(i, i + 500)).execute();
}

export interface ApplyContext {
  ctx: AppContext;
  trx: Trx;
  member: FieldMember;
  receivedAt: Date;
  /** Loaded before the transaction: on the embedded database the transaction holds the one connection. */
  calendar: Awaited<ReturnType<AppContext['calendar']['calendar']>>;
  /** Null in the careful mode (a savepoint per envelope): every check reads the database. */
  batch: BatchState | null;
}

/** Appends a change-log row, at the end of the batch when collecting. */
export async function noteChange(a: ApplyContext, unitId: number, entity: ChangeEntity, entityId: string | number): Promise<void> {
  if (a.batch) a.batch.changes.push({ unitId, entity, entityId: String(entityId) });
  else await recordChange(a.trx, unitId, entity, entityId);
}

/** The village of a household (Rejection when it does not exist or lies outside the team). */
export async function householdUnit(a: ApplyContext, householdId: string): Promise<number> {
  let unit = a.batch?.households.get(householdId);
  if (unit === undefined) {
    const h = await a.trx.selectFrom('households').select('unit_id').where('id', '=', householdId).executeTakeFirst();
    if (!h) throw new Rejection('sync.not_found', `no household ${householdId}`);
    unit = h.unit_id;
    a.batch?.households.set(householdId, unit);
  }
  return villageById(a, unit).id;
}

/** The household of a resident, or null when there is no such resident. */
export async function residentHousehold(a: ApplyContext, residentId: string): Promise<string | null> {
  const known = a.batch?.residents.get(residentId);
  if (known !== undefined) return known;
  const r = await a.trx.selectFrom('residents').select('household_id').where('id', '=', residentId).executeTakeFirst();
  if (r) a.batch?.residents.set(residentId, r.household_id);
  return r?.household_id ?? null;
}

/** Refused: nothing of the envelope is applied. `retryable` when sending it again later may work. */
export class Rejection extends Error {
  constructor(
    readonly code: 'sync.invalid' | 'sync.not_in_team' | 'sync.not_found' | 'sync.file_missing' | 'sync.application_invalid' | 'sync.id_reused',
    readonly detail: string,
    readonly retryable = false,
  ) {
    super(`${code}: ${detail}`);
  }
}

export interface Applied {
  version: number | null;
  conflictIds: number[];
}

export function villageById(a: ApplyContext, unitId: number): Village {
  const v = a.member.villages.find((x) => x.id === unitId);
  if (!v) throw new Rejection('sync.not_in_team', `unit ${unitId} is not a village of the member's team`);
  return v;
}

export function villageByCode(a: ApplyContext, code: string): Village {
  const v = a.member.villages.find((x) => x.code === code);
  if (!v) throw new Rejection('sync.not_in_team', `village ${code} is not one of the member's team`);
  return v;
}
