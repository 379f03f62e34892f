/**
 * The SMPP gateway against a real SMPP server on loopback (the `smpp` package's server playing
 * the SMSC): bind, encodings, long messages, receipts and inbound texts, error statuses,
 * reconnection, windowing and shutdown. Timeouts are short so the file runs in seconds.
 */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:net';
import pino from 'pino';
import { SmsSmppGateway, encodeSms, type SmsSmppOptions } from '../../src/adapters/sms/smppGateway.ts';
import { createSmppServer, SmppStatus, type SmppParams, type SmppPdu, type SmppSession } from '../../src/adapters/sms/smppModule.ts';
import { SmsSendError, type InboundSms, type SmsEvents, type SmsReceipt } from '../../src/adapters/sms/port.ts';

const SYSTEM_ID = 'causo';
const PASSWORD = 'secret12';

type SubmitAnswer = { status: number } | 'ignore';

/** A small SMSC: accepts one system id/password, records submits, answers as told. */
class FakeSmsc {
  readonly submits: SmppPdu[] = [];
  readonly requests: string[] = [];
  readonly bound: SmppSession[] = [];
  binds = 0;
  outstanding = 0;
  maxOutstanding = 0;
  /** Delay before answering a submit_sm, in ms (0: at once). */
  delayMs = 0;
  answer: (pdu: SmppPdu) => SubmitAnswer = () => ({ status: SmppStatus.OK });
  ignoreEnquireLink = false;
  #nextId = 1;
  readonly #sessions = new Set<SmppSession>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(port = 0): Promise<FakeSmsc> {
    return new Promise((resolve, reject) => {
      let smsc: FakeSmsc | undefined;
      const server = createSmppServer((session) => smsc?.accept(session));
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        smsc = new FakeSmsc(server, typeof address === 'object' && address ? address.port : 0);
        resolve(smsc);
      });
    });
  }

  accept(session: SmppSession): void {
    this.#sessions.add(session);
    session.on('error', () => {});
    session.on('close', () => {
      this.#sessions.delete(session);
      const i = this.bound.indexOf(session);
      if (i >= 0) this.bound.splice(i, 1);
    });
    session.on('request', (pdu) => this.#onRequest(session, pdu));
  }

  #onRequest(session: SmppSession, pdu: SmppPdu): void {
    this.requests.push(pdu.command);
    if (pdu.command === 'bind_transceiver') {
      this.binds += 1;
      const ok = pdu.string('system_id') === SYSTEM_ID && pdu.string('password') === PASSWORD;
      session.respond(pdu, ok ? SmppStatus.OK : SmppStatus.INVALID_PASSWORD, { system_id: 'TEST-SMSC' });
      if (ok) this.bound.push(session);
    } else if (pdu.command === 'submit_sm') this.#onSubmit(session, pdu);
    else if (pdu.command === 'enquire_link') {
      if (!this.ignoreEnquireLink) session.respond(pdu);
    } else if (pdu.command === 'unbind') {
      session.respond(pdu);
      session.end();
    }
  }

  #onSubmit(session: SmppSession, pdu: SmppPdu): void {
    this.submits.push(pdu);
    this.outstanding += 1;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const answer = this.answer(pdu);
    if (answer === 'ignore') return;
    const reply = () => {
      this.outstanding -= 1;
      session.respond(pdu, answer.status, { message_id: `msg-${this.#nextId++}` });
    };
    if (this.delayMs > 0) setTimeout(reply, this.delayMs);
    else reply();
  }

  /** Sends a request on the latest bound session and resolves with the gateway's answer. */
  request(command: 'deliver_sm' | 'enquire_link' | 'unbind', params: SmppParams = {}): Promise<SmppPdu> {
    const session = this.bound.at(-1);
    if (!session) return Promise.reject(new Error('no bound session'));
    return new Promise((resolve, reject) => {
      if (session.request(command, params, resolve) === null) reject(new Error('session not writable'));
    });
  }

  reset(): void {
    this.#nextId = 1;
    this.submits.length = 0;
    this.requests.length = 0;
    this.outstanding = 0;
    this.maxOutstanding = 0;
    this.delayMs = 0;
    this.answer = () => ({ status: SmppStatus.OK });
    this.ignoreEnquireLink = false;
  }

  /** Drops every connection and stops listening, like an SMSC going down. */
  stop(): Promise<void> {
    for (const session of this.#sessions) session.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(5);
  }
}

async function sendError(promise: Promise<unknown>): Promise<SmsSendError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SmsSendError, `expected SmsSendError, got ${String(err)}`);
    return err;
  }
  return assert.fail('the send succeeded');
}

/** Records events; `fail` makes the handlers reject, `gate` holds them until released. */
function recorder() {
  const receipts: SmsReceipt[] = [];
  const inbound: InboundSms[] = [];
  const state = { fail: false, gate: null as Promise<void> | null };
  const events: SmsEvents = {
    async receipt(r) {
      if (state.gate) await state.gate;
      if (state.fail) throw new Error('database down');
      receipts.push(r);
    },
    async inbound(m) {
      if (state.gate) await state.gate;
      if (state.fail) throw new Error('database down');
      inbound.push(m);
    },
  };
  return { receipts, inbound, state, events };
}

const receiptText = (id: string, stat: string, err: string) => `id:${id} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2511261200 done date:2511261201 stat:${stat} err:${err} text:Cau So: ma 1234`;

describe('SMPP gateway', () => {
  let smsc: FakeSmsc;
  const gateways: SmsSmppGateway[] = [];
  const gateway = (overrides: Partial<SmsSmppOptions> = {}) => {
    const gw = new SmsSmppGateway({
      host: '127.0.0.1',
      port: smsc.port,
      systemId: SYSTEM_ID,
      password: PASSWORD,
      sourceAddr: 'CAUSO',
      submitTimeoutMs: 1_000,
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      log: pino({ level: 'silent' }),
      ...overrides,
    });
    gateways.push(gw);
    return gw;
  };

  before(async () => {
    smsc = await FakeSmsc.start();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.close()));
    smsc.reset();
  });
  after(() => smsc.stop());

  it('is named after its SMSC and refuses a bind with a wrong password as a temporary failure', async () => {
    const gw = gateway({ password: 'wrong' });
    assert.equal(gw.name, `smpp:127.0.0.1:${smsc.port}`);
    const err = await sendError(gw.send('0912000001', 'Cau So'));
    assert.equal(err.permanent, false);
    assert.match(err.message, /bind.*ESME_RINVPASWD/);
    assert.equal(smsc.bound.length, 0);
    // It keeps trying to bind (with back-off) so a corrected password on the SMSC side is picked up.
    await waitFor(() => smsc.binds >= 3);
  });

  it('sends a GSM-7 text with data_coding 0 to the MSISDN, asking for a receipt', async () => {
    const gw = gateway();
    const text = 'Cau So: ma xac thuc 123456 [het han sau 5 phut] @UBND';
    assert.deepEqual(await gw.send('0912000001', text), { providerId: 'msg-1' });
    const pdu = smsc.submits[0];
    assert.ok(pdu);
    assert.equal(pdu.number('data_coding'), 0);
    assert.equal(pdu.message()?.text, text, 'extension characters travel as escape sequences');
    assert.equal(pdu.string('destination_addr'), '84912000001');
    assert.equal(pdu.number('dest_addr_ton'), 1);
    assert.equal(pdu.number('dest_addr_npi'), 1);
    assert.equal(pdu.string('source_addr'), 'CAUSO');
    assert.equal(pdu.number('source_addr_ton'), 5, 'a brandname is alphanumeric');
    assert.equal(pdu.number('registered_delivery'), 1);
    assert.equal(pdu.number('esm_class'), 0);
    await gw.send('+84 912 000 002', 'Cau So', { receipt: false });
    assert.equal(smsc.submits[1]?.number('registered_delivery'), 0);
    assert.equal(smsc.submits[1]?.string('destination_addr'), '84912000002');
  });

  it('sends Vietnamese text as UCS-2 (data_coding 8)', async () => {
    const gw = gateway({ sourceAddr: '8085' });
    const text = 'Cầu Số: hồ sơ của bạn đã được tiếp nhận';
    await gw.send('0987654321', text);
    const pdu = smsc.submits[0];
    assert.equal(pdu?.number('data_coding'), 8);
    assert.equal(pdu?.message()?.text, text);
    assert.equal(pdu?.string('destination_addr'), '84987654321');
    assert.equal(pdu?.string('source_addr'), '8085');
    assert.equal(pdu?.number('source_addr_npi'), 1, 'a short code is a number');
  });

  it('splits a long text into concatenated parts with a UDH and returns every part id', async () => {
    const gw = gateway();
    const text = Array.from({ length: 40 }, (_, i) => `Dong ${i}.`).join(' ') + ' '.repeat(20) + 'het.'; // > 306 septets
    assert.ok(text.length > 306 && text.length <= 459);
    const result = await gw.send('0912000001', text);
    assert.equal(smsc.submits.length, 3);
    assert.deepEqual(result, { providerId: 'msg-1', partIds: ['msg-1', 'msg-2', 'msg-3'] });
    const reference = smsc.submits[0]?.message()?.udh[0]?.[2];
    smsc.submits.forEach((pdu, i) => {
      assert.equal(pdu.number('esm_class'), 0x40, 'UDH indicator');
      assert.equal(pdu.number('data_coding'), 0);
      assert.deepEqual([...(pdu.message()?.udh[0] ?? [])], [0x00, 0x03, reference, 3, i + 1]);
    });
    assert.equal(smsc.submits.map((p) => p.message()?.text).join(''), text);

    smsc.reset();
    const vietnamese = 'Thông báo: '.repeat(10) + 'hết.'; // 114 UTF-16 units: 2 parts of at most 67
    const second = await gw.send('0912000001', vietnamese);
    assert.equal(second.partIds?.length, 2);
    assert.equal(smsc.submits.map((p) => p.message()?.text).join(''), vietnamese);
    assert.notEqual(smsc.submits[0]?.message()?.udh[0]?.[2], reference, 'each long message has its own reference');
  });

  it('never splits a surrogate pair or a GSM escape sequence across parts', () => {
    const emoji = encodeSms('ă'.repeat(66) + '😀' + 'ơ'.repeat(10), 7);
    assert.equal(emoji.dataCoding, 8);
    assert.equal(emoji.parts.length, 2);
    assert.equal(emoji.parts[0]?.length, 6 + 66 * 2, 'the pair does not fit in unit 67, so it opens part 2');
    assert.equal(emoji.parts[1]?.subarray(6, 10).swap16().toString('utf16le'), '😀');
    const escape = encodeSms('a'.repeat(152) + '€' + 'b'.repeat(20), 9);
    assert.equal(escape.dataCoding, 0);
    assert.equal(escape.parts[0]?.length, 6 + 152);
    assert.deepEqual([...(escape.parts[1]?.subarray(0, 8) ?? [])], [0x05, 0x00, 0x03, 9, 2, 2, 0x1b, 0x65]);
    assert.deepEqual(encodeSms('Cau So', 1).parts, [Buffer.from('Cau So', 'latin1')], 'a short text has no header');
    assert.throws(() => encodeSms('', 1), (err: unknown) => err instanceof SmsSendError && err.permanent);
  });

  it('reports DELIVRD and UNDELIV receipts to events.receipt with the message id, and ignores ENROUTE', async () => {
    const gw = gateway();
    const rec = recorder();
    gw.listen(rec.events);
    const { providerId: first } = await gw.send('0912000001', 'Cau So: ma 1234');
    const { providerId: second } = await gw.send('0912000002', 'Cau So: ma 5678');

    const delivered = await smsc.request('deliver_sm', { source_addr: '84912000001', destination_addr: 'CAUSO', esm_class: 0x04, data_coding: 0, short_message: receiptText(first, 'DELIVRD', '000') });
    assert.equal(delivered.command, 'deliver_sm_resp');
    assert.equal(delivered.status, 0);
    // The UNDELIV receipt also carries the TLVs, which win for the id.
    const failed = await smsc.request('deliver_sm', { esm_class: 0x04, data_coding: 0, short_message: receiptText('ignored', 'UNDELIV', '001'), receipted_message_id: second, message_state: 5 });
    assert.equal(failed.status, 0);
    const enroute = await smsc.request('deliver_sm', { esm_class: 0x04, data_coding: 0, short_message: receiptText(first, 'ENROUTE', '000') });
    assert.equal(enroute.status, 0, 'a not-final state is acknowledged');
    // TLVs only, no text.
    await smsc.request('deliver_sm', { esm_class: 0x04, receipted_message_id: 'msg-99', message_state: 2 });

    assert.deepEqual(
      rec.receipts.map(({ providerId, state, detail }) => ({ providerId, state, detail })),
      [
        { providerId: first, state: 'delivered', detail: 'stat:DELIVRD err:000' },
        { providerId: second, state: 'failed_permanent', detail: 'stat:UNDELIV err:001' },
        { providerId: 'msg-99', state: 'delivered', detail: 'stat:DELIVRD' },
      ],
    );
    assert.ok(rec.receipts.every((r) => r.at instanceof Date));
    assert.equal(rec.inbound.length, 0);
  });

  it("passes a resident's text to events.inbound, GSM and UCS-2", async () => {
    const gw = gateway();
    const rec = recorder();
    gw.listen(rec.events);
    await waitFor(() => smsc.bound.length === 1);
    const resp = await smsc.request('deliver_sm', { source_addr: '84912000001', destination_addr: '8085', esm_class: 0, data_coding: 0, short_message: 'HS 000.00.25.H10-261125-0001' });
    assert.equal(resp.status, 0);
    await smsc.request('deliver_sm', { source_addr: '0987654321', destination_addr: '8085', data_coding: 8, short_message: 'Tra cứu hồ sơ' });
    assert.deepEqual(
      rec.inbound.map(({ from, to, text }) => ({ from, to, text })),
      [
        { from: '84912000001', to: '8085', text: 'HS 000.00.25.H10-261125-0001' },
        { from: '0987654321', to: '8085', text: 'Tra cứu hồ sơ' },
      ],
    );
    assert.ok(rec.inbound[0]?.receivedAt instanceof Date);
  });

  it('answers deliver_sm only once the handler settled, and with a system error when it failed', async () => {
    const gw = gateway();
    const rec = recorder();
    gw.listen(rec.events);
    await waitFor(() => smsc.bound.length === 1);
    let release = () => {};
    rec.state.gate = new Promise<void>((r) => (release = r));
    let answered = false;
    const pending = smsc.request('deliver_sm', { source_addr: '84912000001', destination_addr: '8085', short_message: 'HS 1' }).then((r) => {
      answered = true;
      return r;
    });
    await sleep(100);
    assert.equal(answered, false, 'no deliver_sm_resp while the handler runs');
    release();
    assert.equal((await pending).status, 0);
    assert.equal(rec.inbound.length, 1);

    rec.state.gate = null;
    rec.state.fail = true;
    const failedInbound = await smsc.request('deliver_sm', { source_addr: '84912000001', destination_addr: '8085', short_message: 'HS 2' });
    assert.equal(failedInbound.status, SmppStatus.SYSTEM_ERROR);
    const failedReceipt = await smsc.request('deliver_sm', { esm_class: 0x04, short_message: receiptText('msg-1', 'DELIVRD', '000') });
    assert.equal(failedReceipt.status, SmppStatus.SYSTEM_ERROR);
  });

  it('answers deliver_sm that arrives before listen() with an error, so the SMSC keeps it', async () => {
    const gw = gateway();
    await gw.send('0912000001', 'Cau So');
    const resp = await smsc.request('deliver_sm', { esm_class: 0x04, short_message: receiptText('msg-1', 'DELIVRD', '000') });
    assert.equal(resp.status, SmppStatus.SYSTEM_ERROR);
  });

  it('maps throttling and unknown statuses to temporary errors and a bad number to a permanent one', async () => {
    const gw = gateway();
    const cases: [number, boolean, RegExp][] = [
      [SmppStatus.THROTTLED, false, /ESME_RTHROTTLED \(0x58\)/],
      [SmppStatus.QUEUE_FULL, false, /ESME_RMSGQFUL/],
      [SmppStatus.SYSTEM_ERROR, false, /ESME_RSYSERR/],
      [0x4f1, false, /0x4f1/],
      [SmppStatus.INVALID_DESTINATION, true, /ESME_RINVDSTADR/],
      [SmppStatus.INVALID_SOURCE, true, /ESME_RINVSRCADR/],
      [SmppStatus.INVALID_MESSAGE_LENGTH, true, /ESME_RINVMSGLEN/],
      [SmppStatus.INVALID_DATA_CODING, true, /ESME_RINVDCS/],
    ];
    for (const [status, permanent, message] of cases) {
      smsc.answer = () => ({ status });
      const err = await sendError(gw.send('0912000001', 'Cau So'));
      assert.equal(err.permanent, permanent, `status 0x${status.toString(16)}`);
      assert.match(err.message, message);
    }
    await assert.rejects(gw.send('12', 'Cau So'), (err: unknown) => err instanceof SmsSendError && err.permanent);
  });

  it('fails a submit the SMSC never answers after submitTimeoutMs, as temporary', async () => {
    const gw = gateway({ submitTimeoutMs: 250 });
    await gw.send('0912000001', 'warm up');
    smsc.answer = () => 'ignore';
    const started = Date.now();
    const err = await sendError(gw.send('0912000001', 'Cau So'));
    assert.equal(err.permanent, false);
    assert.match(err.message, /did not answer/);
    assert.ok(Date.now() - started >= 240, 'waited for the timeout');
  });

  it('sends enquire_link, answers the SMSC enquire_link and unbind, and re-binds after an unbind', async () => {
    const gw = gateway({ enquireLinkMs: 40 });
    await gw.send('0912000001', 'Cau So');
    await waitFor(() => smsc.requests.includes('enquire_link'));
    assert.equal((await smsc.request('enquire_link')).command, 'enquire_link_resp');
    const binds = smsc.binds;
    assert.equal((await smsc.request('unbind')).command, 'unbind_resp');
    await waitFor(() => smsc.binds > binds && smsc.bound.length === 1);
    assert.deepEqual(await gw.send('0912000001', 'Cau So'), { providerId: 'msg-2' });
  });

  it('drops a link whose enquire_link goes unanswered and binds again', async () => {
    const gw = gateway({ enquireLinkMs: 40 });
    await gw.send('0912000001', 'Cau So');
    const binds = smsc.binds;
    smsc.ignoreEnquireLink = true;
    await waitFor(() => smsc.binds > binds);
  });

  it('keeps at most windowSize submits outstanding, without serialising them', async () => {
    const gw = gateway({ windowSize: 10 });
    smsc.delayMs = 5;
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => gw.send(`09120${String(i).padStart(5, '0')}`, `Cau So ${i}`)));
    assert.equal(results.length, 100);
    assert.equal(new Set(results.map((r) => r.providerId)).size, 100);
    assert.equal(smsc.submits.length, 100);
    assert.equal(smsc.maxOutstanding, 10);
  });

  it('sends well over 200 messages per second on loopback', async () => {
    const gw = gateway();
    await gw.send('0912000001', 'warm up');
    const started = Date.now();
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => gw.send('0912000001', `Cau So: ma ${i}`)));
    const perSecond = 1_000 / ((Date.now() - started) / 1_000);
    assert.ok(perSecond > 200, `${Math.round(perSecond)} SMS/s`);
  });

  it('unbinds on close(), waits for outstanding answers and rejects what is still queued', async () => {
    const gw = gateway({ windowSize: 1 });
    await gw.send('0912000001', 'warm up');
    smsc.delayMs = 50;
    const sends = [1, 2, 3].map((i) => gw.send('0912000001', `Cau So ${i}`).then(() => 'sent', (err: SmsSendError) => err.message));
    await waitFor(() => smsc.outstanding === 1);
    await gw.close();
    assert.deepEqual(await Promise.all(sends), ['sent', 'SMPP gateway is closed', 'SMPP gateway is closed']);
    assert.ok(smsc.requests.includes('unbind'));
    await waitFor(() => smsc.bound.length === 0);
    const err = await sendError(gw.send('0912000001', 'Cau So'));
    assert.equal(err.permanent, false);
  });
});

describe('SMPP gateway when the SMSC goes away', () => {
  const opts = (port: number): SmsSmppOptions => ({ host: '127.0.0.1', port, systemId: SYSTEM_ID, password: PASSWORD, sourceAddr: 'CAUSO', reconnectMinMs: 20, reconnectMaxMs: 100 });

  it('holds a send while the SMSC is down and sends it once it is back', async () => {
    let smsc = await FakeSmsc.start();
    const gw = new SmsSmppGateway({ ...opts(smsc.port), submitTimeoutMs: 3_000 });
    try {
      assert.deepEqual(await gw.send('0912000001', 'before'), { providerId: 'msg-1' });
      await smsc.stop();
      // A send in the instant before the gateway sees the socket close would fail as
      // 'connection lost' (a temporary error); this test is about the send after that.
      await sleep(100);
      let settled = false;
      const pending = gw.send('0912000001', 'while down').finally(() => (settled = true));
      await sleep(300);
      assert.equal(settled, false, 'the send waits for the SMSC');
      smsc = await FakeSmsc.start(smsc.port);
      assert.deepEqual(await pending, { providerId: 'msg-1' }, 'the new SMSC numbers from 1');
      assert.equal(smsc.submits[0]?.message()?.text, 'while down');
    } finally {
      await gw.close();
      await smsc.stop();
    }
  });

  it('fails sends while the SMSC stays down (SMSC unreachable) and fails outstanding submits when the link drops', async () => {
    const smsc = await FakeSmsc.start();
    const gw = new SmsSmppGateway({ ...opts(smsc.port), submitTimeoutMs: 400 });
    try {
      await gw.send('0912000001', 'before');
      smsc.answer = () => 'ignore';
      const outstanding = gw.send('0912000001', 'no answer');
      await waitFor(() => smsc.submits.length === 2);
      const started = Date.now();
      await smsc.stop();
      const lost = await sendError(outstanding);
      assert.equal(lost.permanent, false);
      assert.match(lost.message, /connection lost/);
      assert.ok(Date.now() - started < 300, 'rejected when the link dropped, not at the timeout');
      const unreachable = await sendError(gw.send('0912000001', 'while down'));
      assert.equal(unreachable.permanent, false);
      assert.equal(unreachable.message, 'SMSC unreachable');
    } finally {
      await gw.close();
    }
  });
});
