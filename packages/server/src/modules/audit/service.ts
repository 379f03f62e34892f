/** The audit trail: every write, and every read of a full personal record. No personal values in `detail`. */
import type { Trx, Db } from '../../db/database.ts';

declare module '../../db/schema.ts' {
  /** Columns added by 008_audit_chain.sql: the hash chain, filled by the sealer (chain.ts). */
  interface AuditLogTable {
    user_agent: string | null;
    chain_seq: number | null;
    prev_hash: string | null;
    hash: string | null;
  }
}

export interface AuditEntry {
  actorId: number | null;
  action: string;
  entity: string;
  entityId?: string | number | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
  /** The browser or client that made the request (trimmed); helps tell a stolen session apart. */
  userAgent?: string | null;
}

/**
 * A plain INSERT, so writers never wait on each other: the entry is chained after its
 * transaction commits (see chain.ts), and is never changed or removed (the table's trigger).
 */
export async function audit(trx: Trx | Db['kysely'], e: AuditEntry): Promise<void> {
  await trx.insertInto('audit_log').values(auditRow(e)).execute();
}

/** The row `audit` inserts, for a caller that writes it in the same statement as its change. */
export function auditRow(e: AuditEntry) {
  return {
    actor_id: e.actorId,
    action: e.action,
    entity: e.entity,
    entity_id: e.entityId === undefined || e.entityId === null ? null : String(e.entityId),
    detail: JSON.stringify(e.detail ?? {}),
    ip: e.ip ?? null,
    user_agent: e.userAgent ? e.userAgent.slice(0, 300) : null,
  };
}

export { sealAuditChain, verifyAuditChain, startAuditSealer, type ChainBreak, type ChainReport } from './chain.ts';
