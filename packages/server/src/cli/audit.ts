/**
 * `causo audit verify [--anchor SEQ:HASH]`: chains any entries still waiting, recomputes the
 * whole audit chain, and reports every break (which entry, expected vs found) with exit code 1.
 * Keep the printed head somewhere outside the database (a ticket, the backup log) and pass it
 * back as --anchor next time: that also catches entries cut off the end of the chain.
 */
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openContext } from '../main.ts';
import { verifyAuditChain, type ChainBreak } from '../modules/audit/chain.ts';
import { parseOptions } from './args.ts';

const Options = z.object({
  anchor: z
    .string()
    .regex(/^\d+:[0-9a-f]{64}$/, 'SEQ:HASH as printed by an earlier run, e.g. 1200:3f2a…')
    .optional(),
});

const PROBLEM_TEXT: Record<ChainBreak['problem'], string> = {
  hash_mismatch: 'the entry was changed after it was chained (its hash does not match its content)',
  prev_mismatch: 'the link to the entry before it is broken (an entry before it was changed or replaced)',
  gap: 'entries are missing before this one',
  anchor_mismatch: 'the chain no longer holds the anchor given with --anchor',
};

export function describeBreak(b: ChainBreak): string {
  const where = b.id === null ? `entry #${b.seq}` : `entry #${b.seq} (id ${b.id}, ${b.at}, ${b.action})`;
  return `${where}: ${PROBLEM_TEXT[b.problem]}\n    expected ${b.expected}\n    found    ${b.found}`;
}

export async function runAudit(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, { anchor: { type: 'string' } }, Options);
  if (positionals[0] !== 'verify') throw new Error('usage: causo audit verify [--anchor SEQ:HASH]');
  const anchor = values.anchor ? { seq: Number(values.anchor.split(':')[0]), hash: values.anchor.split(':')[1] ?? '' } : undefined;
  const ctx = await openContext(loadConfig());
  try {
    await migrate(ctx.db);
    const report = await verifyAuditChain(ctx.db, { anchor, maxBreaks: 50 });
    if (report.breaks.length) {
      process.stdout.write(`${report.entries} entries, chain BROKEN at ${report.breaks.length}${report.breaks.length === 50 ? '+' : ''} place(s):\n`);
      for (const b of report.breaks) process.stdout.write(`  ${describeBreak(b)}\n`);
      process.exitCode = 1;
      return;
    }
    const head = report.head ? `; head #${report.head.seq} ${report.head.hash} (keep it: --anchor ${report.head.seq}:${report.head.hash})` : '';
    process.stdout.write(`${report.entries} entries, chain intact${head}\n`);
  } finally {
    await ctx.db.close();
  }
}
