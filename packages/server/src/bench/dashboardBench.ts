/**
 * `causo bench dashboards`: the campaign dashboards of a large province under load. Generates,
 * inside the database, a province of 1,000 villages (10 districts × 10 communes × 10 villages),
 * 200,000 households, about 800,000 residents, 300,000 visits over 13 weeks, about 40,000
 * blockers, 1,000,000 dossiers with their II.06a counters and 5,000 assisted applications; a
 * campaign with targets on every unit; the register figures of every past day. Then starts the
 * real server on that database, signs in a province leader and drives the dashboard of the
 * province, a district, a commune and a village (and the public performance page) from a worker
 * thread with 20 keep-alive connections. Prints, per page: the cold time (first request, nothing
 * cached), uncached times, p50/p95/p99 and requests per second under load (target p95 < 300 ms),
 * and the slowest queries behind each page with their EXPLAIN ANALYZE time.
 *
 * Until the dashboard page exists, the same is measured by calling `openDashboard` in process.
 */
import pino from 'pino';
import { sql, type CompiledQuery, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { INDICATOR_KEYS, INDICATORS, type IndicatorKey } from '@causo/domain';
import { loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import type { Db } from '../db/database.ts';
import { buildApp } from '../http/app.ts';
import { SESSION_COOKIE } from '../http/auth.ts';
import { createOfficer, type Officer } from '../modules/auth/service.ts';
import { createSession } from '../modules/auth/sessions.ts';
import { CalendarService } from '../modules/calendar/service.ts';
import { backfillRegisterHistory } from '../modules/campaigns/registerHistory.ts';
import { recountAllVillages } from '../modules/campaigns/registerFigures.ts';
import { openDashboard } from '../modules/campaigns/service.ts';
import { bulkLoadDossiers } from '../modules/dossiers/bulkLoad.ts';
import { countersChanged } from '../modules/reports/viewCache.ts';
import { provinceTargets, splitTargetsDown, type TargetNode } from '../seed/demoCampaigns.ts';
import { BENCH_PROVINCE, COMMUNES_PER_DISTRICT, DISTRICTS, generateAssisted, generateField, generateUnits, type FieldSize } from './dashboardData.ts';
import { benchDatabase, peakRssMb, percentile, type BenchEngine } from './engines.ts';
import { loadInWorker } from './httpLoad.ts';
import { syntheticDossiers, syntheticSource } from './syntheticDossiers.ts';

export interface DashboardBenchOptions {
  engines: BenchEngine[];
  villages: number;
  households: number;
  dossiers: number;
  assisted: number;
  seconds: number;
  connections: number;
  serverUrl?: string | undefined;
  log: (line: string) => void;
  onLoad?: (done: number, total: number) => void;
}

const NOW = new Date('2026-11-25T09:30:00+07:00');
const TARGET_P95_MS = 300;
const UNCACHED_RUNS = 5;

interface Page {
  name: string;
  unit: string;
}

const PAGES: Page[] = [
  { name: 'province', unit: BENCH_PROVINCE },
  { name: 'district', unit: `${BENCH_PROVINCE}0` },
  { name: 'commune', unit: `${BENCH_PROVINCE}000` },
  { name: 'village', unit: `${BENCH_PROVINCE}000-01` },
];

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const msText = (v: number) => `${v.toFixed(1)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

// ---------------------------------------------------------------------------------------------
// Generation

interface Generated {
  provinceId: number;
  officer: Officer;
  cookie: string;
}

async function generate(db: Db, ctx: AppContext, o: DashboardBenchOptions, tag: string): Promise<Generated> {
  const size: FieldSize = { villagesPerCommune: Math.max(1, Math.round(o.villages / (DISTRICTS * COMMUNES_PER_DISTRICT))), households: o.households };
  const sealed = ctx.vault.seal({});
  const started = performance.now();
  const [field, fieldMs] = await timed(() =>
    db.raw(async (c) => {
      await generateUnits(c, size.villagesPerCommune);
      return generateField(c, size, NOW, sealed);
    }, { transaction: true }),
  );
  o.log(`${tag} generated ${field.villages.toLocaleString('en')} villages, ${field.households.toLocaleString('en')} households, ${field.residents.toLocaleString('en')} residents, ${field.visits.toLocaleString('en')} visits, ${field.blockers.toLocaleString('en')} blockers in ${secs(fieldMs)}`);

  const calendar = await new CalendarService(db).calendar();
  const src = await syntheticSource(db, BENCH_PROVINCE, '2026-06-01', calendar);
  const [, dossiersMs] = await timed(() =>
    bulkLoadDossiers(db, syntheticDossiers(src, calendar, { count: o.dossiers, year: 2026, tag: 'd', seed: 21 }), {
      actorId: null,
      transactionPrefix: 'bench-d',
      onProgress: (d) => o.onLoad?.(d, o.dossiers),
    }),
  );
  o.log(`${tag} loaded ${o.dossiers.toLocaleString('en')} dossiers with their II.06a counters in ${secs(dossiersMs)}`);
  const [assisted, assistedMs] = await timed(() => db.raw((c) => generateAssisted(c, o.assisted, size, NOW, sealed), { transaction: true }));
  const [, analyzeMs] = await timed(() => db.raw((c) => c.exec('ANALYZE')));
  o.log(`${tag} ${assisted.toLocaleString('en')} assisted applications in ${secs(assistedMs)}; ANALYZE ${secs(analyzeMs)}`);

  const villageIds = (await db.kysely.selectFrom('units').select('id').where('province_code', '=', BENCH_PROVINCE).where('level', '=', 'village').execute()).map((v) => v.id);
  const [backfill, backfillMs] = await timed(() => db.transaction((trx) => backfillRegisterHistory(trx, villageIds, NOW)));
  await db.raw((c) => c.exec('ANALYZE register_days'));
  const [, recountMs] = await timed(() => recountAllVillages(db, NOW));
  o.log(`${tag} register history: ${backfill.rows.toLocaleString('en')} daily rows for ${backfill.villages.toLocaleString('en')} villages in ${secs(backfillMs)}; the daily recount of every village then takes ${secs(recountMs)}`);

  const provinceId = (await db.kysely.selectFrom('units').select('id').where('code', '=', BENCH_PROVINCE).where('level', '=', 'province').executeTakeFirstOrThrow()).id;
  const { officer, cookie } = await signInLeader(db, provinceId);
  const [targets, targetsMs] = await timed(() => createCampaign(db, provinceId, officer.id));
  o.log(`${tag} campaign with ${targets.toLocaleString('en')} targets (every unit, every indicator) in ${secs(targetsMs)}`);
  o.log(`${tag} generation in all: ${secs(performance.now() - started)}`);
  return { provinceId, officer, cookie };
}

async function signInLeader(db: Db, provinceId: number): Promise<{ officer: Officer; cookie: string }> {
  return db.transaction(async (trx) => {
    const roles = [{ role: 'leader' as const, unitId: provinceId }];
    const id = await createOfficer(trx, { username: 'bench.lanhdao', displayName: 'Lãnh đạo tỉnh (thử tải)', password: 'bench-password-123', roles });
    const s = await createSession(trx, { userId: id }, { ttlHours: 24 * 365 * 10, ip: '127.0.0.1', userAgent: 'bench', now: NOW });
    return { officer: { id, username: 'bench.lanhdao', displayName: 'Lãnh đạo tỉnh (thử tải)', roles }, cookie: `${SESSION_COOKIE}=${s.token}` };
  });
}

/** The campaign of the whole province with the demo's targets split down to every village. */
async function createCampaign(db: Db, provinceId: number, createdBy: number): Promise<number> {
  const units = await db.kysely.selectFrom('units').select(['id', 'parent_id', 'level']).where('province_code', '=', BENCH_PROVINCE).execute();
  const figures = await sql<{ unit_id: number; adults: string; households: string }>`
    SELECT r.unit_id, sum(r.adults) AS adults, sum(r.households) AS households FROM register_days r JOIN units u ON u.id = r.unit_id
    WHERE u.province_code = ${BENCH_PROVINCE} AND r.day <= ${NOW.toISOString().slice(0, 10)}::date GROUP BY r.unit_id`.execute(db.kysely);
  const own = new Map(figures.rows.map((r) => [r.unit_id, { adults: Number(r.adults), households: Number(r.households) }]));
  const childrenOf = new Map<number, number[]>();
  for (const u of units) if (u.parent_id !== null) childrenOf.set(u.parent_id, [...(childrenOf.get(u.parent_id) ?? []), u.id]);
  const node = (id: number): TargetNode => {
    const children = (childrenOf.get(id) ?? []).sort((a, b) => a - b).map(node);
    const mine = own.get(id) ?? { adults: 0, households: 0 };
    return { id, children, adults: mine.adults + children.reduce((s, c) => s + c.adults, 0), households: mine.households + children.reduce((s, c) => s + c.households, 0) };
  };
  const root = node(provinceId);
  const targets = splitTargetsDown(root, { ...provinceTargets(root), blockers_resolved: Math.round(root.households / 10) });
  return db.transaction(async (trx) => {
    const { id } = await trx
      .insertInto('campaigns')
      .values({ name: 'Chiến dịch 92 ngày đêm 2026 (thử tải)', starts_on: '2026-09-01', ends_on: '2026-12-01', unit_id: provinceId, indicators: [...INDICATOR_KEYS], created_by: createdBy, created_at: NOW, updated_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rows = [...targets].flatMap(([unitId, m]) => [...m].map(([indicator, target]) => ({ campaign_id: id, unit_id: unitId, indicator, target, set_by: createdBy, set_at: NOW })));
    for (let i = 0; i < rows.length; i += 2000) await trx.insertInto('campaign_targets').values(rows.slice(i, i + 2000)).execute();
    return rows.length;
  });
}

// ---------------------------------------------------------------------------------------------
// Measuring

function summary(latencies: number[], requests: number, elapsedMs: number, statuses: Record<string, number>, errors: number): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p95 = percentile(sorted, 95);
  const ok = p95 < TARGET_P95_MS && errors === 0 && Object.keys(statuses).every((s) => s === '200');
  const st = Object.entries(statuses).map(([s, n]) => `${s}×${n}`).join(' ');
  return `${requests} requests, ${(requests / (elapsedMs / 1000)).toFixed(0)} req/s, p50 ${msText(percentile(sorted, 50))}, p95 ${msText(p95)}, p99 ${msText(percentile(sorted, 99))}, statuses ${st}, errors ${errors} → ${ok ? 'OK' : 'MISSED'} (target p95 < ${TARGET_P95_MS} ms)`;
}

/** One way of opening a page: over HTTP, or by calling the service in process. */
type Opener = () => Promise<{ status: number; bytes: number }>;

async function measurePage(name: string, open: Opener, load: () => Promise<string>, log: (line: string) => void): Promise<void> {
  const [{ status, bytes }, cold] = await timed(open);
  if (status !== 200) {
    log(`  ${name}: answered ${status}, skipped`);
    return;
  }
  const uncached: number[] = [];
  for (let i = 0; i < UNCACHED_RUNS; i++) {
    countersChanged();
    uncached.push((await timed(open))[1]);
  }
  uncached.sort((a, b) => a - b);
  const size = bytes > 0 ? ` (${(bytes / 1024).toFixed(0)} kB of HTML)` : '';
  log(`  ${name}: cold ${msText(cold)}${size}; uncached median ${msText(percentile(uncached, 50))}, worst ${msText(uncached[uncached.length - 1] ?? NaN)} (${UNCACHED_RUNS} runs)`);
  log(`  ${name}: under load: ${await load()}`);
}

async function inProcessLoad(call: () => Promise<unknown>, connections: number, durationMs: number): Promise<string> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await call();
        latencies.push(performance.now() - t);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return summary(latencies, latencies.length, performance.now() - start, { '200': latencies.length }, errors);
}

/** Records every query a piece of code runs through the Kysely instance it is given. */
class QueryCapture implements KyselyPlugin {
  readonly nodes: { node: RootOperationNode; queryId: PluginTransformQueryArgs['queryId'] }[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push({ node: args.node, queryId: args.queryId });
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

function labelOf(q: CompiledQuery): string {
  const text = q.sql.replace(/\s+/g, ' ');
  const tables = [...new Set([...text.matchAll(/\b(?:FROM|JOIN) ("?\w+"?)/gi)].map((m) => (m[1] ?? '').replace(/"/g, '')))].filter((t) => t !== 'units' && t !== 'r' && t !== 'x');
  const shape = /width_bucket/.test(text) ? 'by week' : /ancestor_ids\[/.test(text) ? 'by child' : 'other';
  return `${shape}: ${tables.join(', ') || 'units'} — ${text.slice(0, 70)}…`;
}

/** Runs the page once with every query captured, then EXPLAIN ANALYZE of each: the slowest first. */
async function explainPage(ctx: AppContext, officer: Officer, unit: string, log: (line: string) => void, top = 4): Promise<void> {
  const capture = new QueryCapture();
  const traced: Db = { ...ctx.db, kysely: ctx.db.kysely.withPlugin(capture) };
  await openDashboard({ ...ctx, db: traced }, officer, { unit });
  const executor = ctx.db.kysely.getExecutor();
  const plans: { label: string; ms: number; rows: number }[] = [];
  for (const { node, queryId } of capture.nodes) {
    const q = executor.compileQuery(node, queryId);
    if (!/^\s*(select|with)/i.test(q.sql)) continue;
    const rows = await ctx.db.raw((c) => c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.sql}`, [...q.parameters]));
    const raw = rows[0]?.['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { 'Execution Time': number; Plan: { 'Actual Rows': number } }[];
    plans.push({ label: labelOf(q), ms: plan[0]?.['Execution Time'] ?? NaN, rows: plan[0]?.Plan['Actual Rows'] ?? 0 });
  }
  plans.sort((a, b) => b.ms - a.ms);
  const total = plans.reduce((s, p) => s + p.ms, 0);
  log(`  ${unit}: ${plans.length} queries, ${msText(total)} of execution in all (EXPLAIN ANALYZE, one at a time); slowest:`);
  for (const p of plans.slice(0, top)) log(`    ${msText(p.ms).padStart(9)}  ${p.rows} rows  ${p.label}`);
}

/** What the province's dashboard says, to see that the generated data looks like a province in a campaign. */
async function describeProvince(ctx: AppContext, officer: Officer, log: (line: string) => void, tag: string): Promise<void> {
  const { dashboard: d } = await openDashboard(ctx, officer, { unit: BENCH_PROVINCE });
  const cell = (k: IndicatorKey) => {
    const c = d.total.cells[k];
    const v = c.value === null ? 'no data' : INDICATORS[k].kind === 'percent' ? `${c.value.toFixed(1)}%` : Math.round(c.value).toLocaleString('en');
    return `${k} ${v}${c.target === null ? '' : ` (target ${c.target.toLocaleString('en')})`}`;
  };
  const r = d.total.inputs.register;
  log(`${tag} the province's dashboard, ${d.period.from}..${d.period.to}: ${r.households.toLocaleString('en')} households, ${r.adults.toLocaleString('en')} adults; ${d.indicators.map(cell).join(', ')}`);
  const trend = (k: IndicatorKey) => d.weeks.map((w) => (w.values[k] === null ? '–' : (w.values[k] ?? 0).toFixed(INDICATORS[k].kind === 'percent' ? 1 : 0))).join(' ');
  log(`${tag} weekly: vneid2_pct ${trend('vneid2_pct')}; households_visited ${trend('households_visited')}`);
}

async function measure(ctx: AppContext, g: Generated, o: DashboardBenchOptions, tag: string): Promise<void> {
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const durationMs = o.seconds * 1000;
  try {
    const http = app.hasRoute({ method: 'GET', url: '/office/dashboard' });
    o.log(`${tag} dashboards ${http ? 'over HTTP (GET /office/dashboard)' : 'in process (openDashboard: GET /office/dashboard is not there yet)'}, ${o.connections} clients, ${o.seconds} s per page:`);
    const fetchOpen = (path: string, cookie: string | null): Opener => async () => {
      const res = await fetch(`${baseUrl}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
      return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
    };
    const httpLoad = (path: string, cookie: string) => async () => {
      await loadInWorker({ baseUrl, paths: [path], cookie, connections: o.connections, durationMs: 1_000 }); // warm-up
      const r = await loadInWorker({ baseUrl, paths: [path], cookie, connections: o.connections, durationMs });
      return summary(r.latenciesMs, r.requests, r.elapsedMs, r.statuses, r.errors);
    };
    for (const page of PAGES) {
      const name = `${page.name} ${page.unit}`;
      const path = `/office/dashboard?unit=${encodeURIComponent(page.unit)}`;
      if (http) await measurePage(name, fetchOpen(path, g.cookie), httpLoad(path, g.cookie), o.log);
      else {
        const call = () => openDashboard(ctx, g.officer, { unit: page.unit });
        const open: Opener = async () => {
          await call();
          return { status: 200, bytes: 0 };
        };
        await measurePage(name, open, () => inProcessLoad(call, o.connections, durationMs), o.log);
      }
    }
    if (app.hasRoute({ method: 'GET', url: '/performance' })) await measurePage('public performance page', fetchOpen('/performance', null), httpLoad('/performance', ''), o.log);
    else o.log('  public performance page: GET /performance is not there yet');
    o.log(`${tag} queries behind each dashboard (uncached):`);
    for (const page of PAGES) await explainPage(ctx, g.officer, page.unit, o.log);
    await describeProvince(ctx, g.officer, o.log, tag);
  } finally {
    await app.close();
  }
}

export async function benchDashboards(o: DashboardBenchOptions): Promise<void> {
  for (const engine of o.engines) {
    const tag = `[${engine}]`;
    const { db, dispose } = await benchDatabase(engine, o.serverUrl);
    try {
      const ctx = createContext(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }), db, pino({ level: 'silent' }), () => NOW);
      const g = await generate(db, ctx, o, tag);
      o.log(`${tag} peak RSS after generation: ${peakRssMb()} MB`);
      await measure(ctx, g, o, tag);
      o.log(`${tag} peak RSS so far: ${peakRssMb()} MB`);
    } finally {
      await dispose();
    }
  }
}
