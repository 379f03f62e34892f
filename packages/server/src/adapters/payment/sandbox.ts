/**
 * A local payment gateway for the demo and the tests that speaks VNPay's protocol end to end:
 * the merchant side is the real VNPay client (`VnpayGateway`), pointed at a "bank" that lives
 * in this process. The bank's payment page is served by this server at /sandbox/pay (a page
 * where the demo user chooses to pay or cancel); it checks the request's signature, keeps each
 * payment pending until the user decides, signs its callbacks and answers `querydr` queries
 * with signed JSON, exactly as the real gateway does. Nothing here moves real money, and the
 * pages say so.
 *
 * The bank's ledger is kept in memory: a restart forgets payments nobody finished, which the
 * query API then reports as unknown (code 91), as VNPay does for a payment never opened. The
 * bank keeps time by the times written in the requests, so tests can stand at any moment.
 */
import { createHmac } from 'node:crypto';
import { VnpayGateway } from './vnpay.ts';
import {
  PAYMENT_EXPIRY_MINUTES,
  QUERY_REQUEST_FIELDS,
  QUERY_RESPONSE_FIELDS,
  parseVnpDate,
  pipeHash,
  signatureValid,
  signedQuery,
  vnpDate,
} from './vnpayProtocol.ts';

export const SANDBOX_PAY_PATH = '/sandbox/pay';
export const SANDBOX_TMN_CODE = 'CAUSOSBX';

interface LedgerEntry {
  reference: string;
  amount100: string;
  orderInfo: string;
  returnUrl: string;
  createdAt: Date;
  expiresAt: Date;
  state: 'pending' | 'paid' | 'cancelled';
  transactionNo: string;
  payDate: string | null;
  bankCode: string;
}

export interface SandboxPaymentPage {
  reference: string;
  amount: number;
  orderInfo: string;
  returnUrl: string;
  state: LedgerEntry['state'];
  expired: boolean;
}

/** Why the bank refuses to show a payment page (VNPay's codes). */
export type SandboxRefusal = 'bad_signature' | 'wrong_merchant' | 'bad_request';

export class SandboxBank {
  readonly #ledger = new Map<string, LedgerEntry>();
  #nextTxn = 14_000_000 + Math.floor(Math.random() * 1_000_000);

  constructor(
    readonly tmnCode: string,
    private readonly secret: string,
  ) {}

  /** The citizen arrives at the payment page with the merchant's signed parameters. */
  openPage(params: Record<string, string>): { ok: true; page: SandboxPaymentPage } | { ok: false; refusal: SandboxRefusal } {
    if (!signatureValid(params, this.secret)) return { ok: false, refusal: 'bad_signature' };
    if (params.vnp_TmnCode !== this.tmnCode) return { ok: false, refusal: 'wrong_merchant' };
    const createdAt = parseVnpDate(params.vnp_CreateDate);
    const reference = params.vnp_TxnRef ?? '';
    if (!createdAt || !reference || !/^\d+$/.test(params.vnp_Amount ?? '') || !params.vnp_ReturnUrl) return { ok: false, refusal: 'bad_request' };
    let entry = this.#ledger.get(reference);
    if (!entry) {
      entry = {
        reference,
        amount100: params.vnp_Amount as string,
        orderInfo: params.vnp_OrderInfo ?? '',
        returnUrl: params.vnp_ReturnUrl,
        createdAt,
        expiresAt: parseVnpDate(params.vnp_ExpireDate) ?? new Date(createdAt.getTime() + PAYMENT_EXPIRY_MINUTES * 60_000),
        state: 'pending',
        transactionNo: String(this.#nextTxn++),
        payDate: null,
        bankCode: 'NCB',
      };
      this.#ledger.set(reference, entry);
      this.#prune(createdAt);
    }
    return { ok: true, page: this.#pageOf(entry, createdAt) };
  }

  /**
   * The demo user pays or cancels. Returns the signed callback parameters the bank sends to
   * the return URL and to the merchant's IPN address. Deciding twice gives the first answer.
   */
  decide(reference: string, choice: 'pay' | 'cancel', at: Date): { callback: Record<string, string>; returnUrl: string } | null {
    const entry = this.#ledger.get(reference);
    if (!entry) return null;
    if (entry.state === 'pending') {
      const expired = at > entry.expiresAt;
      entry.state = choice === 'pay' && !expired ? 'paid' : 'cancelled';
      entry.payDate = vnpDate(at);
    }
    return { callback: this.#callbackOf(entry), returnUrl: entry.returnUrl };
  }

  /** The merchant's `querydr` call (JSON body in, signed JSON out). */
  query(body: Record<string, string>): Record<string, string> {
    const answer = (fields: Record<string, string>) => {
      const full: Record<string, string> = { vnp_ResponseId: createHmac('sha256', 'id').update(body.vnp_RequestId ?? '').digest('hex').slice(0, 16), vnp_Command: 'querydr', vnp_TmnCode: this.tmnCode, ...fields };
      return { ...full, vnp_SecureHash: pipeHash(this.secret, QUERY_RESPONSE_FIELDS, full) };
    };
    if (body.vnp_SecureHash !== pipeHash(this.secret, QUERY_REQUEST_FIELDS, body)) return answer({ vnp_ResponseCode: '97', vnp_Message: 'Invalid Checksum' });
    if (body.vnp_TmnCode !== this.tmnCode) return answer({ vnp_ResponseCode: '02', vnp_Message: 'Merchant is not valid' });
    const entry = this.#ledger.get(body.vnp_TxnRef ?? '');
    if (!entry) return answer({ vnp_ResponseCode: '91', vnp_Message: 'Not found transaction', vnp_TxnRef: body.vnp_TxnRef ?? '' });
    const asked = parseVnpDate(body.vnp_CreateDate) ?? entry.createdAt;
    // A page left open past its expiry ends unpaid, as on the real gateway.
    const state = entry.state === 'pending' && asked > entry.expiresAt ? 'expired' : entry.state;
    return answer({
      vnp_ResponseCode: '00',
      vnp_Message: 'QueryDR Success',
      vnp_TxnRef: entry.reference,
      vnp_Amount: entry.amount100,
      vnp_BankCode: entry.bankCode,
      vnp_PayDate: entry.payDate ?? '',
      vnp_TransactionNo: entry.state === 'paid' ? entry.transactionNo : '',
      vnp_TransactionType: '01',
      vnp_TransactionStatus: state === 'paid' ? '00' : state === 'pending' ? '01' : '02',
      vnp_OrderInfo: entry.orderInfo,
    });
  }

  /** The query API as the VNPay client calls it: a `fetch` that never leaves the process. */
  readonly fetch: typeof fetch = async (_url, init) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, string>;
    return new Response(JSON.stringify(this.query(body)), { status: 200, headers: { 'content-type': 'application/json' } });
  };

  #callbackOf(e: LedgerEntry): Record<string, string> {
    const paid = e.state === 'paid';
    const params: Record<string, string> = {
      vnp_Amount: e.amount100,
      vnp_BankCode: e.bankCode,
      vnp_CardType: 'ATM',
      vnp_OrderInfo: e.orderInfo,
      vnp_PayDate: e.payDate ?? '',
      vnp_ResponseCode: paid ? '00' : '24',
      vnp_TmnCode: this.tmnCode,
      vnp_TransactionNo: paid ? e.transactionNo : '0',
      vnp_TransactionStatus: paid ? '00' : '02',
      vnp_TxnRef: e.reference,
    };
    if (paid) params.vnp_BankTranNo = `VNP${e.transactionNo}`;
    return Object.fromEntries(new URLSearchParams(signedQuery(params, this.secret)));
  }

  #pageOf(e: LedgerEntry, at: Date): SandboxPaymentPage {
    return { reference: e.reference, amount: Number(e.amount100) / 100, orderInfo: e.orderInfo, returnUrl: e.returnUrl, state: e.state, expired: e.state === 'pending' && at > e.expiresAt };
  }

  /** Keeps the in-memory ledger small: entries a day old are forgotten. */
  #prune(at: Date): void {
    for (const [k, e] of this.#ledger) if (at.getTime() - e.createdAt.getTime() > 86_400_000) this.#ledger.delete(k);
  }
}

/** The merchant side of the sandbox: VNPay's client pointed at the in-process bank. */
export class SandboxGateway extends VnpayGateway {
  readonly bank: SandboxBank;
  constructor(
    secret: string,
    /** Tests turn this off to play a lost server-to-server callback. */
    public deliverCallbacks = true,
  ) {
    const bank = new SandboxBank(SANDBOX_TMN_CODE, secret);
    super({ name: 'sandbox', tmnCode: SANDBOX_TMN_CODE, hashSecret: secret, payUrl: SANDBOX_PAY_PATH, apiUrl: 'http://sandbox.invalid/merchant_webapi/api/transaction', fetch: bank.fetch, timeoutMs: 5_000 });
    this.bank = bank;
  }
}
