/**
 * `causo bench load` and `causo bench soak` (issue 7): the real server (`causo serve`, its own
 * process) under a mixed workload from a worker thread of this process, on loopback.
 *
 * load: officers at counters submit dossiers as fast as the server answers (closed loop,
 *   `connections` at once), while citizens browse the portal, one-stop officers of 8 communes open
 *   their queues and receive the online dossiers, 50 field phones sync (the app's own sync
 *   engine) and a leader opens dashboards. Prints per route group: requests, req/s, p50/p95/p99,
 *   unexpected answers; then submissions per second against the target.
 * soak: the same load for `seconds`, the server's resident memory (VmRSS) sampled every
 *   `sampleSeconds`; prints each sample and the growth after warm-up against 10 %.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { localDateOf } from '@causo/domain';
import { loadConfig } from '../config.ts';
import { createContext } from '../context.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { seedReference } from '../seed/reference.ts';
import { SESSION_COOKIE } from '../http/auth.ts';
import { hashPassword } from '../modules/auth/passwords.ts';
import { createSession } from '../modules/auth/sessions.ts';
import { sealedCitizenColumns } from '../modules/people/citizens.ts';
import { fieldSignIn } from '../modules/sync/fieldAuth.ts';
import { addressStep, answerQuestion, deleteDraft, loadOwnDraft, pickAddress, startDraft } from '../modules/dossiers/drafts.ts';
import type { AppContext } from '../context.ts';
import { percentile, type BenchEngine } from './engines.ts';
import { GROUPS, mixedLoadInWorker, type Applicant, type ApplyStep, type DeskOfficer, type FieldPhone, type MixedResult, type MixedSpec, type MixedTick } from './mixedLoad.ts';
import { rssOfMb, startServerProcess } from './serverProcess.ts';

/** Issue 7's targets on a 2-core machine. */
export const LOAD_TARGETS = { submissionsPerSecond: { postgres: 500, pglite: 150 }, p99Ms: 250, rssGrowth: 0.1 } as const;

const DATA_KEY = 'load-bench-data-key-0123456789-abcdefghijklmnop';
const PASSWORD = 'load bench horse battery staple';
/** The province whose communes receive the dossiers (Bình Phước; Hưng Phước is 25309). */
const HOME_COMMUNE = '25309';

/** A database holding the reference data, ready for a server process to open. */
export interface PreparedDatabase {
  db: Db;
  /** What the server process needs to open it (DATA_DIR or DATABASE_URL). */
  serverEnv: Record<string, string>;
  dispose: () => Promise<void>;
}

export async function freshBenchDatabase(engine: BenchEngine, serverUrl?: string): Promise<PreparedDatabase> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'causo-load-'));
    const db = await openDatabase({ dataDir: dir });
    await migrate(db);
    await seedReference(db);
    return { db, serverEnv: { DATA_DIR: dir }, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!serverUrl) throw new Error('the PostgreSQL benchmark needs BENCH_DATABASE_URL (or DATABASE_URL) pointing at a server, e.g. postgres://postgres@127.0.0.1:5432/postgres');
  const name = `causo_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), poolSize: 4 });
  await migrate(db);
  await seedReference(db);
  return {
    db,
    serverEnv: { DATABASE_URL: u.toString() },
    dispose: async () => {
      const a = new pg.Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface LoadShape {
  /** Counter officers submitting at once (closed loop). */
  connections: number;
  phones: number;
  /** A phone syncs about this often. */
  phoneEveryMs: number;
  desks: number;
  citizens: number;
  /** Citizens applying through the portal's question pages at a person's pace. */
  applicants: number;
}

export const DEFAULT_SHAPE: LoadShape = { connections: 16, phones: 50, phoneEveryMs: 10_000, desks: 8, citizens: 4, applicants: 4 };

/** Absence notification (thông báo lưu trú vắng mặt): a short form that is fully online. */
const APPLY_PROCEDURE = '1.003677';

interface Cast {
  submit: MixedSpec['submit'];
  applicants: Applicant[];
  applySteps: ApplyStep[];
  desks: DeskOfficer[];
  phones: FieldPhone[];
  leader: { token: string; cookie: string; province: string };
}

async function unitsInForce(db: Db, where: { level: 'province' | 'commune' | 'village'; provinceCode: string }, today: string, limit: number) {
  return db.kysely
    .selectFrom('units')
    .select(['id', 'code'])
    .where('level', '=', where.level)
    .where('province_code', '=', where.provinceCode)
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)]))
    .orderBy('code')
    .limit(limit)
    .execute();
}

const FAMILY_NAMES = ['Điểu', 'Lò', 'Nông', 'Nguyễn', 'Thị'];

/**
 * The posts that answer every question of APPLY_PROCEDURE, found by answering a probe draft
 * with the services the pages call (the address picker one level at a time), then deleted.
 */
async function answersPlan(ctx: AppContext, citizenId: number): Promise<ApplyStep[]> {
  const actor = { citizenId, ip: null };
  const { id } = await startDraft(ctx, actor, APPLY_PROCEDURE);
  const steps: ApplyStep[] = [];
  const state = await loadOwnDraft(ctx, citizenId, id);
  for (const q of state.questions) {
    if (q.type === 'address') {
      for (let level = 0; level < 6; level++) {
        const now = await loadOwnDraft(ctx, citizenId, id);
        if ((now.answers[q.key] as { complete?: boolean } | undefined)?.complete) break;
        const step = await addressStep(ctx, now, q);
        const code = step.options.find((o) => o.code === HOME_COMMUNE)?.code ?? step.options[0]?.code;
        if (!code) throw new Error(`the address question ${q.key} offers nothing at level ${step.at}`);
        await pickAddress(ctx, actor, id, q.key, step.at, code);
        steps.push({ key: q.key, fields: { [q.key]: code, at: String(step.at) } });
      }
      continue;
    }
    const fields: Record<string, string> =
      q.type === 'date' ? { day: '20', month: '11', year: '2026' } :
      q.type === 'choice' ? { [q.key]: q.options[0]?.value ?? '' } :
      q.type === 'id_number' ? { [q.key]: '070203001234' } :
      q.type === 'phone' ? { [q.key]: '0912345678' } :
      q.type === 'number' ? { [q.key]: String(q.min ?? 1) } :
      q.type === 'text' ? { [q.key]: 'Thành phố Hồ Chí Minh' } :
      {};
    const raw = q.type === 'date' ? fields : fields[q.key];
    const r = await answerQuestion(ctx, actor, id, q.key, raw);
    if (!r.ok) throw new Error(`the bench's answer to ${q.key} is refused: ${r.error.key}`);
    steps.push({ key: q.key, fields });
  }
  await deleteDraft(ctx, actor, id);
  return steps;
}

/** Accounts and sessions for everyone in the workload, written straight to the database (one password hash for all). */
async function cast(db: Db, shape: LoadShape): Promise<Cast> {
  const now = new Date();
  const today = localDateOf(now);
  const home = await db.kysely.selectFrom('units').select(['province_code']).where('code', '=', HOME_COMMUNE).where('valid_from', '<=', today).where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)])).executeTakeFirst();
  const provinceCode = home?.province_code ?? (await db.kysely.selectFrom('units').select('province_code').where('level', '=', 'commune').executeTakeFirstOrThrow()).province_code;
  const [province] = await unitsInForce(db, { level: 'province', provinceCode }, today, 1);
  if (!province) throw new Error(`no province ${provinceCode} in force on ${today}`);
  const communes = await unitsInForce(db, { level: 'commune', provinceCode }, today, 24);
  const villages = await unitsInForce(db, { level: 'village', provinceCode }, today, 10);
  if (communes.length === 0 || villages.length === 0) throw new Error(`province ${provinceCode} has no communes or villages in force on ${today}`);
  const procedures = (await db.kysely.selectFrom('procedures').select('code').where('active', '=', true).orderBy('code').limit(12).execute()).map((p) => p.code);
  const hash = await hashPassword(PASSWORD);
  const user = async (name: string, role: 'officer' | 'leader' | 'member', unitId: number) => {
    const username = `load_${name}_${randomUUID().slice(0, 6)}`;
    const { id } = await db.kysely.insertInto('users').values({ username, display_name: username, password_hash: hash }).returning('id').executeTakeFirstOrThrow();
    await db.kysely.insertInto('user_roles').values({ user_id: id, role, unit_id: unitId }).execute();
    return { id, username };
  };
  const session = async (userId: number) => (await db.transaction((trx) => createSession(trx, { userId }, { ttlHours: 24 * 30, ip: '127.0.0.1', userAgent: 'causo bench', now }))).token;

  const submitter = await user('counter', 'officer', province.id);
  const desks: DeskOfficer[] = [];
  for (const c of communes.slice(0, shape.desks)) {
    const u = await user(`desk${c.code}`, 'officer', c.id);
    const token = await session(u.id);
    desks.push({ commune: c.code, token, cookie: `${SESSION_COOKIE}=${token}` });
  }
  const leader = await user('leader', 'leader', province.id);
  const leaderToken = await session(leader.id);
  const ctx = createContext(loadConfig({ LOG_LEVEL: 'silent', DATA_KEY }), db, pino({ level: 'silent' }));
  const applicants: Applicant[] = [];
  const citizenIds: number[] = [];
  for (let i = 0; i < Math.max(1, shape.applicants); i++) {
    const idNumber = `0702${String(10 + i).padStart(2, '0')}${String(100_000 + i).padStart(6, '0')}`;
    const phone = `0913${String(100_000 + i).padStart(6, '0')}`;
    const s = await db.transaction(async (trx) => {
      const { id } = await trx
        .insertInto('citizens')
        .values({
          ...sealedCitizenColumns(ctx.vault, { idNumber, fullName: `${FAMILY_NAMES[i % FAMILY_NAMES.length]} Thị Mai`, birthDate: '1990-05-01', phone }),
          phone_ownership: 'matched',
          password_hash: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      citizenIds.push(id);
      return createSession(trx, { citizenId: id }, { ttlHours: 24 * 30, ip: '127.0.0.1', userAgent: 'causo bench', now });
    });
    applicants.push({ cookie: `${SESSION_COOKIE}=${s.token}`, csrf: s.csrfToken });
  }
  const applySteps = await answersPlan(ctx, citizenIds[0] as number);
  const phones: FieldPhone[] = [];
  for (let i = 0; i < shape.phones; i++) {
    const village = villages[i % villages.length] as { id: number; code: string };
    const m = await user(`phone${i}`, 'member', village.id);
    const deviceId = randomUUID();
    const s = await fieldSignIn(ctx, { username: m.username, password: PASSWORD, deviceId, deviceLabel: `bench phone ${i}`, ip: '127.0.0.1', userAgent: 'causo bench' });
    phones.push({ token: s.token, deviceId, memberId: m.id, village: village.code });
  }
  return {
    submit: { connections: shape.connections, token: await session(submitter.id), communes: communes.map((c) => c.code), procedures },
    applicants: applicants.slice(0, shape.applicants),
    applySteps,
    desks,
    phones,
    leader: { token: leaderToken, cookie: `${SESSION_COOKIE}=${leaderToken}`, province: province.code },
  };
}

function specOf(baseUrl: string, c: Cast, shape: LoadShape, timing: { warmupMs: number; durationMs: number; tickMs: number }): MixedSpec {
  const p = c.leader.province;
  const someCommune = c.submit.communes[0] ?? HOME_COMMUNE;
  return {
    baseUrl,
    ...timing,
    submit: c.submit,
    desks: { officers: c.desks, pauseMs: 1000, pages: ['/office', '/office?tab=new', '/office?tab=processing', '/office?tab=due_soon', '/office?tab=processing&q=nguyen%20van'] },
    citizens: { connections: shape.citizens, pauseMs: 250, pages: ['/', '/services', '/services/search?q=dang%20ky%20khai%20sinh', '/services/1.001193', '/services?event=birth', '/track', '/help'] },
    applicants: { list: c.applicants, pauseMs: 2000, thinkMs: 500, procedure: APPLY_PROCEDURE, steps: c.applySteps },
    phones: { list: c.phones, everyMs: shape.phoneEveryMs },
    leader: { connections: 1, pauseMs: 1000, token: c.leader.token, cookie: c.leader.cookie, apiPaths: [`/api/v1/dashboards?unit=${p}`, `/api/v1/dashboards?unit=${someCommune}`], pages: [`/office/dashboard?unit=${p}`, '/performance'] },
  };
}

/** The server process's environment: production settings, the bench's database and key. */
function serverEnvOf(prepared: PreparedDatabase, poolSize?: number): Record<string, string> {
  return {
    ...prepared.serverEnv,
    NODE_ENV: 'production',
    PAYMENT_GATEWAY: 'sandbox',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    DATA_KEY,
    TELECOM_SIM_LATENCY_MS: '0',
    ...(poolSize ? { DB_POOL_SIZE: String(poolSize) } : {}),
  };
}

export interface GroupFigures {
  group: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  statuses: Record<string, number>;
  samples: string[];
}

export function figuresOf(r: MixedResult): GroupFigures[] {
  const seconds = r.elapsedMs / 1000;
  return Object.values(GROUPS)
    .filter((g) => r.groups[g])
    .map((group) => {
      const g = r.groups[group] as MixedResult['groups'][string];
      const sorted = Float64Array.from(g.latenciesMs).sort();
      const p = (q: number) => percentile(sorted as unknown as number[], q);
      return { group, requests: g.requests, perSecond: g.requests / seconds, p50: p(50), p95: p(95), p99: p(99), errors: g.errors, statuses: g.statuses, samples: g.samples };
    });
}

/** Mean time the server itself spent per route (from its /metrics), to tell server work from queueing. */
async function serverTimes(baseUrl: string): Promise<string[]> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) return [`(/metrics answered ${res.status})`];
  const sums = new Map<string, { sum: number; count: number }>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^causo_http_request_duration_seconds_(sum|count)\{([^}]*)\} ([0-9.e+-]+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const key = `${labels.method ?? ''} ${labels.route ?? ''}`;
    const e = sums.get(key) ?? { sum: 0, count: 0 };
    if (m[1] === 'sum') e.sum += Number(m[3]);
    else e.count += Number(m[3]);
    sums.set(key, e);
  }
  return [...sums]
    .filter(([, e]) => e.count >= 5)
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, 12)
    .map(([k, e]) => `${k}: ${e.count} answered, mean ${((e.sum / e.count) * 1000).toFixed(1)} ms in the server`);
}

const loads = () => loadavg().map((l) => l.toFixed(2)).join(' ');

function printFigures(log: (l: string) => void, tag: string, seconds: number, figures: GroupFigures[]): void {
  log(`${tag} ${seconds.toFixed(0)} s measured`);
  log(`${tag} ${'route group'.padEnd(58)} ${'requests'.padStart(9)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}  statuses`);
  for (const f of figures) {
    const statuses = Object.entries(f.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
    log(`${tag} ${f.group.padEnd(58)} ${String(f.requests).padStart(9)} ${f.perSecond.toFixed(1).padStart(8)} ${f.p50.toFixed(1).padStart(8)} ${f.p95.toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(8)} ${String(f.errors).padStart(7)}  ${statuses}`);
    for (const s of f.samples) log(`${tag}     e.g. ${s}`);
  }
}

export interface LoadVerdict {
  engine: BenchEngine;
  submissionsPerSecond: number;
  p99: number;
  errors: number;
  pass: boolean;
  figures: GroupFigures[];
}

function verdictOf(engine: BenchEngine, figures: GroupFigures[]): LoadVerdict {
  const s = figures.find((f) => f.group === GROUPS.submit);
  const errors = figures.reduce((n, f) => n + f.errors, 0);
  const perSecond = s?.perSecond ?? 0;
  const p99 = s?.p99 ?? NaN;
  const pass = perSecond >= LOAD_TARGETS.submissionsPerSecond[engine] && p99 < LOAD_TARGETS.p99Ms && errors === 0;
  return { engine, submissionsPerSecond: perSecond, p99, errors, pass, figures };
}

export interface LoadBenchOptions {
  engines: BenchEngine[];
  seconds: number;
  connections: number;
  serverUrl?: string | undefined;
  log: (line: string) => void;
  /** Extra node options for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] (LOAD_SERVER_NODE_OPTIONS). */
  serverNodeArgs?: string[];
  poolSize?: number;
}

/** Prepares a database, starts the server on it, runs `body`, stops and cleans up. */
async function withServer<T>(engine: BenchEngine, o: { serverUrl?: string | undefined; shape: LoadShape; nodeArgs?: string[]; poolSize?: number; database?: () => Promise<PreparedDatabase>; log: (l: string) => void }, body: (baseUrl: string, pid: number, c: Cast) => Promise<T>): Promise<T> {
  const prepared = await (o.database ? o.database() : freshBenchDatabase(engine, o.serverUrl));
  try {
    const c = await cast(prepared.db, o.shape);
    await prepared.db.close(); // PGlite: one process at a time on a data folder
    const server = await startServerProcess(serverEnvOf(prepared, o.poolSize), o.nodeArgs ?? []);
    try {
      return await body(server.url, server.pid, c);
    } catch (e) {
      o.log(`server output:\n${server.tail()}`);
      throw e;
    } finally {
      await server.stop();
    }
  } finally {
    await prepared.dispose();
  }
}

export async function benchLoad(o: LoadBenchOptions): Promise<LoadVerdict[]> {
  const shape = { ...DEFAULT_SHAPE, connections: o.connections };
  const verdicts: LoadVerdict[] = [];
  for (const engine of o.engines) {
    const tag = `[${engine}]`;
    o.log(`${tag} load: ${shape.connections} counter officers submitting (closed loop), ${shape.desks} one-stop desks, ${shape.citizens} citizens browsing, ${shape.applicants} applying through the portal, ${shape.phones} phones syncing every ~${shape.phoneEveryMs / 1000} s, 1 leader; 5 s warm-up, then ${o.seconds} s; load average before: ${loads()}`);
    const v = await withServer(engine, { serverUrl: o.serverUrl, shape, nodeArgs: o.serverNodeArgs ?? [], ...(o.poolSize ? { poolSize: o.poolSize } : {}), log: o.log }, async (baseUrl, pid, c) => {
      const r = await mixedLoadInWorker(specOf(baseUrl, c, shape, { warmupMs: 5_000, durationMs: o.seconds * 1000, tickMs: 0 }));
      const figures = figuresOf(r);
      printFigures(o.log, tag, r.elapsedMs / 1000, figures);
      for (const line of await serverTimes(baseUrl)) o.log(`${tag}   ${line}`);
      o.log(`${tag} server RSS at the end: ${(rssOfMb(pid) ?? NaN).toFixed(0)} MB; load average after: ${loads()}`);
      return verdictOf(engine, figures);
    });
    const target = LOAD_TARGETS.submissionsPerSecond[engine];
    o.log(`${tag} submissions: ${v.submissionsPerSecond.toFixed(0)}/s (target ≥ ${target}), p99 ${v.p99.toFixed(1)} ms (target < ${LOAD_TARGETS.p99Ms}), errors in all groups ${v.errors} (target 0) → ${v.pass ? 'PASS' : 'FAIL'}`);
    verdicts.push(v);
  }
  return verdicts;
}

// ---------------------------------------------------------------------------------------------
// Soak

export interface RssSample {
  atS: number;
  rssMb: number;
}

export interface RssGrowth {
  /** The highest sample in the warm-up (the first third of the run). */
  baselineMb: number;
  /** The median of the last three samples. */
  finalMb: number;
  growth: number;
  pass: boolean;
}

/**
 * Growth after warm-up. Warm-up is the first third of the run (caches, JIT, the database's
 * buffer pool fill); its highest sample is the baseline, so a heap that breathes with GC during
 * warm-up does not count as growth. The end is the median of the last three samples, so one
 * sample taken just before a major GC cannot fail the run. A leak of a few MB a minute shows up
 * as the end standing above everything the warm-up reached.
 */
/**
 * `warmUp`: the share of the run counted as warm-up (a third for the ten-minute soak; a short
 * CI run gives half, since PGlite's caches take some 40 s of load to fill on a busy machine).
 */
export function rssGrowth(samples: RssSample[], limit: number = LOAD_TARGETS.rssGrowth, warmUp = 1 / 3): RssGrowth {
  if (samples.length < 6) throw new Error(`at least 6 memory samples are needed, got ${samples.length}`);
  const last = samples[samples.length - 1] as RssSample;
  const warm = samples.filter((s) => s.atS <= last.atS * warmUp);
  const baselineMb = Math.max(...(warm.length ? warm : samples.slice(0, 2)).map((s) => s.rssMb));
  const tail = samples.slice(-3).map((s) => s.rssMb).sort((a, b) => a - b);
  const finalMb = tail[1] as number;
  const growth = finalMb / baselineMb - 1;
  return { baselineMb, finalMb, growth, pass: growth <= limit };
}

export interface SoakOptions {
  engine: BenchEngine;
  seconds: number;
  sampleSeconds: number;
  /** Share of the run counted as warm-up (default a third). */
  warmUp?: number;
  shape?: Partial<LoadShape>;
  serverUrl?: string | undefined;
  log: (line: string) => void;
  /** Where the database comes from (tests pass their template clones). */
  database?: () => Promise<PreparedDatabase>;
}

export interface SoakOutcome {
  samples: RssSample[];
  growth: RssGrowth;
  figures: GroupFigures[];
  errors: number;
}

export async function soak(o: SoakOptions): Promise<SoakOutcome> {
  const shape = { ...DEFAULT_SHAPE, ...o.shape };
  const tag = `[${o.engine}]`;
  o.log(`${tag} soak: ${o.seconds} s of the mixed load (${shape.connections} submitting, ${shape.phones} phones), server RSS every ${o.sampleSeconds} s; load average before: ${loads()}`);
  // --expose-gc: the server collects garbage on SIGUSR2 (cli/serve.ts), so each sample reads the
  // memory the server still holds, not garbage V8 has not got round to collecting yet.
  return withServer(o.engine, { serverUrl: o.serverUrl, shape, log: o.log, nodeArgs: ['--expose-gc'], ...(o.database ? { database: o.database } : {}) }, async (baseUrl, pid, c) => {
    const samples: RssSample[] = [];
    const pending: Promise<void>[] = [];
    let prev: MixedTick | null = null;
    const t0 = performance.now();
    const sample = (tick: MixedTick) => {
      const atS = (performance.now() - t0) / 1000;
      try {
        process.kill(pid, 'SIGUSR2');
      } catch {
        return; // the server is gone; the load reports the errors
      }
      pending.push(new Promise<void>((resolve) => setTimeout(resolve, 500)).then(() => record(tick, atS)));
    };
    const record = (tick: MixedTick, atS: number) => {
      const rss = rssOfMb(pid);
      if (rss === null) return;
      samples.push({ atS, rssMb: rss });
      const sum = (t: MixedTick | null, k: 'requests' | 'errors') => Object.values(t?.[k] ?? {}).reduce((a, b) => a + b, 0);
      const submits = (tick.requests[GROUPS.submit] ?? 0) - (prev?.requests[GROUPS.submit] ?? 0);
      const all = sum(tick, 'requests') - sum(prev, 'requests');
      const dt = (tick.atMs - (prev?.atMs ?? 0)) / 1000;
      o.log(`${tag} ${atS.toFixed(0).padStart(5)} s  RSS ${rss.toFixed(0).padStart(5)} MB  ${(submits / dt).toFixed(0).padStart(5)} submissions/s  ${(all / dt).toFixed(0).padStart(5)} req/s  errors so far ${sum(tick, 'errors')}  load ${loads()}`);
      prev = tick;
    };
    const r = await mixedLoadInWorker(specOf(baseUrl, c, shape, { warmupMs: 0, durationMs: o.seconds * 1000, tickMs: o.sampleSeconds * 1000 }), sample);
    await Promise.all(pending);
    const figures = figuresOf(r);
    printFigures(o.log, tag, r.elapsedMs / 1000, figures);
    const warmUp = o.warmUp ?? 1 / 3;
    const growth = rssGrowth(samples, LOAD_TARGETS.rssGrowth, warmUp);
    const errors = figures.reduce((n, f) => n + f.errors, 0);
    o.log(`${tag} RSS after warm-up: ${growth.baselineMb.toFixed(0)} MB (highest in the first ${Math.round(warmUp * 100)} % of the run) → ${growth.finalMb.toFixed(0)} MB (median of the last 3): ${(growth.growth * 100).toFixed(1)} % (limit ${LOAD_TARGETS.rssGrowth * 100} %) → ${growth.pass ? 'PASS' : 'FAIL'}; errors ${errors}`);
    return { samples, growth, figures, errors };
  });
}
