/**
 * The real server as its own process (`node bin/causo.mjs serve`) for the load and soak benches:
 * its memory is then its own, read from /proc/<pid>/status (VmRSS), not mixed with the load
 * generator's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const CAUSO_BIN = fileURLToPath(new URL('../../../../bin/causo.mjs', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resident memory of a process in MB (Linux), or null when it cannot be read. */
export function rssOfMb(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** The last lines it printed (for an error message). */
  tail: () => string;
  stop: () => Promise<void>;
}

/** Starts `causo serve` with `env` on a free loopback port and waits for /healthz. */
export async function startServerProcess(env: Record<string, string>, nodeArgs: string[] = [], timeoutMs = 300_000): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const full: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' };
  if (!env.DATABASE_URL) delete full.DATABASE_URL;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CAUSO_BIN, 'serve'], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (c: Buffer) => {
    output.push(c.toString('utf8'));
    if (output.length > 200) output.splice(0, 100);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null = null;
  const gone = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : 0);
      r();
    }),
  );
  const tail = () => output.join('').split('\n').slice(-40).join('\n');
  const started = Date.now();
  for (;;) {
    if (exited !== null) throw new Error(`the server exited (${exited}) while starting:\n${tail()}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /healthz within ${timeoutMs} ms:\n${tail()}`);
    }
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid ?? 0,
    tail,
    stop: async () => {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
