/**
 * A small closed-loop HTTP load generator for the benchmarks, run in a worker thread so the
 * server under test keeps the main thread: N connections (keep-alive), each sending its next
 * request as soon as the previous answer arrived, for a fixed time. Every response time is
 * kept, so the exact p50/p95/p99 can be printed (autocannon's histogram has no p95).
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { startTypeScriptWorker } from '../modules/dossiers/bulkLoad.ts';

export interface LoadSpec {
  baseUrl: string;
  paths: string[];
  cookie: string;
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  latenciesMs: number[];
  elapsedMs: number;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.baseUrl);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const start = performance.now();
  const end = start + spec.durationMs;
  const one = (path: string) =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = http.request(
        { host: url.hostname, port: url.port, path, agent, headers: { cookie: spec.cookie, 'accept-encoding': 'gzip' } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            latencies.push(performance.now() - t);
            statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end();
    });
  let i = 0;
  const loop = async () => {
    while (performance.now() < end) await one(spec.paths[i++ % spec.paths.length] ?? '/');
  };
  await Promise.all(Array.from({ length: spec.connections }, loop));
  agent.destroy();
  return { requests: latencies.length, errors, statuses, latenciesMs: latencies, elapsedMs: performance.now() - start };
}

/** Worker side. */
export function runLoadThread(): void {
  const spec = (workerData as { data: LoadSpec }).data;
  run(spec).then(
    (r) => parentPort?.postMessage({ type: 'done', result: r }),
    (e: unknown) => parentPort?.postMessage({ type: 'failed', message: String(e) }),
  );
}

export function loadInWorker(spec: LoadSpec): Promise<LoadResult> {
  const w = startTypeScriptWorker(import.meta.url, 'runLoadThread', spec);
  return new Promise((resolve, reject) => {
    w.on('message', (m: { type: 'done'; result: LoadResult } | { type: 'failed'; message: string }) => {
      void w.terminate();
      if (m.type === 'done') resolve(m.result);
      else reject(new Error(m.message));
    });
    w.on('error', reject);
  });
}
