/** A team member with a registered phone, and envelopes as a phone writes them. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { EMPTY_READINESS, payloadHashOf, uuidv7, type Envelope } from '@causo/domain';
import type { AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';
import { loadOfficer } from '../../src/modules/auth/service.ts';
import type { FieldMember } from '../../src/modules/sync/fieldAuth.ts';
import { memberVillages } from '../../src/modules/teams/members.ts';
import { makeOfficer } from '../support/fixtures.ts';

export const TODAY = '2026-11-25';
export const VILLAGE = '25309-04';
export const OTHER_VILLAGE = '25309-05';

export async function makeMember(ctx: AppContext, db: Db, villages: string[] = [VILLAGE]): Promise<FieldMember & { username: string; password: string }> {
  const o = await makeOfficer(db, villages.map((unitCode) => ({ role: 'member' as const, unitCode, on: TODAY })));
  const officer = await loadOfficer(db.kysely, o.officer.id);
  if (!officer) throw new Error('member not loaded');
  const deviceId = randomUUID();
  await db.kysely.insertInto('devices').values({ id: deviceId, user_id: officer.id, label: 'test phone', registered_at: ctx.now(), last_seen_at: ctx.now() }).execute();
  return { officer, deviceId, villages: await memberVillages(db.kysely, officer, TODAY), ip: '127.0.0.1', username: o.username, password: o.password };
}

/** Another phone of the same member. */
export async function secondDevice(ctx: AppContext, db: Db, m: FieldMember): Promise<FieldMember> {
  const deviceId = randomUUID();
  await db.kysely.insertInto('devices').values({ id: deviceId, user_id: m.officer.id, label: 'second phone', registered_at: ctx.now(), last_seen_at: ctx.now() }).execute();
  return { ...m, deviceId };
}

export async function envelope(
  m: FieldMember,
  e: { entity: Envelope['entity']; op: Envelope['op']; entityId?: string; baseVersion?: number | null; occurredAt?: string; payload: Record<string, unknown> },
): Promise<Envelope> {
  return {
    id: uuidv7(),
    deviceId: m.deviceId,
    memberId: m.officer.id,
    entity: e.entity,
    entityId: e.entityId ?? uuidv7(),
    op: e.op,
    baseVersion: e.baseVersion ?? null,
    occurredAt: e.occurredAt ?? new Date().toISOString(),
    payloadHash: await payloadHashOf(e.payload),
    payload: e.payload,
  } as Envelope;
}

export const household = (over: Record<string, unknown> = {}) => ({ villageCode: VILLAGE, headName: 'Hoàng Văn Thử', address: 'Tổ 3, ấp Thủy Đông', note: '', ...over });

export const resident = (householdId: string, over: Record<string, unknown> = {}) => ({
  householdId,
  fullName: 'Hoàng Văn Thử',
  birthYear: 1980,
  birthDate: null,
  sex: 'male',
  ethnicity: 'Tày',
  idNumber: null,
  phones: [],
  relation: 'chủ hộ',
  ...EMPTY_READINESS,
  ...over,
});

/**
 * Waits until every transaction running now on the server has ended. A pull hands out only
 * changes older than every running transaction (docs/sync.md), and on PostgreSQL that means any
 * transaction on the whole server: another test file's long seed on the shared test server holds
 * pulls back for its length. Call it before a pull that must see what was just written.
 */
export async function settled(db: Db): Promise<void> {
  if (db.kind !== 'postgres') return;
  const now = await sql<{ xmax: string }>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`.execute(db.kysely);
  const xmax = now.rows[0]?.xmax ?? '0';
  for (let waited = 0; waited < 180_000; waited += 100) {
    const { rows } = await sql<{ done: boolean }>`SELECT pg_snapshot_xmin(pg_current_snapshot()) >= ${xmax}::xid8 AS done`.execute(db.kysely);
    if (rows[0]?.done) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('a transaction on the test server has run for three minutes: pulls cannot see past it');
}
