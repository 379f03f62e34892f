/**
 * The notification service's entry points beyond the outbox: what the network sends back.
 * Receipts and residents' texts reach the same handlers whether they come from an SMPP
 * session (`listen`) or the HTTP provider's signed callbacks (`routes.ts`).
 */
import type { AppContext } from '../../context.ts';
import type { SmsEvents } from '../../adapters/sms/port.ts';
import { handleInboundSms } from './inbound.ts';
import { recordReceipt } from './receipts.ts';

export function smsEventsOf(ctx: AppContext): SmsEvents {
  return {
    receipt: async (r) => void (await recordReceipt(ctx, r)),
    inbound: async (m) => void (await handleInboundSms(ctx, m)),
  };
}

/** Starts taking receipts and texts from a gateway that delivers them on its own connection. */
export function listenToSmsGateway(ctx: AppContext): void {
  ctx.adapters.sms.listen?.(smsEventsOf(ctx));
}
