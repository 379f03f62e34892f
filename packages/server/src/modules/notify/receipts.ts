/**
 * Delivery receipts: the network's word that a message reached the phone (or never will).
 * They arrive from the SMPP session or the HTTP provider's signed callback and name the
 * provider's id that `send` returned. A fast network can report before the worker has
 * recorded that id: an unknown id is looked for again briefly, then parked in memory, and the
 * worker applies parked receipts as it records the ids it sent (`applyParkedReceipts`), so the
 * SMSC is answered at once and the receipt is not lost. Parked receipts are dropped after the
 * lease (a part other than the first of a long message is never recorded: it has no row).
 */
import type { AppContext } from '../../context.ts';
import type { SmsReceipt } from '../../adapters/sms/port.ts';

const RETRIES = 2;
const RETRY_MS = 200;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type ReceiptOutcome = 'recorded' | 'unknown';

async function applyReceipt(ctx: AppContext, r: SmsReceipt): Promise<boolean> {
  const detail = r.detail.slice(0, 200);
  if (r.state === 'failed_temporary') {
    // Not final: the network keeps trying. Keep the words for the operator, change nothing else.
    const res = await ctx.db.kysely.updateTable('notify_outbox').set({ receipt_detail: detail }).where('provider_id', '=', r.providerId).where('channel', '=', 'sms').executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
  const res = await ctx.db.kysely
    .updateTable('notify_outbox')
    .set(r.state === 'delivered' ? { status: 'delivered', delivered_at: r.at, receipt_detail: detail } : { status: 'failed_permanent', receipt_detail: detail, last_error: `network: ${detail}` })
    .where('provider_id', '=', r.providerId)
    .where('channel', '=', 'sms')
    .where('status', 'in', ['sent', 'delivered', 'failed_permanent'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function recordReceipt(ctx: AppContext, r: SmsReceipt): Promise<ReceiptOutcome> {
  const [outcome] = await recordReceipts(ctx, [r]);
  return outcome ?? 'unknown';
}

/**
 * A batch (the HTTP provider posts up to 1000 at once), in order. The ids not found are looked
 * for again together, so a batch waits at most RETRIES × RETRY_MS however many of its ids are
 * unknown (every part but the first of a long message is), not that long per unknown id.
 */
export async function recordReceipts(ctx: AppContext, receipts: SmsReceipt[]): Promise<ReceiptOutcome[]> {
  const outcomes: ReceiptOutcome[] = receipts.map(() => 'unknown');
  let pending = receipts.map((_, i) => i);
  for (let round = 0; round <= RETRIES && pending.length; round++) {
    if (round > 0) await sleep(RETRY_MS);
    const still: number[] = [];
    for (const i of pending) {
      const r = receipts[i];
      if (r && (await applyReceipt(ctx, r))) outcomes[i] = 'recorded';
      else still.push(i);
    }
    pending = still;
  }
  for (const i of pending) {
    const r = receipts[i];
    if (r) park(ctx, r);
  }
  return outcomes;
}

interface Parked {
  receipt: SmsReceipt;
  at: number;
}
const PARK_MAX = 50_000;
const parkedByCtx = new WeakMap<AppContext, Map<string, Parked>>();

function parkedOf(ctx: AppContext): Map<string, Parked> {
  let m = parkedByCtx.get(ctx);
  if (!m) parkedByCtx.set(ctx, (m = new Map()));
  return m;
}

function park(ctx: AppContext, receipt: SmsReceipt): void {
  const parked = parkedOf(ctx);
  const now = Date.now();
  const ttl = ctx.config.NOTIFY_LEASE_MS + 60_000;
  // Oldest first (insertion order): drop what is past its time, and the oldest beyond the cap.
  for (const [id, p] of parked) {
    if (now - p.at <= ttl && parked.size < PARK_MAX) break;
    parked.delete(id);
  }
  parked.set(receipt.providerId, { receipt, at: now });
}

/** Applies the receipts parked for these provider ids (called once the worker recorded them). */
export async function applyParkedReceipts(ctx: AppContext, providerIds: readonly string[]): Promise<number> {
  const parked = parkedByCtx.get(ctx);
  if (!parked?.size) return 0;
  let applied = 0;
  for (const id of providerIds) {
    const p = parked.get(id);
    if (!p) continue;
    parked.delete(id);
    if (await applyReceipt(ctx, p.receipt)) applied += 1;
  }
  return applied;
}
