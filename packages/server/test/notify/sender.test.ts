import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';
import type { AppContext } from '../../src/context.ts';
import { queueSms } from '../../src/modules/notify/outbox.ts';
import { deliverPending, MAX_SMS_ATTEMPTS, smsBackoffMs } from '../../src/modules/notify/sender.ts';
import { SmsSendError, type SmsGateway } from '../../src/adapters/sms/port.ts';
import { SmsSink } from '../../src/adapters/sms/sink.ts';
import { EmailSink } from '../../src/adapters/email/sink.ts';
import { queueMessage } from '../../src/modules/notify/outbox.ts';
import { recordReceipt } from '../../src/modules/notify/receipts.ts';

/** A gateway that fails as told, and remembers what it was asked to send. */
class ScriptedGateway implements SmsGateway {
  readonly name = 'scripted';
  sent: { to: string; text: string; reference?: string | undefined }[] = [];
  constructor(public failures: SmsSendError[] = []) {}
  async send(to: string, text: string, opts?: { reference?: string }) {
    const f = this.failures.shift();
    if (f) throw f;
    this.sent.push({ to, text, reference: opts?.reference });
    return { providerId: `p-${this.sent.length}` };
  }
}

describeEachEngine('sending SMS from the outbox', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let ctx: AppContext;
  const later = (ms: number) => clock.set(new Date(clock.current.getTime() + ms).toISOString());
  const queue = (text: string, to = '0912300001') => ctx.db.transaction((trx) => queueSms(trx, ctx.vault, { to, text, purpose: 'other' }));
  const row = (id: number) => ctx.db.kysely.selectFrom('notify_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const drain = async () => {
    await ctx.db.kysely.updateTable('notify_outbox').set({ status: 'sent' }).where('status', 'in', ['queued', 'failed_temporary', 'sending']).execute();
  };

  it('starts', () => {
    ctx = testContext(env.db, clock);
  });

  it('the development sink takes every message and the row says so', async () => {
    ctx.adapters.sms = new SmsSink();
    await drain();
    const id = await queue('Cầu Số: thử tin nhắn.', '+84912300002');
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 1, retrying: 0, failed: 0, deferred: 0 });
    const r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.provider, 'sink');
    assert.match(r.provider_id ?? '', /^sink-/);
    assert.equal(r.sent_at?.getTime(), clock.current.getTime());
    assert.equal(r.attempts, 1);
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 0, deferred: 0 }, 'a sent message is not sent again');
  });

  it('hands the gateway the unsealed number and its own reference', async () => {
    const gw = new ScriptedGateway();
    ctx.adapters.sms = gw;
    const id = await queue('Xin chào', '84912300003');
    await deliverPending(ctx, 10);
    assert.deepEqual(gw.sent, [{ to: '0912300003', text: 'Xin chào', reference: `outbox-${id}` }]);
  });

  it('retries a temporary failure later, with a growing wait, then sends', async () => {
    const gw = new ScriptedGateway([new SmsSendError('gateway timeout', false), new SmsSendError('gateway status 503', false)]);
    ctx.adapters.sms = gw;
    const id = await queue('Thử lại');
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 1, failed: 0, deferred: 0 });
    let r = await row(id);
    assert.equal(r.status, 'failed_temporary');
    assert.equal(r.last_error, 'gateway timeout');
    assert.equal(r.next_try_at.getTime(), clock.current.getTime() + smsBackoffMs(1));
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 0, deferred: 0 }, 'not before its time');
    later(smsBackoffMs(1));
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 1, failed: 0, deferred: 0 });
    r = await row(id);
    assert.equal(r.next_try_at.getTime(), clock.current.getTime() + smsBackoffMs(2));
    assert.ok(smsBackoffMs(2) > smsBackoffMs(1));
    later(smsBackoffMs(2));
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 1, retrying: 0, failed: 0, deferred: 0 });
    r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.attempts, 3);
    assert.equal(r.last_error, null);
  });

  it('gives up at once on a permanent failure', async () => {
    ctx.adapters.sms = new ScriptedGateway([new SmsSendError('gateway rejected the message (status 400)', true)]);
    const id = await queue('Số sai');
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 1, deferred: 0 });
    assert.equal((await row(id)).status, 'failed_permanent');
  });

  it(`gives up after ${MAX_SMS_ATTEMPTS} attempts`, async () => {
    ctx.adapters.sms = new ScriptedGateway(Array.from({ length: 10 }, () => new SmsSendError('down', false)));
    const id = await queue('Mãi không gửi được');
    for (let i = 1; i <= MAX_SMS_ATTEMPTS; i++) {
      await deliverPending(ctx, 10);
      later(smsBackoffMs(i));
    }
    const r = await row(id);
    assert.equal(r.status, 'failed_permanent');
    assert.equal(r.attempts, MAX_SMS_ATTEMPTS);
  });

  it('sends at most `limit` messages a round, oldest first', async () => {
    const gw = new ScriptedGateway();
    ctx.adapters.sms = gw;
    await drain();
    for (const t of ['một', 'hai', 'ba']) await queue(t);
    assert.equal((await deliverPending(ctx, 2)).sent, 2);
    assert.deepEqual(
      gw.sent.map((s) => s.text),
      ['một', 'hai'],
    );
    assert.equal((await deliverPending(ctx, 2)).sent, 1);
  });

  it('two senders at once never send the same message twice', async () => {
    const gw = new ScriptedGateway();
    ctx.adapters.sms = gw;
    await drain();
    for (let i = 0; i < 6; i++) await queue(`tin ${i}`);
    await Promise.all([deliverPending(ctx, 10), deliverPending(ctx, 10), deliverPending(ctx, 10)]);
    assert.equal(gw.sent.length, 6);
    assert.equal(new Set(gw.sent.map((s) => s.reference)).size, 6);
  });

  it('holds back a recipient over the hourly limit without counting an attempt, and sends later', async () => {
    const gw = new ScriptedGateway();
    ctx.adapters.sms = gw;
    await drain();
    later(2 * 3_600_000);
    const limit = ctx.config.SMS_PER_RECIPIENT_PER_HOUR;
    ctx.config.SMS_PER_RECIPIENT_PER_HOUR = 2;
    try {
      const ids = [];
      for (const t of ['a', 'b', 'c']) ids.push(await queue(t, '0912300077'));
      assert.deepEqual(await deliverPending(ctx, 10), { sent: 2, retrying: 0, failed: 0, deferred: 1 });
      const held = await row(ids[2] ?? 0);
      assert.equal(held.status, 'failed_temporary');
      assert.match(held.last_error ?? '', /hourly limit/);
      assert.equal(held.attempts, 0);
      assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 0, deferred: 0 }, 'not again before its time');
      later(61 * 60_000);
      assert.deepEqual(await deliverPending(ctx, 10), { sent: 1, retrying: 0, failed: 0, deferred: 0 });
    } finally {
      ctx.config.SMS_PER_RECIPIENT_PER_HOUR = limit;
    }
  });

  it('a message left in `sending` by a worker that died is sent again once its lease ends, flagged and logged', async () => {
    const gw = new ScriptedGateway();
    ctx.adapters.sms = gw;
    await drain();
    const id = await queue('Máy chủ dừng giữa chừng', '0912300088');
    // What a worker killed after handing the message over leaves behind.
    await ctx.db.kysely.updateTable('notify_outbox').set({ status: 'sending', attempts: 1, next_try_at: new Date(clock.current.getTime() + ctx.config.NOTIFY_LEASE_MS) }).where('id', '=', id).execute();
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 0, deferred: 0 }, 'left alone while the lease runs');
    later(ctx.config.NOTIFY_LEASE_MS);
    const warnings: unknown[] = [];
    const warn = ctx.log.warn.bind(ctx.log);
    ctx.log.warn = ((obj: unknown, msg?: string) => {
      warnings.push([obj, msg]);
      return warn(obj as object, msg);
    }) as typeof ctx.log.warn;
    try {
      assert.deepEqual(await deliverPending(ctx, 10), { sent: 1, retrying: 0, failed: 0, deferred: 0 });
    } finally {
      ctx.log.warn = warn;
    }
    const r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.duplicate_suspected, true);
    assert.equal(r.attempts, 2);
    assert.ok(warnings.some((w) => JSON.stringify(w).includes('sent twice')), 'the possible duplicate is logged');
  });

  it('sends e-mail through the e-mail gateway and SMS without marks when SMS_GSM7_ONLY is set', async () => {
    const gw = new ScriptedGateway();
    ctx.adapters.sms = gw;
    ctx.adapters.email = new EmailSink();
    await drain();
    const mailId = await ctx.db.transaction((trx) => queueMessage(trx, ctx.vault, { channel: 'email', to: 'To.Truong@Example.vn', subject: 'Nhắc việc', text: 'Ngày mai có 2 việc.', purpose: 'follow_up_reminder' }));
    ctx.config.SMS_GSM7_ONLY = 'true';
    try {
      await queue('Cầu Số: Hưng Phước, Bù Đốp', '0912300099');
      assert.deepEqual(await deliverPending(ctx, 10), { sent: 2, retrying: 0, failed: 0, deferred: 0 });
    } finally {
      ctx.config.SMS_GSM7_ONLY = 'false';
    }
    assert.equal(gw.sent.at(-1)?.text, 'Cau So: Hung Phuoc, Bu Dop');
    const mail = await row(mailId ?? 0);
    assert.equal(mail.status, 'sent');
    assert.equal(mail.provider, 'sink');
    assert.equal(mail.recipient_hash, ctx.vault.lookupHash('email', 'to.truong@example.vn'));
  });

  it('a dedupe key already used queues nothing', async () => {
    const q = () => ctx.db.transaction((trx) => queueMessage(trx, ctx.vault, { to: '0912300010', text: 'Nhắc một lần', purpose: 'follow_up_reminder', dedupeKey: 'reminder:sms:1:2026-11-26' }));
    assert.ok((await q()) !== null);
    assert.equal(await q(), null);
  });

  it('delivery receipts mark messages delivered or failed, and an unknown id changes nothing', async () => {
    const gw = new ScriptedGateway();
    ctx.adapters.sms = gw;
    await drain();
    const ok = await queue('Đến máy', '0912300011');
    const lost = await queue('Không đến', '0912300012');
    await deliverPending(ctx, 10);
    const [a, b] = [await row(ok), await row(lost)];
    assert.equal(await recordReceipt(ctx, { providerId: a.provider_id ?? '', state: 'delivered', detail: 'stat:DELIVRD err:000', at: clock.current }), 'recorded');
    assert.equal(await recordReceipt(ctx, { providerId: b.provider_id ?? '', state: 'failed_permanent', detail: 'stat:UNDELIV err:001', at: clock.current }), 'recorded');
    assert.equal((await row(ok)).status, 'delivered');
    assert.equal((await row(ok)).delivered_at?.getTime(), clock.current.getTime());
    assert.equal((await row(lost)).status, 'failed_permanent');
    assert.equal((await row(lost)).receipt_detail, 'stat:UNDELIV err:001');
  });
});
