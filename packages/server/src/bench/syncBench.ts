/**
 * `causo bench sync`: what the field sync costs on the wire and on the server (issue 5).
 *
 * a. One phone uploads 1,000 visits and 200 household edits with the app's own SyncEngine and
 *    HttpTransport (batches gzipped, as a phone sends them), through a loopback TCP proxy that
 *    counts every byte both ways (request and response, headers included).
 * b. The same records the ODK way: one OpenRosa multipart XML submission per record, as ODK
 *    Collect sends them, to a minimal local OpenRosa receiver through the same kind of proxy.
 * c. A phone's first sync of a village of 500 households and 2,000 residents (pull pages,
 *    compressed as the server sends them to a client accepting gzip and br).
 * d. Server time to apply 1,000 mixed envelopes (push() in-process, fresh database), per engine.
 * e. The field app's first load (from the build's build-info.json) and, with Chromium, the time
 *    from an offline reload to an interactive household list with a 4× slower CPU.
 */
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { VISIT_ACTIONS, payloadHashOf, uuidv7, type Envelope, type FileRef, type PullPage, type PushResult } from '@causo/domain';
import { HttpTransport, MemoryStore, SyncEngine, type FileBody, type Transport } from '@causo/field';
import { loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import { buildApp } from '../http/app.ts';
import { createOfficer, loadOfficer } from '../modules/auth/service.ts';
import { fieldSignIn, type FieldMember } from '../modules/sync/fieldAuth.ts';
import { push } from '../modules/sync/push.ts';
import { recordChanges } from '../modules/sync/changes.ts';
import { householdInsert, residentInsert } from '../modules/teams/records.ts';
import { memberVillages } from '../modules/teams/members.ts';
import { benchDatabase, type BenchEngine } from './engines.ts';
import { chromiumMissing, measureOfflineOpen } from './fieldOpenBench.ts';
import type { Db } from '../db/database.ts';

export interface SyncBenchOptions {
  engines: BenchEngine[];
  serverUrl?: string | undefined;
  log: (line: string) => void;
  visits?: number;
  edits?: number;
  households?: number;
  residents?: number;
  /** Envelopes for the server-time figure. */
  envelopes?: number;
  /** Try the Chromium part of (e). */
  browser?: boolean;
  /** Where fresh databases come from (tests pass their template clones). */
  database?: (engine: BenchEngine) => Promise<{ db: Db; dispose: () => Promise<void> }>;
}

export const SYNC_TARGETS = { bytesPerVisit: 150, byteRatio: 10, requestRatio: 100, msPer1000: 1000, firstLoadBytes: 150 * 1024, offlineOpenMs: 1500 } as const;

const VILLAGE = '25309-04';
const BIG_VILLAGE = '25309-05';
const PASSWORD = 'bench horse battery staple';
const NOTES = ['Đã cài VNeID cho bà', 'Hướng dẫn nộp hồ sơ khai sinh', 'Mở tài khoản dịch vụ công', 'Thanh toán tiền điện qua ví', 'Kiểm tra SIM chính chủ với 1414', ''];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Hoàng', 'Nông', 'Lò', 'Điểu', 'Đinh'];
const GIVEN = ['Văn An', 'Thị Bình', 'Minh Châu', 'Văn Dũng', 'Thị Hà', 'Đức Khánh', 'Thị Lan', 'Văn Nam'];

/** Counts every byte that crosses a loopback TCP hop, both ways. */
export class ByteCounter {
  up = 0;
  down = 0;
  connections = 0;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly targetPort: number) {}
  async start(): Promise<number> {
    const server = net.createServer((client) => {
      this.connections++;
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      client.on('data', (c: Buffer) => (this.up += c.length));
      upstream.on('data', (c: Buffer) => (this.down += c.length));
      client.pipe(upstream);
      upstream.pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }
  get total(): number {
    return this.up + this.down;
  }
  snapshot(): { up: number; down: number; total: number } {
    return { up: this.up, down: this.down, total: this.total };
  }
  reset(): void {
    this.up = 0;
    this.down = 0;
  }
  /** Stops at once: keep-alive connections are cut, not waited for. */
  async close(): Promise<void> {
    const s = this.server;
    for (const socket of this.sockets) socket.destroy();
    if (s) await new Promise((r) => s.close(r));
  }
}

/**
 * The phone's fetch as the app makes it: the request body of a push gzipped
 * (Content-Encoding: gzip), and answers accepted compressed (gzip, br).
 */
export function phoneFetch(counter: { requests: number }, gzipBodies: boolean): typeof fetch {
  return async (input, init) => {
    counter.requests++;
    const headers = new Headers(init?.headers);
    headers.set('accept-encoding', 'gzip, br');
    let body = init?.body;
    if (gzipBodies && typeof body === 'string' && headers.get('content-type')?.startsWith('application/json')) {
      body = gzipSync(body);
      headers.set('content-encoding', 'gzip');
    }
    return fetch(input, { ...init, headers, body });
  };
}

/** Counts push and pull calls, and notes the wire bytes when the first pull starts (all pushes done). */
class PhaseTransport implements Transport {
  pushes = 0;
  pulls = 0;
  atFirstPull: { up: number; down: number; total: number } | null = null;
  constructor(
    private readonly inner: Transport,
    private readonly bytes: ByteCounter,
  ) {}
  async push(deviceId: string, envelopes: readonly Envelope[]): Promise<PushResult[]> {
    this.pushes++;
    return this.inner.push(deviceId, envelopes);
  }
  async pull(cursor: string, limit: number): Promise<PullPage> {
    this.atFirstPull ??= this.bytes.snapshot();
    this.pulls++;
    return this.inner.pull(cursor, limit);
  }
  uploadFile(file: FileRef, body: FileBody): Promise<void> {
    return this.inner.uploadFile(file, body);
  }
}

interface Server {
  ctx: AppContext;
  port: number;
  close: () => Promise<void>;
}

async function startServer(db: Db): Promise<Server> {
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_KEY: 'bench-data-key-0123456789-abcdefghijklmnopqrstuv' });
  const ctx = createContext(config, db, pino({ level: 'silent' }));
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  return { ctx, port: typeof a === 'object' && a ? a.port : 0, close: () => app.close() };
}

async function villageId(db: Db, code: string): Promise<number> {
  const today = new Date().toISOString().slice(0, 10);
  const u = await db.kysely
    .selectFrom('units')
    .select('id')
    .where('code', '=', code)
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)]))
    .executeTakeFirstOrThrow();
  return u.id;
}

async function newMember(ctx: AppContext, village: string): Promise<{ id: number; username: string; deviceId: string; token: string; member: FieldMember }> {
  const username = `bench_${randomUUID().slice(0, 8)}`;
  const unit = await villageId(ctx.db, village);
  const id = await ctx.db.transaction((trx) => createOfficer(trx, { username, displayName: username, password: PASSWORD, roles: [{ role: 'member', unitId: unit }] }));
  const deviceId = randomUUID();
  const s = await fieldSignIn(ctx, { username, password: PASSWORD, deviceId, deviceLabel: 'bench phone', ip: '127.0.0.1', userAgent: 'bench' });
  const officer = await loadOfficer(ctx.db.kysely, id);
  if (!officer) throw new Error('bench member not loaded');
  const villages = await memberVillages(ctx.db.kysely, officer, new Date().toISOString().slice(0, 10));
  return { id, username, deviceId, token: s.token, member: { officer, deviceId, villages, ip: '127.0.0.1' } };
}

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;

function residentFields(householdId: string, i: number) {
  return {
    householdId,
    fullName: `${pick(FAMILY, i)} ${pick(GIVEN, i * 7 + 3)}`,
    birthYear: 1950 + (i % 60),
    birthDate: null,
    sex: i % 2 ? ('male' as const) : ('female' as const),
    ethnicity: pick(['Kinh', 'Tày', 'Nùng', "S'tiêng"], i),
    idNumber: i % 3 ? `0${String(70_000_000_000 + i * 7919).padStart(11, '0')}` : null,
    phones: i % 2 ? [`09${String(10_000_000 + i * 131).padStart(8, '0')}`] : [],
    relation: i % 4 ? 'con' : 'chủ hộ',
    smartphone: i % 3 ? true : null,
    simOwnership: 'unknown' as const,
    coverageAtHome: null,
    vneidLevel: null,
    publicServiceAccount: null,
    walletOrBank: null,
    appliedAlone: null,
  };
}

/** A register as the demo or an import puts it on the server: rows and their change-log entries. */
async function seedVillage(ctx: AppContext, code: string, households: number, residents: number): Promise<{ households: string[]; residents: Map<string, string[]> }> {
  const unit = await villageId(ctx.db, code);
  const at = new Date();
  const meta = { at, receivedAt: at, createdBy: null, envelopeId: null, deviceId: null };
  const hh = Array.from({ length: households }, () => uuidv7());
  const members = new Map<string, string[]>();
  await ctx.db.transaction(async (trx) => {
    for (let i = 0; i < hh.length; i += 200)
      await trx
        .insertInto('households')
        .values(hh.slice(i, i + 200).map((id, j) => householdInsert(id, unit, { villageCode: code, headName: `${pick(FAMILY, i + j)} ${pick(GIVEN, i + j)}`, address: `Tổ ${1 + ((i + j) % 12)}, ấp ${code.slice(-2)}`, note: '' }, meta)))
        .execute();
    const rows = [];
    for (let i = 0; i < residents; i++) {
      const h = hh[i % hh.length] as string;
      const id = uuidv7();
      members.set(h, [...(members.get(h) ?? []), id]);
      rows.push(residentInsert(ctx.vault, id, unit, residentFields(h, i), meta));
    }
    for (let i = 0; i < rows.length; i += 200) await trx.insertInto('residents').values(rows.slice(i, i + 200)).execute();
    await recordChanges(trx, [...hh.map((id) => ({ unitId: unit, entity: 'household' as const, entityId: id })), ...[...members.values()].flat().map((id) => ({ unitId: unit, entity: 'resident' as const, entityId: id }))]);
  });
  return { households: hh, residents: members };
}

async function envelopeOf(m: { id: number; deviceId: string }, entity: Envelope['entity'], op: Envelope['op'], entityId: string, baseVersion: number | null, payload: Record<string, unknown>, at = new Date()): Promise<Envelope> {
  return { id: uuidv7(at.getTime()), deviceId: m.deviceId, memberId: m.id, entity, op, entityId, baseVersion, occurredAt: at.toISOString(), payloadHash: await payloadHashOf(payload), payload } as Envelope;
}

function visitPayload(householdId: string, residentId: string | null, i: number) {
  return { householdId, residentId, actions: i % 3 ? [pick(VISIT_ACTIONS, i)] : [pick(VISIT_ACTIONS, i), pick(VISIT_ACTIONS, i + 3)], notes: pick(NOTES, i), photo: null };
}

// ---------------------------------------------------------------------------------------------
// b. The ODK baseline: OpenRosa submissions, one per record.

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A submission as ODK Collect writes it: the form's fields, then start/end, device and meta/instanceID. */
export function odkSubmissionXml(form: 'causo_visit' | 'causo_household_edit', fields: Record<string, string>, m: { deviceId: string; username: string }, at: Date): string {
  const ts = at.toISOString().replace('Z', '+07:00');
  const body = Object.entries(fields)
    .map(([k, v]) => (v === '' ? `<${k}/>` : `<${k}>${xmlEscape(v)}</${k}>`))
    .join('');
  return (
    `<?xml version='1.0' ?><data id="${form}" version="2026112501" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms" xmlns:orx="http://openrosa.org/xforms">` +
    `<start>${ts}</start><end>${ts}</end><today>${ts.slice(0, 10)}</today><deviceid>collect:${m.deviceId.replace(/-/g, '').slice(0, 16)}</deviceid><username>${m.username}</username>` +
    body +
    `<meta><instanceID>uuid:${randomUUID()}</instanceID><instanceName>${form} ${ts}</instanceName></meta></data>`
  );
}

/** A minimal OpenRosa receiver (POST /submission) answering like ODK Central does. */
async function startOpenRosaReceiver(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = req.method === 'POST' && req.url === '/submission' && Buffer.concat(chunks).includes('name="xml_submission_file"');
      if (ok) received++;
      res.writeHead(ok ? 201 : 400, { 'content-type': 'text/xml; charset=utf-8', 'x-openrosa-version': '1.0', 'x-openrosa-accept-content-length': '104857600', date: new Date().toUTCString() });
      res.end(`<OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0"><message nature="">${ok ? 'full submission upload was successful!' : 'bad submission'}</message></OpenRosaResponse>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { port, received: () => received, close: () => new Promise((r) => server.close(() => r(undefined))) };
}

async function postSubmission(agent: http.Agent, port: number, xml: string): Promise<number> {
  const boundary = `----${randomUUID().replace(/-/g, '')}`;
  const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; filename="submission.xml"\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/submission',
        agent,
        headers: {
          'x-openrosa-version': '1.0',
          date: new Date().toUTCString(),
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
          'user-agent': 'org.odk.collect.android/v2024.3.1 okhttp/4.12.0 Dalvik/2.1.0 (Linux; U; Android 11; SM-A125F Build/RP1A.200720.012)',
          'accept-encoding': 'gzip',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

export interface SyncBenchFigures {
  upload: { bytes: number; requests: number; visitBytes: number; visitRequests: number; bytesPerVisit: number; pullBackBytes: number };
  odk: { bytes: number; requests: number };
  download: { bytes: number; requests: number; seconds: number; records: number };
  serverMs: Partial<Record<BenchEngine, number>>;
  firstLoad: { gzip: number; brotli: number } | null;
  /** Chromium, offline, 4× CPU slowdown: reload to an interactive household list (PIN typing excluded). */
  offlineOpenMs?: number;
}

export async function benchSync(opts: SyncBenchOptions): Promise<SyncBenchFigures> {
  const { log } = opts;
  const nVisits = opts.visits ?? 1000;
  const nEdits = opts.edits ?? 200;
  const nHouseholds = opts.households ?? 500;
  const nResidents = opts.residents ?? 2000;
  const nEnvelopes = opts.envelopes ?? 1000;
  const figures: SyncBenchFigures = {
    upload: { bytes: 0, requests: 0, visitBytes: 0, visitRequests: 0, bytesPerVisit: 0, pullBackBytes: 0 },
    odk: { bytes: 0, requests: 0 },
    download: { bytes: 0, requests: 0, seconds: 0, records: 0 },
    serverMs: {},
    firstLoad: null,
  };

  const fresh = opts.database ?? ((engine: BenchEngine) => benchDatabase(engine, opts.serverUrl));
  const { db, dispose } = await fresh('pglite');
  let server: Server | null = null;
  try {
    server = await startServer(db);
    const ctx = server.ctx;

    // a. Upload from one phone, the app's path: engine, memory store, HttpTransport with gzipped pushes.
    const phone = await newMember(ctx, VILLAGE);
    const register = await seedVillage(ctx, VILLAGE, Math.max(nEdits, 50), Math.max(nEdits, 50) * 2);
    const bytes = new ByteCounter(server.port);
    await bytes.start();
    const calls = { requests: 0 };
    const transport = new PhaseTransport(new HttpTransport({ baseUrl: `http://127.0.0.1:${bytes.port}`, token: phone.token, deviceId: phone.deviceId, fetch: phoneFetch(calls, false) }), bytes);
    const store = new MemoryStore();
    const engine = new SyncEngine(store, transport, { deviceId: phone.deviceId });
    await engine.syncOnce(); // the phone has its village (not counted)
    const households = await store.records('household');
    const residents = await store.records('resident');
    const residentsOf = new Map<string, string[]>();
    for (const r of residents) residentsOf.set(String(r.data.householdId), [...(residentsOf.get(String(r.data.householdId)) ?? []), r.id]);

    const measure = async (record: () => Promise<void>) => {
      await record();
      bytes.reset();
      calls.requests = 0;
      transport.pushes = 0;
      transport.atFirstPull = null;
      await engine.syncOnce();
      const pushed = transport.atFirstPull ?? bytes.snapshot();
      return { bytes: pushed.total, requests: transport.pushes, all: bytes.total };
    };
    const visitsUp = await measure(async () => {
      for (let i = 0; i < nVisits; i++) {
        const h = households[i % households.length];
        if (!h) break;
        const people = residentsOf.get(h.id) ?? [];
        await store.addEnvelope(await envelopeOf(phone, 'visit', 'append', uuidv7(), null, visitPayload(h.id, people.length ? (people[i % people.length] ?? null) : null, i)));
      }
    });
    const editsUp = await measure(async () => {
      for (let i = 0; i < nEdits; i++) {
        const h = households[i % households.length];
        if (!h) break;
        await store.addEnvelope(await envelopeOf(phone, 'household', 'update', h.id, h.version, i % 2 ? { address: `Tổ ${1 + (i % 12)}, gần trường tiểu học` } : { note: pick(NOTES, i) || 'Đã kiểm tra' }));
      }
    });
    const left = (await store.outbox()).filter((e) => e.state !== 'sent').length;
    if (left) throw new Error(`${left} envelopes not acknowledged in the upload`);
    figures.upload = {
      bytes: visitsUp.bytes + editsUp.bytes,
      requests: visitsUp.requests + editsUp.requests,
      visitBytes: visitsUp.bytes,
      visitRequests: visitsUp.requests,
      bytesPerVisit: visitsUp.bytes / nVisits,
      pullBackBytes: visitsUp.all - visitsUp.bytes + (editsUp.all - editsUp.bytes),
    };
    log(`a. upload ${nVisits} visits + ${nEdits} household edits (SyncEngine + HttpTransport, gzip bodies): ${kb(figures.upload.bytes)} on the wire in ${figures.upload.requests} requests`);
    log(`   visits alone: ${kb(visitsUp.bytes)} in ${visitsUp.requests} requests = ${figures.upload.bytesPerVisit.toFixed(0)} B per visit (target ≤ ${SYNC_TARGETS.bytesPerVisit}: ${mark(figures.upload.bytesPerVisit <= SYNC_TARGETS.bytesPerVisit)})`);
    log(`   (the same rounds then pull the phone's own changes back: ${kb(figures.upload.pullBackBytes)} more)`);
    await bytes.close();

    // b. The ODK way: one OpenRosa submission per record.
    const receiver = await startOpenRosaReceiver();
    const odkBytes = new ByteCounter(receiver.port);
    await odkBytes.start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let odkRequests = 0;
    const who = { deviceId: phone.deviceId, username: phone.username };
    for (let i = 0; i < nVisits; i++) {
      const h = households[i % households.length];
      if (!h) break;
      const people = residentsOf.get(h.id) ?? [];
      const v = visitPayload(h.id, people.length ? (people[i % people.length] ?? null) : null, i);
      await postSubmission(agent, odkBytes.port, odkSubmissionXml('causo_visit', { household_id: v.householdId, resident_id: v.residentId ?? '', actions: v.actions.join(' '), notes: v.notes, photo: '' }, who, new Date()));
      odkRequests++;
    }
    for (let i = 0; i < nEdits; i++) {
      const h = households[i % households.length];
      if (!h) break;
      await postSubmission(agent, odkBytes.port, odkSubmissionXml('causo_household_edit', { household_id: h.id, base_version: String(h.version), head_name: String(h.data.headName), address: i % 2 ? `Tổ ${1 + (i % 12)}, gần trường tiểu học` : String(h.data.address), note: i % 2 ? '' : pick(NOTES, i) || 'Đã kiểm tra' }, who, new Date()));
      odkRequests++;
    }
    agent.destroy();
    if (receiver.received() !== odkRequests) throw new Error(`the OpenRosa receiver took ${receiver.received()} of ${odkRequests} submissions`);
    figures.odk = { bytes: odkBytes.total, requests: odkRequests };
    await odkBytes.close();
    await receiver.close();
    const byteRatio = figures.odk.bytes / Math.max(1, figures.upload.bytes);
    const requestRatio = figures.odk.requests / Math.max(1, figures.upload.requests);
    log(`b. the ODK way (one OpenRosa XML submission per record): ${kb(figures.odk.bytes)} in ${figures.odk.requests} requests`);
    log(`   ours: ${byteRatio.toFixed(1)}× fewer bytes (target ≥ ${SYNC_TARGETS.byteRatio}×: ${mark(byteRatio >= SYNC_TARGETS.byteRatio)}), ${requestRatio.toFixed(0)}× fewer requests (target ≥ ${SYNC_TARGETS.requestRatio}×: ${mark(requestRatio >= SYNC_TARGETS.requestRatio)})`);

    // c. First sync of a village of 500 households and 2,000 residents.
    await seedVillage(ctx, BIG_VILLAGE, nHouseholds, nResidents);
    const newcomer = await newMember(ctx, BIG_VILLAGE);
    const down = new ByteCounter(server.port);
    await down.start();
    const downCalls = { requests: 0 };
    const downStore = new MemoryStore();
    const downEngine = new SyncEngine(downStore, new HttpTransport({ baseUrl: `http://127.0.0.1:${down.port}`, token: newcomer.token, deviceId: newcomer.deviceId, fetch: phoneFetch(downCalls, true) }), { deviceId: newcomer.deviceId });
    const t0 = performance.now();
    const report = await downEngine.syncOnce();
    const seconds = (performance.now() - t0) / 1000;
    figures.download = { bytes: down.total, requests: downCalls.requests, seconds, records: report.pulledRecords };
    const gotH = (await downStore.records('household')).length;
    const gotR = (await downStore.records('resident')).length;
    if (gotH !== nHouseholds || gotR !== nResidents) throw new Error(`first sync got ${gotH} households and ${gotR} residents, expected ${nHouseholds} and ${nResidents}`);
    log(`c. first sync of a village (${nHouseholds} households, ${nResidents} residents; ${report.pulledPages} pages, answers compressed): ${kb(down.total)} on the wire in ${downCalls.requests} requests, ${seconds.toFixed(2)} s (${kb(down.down)} down, ${kb(down.up)} up)`);
    if (opts.browser !== false) {
      const missing = chromiumMissing();
      if (missing) log(`e. opening offline to an interactive household list (4× CPU slowdown): skipped — ${missing}`);
      else {
        const phone = await newMember(server.ctx, BIG_VILLAGE);
        const o = await measureOfflineOpen(`http://127.0.0.1:${server.port}`, phone.username, PASSWORD, nHouseholds);
        figures.offlineOpenMs = o.toUnlockScreenMs + o.unlockToListMs;
        log(`e. opening offline to an interactive household list of ${o.households} households (4× CPU slowdown, Chromium): ${(o.toUnlockScreenMs + o.unlockToListMs).toFixed(0)} ms = ${o.toUnlockScreenMs.toFixed(0)} ms to the PIN screen + ${o.unlockToListMs.toFixed(0)} ms from "Mở khóa" to the list (target < 1500: ${mark(o.toUnlockScreenMs + o.unlockToListMs < 1500)})`);
      }
    }
    await down.close();
  } finally {
    await server?.close();
    await dispose();
  }

  // d. Server time per 1,000 envelopes, on each engine.
  for (const engine of opts.engines) {
    const ms = await serverTime(await fresh(engine), nEnvelopes);
    figures.serverMs[engine] = ms;
    const per1000 = (ms / nEnvelopes) * 1000;
    log(`d. [${engine}] server time to apply ${nEnvelopes} mixed envelopes (push() in batches of 200): ${ms.toFixed(0)} ms = ${per1000.toFixed(0)} ms per 1,000 (target < ${SYNC_TARGETS.msPer1000}: ${mark(per1000 < SYNC_TARGETS.msPer1000)})`);
  }

  // e. The field app's first load, and opening offline.
  figures.firstLoad = firstLoad();
  if (figures.firstLoad)
    log(`e. field app first load (JS + CSS + HTML): ${kb(figures.firstLoad.brotli)} brotli, ${kb(figures.firstLoad.gzip)} gzip (target < ${kb(SYNC_TARGETS.firstLoadBytes)}: ${mark(Math.max(figures.firstLoad.brotli, figures.firstLoad.gzip) < SYNC_TARGETS.firstLoadBytes)})`);
  else log('e. field app first load: no packages/field/dist/build-info.json (run npm run build:field)');
  return figures;
}


function firstLoad(): { gzip: number; brotli: number } | null {
  const file = fileURLToPath(new URL('../../../field/dist/build-info.json', import.meta.url));
  if (!existsSync(file)) return null;
  const info = JSON.parse(readFileSync(file, 'utf8')) as { firstLoad?: { gzip?: number; brotli?: number } };
  if (typeof info.firstLoad?.gzip !== 'number' || typeof info.firstLoad.brotli !== 'number') return null;
  return { gzip: info.firstLoad.gzip, brotli: info.firstLoad.brotli };
}

/** 1,000 envelopes a team sends in a day, in the order phones send them, applied with push(). */
async function serverTime({ db, dispose }: { db: Db; dispose: () => Promise<void> }, n: number): Promise<number> {
  try {
    const config = loadConfig({ LOG_LEVEL: 'silent', DATA_KEY: 'bench-data-key-0123456789-abcdefghijklmnopqrstuv' });
    const ctx = createContext(config, db, pino({ level: 'silent' }));
    const m = await newMember(ctx, VILLAGE);
    const team = { id: m.id, deviceId: m.deviceId };
    // A register to work on: households and residents pushed earlier.
    const base = await seedVillage(ctx, VILLAGE, 100, 300);
    const envelopes: Envelope[] = [];
    const share = (f: number) => Math.round(n * f);
    for (let i = 0; i < share(0.05); i++) {
      const hid = uuidv7();
      envelopes.push(await envelopeOf(team, 'household', 'create', hid, null, { villageCode: VILLAGE, headName: `${pick(FAMILY, i)} ${pick(GIVEN, i)}`, address: `Tổ ${1 + (i % 12)}`, note: '' }));
      envelopes.push(await envelopeOf(team, 'resident', 'create', uuidv7(), null, residentFields(hid, i)));
    }
    for (let i = 0; i < share(0.15); i++) envelopes.push(await envelopeOf(team, 'household', 'update', pick(base.households, i), 1, { note: `${pick(NOTES, i)} ${i}` }));
    for (let i = 0; i < share(0.1); i++) {
      const h = pick(base.households, i * 3);
      envelopes.push(await envelopeOf(team, 'resident', 'update', pick(base.residents.get(h) ?? [], i), 1, { vneidLevel: 1, smartphone: true }));
    }
    const blockers: { id: string; householdId: string }[] = [];
    for (let i = 0; i < share(0.05); i++) {
      const b = { id: uuidv7(), householdId: pick(base.households, i * 5) };
      blockers.push(b);
      envelopes.push(await envelopeOf(team, 'blocker', 'append', b.id, null, { householdId: b.householdId, residentId: null, reason: 'sim_not_owner', note: 'SIM đứng tên con trai' }));
    }
    for (let i = 0; i < share(0.05); i++) {
      const b = pick(blockers, i);
      envelopes.push(await envelopeOf(team, 'follow_up', 'append', uuidv7(), null, { blockerId: b.id, householdId: b.householdId, residentId: null, dueDate: '2026-12-15', assigneeId: m.id, note: 'Đưa ra cửa hàng chuyển SIM' }));
    }
    while (envelopes.length < n) {
      const i = envelopes.length;
      const h = pick(base.households, i);
      envelopes.push(await envelopeOf(team, 'visit', 'append', uuidv7(), null, visitPayload(h, pick(base.residents.get(h) ?? [], i) ?? null, i)));
    }
    const t0 = performance.now();
    for (let i = 0; i < envelopes.length; i += 200) {
      const results = await push(ctx, m.member, envelopes.slice(i, i + 200));
      const bad = results.find((r) => r.result === 'rejected');
      if (bad) throw new Error(`bench envelope refused: ${JSON.stringify(bad)}`);
    }
    return performance.now() - t0;
  } finally {
    await dispose();
  }
}
