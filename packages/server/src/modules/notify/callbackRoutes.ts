/**
 * The HTTP SMS provider's callbacks: delivery receipts and residents' texts. Public (no
 * session, no CSRF): the signature is the authentication. The provider signs
 * `<timestamp>.<raw body>` with HMAC-SHA256 under SMS_HTTP_CALLBACK_SECRET and sends
 *
 *   X-Causo-Timestamp: 1764400000          (Unix seconds; more than 5 minutes off is refused)
 *   X-Causo-Signature: sha256=<hex>
 *
 * so a callback cannot be forged, altered or replayed (later, or again within the window: an
 * accepted signature is not accepted twice). Without a configured secret the routes answer
 * 404: nothing can be fed in. docs/adapters.md has the format and an example.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import type { ZodApp } from '../../http/types.ts';
import type { SmsReceiptState } from '../../adapters/sms/port.ts';
import { handleInboundSms } from './inbound.ts';
import { recordReceipts } from './receipts.ts';

export const RECEIPTS_PATH = '/api/v1/notify/sms/receipts';
export const INBOUND_PATH = '/api/v1/notify/sms/inbound';
const MAX_SKEW_S = 300;

export function signCallback(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

const ReceiptsBody = z.object({
  receipts: z
    .array(
      z.object({
        id: z.string().min(1).max(100).describe("the provider's message id, as answered to the send"),
        status: z.enum(['delivered', 'undelivered', 'rejected', 'expired', 'enroute']).describe('the network’s final word (enroute: not final yet)'),
        error: z.string().max(100).optional(),
        at: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

const InboundBody = z.object({
  from: z.string().regex(/^\+?\d{8,15}$/, 'must be the sender’s number (84…, +84… or 0…)'),
  to: z.string().min(1).max(20),
  text: z.string().min(1).max(1600),
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});

const STATE: Record<z.infer<typeof ReceiptsBody>['receipts'][number]['status'], SmsReceiptState> = {
  delivered: 'delivered',
  undelivered: 'failed_permanent',
  rejected: 'failed_permanent',
  expired: 'failed_permanent',
  enroute: 'failed_temporary',
};

const rawBodies = new WeakMap<FastifyRequest, string>();

/**
 * Signatures already accepted, until their timestamp leaves the window: the same signed
 * callback played again inside the 5 minutes (a second reply SMS, an old receipt over a newer
 * one) is refused like a stale one. Kept in the database, so a replay sent to another app
 * process is refused too; the window bounds the table's size (expired rows go at each claim).
 */
async function claimSignature(ctx: AppContext, signature: string, ts: number): Promise<boolean> {
  const now = ctx.now();
  return ctx.db.transaction(async (trx) => {
    await trx.deleteFrom('notify_callback_signatures').where('expires_at', '<', now).execute();
    const claimed = await trx
      .insertInto('notify_callback_signatures')
      .values({ signature, expires_at: new Date((ts + MAX_SKEW_S) * 1000) })
      .onConflict((oc) => oc.column('signature').doNothing())
      .returning('signature')
      .executeTakeFirst();
    return claimed !== undefined;
  });
}

/** A callback that failed after its claim may be sent again by the provider (same signature). */
async function releaseSignature(ctx: AppContext, signature: string): Promise<void> {
  await ctx.db.kysely.deleteFrom('notify_callback_signatures').where('signature', '=', signature).execute();
}

/** Checks the signature and claims it; answers the claimed signature, to release if handling fails. */
async function verify(ctx: AppContext, req: FastifyRequest): Promise<string> {
  const secret = ctx.config.SMS_HTTP_CALLBACK_SECRET;
  if (!secret) throw new Problem(404, 'request.not_found');
  const ts = Number(req.headers['x-causo-timestamp']);
  const given = String(req.headers['x-causo-signature'] ?? '');
  const raw = rawBodies.get(req) ?? '';
  const expected = signCallback(secret, ts, raw);
  const fresh = Number.isFinite(ts) && Math.abs(ctx.now().getTime() / 1000 - ts) <= MAX_SKEW_S;
  // Compared as bytes: a header may hold non-ASCII characters (read as latin1), so equal
  // lengths in characters need not be equal lengths in bytes, and timingSafeEqual throws then.
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  const same = a.length === b.length && timingSafeEqual(a, b);
  if (!fresh || !same) {
    ctx.log.warn({ route: req.url, fresh }, 'SMS callback refused: bad or stale signature');
    throw new Problem(401, 'notify.bad_signature', 'missing, wrong or stale X-Causo-Signature');
  }
  if (!(await claimSignature(ctx, given, ts))) {
    ctx.log.warn({ route: req.url }, 'SMS callback refused: replayed signature');
    throw new Problem(401, 'notify.bad_signature', 'this signed callback was already received');
  }
  return given;
}

/** Runs `handle` for a verified callback; if it fails, the signature is released so the provider's retry is not taken for a replay. */
async function verified<T>(ctx: AppContext, req: FastifyRequest, handle: () => Promise<T>): Promise<T> {
  const signature = await verify(ctx, req);
  try {
    return await handle();
  } catch (e) {
    await releaseSignature(ctx, signature).catch((err: unknown) => ctx.log.error({ err }, 'could not release an SMS callback signature'));
    throw e;
  }
}

export function notifyCallbackRoutes(app: ZodApp, ctx: AppContext): void {
  // The signature covers the bytes as sent, so these routes keep the raw body.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 256 * 1024 }, (req, body, done) => {
    rawBodies.set(req, String(body));
    try {
      done(null, JSON.parse(String(body)) as unknown);
    } catch {
      done(new Problem(400, 'request.invalid', 'the body is not JSON'), undefined);
    }
  });
  const signed = { headers: z.object({ 'x-causo-timestamp': z.string().regex(/^\d{9,11}$/), 'x-causo-signature': z.string().max(100) }).passthrough() };

  app.post(
    RECEIPTS_PATH,
    {
      config: { public: true },
      schema: { tags: ['notify'], summary: "The SMS provider's signed delivery receipts", ...signed, body: ReceiptsBody, response: { 200: z.object({ recorded: z.number(), unknown: z.number() }) } },
    },
    async (req) =>
      verified(ctx, req, async () => {
        const outcomes = await recordReceipts(
          ctx,
          req.body.receipts.map((r) => ({ providerId: r.id, state: STATE[r.status], detail: `${r.status}${r.error ? ` ${r.error}` : ''}`, at: r.at ? new Date(r.at) : ctx.now() })),
        );
        const recorded = outcomes.filter((o) => o === 'recorded').length;
        return { recorded, unknown: outcomes.length - recorded };
      }),
  );

  app.post(
    INBOUND_PATH,
    {
      config: { public: true },
      schema: { tags: ['notify'], summary: "A resident's text to the province's number (HS <code>, SIM, VNEID), from the SMS provider, signed", ...signed, body: InboundBody, response: { 200: z.object({ outcome: z.enum(['answered', 'limited']) }) } },
    },
    async (req) =>
      verified(ctx, req, async () => {
        const outcome = await handleInboundSms(ctx, { from: req.body.from, to: req.body.to, text: req.body.text, receivedAt: req.body.receivedAt ? new Date(req.body.receivedAt) : ctx.now() });
        return { outcome };
      }),
  );
}
