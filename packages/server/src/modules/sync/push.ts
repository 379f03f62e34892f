/**
 * Push: a batch of envelopes from one phone, answered envelope by envelope (docs/sync.md).
 *
 * The batch runs in one transaction with a savepoint per envelope, so a refused envelope
 * leaves nothing behind while the others apply, and an answer is sent only after the commit:
 * whatever the phone is told "accepted" is stored. The envelope's row is written before the
 * record it carries: a second copy racing in from a retried request waits on that row's key,
 * then finds it and answers "duplicate" instead of applying twice.
 */
import { syncEnvelopes } from '../../http/metrics.ts';
import { UUID, canonicalJson, envelopeHeader, envelopeSchema, payloadHashOf, problemMessage, type Envelope, type PushResult } from '@causo/domain';
import { createHash } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import { countersChanged } from '../reports/viewCache.ts';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import { audit } from '../audit/service.ts';
import type { FieldMember } from './fieldAuth.ts';
import { applyHousehold, applyResident } from './apply/editable.ts';
import { applyBlocker, applyBlockerResolution, applyFollowUp, applyFollowUpDone, applyVisit } from './apply/activity.ts';
import { applyApplication } from './apply/application.ts';
import { Rejection, flushEnvelopes, flushVisits, type Applied, type ApplyContext, type BatchState } from './apply/context.ts';
import { recordChanges } from './changes.ts';
import type { SyncEnvelopesTable } from '../teams/schema.ts';

type Prepared = { id: string; envelope: Envelope; contentHash: string } | { id: string; rejected: PushResult };

const reject = (id: string, code: Rejection['code'] | 'sync.hash_mismatch', detail: string, retryable = false): PushResult => ({
  id,
  result: 'rejected',
  code,
  message: `${problemMessage(code).vi} / ${problemMessage(code).en} (${detail})`,
  retryable,
});

/** Everything that can be checked without the database: shape, hash, device and member. */
async function prepare(raw: unknown, member: FieldMember): Promise<Prepared> {
  const header = envelopeHeader.safeParse(raw);
  const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? String((raw as { id: string }).id).slice(0, 40) : '';
  if (!header.success) return { id, rejected: reject(id, 'sync.invalid', header.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')) };
  const h = header.data;
  if (h.deviceId !== member.deviceId || h.memberId !== member.officer.id) return { id, rejected: reject(id, 'sync.invalid', 'envelope from another device or member') };
  if ((await payloadHashOf(h.payload)) !== h.payloadHash) return { id, rejected: reject(id, 'sync.hash_mismatch', 'payload does not match payloadHash', true) };
  const full = envelopeSchema.safeParse(raw);
  if (!full.success) return { id, rejected: reject(id, 'sync.invalid', full.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')) };
  const e = full.data;
  const contentHash = createHash('sha256')
    .update(canonicalJson({ entity: e.entity, entityId: e.entityId, op: e.op, baseVersion: e.baseVersion, occurredAt: e.occurredAt, payloadHash: e.payloadHash, deviceId: e.deviceId, memberId: e.memberId }))
    .digest('hex');
  return { id, envelope: e, contentHash };
}

function applyOne(a: ApplyContext, e: Envelope): Promise<Applied> {
  switch (e.entity) {
    case 'household':
      return applyHousehold(a, e);
    case 'resident':
      return applyResident(a, e);
    case 'visit':
      return applyVisit(a, e);
    case 'blocker':
      return applyBlocker(a, e);
    case 'blocker_resolution':
      return applyBlockerResolution(a, e);
    case 'follow_up':
      return applyFollowUp(a, e);
    case 'follow_up_done':
      return applyFollowUpDone(a, e);
    case 'application':
      return applyApplication(a, e);
  }
}

async function seen(trx: Trx, id: string, contentHash: string): Promise<PushResult | null> {
  const prior = await trx.selectFrom('sync_envelopes').select(['content_hash', 'result_version']).where('id', '=', id).executeTakeFirst();
  return prior ? answerForPrior(id, contentHash, prior) : null;
}

function answerForPrior(id: string, contentHash: string, prior: { content_hash: string; result_version: number | null }): PushResult {
  if (prior.content_hash === contentHash) return { id, result: 'duplicate', version: prior.result_version };
  return reject(id, 'sync.id_reused', 'the same envelope id arrived with different content');
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

function envelopeRow(a: ApplyContext, p: Extract<Prepared, { envelope: Envelope }>): Insertable<SyncEnvelopesTable> {
  const e = p.envelope;
  return {
    id: e.id,
    device_id: e.deviceId,
    member_id: e.memberId,
    entity: e.entity,
    entity_id: e.entityId,
    op: e.op,
    base_version: e.baseVersion,
    occurred_at: e.occurredAt,
    received_at: a.receivedAt,
    payload_hash: e.payloadHash,
    content_hash: p.contentHash,
    result: 'accepted',
    result_version: null,
    payload_sealed: a.ctx.vault.seal(e.payload),
  };
}

const answerOf = (id: string, applied: { version: number | null; conflictIds: number[] }): PushResult =>
  applied.conflictIds.length > 0 ? { id, result: 'conflict', version: applied.version ?? 1, conflictIds: applied.conflictIds } : { id, result: 'accepted', version: applied.version };

/**
 * The careful way, one savepoint per envelope: the envelope's row is written before the record
 * it carries, so a copy racing in through a retried request waits on that row's key and then
 * answers "duplicate". Used when the quick way met an unexpected database error.
 */
async function pushCarefully(a: ApplyContext, p: Extract<Prepared, { envelope: Envelope }>): Promise<PushResult> {
  const { trx } = a;
  const e = p.envelope;
  const before = await seen(trx, e.id, p.contentHash);
  if (before) return before;
  await sql`SAVEPOINT envelope`.execute(trx);
  try {
    await trx.insertInto('sync_envelopes').values(envelopeRow(a, p)).execute();
    const applied = await applyOne(a, e);
    const answer = answerOf(e.id, applied);
    await trx.updateTable('sync_envelopes').set({ result: answer.result === 'conflict' ? 'conflict' : 'accepted', result_version: applied.version }).where('id', '=', e.id).execute();
    await sql`RELEASE SAVEPOINT envelope`.execute(trx);
    return answer;
  } catch (err) {
    await sql`ROLLBACK TO SAVEPOINT envelope`.execute(trx);
    if (err instanceof Rejection) return reject(e.id, err.code, err.detail, err.retryable);
    // Another request carrying the same envelope committed first.
    if (isUniqueViolation(err)) {
      const again = await seen(trx, e.id, p.contentHash);
      if (again) return again;
    }
    throw err;
  }
}

/**
 * The quick way: every check of an envelope comes before its first write (the handlers are
 * written so), so a refusal needs no savepoint; what the batch refers to was read up front,
 * and envelope and change-log rows go in together at the end. Any database error aborts the
 * whole batch, which then runs again the careful way.
 */
async function pushQuickly(a: ApplyContext & { batch: BatchState }, p: Extract<Prepared, { envelope: Envelope }>, prior: Map<string, { content_hash: string; result_version: number | null }>): Promise<PushResult> {
  const e = p.envelope;
  const before = prior.get(e.id);
  if (before) return answerForPrior(e.id, p.contentHash, before);
  const row = envelopeRow(a, p);
  a.batch.envelopes.push(row);
  const mark = a.batch.changes.length;
  let applied;
  try {
    applied = await applyOne(a, e);
  } catch (err) {
    if (!(err instanceof Rejection)) throw err;
    // Checked before any write: nothing of it is stored; its row was not written either.
    const at = a.batch.envelopes.indexOf(row);
    if (at < 0) throw new Error(`envelope ${e.id} was refused after its row was written`);
    a.batch.envelopes.splice(at, 1);
    a.batch.changes.length = mark;
    return reject(e.id, err.code, err.detail, err.retryable);
  }
  const answer = answerOf(e.id, applied);
  const result = answer.result === 'conflict' ? 'conflict' : 'accepted';
  if (a.batch.envelopes.includes(row)) {
    row.result = result;
    row.result_version = applied.version;
  } else await a.trx.updateTable('sync_envelopes').set({ result, result_version: applied.version }).where('id', '=', e.id).execute();
  prior.set(e.id, { content_hash: p.contentHash, result_version: applied.version });
  return answer;
}

/** What the batch refers to, read in a few statements instead of several per envelope. */
async function prefetch(trx: Trx, envelopes: readonly Envelope[]) {
  const ids = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => typeof x === 'string'))];
  const payload = (e: Envelope) => e.payload as { householdId?: string; residentId?: string | null };
  const householdIds = ids(envelopes.flatMap((e) => [e.entity === 'household' ? e.entityId : null, payload(e).householdId]));
  const residentIds = ids(envelopes.flatMap((e) => [e.entity === 'resident' ? e.entityId : null, payload(e).residentId]));
  const appendIds = ids(envelopes.map((e) => (e.entity === 'visit' || e.entity === 'follow_up' || e.entity === 'blocker' ? e.entityId : null)));
  const households = householdIds.length ? await trx.selectFrom('households').select(['id', 'unit_id']).where('id', 'in', householdIds).execute() : [];
  const residents = residentIds.length ? await trx.selectFrom('residents').select(['id', 'household_id']).where('id', 'in', residentIds).execute() : [];
  const existing = appendIds.length
    ? await trx
        .selectFrom('visits')
        .select(sql<string>`id::text`.as('id'))
        .where('id', 'in', appendIds)
        .unionAll(trx.selectFrom('follow_ups').select(sql<string>`id::text`.as('id')).where('id', 'in', appendIds))
        .unionAll(trx.selectFrom('blockers').select(sql<string>`client_id::text`.as('id')).where('client_id', 'in', appendIds))
        .execute()
    : [];
  const prior = await trx.selectFrom('sync_envelopes').select(['id', 'content_hash', 'result_version']).where('id', 'in', ids(envelopes.map((e) => e.id)).concat(['00000000-0000-0000-0000-000000000000'])).execute();
  const waiting = await trx.selectFrom('blockers').select('id').where('unit_id', 'is', null).where('source', '=', 'portal').limit(1).executeTakeFirst();
  const batch: BatchState = {
    households: new Map(households.map((h) => [h.id, h.unit_id])),
    residents: new Map(residents.map((r) => [r.id, r.household_id])),
    existing: new Set(existing.map((x) => x.id)),
    changes: [],
    portalBlockersWaiting: waiting !== undefined,
    envelopes: [],
    visits: [],
    teams: new Map(),
  };
  return { batch, prior: new Map(prior.map((p) => [p.id, p])) };
}

const RETRYABLE_DB = new Set(['40001', '40P01']);

/**
 * Locks every existing record the batch edits or closes, first and in one global order
 * (households, residents, blockers, follow-ups; each by id), so two phones' batches over the
 * same records queue behind each other instead of deadlocking on PostgreSQL. NO KEY UPDATE, as
 * the updates themselves take: it does not block the foreign-key checks of visits and residents
 * being added to the same households.
 */
async function lockTouched(trx: Trx, prepared: readonly Prepared[]): Promise<void> {
  const envelopes = prepared.flatMap((p) => ('envelope' in p ? [p.envelope] : []));
  const sorted = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => typeof x === 'string'))].sort();
  const households = sorted(envelopes.map((e) => (e.entity === 'household' && e.op === 'update' ? e.entityId : null)));
  const residents = sorted(envelopes.map((e) => (e.entity === 'resident' && e.op === 'update' ? e.entityId : null)));
  const blockerRefs = sorted(envelopes.map((e) => (e.entity === 'blocker_resolution' ? e.payload.blockerId : e.entity === 'follow_up' ? e.payload.blockerId : null)));
  const followUps = sorted(envelopes.map((e) => (e.entity === 'follow_up_done' ? e.payload.followUpId : null)));
  if (households.length) await trx.selectFrom('households').select('id').where('id', 'in', households).orderBy('id').forNoKeyUpdate().execute();
  if (residents.length) await trx.selectFrom('residents').select('id').where('id', 'in', residents).orderBy('id').forNoKeyUpdate().execute();
  const blockerUuids = blockerRefs.filter((r) => UUID.test(r));
  const blockerIds = blockerRefs.filter((r) => /^p\d{1,15}$/.test(r)).map((r) => Number(r.slice(1)));
  if (blockerUuids.length || blockerIds.length)
    await trx
      .selectFrom('blockers')
      .select('id')
      .where((eb) => eb.or([...(blockerUuids.length ? [eb('client_id', 'in', blockerUuids)] : []), ...(blockerIds.length ? [eb('id', 'in', blockerIds)] : [])]))
      .orderBy('id')
      .forNoKeyUpdate()
      .execute();
  if (followUps.length) await trx.selectFrom('follow_ups').select('id').where('id', 'in', followUps).orderBy('id').forNoKeyUpdate().execute();
}

export async function push(ctx: AppContext, member: FieldMember, raws: unknown[]): Promise<PushResult[]> {
  const prepared = await Promise.all(raws.map((r) => prepare(r, member)));
  const envelopes = prepared.flatMap((p) => ('envelope' in p ? [p.envelope] : []));
  const calendar = await ctx.calendar.calendar();
  let careful = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const answered = await ctx.db.transaction(async (trx) => {
        const a: ApplyContext = { ctx, trx, member, receivedAt: ctx.now(), calendar, batch: null };
        const results: PushResult[] = [];
        await lockTouched(trx, prepared);
        if (careful) {
          for (const p of prepared) results.push('rejected' in p ? p.rejected : await pushCarefully(a, p));
        } else {
          const { batch, prior } = await prefetch(trx, envelopes);
          const quick = { ...a, batch };
          for (const p of prepared) results.push('rejected' in p ? p.rejected : await pushQuickly(quick, p, prior));
          await flushEnvelopes(quick);
          await flushVisits(quick);
          await recordChanges(trx, batch.changes);
        }
        const counts = results.reduce<Record<string, number>>((m, r) => ({ ...m, [r.result]: (m[r.result] ?? 0) + 1 }), {});
        await trx.updateTable('devices').set({ last_sync_at: a.receivedAt, last_seen_at: a.receivedAt }).where('id', '=', member.deviceId).execute();
        await audit(trx, { actorId: member.officer.id, action: 'sync.push', entity: 'device', entityId: member.deviceId, ip: member.ip, detail: counts });
        return results;
      });
      // Visits, blockers and applications feed the dashboards: cached views made before this push are stale.
      countersChanged();
      for (const r of answered) syncEnvelopes.inc({ result: r.result });
      return answered;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // A deadlock or serialization failure PostgreSQL broke: run the batch again after a short random pause.
      if (attempt < 6 && RETRYABLE_DB.has(code)) {
        await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt));
        continue;
      }
      // Anything else the quick way met (a copy of an envelope committed by another request in
      // the meantime, say): the batch runs again, an envelope at a time.
      if (!careful) {
        careful = true;
        continue;
      }
      throw err;
    }
  }
}
