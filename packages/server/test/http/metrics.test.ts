import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachEngine } from '../support/engines.ts';
import { startWebServer, type WebServer } from '../support/webServer.ts';
import { queueSms } from '../../src/modules/notify/outbox.ts';

describeEachEngine('/metrics for Prometheus', (env) => {
  let web: WebServer;
  before(async () => {
    web = await startWebServer(env.db);
  });
  after(() => web.close());
  const scrape = (headers: Record<string, string> = {}) => fetch(`${web.baseUrl}/metrics`, { headers });
  const value = (text: string, line: RegExp): number => Number(line.exec(text)?.[1] ?? Number.NaN);

  it('from this host without a token: requests by route pattern, the outbox and the process', async () => {
    await fetch(`${web.baseUrl}/healthz`);
    await fetch(`${web.baseUrl}/services/1.001193`);
    await web.ctx.db.transaction((trx) => queueSms(trx, web.ctx.vault, { to: '0912300555', text: 'Cầu Số: thử', purpose: 'other' }));
    const res = await scrape();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.ok(value(text, /^causo_http_requests_total\{method="GET",route="\/healthz",status="200"\} (\d+)/m) >= 1);
    assert.match(text, /^causo_http_requests_total\{method="GET",route="\/services\/:code",status="200"\} \d+/m, 'the pattern, not the URL');
    assert.match(text, /^causo_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/healthz"\} \d+/m);
    assert.ok(value(text, /^causo_notify_outbox_due (\d+)/m) >= 1);
    assert.match(text, /^causo_notify_outbox_messages\{channel="sms",status="queued"\} \d+/m);
    assert.match(text, /^causo_notify_outbox_oldest_due_age_seconds \d/m);
    assert.match(text, /^causo_process_resident_memory_bytes \d+/m);
    assert.doesNotMatch(text, /0912300555/, 'no personal data');
    if (env.engine === 'postgres') assert.match(text, /^causo_db_pool_connections\{state="total"\} \d+/m);
  });

  it('with METRICS_TOKEN set, only the bearer token reads them', async () => {
    web.ctx.config.METRICS_TOKEN = 'metrics-token-0123456789';
    try {
      assert.equal((await scrape()).status, 403);
      assert.equal((await scrape({ authorization: 'Bearer wrong-token-000000000000' })).status, 403);
      const ok = await scrape({ authorization: 'Bearer metrics-token-0123456789' });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /causo_http_requests_total/);
    } finally {
      delete web.ctx.config.METRICS_TOKEN;
    }
  });
});
