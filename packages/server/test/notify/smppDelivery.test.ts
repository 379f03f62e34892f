/**
 * SMS delivery end to end, on both engines: outbox rows handed by the real worker
 * (`deliverPending`) to the real SMPP gateway (`SmsSmppGateway`), to a local SMSC on loopback
 * (`LocalSmsc`) that answers submit_sm and sends delivery receipts back on the same session,
 * which `listenToSmsGateway` records. Covers delivery and receipts, a throttled submit retried
 * after its back-off, a refused number, and an SMSC that is down for a while and comes back:
 * every message reaches the SMSC exactly once.
 */
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock, testContext } from '../support/fixtures.ts';
import type { AppContext } from '../../src/context.ts';
import { SmsSmppGateway } from '../../src/adapters/sms/smppGateway.ts';
import { SmppStatus } from '../../src/adapters/sms/smppModule.ts';
import { queueSms, type NotifyOutboxTable } from '../../src/modules/notify/outbox.ts';
import { deliverPending, smsBackoffMs } from '../../src/modules/notify/sender.ts';
import { listenToSmsGateway } from '../../src/modules/notify/service.ts';
import { LocalSmsc, type SmscAnswer } from '../../src/bench/notify.ts';
import type { Selectable } from 'kysely';

const SYSTEM_ID = 'causo';
const PASSWORD = 'secret12';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Row = Selectable<NotifyOutboxTable>;

describeEachEngine('SMS through SMPP, end to end', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let ctx: AppContext;
  let smsc: LocalSmsc;
  let gateway: SmsSmppGateway;
  let phone = 0;
  const later = (ms: number) => clock.set(new Date(clock.current.getTime() + ms).toISOString());
  /** Queues one SMS to a number of its own (the per-recipient hourly limit never holds one back). */
  const queue = (text: string) => ctx.db.transaction((trx) => queueSms(trx, ctx.vault, { to: `09124${String(++phone).padStart(5, '0')}`, text, purpose: 'other' }));
  const rows = async (ids: number[]): Promise<Row[]> => (await ctx.db.kysely.selectFrom('notify_outbox').selectAll().where('id', 'in', ids).orderBy('id').execute()) as Row[];
  const row = async (id: number): Promise<Row> => {
    const [r] = await rows([id]);
    assert.ok(r, `outbox row ${id}`);
    return r;
  };
  /** Waits until `check` holds for the rows (receipts come back on their own). */
  const waitForRows = async (ids: number[], check: (rs: Row[]) => boolean, ms = 10_000): Promise<Row[]> => {
    const until = Date.now() + ms;
    for (;;) {
      const rs = await rows(ids);
      if (check(rs)) return rs;
      if (Date.now() > until) assert.fail(`rows not as expected in time: ${JSON.stringify(rs.map((r) => ({ id: r.id, status: r.status, attempts: r.attempts })))}`);
      await sleep(20);
    }
  };
  /** Each text's count at the SMSC, for the given texts. */
  const reached = (texts: string[], at: LocalSmsc[] = [smsc]) => texts.map((t) => at.reduce((n, s) => n + (s.countsByText().get(t) ?? 0), 0));

  before(async () => {
    smsc = await LocalSmsc.start({ systemId: SYSTEM_ID, password: PASSWORD });
    ctx = testContext(env.db, clock);
    // PGlite's first queries hold the event loop for a while; warm it up before the SMPP session
    // is opened, so its bind timer does not fire before the bind answer is read.
    await rows([0]);
    gateway = new SmsSmppGateway({
      host: '127.0.0.1',
      port: smsc.port,
      systemId: SYSTEM_ID,
      password: PASSWORD,
      sourceAddr: 'CAUSO',
      // Short waits so a round against a down SMSC fails in a second.
      submitTimeoutMs: 1_000,
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      log: pino({ level: 'silent' }),
    });
    ctx.adapters.sms = gateway;
    listenToSmsGateway(ctx);
    // The session is bound before the tests start.
    smsc.answer = (): SmscAnswer => ({ status: SmppStatus.OK });
    for (let i = 0; ; i++) {
      const ok = await gateway.send('0912400000', 'warm up').then(() => true, () => false);
      if (ok) break;
      assert.ok(i < 10, 'the gateway never bound to the local SMSC');
    }
  });
  after(async () => {
    await gateway.close();
    await smsc.stop();
  });

  it('sends each queued message once; DELIVRD receipts mark rows delivered, an UNDELIV one failed_permanent', async () => {
    const texts = [1, 2, 3, 4, 5].map((i) => `Cau So: ho so ${i} da duoc tiep nhan (${env.engine})`);
    const undelivered = texts[4] ?? '';
    smsc.answer = (): SmscAnswer => ({ status: SmppStatus.OK });
    const ids: number[] = [];
    for (const t of texts) ids.push(await queue(t));
    const before = Date.now();

    assert.deepEqual(await deliverPending(ctx, 20), { sent: 5, retrying: 0, failed: 0, deferred: 0 });
    assert.deepEqual(reached(texts), [1, 1, 1, 1, 1], 'the SMSC got each message exactly once');
    const submits = smsc.submits.filter((s) => texts.includes(s.text));
    for (const s of submits) assert.match(s.to, /^849124\d{5}$/, 'to the MSISDN');
    assert.ok((await rows(ids)).every((r) => r.status === 'sent'));

    // The network reports on the same session, after the worker recorded the sends (a receipt
    // racing the worker's write is waited for only about a second: see receipts.ts).
    const answers = await Promise.all(submits.map((s) => smsc.sendReceipt(s, s.text === undelivered ? 'UNDELIV' : 'DELIVRD')));
    assert.deepEqual(answers, [0, 0, 0, 0, 0], 'every receipt was answered OK once recorded');

    const final = await waitForRows(ids, (rs) => rs.every((r) => r.status === 'delivered' || r.status === 'failed_permanent'));
    const byText = new Map(smsc.submits.map((s) => [s.text, s.messageId]));
    for (const r of final) {
      assert.equal(r.provider, gateway.name);
      assert.equal(r.provider_id, byText.get(r.body), 'the SMSC message id is kept for the receipt');
      assert.equal(r.sent_at?.getTime(), clock.current.getTime(), 'sent_at on the app clock');
      assert.equal(r.attempts, 1);
      assert.equal(r.duplicate_suspected, false);
      if (r.body === undelivered) {
        assert.equal(r.status, 'failed_permanent');
        assert.equal(r.receipt_detail, 'stat:UNDELIV err:001');
        assert.equal(r.last_error, 'network: stat:UNDELIV err:001');
        assert.equal(r.delivered_at, null);
      } else {
        assert.equal(r.status, 'delivered');
        assert.equal(r.receipt_detail, 'stat:DELIVRD err:000');
        // Receipts carry the time they arrived.
        assert.ok(r.delivered_at && r.delivered_at.getTime() >= before - 1_000 && r.delivered_at.getTime() <= Date.now() + 1_000, `delivered_at ${r.delivered_at?.toISOString()}`);
      }
    }
    assert.deepEqual(await deliverPending(ctx, 20), { sent: 0, retrying: 0, failed: 0, deferred: 0 }, 'nothing is sent again');
    assert.deepEqual(reached(texts), [1, 1, 1, 1, 1]);
  });

  it('a throttled submit (ESME_RTHROTTLED) goes failed_temporary, then is sent after its back-off', async () => {
    const text = `Cau So: thu lai sau (${env.engine})`;
    let first = true;
    smsc.answer = (s): SmscAnswer => {
      if (s.text === text && first) {
        first = false;
        return { status: SmppStatus.THROTTLED };
      }
      return { status: SmppStatus.OK };
    };
    const id = await queue(text);
    assert.deepEqual(await deliverPending(ctx, 20), { sent: 0, retrying: 1, failed: 0, deferred: 0 });
    let r = await row(id);
    assert.equal(r.status, 'failed_temporary');
    assert.equal(r.attempts, 1);
    assert.match(r.last_error ?? '', /ESME_RTHROTTLED \(0x58\)/);
    assert.equal(r.next_try_at.getTime(), clock.current.getTime() + smsBackoffMs(1));

    assert.deepEqual(await deliverPending(ctx, 20), { sent: 0, retrying: 0, failed: 0, deferred: 0 }, 'not before its back-off');
    assert.deepEqual(reached([text]), [1]);

    later(smsBackoffMs(1) + 1);
    assert.deepEqual(await deliverPending(ctx, 20), { sent: 1, retrying: 0, failed: 0, deferred: 0 });
    r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.attempts, 2);
    assert.equal(r.last_error, null);
    assert.equal(r.duplicate_suspected, false);
    const submits = smsc.submits.filter((s) => s.text === text);
    assert.deepEqual(
      submits.map((s) => s.status),
      [SmppStatus.THROTTLED, SmppStatus.OK],
      'refused once, accepted once',
    );
    assert.equal(r.provider_id, submits[1]?.messageId);
  });

  it('an invalid destination (ESME_RINVDSTADR) is failed_permanent at once and never retried', async () => {
    const text = `Cau So: so khong ton tai (${env.engine})`;
    smsc.answer = (s): SmscAnswer => ({ status: s.text === text ? SmppStatus.INVALID_DESTINATION : SmppStatus.OK });
    const id = await queue(text);
    assert.deepEqual(await deliverPending(ctx, 20), { sent: 0, retrying: 0, failed: 1, deferred: 0 });
    const r = await row(id);
    assert.equal(r.status, 'failed_permanent');
    assert.equal(r.attempts, 1);
    assert.match(r.last_error ?? '', /ESME_RINVDSTADR \(0x0b\)/);
    for (const wait of [smsBackoffMs(1), smsBackoffMs(6), 24 * 3_600_000]) {
      later(wait);
      assert.deepEqual(await deliverPending(ctx, 20), { sent: 0, retrying: 0, failed: 0, deferred: 0 });
    }
    assert.equal((await row(id)).status, 'failed_permanent');
    assert.deepEqual(reached([text]), [1], 'tried once only');
  });

  it('an SMSC down for a while: messages wait as failed_temporary and, once it is back, each reaches it exactly once', async () => {
    const old = smsc;
    await old.stop();
    const texts = Array.from({ length: 20 }, (_, i) => `Cau So: tin ${String(i + 1).padStart(2, '0')} khi tong dai mat (${env.engine})`);
    const ids: number[] = [];
    for (const t of texts) ids.push(await queue(t));

    // Two rounds while it is down: a send fails as temporary, either on the socket the gateway has
    // not yet seen close (connection lost) or after waiting submitTimeoutMs for a session (unreachable).
    // A submit written on the dying socket may have reached the SMSC: those rows, and only those, are flagged.
    const lostInFlight = new Set<number>();
    for (let round = 1; round <= 2; round++) {
      assert.deepEqual(await deliverPending(ctx, 50), { sent: 0, retrying: 20, failed: 0, deferred: 0 }, `round ${round} while down`);
      const rs = await rows(ids);
      for (const r of rs) if (/before the answer/.test(r.last_error ?? '')) lostInFlight.add(r.id);
      assert.ok(
        rs.every((r) => r.status === 'failed_temporary' && r.attempts === round && /^SMSC (unreachable|connection lost)/.test(r.last_error ?? '')),
        JSON.stringify(rs.map((r) => [r.status, r.attempts, r.last_error])),
      );
      later(smsBackoffMs(round));
    }
    assert.ok((await rows(ids)).every((r) => r.last_error === 'SMSC unreachable'), 'by the second round the gateway knows the SMSC is gone');

    // A new SMSC on the same port (numbering its ids from 1 again, as a restarted one may).
    smsc = await LocalSmsc.start({ systemId: SYSTEM_ID, password: PASSWORD, port: old.port });
    smsc.answer = (): SmscAnswer => ({ status: SmppStatus.OK });
    let rounds = 0;
    for (;;) {
      const rs = await rows(ids);
      if (rs.every((r) => r.status === 'sent')) break;
      assert.ok(++rounds <= 6, `not all sent after ${rounds - 1} rounds: ${JSON.stringify(rs.map((r) => [r.status, r.attempts, r.last_error]))}`);
      later(smsBackoffMs(3));
      await deliverPending(ctx, 50);
    }
    assert.deepEqual(reached(texts, [old, smsc]), Array.from({ length: 20 }, () => 1), 'every message reached the SMSC exactly once: nothing lost, nothing twice');
    assert.deepEqual(reached(texts, [old]), Array.from({ length: 20 }, () => 0), 'none reached the SMSC that was down');
    const byText = new Map(smsc.submits.map((s) => [s.text, s.messageId]));
    for (const r of await rows(ids)) {
      assert.equal(r.provider_id, byText.get(r.body));
      assert.equal(r.duplicate_suspected, lostInFlight.has(r.id), 'flagged exactly when a submit was lost in flight');
      assert.ok(r.attempts >= 3, 'two attempts while down, then the one that went');
    }
  });
});
