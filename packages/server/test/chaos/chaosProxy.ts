/**
 * A bad mobile link on loopback: an HTTP proxy in front of the server that, at random, drops a
 * request before forwarding it, drops the answer after the server processed it (the case that
 * makes phones send the same batch again), cuts an answer off half-way, forwards a request twice
 * at once, delays, and holds requests back to deliver them later (after the phone gave up and
 * sent newer ones: reordering). Faults are off in clean mode.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Faults {
  dropBefore: number;
  dropAfter: number;
  truncate: number;
  duplicate: number;
  hold: number;
  /** Extra latency of a normal request, uniformly 0..delayMs. */
  delayMs: number;
  /** How long a held request waits before it is delivered, uniformly 0..holdMs. */
  holdMs: number;
}

export const NO_FAULTS: Faults = { dropBefore: 0, dropAfter: 0, truncate: 0, duplicate: 0, hold: 0, delayMs: 0, holdMs: 0 };

export interface ProxyStats {
  requests: number;
  passed: number;
  droppedBefore: number;
  droppedAfter: number;
  truncated: number;
  duplicated: number;
  held: number;
  /** The server could not be reached or hung up (it was killed): answered 502 by the proxy. */
  upstreamFailures: number;
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChaosProxy {
  faults: Faults = NO_FAULTS;
  readonly stats: ProxyStats = { requests: 0, passed: 0, droppedBefore: 0, droppedAfter: 0, truncated: 0, duplicated: 0, held: 0, upstreamFailures: 0 };
  /** Answers with status ≥ 500 that came from the server itself, with when they came. */
  readonly serverErrors: { at: number; status: number; method: string; url: string; body: string }[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private server: http.Server | null = null;
  url = '';

  constructor(
    private readonly upstreamPort: number,
    private readonly random: () => number = Math.random,
  ) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      const work = this.handle(req, res).catch(() => res.destroy());
      this.track(work);
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Waits until every held or duplicated request has reached the server and been answered. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.flush();
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    this.stats.requests++;
    const f = this.faults;
    const roll = this.random();
    let edge = f.dropBefore;
    if (roll < edge) {
      this.stats.droppedBefore++;
      res.destroy();
      return;
    }
    if (roll < (edge += f.hold)) {
      // The phone sees the link drop; the request itself arrives later, after newer ones.
      this.stats.held++;
      res.destroy();
      this.track(sleep(this.random() * f.holdMs).then(() => this.forward(req, body).catch(() => undefined)));
      return;
    }
    if (f.delayMs) await sleep(this.random() * f.delayMs);
    let answer: Upstream;
    try {
      if (roll < (edge += f.duplicate)) {
        this.stats.duplicated++;
        const second = this.track(this.forward(req, body).catch(() => null));
        answer = await this.forward(req, body);
        // The phone gets whichever answer; the other copy must have changed nothing.
        const other = await second;
        if (other && this.random() < 0.5) answer = other;
      } else answer = await this.forward(req, body);
    } catch {
      this.stats.upstreamFailures++;
      if (!res.destroyed) res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
      return;
    }
    if (roll < (edge += f.dropAfter)) {
      // The server did the work; the answer is lost on the way back.
      this.stats.droppedAfter++;
      res.destroy();
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(answer.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
    headers['content-length'] = answer.body.length;
    if (roll < (edge += f.truncate) && answer.body.length > 1) {
      this.stats.truncated++;
      res.writeHead(answer.status, headers);
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      await sleep(5);
      res.destroy();
      return;
    }
    this.stats.passed++;
    res.writeHead(answer.status, headers).end(answer.body);
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
      headers['content-length'] = body.length;
      const up = http.request({ host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers, agent: false }, (r) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('error', reject);
        r.on('close', () => {
          if (!r.complete) reject(new Error('answer cut off (server killed?)'));
        });
        r.on('end', () => {
          const out = { status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(parts) };
          if (out.status >= 500) this.serverErrors.push({ at: Date.now(), status: out.status, method: req.method ?? '', url: req.url ?? '', body: out.body.toString('utf8').slice(0, 300) });
          resolve(out);
        });
      });
      up.setTimeout(60_000, () => up.destroy(new Error('upstream timeout')));
      up.on('error', reject);
      up.end(body);
    });
  }
}
