/**
 * The sync protocol over HTTP (fetch): bearer token and device id on every call, problem
 * documents turned into TransportError kinds the app acts on (410 device.wiped: wipe the phone;
 * 401: sign in again online; no answer: try later).
 */
import type { Envelope, FileRef, PullPage, PushResult } from '@causo/domain';
import { TransportError, type FileBody, type Transport } from './types.ts';

export interface HttpTransportOptions {
  baseUrl: string;
  token: string;
  deviceId: string;
  /** Per request; a phone on 2G may need long. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface Problem {
  code?: string;
  detail?: string;
}

export class HttpTransport implements Transport {
  constructor(private readonly opts: HttpTransportOptions) {}

  /** Batches go gzipped (about a tenth of the bytes on 2G); the server inflates them with a size cap. */
  async push(deviceId: string, envelopes: readonly Envelope[]): Promise<PushResult[]> {
    const text = JSON.stringify({ deviceId, envelopes });
    const zipped = await gzip(text);
    const res = await this.request('POST', '/api/v1/sync/push', zipped ?? text, 'application/json', zipped ? { 'content-encoding': 'gzip' } : {});
    let body: { results?: PushResult[] };
    try {
      body = (await res.json()) as { results?: PushResult[] };
    } catch {
      throw new TransportError('network', res.status, null, 'answer cut off');
    }
    if (!Array.isArray(body.results)) throw new TransportError('server', null, 'sync.bad_answer');
    return body.results;
  }

  async pull(cursor: string, limit: number): Promise<PullPage> {
    const q = new URLSearchParams({ cursor, limit: String(limit) });
    const page = await this.json<PullPage>('GET', `/api/v1/sync/pull?${q.toString()}`);
    if (!Array.isArray(page.records) || typeof page.cursor !== 'string') throw new TransportError('server', null, 'sync.bad_answer');
    return page;
  }

  async uploadFile(file: FileRef, body: FileBody): Promise<void> {
    await this.request('PUT', `/api/v1/sync/files/${file.sha256}`, body, file.type);
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
    try {
      return (await res.json()) as T;
    } catch {
      throw new TransportError('network', res.status, null, 'answer cut off');
    }
  }

  private async request(method: string, path: string, body: BodyInit | FileBody | undefined, type: string, extra: Record<string, string> = {}): Promise<Response> {
    const f = this.opts.fetch ?? globalThis.fetch.bind(globalThis);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs ?? 60_000);
    let res: Response;
    try {
      res = await f(`${this.opts.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.opts.token}`, 'x-device-id': this.opts.deviceId, ...(body === undefined ? {} : { 'content-type': type }), accept: 'application/json', ...extra },
        body: body as BodyInit | undefined,
        signal: controller.signal,
      });
    } catch (err) {
      throw new TransportError('network', null, null, err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) return res;
    throw await errorOf(res);
  }
}

/** gzip with the platform's CompressionStream (browsers, Node 20); null where there is none. */
export async function gzip(text: string): Promise<Uint8Array | null> {
  if (typeof CompressionStream === 'undefined') return null;
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function errorOf(res: Response): Promise<TransportError> {
  let problem: Problem = {};
  try {
    problem = (await res.json()) as Problem;
  } catch {
    // not a problem document (a proxy's page): the status says enough
  }
  const code = typeof problem.code === 'string' ? problem.code : null;
  if (res.status === 410 || code === 'device.wiped') return new TransportError('wiped', res.status, code ?? 'device.wiped', problem.detail);
  if (res.status === 401) return new TransportError('unauthorized', 401, code, problem.detail);
  // Gateways and overloaded servers: nothing was decided, try again later like a dropped link.
  if (res.status === 502 || res.status === 503 || res.status === 504 || res.status === 429) return new TransportError('network', res.status, code, problem.detail);
  return new TransportError('server', res.status, code, problem.detail);
}
