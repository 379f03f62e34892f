/**
 * Payments over HTTP: the gateway's server-to-server callback (IPN: public, no session, no
 * CSRF; its signature is the authentication) and the counter payment an officer records.
 */
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { requireActor } from '../../http/auth.ts';
import type { ZodApp } from '../../http/types.ts';
import { DossierCodeParam, DossierView, TransactionId } from '../dossiers/schema.ts';
import { handleGatewayCallback, markPaidAtCounter } from './service.ts';

export const IPN_PATH = '/api/v1/payments/vnpay/ipn';

const PaymentViewSchema = z.object({
  reference: z.string(),
  amount: z.number(),
  status: z.enum(['pending', 'paid', 'failed', 'cancelled']),
  method: z.enum(['online', 'counter']),
  gateway: z.string().nullable(),
  receiptNo: z.string().nullable(),
  refundDue: z.boolean(),
  createdAt: z.string(),
  paidAt: z.string().nullable(),
});

export const CounterPaymentBody = z.object({
  amount: z.number().int().min(1).max(1_000_000_000).describe('whole đồng, as written on the receipt'),
  receiptNo: z.string().trim().min(1).max(50).describe('number of the paper receipt (biên lai)'),
  transactionId: TransactionId,
});

export function paymentRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    IPN_PATH,
    {
      config: { public: true },
      schema: {
        tags: ['payments'],
        summary: "The payment gateway's signed server-to-server callback (VNPay IPN); answers with VNPay's RspCode",
        querystring: z.record(z.string(), z.string()),
        response: { 200: z.object({ RspCode: z.string(), Message: z.string() }) },
      },
    },
    async (req, reply) => {
      const { outcome } = await handleGatewayCallback(ctx, req.query, 'ipn');
      const answer = ctx.adapters.payment.callbackReply(outcome);
      return reply.status(answer.status as 200).send(answer.body as { RspCode: string; Message: string });
    },
  );
  app.post(
    '/api/v1/dossiers/:code/payments/counter',
    {
      schema: {
        tags: ['payments'],
        summary: 'Record a fee paid at the counter (applies fees_paid); the same transactionId applies once',
        security: [{ bearer: [] }, { cookie: [] }],
        params: DossierCodeParam,
        body: CounterPaymentBody,
        response: { 200: z.object({ dossier: DossierView, payment: PaymentViewSchema.nullable() }) },
      },
    },
    async (req) => markPaidAtCounter(ctx, requireActor(req), req.params.code, req.body),
  );
}
