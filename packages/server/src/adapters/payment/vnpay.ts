/**
 * The real VNPay client: builds the signed redirect to VNPay's payment page, verifies its
 * return and IPN callbacks, and asks its `querydr` API (JSON over HTTPS) about payments whose
 * callback never came. Configured by PAYMENT_GATEWAY=vnpay, VNPAY_TMN_CODE, VNPAY_HASH_SECRET,
 * VNPAY_URL and VNPAY_API_URL.
 */
import { randomBytes } from 'node:crypto';
import type { CallbackOutcome, PaymentGateway, PaymentRequest, PaymentStatusAnswer } from './port.ts';
import {
  QUERY_REQUEST_FIELDS,
  QUERY_RESPONSE_FIELDS,
  VNP_VERSION,
  ipnReply,
  payParams,
  pipeHash,
  readCallback,
  readQueryAnswer,
  signatureValid,
  signedQuery,
  vnpDate,
} from './vnpayProtocol.ts';

export interface VnpayOptions {
  tmnCode: string;
  hashSecret: string;
  /** The payment page, e.g. https://sandbox.vnpayment.vn/paymentv2/vpcpay.html */
  payUrl: string;
  /** The merchant API, e.g. https://sandbox.vnpayment.vn/merchant_webapi/api/transaction */
  apiUrl: string;
  /** The address this server calls from, which VNPay records with a query. */
  serverIp?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Shown in payment records; the local sandbox speaks this protocol under its own name. */
  name?: string;
}

export class VnpayGateway implements PaymentGateway {
  readonly name: string;
  constructor(private readonly o: VnpayOptions) {
    this.name = o.name ?? 'vnpay';
    if (this.name === 'vnpay' && (!/^https:\/\//.test(o.payUrl) || !/^https:\/\//.test(o.apiUrl))) throw new Error('VNPAY_URL and VNPAY_API_URL must be https:// addresses');
  }

  async startPayment(req: PaymentRequest): Promise<{ redirectUrl: string; providerTxn: string }> {
    const params = payParams(this.o.tmnCode, req);
    // VNPay assigns its transaction number only when the citizen pays; until then our reference is the key.
    return { redirectUrl: `${this.o.payUrl}?${signedQuery(params, this.o.hashSecret)}`, providerTxn: '' };
  }

  verifyCallback(params: Record<string, string>): PaymentStatusAnswer | null {
    if (!signatureValid(params, this.o.hashSecret)) return null;
    if (params.vnp_TmnCode !== this.o.tmnCode) return null;
    return readCallback(params);
  }

  async queryStatus(q: { reference: string; createdAt: Date; now: Date }): Promise<PaymentStatusAnswer> {
    const body: Record<string, string> = {
      vnp_RequestId: randomBytes(12).toString('hex'),
      vnp_Version: VNP_VERSION,
      vnp_Command: 'querydr',
      vnp_TmnCode: this.o.tmnCode,
      vnp_TxnRef: q.reference,
      vnp_OrderInfo: `Truy van ${q.reference}`,
      vnp_TransactionDate: vnpDate(q.createdAt),
      vnp_CreateDate: vnpDate(q.now),
      vnp_IpAddr: this.o.serverIp ?? '127.0.0.1',
    };
    body.vnp_SecureHash = pipeHash(this.o.hashSecret, QUERY_REQUEST_FIELDS, body);
    const res = await (this.o.fetch ?? fetch)(this.o.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
    });
    if (!res.ok) throw new Error(`VNPay query answered HTTP ${res.status}`);
    const answer = (await res.json()) as Record<string, string>;
    if (answer.vnp_SecureHash && pipeHash(this.o.hashSecret, QUERY_RESPONSE_FIELDS, answer) !== answer.vnp_SecureHash.toLowerCase())
      throw new Error('VNPay query answer has a wrong signature');
    if (answer.vnp_ResponseCode === '00' && answer.vnp_TxnRef !== q.reference) throw new Error('VNPay query answered about another payment');
    return readQueryAnswer(q.reference, answer);
  }

  callbackReply(outcome: CallbackOutcome) {
    return ipnReply(outcome);
  }
}
