/**
 * Field data for the team pages' tests, written straight into the tables with the record
 * helpers (records.ts), as the sync protocol would leave it: a team on ấp Phước Tiến
 * (25309-01) and one on a village of Thiện Hưng (25308-01), a member with a phone and a
 * session on it, households and residents, visits, blockers (field and portal), follow-ups,
 * and sync conflicts on a household field, a personal resident field and a plain one.
 */
import { randomUUID } from 'node:crypto';
import { EMPTY_READINESS, type HouseholdFields, type ResidentFields } from '@causo/domain';
import type { Db } from '../../src/db/database.ts';
import type { AppContext } from '../../src/context.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { householdInsert, residentInsert } from '../../src/modules/teams/records.ts';
import { unitId } from '../support/fixtures.ts';
import { TODAY, officerOn } from '../admin/support.ts';

export const VILLAGE = '25309-01'; // Ấp Phước Tiến, xã Hưng Phước
export const OTHER_VILLAGE = '25308-01'; // Khu phố Thanh Xuân, xã Thiện Hưng

export interface FieldFixture {
  villageId: number;
  otherVillageId: number;
  member: { id: number; username: string };
  deviceId: string;
  sessionToken: string;
  householdId: string;
  residentId: string;
  conflicts: { headName: number; phones: number; fullName: number };
}

const at = (iso: string) => new Date(iso);

export function resident(householdId: string, over: Partial<ResidentFields> = {}): ResidentFields {
  return {
    householdId,
    fullName: 'Điểu Thị Hoa',
    birthYear: 1985,
    birthDate: '1985-03-02',
    sex: 'female',
    ethnicity: "S'tiêng",
    idNumber: '070185000123',
    phones: ['0912345678'],
    relation: 'Vợ',
    ...EMPTY_READINESS,
    ...over,
  };
}

export async function seedField(db: Db, ctx: AppContext): Promise<FieldFixture> {
  const villageId = await unitId(db, VILLAGE, TODAY);
  const otherVillageId = await unitId(db, OTHER_VILLAGE, TODAY);
  const member = await officerOn(db, [{ role: 'member', unitCode: VILLAGE }], 'thanhvien');
  const otherMember = await officerOn(db, [{ role: 'member', unitCode: OTHER_VILLAGE }], 'thanhvien');
  const now = ctx.now();
  const deviceId = randomUUID();
  const householdId = randomUUID();
  const secondHousehold = randomUUID();
  const residentId = randomUUID();
  const youngId = randomUUID();
  const otherHousehold = randomUUID();
  const meta = { at: at('2026-11-20T08:00:00+07:00'), receivedAt: at('2026-11-20T10:00:00+07:00'), createdBy: member.id, envelopeId: null, deviceId: null };

  const result = await db.transaction(async (trx) => {
    await trx
      .insertInto('teams')
      .values([
        { unit_id: villageId, name: 'Tổ CNSCĐ ấp Phước Tiến', created_at: now },
        { unit_id: otherVillageId, name: 'Tổ CNSCĐ khu phố Thanh Xuân', created_at: now },
      ])
      .execute();
    await trx
      .insertInto('devices')
      .values({ id: deviceId, user_id: member.id, label: 'Samsung A05 của Hoa', registered_at: at('2026-11-01T08:00:00+07:00'), last_seen_at: at('2026-11-24T17:00:00+07:00'), last_sync_at: at('2026-11-24T17:00:00+07:00') })
      .execute();
    const s = await createSession(trx, { userId: member.id }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'field', now });
    await trx.updateTable('sessions').set({ device_id: deviceId }).where('user_id', '=', member.id).execute();

    const household = (headName: string, villageCode: string): HouseholdFields => ({ villageCode, headName, address: 'Ấp Phước Tiến', note: '' });
    await trx
      .insertInto('households')
      .values([
        householdInsert(householdId, villageId, household('Điểu Văn Lực', VILLAGE), meta),
        householdInsert(secondHousehold, villageId, household('Thị Mai', VILLAGE), meta),
        householdInsert(otherHousehold, otherVillageId, household('Lâm Văn Tài', OTHER_VILLAGE), meta),
      ])
      .execute();
    await trx
      .insertInto('residents')
      .values([
        residentInsert(ctx.vault, residentId, villageId, resident(householdId, { smartphone: true, simOwnership: 'matched', vneidLevel: 2, publicServiceAccount: true, walletOrBank: false }), meta),
        residentInsert(ctx.vault, randomUUID(), villageId, resident(householdId, { fullName: 'Điểu Văn Lực', birthYear: 1980, idNumber: null, phones: [], smartphone: true, simOwnership: 'mismatched' }), meta),
        residentInsert(ctx.vault, youngId, villageId, resident(householdId, { fullName: 'Điểu Văn Bé', birthYear: 2015, idNumber: null, phones: [], smartphone: true }), meta),
        residentInsert(ctx.vault, randomUUID(), villageId, resident(secondHousehold, { fullName: 'Thị Mai', birthYear: 1990, idNumber: null, phones: [] }), meta),
        residentInsert(ctx.vault, randomUUID(), otherVillageId, resident(otherHousehold, { fullName: 'Lâm Văn Tài', idNumber: null, phones: [] }), meta),
      ])
      .execute();
    await trx
      .insertInto('visits')
      .values([
        { id: randomUUID(), unit_id: villageId, household_id: householdId, resident_id: residentId, member_id: member.id, actions: ['installed_vneid'], occurred_at: at('2026-11-20T09:00:00+07:00'), received_at: now },
        { id: randomUUID(), unit_id: villageId, household_id: householdId, resident_id: null, member_id: member.id, actions: ['explained_online_services'], occurred_at: at('2026-09-01T09:00:00+07:00'), received_at: now },
      ])
      .execute();
    // A blocker from the field, and one from the portal that found its village (the citizen's own name, sealed).
    const fieldBlocker = await trx
      .insertInto('blockers')
      .values({ id_hash: null, phone_hash: null, person_sealed: ctx.vault.seal({}), kind: 'no_smartphone', source: 'field', note: 'Dùng điện thoại bàn phím', register: null, unit_id: villageId, household_id: secondHousehold, created_at: at('2026-11-18T09:00:00+07:00'), last_seen_at: now, client_id: randomUUID(), created_by: member.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('blockers')
      .values({ id_hash: 'x', phone_hash: 'y', person_sealed: ctx.vault.seal({ idNumber: '070190000456', fullName: 'K’Ho Văn Đức', birthDate: '1990-01-01', phone: '0977000111' }), kind: 'sim_not_owner', source: 'portal', note: '', register: 'VNPT', unit_id: villageId, created_at: at('2026-11-22T09:00:00+07:00'), last_seen_at: now })
      .execute();
    await trx
      .insertInto('follow_ups')
      .values([
        { id: randomUUID(), unit_id: villageId, household_id: secondHousehold, resident_id: null, blocker_id: Number(fieldBlocker.id), assignee_id: member.id, created_by: member.id, due_date: '2026-12-05', note: 'Hẹn hướng dẫn cài VNeID', created_at: now },
        { id: randomUUID(), unit_id: villageId, household_id: householdId, resident_id: residentId, blocker_id: null, assignee_id: member.id, created_by: member.id, due_date: '2026-11-20', note: 'Quay lại giúp thanh toán tiền điện', created_at: now },
      ])
      .execute();

    // Conflicts: each needs the envelope that carried the other value.
    const envelope = async (memberId: number, entity: 'household' | 'resident', entityId: string) => {
      const id = randomUUID();
      await trx
        .insertInto('sync_envelopes')
        .values({ id, device_id: deviceId, member_id: memberId, entity, entity_id: entityId, op: 'update', base_version: 1, occurred_at: at('2026-11-21T08:00:00+07:00'), received_at: now, payload_hash: 'a'.repeat(64), content_hash: 'b'.repeat(64), result: 'conflict', result_version: 1, payload_sealed: ctx.vault.seal({}) })
        .execute();
      return id;
    };
    const conflict = async (entity: 'household' | 'resident', entityId: string, field: string, kept: unknown, other: unknown) => {
      const otherEnvelope = await envelope(member.id, entity, entityId);
      const row = await trx
        .insertInto('sync_conflicts')
        .values({
          unit_id: villageId,
          entity,
          entity_id: entityId,
          field,
          values_sealed: ctx.vault.seal({ kept, other }),
          envelope_id: otherEnvelope,
          member_id: member.id,
          incoming_won: false,
          kept_at: at('2026-11-21T09:00:00+07:00'),
          kept_envelope: null,
          other_at: at('2026-11-21T08:00:00+07:00'),
          other_envelope: otherEnvelope,
          other_member_id: member.id,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    };
    const conflicts = {
      headName: await conflict('household', householdId, 'headName', 'Điểu Văn Lực', 'Điểu Văn Lộc'),
      phones: await conflict('resident', residentId, 'phones', ['0912345678'], ['0987654321']),
      fullName: await conflict('resident', residentId, 'fullName', 'Điểu Thị Hoa', 'Điểu Thị Hòa'),
    };
    void otherMember;
    return { sessionToken: s.token, conflicts };
  });
  return { villageId, otherVillageId, member, deviceId, sessionToken: result.sessionToken, householdId, residentId, conflicts: result.conflicts };
}
