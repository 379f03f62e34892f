/**
 * Scheduled backups inside the app server: every `everyHours`, a backup file
 * `causo-YYYYMMDD-HHMM.backup` (UTC) in `dir`, then the oldest beyond `keep` are deleted. A
 * failed backup leaves no file and deletes nothing. The first one is written one interval
 * after start (a server restarted often does not fill the folder). On PGlite the backup runs in
 * the server's own process (the only one that may open the data folder) and requests wait
 * while it reads; on PostgreSQL it reads a snapshot beside live traffic. Call `stop()` before
 * closing the database (it waits for a backup in progress).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pino from 'pino';
import type { Db } from '../../db/database.ts';
import { BackupError, MIN_PASSPHRASE } from './crypto.ts';
import { writeBackup } from './dump.ts';

export interface ScheduleDeps {
  db: Db;
  log: Pick<pino.Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  /** The installation's configuration: DATA_KEY's fingerprint goes into each backup. */
  config?: { dataKey: string };
}

export interface ScheduleOptions {
  dir: string;
  everyHours: number;
  keep: number;
  /** BACKUP_PASSPHRASE. */
  passphrase: string;
  /** scrypt cost (log2 N); the default unless a test needs speed. */
  logN?: number;
}

export interface ScheduledBackups {
  /** One backup now (also what the timer does); the file written, or null if one was already running. */
  runNow(): Promise<string | null>;
  /** Stops the timer and waits for a backup in progress. */
  stop(): Promise<void>;
}

export const BACKUP_FILE = /^causo-\d{8}-\d{4}\.backup$/;

const two = (n: number) => String(n).padStart(2, '0');
export const backupFileName = (d: Date): string =>
  `causo-${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}-${two(d.getUTCHours())}${two(d.getUTCMinutes())}.backup`;

/** Deletes the oldest backup files beyond `keep` (by name: the names sort by time); returns them. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => BACKUP_FILE.test(f)).sort();
  const old = files.slice(0, Math.max(0, files.length - keep));
  for (const f of old) await rm(join(dir, f), { force: true });
  return old;
}

export function startScheduledBackups(deps: ScheduleDeps, opts: ScheduleOptions): ScheduledBackups {
  if (!(opts.everyHours > 0)) throw new BackupError('config', 'scheduled backups: the interval (hours) must be more than 0');
  if (!Number.isInteger(opts.keep) || opts.keep < 1) throw new BackupError('config', 'scheduled backups: keep must be a whole number of files, at least 1');
  if ([...(opts.passphrase ?? '')].length < MIN_PASSPHRASE) throw new BackupError('passphrase', `scheduled backups need BACKUP_PASSPHRASE (at least ${MIN_PASSPHRASE} characters)`);
  const now = deps.now ?? (() => new Date());
  let running: Promise<string> | null = null;
  let stopped = false;

  const once = async (): Promise<string> => {
    const started = performance.now();
    await mkdir(opts.dir, { recursive: true });
    const file = join(opts.dir, backupFileName(now()));
    const written = await writeBackup(deps.db, file, opts.passphrase, { dataKey: deps.config?.dataKey, now, ...(opts.logN === undefined ? {} : { logN: opts.logN }) });
    const removed = await pruneBackups(opts.dir, opts.keep);
    deps.log.info({ file, bytes: written.bytes, rows: written.manifest.rows, ms: Math.round(performance.now() - started), removed }, 'scheduled backup written');
    return file;
  };

  const runNow = async (): Promise<string | null> => {
    if (running || stopped) return null;
    running = once();
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const timer = setInterval(() => {
    if (running) {
      deps.log.warn({}, 'scheduled backup skipped: the previous one is still running');
      return;
    }
    runNow().catch((err: unknown) => deps.log.error({ err }, 'scheduled backup failed'));
  }, Math.max(1, Math.round(opts.everyHours * 3_600_000)));
  timer.unref();

  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await (running as Promise<string> | null)?.catch(() => undefined);
    },
  };
}
