import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { openContext } from '../main.ts';
import { periodOf } from '../modules/reports/routes.ts';
import { ii06aReport } from '../modules/reports/service.ts';
import { renderIi06aCsv } from '../modules/reports/ii06aCsv.ts';
import { renderIi06aXlsx } from '../modules/reports/ii06aXlsx.ts';
import { parseOptions } from './args.ts';

const Options = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  preset: z.enum(['month', 'quarter', 'half', 'nine_months', 'year']).optional(),
  year: z.coerce.number().int().optional(),
  index: z.coerce.number().int().optional(),
  unit: z.string().optional(),
  by: z.enum(['unit', 'sector']).default('unit'),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  lang: z.enum(['vi', 'en']).default('vi'),
  out: z.string().optional(),
});

export async function runReport(args: string[]): Promise<void> {
  const s = { type: 'string' } as const;
  const { values, positionals } = parseOptions(args, { from: s, to: s, preset: s, year: s, index: s, unit: s, by: s, format: s, lang: s, out: s }, Options);
  if (positionals[0] !== 'ii06a') throw new Error('usage: causo report ii06a --from YYYY-MM-DD --to YYYY-MM-DD [...]');
  const period = periodOf(values);
  if (values.format === 'xlsx' && !values.out) throw new Error('--format xlsx needs --out FILE.xlsx');
  const ctx = await openContext(loadConfig({ ...process.env, LOG_LEVEL: 'warn' }));
  try {
    const report = await ii06aReport(ctx.db.kysely, { period, unitCode: values.unit, by: values.by });
    const body = values.format === 'xlsx' ? await renderIi06aXlsx(report) : values.format === 'csv' ? renderIi06aCsv(report, values.lang) : `${JSON.stringify(report, null, 2)}\n`;
    if (values.out) writeFileSync(values.out, body);
    else process.stdout.write(body);
    const failed = report.checks.filter((c) => !c.ok);
    if (failed.length) process.stderr.write(`checks failed: ${failed.map((c) => `${c.row} ${c.detail}`).join('; ')}\n`);
  } finally {
    await ctx.db.close();
  }
}
