/**
 * The platform as a real process (`node bin/causo.mjs serve`), started, killed with SIGKILL and
 * started again on the same port, like a server losing power mid-request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CAUSO_BIN = fileURLToPath(new URL('../../../../bin/causo.mjs', import.meta.url));

// One free-port finder for the tests and the benches.
export { freePort } from '../../src/bench/serverProcess.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ServerProcess {
  private child: ChildProcess | null = null;
  private output: string[] = [];
  readonly url: string;
  starts = 0;
  kills = 0;

  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** The last lines the process printed (for a failure message). */
  tail(n = 40): string {
    return this.output.slice(-n).join('');
  }

  /** Lines the server logged at level error or above (LOG_LEVEL=error), every run so far. */
  errors(): string[] {
    return this.errorLines;
  }
  private errorLines: string[] = [];

  async start(timeoutMs = 90_000): Promise<number> {
    if (this.child) throw new Error('server already running');
    const started = Date.now();
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' };
    if (!this.env.DATABASE_URL) delete env.DATABASE_URL;
    const child = spawn(process.execPath, [CAUSO_BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let exited: number | null = null;
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : 0);
      if (this.child === child) this.child = null;
    });
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 400) this.output.splice(0, 200);
      for (const line of chunk.toString('utf8').split('\n')) if (/"level":(50|60)/.test(line)) this.errorLines.push(line.slice(0, 3000));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    for (;;) {
      if (exited !== null) throw new Error(`server exited (${exited}) while starting:\n${this.tail()}`);
      if (Date.now() - started > timeoutMs) {
        child.kill('SIGKILL');
        throw new Error(`server did not answer /healthz within ${timeoutMs} ms:\n${this.tail()}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    this.starts++;
    return Date.now() - started;
  }

  /** Power cut: SIGKILL, no chance to finish anything. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
    this.child = null;
    this.kills++;
  }

  /** Orderly stop (SIGTERM), so the embedded database is closed cleanly for inspection. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
    this.child = null;
  }
}
