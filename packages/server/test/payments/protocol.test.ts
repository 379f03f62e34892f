import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { createPaymentGateway } from '../../src/adapters/payment/factory.ts';
import { SandboxBank, SandboxGateway } from '../../src/adapters/payment/sandbox.ts';
import { VnpayGateway } from '../../src/adapters/payment/vnpay.ts';
import { readCallback, sign, signatureValid, signingString, vnpDate } from '../../src/adapters/payment/vnpayProtocol.ts';
import { feeQuote } from '../../src/modules/payments/fees.ts';

const procedures = JSON.parse(readFileSync(new URL('../../seed/procedures.json', import.meta.url), 'utf8')) as { code: string; fees: unknown }[];
const feesOf = (code: string) => procedures.find((p) => p.code === code)?.fees;

describe('fees from the procedure catalogue', () => {
  it('charges a per-copy fee for each copy asked for', () => {
    assert.equal(feeQuote(feesOf('2.000635'), { channel: 2, formData: { copies: 3 } }).total, 24_000);
    assert.equal(feeQuote(feesOf('2.000635'), { channel: 2, formData: {} }).total, 8_000);
  });

  it('charges the online fee to an online dossier and the counter fee to a counter one', () => {
    assert.equal(feeQuote(feesOf('1.004222'), { channel: 2, formData: {} }).total, 10_000);
    assert.equal(feeQuote(feesOf('1.004222'), { channel: 1, formData: {} }).total, 20_000);
  });

  it('charges certified copies by page: 2.000 đồng for pages 1–2, 1.000 from page 3, at most 200.000 per copy', () => {
    const q = feeQuote(feesOf('2.000815'), { channel: 2, formData: { pageCount: 5, copies: 2 } });
    assert.equal(q.total, 2 * (2 * 2_000 + 3 * 1_000));
    assert.equal(q.lines.length, 2);
    assert.equal(feeQuote(feesOf('2.000815'), { channel: 2, formData: { pageCount: 500, copies: 1 } }).total, 200_000);
    assert.equal(feeQuote(feesOf('2.000815'), { channel: 2, formData: { pageCount: 1 } }).total, 2_000);
  });

  it('has nothing to charge for a procedure without fees, or a malformed fee list', () => {
    assert.deepEqual(feeQuote(feesOf('1.001193'), { channel: 2, formData: {} }), { lines: [], total: 0 });
    assert.deepEqual(feeQuote({ nonsense: true }, { channel: 2, formData: {} }), { lines: [], total: 0 });
  });
});

describe("VNPay's protocol", () => {
  it('signs the parameters sorted and URL-encoded as VNPay’s documented example is', () => {
    const params = {
      vnp_Version: '2.1.0',
      vnp_TxnRef: '5',
      vnp_TmnCode: 'DEMOV210',
      vnp_ReturnUrl: 'https://domainmerchant.vn/ReturnUrl',
      vnp_OrderType: 'other',
      vnp_OrderInfo: 'Thanh toan don hang :5',
      vnp_Locale: 'vn',
      vnp_IpAddr: '127.0.0.1',
      vnp_CurrCode: 'VND',
      vnp_CreateDate: '20210801153333',
      vnp_Command: 'pay',
      vnp_Amount: '1806000',
    };
    assert.equal(
      signingString(params),
      'vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0',
    );
    const hash = sign(params, 'SECRET');
    assert.match(hash, /^[0-9a-f]{128}$/);
    assert.ok(signatureValid({ ...params, vnp_SecureHash: hash, vnp_SecureHashType: 'HmacSHA512' }, 'SECRET'));
    assert.ok(!signatureValid({ ...params, vnp_Amount: '1806100', vnp_SecureHash: hash }, 'SECRET'));
    assert.ok(!signatureValid({ ...params, vnp_SecureHash: hash }, 'OTHER'));
    assert.ok(!signatureValid({ ...params, vnp_SecureHash: 'abc' }, 'SECRET'));
  });

  it('writes times in Vietnam time and reads callbacks (00 paid, 24 cancelled, others failed)', () => {
    assert.equal(vnpDate(new Date('2026-11-25T02:00:00Z')), '20261125090000');
    const base = { vnp_TxnRef: 'R1', vnp_Amount: '1600000', vnp_PayDate: '20261125091500', vnp_TransactionNo: '77' };
    const paid = readCallback({ ...base, vnp_ResponseCode: '00', vnp_TransactionStatus: '00' });
    assert.deepEqual({ s: paid.status, a: paid.amount, at: paid.paidAt?.toISOString() }, { s: 'paid', a: 16_000, at: '2026-11-25T02:15:00.000Z' });
    assert.equal(readCallback({ ...base, vnp_ResponseCode: '24', vnp_TransactionStatus: '02' }).status, 'cancelled');
    assert.equal(readCallback({ ...base, vnp_ResponseCode: '51', vnp_TransactionStatus: '02' }).status, 'failed');
  });

  it('the real client queries the sandbox bank over its signed JSON API, and refuses a forged answer', async () => {
    const bank = new SandboxBank('CAUSOSBX', 'shared-secret-0123456789');
    const client = new VnpayGateway({ tmnCode: 'CAUSOSBX', hashSecret: 'shared-secret-0123456789', payUrl: 'https://pay.example/vpcpay.html', apiUrl: 'https://api.example/transaction', fetch: bank.fetch });
    const createdAt = new Date('2026-11-25T09:00:00+07:00');
    const { redirectUrl } = await client.startPayment({ reference: 'CSTEST0001', amount: 16_000, description: 'Phí hồ sơ 25309-261125-0001', returnUrl: 'https://portal.example/back', createdAt });
    assert.match(redirectUrl, /^https:\/\/pay\.example\/vpcpay\.html\?.*vnp_OrderInfo=Phi\+ho\+so\+25309-261125-0001/);
    const params = Object.fromEntries(new URL(redirectUrl).searchParams);
    assert.ok(bank.openPage(params).ok);
    assert.equal((await client.queryStatus({ reference: 'CSTEST0001', createdAt, now: createdAt })).status, 'pending');
    bank.decide('CSTEST0001', 'pay', new Date('2026-11-25T09:05:00+07:00'));
    const q = await client.queryStatus({ reference: 'CSTEST0001', createdAt, now: new Date('2026-11-25T09:20:00+07:00') });
    assert.deepEqual({ s: q.status, a: q.amount }, { s: 'paid', a: 16_000 });
    assert.equal((await client.queryStatus({ reference: 'CSNEVER', createdAt, now: createdAt })).status, 'unknown');
    // A page never opened is unknown to the bank; one opened and left past its expiry ends unpaid.
    const second = await client.startPayment({ reference: 'CSTEST0002', amount: 1_000, description: 'x', returnUrl: 'https://portal.example/back', createdAt });
    assert.equal((await client.queryStatus({ reference: 'CSTEST0002', createdAt, now: createdAt })).status, 'unknown');
    assert.ok(bank.openPage(Object.fromEntries(new URL(second.redirectUrl).searchParams)).ok);
    assert.equal((await client.queryStatus({ reference: 'CSTEST0002', createdAt, now: new Date('2026-11-25T09:10:00+07:00') })).status, 'pending');
    assert.equal((await client.queryStatus({ reference: 'CSTEST0002', createdAt, now: new Date('2026-11-25T09:20:00+07:00') })).status, 'failed');
    const forger = new VnpayGateway({ tmnCode: 'CAUSOSBX', hashSecret: 'shared-secret-0123456789', payUrl: 'https://pay.example/p', apiUrl: 'https://api.example/t', fetch: async () => new Response(JSON.stringify({ vnp_ResponseCode: '00', vnp_TxnRef: 'CSTEST0001', vnp_TransactionStatus: '00', vnp_Amount: '1600000', vnp_SecureHash: 'f'.repeat(128) })) });
    await assert.rejects(forger.queryStatus({ reference: 'CSTEST0001', createdAt, now: createdAt }), /wrong signature/);
    // A tampered payment request is refused by the bank.
    assert.deepEqual(bank.openPage({ ...params, vnp_Amount: '100' }), { ok: false, refusal: 'bad_signature' });
  });

  it('is chosen by PAYMENT_GATEWAY, and VNPay needs its terminal code and secret', () => {
    assert.ok(createPaymentGateway(loadConfig({})) instanceof SandboxGateway);
    assert.throws(() => createPaymentGateway(loadConfig({ PAYMENT_GATEWAY: 'vnpay' })), ConfigError);
    const g = createPaymentGateway(loadConfig({ PAYMENT_GATEWAY: 'vnpay', VNPAY_TMN_CODE: 'ABCD1234', VNPAY_HASH_SECRET: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345' }));
    assert.equal(g.name, 'vnpay');
  });
});
