/**
 * `causo bench backoffice`: the back office under load from 20 officers at once, on loopback.
 * Loads a province (Bình Phước 2022) with `rows` synthetic dossiers, `communeRows` of them in
 * one commune, starts the real server on that database, signs in a one-stop officer of the
 * commune and a province leader, and drives the work-queue pages and the II.06a report page
 * from a worker thread with 20 keep-alive connections. Prints p50/p95/p99 server response
 * times against the targets (queues p95 < 200 ms, report page p95 < 300 ms).
 */
import pino from 'pino';
import { loadConfig } from '../config.ts';
import { createContext } from '../context.ts';
import type { Db } from '../db/database.ts';
import { buildApp } from '../http/app.ts';
import { SESSION_COOKIE } from '../http/auth.ts';
import { createOfficer } from '../modules/auth/service.ts';
import { createSession } from '../modules/auth/sessions.ts';
import { bulkLoadDossiers } from '../modules/dossiers/bulkLoad.ts';
import { CalendarService } from '../modules/calendar/service.ts';
import { benchDatabase, peakRssMb, percentile, type BenchEngine } from './engines.ts';
import { loadInWorker, type LoadResult } from './httpLoad.ts';
import { syntheticDossiers, syntheticSource } from './syntheticDossiers.ts';

export interface BackofficeBenchOptions {
  engines: BenchEngine[];
  rows: number;
  communeRows: number;
  seconds: number;
  connections: number;
  serverUrl?: string | undefined;
  log: (line: string) => void;
  onLoad?: (done: number, total: number) => void;
}

/** The commune whose desk is measured (Hưng Phước, Bù Đốp, in 2022) and the moment "now". */
const COMMUNE = '25309';
const PROVINCE = '70';
const NOW = new Date('2022-12-28T09:30:00+07:00');

/** The pages an officer keeps open all day: each queue tab, a filter, a name search. */
export const QUEUE_PATHS = [
  '/office',
  '/office?tab=new',
  '/office?tab=processing',
  '/office?tab=supplement',
  '/office?tab=due_soon',
  '/office?tab=overdue',
  '/office?tab=finished_today',
  '/office?tab=processing&q=nguyen%20van',
];

/** The province report as leaders open it: this period by unit, by sector, a district. */
export const REPORT_PATHS = [
  '/office/reports/ii06a?unit=70&from=2022-11-15&to=2022-12-14',
  '/office/reports/ii06a?unit=70&from=2022-11-15&to=2022-12-14&by=sector',
  '/office/reports/ii06a?unit=693&from=2022-11-15&to=2022-12-14',
  '/office/reports/ii06a?unit=70&from=2021-12-15&to=2022-12-14',
];

async function unitIdOf(db: Db, code: string): Promise<number> {
  const u = await db.kysely
    .selectFrom('units')
    .select('id')
    .where('code', '=', code)
    .where('valid_from', '<=', '2022-06-01')
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', '2022-06-01')]))
    .executeTakeFirstOrThrow();
  return u.id;
}

async function sessionFor(db: Db, username: string, role: 'officer' | 'leader', unitId: number): Promise<string> {
  return db.transaction(async (trx) => {
    const userId = await createOfficer(trx, { username, displayName: username, password: 'bench-password-123', roles: [{ role, unitId }] });
    const s = await createSession(trx, { userId }, { ttlHours: 24 * 365 * 10, ip: '127.0.0.1', userAgent: 'bench', now: NOW });
    return `${SESSION_COOKIE}=${s.token}`;
  });
}

function summarise(name: string, r: LoadResult, targetP95: number): string {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const p = (q: number) => percentile(sorted, q).toFixed(1);
  const rps = (r.requests / (r.elapsedMs / 1000)).toFixed(0);
  const p95 = percentile(sorted, 95);
  const statuses = Object.entries(r.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  const ok = p95 < targetP95 && r.errors === 0 && Object.keys(r.statuses).every((s) => s === '200');
  return `${name}: ${r.requests} requests, ${rps} req/s, p50 ${p(50)} ms, p95 ${p(95)} ms, p99 ${p(99)} ms, statuses ${statuses}, errors ${r.errors} → ${ok ? 'OK' : 'MISSED'} (target p95 < ${targetP95} ms)`;
}

export async function benchBackoffice(o: BackofficeBenchOptions): Promise<void> {
  for (const engine of o.engines) {
    const { db, dispose } = await benchDatabase(engine, o.serverUrl);
    try {
      const calendar = await new CalendarService(db).calendar();
      const src = await syntheticSource(db, PROVINCE, '2022-06-01', calendar);
      const communeId = await unitIdOf(db, COMMUNE);
      const only = { ...src, communes: src.communes.filter((c) => c.id === communeId) };
      const t0 = performance.now();
      const spread = Math.max(0, o.rows - o.communeRows);
      await bulkLoadDossiers(db, syntheticDossiers(src, calendar, { count: spread, year: 2022, tag: 'p', seed: 11 }), {
        actorId: null,
        transactionPrefix: 'bench-p',
        onProgress: (d) => o.onLoad?.(d, o.rows),
      });
      await bulkLoadDossiers(db, syntheticDossiers(only, calendar, { count: o.communeRows, year: 2022, tag: 'c', seed: 12 }), {
        actorId: null,
        transactionPrefix: 'bench-c',
        onProgress: (d) => o.onLoad?.(spread + d, o.rows),
      });
      const inCommune = await db.kysely.selectFrom('dossiers').select((eb) => eb.fn.countAll<number>().as('n')).where('unit_id', '=', communeId).executeTakeFirstOrThrow();
      o.log(`[${engine}] loaded ${o.rows.toLocaleString('en')} dossiers (${Number(inCommune.n).toLocaleString('en')} in commune ${COMMUNE}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

      const ctx = createContext(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }), db, pino({ level: 'silent' }), () => NOW);
      const officerCookie = await sessionFor(db, 'bench.motcua', 'officer', communeId);
      const leaderCookie = await sessionFor(db, 'bench.lanhdao', 'leader', await unitIdOf(db, PROVINCE));
      const app = await buildApp(ctx);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const addr = app.server.address();
      const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      try {
        const run = async (name: string, paths: string[], cookie: string, target: number) => {
          for (const path of paths) {
            const res = await fetch(`${baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
            if (res.status !== 200) throw new Error(`${path} answered ${res.status}: the bench needs every page to answer 200`);
            await res.arrayBuffer();
          }
          await loadInWorker({ baseUrl, paths, cookie, connections: o.connections, durationMs: 2_000 }); // warm-up
          const r = await loadInWorker({ baseUrl, paths, cookie, connections: o.connections, durationMs: o.seconds * 1000 });
          o.log(`[${engine}] ${summarise(name, r, target)}`);
        };
        await run(`work queues, commune ${COMMUNE}, ${o.connections} officers`, QUEUE_PATHS, officerCookie, 200);
        await run(`II.06a report page, province ${PROVINCE}, ${o.connections} leaders`, REPORT_PATHS, leaderCookie, 300);
      } finally {
        await app.close();
      }
      o.log(`[${engine}] peak RSS so far: ${peakRssMb()} MB`);
    } finally {
      await dispose();
    }
  }
}
