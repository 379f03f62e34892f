/**
 * Paying a dossier's fees. Online: a pending payment row, a signed redirect to the gateway, and
 * the gateway's signed callback (IPN) that records the money and moves the dossier on with
 * `fees_paid` in one transaction; a repeated callback changes nothing. Payments whose callback
 * never came are settled by asking the gateway (`reconcilePayments`). At the counter: an officer
 * records the receipt and the dossier moves on in the same transaction.
 *
 * Money is never lost for a state the dossier moved past: a payment the gateway confirms after
 * the fee was settled some other way is recorded as paid with `refund_due`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { availableActions, toLocalIso, type Status } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import type { CallbackOutcome, PaymentStatusAnswer } from '../../adapters/payment/port.ts';
import { PAYMENT_EXPIRY_MINUTES } from '../../adapters/payment/vnpayProtocol.ts';
import { Problem, conflict, notFound } from '../../http/problem.ts';
import { translator } from '../../web/i18n.ts';
import { audit } from '../audit/service.ts';
import { citizenAct, type CitizenActor } from '../dossiers/citizenDossiers.ts';
import { findDossierByCode, type DossierRecord } from '../dossiers/queries.ts';
import { actOnDossier, type Actor } from '../dossiers/service.ts';
import { queueSms } from '../notify/outbox.ts';
import { findProcedureById } from '../procedures/queries.ts';
import { feeQuote, type FeeQuote } from './fees.ts';
import {
  currentFeeRequestSeq,
  findPaymentByReference,
  lockPaymentByReference,
  paymentsOfDossier,
  pendingOnlinePayment,
  stalePendingPayments,
  type PaymentRecord,
  type PaymentStatus,
} from './queries.ts';

export { feeQuote, type FeeQuote } from './fees.ts';

/** A payment waiting this long without a callback is asked about. */
export const RECONCILE_AFTER_MINUTES = 15;
/** A payment the gateway still calls pending after this long is given up (the page expired long ago). */
export const GIVE_UP_AFTER_HOURS = 24;

export interface PaymentView {
  reference: string;
  amount: number;
  status: PaymentStatus;
  method: 'online' | 'counter';
  gateway: string | null;
  receiptNo: string | null;
  refundDue: boolean;
  createdAt: string;
  paidAt: string | null;
}

export function paymentView(p: PaymentRecord): PaymentView {
  return {
    reference: p.reference,
    amount: Number(p.amount),
    status: p.status,
    method: p.method,
    gateway: p.gateway,
    receiptNo: p.receipt_no,
    refundDue: p.refund_due,
    createdAt: toLocalIso(p.created_at),
    paidAt: p.paid_at ? toLocalIso(p.paid_at) : null,
  };
}

/** What the dossier's fees come to, from its procedure's fee list and the citizen's answers. */
export async function feeQuoteForDossier(ctx: AppContext, d: DossierRecord): Promise<FeeQuote> {
  const procedure = await findProcedureById(ctx.db.kysely, d.procedure_id);
  return feeQuote(procedure?.fees ?? [], { channel: d.channel, formData: (d.form_data ?? {}) as Record<string, unknown> });
}

export async function dossierPayments(ctx: AppContext, dossierId: number): Promise<PaymentView[]> {
  return (await paymentsOfDossier(ctx.db.kysely, dossierId)).map(paymentView);
}

async function ownDossier(ctx: AppContext, citizen: CitizenActor, code: string): Promise<DossierRecord> {
  const d = await findDossierByCode(ctx.db.kysely, code);
  if (!d || d.citizen_id !== citizen.citizenId) throw notFound('dossier.not_found_for_citizen');
  return d;
}

/** `CS` + local yyMMddHHmm + 8 random characters: unique, and readable over the phone. */
export function newReference(now: Date, prefix = 'CS'): string {
  const stamp = toLocalIso(now).replace(/[-:T]/g, '').slice(2, 12);
  return `${prefix}${stamp}${randomBytes(5).toString('hex').toUpperCase().slice(0, 8)}`;
}

const isUniqueViolation = (e: unknown) => typeof e === 'object' && e !== null && (e as { code?: string }).code === '23505';

export interface StartedPayment {
  /** Where to send the citizen: the gateway's page, or back to the dossier when nothing is left to pay. */
  redirectUrl: string;
  reference: string | null;
}

/**
 * Creates a pending online payment for the fees now due and returns the gateway's URL. A
 * payment page opened a moment ago is reused; an older pending one is first asked about, so
 * the citizen never pays twice for one request.
 */
export async function startOnlinePayment(
  ctx: AppContext,
  citizen: CitizenActor,
  code: string,
  opts: { returnUrl: string; locale?: 'vi' | 'en' },
): Promise<StartedPayment> {
  const gateway = ctx.adapters.payment;
  const now = ctx.now();
  let d = await ownDossier(ctx, citizen, code);
  if (d.status !== 6) throw conflict('payment.not_due', `dossier ${code} is in status ${d.status}`);
  const quote = await feeQuoteForDossier(ctx, d);
  if (quote.total <= 0) throw conflict('payment.counter_only', `procedure of ${code} has no fee to pay online`);
  const feeSeq = (await currentFeeRequestSeq(ctx.db.kysely, d.id)) ?? 0;

  const existing = await pendingOnlinePayment(ctx.db.kysely, d.id);
  if (existing) {
    const fresh = now.getTime() - existing.created_at.getTime() < (PAYMENT_EXPIRY_MINUTES - 2) * 60_000;
    if (fresh && existing.redirect_url && existing.fee_request_seq === feeSeq && Number(existing.amount) === quote.total && existing.gateway === gateway.name)
      return { redirectUrl: existing.redirect_url, reference: existing.reference };
    if (existing.gateway !== gateway.name) await markUnpaid(ctx, existing.reference, 'cancelled', { reference: existing.reference, status: 'unknown' }, 'superseded');
    else {
      try {
        await settleByQuery(ctx, existing, { giveUp: true });
      } catch (err) {
        ctx.log.warn({ err, reference: existing.reference }, 'payment gateway did not answer about an open payment');
        throw new Problem(503, 'payment.gateway_unavailable');
      }
    }
    d = await ownDossier(ctx, citizen, code);
    if (d.status !== 6) return { redirectUrl: `/my/${encodeURIComponent(code)}`, reference: null };
  }

  const reference = newReference(now);
  const started = await gateway.startPayment({
    reference,
    amount: quote.total,
    description: `Phi ho so ${code}`,
    returnUrl: opts.returnUrl,
    createdAt: now,
    ipAddr: citizen.ip ?? undefined,
    locale: opts.locale,
  });
  try {
    await ctx.db.transaction(async (trx) => {
      await trx
        .insertInto('payments')
        .values({
          dossier_id: d.id,
          fee_request_seq: feeSeq,
          reference,
          amount: quote.total,
          method: 'online',
          gateway: gateway.name,
          provider_txn: started.providerTxn || null,
          redirect_url: started.redirectUrl,
          citizen_id: citizen.citizenId,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await audit(trx, { actorId: null, action: 'payment.start', entity: 'dossier', entityId: code, ip: citizen.ip, detail: { citizenId: citizen.citizenId, reference, amount: quote.total, gateway: gateway.name } });
    });
  } catch (e) {
    // Two taps at once: the other request's payment page is the one to use.
    if (!isUniqueViolation(e)) throw e;
    const winner = await pendingOnlinePayment(ctx.db.kysely, d.id);
    if (!winner?.redirect_url) throw e;
    return { redirectUrl: winner.redirect_url, reference: winner.reference };
  }
  return { redirectUrl: started.redirectUrl, reference };
}

/** Without secrets: what the gateway said, for the record and for disputes. */
function callbackSummary(answer: PaymentStatusAnswer, source: string, at: Date): string {
  return JSON.stringify({ source, status: answer.status, responseCode: answer.responseCode ?? null, bankCode: answer.bankCode ?? null, providerTxn: answer.providerTxn ?? null, amount: answer.amount ?? null, at: toLocalIso(at) });
}

class AlreadySettled extends Error {}

async function markPaid(ctx: AppContext, trx: Trx, p: PaymentRecord, answer: PaymentStatusAnswer, source: string, refundDue: boolean): Promise<void> {
  const now = ctx.now();
  await trx
    .updateTable('payments')
    .set({ status: 'paid', paid_at: answer.paidAt ?? now, provider_txn: answer.providerTxn ?? p.provider_txn, callback: callbackSummary(answer, source, now), refund_due: refundDue, updated_at: now })
    .where('id', '=', p.id)
    .execute();
}

/** The SMS receipt, in the citizen's language, to the phone given on the dossier (or the account's). */
async function queueReceipt(ctx: AppContext, trx: Trx, d: DossierRecord, p: PaymentRecord): Promise<void> {
  const personal = d.applicant_sealed ? ctx.vault.open<{ phone?: string }>(d.applicant_sealed) : {};
  const citizen = d.citizen_id ? await trx.selectFrom('citizens').select(['phone_sealed', 'preferred_lang']).where('id', '=', d.citizen_id).executeTakeFirst() : undefined;
  const phone = personal.phone ?? (citizen ? ctx.vault.open<{ phone: string }>(citizen.phone_sealed).phone : undefined);
  if (!phone) return;
  const t = translator(citizen?.preferred_lang ?? 'vi');
  await queueSms(trx, ctx.vault, {
    to: phone,
    text: t('payments.sms.receipt', { amount: Number(p.amount), code: d.code, reference: p.reference }),
    purpose: 'payment_received',
    citizenId: d.citizen_id,
    dossierId: d.id,
  });
}

/**
 * Money the gateway confirms. When it answers the fee request the dossier is waiting on, the
 * payment is recorded and `fees_paid` applied in one transaction (a transaction id derived from
 * the reference makes a repeat apply once); otherwise it is recorded as to be refunded.
 */
async function recordGatewayPayment(ctx: AppContext, p: PaymentRecord, answer: PaymentStatusAnswer, source: string): Promise<CallbackOutcome> {
  const db = ctx.db.kysely;
  const d = await db.selectFrom('dossiers').selectAll().where('id', '=', p.dossier_id).executeTakeFirstOrThrow();
  const feeSeq = await currentFeeRequestSeq(db, d.id);
  const answersCurrentRequest = d.status === 6 && feeSeq === p.fee_request_seq && p.citizen_id !== null && d.citizen_id === p.citizen_id;
  if (answersCurrentRequest && p.citizen_id !== null) {
    try {
      const result = await citizenAct(ctx, { citizenId: p.citizen_id, ip: null }, d.code, { action: 'fees_paid', transactionId: `payment:${p.reference}` }, async (trx, locked) => {
        const row = await lockPaymentByReference(trx, p.reference);
        if (!row || row.status === 'paid') throw new AlreadySettled();
        await markPaid(ctx, trx, row, answer, source, false);
        await queueReceipt(ctx, trx, locked, row);
        await audit(trx, { actorId: null, action: 'payment.paid', entity: 'dossier', entityId: d.code, detail: { reference: p.reference, amount: Number(p.amount), source } });
      });
      return result.replayed ? 'already_confirmed' : 'confirmed';
    } catch (e) {
      if (e instanceof AlreadySettled) return 'already_confirmed';
      // The dossier moved on (withdrawn, paid at the counter) while the money was on its way.
      if (!(e instanceof Problem && e.status === 409)) throw e;
    }
  }
  return ctx.db.transaction(async (trx) => {
    const row = await lockPaymentByReference(trx, p.reference);
    if (!row || row.status === 'paid') return 'already_confirmed' as const;
    await markPaid(ctx, trx, row, answer, source, true);
    await audit(trx, { actorId: null, action: 'payment.refund_due', entity: 'dossier', entityId: d.code, detail: { reference: p.reference, amount: Number(p.amount), source } });
    ctx.log.warn({ reference: p.reference, dossier: d.code }, 'payment confirmed for a fee no longer due: refund needed');
    return 'confirmed' as const;
  });
}

async function markUnpaid(ctx: AppContext, reference: string, status: 'failed' | 'cancelled', answer: PaymentStatusAnswer, source: string): Promise<CallbackOutcome> {
  return ctx.db.transaction(async (trx) => {
    const row = await lockPaymentByReference(trx, reference);
    if (!row) return 'not_found' as const;
    if (row.status !== 'pending') return 'already_confirmed' as const;
    const now = ctx.now();
    await trx.updateTable('payments').set({ status, callback: callbackSummary(answer, source, now), updated_at: now }).where('id', '=', row.id).execute();
    await audit(trx, { actorId: null, action: `payment.${status}`, entity: 'payment', entityId: reference, detail: { source, responseCode: answer.responseCode ?? null } });
    return 'confirmed' as const;
  });
}

/**
 * Applies what the gateway says about a payment (from its callback, the return page or a
 * query). The amount must be the one we asked for; a settled payment stays settled.
 */
export async function settleFromGateway(ctx: AppContext, answer: PaymentStatusAnswer, source: 'ipn' | 'return' | 'query'): Promise<CallbackOutcome> {
  const p = await findPaymentByReference(ctx.db.kysely, answer.reference);
  if (!p || p.method !== 'online') return 'not_found';
  if (answer.status === 'paid' && answer.amount !== Number(p.amount)) {
    ctx.log.warn({ reference: p.reference, expected: Number(p.amount), got: answer.amount ?? null, source }, 'payment callback with a different amount refused');
    return 'amount_mismatch';
  }
  if (answer.amount !== undefined && answer.amount !== Number(p.amount)) return 'amount_mismatch';
  if (answer.status === 'paid') return p.status === 'paid' ? 'already_confirmed' : recordGatewayPayment(ctx, p, answer, source);
  if (answer.status === 'failed' || answer.status === 'cancelled') return markUnpaid(ctx, p.reference, answer.status, answer, source);
  return p.status === 'pending' ? 'confirmed' : 'already_confirmed';
}

/** A server-to-server callback (or the citizen's return): signature first, then the facts. */
export async function handleGatewayCallback(ctx: AppContext, params: Record<string, string>, source: 'ipn' | 'return'): Promise<{ outcome: CallbackOutcome; reference: string | null }> {
  const answer = ctx.adapters.payment.verifyCallback(params);
  if (!answer) {
    ctx.log.warn({ source, reference: params.vnp_TxnRef ?? null }, 'payment callback with a wrong signature refused');
    return { outcome: 'bad_signature', reference: null };
  }
  try {
    return { outcome: await settleFromGateway(ctx, answer, source), reference: answer.reference };
  } catch (err) {
    ctx.log.error({ err, reference: answer.reference }, 'payment callback failed');
    return { outcome: 'error', reference: answer.reference };
  }
}

type Settled = 'paid' | 'failed' | 'cancelled' | 'pending' | 'error';

async function settleByQuery(ctx: AppContext, p: PaymentRecord, opts: { giveUp: boolean }): Promise<Settled> {
  const now = ctx.now();
  const answer = await ctx.adapters.payment.queryStatus({ reference: p.reference, createdAt: p.created_at, now });
  const age = now.getTime() - p.created_at.getTime();
  if (answer.status === 'paid' || answer.status === 'failed' || answer.status === 'cancelled') {
    const outcome = await settleFromGateway(ctx, answer, 'query');
    if (outcome === 'amount_mismatch' || outcome === 'error') return 'error';
    return answer.status;
  }
  // Never reached the gateway (or the gateway forgot it) after its page expired, or left
  // pending far past any payment page: nobody paid. A late confirmation is still honoured.
  const pageExpired = age > PAYMENT_EXPIRY_MINUTES * 60_000;
  if ((answer.status === 'unknown' && pageExpired) || age > GIVE_UP_AFTER_HOURS * 3_600_000 || (opts.giveUp && pageExpired)) {
    await markUnpaid(ctx, p.reference, 'cancelled', answer, 'query');
    return 'cancelled';
  }
  if (opts.giveUp) {
    await markUnpaid(ctx, p.reference, 'cancelled', answer, 'superseded');
    return 'cancelled';
  }
  return 'pending';
}

export interface ReconcileSummary {
  checked: number;
  paid: number;
  failed: number;
  cancelled: number;
  stillPending: number;
  errors: number;
}

/** Asks the gateway about online payments pending 15 minutes or more and settles them. */
export async function reconcilePayments(ctx: AppContext, opts: { limit?: number } = {}): Promise<ReconcileSummary> {
  const before = new Date(ctx.now().getTime() - RECONCILE_AFTER_MINUTES * 60_000);
  const rows = await stalePendingPayments(ctx.db.kysely, before, opts.limit ?? 200);
  const sum: ReconcileSummary = { checked: 0, paid: 0, failed: 0, cancelled: 0, stillPending: 0, errors: 0 };
  for (const p of rows) {
    if (p.gateway !== ctx.adapters.payment.name) continue; // made through a gateway no longer configured
    sum.checked += 1;
    try {
      const r = await settleByQuery(ctx, p, { giveUp: false });
      if (r === 'paid') sum.paid += 1;
      else if (r === 'failed') sum.failed += 1;
      else if (r === 'cancelled') sum.cancelled += 1;
      else if (r === 'pending') sum.stillPending += 1;
      else sum.errors += 1;
    } catch (err) {
      sum.errors += 1;
      ctx.log.warn({ err, reference: p.reference }, 'payment reconciliation: gateway query failed');
    }
  }
  return sum;
}

export interface CounterPaymentInput {
  amount: number;
  receiptNo: string;
  transactionId: string;
}

/** The reference of a counter payment follows from its transaction id, so a repeat finds it. */
const counterReference = (transactionId: string) => `CTR${createHash('sha256').update(transactionId).digest('hex').slice(0, 20).toUpperCase()}`;

/**
 * An officer records a fee paid at the counter: the receipt and `fees_paid` (through
 * `actOnDossier`, which checks the officer's role on the unit) in one transaction.
 * A payment page still open online is closed (a late online payment is then marked for refund).
 */
export async function markPaidAtCounter(ctx: AppContext, actor: Actor, code: string, input: CounterPaymentInput) {
  if (!Number.isInteger(input.amount) || input.amount <= 0) throw new Problem(400, 'request.invalid', 'amount must be a whole number of đồng above 0', [{ path: 'amount', message: 'must be > 0' }]);
  const reference = counterReference(input.transactionId);
  const dossier = await actOnDossier(ctx, actor, code, { action: 'fees_paid', transactionId: input.transactionId }, async (trx, d) => {
    // Runs before the state machine applies fees_paid in the same transaction: a refusal (409) stores nothing.
    if (d.status !== 6) throw conflict('dossier.action_not_allowed', `fees_paid is not allowed in status ${d.status}`, { status: d.status, availableActions: availableActions(d.status as Status) });
    const now = ctx.now();
    const feeSeq = (await currentFeeRequestSeq(trx, d.id)) ?? 0;
    await trx.updateTable('payments').set({ status: 'cancelled', updated_at: now }).where('dossier_id', '=', d.id).where('method', '=', 'online').where('status', '=', 'pending').execute();
    await trx
      .insertInto('payments')
      .values({
        dossier_id: d.id,
        fee_request_seq: feeSeq,
        reference,
        amount: input.amount,
        status: 'paid',
        method: 'counter',
        receipt_no: input.receiptNo,
        recorded_by: actor.officer.id,
        citizen_id: d.citizen_id,
        created_at: now,
        updated_at: now,
        paid_at: now,
      })
      .execute();
    await audit(trx, { actorId: actor.officer.id, action: 'payment.counter', entity: 'dossier', entityId: code, ip: actor.ip, detail: { reference, amount: input.amount, receiptNo: input.receiptNo } });
  });
  const p = await findPaymentByReference(ctx.db.kysely, reference);
  return { dossier, payment: p ? paymentView(p) : null };
}

/** The payment a return page is about, when it belongs to this citizen's dossier. */
export async function citizenPayment(ctx: AppContext, citizen: CitizenActor, code: string, reference: string): Promise<PaymentView | null> {
  const d = await ownDossier(ctx, citizen, code);
  const p = await findPaymentByReference(ctx.db.kysely, reference);
  return p && p.dossier_id === d.id ? paymentView(p) : null;
}
