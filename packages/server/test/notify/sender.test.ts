import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';
import type { AppContext } from '../../src/context.ts';
import { queueSms } from '../../src/modules/notify/outbox.ts';
import { deliverPending, MAX_SMS_ATTEMPTS, smsBackoffMs } from '../../src/modules/notify/sender.ts';
import { SmsSendError, type SmsGateway } from '../../src/adapters/sms/port.ts';
import { SmsSink } from '../../src/adapters/sms/sink.ts';

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
  const row = (id: number) => ctx.db.kysely.selectFrom('sms_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const drain = async () => {
    await ctx.db.kysely.updateTable('sms_outbox').set({ status: 'sent' }).where('status', '=', 'pending').execute();
  };

  it('starts', () => {
    ctx = testContext(env.db, clock);
  });

  it('the development sink takes every message and the row says so', async () => {
    ctx.adapters.sms = new SmsSink();
    await drain();
    const id = await queue('Cầu Số: thử tin nhắn.', '+84912300002');
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 1, retrying: 0, failed: 0 });
    const r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.provider, 'sink');
    assert.match(r.provider_id ?? '', /^sink-/);
    assert.equal(r.sent_at?.getTime(), clock.current.getTime());
    assert.equal(r.attempts, 1);
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 0 }, 'a sent message is not sent again');
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
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 1, failed: 0 });
    let r = await row(id);
    assert.equal(r.status, 'pending');
    assert.equal(r.last_error, 'gateway timeout');
    assert.equal(r.next_try_at.getTime(), clock.current.getTime() + smsBackoffMs(1));
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 0 }, 'not before its time');
    later(smsBackoffMs(1));
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 1, failed: 0 });
    r = await row(id);
    assert.equal(r.next_try_at.getTime(), clock.current.getTime() + smsBackoffMs(2));
    assert.ok(smsBackoffMs(2) > smsBackoffMs(1));
    later(smsBackoffMs(2));
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 1, retrying: 0, failed: 0 });
    r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.attempts, 3);
    assert.equal(r.last_error, null);
  });

  it('gives up at once on a permanent failure', async () => {
    ctx.adapters.sms = new ScriptedGateway([new SmsSendError('gateway rejected the message (status 400)', true)]);
    const id = await queue('Số sai');
    assert.deepEqual(await deliverPending(ctx, 10), { sent: 0, retrying: 0, failed: 1 });
    assert.equal((await row(id)).status, 'failed');
  });

  it(`gives up after ${MAX_SMS_ATTEMPTS} attempts`, async () => {
    ctx.adapters.sms = new ScriptedGateway(Array.from({ length: 10 }, () => new SmsSendError('down', false)));
    const id = await queue('Mãi không gửi được');
    for (let i = 1; i <= MAX_SMS_ATTEMPTS; i++) {
      await deliverPending(ctx, 10);
      later(smsBackoffMs(i));
    }
    const r = await row(id);
    assert.equal(r.status, 'failed');
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
});
