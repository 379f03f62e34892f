/**
 * An SMS gateway's HTTP API (JSON, bearer token), the shape most Vietnamese brandname-SMS
 * providers offer; docs/adapters.md describes it and how to map another provider.
 *
 *   POST {SMS_HTTP_URL}   Authorization: Bearer {SMS_HTTP_TOKEN}
 *   { "to": "84912345678", "text": "…", "unicode": true, "reference": "outbox-42" }
 *   → 200/201/202 { "id": "provider message id" }
 *
 * One request per call: retries, with backoff, belong to the outbox worker, which sends the
 * same `reference` again so the gateway can drop a duplicate.
 */
import { isGsm7 } from '@causo/domain';
import { toMsisdn } from '../telecom/httpClient.ts';
import { SmsSendError, type SmsGateway, type SmsSendOptions, type SmsSendResult } from './port.ts';

export interface SmsHttpOptions {
  url: string;
  token: string;
  timeoutMs: number;
}

export class SmsHttpGateway implements SmsGateway {
  readonly name: string;

  constructor(private readonly opts: SmsHttpOptions) {
    this.name = `http:${new URL(opts.url).host}`;
  }

  async send(to: string, text: string, sendOpts: SmsSendOptions = {}): Promise<SmsSendResult> {
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.opts.token}` },
        body: JSON.stringify({ to: toMsisdn(to), text, unicode: !isGsm7(text), ...(sendOpts.reference ? { reference: sendOpts.reference } : {}) }),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      throw new SmsSendError((err as Error).name === 'TimeoutError' ? 'gateway timeout' : 'gateway unreachable', false, (err as Error).name === 'TimeoutError');
    }
    if (res.status === 429 || res.status >= 500) {
      await res.body?.cancel();
      throw new SmsSendError(`gateway status ${res.status}`, false);
    }
    // 401/403: a wrong token is an operator's mistake that will be fixed; keep the message.
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new SmsSendError(`gateway refused the token (status ${res.status})`, false);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new SmsSendError(`gateway rejected the message (status ${res.status})`, true);
    }
    const answer = (await res.json().catch(() => null)) as { id?: unknown } | null;
    const id = answer?.id;
    if (typeof id !== 'string' && typeof id !== 'number') throw new SmsSendError('gateway answer has no message id', false, true);
    return { providerId: String(id) };
  }

  /** Any HTTP answer to a HEAD request proves the gateway is reachable; nothing is sent. */
  async probe(timeoutMs: number): Promise<string> {
    try {
      const res = await fetch(this.opts.url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
      return `${this.name}: answered HTTP ${res.status}`;
    } catch (err) {
      throw new Error(`${this.name}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable'}`);
    }
  }
}
