/**
 * VNPay's public payment protocol (version 2.1.0), shared by the real client and the local
 * sandbox: query parameters named `vnp_*`, amounts in đồng × 100, times as `yyyyMMddHHmmss` in
 * Vietnam time, and `vnp_SecureHash` = HMAC-SHA512 (hex) over the parameters sorted by name and
 * URL-encoded the way PHP's `urlencode` does (space as `+`), joined with `&`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CallbackOutcome, GatewayStatus, PaymentRequest, PaymentStatusAnswer } from './port.ts';

export const VNP_VERSION = '2.1.0';
/** How long the gateway keeps a payment page open. */
export const PAYMENT_EXPIRY_MINUTES = 15;

/** PHP `urlencode`: everything but letters, digits and `-_.` is percent-encoded; space is `+`. */
export function phpUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The string that is signed: sorted `vnp_*` parameters without the hash fields. */
export function signingString(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k.startsWith('vnp_') && k !== 'vnp_SecureHash' && k !== 'vnp_SecureHashType' && typeof params[k] === 'string')
    .sort()
    .map((k) => `${phpUrlEncode(k)}=${phpUrlEncode(params[k] as string)}`)
    .join('&');
}

export const hmacSha512 = (secret: string, data: string): string => createHmac('sha512', secret).update(Buffer.from(data, 'utf8')).digest('hex');

export function sign(params: Record<string, string>, secret: string): string {
  return hmacSha512(secret, signingString(params));
}

/** Parameters plus their signature, as a query string. */
export function signedQuery(params: Record<string, string>, secret: string): string {
  return `${signingString(params)}&vnp_SecureHash=${sign(params, secret)}`;
}

export function signatureValid(params: Record<string, string>, secret: string): boolean {
  const sent = params.vnp_SecureHash;
  if (typeof sent !== 'string' || !/^[0-9a-fA-F]{128}$/.test(sent)) return false;
  const expected = Buffer.from(sign(params, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(sent.toLowerCase(), 'hex'));
}

/** `yyyyMMddHHmmss` in Vietnam time (UTC+7, no daylight saving). */
export function vnpDate(at: Date): string {
  return new Date(at.getTime() + 7 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function parseVnpDate(s: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s ?? '');
  if (!m) return undefined;
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`);
}

/** The parameters of a `pay` request, before signing. */
export function payParams(tmnCode: string, req: PaymentRequest): Record<string, string> {
  return {
    vnp_Version: VNP_VERSION,
    vnp_Command: 'pay',
    vnp_TmnCode: tmnCode,
    vnp_Amount: String(req.amount * 100),
    vnp_CurrCode: 'VND',
    vnp_TxnRef: req.reference,
    // VNPay asks for order info without diacritics or special characters.
    vnp_OrderInfo: req.description.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').replace(/[^A-Za-z0-9 .:,-]/g, ' ').slice(0, 255),
    vnp_OrderType: 'other',
    vnp_Locale: req.locale === 'en' ? 'en' : 'vn',
    vnp_ReturnUrl: req.returnUrl,
    vnp_IpAddr: req.ipAddr ?? '127.0.0.1',
    vnp_CreateDate: vnpDate(req.createdAt),
    vnp_ExpireDate: vnpDate(new Date(req.createdAt.getTime() + PAYMENT_EXPIRY_MINUTES * 60_000)),
  };
}

/**
 * What a return or IPN callback says. `vnp_ResponseCode` 00 with `vnp_TransactionStatus` 00
 * is a payment; 24 means the citizen cancelled; other codes are declines and errors.
 */
export function readCallback(params: Record<string, string>): PaymentStatusAnswer {
  const code = params.vnp_ResponseCode ?? '';
  const txStatus = params.vnp_TransactionStatus ?? code;
  let status: GatewayStatus;
  if (code === '00' && txStatus === '00') status = 'paid';
  else if (code === '24') status = 'cancelled';
  else if (txStatus === '01') status = 'pending';
  else status = 'failed';
  const amount = Number(params.vnp_Amount);
  return {
    reference: params.vnp_TxnRef ?? '',
    status,
    providerTxn: params.vnp_TransactionNo || undefined,
    amount: Number.isFinite(amount) ? Math.round(amount / 100) : undefined,
    paidAt: status === 'paid' ? parseVnpDate(params.vnp_PayDate) : undefined,
    responseCode: code,
    bankCode: params.vnp_BankCode || undefined,
  };
}

/** `querydr` answer: ResponseCode 00 = found (TransactionStatus says what became of it), 91 = no such payment. */
export function readQueryAnswer(reference: string, body: Record<string, string>): PaymentStatusAnswer {
  if (body.vnp_ResponseCode === '91') return { reference, status: 'unknown', responseCode: '91' };
  if (body.vnp_ResponseCode !== '00') throw new Error(`gateway query failed with code ${body.vnp_ResponseCode ?? '?'}`);
  const tx = body.vnp_TransactionStatus;
  // 01: not finished yet; 07: held by the gateway as suspicious, settled later. Both wait.
  const status: GatewayStatus = tx === '00' ? 'paid' : tx === '01' || tx === '07' ? 'pending' : 'failed';
  const amount = Number(body.vnp_Amount);
  return {
    reference,
    status,
    providerTxn: body.vnp_TransactionNo || undefined,
    amount: Number.isFinite(amount) ? Math.round(amount / 100) : undefined,
    paidAt: status === 'paid' ? parseVnpDate(body.vnp_PayDate) : undefined,
    responseCode: `query:${tx ?? '?'}`,
    bankCode: body.vnp_BankCode || undefined,
  };
}

export const QUERY_REQUEST_FIELDS = ['vnp_RequestId', 'vnp_Version', 'vnp_Command', 'vnp_TmnCode', 'vnp_TxnRef', 'vnp_TransactionDate', 'vnp_CreateDate', 'vnp_IpAddr', 'vnp_OrderInfo'] as const;
export const QUERY_RESPONSE_FIELDS = [
  'vnp_ResponseId',
  'vnp_Command',
  'vnp_ResponseCode',
  'vnp_Message',
  'vnp_TmnCode',
  'vnp_TxnRef',
  'vnp_Amount',
  'vnp_BankCode',
  'vnp_PayDate',
  'vnp_TransactionNo',
  'vnp_TransactionType',
  'vnp_TransactionStatus',
  'vnp_OrderInfo',
  'vnp_PromotionCode',
  'vnp_PromotionAmount',
] as const;

/** The query API signs its fields joined by `|` in a fixed order (absent fields are empty). */
export function pipeHash(secret: string, fields: readonly string[], body: Record<string, unknown>): string {
  return hmacSha512(secret, fields.map((f) => (body[f] === undefined || body[f] === null ? '' : String(body[f]))).join('|'));
}

/** VNPay's IPN answer: HTTP 200 with a JSON `RspCode`. */
export function ipnReply(outcome: CallbackOutcome): { status: number; body: Record<string, string> } {
  const map: Record<CallbackOutcome, [string, string]> = {
    confirmed: ['00', 'Confirm Success'],
    already_confirmed: ['02', 'Order already confirmed'],
    not_found: ['01', 'Order not found'],
    amount_mismatch: ['04', 'Invalid amount'],
    bad_signature: ['97', 'Invalid signature'],
    error: ['99', 'Unknown error'],
  };
  const [RspCode, Message] = map[outcome];
  return { status: 200, body: { RspCode, Message } };
}
