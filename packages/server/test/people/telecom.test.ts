import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { createTelecomRegister } from '../../src/adapters/telecom/factory.ts';
import { TelecomHttpClient } from '../../src/adapters/telecom/httpClient.ts';
import { DEMO_SUBSCRIBER_FILE, TelecomSimulator, loadSubscriberFile, parseLatency, parseSubscribers } from '../../src/adapters/telecom/simulator.ts';

const demo = loadSubscriberFile(DEMO_SUBSCRIBER_FILE);
const tuan = { phone: '0912000001', idNumber: '070090001234', fullName: 'Nông Văn Tuấn', birthDate: '1990-04-12' };

describe('telecom register simulator', () => {
  const sim = new TelecomSimulator({ subscribers: demo });

  it('matches a SIM registered in the person’s own name, however the name and number are typed', async () => {
    assert.deepEqual(await sim.checkOwnership(tuan), { result: 'matched', register: 'simulator' });
    assert.deepEqual(await sim.checkOwnership({ ...tuan, phone: '+84912000001', fullName: 'nong van  tuan' }), { result: 'matched', register: 'simulator' });
  });

  it('says "mismatched" when the number is registered to someone else, or the details differ', async () => {
    assert.deepEqual(await sim.checkOwnership({ ...tuan, phone: '0977000010' }), { result: 'mismatched', register: 'simulator' });
    assert.deepEqual(await sim.checkOwnership({ ...tuan, birthDate: '1990-04-13' }), { result: 'mismatched', register: 'simulator' });
  });

  it('does not know numbers outside its file', async () => {
    assert.deepEqual(await sim.checkOwnership({ ...tuan, phone: '0399999999' }), { result: 'unknown_number', register: 'simulator' });
  });

  it('never answers in time for numbers marked timeout', async () => {
    assert.deepEqual(await sim.checkOwnership({ ...tuan, phone: '0966000099' }), { result: 'unavailable', register: 'simulator', reason: 'timeout' });
  });

  it('times out now and then at the configured rate, the same way for the same seed', async () => {
    const run = async () => {
      const s = new TelecomSimulator({ subscribers: demo, timeoutRate: 0.2, seed: 7 });
      const out: string[] = [];
      for (let i = 0; i < 200; i++) out.push((await s.checkOwnership(tuan)).result);
      return out;
    };
    const a = await run();
    const timeouts = a.filter((r) => r === 'unavailable').length;
    assert.ok(timeouts > 20 && timeouts < 60, `${timeouts} timeouts in 200`);
    assert.deepEqual(await run(), a);
  });

  it('takes a realistic while to answer when asked to', async () => {
    const s = new TelecomSimulator({ subscribers: demo, latencyMs: [30, 40] });
    const started = performance.now();
    await s.checkOwnership(tuan);
    assert.ok(performance.now() - started >= 29);
    assert.deepEqual(parseLatency('300-1500'), [300, 1500]);
    assert.deepEqual(parseLatency('0'), [0, 0]);
  });

  it('ships a demo file with matches, mismatches and timeouts, and refuses a broken file with its line', () => {
    assert.ok(demo.length >= 8);
    assert.ok(demo.some((s) => s.status === 'timeout'));
    assert.throws(() => parseSubscribers('phone,id_number,full_name,birth_date,carrier,status\n0912,1,A,1990-01-01,V,active\n', 'x.csv'), /x\.csv line 2/);
  });

  it('is what the default configuration gives, with the latency and timeout rate of the demo', async () => {
    const reg = createTelecomRegister(loadConfig({ TELECOM_SIM_LATENCY_MS: '0', TELECOM_SIM_TIMEOUT_RATE: '0' }));
    assert.equal(reg.name, 'simulator');
    assert.equal((await reg.checkOwnership(tuan)).result, 'matched');
  });

  it('refuses an HTTP register without its URL and key', () => {
    assert.throws(() => createTelecomRegister(loadConfig({ TELECOM_REGISTER: 'http' })), ConfigError);
    assert.throws(() => createTelecomRegister(loadConfig({ TELECOM_REGISTER: 'http', TELECOM_URL: 'http://x.example', TELECOM_API_KEY: 'k'.repeat(16), NODE_ENV: 'production', DATA_KEY: 'd'.repeat(40), PAYMENT_GATEWAY: 'sandbox' })), /https/);
    assert.equal(createTelecomRegister(loadConfig({ TELECOM_REGISTER: 'http', TELECOM_URL: 'https://register.example.vn/v1', TELECOM_API_KEY: 'k'.repeat(16) })).name, 'http:register.example.vn');
  });
});

/** A provider on a loopback port that answers as the test says. */
function fakeProvider(handler: (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void): { url: () => string; requests: Record<string, unknown>[]; start: () => Promise<void>; stop: () => Promise<void> } {
  const requests: Record<string, unknown>[] = [];
  let server: Server;
  let port = 0;
  return {
    requests,
    url: () => `http://127.0.0.1:${port}/v1`,
    start: () =>
      new Promise((resolve) => {
        server = createServer((req, res) => {
          let raw = '';
          req.on('data', (c: Buffer) => (raw += c.toString()));
          req.on('end', () => {
            const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
            requests.push({ ...body, path: req.url, auth: req.headers.authorization });
            handler(body, req, res);
          });
        });
        server.listen(0, '127.0.0.1', () => {
          const a = server.address();
          port = typeof a === 'object' && a ? a.port : 0;
          resolve();
        });
      }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('telecom register over HTTP', () => {
  let script: ((res: ServerResponse, body: Record<string, unknown>) => void)[] = [];
  const provider = fakeProvider((body, _req, res) => {
    const next = script.shift();
    if (next) next(res, body);
    else res.writeHead(500).end();
  });
  const json = (status: number, body: unknown) => (res: ServerResponse) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const client = (timeoutMs = 3_000) => new TelecomHttpClient({ url: provider.url(), apiKey: 'secret-key-123', timeoutMs, retryDelayMs: 0 });

  before(() => provider.start());
  after(() => provider.stop());

  it('sends the number in international form with the API key, and reads match / mismatch / not found', async () => {
    script = [json(200, { result: 'match' }), json(200, { result: 'mismatch' }), json(200, { result: 'not_found' })];
    assert.equal((await client().checkOwnership(tuan)).result, 'matched');
    assert.equal((await client().checkOwnership(tuan)).result, 'mismatched');
    assert.equal((await client().checkOwnership(tuan)).result, 'unknown_number');
    const sent = provider.requests.at(-1);
    assert.deepEqual(sent, { msisdn: '84912000001', idNumber: '070090001234', fullName: 'Nông Văn Tuấn', birthDate: '1990-04-12', path: '/v1/subscriber-checks', auth: 'Bearer secret-key-123' });
  });

  it('names the register it asked, so a real answer is told apart from a simulated one', async () => {
    script = [json(200, { result: 'match' })];
    assert.match((await client().checkOwnership(tuan)).register, /^http:127\.0\.0\.1:\d+$/);
  });

  it('retries a server error and then answers', async () => {
    const before = provider.requests.length;
    script = [json(503, {}), json(200, { result: 'match' })];
    assert.equal((await client().checkOwnership(tuan)).result, 'matched');
    assert.equal(provider.requests.length - before, 2);
  });

  it('reports unavailable, never a guess, when the provider keeps failing, refuses the key, or says nonsense', async () => {
    script = [json(500, {}), json(502, {}), json(503, {})];
    assert.deepEqual(await client().checkOwnership(tuan), { result: 'unavailable', register: client().name, reason: 'status 503' });
    script = [json(401, {})];
    assert.equal((await client().checkOwnership(tuan)).result, 'unavailable');
    script = [json(200, { result: 'maybe' })];
    assert.deepEqual(await client().checkOwnership(tuan), { result: 'unavailable', register: client().name, reason: 'unreadable answer' });
  });

  it('gives up after its deadline and does not retry a timeout', async () => {
    const before = provider.requests.length;
    script = [(res) => setTimeout(() => json(200, { result: 'match' })(res), 1_500)];
    assert.deepEqual(await client(300).checkOwnership(tuan), { result: 'unavailable', register: client().name, reason: 'timeout' });
    assert.equal(provider.requests.length - before, 1);
  });
});
