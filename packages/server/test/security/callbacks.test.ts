/**
 * The two public callbacks, where a signature is the only authentication: the SMS provider's
 * (receipts, residents' texts) and the payment gateway's IPN. Replays and signed-but-wrong
 * callbacks change nothing in the database.
 *
 * Already tested elsewhere: SMS callbacks with a wrong secret, a made-up signature, a body
 * altered after signing, a stale or future timestamp, no signature headers, non-ASCII
 * signatures (test/notify/callbacks.test.ts); the IPN with a bad signature, tampered fields, a
 * signed callback for another amount, repeats and simultaneous copies of a paid callback
 * (test/payments/payments.test.ts).
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock } from '../support/fixtures.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { SandboxGateway } from '../../src/adapters/payment/sandbox.ts';
import { signedQuery } from '../../src/adapters/payment/vnpayProtocol.ts';
import { startOnlinePayment } from '../../src/modules/payments/service.ts';
import { IPN_PATH } from '../../src/modules/payments/routes.ts';
import { INBOUND_PATH, RECEIPTS_PATH, signCallback } from '../../src/modules/notify/callbackRoutes.ts';
import { FEE_PROCEDURE, act, awaitingFees, fileOnline, officerOf } from '../track/helpers.ts';

const SMS_SECRET = 'callback-secret-for-security-tests-0123';
const PAY_SECRET = 'sandbox-security-secret-0123456789abcd';

describeEachEngine('security: signed callbacks cannot be replayed or bent', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let web: WebServer;
  let gateway: SandboxGateway;
  const count = async (table: 'sms_inbound' | 'notify_outbox' | 'dossier_actions' | 'payments') => Number((await env.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  before(async () => {
    web = await startWebServer(env.db, clock, (ctx) => {
      ctx.config.SMS_HTTP_CALLBACK_SECRET = SMS_SECRET;
      gateway = new SandboxGateway(PAY_SECRET);
      ctx.adapters.payment = gateway;
    });
  });
  after(async () => {
    await web?.close();
  });

  const signedPost = (path: string, raw: string, ts: number, signature = signCallback(SMS_SECRET, ts, raw)) =>
    web.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json', 'x-causo-timestamp': String(ts), 'x-causo-signature': signature }, payload: raw });

  it('refuses a replay of a valid signed resident text within the time window: no second inbound row, no second reply', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx, { phone: '0912400016' });
    await act(web.ctx, officer, filed.code, 'receive');
    const raw = JSON.stringify({ from: '84912400016', to: '8079', text: `HS ${filed.code}` });
    const ts = Math.floor(clock.current.getTime() / 1000);
    const first = await signedPost(INBOUND_PATH, raw, ts);
    assert.equal(first.statusCode, 200, first.body);
    const inbound = await count('sms_inbound');
    const outbox = await count('notify_outbox');
    const replays = await Promise.all([1, 2, 3].map(() => signedPost(INBOUND_PATH, raw, ts)));
    for (const r of replays) {
      assert.equal(r.statusCode, 401, r.body);
      assert.equal(r.json<{ code: string }>().code, 'notify.bad_signature');
    }
    assert.equal(await count('sms_inbound'), inbound);
    assert.equal(await count('notify_outbox'), outbox, 'no second reply SMS');
    // The same text sent again by the resident (a new timestamp and signature) is a new message.
    const again = await signedPost(INBOUND_PATH, raw, ts + 1);
    assert.equal(again.statusCode, 200, again.body);
  });

  it('refuses a replay of a valid signed receipt (an old "undelivered" cannot be played over a later "delivered")', async () => {
    const raw = JSON.stringify({ receipts: [{ id: 'prov-sec-1', status: 'undelivered' }] });
    const ts = Math.floor(clock.current.getTime() / 1000);
    assert.equal((await signedPost(RECEIPTS_PATH, raw, ts)).statusCode, 200);
    const replay = await signedPost(RECEIPTS_PATH, raw, ts);
    assert.equal(replay.statusCode, 401, replay.body);
  });

  it('refuses a replay sent to another app process on the same database (the memory of signatures is shared)', async () => {
    const second = await startWebServer(env.db, clock, (ctx) => {
      ctx.config.SMS_HTTP_CALLBACK_SECRET = SMS_SECRET;
    });
    try {
      const raw = JSON.stringify({ receipts: [{ id: 'prov-sec-3', status: 'delivered' }] });
      const ts = Math.floor(clock.current.getTime() / 1000);
      assert.equal((await signedPost(RECEIPTS_PATH, raw, ts)).statusCode, 200);
      const headers = { 'content-type': 'application/json', 'x-causo-timestamp': String(ts), 'x-causo-signature': signCallback(SMS_SECRET, ts, raw) };
      const elsewhere = await second.app.inject({ method: 'POST', url: RECEIPTS_PATH, headers, payload: raw });
      assert.equal(elsewhere.statusCode, 401, elsewhere.body);
      assert.equal(elsewhere.json<{ code: string }>().code, 'notify.bad_signature');
    } finally {
      await second.close();
    }
  });

  it('forgets a signature once its window has passed, so the table does not grow', async () => {
    const raw = JSON.stringify({ receipts: [{ id: 'prov-sec-4', status: 'delivered' }] });
    const ts = Math.floor(clock.current.getTime() / 1000);
    assert.equal((await signedPost(RECEIPTS_PATH, raw, ts)).statusCode, 200);
    const kept = async () => Number((await env.db.kysely.selectFrom('notify_callback_signatures').select((eb) => eb.fn.countAll<string>().as('n')).where('expires_at', '<=', new Date((ts + 300) * 1000)).executeTakeFirstOrThrow()).n);
    assert.ok((await kept()) >= 1);
    const later = clock.current.getTime() + 301_000;
    clock.current = new Date(later);
    try {
      const raw2 = JSON.stringify({ receipts: [{ id: 'prov-sec-5', status: 'delivered' }] });
      assert.equal((await signedPost(RECEIPTS_PATH, raw2, Math.floor(later / 1000))).statusCode, 200);
      assert.equal(await kept(), 0, 'signatures out of the window are deleted at the next claim');
    } finally {
      clock.current = new Date(later - 301_000);
    }
  });

  it('refuses a callback whose signature headers are doubled or empty', async () => {
    const raw = JSON.stringify({ receipts: [{ id: 'prov-sec-2', status: 'delivered' }] });
    const ts = Math.floor(clock.current.getTime() / 1000);
    assert.equal((await signedPost(RECEIPTS_PATH, raw, ts, '')).statusCode, 401);
    assert.equal((await signedPost(RECEIPTS_PATH, raw, ts, 'sha256=')).statusCode, 401);
    assert.equal((await signedPost(RECEIPTS_PATH, raw, ts, signCallback(SMS_SECRET, ts, raw).toUpperCase())).statusCode, 401);
  });

  it('IPN: a callback without a signature, or a signed "cancelled" after the payment went through, changes nothing', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx, { procedureCode: FEE_PROCEDURE, formData: { copies: 2 } });
    await awaitingFees(web.ctx, officer, filed.code);
    const s = await startOnlinePayment(web.ctx, { citizenId: filed.citizen.id, ip: '127.0.0.1' }, filed.code, { returnUrl: `${web.baseUrl}/my/${filed.code}/pay/return` });
    const reference = s.reference ?? '';
    assert.ok(gateway.bank.openPage(Object.fromEntries(new URL(s.redirectUrl, web.baseUrl).searchParams)).ok);
    const { callback } = gateway.bank.decide(reference, 'pay', web.ctx.now()) ?? { callback: {} as Record<string, string> };
    const { vnp_SecureHash: _hash, ...unsigned } = callback;
    const ipn = async (q: Record<string, string> | string) => (await fetch(`${web.baseUrl}${IPN_PATH}?${typeof q === 'string' ? q : new URLSearchParams(q)}`)).json() as Promise<{ RspCode: string }>;
    assert.equal((await ipn(unsigned)).RspCode, '97');
    assert.equal((await ipn({ ...unsigned, vnp_SecureHash: '' })).RspCode, '97');
    const before = { actions: await count('dossier_actions'), payments: await count('payments') };
    assert.equal((await ipn(callback)).RspCode, '00');
    const paid = await env.db.kysely.selectFrom('payments').select(['status', 'updated_at']).where('reference', '=', reference).executeTakeFirstOrThrow();
    assert.equal(paid.status, 'paid');
    const cancelled = signedQuery({ ...unsigned, vnp_ResponseCode: '24', vnp_TransactionStatus: '02' }, PAY_SECRET);
    assert.equal((await ipn(cancelled)).RspCode, '02', 'already confirmed');
    const after = await env.db.kysely.selectFrom('payments').select(['status']).where('reference', '=', reference).executeTakeFirstOrThrow();
    assert.equal(after.status, 'paid');
    assert.equal(await count('payments'), before.payments);
    assert.equal(await count('dossier_actions'), before.actions + 1, 'only the one fees_paid');
  });
});
