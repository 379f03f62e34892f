/** `causo payments reconcile`: ask the gateway about payments pending 15 minutes or more and settle them. */
import { loadConfig } from '../config.ts';
import { Problem } from '../http/problem.ts';
import { openContext } from '../main.ts';
import { reconcilePayments } from '../modules/payments/service.ts';

export async function runPayments(args: string[]): Promise<void> {
  if (args[0] !== 'reconcile' || args.length > 1) throw new Problem(400, 'request.invalid', 'usage: causo payments reconcile');
  const ctx = await openContext(loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }));
  try {
    const summary = await reconcilePayments(ctx);
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (summary.errors) process.exitCode = 1;
  } finally {
    await ctx.db.close();
  }
}
