/**
 * One server per embedded data folder. PGlite opens a folder that another process already
 * has open without complaint, and two writers would corrupt it; so `causo serve` writes its
 * process id into the folder and refuses to start while another live server holds it.
 * `causo doctor` reads the same file to tell whether the folder is in use.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.ts';

export const LOCK_FILE = 'causo-serve.pid';

export interface DataDirHolder {
  pid: number;
  startedAt: string;
}

/** The live process holding `dataDir`, or null (no file, a dead process, or this process). */
export function dataDirHolder(dataDir: string): DataDirHolder | null {
  let holder: DataDirHolder;
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
    if (!isHolder(parsed)) return null;
    holder = parsed;
  } catch {
    return null;
  }
  if (holder.pid === process.pid || !isCausoProcess(holder.pid)) return null;
  return holder;
}

/** Refuses to go on while a live server holds the folder (commands that open the database). */
export function assertDataDirFree(dataDir: string): void {
  const holder = dataDirHolder(dataDir);
  if (holder)
    throw new ConfigError(
      `DATA_DIR ${dataDir} is in use by a running Cầu Số server (process ${holder.pid}, started ${holder.startedAt}). Stop it first, or give this one another DATA_DIR.\n` +
        `Thư mục dữ liệu đang được một máy chủ Cầu Số khác dùng (tiến trình ${holder.pid}). Hãy dừng máy chủ đó trước.`,
    );
}

/** Takes the folder for this process; the returned function gives it back. */
export function lockDataDir(dataDir: string): () => void {
  assertDataDirFree(dataDir);
  const file = join(dataDir, LOCK_FILE);
  // A file left by a process that died (power cut, SIGKILL) is simply replaced.
  writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() } satisfies DataDirHolder));
  return () => {
    if (dataDirHolder(dataDir) === null) rmSync(file, { force: true });
  };
}

function isHolder(v: unknown): v is DataDirHolder {
  return typeof v === 'object' && v !== null && Number.isInteger((v as DataDirHolder).pid) && typeof (v as DataDirHolder).startedAt === 'string';
}

/** Alive and a Node process (a pid reused by an unrelated program after a crash does not count). */
function isCausoProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive but another user's; that is not us either way, but stay on the safe side.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return /node|causo/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): trust the signal check
  }
}
