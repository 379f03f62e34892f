/**
 * The SMS sender: hands pending outbox rows to the configured gateway (`ctx.adapters.sms`),
 * retrying with growing waits, and marks each row sent or failed. Rows are claimed with
 * FOR UPDATE SKIP LOCKED and a lease, so several app servers can run the sender at once
 * without sending a message twice, and a server that dies mid-send leaves the row to be
 * retried when the lease runs out.
 */
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { SmsSendError } from '../../adapters/sms/port.ts';

/** Attempts before a message is given up as failed (about two hours of trying in all). */
export const MAX_SMS_ATTEMPTS = 6;
/** How long a claimed row is left alone before another sender may try it. */
const LEASE_MS = 5 * 60_000;

/** Wait after the n-th failed attempt: 30 s, 2 min, 8 min, 32 min, then hourly. */
export function smsBackoffMs(attempts: number): number {
  return Math.min(30_000 * 4 ** Math.max(0, attempts - 1), 3_600_000);
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
}

interface Claimed {
  id: number;
  phone_sealed: string;
  body: string;
  attempts: number;
}

async function claim(ctx: AppContext, limit: number): Promise<Claimed[]> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx) => {
    // A row never tried is due at once: its default next_try_at is the database's clock,
    // which need not agree with the injected one.
    const due = await trx
      .selectFrom('sms_outbox')
      .select(['id'])
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('attempts', '=', 0), eb('next_try_at', '<=', now)]))
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (!due.length) return [];
    return trx
      .updateTable('sms_outbox')
      .set({ attempts: sql`attempts + 1`, next_try_at: new Date(now.getTime() + LEASE_MS) })
      .where(
        'id',
        'in',
        due.map((r) => r.id),
      )
      .returning(['id', 'phone_sealed', 'body', 'attempts'])
      .execute();
  });
}

/** Sends up to `limit` due messages now; tests call this directly, the server on a timer. */
export async function deliverPending(ctx: AppContext, limit = 20): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0 };
  const gateway = ctx.adapters.sms;
  for (const row of (await claim(ctx, limit)).sort((a, b) => a.id - b.id)) {
    const { phone } = ctx.vault.open<{ phone: string }>(row.phone_sealed);
    try {
      const { providerId } = await gateway.send(phone, row.body, { reference: `outbox-${row.id}` });
      await ctx.db.kysely
        .updateTable('sms_outbox')
        .set({ status: 'sent', provider: gateway.name, provider_id: providerId, sent_at: ctx.now(), last_error: null })
        .where('id', '=', row.id)
        .execute();
      report.sent += 1;
    } catch (err) {
      const permanent = err instanceof SmsSendError && err.permanent;
      const giveUp = permanent || row.attempts >= MAX_SMS_ATTEMPTS;
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 300);
      ctx.log.warn({ outboxId: row.id, attempts: row.attempts, giveUp, error: message }, 'SMS not sent');
      await ctx.db.kysely
        .updateTable('sms_outbox')
        .set({
          status: giveUp ? 'failed' : 'pending',
          provider: gateway.name,
          last_error: message,
          next_try_at: new Date(ctx.now().getTime() + smsBackoffMs(row.attempts)),
        })
        .where('id', '=', row.id)
        .execute();
      if (giveUp) report.failed += 1;
      else report.retrying += 1;
    }
  }
  return report;
}

/** Runs `deliverPending` every SMS_SEND_INTERVAL_MS until stopped (one round at a time). */
export function startSmsSender(ctx: AppContext, intervalMs = ctx.config.SMS_SEND_INTERVAL_MS): { stop: () => Promise<void> } {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = (): void => {
    if (running || stopped) return;
    running = deliverPending(ctx, 50)
      .catch((err: unknown) => ctx.log.error({ err }, 'SMS sender round failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
