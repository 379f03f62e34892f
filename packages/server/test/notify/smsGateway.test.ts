import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { createSmsGateway } from '../../src/adapters/sms/factory.ts';
import { SmsHttpGateway } from '../../src/adapters/sms/httpGateway.ts';
import { SmsSendError } from '../../src/adapters/sms/port.ts';

describe('SMS gateway over HTTP', () => {
  let server: Server;
  let url = '';
  const received: Record<string, unknown>[] = [];
  let answer: (res: ServerResponse) => void = (res) => res.writeHead(500).end();
  const json = (status: number, body: unknown) => (res: ServerResponse) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const gateway = (timeoutMs = 3_000) => new SmsHttpGateway({ url, token: 'sms-token-123', timeoutMs });

  before(
    () =>
      new Promise<void>((resolve) => {
        server = createServer((req, res) => {
          let raw = '';
          req.on('data', (c: Buffer) => (raw += c.toString()));
          req.on('end', () => {
            received.push({ ...(JSON.parse(raw) as Record<string, unknown>), auth: req.headers.authorization });
            answer(res);
          });
        });
        server.listen(0, '127.0.0.1', () => {
          const a = server.address();
          url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/api/messages`;
          resolve();
        });
      }),
  );
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the message with the token, the encoding and our reference, and returns the provider id', async () => {
    answer = json(202, { id: 'vn-778' });
    assert.deepEqual(await gateway().send('0912000001', 'Cầu Số: mã 123456', { reference: 'outbox-9' }), { providerId: 'vn-778' });
    assert.deepEqual(received.at(-1), { to: '84912000001', text: 'Cầu Số: mã 123456', unicode: true, reference: 'outbox-9', auth: 'Bearer sms-token-123' });
    answer = json(200, { id: 42 });
    await gateway().send('0912000001', 'Cau So: ma 123456');
    assert.equal(received.at(-1)?.unicode, false, 'unaccented text goes as GSM-7');
  });

  it('marks a refused message permanent and a server error or timeout temporary', async () => {
    const failure = async () => {
      try {
        await gateway(300).send('0912000001', 'x');
      } catch (err) {
        assert.ok(err instanceof SmsSendError);
        return err.permanent;
      }
      return assert.fail('no error');
    };
    answer = json(400, { error: 'invalid number' });
    assert.equal(await failure(), true);
    answer = json(503, {});
    assert.equal(await failure(), false);
    answer = json(429, {});
    assert.equal(await failure(), false);
    answer = (res) => setTimeout(() => json(200, { id: 'late' })(res), 1_500);
    assert.equal(await failure(), false);
  });

  it('is chosen by configuration; the sink is the default', () => {
    assert.equal(createSmsGateway(loadConfig({})).name, 'sink');
    assert.throws(() => createSmsGateway(loadConfig({ SMS_GATEWAY: 'http' })), ConfigError);
    assert.equal(createSmsGateway(loadConfig({ SMS_GATEWAY: 'http', SMS_HTTP_URL: 'https://sms.example.vn/api', SMS_HTTP_TOKEN: 't'.repeat(12) })).name, 'http:sms.example.vn');
  });
});
