/**
 * Settles online payments whose gateway callback never arrived, every few minutes while the
 * server runs. Several app servers may run it at once: settling locks the payment row and is
 * idempotent, so a payment is applied once whoever gets there first.
 */
import type { AppContext } from '../../context.ts';
import { reconcilePayments } from './service.ts';

export const RECONCILE_EVERY_MS = 5 * 60_000;

export function startPaymentReconciler(ctx: AppContext, everyMs = RECONCILE_EVERY_MS): { stop: () => Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return; // the previous round is still asking the gateway
    running = reconcilePayments(ctx)
      .then((s) => {
        if (s.checked) ctx.log.info({ reconcile: s }, 'pending payments reconciled');
      })
      .catch((err) => ctx.log.error({ err }, 'payment reconciliation failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
