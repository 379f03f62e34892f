/**
 * `causo people export --cccd N [--phone P] --out FILE`: everything held about one person, as
 * one ZIP, for a data-subject request (modules/people/subjectExport.ts). Whoever runs it holds
 * DATA_KEY on the server, so it sees every unit; the export is audited all the same.
 */
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { Problem } from '../http/problem.ts';
import { openContext } from '../main.ts';
import { exportSubject, parseSubjectQuery } from '../modules/people/subjectExport.ts';
import { parseOptions } from './args.ts';

const USAGE = 'usage: causo people export --cccd 12DIGITS [--phone 0912345678] --out FILE.zip';
const Options = z.object({ cccd: z.string().optional(), phone: z.string().optional(), out: z.string().min(1, 'the file to write, e.g. --out nguoi-dan.zip') });

export async function runPeople(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, { cccd: { type: 'string' }, phone: { type: 'string' }, out: { type: 'string' } }, Options);
  if (positionals[0] !== 'export' || positionals.length > 1) throw new Problem(400, 'request.invalid', USAGE);
  const query = parseSubjectQuery({ cccd: values.cccd, phone: values.phone });
  const ctx = await openContext(loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }));
  try {
    const archive = await exportSubject(ctx, query, 'all', { actorId: null, via: 'cli', userAgent: `causo-cli (${userInfo().username})` });
    writeFileSync(values.out, archive.zip, { mode: 0o600 });
    const found = Object.entries(archive.counts).filter(([, n]) => n > 0);
    process.stdout.write(`${values.out}: ${archive.zip.length} bytes, ${archive.files} file(s)\n${found.length ? found.map(([k, n]) => `  ${k}: ${n}`).join('\n') : '  nothing held about this person'}\n`);
  } finally {
    await ctx.db.close();
  }
}
