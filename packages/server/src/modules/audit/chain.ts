/**
 * The audit hash chain. Writers insert entries without any shared lock; ids come from a
 * sequence, so they are handed out in start order, not commit order, and an entry with a
 * smaller id can become visible after a larger one. Chaining at insert time would therefore
 * need every writer to queue on one lock. Instead a sealer, holding an advisory lock, takes
 * the entries that have committed but are not yet chained, in id order, and gives each the
 * next `chain_seq`, the previous entry's hash and its own hash:
 *
 *   hash = sha256(prev_hash || canonical JSON of the entry, chain_seq included)
 *
 * An entry that commits late is simply chained by a later pass. The chain's order is the
 * order of sealing; `at` and `id` still say when each entry was written.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';

/** Arbitrary constant: one sealer at a time across every app server. */
const SEAL_LOCK = 7_046_302;
export const GENESIS_HASH = '0'.repeat(64);
const PAGE = 2_000;

interface ChainRow {
  id: number;
  chain_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
  /** Microsecond precision in UTC, from the database, so no digit escapes the hash. */
  at_text: string;
  actor_id: number | null;
  action: string;
  entity: string;
  entity_id: string | null;
  detail: unknown;
  ip: string | null;
  user_agent: string | null;
}

function selectChainRows(db: Kysely<DB> | Trx) {
  return db
    .selectFrom('audit_log')
    .select(['id', 'chain_seq', 'prev_hash', 'hash', 'actor_id', 'action', 'entity', 'entity_id', 'detail', 'ip', 'user_agent'])
    .select(sql<string>`to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('at_text'));
}

/** JSON with object keys sorted at every depth: the same entry always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function entryHash(prevHash: string, seq: number, row: Omit<ChainRow, 'chain_seq' | 'prev_hash' | 'hash'>): string {
  const canonical = canonicalJson({
    seq,
    id: row.id,
    at: row.at_text,
    actorId: row.actor_id,
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    detail: row.detail,
    ip: row.ip,
    userAgent: row.user_agent,
  });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

async function sealBatch(trx: Trx, limit: number): Promise<number> {
  await sql`SELECT pg_advisory_xact_lock(${sql.lit(SEAL_LOCK)}::bigint)`.execute(trx);
  // Read after the lock: under READ COMMITTED this statement sees the previous sealer's work.
  const head = await trx.selectFrom('audit_log').select(['chain_seq', 'hash']).where('chain_seq', 'is not', null).orderBy('chain_seq', 'desc').limit(1).executeTakeFirst();
  const rows = await selectChainRows(trx).where('chain_seq', 'is', null).orderBy('id').limit(limit).execute();
  if (rows.length === 0) return 0;
  let seq = head?.chain_seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const ids: number[] = [];
  const seqs: number[] = [];
  const prevs: string[] = [];
  const hashes: string[] = [];
  for (const row of rows) {
    seq += 1;
    const hash = entryHash(prev, seq, row);
    ids.push(row.id);
    seqs.push(seq);
    prevs.push(prev);
    hashes.push(hash);
    prev = hash;
  }
  await sql`UPDATE audit_log AS a SET chain_seq = v.seq, prev_hash = v.prev, hash = v.hash
    FROM unnest(${sql.val(ids)}::bigint[], ${sql.val(seqs)}::bigint[], ${sql.val(prevs)}::text[], ${sql.val(hashes)}::text[]) AS v(id, seq, prev, hash)
    WHERE a.id = v.id`.execute(trx);
  return rows.length;
}

/** Chains every committed entry that is not chained yet. Returns how many it sealed. */
export async function sealAuditChain(db: Db, opts: { batch?: number } = {}): Promise<number> {
  const batch = opts.batch ?? PAGE;
  let total = 0;
  for (;;) {
    const n = await db.transaction((trx) => sealBatch(trx, batch));
    total += n;
    if (n < batch) return total;
  }
}

export interface ChainBreak {
  seq: number;
  id: number | null;
  at: string | null;
  action: string | null;
  problem: 'hash_mismatch' | 'prev_mismatch' | 'gap' | 'anchor_mismatch';
  expected: string;
  found: string;
}

export interface ChainReport {
  entries: number;
  head: { seq: number; hash: string } | null;
  /** Entries written but not chained (only when verifying without sealing first). */
  unsealed: number;
  breaks: ChainBreak[];
}

/**
 * Recomputes the chain from the first entry. Each entry is checked against what is stored for
 * the one before it, so one edited entry shows as one break at its own place; a removed entry
 * shows as a gap. `anchor` is a head printed by an earlier run (kept outside the database):
 * it catches entries removed from the end, which the chain alone cannot.
 */
export async function verifyAuditChain(db: Db, opts: { seal?: boolean; maxBreaks?: number; anchor?: { seq: number; hash: string } } = {}): Promise<ChainReport> {
  if (opts.seal !== false) await sealAuditChain(db);
  const maxBreaks = opts.maxBreaks ?? 20;
  const breaks: ChainBreak[] = [];
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  let entries = 0;
  let anchorSeen = false;
  const note = (b: ChainBreak) => {
    if (breaks.length < maxBreaks) breaks.push(b);
  };
  for (;;) {
    const rows = await selectChainRows(db.kysely).where('chain_seq', '>', lastSeq).orderBy('chain_seq').limit(PAGE).execute();
    for (const row of rows) {
      const seq = row.chain_seq ?? 0;
      const where = { seq, id: row.id, at: row.at_text, action: row.action };
      if (seq !== lastSeq + 1) note({ ...where, problem: 'gap', expected: `#${lastSeq + 1}`, found: `#${seq}` });
      if (row.prev_hash !== lastHash) note({ ...where, problem: 'prev_mismatch', expected: lastHash, found: row.prev_hash ?? '' });
      const recomputed = entryHash(row.prev_hash ?? '', seq, row);
      if (recomputed !== row.hash) note({ ...where, problem: 'hash_mismatch', expected: recomputed, found: row.hash ?? '' });
      if (opts.anchor && seq === opts.anchor.seq) {
        anchorSeen = true;
        if (row.hash !== opts.anchor.hash) note({ ...where, problem: 'anchor_mismatch', expected: opts.anchor.hash, found: row.hash ?? '' });
      }
      lastSeq = seq;
      lastHash = row.hash ?? '';
      entries += 1;
    }
    if (rows.length < PAGE) break;
  }
  if (opts.anchor && !anchorSeen) note({ seq: opts.anchor.seq, id: null, at: null, action: null, problem: 'anchor_mismatch', expected: opts.anchor.hash, found: 'missing' });
  const unsealed = Number((await db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).where('chain_seq', 'is', null).executeTakeFirstOrThrow()).n);
  return { entries, head: entries ? { seq: lastSeq, hash: lastHash } : null, unsealed, breaks };
}

/**
 * Seals every `intervalMs` in the background of a serving process (never two passes at once
 * in one process; the advisory lock covers several processes). `stop` waits for a pass in
 * flight, then seals what is left so a clean shutdown leaves nothing unchained.
 */
export function startAuditSealer(db: Db, onError: (err: unknown) => void, intervalMs = 5_000): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const pass = () => {
    if (running) return;
    running = sealAuditChain(db)
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(pass, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    await sealAuditChain(db).catch(onError);
  };
}
