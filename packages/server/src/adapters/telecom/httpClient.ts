/**
 * A telecom provider's subscriber-check API over HTTPS (JSON, API key). The protocol is the
 * plain one most Vietnamese carriers' partner gateways offer; docs/adapters.md describes it
 * and how to adapt the mapping to a particular provider.
 *
 *   POST {TELECOM_URL}/subscriber-checks   Authorization: Bearer {TELECOM_API_KEY}
 *   { "msisdn": "84912345678", "idNumber": "070090001234", "fullName": "…", "birthDate": "1990-04-12" }
 *   → 200 { "result": "match" | "mismatch" | "not_found" }
 *
 * Failures never look like answers: a timeout, a refusal or a server error is `unavailable`
 * with the reason, and the citizen is asked to try again later. Server errors and dropped
 * connections are retried; a timeout is not (the citizen has already waited the deadline).
 */
import type { OwnershipAnswer, SubscriberCheck, TelecomRegister } from './port.ts';
import { normalizeLookup } from '../../security/vault.ts';

export interface TelecomHttpOptions {
  url: string;
  apiKey: string;
  /** Deadline of one request. */
  timeoutMs: number;
  /** Extra attempts after a server error or a dropped connection. */
  retries?: number;
  /** Wait before the first retry; doubled for each next one. */
  retryDelayMs?: number;
}

const RESULTS: Record<string, OwnershipAnswer['result']> = {
  match: 'matched',
  matched: 'matched',
  mismatch: 'mismatched',
  mismatched: 'mismatched',
  not_found: 'unknown_number',
  unknown_number: 'unknown_number',
};

/** 0912345678 → 84912345678, the international form carriers' APIs use. */
export const toMsisdn = (phone: string): string => `84${normalizeLookup('phone', phone).replace(/^0/, '')}`;

const wait = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export class TelecomHttpClient implements TelecomRegister {
  readonly name: string;
  readonly #endpoint: string;

  constructor(private readonly opts: TelecomHttpOptions) {
    this.#endpoint = `${opts.url.replace(/\/+$/, '')}/subscriber-checks`;
    this.name = `http:${new URL(opts.url).host}`;
  }

  async checkOwnership(q: SubscriberCheck): Promise<OwnershipAnswer> {
    const body = JSON.stringify({ msisdn: toMsisdn(q.phone), idNumber: normalizeLookup('id', q.idNumber), fullName: q.fullName.normalize('NFC'), birthDate: q.birthDate });
    const retries = this.opts.retries ?? 2;
    let reason = 'error';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await wait((this.opts.retryDelayMs ?? 250) * 2 ** (attempt - 1));
      let res: Response;
      try {
        res = await fetch(this.#endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.opts.apiKey}` },
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') return { result: 'unavailable', register: this.name, reason: 'timeout' };
        reason = 'connection';
        continue;
      }
      if (res.status === 401 || res.status === 403) return { result: 'unavailable', register: this.name, reason: `refused ${res.status}` };
      if (res.status === 429 || res.status >= 500) {
        reason = `status ${res.status}`;
        await res.body?.cancel();
        continue;
      }
      if (!res.ok) return { result: 'unavailable', register: this.name, reason: `status ${res.status}` };
      const answer = (await res.json().catch(() => null)) as { result?: unknown } | null;
      const result = typeof answer?.result === 'string' ? RESULTS[answer.result] : undefined;
      if (!result) return { result: 'unavailable', register: this.name, reason: 'unreadable answer' };
      return { result, register: this.name } as OwnershipAnswer;
    }
    return { result: 'unavailable', register: this.name, reason };
  }
}
