/**
 * scripts/audit.mjs (CI's `npm audit` step) against a stand-in `npm` on PATH: a high advisory
 * fails the run and is named; moderate ones pass; an advisory service that cannot be asked is
 * reported as not checked, never as clean.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../../scripts/audit.mjs', import.meta.url));

function runWith(answer: unknown): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'causo-audit-'));
  try {
    writeFileSync(join(dir, 'answer.json'), JSON.stringify(answer));
    writeFileSync(join(dir, 'npm'), `#!/bin/sh\ncat '${join(dir, 'answer.json')}'\n`);
    chmodSync(join(dir, 'npm'), 0o755);
    const r = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const metadata = (high: number, moderate: number) => ({ vulnerabilities: { info: 0, low: 0, moderate, high, critical: 0, total: high + moderate } });

describe('CI dependency audit', () => {
  it('fails on a high advisory and names the package', () => {
    const r = runWith({
      vulnerabilities: { 'bad-lib': { name: 'bad-lib', severity: 'high', range: '<1.2.3', via: [{ title: 'Prototype pollution', url: 'https://github.com/advisories/GHSA-x' }], fixAvailable: true } },
      metadata: metadata(1, 0),
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /high: bad-lib <1\.2\.3 Prototype pollution/);
    assert.match(r.out, /0 critical, 1 high/);
  });

  it('passes with moderate advisories only', () => {
    const r = runWith({ vulnerabilities: { meh: { name: 'meh', severity: 'moderate', via: ['x'] } }, metadata: metadata(0, 1) });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /0 high, 1 moderate/);
  });

  it('says NOT CHECKED when the advisory service refuses', () => {
    const r = runWith({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 });
    assert.equal(r.code, 0);
    assert.match(r.out, /NOT CHECKED.*405/);
  });
});
