import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { SandboxGateway } from '../../src/adapters/payment/sandbox.ts';
import { signedQuery } from '../../src/adapters/payment/vnpayProtocol.ts';
import { handleGatewayCallback, markPaidAtCounter, reconcilePayments, startOnlinePayment } from '../../src/modules/payments/service.ts';
import { IPN_PATH } from '../../src/modules/payments/routes.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { FEE_PROCEDURE, PageClient, act, awaitingFees, fileOnline, officerOf, type Filed } from '../track/helpers.ts';

const SECRET = 'sandbox-test-secret-0123456789abcdef';

describeEachEngine('paying fees: the sandbox gateway, signed callbacks, reconciliation, the counter', (env) => {
  let web: WebServer;
  let gateway: SandboxGateway;
  const db = () => env.db.kysely;
  const dossier = (code: string) => db().selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
  const paymentsOf = async (code: string) => db().selectFrom('payments').selectAll().where('dossier_id', '=', (await dossier(code)).id).orderBy('id').execute();
  const feesPaidActions = async (code: string) =>
    (await db().selectFrom('dossier_actions').select('action').where('dossier_id', '=', (await dossier(code)).id).where('action', '=', 'fees_paid').execute()).length;
  const receipts = async (code: string) =>
    (await db().selectFrom('notify_outbox').select('body').where('dossier_id', '=', (await dossier(code)).id).where('purpose', '=', 'payment_received').execute()).map((r) => r.body);

  /** A dossier waiting for 2 copies × 8.000 đồng, and its citizen. */
  async function feesDue(): Promise<Filed> {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx, { procedureCode: FEE_PROCEDURE, formData: { copies: 2 } });
    await awaitingFees(web.ctx, officer, filed.code);
    return filed;
  }

  /** The citizen starts paying and the bank shows its page (no decision yet). */
  async function started(filed: Filed) {
    const s = await startOnlinePayment(web.ctx, { citizenId: filed.citizen.id, ip: '127.0.0.1' }, filed.code, { returnUrl: `${web.baseUrl}/my/${filed.code}/pay/return` });
    const params = Object.fromEntries(new URL(s.redirectUrl, web.baseUrl).searchParams);
    const opened = gateway.bank.openPage(params);
    assert.ok(opened.ok, 'the bank accepts our signed request');
    return { reference: s.reference!, params };
  }

  it('starts', async () => {
    web = await startWebServer(env.db, undefined, (ctx) => {
      gateway = new SandboxGateway(SECRET);
      ctx.adapters.payment = gateway;
    });
  });

  it('asks the fee the procedure sets for the answers given (2 copies × 8.000 đồng), pending until paid', async () => {
    const filed = await feesDue();
    const { reference, params } = await started(filed);
    assert.equal(params.vnp_Amount, String(16_000 * 100));
    assert.equal(params.vnp_TxnRef, reference);
    const [p] = await paymentsOf(filed.code);
    assert.equal(p?.status, 'pending');
    assert.equal(Number(p?.amount), 16_000);
    assert.equal((await dossier(filed.code)).status, 6);
    const q = await gateway.queryStatus({ reference, createdAt: p!.created_at, now: web.ctx.now() });
    assert.equal(q.status, 'pending');
  });

  it('records a paid callback once: the dossier moves on, one receipt SMS, a repeat changes nothing', async () => {
    const filed = await feesDue();
    const { reference } = await started(filed);
    const { callback } = gateway.bank.decide(reference, 'pay', web.ctx.now())!;
    assert.deepEqual(await handleGatewayCallback(web.ctx, callback, 'ipn'), { outcome: 'confirmed', reference });
    assert.deepEqual(await handleGatewayCallback(web.ctx, callback, 'ipn'), { outcome: 'already_confirmed', reference });
    const res = await fetch(`${web.baseUrl}${IPN_PATH}?${new URLSearchParams(callback)}`);
    assert.deepEqual(await res.json(), { RspCode: '02', Message: 'Order already confirmed' });
    const d = await dossier(filed.code);
    assert.equal(d.status, 4);
    assert.equal(await feesPaidActions(filed.code), 1);
    const [p] = await paymentsOf(filed.code);
    assert.equal(p?.status, 'paid');
    assert.ok(p?.paid_at);
    assert.equal(p?.provider_txn, callback.vnp_TransactionNo);
    assert.doesNotMatch(JSON.stringify(p?.callback), /SecureHash|[0-9a-f]{128}/, 'no signature kept');
    const sms = await receipts(filed.code);
    assert.equal(sms.length, 1);
    assert.match(sms[0] ?? '', new RegExp(`16\\.000đ phí hồ sơ ${filed.code}`));
  });

  it('applies two simultaneous copies of the callback once', async () => {
    const filed = await feesDue();
    const { reference } = await started(filed);
    const { callback } = gateway.bank.decide(reference, 'pay', web.ctx.now())!;
    const outcomes = (await Promise.all([1, 2, 3].map(() => handleGatewayCallback(web.ctx, callback, 'ipn')))).map((r) => r.outcome).sort();
    assert.deepEqual(outcomes, ['already_confirmed', 'already_confirmed', 'confirmed']);
    assert.equal(await feesPaidActions(filed.code), 1);
    assert.equal((await receipts(filed.code)).length, 1);
  });

  it('rejects a callback with a bad signature (RspCode 97) and changes nothing', async () => {
    const filed = await feesDue();
    const { reference } = await started(filed);
    const { callback } = gateway.bank.decide(reference, 'pay', web.ctx.now())!;
    const forged = { ...callback, vnp_SecureHash: signedQuery({ ...callback }, 'not-the-secret').split('vnp_SecureHash=')[1]! };
    const res = await fetch(`${web.baseUrl}${IPN_PATH}?${new URLSearchParams(forged)}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { RspCode: '97', Message: 'Invalid signature' });
    const tampered = { ...callback, vnp_ResponseCode: '00', vnp_TxnRef: reference, vnp_BankCode: 'EVIL' };
    assert.equal((await handleGatewayCallback(web.ctx, tampered, 'ipn')).outcome, 'bad_signature');
    assert.equal((await dossier(filed.code)).status, 6);
    assert.equal((await paymentsOf(filed.code))[0]?.status, 'pending');
  });

  it('rejects a correctly signed callback for another amount (RspCode 04)', async () => {
    const filed = await feesDue();
    const { reference } = await started(filed);
    const { callback } = gateway.bank.decide(reference, 'pay', web.ctx.now())!;
    const { vnp_SecureHash: _drop, ...fields } = callback;
    const cheaper = Object.fromEntries(new URLSearchParams(signedQuery({ ...fields, vnp_Amount: String(1_000 * 100) }, SECRET)));
    const res = await fetch(`${web.baseUrl}${IPN_PATH}?${new URLSearchParams(cheaper)}`);
    assert.deepEqual(await res.json(), { RspCode: '04', Message: 'Invalid amount' });
    assert.equal((await dossier(filed.code)).status, 6);
    assert.equal((await paymentsOf(filed.code))[0]?.status, 'pending');
  });

  it('answers an unknown reference with RspCode 01', async () => {
    const fields = { vnp_Amount: '100000', vnp_ResponseCode: '00', vnp_TransactionStatus: '00', vnp_TmnCode: 'CAUSOSBX', vnp_TxnRef: 'CSNOSUCHREF1', vnp_TransactionNo: '1', vnp_PayDate: '20261125090000' };
    const res = await fetch(`${web.baseUrl}${IPN_PATH}?${signedQuery(fields, SECRET)}`);
    assert.deepEqual(await res.json(), { RspCode: '01', Message: 'Order not found' });
  });

  it('records a cancelled payment as cancelled, and the citizen can start again', async () => {
    const filed = await feesDue();
    const { reference } = await started(filed);
    const { callback } = gateway.bank.decide(reference, 'cancel', web.ctx.now())!;
    assert.equal((await handleGatewayCallback(web.ctx, callback, 'ipn')).outcome, 'confirmed');
    assert.equal((await paymentsOf(filed.code))[0]?.status, 'cancelled');
    assert.equal((await dossier(filed.code)).status, 6);
    const again = await started(filed);
    assert.notEqual(again.reference, reference);
  });

  it('reuses the payment page opened a moment ago instead of opening a second payment', async () => {
    const filed = await feesDue();
    const first = await started(filed);
    const second = await started(filed);
    assert.equal(second.reference, first.reference);
    assert.equal((await paymentsOf(filed.code)).length, 1);
  });

  it('reconciliation settles a payment whose callback was lost, and closes one nobody finished', async () => {
    const lost = await feesDue();
    const { reference } = await started(lost);
    gateway.bank.decide(reference, 'pay', web.ctx.now()); // paid at the bank; the IPN never arrives
    const abandoned = await feesDue();
    const a = await startOnlinePayment(web.ctx, { citizenId: abandoned.citizen.id, ip: null }, abandoned.code, { returnUrl: `${web.baseUrl}/x` });
    const notYet = await reconcilePayments(web.ctx);
    assert.equal(notYet.paid, 0, 'younger than 15 minutes: left to the callback');
    web.ctx.clock.set('2026-11-25T09:16:00+07:00');
    const sum = await reconcilePayments(web.ctx);
    assert.ok(sum.paid >= 1 && sum.cancelled >= 1, JSON.stringify(sum));
    assert.equal(sum.errors, 0);
    assert.equal((await dossier(lost.code)).status, 4);
    assert.equal((await paymentsOf(lost.code))[0]?.status, 'paid');
    assert.equal(await feesPaidActions(lost.code), 1);
    assert.equal((await paymentsOf(abandoned.code)).find((p) => p.reference === a.reference)?.status, 'cancelled');
    // A second round finds nothing left, and a late callback for the settled payment is harmless.
    const again = await reconcilePayments(web.ctx);
    assert.equal(again.paid, 0);
    const late = gateway.bank.decide(reference, 'pay', web.ctx.now())!;
    assert.equal((await handleGatewayCallback(web.ctx, late.callback, 'ipn')).outcome, 'already_confirmed');
    assert.equal(await feesPaidActions(lost.code), 1);
    web.ctx.clock.set('2026-11-25T09:00:00+07:00');
  });

  it('records a fee paid at the counter through the API, once per transaction id, for officers of the unit only', async () => {
    const filed = await feesDue();
    const officer = await officerOf(web.ctx);
    const outsider = await officerOf(web.ctx, [{ role: 'officer', unitCode: '25308' }]);
    const token = async (id: number) => (await env.db.transaction((trx) => createSession(trx, { userId: id }, { ttlHours: 1, ip: null, userAgent: 'test', now: web.ctx.now() }))).token;
    const pending = await started(filed); // an online payment page is open meanwhile
    const transactionId = randomUUID();
    const post = async (id: number) =>
      fetch(`${web.baseUrl}/api/v1/dossiers/${filed.code}/payments/counter`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(id)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 16_000, receiptNo: 'BL-0042', transactionId }),
      });
    const refused = await post(outsider.officer.id);
    assert.equal(refused.status, 403);
    const ok = await post(officer.officer.id);
    assert.equal(ok.status, 200, await ok.clone().text());
    const body = (await ok.json()) as { dossier: { status: number }; payment: { method: string; status: string; receiptNo: string; amount: number } };
    assert.equal(body.dossier.status, 4);
    assert.deepEqual({ method: body.payment.method, status: body.payment.status, receiptNo: body.payment.receiptNo, amount: body.payment.amount }, { method: 'counter', status: 'paid', receiptNo: 'BL-0042', amount: 16_000 });
    const repeat = await post(officer.officer.id);
    assert.equal(repeat.status, 200);
    assert.equal(await feesPaidActions(filed.code), 1);
    const rows = await paymentsOf(filed.code);
    assert.deepEqual(rows.map((r) => `${r.method}:${r.status}`).sort(), ['counter:paid', 'online:cancelled']);
    // The citizen pays the closed online page anyway: the money is recorded, to be refunded.
    const { callback } = gateway.bank.decide(pending.reference, 'pay', web.ctx.now())!;
    assert.equal((await handleGatewayCallback(web.ctx, callback, 'ipn')).outcome, 'confirmed');
    const online = (await paymentsOf(filed.code)).find((r) => r.reference === pending.reference);
    assert.deepEqual({ status: online?.status, refund: online?.refund_due }, { status: 'paid', refund: true });
    assert.equal(await feesPaidActions(filed.code), 1);
  });

  it('refuses a counter payment when no fee is due (409), storing nothing', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx, { procedureCode: FEE_PROCEDURE });
    await act(web.ctx, officer, filed.code, 'receive');
    await assert.rejects(markPaidAtCounter(web.ctx, officer, filed.code, { amount: 8_000, receiptNo: 'BL-1', transactionId: randomUUID() }), (e: { status?: number }) => e.status === 409);
    assert.equal((await paymentsOf(filed.code)).length, 0);
  });

  it('the pay page refuses a dossier with nothing to pay (409) and shows the amount otherwise', async () => {
    const filed = await feesDue();
    const c = new PageClient(web.baseUrl, filed.citizen.cookie);
    const page = await c.get(`/my/${filed.code}/pay`);
    assert.equal(page.status, 200);
    assert.match(page.html, /16\.000 đồng/);
    assert.match(page.html, /× 2/);
    const other = await fileOnline(web.ctx);
    const none = await new PageClient(web.baseUrl, other.citizen.cookie).get(`/my/${other.code}/pay`);
    assert.equal(none.status, 409);
    assert.match(none.html, /Hồ sơ không có phí cần nộp/);
  });

  it('stops', async () => {
    await web.close();
  });
});
