/**
 * The mixed workload of `causo bench load|soak`, run in a worker thread so the measuring process
 * keeps its main thread: officers at counters submitting dossiers as fast as the server answers
 * (closed loop, the figure the targets are about), and at their own pace citizens browsing the
 * portal, one-stop officers working their queues and receiving online dossiers, field phones
 * syncing with the app's own sync engine, and a leader opening dashboards. Every answer's time
 * is kept per route group, so exact p50/p95/p99 can be printed.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { VISIT_ACTIONS, payloadHashOf, uuidv7, type Envelope } from '@causo/domain';
import { HttpTransport, MemoryStore, SyncEngine } from '@causo/field';
import { startTypeScriptWorker } from '../modules/dossiers/bulkLoad.ts';

export interface DeskOfficer {
  commune: string;
  token: string;
  cookie: string;
}

export interface FieldPhone {
  token: string;
  deviceId: string;
  memberId: number;
  village: string;
}

/** A citizen signed in to the portal, applying through the question pages. */
export interface Applicant {
  cookie: string;
  csrf: string;
}

/** One answer as the question page posts it (the address picker takes one post per level). */
export interface ApplyStep {
  key: string;
  fields: Record<string, string>;
}

export interface MixedSpec {
  baseUrl: string;
  /** Answers in the first warmupMs are not counted. */
  warmupMs: number;
  durationMs: number;
  /** Progress messages this often (counts so far), 0 for none. */
  tickMs: number;
  submit: { connections: number; token: string; communes: string[]; procedures: string[] };
  desks: { officers: DeskOfficer[]; pauseMs: number; pages: string[] };
  citizens: { connections: number; pauseMs: number; pages: string[] };
  /** Citizens applying online through the portal's pages: start, every question, the check page, send. */
  applicants: { list: Applicant[]; pauseMs: number; thinkMs: number; procedure: string; steps: ApplyStep[] };
  phones: { list: FieldPhone[]; everyMs: number };
  leader: { connections: number; pauseMs: number; token: string; cookie: string; apiPaths: string[]; pages: string[] };
}

export interface GroupResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  latenciesMs: number[];
  /** A few unexpected answers, for the report. */
  samples: string[];
}

export interface MixedResult {
  groups: Record<string, GroupResult>;
  /** The measured window (requests started in it are counted). */
  elapsedMs: number;
}

export interface MixedTick {
  atMs: number;
  requests: Record<string, number>;
  errors: Record<string, number>;
}

export const GROUPS = {
  submit: 'submit   POST /api/v1/dossiers',
  receive: 'officer  POST /api/v1/dossiers/:code/actions (receive)',
  queues: 'officer  GET  /office work queues',
  browse: 'citizen  GET  portal pages',
  applyPages: 'citizen  GET  /apply question and check pages',
  applyPosts: 'citizen  POST /apply start, answers, send',
  push: 'device   POST /api/v1/sync/push',
  pull: 'device   GET  /api/v1/sync/pull',
  dashApi: 'leader   GET  /api/v1/dashboards',
  dashPages: 'leader   GET  /office/dashboard, /performance',
} as const;

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Hoàng', 'Nông', 'Lò', 'Điểu', 'Đinh', 'Lục', 'Vi'];
const GIVEN = ['Văn An', 'Thị Bình', 'Minh Châu', 'Văn Dũng', 'Thị Hà', 'Đức Khánh', 'Thị Lan', 'Văn Nam', 'Thị Vy', 'Văn Sơn'];
const NOTES = ['Đã cài VNeID cho bà', 'Hướng dẫn nộp hồ sơ khai sinh', 'Mở tài khoản dịch vụ công', 'Kiểm tra SIM chính chủ', ''];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;

class Recorder {
  readonly groups: Record<string, GroupResult> = {};
  private readonly live: Record<string, { requests: number; errors: number }> = {};
  /** Answers to requests started in [countFrom, countTo) are counted. */
  constructor(
    private readonly countFrom: number,
    private readonly countTo: number,
  ) {}
  note(group: string, startedAt: number, status: number | 'socket', ok: boolean, detail = ''): void {
    const now = performance.now();
    const l = (this.live[group] ??= { requests: 0, errors: 0 });
    l.requests++;
    if (!ok) l.errors++;
    if (startedAt < this.countFrom || startedAt >= this.countTo) return;
    const g = (this.groups[group] ??= { requests: 0, errors: 0, statuses: {}, latenciesMs: [], samples: [] });
    g.requests++;
    g.latenciesMs.push(now - startedAt);
    g.statuses[String(status)] = (g.statuses[String(status)] ?? 0) + 1;
    if (!ok) {
      g.errors++;
      if (g.samples.length < 5) g.samples.push(`${status} ${detail}`.slice(0, 300));
    }
  }
  tick(atMs: number): MixedTick {
    const requests: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.live)) {
      requests[k] = v.requests;
      errors[k] = v.errors;
    }
    return { atMs, requests, errors };
  }
}

interface Answer {
  status: number | 'socket';
  body: string;
  location?: string;
}

function client(baseUrl: string, maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  const send = (method: string, path: string, headers: Record<string, string>, body?: string, keepBody = false): Promise<Answer> =>
    new Promise((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (keepBody || (res.statusCode ?? 0) >= 400) chunks.push(c);
        });
        const location = res.headers.location;
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ...(location ? { location } : {}) }));
        res.on('error', () => resolve({ status: 'socket', body: '' }));
      });
      req.on('error', (e) => resolve({ status: 'socket', body: e.message }));
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

async function run(spec: MixedSpec): Promise<MixedResult> {
  const start = performance.now();
  const end = start + spec.warmupMs + spec.durationMs;
  const rec = new Recorder(start + spec.warmupMs, end);
  const more = () => performance.now() < end;
  const total = spec.submit.connections + spec.desks.officers.length + spec.citizens.connections + spec.applicants.list.length + spec.leader.connections;
  const c = client(spec.baseUrl, total + 4);
  const ok2xx3xx = (s: number | 'socket') => typeof s === 'number' && s >= 200 && s < 400;
  /** Online dossiers waiting to be received, per commune (bounded: a desk cannot keep up with a flood). */
  const waiting = new Map<string, string[]>();

  let ticker: NodeJS.Timeout | null = null;
  if (spec.tickMs > 0) ticker = setInterval(() => parentPort?.postMessage({ type: 'tick', tick: rec.tick(performance.now() - start) }), spec.tickMs);

  let n = 0;
  const submitLoop = async () => {
    const auth = { authorization: `Bearer ${spec.submit.token}`, accept: 'application/json' };
    while (more()) {
      const i = n++;
      const commune = pick(spec.submit.communes, i * 7 + (i >> 4));
      const channel = i % 2 === 0 ? 1 : 2;
      // A quarter of the counter dossiers (channel 1, received on the spot) carry a phone: an SMS is queued.
      const withPhone = i % 8 === 0;
      const body = JSON.stringify({
        transactionId: randomUUID(),
        procedureCode: pick(spec.submit.procedures, i >> 1),
        unitCode: commune,
        channel,
        applicant: {
          fullName: `${pick(FAMILY, i)} ${pick(GIVEN, i >> 3)}`,
          ...(withPhone ? { phone: `09${String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0')}` } : {}),
        },
        formData: {},
      });
      const t = performance.now();
      const a = await c.send('POST', '/api/v1/dossiers', auth, body, channel === 2);
      rec.note(GROUPS.submit, t, a.status, a.status === 201, a.body);
      if (a.status === 201 && channel === 2) {
        const code = (JSON.parse(a.body) as { code?: string }).code;
        const q = waiting.get(commune) ?? [];
        if (code && q.length < 2000) q.push(code);
        waiting.set(commune, q);
      }
    }
  };

  const deskLoop = async (o: DeskOfficer, k: number) => {
    let i = k;
    await sleep(Math.random() * spec.desks.pauseMs);
    while (more()) {
      const code = waiting.get(o.commune)?.shift();
      if (code && i % 2 === 0) {
        const t = performance.now();
        const a = await c.send('POST', `/api/v1/dossiers/${code}/actions`, { authorization: `Bearer ${o.token}`, accept: 'application/json' }, JSON.stringify({ action: 'receive', transactionId: randomUUID() }));
        rec.note(GROUPS.receive, t, a.status, a.status === 200, a.body);
      } else {
        if (code) waiting.get(o.commune)?.unshift(code);
        const t = performance.now();
        const a = await c.send('GET', pick(spec.desks.pages, i), { cookie: o.cookie, 'accept-encoding': 'gzip' });
        rec.note(GROUPS.queues, t, a.status, a.status === 200, a.body);
      }
      i++;
      await sleep(spec.desks.pauseMs);
    }
  };

  const citizenLoop = async (k: number) => {
    let i = k * 3;
    await sleep(Math.random() * spec.citizens.pauseMs);
    while (more()) {
      const t = performance.now();
      const a = await c.send('GET', pick(spec.citizens.pages, i++), { 'accept-encoding': 'gzip', 'accept-language': 'vi' });
      rec.note(GROUPS.browse, t, a.status, ok2xx3xx(a.status), a.body);
      await sleep(spec.citizens.pauseMs);
    }
  };

  const applyLoop = async (a: Applicant) => {
    const get = async (path: string) => {
      const t = performance.now();
      const r = await c.send('GET', path, { cookie: a.cookie, 'accept-encoding': 'gzip', 'accept-language': 'vi' });
      rec.note(GROUPS.applyPages, t, r.status, r.status === 200, `${path}: ${r.body}`);
    };
    /** A form post; the next page's address, or null when the server did not move on (the error is recorded). */
    const post = async (path: string, fields: Record<string, string>, expect: RegExp): Promise<string | null> => {
      const t = performance.now();
      const r = await c.send('POST', path, { cookie: a.cookie, 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ _csrf: a.csrf, ...fields }).toString(), true);
      const ok = r.status === 303 && expect.test(r.location ?? '');
      const said = /class="[^"]*error-message[^"]*"[^>]*>([\s\S]{0,200}?)</.exec(r.body)?.[1]?.trim() ?? '';
      rec.note(GROUPS.applyPosts, t, r.status, ok, `${path} ${JSON.stringify(fields)} → ${r.location ?? ''} ${said}`);
      return ok ? (r.location ?? null) : null;
    };
    const { procedure, steps } = spec.applicants;
    await sleep(Math.random() * spec.applicants.pauseMs);
    while (more()) {
      const first = await post(`/apply/${procedure}`, {}, /^\/apply\/d\/\d+/);
      const draft = /^\/apply\/d\/(\d+)/.exec(first ?? '')?.[1];
      let answered = draft !== undefined;
      for (const [i, s] of steps.entries()) {
        if (!answered || !more()) break;
        if (i === 0 || steps[i - 1]?.key !== s.key) await get(`/apply/d/${draft}/q/${s.key}`);
        await sleep(spec.applicants.thinkMs * (0.5 + Math.random())); // reading and typing
        answered = (await post(`/apply/d/${draft}/q/${s.key}`, s.fields, /^\/apply\/d\/\d+/)) !== null;
      }
      if (answered && more()) {
        await get(`/apply/d/${draft}/check`);
        const done = await post(`/apply/d/${draft}/submit`, {}, /^\/apply\/done\//);
        if (done) await get(done);
      }
      await sleep(spec.applicants.pauseMs);
    }
  };

  const leaderLoop = async (k: number) => {
    let i = k;
    await sleep(Math.random() * spec.leader.pauseMs);
    while (more()) {
      const t = performance.now();
      if (i % 2 === 0) {
        const a = await c.send('GET', pick(spec.leader.apiPaths, i >> 1), { authorization: `Bearer ${spec.leader.token}`, accept: 'application/json', 'accept-encoding': 'gzip' });
        rec.note(GROUPS.dashApi, t, a.status, a.status === 200, a.body);
      } else {
        const a = await c.send('GET', pick(spec.leader.pages, i >> 1), { cookie: spec.leader.cookie, 'accept-encoding': 'gzip' });
        rec.note(GROUPS.dashPages, t, a.status, a.status === 200, a.body);
      }
      i++;
      await sleep(spec.leader.pauseMs);
    }
  };

  const phoneLoop = async (p: FieldPhone, k: number) => {
    const timed: typeof fetch = async (input, init) => {
      const path = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname;
      const group = path.endsWith('/sync/push') ? GROUPS.push : path.endsWith('/sync/pull') ? GROUPS.pull : null;
      const t = performance.now();
      try {
        const res = await fetch(input, init);
        const buf = await res.arrayBuffer();
        if (group) rec.note(group, t, res.status, res.ok, res.ok ? '' : Buffer.from(buf).toString('utf8'));
        const headers = new Headers(res.headers);
        headers.delete('content-encoding');
        return new Response(buf, { status: res.status, statusText: res.statusText, headers });
      } catch (e) {
        if (group) rec.note(group, t, 'socket', false, String(e));
        throw e;
      }
    };
    const store = new MemoryStore();
    const engine = new SyncEngine(store, new HttpTransport({ baseUrl: spec.baseUrl, token: p.token, deviceId: p.deviceId, fetch: timed, timeoutMs: 60_000 }), { deviceId: p.deviceId });
    const envelope = async (entity: Envelope['entity'], op: Envelope['op'], entityId: string, payload: Record<string, unknown>): Promise<Envelope> => {
      const at = new Date();
      return { id: uuidv7(at.getTime()), deviceId: p.deviceId, memberId: p.memberId, entity, op, entityId, baseVersion: null, occurredAt: at.toISOString(), payloadHash: await payloadHashOf(payload), payload } as Envelope;
    };
    const household = uuidv7();
    await store.addEnvelope(await envelope('household', 'create', household, { villageCode: p.village, headName: `${pick(FAMILY, k)} ${pick(GIVEN, k)}`, address: `Tổ ${1 + (k % 12)}`, note: '' }));
    await sleep(Math.random() * spec.phones.everyMs);
    let i = 0;
    while (more()) {
      for (let v = 0; v < 1 + (i % 3); v++, i++)
        await store.addEnvelope(await envelope('visit', 'append', uuidv7(), { householdId: household, residentId: null, actions: [pick(VISIT_ACTIONS, i + k)], notes: pick(NOTES, i), photo: null }));
      try {
        await engine.syncOnce();
      } catch {
        // counted by `timed`; the next round tries again, as the app does
      }
      await sleep(spec.phones.everyMs * (0.5 + Math.random()));
    }
  };

  await Promise.all([
    ...Array.from({ length: spec.submit.connections }, submitLoop),
    ...spec.desks.officers.map(deskLoop),
    ...Array.from({ length: spec.citizens.connections }, (_, k) => citizenLoop(k)),
    ...spec.applicants.list.map(applyLoop),
    ...Array.from({ length: spec.leader.connections }, (_, k) => leaderLoop(k)),
    ...spec.phones.list.map(phoneLoop),
  ]);
  if (ticker) clearInterval(ticker);
  c.close();
  return { groups: rec.groups, elapsedMs: spec.durationMs };
}

/** Worker side. */
export function runMixedThread(): void {
  const spec = (workerData as { data: MixedSpec }).data;
  run(spec).then(
    (r) => parentPort?.postMessage({ type: 'done', result: r }),
    (e: unknown) => parentPort?.postMessage({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
}

/** Runs the workload in a worker thread; `onTick` gets the counts so far every `spec.tickMs`. */
export function mixedLoadInWorker(spec: MixedSpec, onTick?: (t: MixedTick) => void): Promise<MixedResult> {
  const w = startTypeScriptWorker(import.meta.url, 'runMixedThread', spec);
  return new Promise((resolve, reject) => {
    w.on('message', (m: { type: 'done'; result: MixedResult } | { type: 'failed'; message: string } | { type: 'tick'; tick: MixedTick }) => {
      if (m.type === 'tick') return onTick?.(m.tick);
      void w.terminate();
      if (m.type === 'done') resolve(m.result);
      else reject(new Error(m.message));
    });
    w.on('error', reject);
  });
}
