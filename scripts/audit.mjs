#!/usr/bin/env node
/**
 * `npm audit` at high severity for CI: fails (exit 1) when an installed package, runtime or
 * development, has a known high or critical advisory, and lists them. When the registry's
 * advisory service cannot be asked (a mirror that refuses it, no network), it says so plainly
 * and does not fail: the run did not check, which is not the same as finding something.
 */
import { spawnSync } from 'node:child_process';

const r = spawnSync('npm', ['audit', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
let report;
try {
  report = JSON.parse(r.stdout || '{}');
} catch {
  report = {};
}
const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const why = report.message ?? report.error?.summary ?? (r.error ? String(r.error) : (r.stderr || 'no answer').trim().split('\n').pop());
  process.stdout.write(`npm audit: NOT CHECKED — the advisory service could not be asked (${why}).\n`);
  process.exit(0);
}
const serious = Object.entries(report.vulnerabilities ?? {}).filter(([, v]) => v.severity === 'high' || v.severity === 'critical');
for (const [name, v] of serious) {
  const via = (v.via ?? []).map((x) => (typeof x === 'string' ? x : `${x.title ?? ''} ${x.url ?? ''}`.trim())).join('; ');
  process.stdout.write(`  ${v.severity}: ${name} ${v.range ?? ''} ${via}${v.fixAvailable ? ' (fix available: npm audit fix)' : ''}\n`);
}
process.stdout.write(`npm audit: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low\n`);
process.exit(serious.length ? 1 : 0);
