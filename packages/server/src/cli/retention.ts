/**
 * `causo retention --dry-run|--apply`: what the retention periods (RETENTION_*) remove, per
 * kind and table. --dry-run only counts; --apply removes in batches and audits each kind.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { Problem } from '../http/problem.ts';
import { openContext } from '../main.ts';
import { runRetentionPolicy } from '../ops/retention.ts';
import { parseOptions } from './args.ts';

const Options = z.object({ 'dry-run': z.boolean().optional(), apply: z.boolean().optional() });

export async function runRetention(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, { 'dry-run': { type: 'boolean' }, apply: { type: 'boolean' } }, Options);
  if (positionals.length || values['dry-run'] === values.apply) throw new Problem(400, 'request.invalid', 'usage: causo retention --dry-run | --apply');
  const ctx = await openContext(loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }));
  try {
    const results = await runRetentionPolicy(ctx, { apply: values.apply === true, via: 'cli' });
    const verb = values.apply ? 'removed or blanked' : 'would be removed or blanked';
    for (const r of results) {
      const tables = Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ');
      process.stdout.write(`${r.kind.padEnd(17)} older than ${String(r.days).padStart(4)} days (before ${r.cutoff}): ${tables} ${verb}\n`);
    }
  } finally {
    await ctx.db.close();
  }
}
