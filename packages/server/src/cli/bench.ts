import { z } from 'zod';
import type { BenchEngine } from '../bench/engines.ts';
import { parseOptions } from './args.ts';
import { progress } from './progress.ts';

const Options = z.object({
  rows: z.coerce.number().int().min(1000).max(10_000_000).default(1_000_000),
  engine: z.enum(['pglite', 'postgres', 'both']).default('both'),
  'commune-rows': z.coerce.number().int().min(0).max(1_000_000).default(50_000),
  seconds: z.coerce.number().int().min(1).max(600).default(15),
  connections: z.coerce.number().int().min(1).max(200).default(20),
  villages: z.coerce.number().int().min(100).max(9_900).default(1_000),
  households: z.coerce.number().int().min(1_000).max(5_000_000).default(200_000),
  dossiers: z.coerce.number().int().min(1_000).max(10_000_000).default(1_000_000),
  assisted: z.coerce.number().int().min(0).max(1_000_000).default(5_000),
  rate: z.coerce.number().int().min(1).max(5_000).default(200),
  'interval-ms': z.coerce.number().int().min(10).max(600_000).optional(),
  'receipt-delay-ms': z.coerce.number().int().min(0).max(60_000).optional(),
});

/** `causo bench report|import|pages|backoffice|sync|dashboards|notify|load|soak`: prints the figures the issues ask for. */
export async function runBench(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(
    args,
    {
      rows: { type: 'string' },
      engine: { type: 'string' },
      'commune-rows': { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      villages: { type: 'string' },
      households: { type: 'string' },
      dossiers: { type: 'string' },
      assisted: { type: 'string' },
      rate: { type: 'string' },
      'interval-ms': { type: 'string' },
      'receipt-delay-ms': { type: 'string' },
    },
    Options,
  );
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  const engines: BenchEngine[] = values.engine === 'both' ? (serverUrl ? ['pglite', 'postgres'] : ['pglite']) : [values.engine];
  if (values.engine === 'both' && !serverUrl && positionals[0] !== 'pages') process.stdout.write('(no BENCH_DATABASE_URL: PostgreSQL skipped)\n');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const what = positionals[0];
  if (what === 'report') {
    const { benchReport } = await import('../bench/reportBench.ts');
    const bar = progress('Nạp hồ sơ');
    await benchReport({ engines, rows: values.rows, serverUrl, log, onLoad: (d, t) => bar.update(d, t) });
  } else if (what === 'import') {
    const { benchImport } = await import('../bench/importBench.ts');
    for (const engine of engines) await benchImport({ rows: values.rows, engine, databaseUrl: serverUrl, log });
  } else if (what === 'pages') {
    const { benchPages } = await import('../bench/pagesBench.ts');
    await benchPages({ log });
  } else if (what === 'backoffice') {
    const { benchBackoffice } = await import('../bench/backofficeBench.ts');
    const bar = progress('Nạp hồ sơ');
    const communeRows = Math.min(values['commune-rows'], values.rows);
    await benchBackoffice({ engines, rows: values.rows, communeRows, seconds: values.seconds, connections: values.connections, serverUrl, log, onLoad: (d, t) => bar.update(d, t) });
  } else if (what === 'sync') {
    const { benchSync } = await import('../bench/syncBench.ts');
    await benchSync({ engines, serverUrl, log });
  } else if (what === 'dashboards') {
    const { benchDashboards } = await import('../bench/dashboardBench.ts');
    const bar = progress('Nạp hồ sơ');
    const { villages, households, dossiers, assisted, seconds, connections } = values;
    await benchDashboards({ engines, villages, households, dossiers, assisted, seconds, connections, serverUrl, log, onLoad: (d, t) => bar.update(d, t) });
  } else if (what === 'load') {
    const { benchLoad } = await import('../bench/loadBench.ts');
    const serverNodeArgs = (process.env.LOAD_SERVER_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
    const connections = args.some((a) => a === '--connections' || a.startsWith('--connections=')) ? values.connections : 16;
    await benchLoad({ engines, seconds: values.seconds, connections, serverUrl, log, serverNodeArgs });
  } else if (what === 'soak') {
    const { soak } = await import('../bench/loadBench.ts');
    // Ten minutes unless --seconds is given, on each engine in turn.
    const seconds = args.some((a) => a === '--seconds' || a.startsWith('--seconds=')) ? values.seconds : 600;
    const connections = args.some((a) => a === '--connections' || a.startsWith('--connections=')) ? values.connections : 16;
    for (const engine of engines) await soak({ engine, seconds, sampleSeconds: 10, shape: { connections }, serverUrl, log });
  } else if (what === 'notify') {
    const { benchNotify } = await import('../bench/notify.ts');
    // This bench runs 30 s unless --seconds is given (the option's default of 15 is the HTTP benches').
    const seconds = args.some((a) => a === '--seconds' || a.startsWith('--seconds=')) ? values.seconds : 30;
    await benchNotify({ engines, serverUrl, log, seconds, rate: values.rate, intervalMs: values['interval-ms'], receiptDelayMs: values['receipt-delay-ms'] });
  } else
    throw new Error(
      'usage: causo bench report|import|pages|backoffice|sync|dashboards|notify|load|soak [--rows N] [--engine pglite|postgres|both] [--commune-rows N --seconds S --connections C] [--villages N --households N --dossiers N --assisted N] [--seconds S --rate N --interval-ms MS --receipt-delay-ms MS] [load|soak: --seconds S --connections C]',
    );
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  log(`peak RSS: ${rss} MB`);
}
