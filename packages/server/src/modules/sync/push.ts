/**
 * Push: a batch of envelopes from one phone, answered envelope by envelope (docs/sync.md).
 *
 * The batch runs in one transaction with a savepoint per envelope, so a refused envelope
 * leaves nothing behind while the others apply, and an answer is sent only after the commit:
 * whatever the phone is told "accepted" is stored. The envelope's row is written before the
 * record it carries: a second copy racing in from a retried request waits on that row's key,
 * then finds it and answers "duplicate" instead of applying twice.
 */
import { canonicalJson, envelopeHeader, envelopeSchema, payloadHashOf, problemMessage, type Envelope, type PushResult } from '@causo/domain';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import { audit } from '../audit/service.ts';
import type { FieldMember } from './fieldAuth.ts';
import { applyHousehold, applyResident } from './apply/editable.ts';
import { applyBlocker, applyBlockerResolution, applyFollowUp, applyFollowUpDone, applyVisit } from './apply/activity.ts';
import { applyApplication } from './apply/application.ts';
import { Rejection, type Applied, type ApplyContext } from './apply/context.ts';

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
  if (!prior) return null;
  if (prior.content_hash === contentHash) return { id, result: 'duplicate', version: prior.result_version };
  return reject(id, 'sync.id_reused', 'the same envelope id arrived with different content');
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

async function pushOne(a: ApplyContext, p: Extract<Prepared, { envelope: Envelope }>): Promise<PushResult> {
  const { trx } = a;
  const e = p.envelope;
  const before = await seen(trx, e.id, p.contentHash);
  if (before) return before;
  await sql`SAVEPOINT envelope`.execute(trx);
  try {
    await trx
      .insertInto('sync_envelopes')
      .values({
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
      })
      .execute();
    const applied = await applyOne(a, e);
    const conflicted = applied.conflictIds.length > 0;
    await trx.updateTable('sync_envelopes').set({ result: conflicted ? 'conflict' : 'accepted', result_version: applied.version }).where('id', '=', e.id).execute();
    await sql`RELEASE SAVEPOINT envelope`.execute(trx);
    return conflicted ? { id: e.id, result: 'conflict', version: applied.version ?? 1, conflictIds: applied.conflictIds } : { id: e.id, result: 'accepted', version: applied.version };
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

const RETRYABLE_DB = new Set(['40001', '40P01']);

export async function push(ctx: AppContext, member: FieldMember, raws: unknown[]): Promise<PushResult[]> {
  const prepared = await Promise.all(raws.map((r) => prepare(r, member)));
  const calendar = await ctx.calendar.calendar();
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction(async (trx) => {
        const a: ApplyContext = { ctx, trx, member, receivedAt: ctx.now(), calendar };
        const results: PushResult[] = [];
        for (const p of prepared) results.push('rejected' in p ? p.rejected : await pushOne(a, p));
        const counts = results.reduce<Record<string, number>>((m, r) => ({ ...m, [r.result]: (m[r.result] ?? 0) + 1 }), {});
        await trx.updateTable('devices').set({ last_sync_at: a.receivedAt, last_seen_at: a.receivedAt }).where('id', '=', member.deviceId).execute();
        await audit(trx, { actorId: member.officer.id, action: 'sync.push', entity: 'device', entityId: member.deviceId, ip: member.ip, detail: counts });
        return results;
      });
    } catch (err) {
      // Two phones editing the same records in opposite orders: PostgreSQL breaks the deadlock; run the batch again.
      if (attempt < 4 && RETRYABLE_DB.has((err as { code?: string }).code ?? '')) continue;
      throw err;
    }
  }
}
