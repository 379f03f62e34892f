import { it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describeEachEngine } from '../support/engines.ts';
import { TestClock } from '../support/fixtures.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import type { SmsGateway } from '../../src/adapters/sms/port.ts';
import { queueSms } from '../../src/modules/notify/outbox.ts';
import { deliverPending } from '../../src/modules/notify/sender.ts';
import { INBOUND_PATH, RECEIPTS_PATH, signCallback } from '../../src/modules/notify/callbackRoutes.ts';
import { act, fileOnline, officerOf } from '../track/helpers.ts';

const SECRET = 'callback-secret-for-tests-0123456789';

/** A gateway that answers each send with the provider id it is given. */
class KnownIdGateway implements SmsGateway {
  readonly name = 'http';
  ids: string[] = [];
  async send() {
    const providerId = this.ids.shift();
    if (!providerId) throw new Error('no provider id scripted');
    return { providerId };
  }
}

describeEachEngine('the SMS provider’s signed callbacks', (env) => {
  const clock = new TestClock(new Date('2026-11-25T09:00:00+07:00'));
  let web: WebServer;
  const gateway = new KnownIdGateway();

  const nowS = () => Math.floor(clock.current.getTime() / 1000);
  /** Posts a JSON body signed as the provider does (or as told). */
  const post = (path: string, body: unknown, opts: { ts?: number; secret?: string; signature?: string; raw?: string } = {}) => {
    const raw = opts.raw ?? JSON.stringify(body);
    const ts = opts.ts ?? nowS();
    return web.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', 'x-causo-timestamp': String(ts), 'x-causo-signature': opts.signature ?? signCallback(opts.secret ?? SECRET, ts, raw) },
      payload: raw,
    });
  };
  /** Queues one SMS and sends it through the gateway, which answers `providerId`. */
  const sentMessage = async (providerId: string, to = '0912400001') => {
    const id = await web.ctx.db.transaction((trx) => queueSms(trx, web.ctx.vault, { to, text: 'Cầu Số: thử', purpose: 'other' }));
    gateway.ids.push(providerId);
    assert.equal((await deliverPending(web.ctx, 50)).sent, 1);
    return id;
  };
  const row = (id: number) => web.ctx.db.kysely.selectFrom('notify_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const assertProblem = (res: Awaited<ReturnType<typeof post>>, status: number, code: string) => {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const doc = res.json<{ status: number; code: string }>();
    assert.equal(doc.status, status);
    assert.equal(doc.code, code);
  };

  it('starts', async () => {
    web = await startWebServer(env.db, clock, (ctx) => {
      ctx.config.SMS_HTTP_CALLBACK_SECRET = SECRET;
      ctx.adapters.sms = gateway;
    });
  });

  it('a correctly signed receipt marks the message delivered', async () => {
    const id = await sentMessage('prov-0001');
    assert.equal((await row(id)).status, 'sent');
    const res = await post(RECEIPTS_PATH, { receipts: [{ id: 'prov-0001', status: 'delivered', at: '2026-11-25T09:00:05+07:00' }] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { recorded: 1, unknown: 0 });
    const r = await row(id);
    assert.equal(r.status, 'delivered');
    assert.equal(r.delivered_at?.toISOString(), new Date('2026-11-25T09:00:05+07:00').toISOString());
    assert.equal(r.receipt_detail, 'delivered');
  });

  it('a failed receipt marks the message failed; one for an unknown id changes nothing', async () => {
    const id = await sentMessage('prov-0002', '0912400002');
    // One unknown id: the batch waits for its look-ups again (2 × 200 ms), measured as the base.
    let started = Date.now();
    assert.deepEqual((await post(RECEIPTS_PATH, { receipts: [{ id: 'prov-nobody-0', status: 'delivered' }] })).json(), { recorded: 0, unknown: 1 });
    const oneUnknownMs = Date.now() - started;
    started = Date.now();
    const res = await post(RECEIPTS_PATH, {
      receipts: [
        { id: 'prov-nobody-1', status: 'delivered' },
        { id: 'prov-0002', status: 'undelivered', error: 'err:001' },
        { id: 'prov-nobody-2', status: 'delivered' },
        { id: 'prov-nobody-3', status: 'delivered' },
        { id: 'prov-nobody-4', status: 'expired' },
        { id: 'prov-nobody-5', status: 'delivered' },
      ],
    });
    const fiveUnknownMs = Date.now() - started;
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { recorded: 1, unknown: 5 });
    // Unknown ids (the later parts of long messages) are looked for again together: five cost
    // about what one does, where waiting for each in turn would add 4 × 400 ms.
    assert.ok(fiveUnknownMs < oneUnknownMs + 1200, `one unknown id took ${oneUnknownMs} ms, five took ${fiveUnknownMs} ms`);
    const r = await row(id);
    assert.equal(r.status, 'failed_permanent');
    assert.equal(r.last_error, 'network: undelivered err:001');
  });

  it('refuses a wrong signature with 401 and changes nothing', async () => {
    const id = await sentMessage('prov-0003', '0912400003');
    const body = { receipts: [{ id: 'prov-0003', status: 'delivered' }] };
    assertProblem(await post(RECEIPTS_PATH, body, { secret: 'another-secret-of-some-length' }), 401, 'notify.bad_signature');
    assertProblem(await post(RECEIPTS_PATH, body, { signature: 'sha256=00' }), 401, 'notify.bad_signature');
    // Signed for another body: the bytes sent are what counts.
    const ts = nowS();
    const tampered = await post(RECEIPTS_PATH, body, { ts, signature: signCallback(SECRET, ts, JSON.stringify({ receipts: [{ id: 'prov-0003', status: 'rejected' }] })) });
    assertProblem(tampered, 401, 'notify.bad_signature');
    assert.equal((await row(id)).status, 'sent');
  });

  it('refuses a signature 10 minutes old (a replay) or from the future', async () => {
    const id = await sentMessage('prov-0004', '0912400004');
    const body = { receipts: [{ id: 'prov-0004', status: 'delivered' }] };
    assertProblem(await post(RECEIPTS_PATH, body, { ts: nowS() - 600 }), 401, 'notify.bad_signature');
    assertProblem(await post(RECEIPTS_PATH, body, { ts: nowS() + 600 }), 401, 'notify.bad_signature');
    assert.equal((await row(id)).status, 'sent');
    // Four minutes of clock difference is fine.
    assert.equal((await post(RECEIPTS_PATH, body, { ts: nowS() - 240 })).statusCode, 200);
    assert.equal((await row(id)).status, 'delivered');
  });

  it('refuses a request without the signature headers before reading it (400, as the route table expects)', async () => {
    const res = await web.app.inject({ method: 'POST', url: INBOUND_PATH, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ from: '84912400005', to: '8079', text: 'HS' }) });
    assertProblem(res, 400, 'request.invalid');
    assert.equal((await web.ctx.db.kysely.selectFrom('sms_inbound').select('id').execute()).length, 0);
  });

  it('never fails with 5xx on a signature with non-ASCII bytes', async () => {
    const ts = nowS();
    const raw = JSON.stringify({ receipts: [{ id: 'x', status: 'delivered' }] });
    const good = signCallback(SECRET, ts, raw);
    // As long as the right one in characters, longer in bytes.
    const odd = `${good.slice(0, -1)}é`;
    const { port } = web.app.server.address() as { port: number };
    // Written as raw bytes: é as the single byte 0xE9, which the server reads (latin1) as one character.
    const head = `POST ${RECEIPTS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(raw)}\r\nX-Causo-Timestamp: ${ts}\r\nX-Causo-Signature: ${odd}\r\nConnection: close\r\n\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(raw)])));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
    assert.equal(status, 401);
  });

  it('a signed inbound text is answered and the reply queued', async () => {
    const officer = await officerOf(web.ctx);
    const filed = await fileOnline(web.ctx, { phone: '0912400006' });
    await act(web.ctx, officer, filed.code, 'receive');
    const res = await post(INBOUND_PATH, { from: '84912400006', to: '8079', text: `HS ${filed.code}`, receivedAt: '2026-11-25T09:00:00+07:00' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { outcome: 'answered' });
    const inbound = await web.ctx.db.kysely.selectFrom('sms_inbound').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(inbound.sender_hash, web.ctx.vault.lookupHash('phone', '0912400006'));
    assert.ok(inbound.reply_id !== null);
    const reply = await row(Number(inbound.reply_id));
    assert.equal(reply.purpose, 'lookup_reply');
    assert.equal(reply.recipient_hash, web.ctx.vault.lookupHash('phone', '0912400006'));
    assert.ok(reply.body.includes(filed.code));
    assert.ok(reply.body.includes('26/11/2026'));
  });

  it('answers 400 with a problem document for a body that is not JSON, or not the right shape', async () => {
    assertProblem(await post(RECEIPTS_PATH, null, { raw: '{"receipts": [' }), 400, 'request.invalid');
    assertProblem(await post(INBOUND_PATH, null, { raw: 'HS 123' }), 400, 'request.invalid');
    assertProblem(await post(RECEIPTS_PATH, { receipts: [{ id: 'p', status: 'lost in space' }] }), 400, 'request.invalid');
    assertProblem(await post(INBOUND_PATH, { from: 'not a number', to: '8079', text: 'HS' }), 400, 'request.invalid');
    assertProblem(await post(RECEIPTS_PATH, { receipts: [] }), 400, 'request.invalid');
  });

  it('without a configured secret the routes do not exist', async () => {
    const saved = web.ctx.config.SMS_HTTP_CALLBACK_SECRET;
    delete web.ctx.config.SMS_HTTP_CALLBACK_SECRET;
    try {
      const before = await web.ctx.db.kysely.selectFrom('sms_inbound').select('id').execute();
      assertProblem(await post(INBOUND_PATH, { from: '84912400007', to: '8079', text: 'HS' }), 404, 'request.not_found');
      assertProblem(await post(RECEIPTS_PATH, { receipts: [{ id: 'prov-0001', status: 'delivered' }] }), 404, 'request.not_found');
      assert.equal((await web.ctx.db.kysely.selectFrom('sms_inbound').select('id').execute()).length, before.length);
    } finally {
      web.ctx.config.SMS_HTTP_CALLBACK_SECRET = saved;
    }
  });

  it('stops', async () => {
    await web.close();
  });
});
