/**
 * `causo notify …`: the notification service from the command line.
 *   check-templates [--max-parts N] [--gsm7]  every SMS template in every language: encoding, characters, parts
 *   remind [--date YYYY-MM-DD]                 queue the team reminders for follow-ups due on that date (default tomorrow)
 *   send                                       hand everything due to the gateways now (the server does this on its own)
 */
import { z } from 'zod';
import { isLocalDate } from '@causo/domain';
import { loadConfig } from '../config.ts';
import { Problem } from '../http/problem.ts';
import { openContext } from '../main.ts';
import { checkSmsTemplates } from '../modules/notify/templates.ts';
import { sendFollowUpReminders } from '../modules/notify/reminders.ts';
import { deliverPending } from '../modules/notify/sender.ts';

const USAGE = 'usage: causo notify check-templates [--max-parts N] [--gsm7] | remind [--date YYYY-MM-DD] | send';

function checkTemplates(args: string[]): void {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const i = args.indexOf('--max-parts');
  const parsed = z.coerce.number().int().min(1).max(10).safeParse(i >= 0 ? args[i + 1] : config.SMS_MAX_PARTS);
  if (!parsed.success) throw new Problem(400, 'request.invalid', `--max-parts must be 1 to 10; ${USAGE}`);
  const gsm7 = args.includes('--gsm7') || config.SMS_GSM7_ONLY === 'true';
  const checks = checkSmsTemplates(parsed.data, gsm7);
  const width = Math.max(...checks.map((c) => c.key.length));
  process.stdout.write(`SMS templates at their longest (max ${parsed.data} parts${gsm7 ? ', without marks' : ''}):\n`);
  for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'OVER'} ${c.lang} ${c.key.padEnd(width)} ${c.encoding.padEnd(5)} ${String(c.length).padStart(4)} chars ${c.parts} part${c.parts === 1 ? '' : 's'}\n`);
  const over = checks.filter((c) => !c.ok).length;
  process.stdout.write(`${checks.length} templates, ${over} over the limit\n`);
  if (over) process.exitCode = 1;
}

export async function runNotify(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'check-templates') return checkTemplates(rest);
  if (sub !== 'remind' && sub !== 'send') throw new Problem(400, 'request.invalid', USAGE);
  const ctx = await openContext(loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }));
  try {
    if (sub === 'remind') {
      const i = rest.indexOf('--date');
      const date = i >= 0 ? rest[i + 1] : undefined;
      if (date !== undefined && !isLocalDate(date)) throw new Problem(400, 'request.invalid', `--date must be YYYY-MM-DD; ${USAGE}`);
      process.stdout.write(`${JSON.stringify(await sendFollowUpReminders(ctx, date), null, 2)}\n`);
    } else {
      let total = { sent: 0, retrying: 0, failed: 0, deferred: 0 };
      for (;;) {
        const r = await deliverPending(ctx, 200);
        total = { sent: total.sent + r.sent, retrying: total.retrying + r.retrying, failed: total.failed + r.failed, deferred: total.deferred + r.deferred };
        if (r.sent + r.retrying + r.failed + r.deferred < 200) break;
      }
      process.stdout.write(`${JSON.stringify(total, null, 2)}\n`);
      if (total.failed) process.exitCode = 1;
    }
  } finally {
    await ctx.adapters.sms.close?.();
    await ctx.adapters.email.close?.();
    await ctx.db.close();
  }
}
