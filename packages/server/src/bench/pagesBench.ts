/**
 * `causo bench pages`: what each citizen page costs a resident on 2G. The server runs on
 * loopback with an in-memory PGlite database holding the demo; Debian's Chromium loads each page
 * in a fresh profile (empty cache) with JavaScript disabled, 800 ms latency, 250 kbit/s down,
 * 50 kbit/s up and a 4× slower CPU (DevTools protocol emulation), and we report the bytes that
 * crossed the network (compressed, headers included, every response: HTML, CSS, JS, images) and
 * the first contentful paint.
 *
 * First contentful paint comes from the `firstContentfulPaint` lifecycle event that Chromium
 * sends over CDP, measured from the moment the page's document request was sent. The page's own
 * Paint Timing API (`performance.getEntriesByType('paint')`) stays empty when scripts are
 * disabled, so it cannot be used here; with scripts on, the two agree within a few milliseconds.
 */
import { availableParallelism, loadavg } from 'node:os';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { buildApp } from '../http/app.ts';
import { SESSION_COOKIE } from '../http/auth.ts';
import { createSession } from '../modules/auth/sessions.ts';
import { seedDemo } from '../seed/demo.ts';
import { DEMO_CITIZENS } from '../modules/people/demoCitizens.ts';

/** The 2G profile of issue 3 and the targets every citizen page must meet on it. */
export interface NetworkProfile {
  latencyMs: number;
  downKbps: number;
  upKbps: number;
  cpuSlowdown: number;
}
export const PROFILE: NetworkProfile = { latencyMs: 800, downKbps: 250, upKbps: 50, cpuSlowdown: 4 };
export const TARGETS = { maxBytes: 30 * 1024, maxFcpMs: 2500 } as const;

/** Same Chromium and flags as the browser tests (test/support/browser.ts): nothing calls home. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

export interface BenchPage {
  name: string;
  /** Path and query on the running server. */
  path: string;
  /** A `Cookie` header value (e.g. a signed-in citizen's session) sent with every request. */
  cookie?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  baseUrl: string;
}

/**
 * A signed-in citizen for pages behind `config: { citizen: true }`: the first demo citizen, who
 * has a dossier waiting for a paper (status 5) and one waiting for its fee (status 6).
 */
async function benchCitizen(ctx: AppContext): Promise<{ cookie: string; supplementCode: string | null; feeCode: string | null }> {
  const lan = DEMO_CITIZENS[0];
  return ctx.db.transaction(async (trx) => {
    const { id } = await trx.selectFrom('citizens').select('id').where('id_hash', '=', ctx.vault.lookupHash('id', lan.idNumber)).executeTakeFirstOrThrow();
    const own = await trx.selectFrom('dossiers').select(['code', 'status']).where('citizen_id', '=', id).execute();
    const s = await createSession(trx, { citizenId: id }, { ttlHours: 2, ip: '127.0.0.1', userAgent: 'bench', now: ctx.now() });
    return {
      cookie: `${SESSION_COOKIE}=${s.token}`,
      supplementCode: own.find((d) => d.status === 5)?.code ?? null,
      feeCode: own.find((d) => d.status === 6)?.code ?? null,
    };
  });
}

/** Pages that need a signed-in citizen; each is measured only if its route exists on this server. */
function signedInCandidates(c: { supplementCode: string | null; feeCode: string | null }): BenchPage[] {
  const pages: BenchPage[] = [
    { name: 'my dossiers', path: '/my' },
    { name: 'apply: first question', path: '/apply/1.001193' },
  ];
  if (c.supplementCode)
    pages.push(
      { name: 'my dossier (supplement asked)', path: `/my/${c.supplementCode}` },
      { name: 'answer a supplement request', path: `/my/${c.supplementCode}/supplement` },
      { name: 'withdraw a dossier', path: `/my/${c.supplementCode}/withdraw` },
    );
  if (c.feeCode) pages.push({ name: 'pay a fee', path: `/my/${c.feeCode}/pay` });
  return pages;
}

/**
 * Every citizen page to measure. Public pages are always listed (a page not built yet shows its
 * status); signed-in pages are added when the server answers them with something other than 404.
 * Add a page here and it is measured.
 */
export async function citizenPages(server: RunningServer): Promise<BenchPage[]> {
  const pages: BenchPage[] = [
    { name: 'home', path: '/' },
    { name: 'all services', path: '/services' },
    { name: 'services for a life event', path: '/services?event=birth' },
    { name: 'search', path: '/services/search?q=dang+ky+khai+sinh' },
    { name: 'procedure (free)', path: '/services/1.001193' },
    { name: 'procedure (fees)', path: '/services/1.004222' },
    { name: 'procedure (English)', path: '/services/1.001193?lang=en' },
    { name: 'track a dossier', path: '/track' },
    { name: 'sign in', path: '/sign-in' },
    { name: 'open an account', path: '/account/new' },
    { name: 'glossary', path: '/glossary' },
    { name: 'help', path: '/help' },
  ];
  const citizen = await benchCitizen(server.ctx);
  const cookie = citizen.cookie;
  for (const candidate of signedInCandidates(citizen)) {
    const res = await fetch(`${server.baseUrl}${candidate.path}`, { headers: { cookie }, redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status !== 404) pages.push({ ...candidate, cookie });
  }
  return pages;
}

export interface PageFigures {
  page: BenchPage;
  status: number;
  /** Where the page ended up when it redirected. */
  finalPath: string;
  encoding: string;
  requests: number;
  bytes: number;
  /** Time to the document's first byte, from the same start as FCP: latency plus server time. */
  ttfbMs: number | null;
  fcpMs: number | null;
}

/** Starts the platform on loopback with the demo in an in-memory PGlite database. */
export async function startBenchServer(): Promise<RunningServer & { close: () => Promise<void> }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', COOKIE_SECURE: 'false', SEED_DEMO: 'false' });
  const db = await openDatabase({ dataDir: 'memory://' });
  await migrate(db);
  const ctx = createContext(config, db, pino({ level: 'silent' }));
  await seedDemo(ctx);
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    ctx,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

type Chromium = typeof import('playwright-core').chromium;
type Browser = Awaited<ReturnType<Chromium['launch']>>;

/** One page in a fresh browser context: empty cache, no cookies but the page's own. */
export async function measurePage(browser: Browser, baseUrl: string, page: BenchPage, opts: { js: boolean; profile?: NetworkProfile; warm?: boolean }): Promise<PageFigures> {
  const profile = opts.profile ?? PROFILE;
  const context = await browser.newContext({ javaScriptEnabled: opts.js, locale: 'vi-VN', viewport: { width: 390, height: 800 } });
  try {
    if (page.cookie) {
      const cookies = page.cookie.split(';').map((c) => {
        const [name = '', ...rest] = c.trim().split('=');
        return { name, value: rest.join('='), url: baseUrl };
      });
      await context.addCookies(cookies);
    }
    const tab = await context.newPage();
    if (opts.warm ?? true) {
      // Start the site's renderer process before measuring: spawning it is the browser's cost,
      // not the page's, and a phone's browser usually has one ready. The cache stays off below.
      await tab.goto(`${baseUrl}/healthz`);
    }
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Page.enable');
    await cdp.send('Page.setLifecycleEventsEnabled', { enabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile.latencyMs,
      downloadThroughput: (profile.downKbps * 1000) / 8,
      uploadThroughput: (profile.upKbps * 1000) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpuSlowdown });

    let navigationStart: number | null = null;
    let fcpAt: number | null = null;
    let bytes = 0;
    let requests = 0;
    let status = 0;
    let encoding = '';
    let documentId: string | null = null;
    let loaderId: string | null = null;
    let firstByteAt: number | null = null;
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.type === 'Document' && navigationStart === null) {
        navigationStart = e.timestamp;
        loaderId = e.loaderId;
      }
      if (e.type === 'Document') documentId = e.requestId;
      // A redirect hop never gets loadingFinished: its bytes come with the next request.
      if (e.redirectResponse) bytes += e.redirectResponse.encodedDataLength;
      if (!e.redirectResponse) requests += 1;
    });
    cdp.on('Network.responseReceived', (e) => {
      if (e.requestId !== documentId) return;
      status = e.response.status;
      firstByteAt = e.timestamp;
      const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      encoding = headers['content-encoding'] ?? 'none';
    });
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength;
    });
    const fcp = new Promise<void>((resolve) => {
      cdp.on('Page.lifecycleEvent', (e) => {
        // Only our navigation's paint: not a replay of the warm-up document's lifecycle.
        if (e.name === 'firstContentfulPaint' && fcpAt === null && e.loaderId === loaderId) {
          fcpAt = e.timestamp;
          resolve();
        }
      });
    });
    await tab.goto(`${baseUrl}${page.path}`, { waitUntil: 'load', timeout: 120_000 });
    // FCP normally fires before load; a blank page never paints content, so do not wait forever.
    await Promise.race([fcp, new Promise((r) => setTimeout(r, 5_000))]);
    const finalPath = tab.url().slice(baseUrl.length);
    const fcpMs = fcpAt !== null && navigationStart !== null ? Math.round((fcpAt - navigationStart) * 1000) : null;
    const ttfbMs = firstByteAt !== null && navigationStart !== null ? Math.round((firstByteAt - navigationStart) * 1000) : null;
    return { page, status, finalPath, encoding, requests, bytes, ttfbMs, fcpMs };
  } finally {
    await context.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export function meetsTargets(f: PageFigures): boolean {
  return f.status >= 200 && f.status < 400 && f.bytes < TARGETS.maxBytes && f.fcpMs !== null && f.fcpMs < TARGETS.maxFcpMs;
}

export function formatTable(rows: PageFigures[]): string[] {
  const head = [pad('page', 26), pad('path', 36), padLeft('status', 6), padLeft('req', 4), pad('enc', 5), padLeft('transferred', 12), padLeft('1st byte', 8), padLeft('FCP', 8), ' verdict'].join(' ');
  const lines = [head, '-'.repeat(head.length)];
  for (const r of rows) {
    const path = r.finalPath !== r.page.path ? `${r.page.path} → ${r.finalPath}` : r.page.path;
    const problems = [
      r.status < 200 || r.status >= 400 ? `HTTP ${r.status}` : null,
      r.bytes >= TARGETS.maxBytes ? 'too heavy' : null,
      r.fcpMs === null ? 'no paint' : r.fcpMs >= TARGETS.maxFcpMs ? 'too slow' : null,
    ].filter(Boolean);
    lines.push(
      [
        pad(r.page.name + (r.page.cookie ? ' *' : ''), 26),
        pad(path, 36),
        padLeft(String(r.status), 6),
        padLeft(String(r.requests), 4),
        pad(r.encoding, 5),
        padLeft(kb(r.bytes), 12),
        padLeft(r.ttfbMs === null ? '–' : `${r.ttfbMs} ms`, 8),
        padLeft(r.fcpMs === null ? '–' : `${r.fcpMs} ms`, 8),
        ` ${problems.length ? `MISS (${problems.join(', ')})` : 'ok'}`,
      ].join(' '),
    );
  }
  return lines;
}

/** Paint times wobble with the machine's load: each page is loaded this many times, the median kept. */
const RUNS = 3;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function medianRun(runs: PageFigures[]): PageFigures {
  const last = runs[runs.length - 1];
  if (!last) throw new Error('no runs');
  const painted = runs.flatMap((r) => (r.fcpMs === null ? [] : [r.fcpMs]));
  const firstBytes = runs.flatMap((r) => (r.ttfbMs === null ? [] : [r.ttfbMs]));
  return {
    ...last,
    bytes: Math.max(...runs.map((r) => r.bytes)),
    fcpMs: painted.length === runs.length ? median(painted) : null,
    ttfbMs: firstBytes.length ? median(firstBytes) : null,
  };
}

export async function benchPages(opts: { log: (line: string) => void; js?: boolean }): Promise<PageFigures[]> {
  const js = opts.js ?? false;
  const { chromium } = await import('playwright-core');
  const server = await startBenchServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const pages = await citizenPages(server);
    opts.log(
      `Citizen pages on 2G: ${PROFILE.latencyMs} ms latency, ${PROFILE.downKbps} kbit/s down, ${PROFILE.upKbps} kbit/s up, CPU ${PROFILE.cpuSlowdown}× slower, JavaScript ${js ? 'on' : 'off'}, empty cache; median of ${RUNS} loads.`,
    );
    const [load1] = loadavg();
    if ((load1 ?? 0) > availableParallelism()) opts.log(`(machine load ${(load1 ?? 0).toFixed(1)} on ${availableParallelism()} CPUs: paint times come out slower than on a quiet machine)`);
    const rows: PageFigures[] = [];
    for (const page of pages) {
      const runs: PageFigures[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measurePage(browser, server.baseUrl, page, { js }));
      rows.push(medianRun(runs));
    }
    for (const line of formatTable(rows)) opts.log(line);
    if (rows.some((r) => r.page.cookie)) opts.log('* signed in as a citizen');
    const missed = rows.filter((r) => !meetsTargets(r));
    const heaviest = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const slowest = rows.reduce((a, b) => ((b.fcpMs ?? Infinity) > (a.fcpMs ?? Infinity) ? b : a));
    opts.log(`heaviest: ${heaviest.page.name} ${kb(heaviest.bytes)}; slowest first paint: ${slowest.page.name} ${slowest.fcpMs ?? '–'} ms`);
    opts.log(
      missed.length === 0
        ? `verdict: all ${rows.length} pages meet the targets (under ${kb(TARGETS.maxBytes)} transferred, first contentful paint under ${TARGETS.maxFcpMs} ms)`
        : `verdict: ${missed.length} of ${rows.length} pages miss the targets (under ${kb(TARGETS.maxBytes)}, FCP under ${TARGETS.maxFcpMs} ms): ${missed.map((r) => r.page.name).join(', ')}`,
    );
    return rows;
  } finally {
    await browser.close();
    await server.close();
  }
}
