#!/usr/bin/env node
/**
 * `npm test`: type-check, then every test file with node's test runner on PGlite and on a
 * PostgreSQL server. If TEST_DATABASE_URL is not set, a throwaway PostgreSQL cluster is started
 * from the machine's PostgreSQL binaries (Debian: apt-get install postgresql) and removed after.
 * Extra arguments are test files or folders to run instead of all.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const skipTypecheck = args.includes('--no-typecheck');
const targets = args.filter((a) => !a.startsWith('--'));

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function findPgBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  return null;
}

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Start a private PostgreSQL cluster; initdb refuses root, so run it as the postgres user then. */
async function startPostgres() {
  const bin = findPgBin();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'causo-pg-'));
  chmodSync(dir, 0o777);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, cmdArgs) => {
    const full = asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...cmdArgs] : cmdArgs;
    const r = spawnSync(asRoot ? 'runuser' : join(bin, cmd), full, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  const port = await freePort();
  run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  run('pg_ctl', ['-D', join(dir, 'data'), '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c max_connections=200`, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

if (!skipTypecheck) {
  const lint = spawnSync(process.execPath, [join(root, 'scripts/lint.mjs')], { stdio: 'inherit' });
  if (lint.status !== 0) {
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  }
  process.stdout.write('type-check (tsc --noEmit)…\n');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
  if (tsc.status !== 0) {
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  }
}

const env = { ...process.env };
let pgServer = null;
if (!env.TEST_DATABASE_URL) {
  pgServer = await startPostgres();
  if (pgServer) env.TEST_DATABASE_URL = pgServer.url;
  else if (env.CI) {
    process.stderr.write('PostgreSQL binaries not found and TEST_DATABASE_URL not set: install postgresql (apt-get install postgresql)\n');
    process.exit(1);
  } else process.stderr.write('warning: no PostgreSQL found (apt-get install postgresql, or set TEST_DATABASE_URL): database tests run on PGlite only\n');
}

const files = (targets.length ? targets.map((t) => resolve(t)) : [join(root, 'packages')]).flatMap((t) => (statSync(t).isDirectory() ? testFiles(t) : [t])).sort();
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], { cwd: root, env, stdio: 'inherit' });
const code = await new Promise((res) => child.on('exit', (c) => res(c ?? 1)));
pgServer?.stop();
process.exit(code);
