import { z } from 'zod';
import type { BenchEngine } from '../bench/engines.ts';
import { parseOptions } from './args.ts';
import { progress } from './progress.ts';

const Options = z.object({
  rows: z.coerce.number().int().min(1000).max(10_000_000).default(1_000_000),
  engine: z.enum(['pglite', 'postgres', 'both']).default('both'),
});

/** `causo bench report|import`: prints the figures the issues ask for. */
export async function runBench(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, { rows: { type: 'string' }, engine: { type: 'string' } }, Options);
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  const engines: BenchEngine[] = values.engine === 'both' ? (serverUrl ? ['pglite', 'postgres'] : ['pglite']) : [values.engine];
  if (values.engine === 'both' && !serverUrl) process.stdout.write('(no BENCH_DATABASE_URL: PostgreSQL skipped)\n');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const what = positionals[0];
  if (what === 'report') {
    const { benchReport } = await import('../bench/reportBench.ts');
    const bar = progress('Nạp hồ sơ');
    await benchReport({ engines, rows: values.rows, serverUrl, log, onLoad: (d, t) => bar.update(d, t) });
  } else if (what === 'import') {
    const { benchImport } = await import('../bench/importBench.ts');
    for (const engine of engines) await benchImport({ rows: values.rows, engine, databaseUrl: serverUrl, log });
  } else throw new Error('usage: causo bench report|import [--rows N] [--engine pglite|postgres|both]');
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  log(`peak RSS: ${rss} MB`);
}
