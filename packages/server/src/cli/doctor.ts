/** `causo doctor [--json] [--timeout-ms N]`: checks the installation, prints what to fix; exit 1 on a failure. */
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { createSmsGateway } from '../adapters/sms/factory.ts';
import { createEmailGateway } from '../adapters/email/factory.ts';
import { diskOf, runChecks } from '../ops/doctor/checks.ts';
import { failed, renderText } from '../ops/doctor/render.ts';
import { parseOptions } from './args.ts';

const Options = z.object({
  json: z.boolean().default(false),
  'timeout-ms': z.coerce.number().int().min(100).max(120_000).default(5_000),
});

export async function runDoctor(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { json: { type: 'boolean' }, 'timeout-ms': { type: 'string' } }, Options);
  const config = loadConfig();
  const sms = createSmsGateway(config);
  const email = createEmailGateway(config);
  const results = await runChecks({
    config,
    now: () => new Date(),
    sms,
    email,
    diskOf,
    ntpSynchronized: async () => {
      const r = spawnSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8', timeout: 3000 });
      return r.status === 0 ? r.stdout.trim() === 'yes' : null;
    },
    readyz: async (url) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(values['timeout-ms']) });
      return { status: res.status, body: await res.json().catch(() => ({})) };
    },
    timeoutMs: values['timeout-ms'],
  });
  await sms.close?.();
  await email.close?.();
  process.stdout.write(values.json ? `${JSON.stringify({ ok: !failed(results), checks: results }, null, 2)}\n` : renderText(results));
  // Sockets a timed-out check left open must not keep the command alive.
  process.exit(failed(results) ? 1 : 0);
}
