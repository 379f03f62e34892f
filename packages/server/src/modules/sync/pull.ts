/**
 * Pull: what changed in the member's villages since the phone's cursor, as the current state
 * of each changed record, in pages (docs/sync.md). Only changes of transactions older than
 * every transaction still running are handed out, in (xid, seq) order, so a change that
 * commits late can never land behind a cursor a phone already holds.
 */
import type { BlockerReason, PulledRecord, PullPage, ResidentFields } from '@causo/domain';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import { householdFieldsOf, residentFieldsOf } from '../teams/records.ts';
import { decodeCursor, encodeCursor } from './changes.ts';
import type { FieldMember } from './fieldAuth.ts';

export const DEFAULT_PULL_LIMIT = 500;

interface ChangeRow {
  xid: string;
  seq: string;
  entity: string;
  entity_id: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function pull(ctx: AppContext, member: FieldMember, cursorText: string | undefined, limit: number): Promise<PullPage> {
  const cursor = decodeCursor(cursorText);
  if (!cursor) throw new Problem(400, 'sync.cursor_invalid');
  const units = member.villages.map((v) => v.id);
  const { rows } = await sql<ChangeRow>`
    SELECT c.xid::text AS xid, c.seq::text AS seq, c.entity, c.entity_id
    FROM sync_changes c
    WHERE c.unit_id = ANY(${sql.val(units)}::int[])
      AND (c.xid, c.seq) > (${cursor.xid}::xid8, ${cursor.seq}::bigint)
      AND c.xid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY c.xid, c.seq
    LIMIT ${limit + 1}`.execute(ctx.db.kysely);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const records = await loadRecords(ctx, page);
  return { records, cursor: encodeCursor(last ? { xid: last.xid, seq: last.seq } : cursor), more };
}

function idsOf(rows: ChangeRow[], entity: string): string[] {
  return [...new Set(rows.filter((r) => r.entity === entity).map((r) => r.entity_id))];
}

/** The current state of every record named in the page, once each, in change order. */
async function loadRecords(ctx: AppContext, rows: ChangeRow[]): Promise<PulledRecord[]> {
  const db = ctx.db.kysely;
  const byKey = new Map<string, PulledRecord>();
  const put = (r: PulledRecord) => byKey.set(`${r.entity}:${r.id}`, r);
  const none = ['00000000-0000-0000-0000-000000000000'];
  const households = idsOf(rows, 'household');
  if (households.length) {
    const found = await db.selectFrom('households as h').select(['h.id', 'h.version', 'h.data', sql<number>`(SELECT count(*)::int FROM residents r WHERE r.household_id = h.id)`.as('members')]).where('h.id', 'in', households).execute();
    for (const h of found) put({ entity: 'household', id: h.id, version: h.version, data: { ...householdFieldsOf(h), memberCount: h.members } });
  }
  const residents = idsOf(rows, 'resident');
  if (residents.length) {
    const found = await db.selectFrom('residents').select(['id', 'version', 'data', 'personal_sealed']).where('id', 'in', residents).execute();
    for (const r of found) put({ entity: 'resident', id: r.id, version: r.version, data: residentFieldsOf(ctx.vault, r) as ResidentFields });
  }
  const visits = idsOf(rows, 'visit');
  if (visits.length) {
    const found = await db.selectFrom('visits').selectAll().where('id', 'in', visits).execute();
    for (const v of found)
      put({
        entity: 'visit',
        id: v.id,
        version: 1,
        data: { residentId: v.resident_id, householdId: v.household_id, actions: v.actions as never, notes: v.notes, photo: null, memberId: v.member_id, occurredAt: v.occurred_at.toISOString() },
      });
  }
  const blockers = idsOf(rows, 'blocker').map(Number);
  if (blockers.length) {
    const found = await db
      .selectFrom('blockers as b')
      .leftJoin('units as u', 'u.id', 'b.unit_id')
      .select(['b.id', 'b.client_id', 'b.household_id', 'b.resident_id', 'u.code as village', 'b.kind', 'b.source', 'b.note', 'b.status', 'b.created_at', 'b.resolved_at', 'b.resolution', 'b.person_sealed', 'b.occurrences'])
      .where('b.id', 'in', blockers)
      .execute();
    for (const b of found)
      put({
        entity: 'blocker',
        id: b.client_id ?? `p${b.id}`,
        version: b.status === 'resolved' ? 2 : 1,
        data: {
          householdId: b.household_id,
          residentId: b.resident_id,
          villageCode: b.village,
          reason: b.kind as BlockerReason,
          source: b.source,
          note: b.note,
          status: b.status,
          createdAt: b.created_at.toISOString(),
          resolvedAt: iso(b.resolved_at),
          resolution: b.resolution,
          personName: b.source === 'portal' ? (ctx.vault.open<{ fullName?: string }>(b.person_sealed).fullName ?? null) : null,
        },
      });
  }
  const followUps = idsOf(rows, 'follow_up');
  if (followUps.length) {
    const found = await db
      .selectFrom('follow_ups as f')
      .leftJoin('blockers as b', 'b.id', 'f.blocker_id')
      .select(['f.id', 'f.version', 'f.household_id', 'f.resident_id', 'f.due_date', 'f.assignee_id', 'f.note', 'f.done_at', 'f.done_note', 'b.id as bid', 'b.client_id as bclient'])
      .where('f.id', 'in', followUps)
      .execute();
    for (const f of found)
      put({
        entity: 'follow_up',
        id: f.id,
        version: f.version,
        data: {
          blockerId: f.bclient ?? (f.bid !== null ? `p${f.bid}` : null),
          householdId: f.household_id,
          residentId: f.resident_id,
          dueDate: String(f.due_date).slice(0, 10),
          assigneeId: f.assignee_id,
          note: f.note,
          doneAt: iso(f.done_at),
          doneNote: f.done_note,
        },
      });
  }
  const conflicts = idsOf(rows, 'conflict').map(Number);
  if (conflicts.length) {
    const found = await db.selectFrom('sync_conflicts').selectAll().where('id', 'in', conflicts).execute();
    for (const c of found) {
      const v = ctx.vault.open<{ kept: unknown; other: unknown }>(c.values_sealed);
      put({
        entity: 'conflict',
        id: String(c.id),
        version: c.version,
        data: { entity: c.entity, entityId: c.entity_id, field: c.field, kept: v.kept, keptAt: c.kept_at.toISOString(), other: v.other, otherAt: c.other_at.toISOString(), otherMemberId: c.other_member_id, status: c.status },
      });
    }
  }
  const applications = idsOf(rows, 'application');
  if (applications.length) {
    const found = await db
      .selectFrom('assisted_applications as a')
      .innerJoin('dossiers as d', 'd.id', 'a.dossier_id')
      .innerJoin('procedures as p', 'p.id', 'd.procedure_id')
      .select(['a.id', 'a.resident_id', 'p.code as procedure', 'd.code', 'd.status', 'a.mode', 'a.occurred_at'])
      .where('a.id', 'in', applications.length ? applications : none)
      .execute();
    for (const a of found) put({ entity: 'application', id: a.id, version: 1, data: { residentId: a.resident_id, procedureCode: a.procedure, dossierCode: a.code, status: a.status, mode: a.mode, occurredAt: a.occurred_at.toISOString() } });
  }
  // Households before their residents, residents before what refers to them.
  const order = ['household', 'resident', 'blocker', 'visit', 'follow_up', 'conflict', 'application'];
  return [...byKey.values()].sort((a, b) => order.indexOf(a.entity) - order.indexOf(b.entity));
}
