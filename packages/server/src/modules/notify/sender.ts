/**
 * The notification worker: hands due outbox rows to the SMS or e-mail gateway, with retries
 * and growing waits, a global rate (SMS_RATE_PER_SECOND) and a per-recipient limit
 * (SMS_PER_RECIPIENT_PER_HOUR), and records what the provider said.
 *
 * Rows are claimed with FOR UPDATE SKIP LOCKED and marked `sending` with a lease, so several
 * app servers can run the worker at once without sending a message twice. A worker that dies
 * between sending and recording leaves its rows in `sending`; when the lease runs out they are
 * sent again and flagged `duplicate_suspected` (and logged): never a lost message, and at most
 * one duplicate per lane (the SMPP window) per crash. Every row the dead worker had claimed is
 * flagged, including those it had not handed over yet. The SMPP and HTTP gateways pass our row
 * id as a reference, which lets a provider that supports it drop the repeat.
 */
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { SmsSendError } from '../../adapters/sms/port.ts';
import { EmailSendError } from '../../adapters/email/port.ts';
import { recipientOf, type Channel, type OutboxStatus } from './outbox.ts';
import { outgoingSmsText } from './templates.ts';
import { applyParkedReceipts } from './receipts.ts';
import { TokenBucket } from './tokenBucket.ts';

/** Attempts before a message is given up as failed (about two hours of trying in all). */
export const MAX_SMS_ATTEMPTS = 6;
/** A recipient over the hourly limit is tried again this much later (not counted as an attempt). */
const DEFER_MS = 10 * 60_000;

/** Wait after the n-th failed attempt: 30 s, 2 min, 8 min, 32 min, then hourly. */
export function smsBackoffMs(attempts: number): number {
  return Math.min(30_000 * 4 ** Math.max(0, attempts - 1), 3_600_000);
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
  /** Held back by the per-recipient limit, to go later. */
  deferred: number;
}

interface Claimed {
  id: number;
  channel: Channel;
  recipient_sealed: string;
  recipient_hash: string;
  subject: string | null;
  body: string;
  attempts: number;
  previous: OutboxStatus;
}

const DUE: OutboxStatus[] = ['queued', 'sending', 'failed_temporary'];

async function claim(ctx: AppContext, limit: number): Promise<Claimed[]> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx) => {
    // A row never tried is due at once: rows written by SQL defaults carry the database's
    // clock, which need not agree with the injected one.
    const due = await trx
      .selectFrom('notify_outbox')
      .select(['id', 'status'])
      .where('status', 'in', DUE)
      .where((eb) => eb.or([eb('status', '=', 'queued'), eb('next_try_at', '<=', now)]))
      .orderBy('next_try_at')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (!due.length) return [];
    const previous = new Map(due.map((r) => [r.id, r.status]));
    const rows = await trx
      .updateTable('notify_outbox')
      .set({
        status: 'sending',
        attempts: sql`attempts + 1`,
        next_try_at: new Date(now.getTime() + ctx.config.NOTIFY_LEASE_MS),
        // Still `sending` after its lease: the last worker may have sent it and died.
        duplicate_suspected: sql`duplicate_suspected OR status = 'sending'`,
      })
      .where(
        'id',
        'in',
        due.map((r) => r.id),
      )
      .returning(['id', 'channel', 'recipient_sealed', 'recipient_hash', 'subject', 'body', 'attempts'])
      .execute();
    return rows.map((r) => ({ ...r, previous: previous.get(r.id) ?? 'queued' })).sort((a, b) => a.id - b.id);
  });
}

/** Rows whose recipient already had their hour's share: they go back to wait, untried. */
async function overRecipientLimit(ctx: AppContext, rows: Claimed[]): Promise<Set<number>> {
  const hashes = [...new Set(rows.map((r) => r.recipient_hash))];
  const since = new Date(ctx.now().getTime() - 3_600_000);
  const counts = await ctx.db.kysely
    .selectFrom('notify_outbox')
    .select(['recipient_hash', (eb) => eb.fn.countAll<number>().as('n')])
    .where('recipient_hash', 'in', hashes)
    .where('sent_at', '>=', since)
    .where('status', 'in', ['sent', 'delivered'])
    .groupBy('recipient_hash')
    .execute();
  const used = new Map(counts.map((c) => [c.recipient_hash, Number(c.n)]));
  const held = new Set<number>();
  for (const r of rows) {
    const n = used.get(r.recipient_hash) ?? 0;
    if (n >= ctx.config.SMS_PER_RECIPIENT_PER_HOUR) held.add(r.id);
    else used.set(r.recipient_hash, n + 1);
  }
  return held;
}

async function defer(ctx: AppContext, rows: Claimed[]): Promise<void> {
  for (const r of rows)
    await ctx.db.kysely
      .updateTable('notify_outbox')
      // `failed_temporary` (not `queued`, which is due at once whatever its time) with the reason.
      .set({ status: 'failed_temporary', attempts: sql`attempts - 1`, last_error: 'held: recipient over the hourly limit', next_try_at: new Date(ctx.now().getTime() + DEFER_MS) })
      .where('id', '=', r.id)
      .execute();
}

async function sendOne(ctx: AppContext, row: Claimed): Promise<{ provider: string; providerId: string }> {
  const to = recipientOf(ctx.vault, row.recipient_sealed);
  if (row.channel === 'email') {
    const gw = ctx.adapters.email;
    const { providerId } = await gw.send({ to, subject: row.subject ?? '', text: row.body, reference: `outbox-${row.id}` });
    return { provider: gw.name, providerId };
  }
  const gw = ctx.adapters.sms;
  const text = outgoingSmsText(row.body, ctx.config.SMS_GSM7_ONLY === 'true');
  const { providerId } = await gw.send(to, text, { reference: `outbox-${row.id}` });
  return { provider: gw.name, providerId };
}

interface Sent {
  id: number;
  provider: string;
  providerId: string;
  sentAt: Date;
  settle(error?: { cause: unknown }): void;
}

/** Marks messages sent, in one statement. */
async function recordSent(ctx: AppContext, sent: Sent[]): Promise<void> {
  const values = sql.join(sent.map((s) => sql`(${s.id}::bigint, ${s.provider}::text, ${s.providerId}::text, ${s.sentAt}::timestamptz)`));
  await sql`
    UPDATE notify_outbox AS o
       SET status = 'sent', provider = v.provider, provider_id = v.provider_id, sent_at = v.sent_at, last_error = NULL
      FROM (VALUES ${values}) AS v (id, provider, provider_id, sent_at)
     WHERE o.id = v.id AND o.status = 'sending'`.execute(ctx.db.kysely);
}

/**
 * Records a round's sent messages together: while one UPDATE runs, the messages answered
 * meanwhile gather for the next, so the database sees a few statements a round instead of one
 * per message (PGlite runs every statement on the one connection). Each caller's promise
 * settles once its own row is committed, so a lane still hands over its next message only then.
 */
function sentRecorder(ctx: AppContext): (row: Claimed, provider: string, providerId: string) => Promise<void> {
  const waiting: Sent[] = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    flushing = true;
    while (waiting.length) {
      const batch = waiting.splice(0, 500);
      try {
        await recordSent(ctx, batch);
        for (const s of batch) s.settle();
        // Receipts that came back before these rows were recorded.
        await applyParkedReceipts(
          ctx,
          batch.map((s) => s.providerId),
        );
      } catch (cause) {
        for (const s of batch) s.settle({ cause });
      }
    }
    flushing = false;
  };
  return (row, provider, providerId) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ id: row.id, provider, providerId, sentAt: ctx.now(), settle: (error) => (error ? reject(error.cause) : resolve()) });
      if (!flushing) void flush();
    });
}

async function recordFailure(ctx: AppContext, row: Claimed, err: unknown): Promise<boolean> {
  const permanent = (err instanceof SmsSendError || err instanceof EmailSendError) && err.permanent;
  const giveUp = permanent || row.attempts >= MAX_SMS_ATTEMPTS;
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  ctx.log.warn({ outboxId: row.id, channel: row.channel, attempts: row.attempts, giveUp, error: message }, 'notification not sent');
  await ctx.db.kysely
    .updateTable('notify_outbox')
    .set({
      status: giveUp ? 'failed_permanent' : 'failed_temporary',
      provider: row.channel === 'email' ? ctx.adapters.email.name : ctx.adapters.sms.name,
      last_error: message,
      next_try_at: new Date(ctx.now().getTime() + smsBackoffMs(row.attempts)),
      // The provider may already have it: the retry may be a second copy.
      ...(err instanceof SmsSendError && err.maybeSent ? { duplicate_suspected: true } : {}),
    })
    .where('id', '=', row.id)
    .execute();
  return giveUp;
}

const buckets = new WeakMap<AppContext, TokenBucket>();
function bucketOf(ctx: AppContext): TokenBucket {
  let b = buckets.get(ctx);
  if (!b) buckets.set(ctx, (b = new TokenBucket(ctx.config.SMS_RATE_PER_SECOND)));
  return b;
}

/**
 * How many messages may be handed to a gateway and not yet recorded, at once: an SMPP gateway's
 * window (`windowSize`); the other gateways bound themselves (the SMTP pool, HTTP requests).
 */
function lanesOf(gateway: object): number {
  return 'windowSize' in gateway && typeof gateway.windowSize === 'number' && gateway.windowSize >= 1 ? gateway.windowSize : Number.POSITIVE_INFINITY;
}

/** Runs `work` over `items` with at most `lanes` running at once, each lane taking the next item when its last one is done. */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}

/**
 * Sends up to `limit` due messages now, concurrently; tests call this directly, the server in a
 * loop. SMS go in as many lanes as the gateway's window, and a lane hands over its next message
 * only once the last one is recorded: a worker that dies between sending and recording leaves
 * at most one message per lane sent but unrecorded (sent again after the lease, flagged). Handing
 * the whole batch over at once would let the gateway send on while the records of the messages
 * already answered are still queued for the database, and each of those would go twice.
 */
export async function deliverPending(ctx: AppContext, limit = 20): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0, deferred: 0 };
  const claimed = await claim(ctx, limit);
  if (!claimed.length) return report;
  const held = await overRecipientLimit(ctx, claimed);
  await defer(
    ctx,
    claimed.filter((r) => held.has(r.id)),
  );
  report.deferred = held.size;
  const bucket = bucketOf(ctx);
  const record = sentRecorder(ctx);
  const deliver = async (row: Claimed): Promise<void> => {
    if (row.previous === 'sending') ctx.log.warn({ outboxId: row.id, attempts: row.attempts }, 'notification may be sent twice: the last worker died before recording it');
    await bucket.take();
    try {
      const { provider, providerId } = await sendOne(ctx, row);
      await record(row, provider, providerId);
      report.sent += 1;
    } catch (err) {
      if (await recordFailure(ctx, row, err)) report.failed += 1;
      else report.retrying += 1;
    }
  };
  const due = claimed.filter((r) => !held.has(r.id));
  await Promise.all([
    inLanes(
      due.filter((r) => r.channel === 'sms'),
      lanesOf(ctx.adapters.sms),
      deliver,
    ),
    inLanes(
      due.filter((r) => r.channel === 'email'),
      lanesOf(ctx.adapters.email),
      deliver,
    ),
  ]);
  return report;
}

/**
 * Runs `deliverPending` until stopped: at once again while rows keep coming (a full batch),
 * otherwise every SMS_SEND_INTERVAL_MS. One round at a time per process.
 */
export function startSmsSender(ctx: AppContext, intervalMs = ctx.config.SMS_SEND_INTERVAL_MS): { stop: () => Promise<void> } {
  // Rows claimed and not yet handed over are flagged as possible duplicates if this process
  // dies: with a windowed gateway claim two windows at a time (rounds follow at once while
  // full), so a crash flags few more rows than could really have gone twice.
  const lanes = lanesOf(ctx.adapters.sms);
  const batch = Number.isFinite(lanes) ? Math.max(20, 2 * lanes) : Math.max(20, ctx.config.SMS_RATE_PER_SECOND);
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const round = async (): Promise<void> => {
    let full = true;
    while (full && !stopped) {
      const r = await deliverPending(ctx, batch).catch((err: unknown) => {
        ctx.log.error({ err }, 'notification round failed');
        return null;
      });
      full = r !== null && r.sent + r.retrying + r.failed + r.deferred >= batch;
    }
  };
  const tick = (): void => {
    if (running || stopped) return;
    running = round().finally(() => {
      running = null;
    });
  };
  timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
