/**
 * Getting a database ready before serving: migrations, and the demo on an empty database.
 * For PGlite this runs in a child process (`causo prepare`): creating a cluster (initdb) and
 * seeding grow the WASM heap by hundreds of MB, which never shrinks inside a process; a child's
 * memory goes back to the system when it exits, so the serving process stays small.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { createContext } from '../context.ts';
import { openDatabase } from './database.ts';
import { migrate } from './migrate.ts';
import { hasReferenceData } from '../seed/reference.ts';
import { seedDemo } from '../seed/demo.ts';

export interface PrepareResult {
  applied: string[];
  seeded: boolean;
  ms: number;
}

export async function prepareInThisThread(env: Record<string, string | undefined>): Promise<PrepareResult> {
  const started = Date.now();
  const config = loadConfig(env);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 2 });
  try {
    const { applied } = await migrate(db);
    const seed = config.SEED_DEMO === 'true' || (config.SEED_DEMO === 'auto' && !(await hasReferenceData(db)));
    if (seed) await seedDemo(createContext(config, db, pino({ level: 'silent' })));
    return { applied, seeded: seed, ms: Date.now() - started };
  } finally {
    await db.close();
  }
}

const CAUSO_BIN = fileURLToPath(new URL('../../../../bin/causo.mjs', import.meta.url));
export const PREPARED_MARK = 'causo-prepared:';

export async function prepareDatabase(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<PrepareResult> {
  if (config.DATABASE_URL) return prepareInThisThread({ ...env });
  const child = spawn(process.execPath, [CAUSO_BIN, 'prepare'], { env: { ...env, DATA_DIR: config.DATA_DIR }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c ?? 1));
  });
  const line = out.split('\n').find((l) => l.startsWith(PREPARED_MARK));
  if (code !== 0 || !line) throw new Error(`preparing the database failed (exit ${code}): ${out.trim()}`);
  return JSON.parse(line.slice(PREPARED_MARK.length)) as PrepareResult;
}
