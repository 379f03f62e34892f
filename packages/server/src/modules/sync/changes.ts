/**
 * The change log phones download from (table sync_changes). Every write to a record a team's
 * phones hold appends one row in the same transaction; the row's transaction id (xid8) is what
 * keeps the pull cursor from skipping a change that commits out of order (see 009_field.sql).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export type ChangeEntity = 'household' | 'resident' | 'visit' | 'blocker' | 'follow_up' | 'conflict' | 'application';

export async function recordChange(db: Kysely<DB>, unitId: number, entity: ChangeEntity, entityId: string | number): Promise<void> {
  await db.insertInto('sync_changes').values({ unit_id: unitId, entity, entity_id: String(entityId) }).execute();
}

export async function recordChanges(db: Kysely<DB>, rows: { unitId: number; entity: ChangeEntity; entityId: string | number }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto('sync_changes')
      .values(rows.slice(i, i + 1000).map((r) => ({ unit_id: r.unitId, entity: r.entity, entity_id: String(r.entityId) })))
      .execute();
}

/** A cursor is the (transaction id, sequence) of the last change a phone has applied. */
export interface Cursor {
  xid: string;
  seq: string;
}
export const START: Cursor = { xid: '0', seq: '0' };

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.xid}.${c.seq}`).toString('base64url');
}

/** Null when the text is not a cursor this server wrote (the phone then starts over). */
export function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return START;
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  return m?.[1] && m[2] ? { xid: m[1], seq: m[2] } : null;
}
