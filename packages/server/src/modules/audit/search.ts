/** Reading the audit trail for the search page: newest first, a page at a time. */
import { localMidnight, addDays } from '@causo/domain';
import type { Db } from '../../db/database.ts';

export interface AuditFilter {
  /** Username of the officer who acted. */
  actor?: string | undefined;
  /** The start of an action name is enough: `user.` finds every change to accounts. */
  action?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  /** Local dates, both included. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditRow {
  id: number;
  at: Date;
  actorId: number | null;
  actorUsername: string | null;
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  detail: unknown;
  ip: string | null;
  userAgent: string | null;
  chainSeq: number | null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchAudit(db: Db['kysely'], f: AuditFilter, page: number, pageSize = 50): Promise<{ rows: AuditRow[]; hasNext: boolean }> {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select(['a.id', 'a.at', 'a.actor_id', 'u.username', 'u.display_name', 'a.action', 'a.entity', 'a.entity_id', 'a.detail', 'a.ip', 'a.user_agent', 'a.chain_seq']);
  if (f.actor) q = q.where('u.username', '=', f.actor.toLowerCase());
  if (f.action) q = q.where('a.action', 'like', `${escapeLike(f.action)}%`);
  if (f.entity) q = q.where('a.entity', '=', f.entity);
  if (f.entityId) q = q.where('a.entity_id', '=', f.entityId);
  if (f.from) q = q.where('a.at', '>=', localMidnight(f.from));
  if (f.to) q = q.where('a.at', '<', localMidnight(addDays(f.to, 1)));
  const rows = await q
    .orderBy('a.id', 'desc')
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    hasNext: rows.length > pageSize,
    rows: rows.slice(0, pageSize).map((r) => ({
      id: r.id,
      at: r.at,
      actorId: r.actor_id,
      actorUsername: r.username,
      actorName: r.display_name,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      detail: r.detail,
      ip: r.ip,
      userAgent: r.user_agent,
      chainSeq: r.chain_seq,
    })),
  };
}
