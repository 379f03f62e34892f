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
 * one) is refused like a stale one. Kept per process; the window bounds its size.
 */
class SeenSignatures {
  readonly #until = new Map<string, number>();
  /** False when `signature` was accepted before (and is still inside the window). */
  claim(signature: string, ts: number, nowS: number): boolean {
    for (const [sig, until] of this.#until) if (until < nowS) this.#until.delete(sig);
    if (this.#until.has(signature)) return false;
    this.#until.set(signature, ts + MAX_SKEW_S);
    return true;
  }
}

function verify(ctx: AppContext, req: FastifyRequest, seen: SeenSignatures): void {
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
  if (!seen.claim(given, ts, ctx.now().getTime() / 1000)) {
    ctx.log.warn({ route: req.url }, 'SMS callback refused: replayed signature');
    throw new Problem(401, 'notify.bad_signature', 'this signed callback was already received');
  }
}

export function notifyCallbackRoutes(app: ZodApp, ctx: AppContext): void {
  const seen = new SeenSignatures();
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
    async (req) => {
      verify(ctx, req, seen);
      const outcomes = await recordReceipts(
        ctx,
        req.body.receipts.map((r) => ({ providerId: r.id, state: STATE[r.status], detail: `${r.status}${r.error ? ` ${r.error}` : ''}`, at: r.at ? new Date(r.at) : ctx.now() })),
      );
      const recorded = outcomes.filter((o) => o === 'recorded').length;
      return { recorded, unknown: outcomes.length - recorded };
    },
  );

  app.post(
    INBOUND_PATH,
    {
      config: { public: true },
      schema: { tags: ['notify'], summary: "A resident's text to the province's number (HS <code>, SIM, VNEID), from the SMS provider, signed", ...signed, body: InboundBody, response: { 200: z.object({ outcome: z.enum(['answered', 'limited']) }) } },
    },
    async (req) => {
      verify(ctx, req, seen);
      const outcome = await handleInboundSms(ctx, { from: req.body.from, to: req.body.to, text: req.body.text, receivedAt: req.body.receivedAt ? new Date(req.body.receivedAt) : ctx.now() });
      return { outcome };
    },
  );
}
