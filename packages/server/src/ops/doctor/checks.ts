/**
 * `causo doctor`: what an operator checks when something is wrong, or before going live. Each
 * check says what it found and, when it is not fine, what to do, in Vietnamese and English.
 * Checks never change anything: no migration is applied and no SMS or e-mail is sent.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { describeDatabase, type Config } from '../../config.ts';
import { openDatabase, type Db } from '../../db/database.ts';
import { listMigrations, pendingMigrations } from '../../db/migrate.ts';
import { dataDirHolder } from '../../db/dataDirLock.ts';
import { parsePgUrl } from '../../db/pgHosts.ts';
import type { SmsGateway } from '../../adapters/sms/port.ts';
import type { EmailGateway } from '../../adapters/email/port.ts';
import { BACKUP_FILE } from '../backup/schedule.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Bilingual {
  vi: string;
  en: string;
}
export interface CheckResult {
  id: 'config' | 'database' | 'migrations' | 'replica' | 'disk' | 'clock' | 'sms' | 'email' | 'backups';
  status: CheckStatus;
  title: Bilingual;
  /** What was found (figures, names); not translated. */
  detail: string;
  fix?: Bilingual;
}

export interface DoctorDeps {
  config: Config;
  now: () => Date;
  sms: SmsGateway;
  email: EmailGateway;
  /** Free and total bytes of the file system holding `path`. */
  diskOf: (path: string) => Promise<{ free: number; total: number }>;
  /** Whether the system clock is kept in step by NTP; null when this machine cannot tell. */
  ntpSynchronized: () => Promise<boolean | null>;
  /** A running server's /readyz (embedded database held by that server). */
  readyz: (url: string) => Promise<{ status: number; body: unknown }>;
  timeoutMs: number;
}

const GiB = 1024 ** 3;

export async function runChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const results: CheckResult[] = [configCheck(deps.config)];
  const database = await databaseChecks(deps);
  results.push(...database.results);
  if (deps.config.DATABASE_REPLICA_URL) results.push(await replicaCheck(deps.config.DATABASE_REPLICA_URL, deps.timeoutMs));
  results.push(await diskCheck(deps));
  results.push(await clockCheck(deps, database.dbNow));
  results.push(await gatewayCheck('sms', deps.sms, deps));
  results.push(await gatewayCheck('email', deps.email, deps));
  results.push(backupCheck(deps));
  return results;
}

function configCheck(c: Config): CheckResult {
  const title = { vi: 'Cấu hình', en: 'Configuration' };
  const production = c.NODE_ENV === 'production';
  const issues: { en: string; vi: string }[] = [];
  if (c.dataKeyIsDevDefault) issues.push({ en: 'DATA_KEY is not set (the development key seals personal data)', vi: 'chưa đặt DATA_KEY (đang dùng khoá thử nghiệm)' });
  if (production && !c.PUBLIC_URL) issues.push({ en: 'PUBLIC_URL is not set (payment gateways cannot send citizens back)', vi: 'chưa đặt PUBLIC_URL' });
  if (production && c.COOKIE_SECURE === 'false') issues.push({ en: 'COOKIE_SECURE=false in production', vi: 'COOKIE_SECURE=false khi chạy thật' });
  if (issues.length === 0) return { id: 'config', status: 'ok', title, detail: `valid (${production ? 'production' : c.NODE_ENV})` };
  return {
    id: 'config',
    status: 'warn',
    title,
    detail: issues.map((i) => i.en).join('; '),
    fix: {
      vi: `Đặt các biến môi trường còn thiếu: ${issues.map((i) => i.vi).join('; ')}. Xem bảng Cấu hình trong README.`,
      en: 'Set the missing environment variables; every variable is in the README, Configuration.',
    },
  };
}

interface DatabaseOutcome {
  results: CheckResult[];
  /** The database server's clock, when it is another machine's (PostgreSQL). */
  dbNow: Date | null;
}

async function databaseChecks(deps: DoctorDeps): Promise<DatabaseOutcome> {
  const c = deps.config;
  const title = { vi: 'Cơ sở dữ liệu', en: 'Database' };
  const migrationsTitle = { vi: 'Phiên bản cơ sở dữ liệu', en: 'Migrations' };
  const where = describeDatabase(c);
  if (!c.DATABASE_URL) {
    const holder = dataDirHolder(c.DATA_DIR);
    // PGlite lets a second process open a folder in use, and two writers would corrupt it: ask the server instead.
    if (holder) return { results: await askRunningServer(deps, holder.pid), dbNow: null };
    if (!existsSync(join(c.DATA_DIR, 'PG_VERSION')))
      return {
        results: [
          {
            id: 'database',
            status: 'fail',
            title,
            detail: `no embedded database in ${resolve(c.DATA_DIR)}`,
            fix: { vi: 'Chạy `causo serve` (tạo và nạp dữ liệu mẫu) hoặc `causo migrate`, hoặc đặt DATA_DIR đúng thư mục.', en: 'Run `causo serve` (creates it, with the demo) or `causo migrate`, or point DATA_DIR at the right folder.' },
          },
        ],
        dbNow: null,
      };
  }
  let db: Db;
  const started = Date.now();
  try {
    db = await withTimeout(openDatabase({ databaseUrl: c.DATABASE_URL, dataDir: c.DATA_DIR, poolSize: 1 }), deps.timeoutMs);
  } catch (e) {
    return {
      results: [
        {
          id: 'database',
          status: 'fail',
          title,
          detail: `${where}: ${safeDbError(e)}`,
          fix: { vi: 'Kiểm tra máy chủ PostgreSQL đang chạy, DATABASE_URL (máy, cổng, tên, mật khẩu) và tường lửa.', en: 'Check that the PostgreSQL server runs, and DATABASE_URL (host, port, database, password) and the firewall.' },
        },
      ],
      dbNow: null,
    };
  }
  try {
    const row = (await sql<{ version: string; now: Date }>`select current_setting('server_version') as version, now() as now`.execute(db.kysely)).rows[0];
    const reached: CheckResult = { id: 'database', status: 'ok', title, detail: `${where} reachable (PostgreSQL ${row?.version.split(' ')[0] ?? '?'}, ${Date.now() - started} ms)` };
    return { results: [reached, await migrationCheck(db, migrationsTitle)], dbNow: db.kind === 'postgres' && row ? new Date(row.now) : null };
  } finally {
    await db.close();
  }
}

async function migrationCheck(db: Db, title: Bilingual): Promise<CheckResult> {
  const pending = await pendingMigrations(db);
  const known = new Set(listMigrations().map((m) => m.version));
  const applied = await db.raw((c) => c.query<{ version: number }>(`SELECT version FROM schema_migrations`)).catch(() => []);
  const unknown = applied.filter((r) => !known.has(r.version)).map((r) => r.version);
  if (unknown.length)
    return {
      id: 'migrations',
      status: 'fail',
      title,
      detail: `the database has migrations this version does not know: ${unknown.join(', ')}`,
      fix: { vi: 'Cơ sở dữ liệu mới hơn phần mềm. Hãy cài phiên bản Cầu Số mới hơn, không chạy bản cũ.', en: 'The database is newer than this program: install the newer Cầu Số, do not run the old one on it.' },
    };
  if (pending.length)
    return {
      id: 'migrations',
      status: 'fail',
      title,
      detail: `${pending.length} pending: ${pending.join(', ')}`,
      fix: { vi: 'Sao lưu trước (`causo backup`), rồi chạy `causo migrate` hoặc khởi động lại máy chủ.', en: 'Back up first (`causo backup`), then run `causo migrate` or restart the server, which applies them.' },
    };
  return { id: 'migrations', status: 'ok', title, detail: `current (version ${Math.max(...known)})` };
}

async function askRunningServer(deps: DoctorDeps, pid: number): Promise<CheckResult[]> {
  const url = `http://127.0.0.1:${deps.config.PORT}/readyz`;
  const title = { vi: 'Cơ sở dữ liệu', en: 'Database' };
  try {
    const { status, body } = await deps.readyz(url);
    const pending = (body as { pending?: unknown }).pending;
    const list = Array.isArray(pending) ? pending.map(String) : [];
    return [
      { id: 'database', status: 'ok', title, detail: `embedded database held by the running server (process ${pid}), which reaches it` },
      status === 200
        ? { id: 'migrations', status: 'ok', title: { vi: 'Phiên bản cơ sở dữ liệu', en: 'Migrations' }, detail: 'current (as the running server reports)' }
        : {
            id: 'migrations',
            status: 'fail',
            title: { vi: 'Phiên bản cơ sở dữ liệu', en: 'Migrations' },
            detail: `the running server reports ${list.length} pending: ${list.join(', ')}`,
            fix: { vi: 'Khởi động lại máy chủ để áp dụng.', en: 'Restart the server, which applies them.' },
          },
    ];
  } catch {
    return [
      {
        id: 'database',
        status: 'fail',
        title,
        detail: `DATA_DIR is held by process ${pid}, which does not answer on ${url}`,
        fix: { vi: 'Máy chủ có thể bị treo: xem nhật ký, rồi khởi động lại. Kiểm tra PORT có đúng không.', en: 'The server may hang: read its log, then restart it; check that PORT is the one it listens on.' },
      },
    ];
  }
}

/** The reports' standby: reachable, really a standby, and how far behind it replays. */
async function replicaCheck(url: string, timeoutMs: number): Promise<CheckResult> {
  const title = { vi: 'Bản sao cơ sở dữ liệu', en: 'Replica' };
  const where = parsePgUrl(url).describe();
  const fix = { vi: 'Báo cáo vẫn chạy trên máy chính. Kiểm tra máy bản sao và DATABASE_REPLICA_URL (docs/operations.md).', en: 'Reports fall back to the primary meanwhile; check the standby and DATABASE_REPLICA_URL (docs/operations.md).' };
  let db: Db;
  try {
    db = await withTimeout(openDatabase({ databaseUrl: url, poolSize: 1 }), timeoutMs);
  } catch (e) {
    return { id: 'replica', status: 'warn', title, detail: `${where}: ${safeDbError(e)}`, fix };
  }
  try {
    const row = (await sql<{ standby: boolean; lag: number | null }>`select pg_is_in_recovery() as standby, extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as lag`.execute(db.kysely)).rows[0];
    if (!row?.standby) return { id: 'replica', status: 'warn', title, detail: `${where} is not a standby (promoted?): reports read from a server that takes writes`, fix: { vi: 'Nếu máy này đã được nâng lên làm máy chính, hãy sửa DATABASE_URL và dựng lại bản sao.', en: 'If it was promoted, point DATABASE_URL at it and build a new standby.' } };
    const lag = row.lag === null ? 'nothing replayed yet' : `last change replayed ${row.lag.toFixed(1)} s ago`;
    return { id: 'replica', status: 'ok', title, detail: `${where} is a standby; ${lag}` };
  } finally {
    await db.close();
  }
}

async function diskCheck(deps: DoctorDeps): Promise<CheckResult> {
  const title = { vi: 'Dung lượng đĩa', en: 'Disk space' };
  const c = deps.config;
  const paths = [c.DATABASE_URL ? '.' : c.DATA_DIR, ...(c.BACKUP_DIR ? [c.BACKUP_DIR] : [])].filter((p) => existsSync(p));
  let worst: { path: string; free: number; total: number } | null = null;
  for (const path of paths.length ? paths : ['.']) {
    const d = await deps.diskOf(path);
    if (!worst || d.free / d.total < worst.free / worst.total) worst = { path, ...d };
  }
  if (!worst) return { id: 'disk', status: 'ok', title, detail: 'nothing to check' };
  const detail = `${(worst.free / GiB).toFixed(1)} GiB free of ${(worst.total / GiB).toFixed(1)} GiB (${Math.round((100 * worst.free) / worst.total)}%) where ${resolve(worst.path)} is`;
  const fix = { vi: 'Giải phóng đĩa: xoá bản sao lưu cũ (BACKUP_KEEP nhỏ hơn), chuyển tệp sang đĩa khác, hoặc thêm dung lượng.', en: 'Free space: fewer backups kept (BACKUP_KEEP), move files to another disk, or grow the disk.' };
  if (worst.free < GiB || worst.free / worst.total < 0.05) return { id: 'disk', status: 'fail', title, detail, fix };
  if (worst.free < 5 * GiB || worst.free / worst.total < 0.1) return { id: 'disk', status: 'warn', title, detail, fix };
  return { id: 'disk', status: 'ok', title, detail };
}

async function clockCheck(deps: DoctorDeps, dbNow: Date | null): Promise<CheckResult> {
  const title = { vi: 'Đồng hồ', en: 'Clock' };
  const now = deps.now();
  const fix = { vi: 'Bật đồng bộ giờ (systemd-timesyncd hoặc chrony) trên máy này và máy cơ sở dữ liệu.', en: 'Turn on time synchronisation (systemd-timesyncd or chrony) here and on the database server.' };
  // Deadlines, the report's periods and one-time codes all depend on the time being right.
  if (now.getUTCFullYear() < 2025) return { id: 'clock', status: 'fail', title, detail: `this machine's clock says ${now.toISOString()}`, fix };
  if (dbNow) {
    const drift = Math.abs(now.getTime() - dbNow.getTime()) / 1000;
    if (drift > 60) return { id: 'clock', status: 'fail', title, detail: `this machine and the database server differ by ${drift.toFixed(0)} s`, fix };
    if (drift > 5) return { id: 'clock', status: 'warn', title, detail: `this machine and the database server differ by ${drift.toFixed(1)} s`, fix };
  }
  const synced = await deps.ntpSynchronized();
  const against = dbNow ? '; agrees with the database server' : '';
  if (synced === false) return { id: 'clock', status: 'warn', title, detail: `not synchronised by NTP${against}`, fix };
  return { id: 'clock', status: 'ok', title, detail: `${now.toISOString()}${synced ? ', synchronised by NTP' : ' (NTP state unknown)'}${against}` };
}

async function gatewayCheck(id: 'sms' | 'email', gateway: SmsGateway | EmailGateway, deps: DoctorDeps): Promise<CheckResult> {
  const title = id === 'sms' ? { vi: 'Cổng tin nhắn SMS', en: 'SMS gateway' } : { vi: 'Máy chủ thư điện tử', en: 'E-mail server' };
  const sink = gateway.name === 'sink';
  if (sink) {
    const production = deps.config.NODE_ENV === 'production';
    const variable = id === 'sms' ? 'SMS_GATEWAY' : 'EMAIL_GATEWAY';
    return production
      ? { id, status: 'warn', title, detail: 'development sink: nothing is sent', fix: { vi: `Đặt ${variable} (xem docs/notifications.md) để gửi thật.`, en: `Set ${variable} (docs/notifications.md) to really send.` } }
      : { id, status: 'ok', title, detail: 'development sink: nothing leaves this machine' };
  }
  try {
    const what = await withTimeout(gateway.probe ? gateway.probe(deps.timeoutMs) : Promise.resolve(`${gateway.name}: no check available`), deps.timeoutMs + 1000);
    return { id, status: 'ok', title, detail: what };
  } catch (e) {
    const fix =
      id === 'sms'
        ? { vi: 'Kiểm tra SMPP_HOST/SMPP_PORT hoặc SMS_HTTP_URL, tài khoản nhà mạng và tường lửa.', en: 'Check SMPP_HOST/SMPP_PORT or SMS_HTTP_URL, the account the carrier gave you, and the firewall.' }
        : { vi: 'Kiểm tra SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD và tường lửa.', en: 'Check SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD and the firewall.' };
    return { id, status: 'fail', title, detail: e instanceof Error ? e.message : String(e), fix };
  }
}

function backupCheck(deps: DoctorDeps): CheckResult {
  const title = { vi: 'Sao lưu định kỳ', en: 'Scheduled backups' };
  const c = deps.config;
  if (!c.BACKUP_DIR) return { id: 'backups', status: 'warn', title, detail: 'off (BACKUP_DIR not set)', fix: { vi: 'Đặt BACKUP_DIR và BACKUP_PASSPHRASE, hoặc chạy `causo backup` theo lịch (docs/operations.md).', en: 'Set BACKUP_DIR and BACKUP_PASSPHRASE, or run `causo backup` from a scheduler (docs/operations.md).' } };
  if (!existsSync(c.BACKUP_DIR)) return { id: 'backups', status: 'fail', title, detail: `${c.BACKUP_DIR} does not exist`, fix: { vi: 'Tạo thư mục sao lưu, trên một đĩa khác nếu có.', en: 'Create the backup folder, on another disk if you can.' } };
  const files = readdirSync(c.BACKUP_DIR).filter((f) => BACKUP_FILE.test(f)).sort();
  const newest = files.at(-1);
  if (!newest) return { id: 'backups', status: 'warn', title, detail: `no backup in ${c.BACKUP_DIR} yet`, fix: { vi: 'Bản đầu tiên được tạo sau khi máy chủ chạy; hoặc chạy `causo backup` ngay.', en: 'The first one is written once the server runs; or run `causo backup` now.' } };
  const ageHours = (deps.now().getTime() - statSync(join(c.BACKUP_DIR, newest)).mtime.getTime()) / 3_600_000;
  const detail = `${files.length} kept, newest ${newest} (${ageHours.toFixed(1)} h ago)`;
  if (ageHours > 2 * c.BACKUP_EVERY_HOURS)
    return { id: 'backups', status: 'fail', title, detail, fix: { vi: 'Bản sao lưu mới nhất đã quá cũ. Xem nhật ký máy chủ ("backup failed").', en: 'The newest backup is too old: read the server log for "backup failed".' } };
  return { id: 'backups', status: 'ok', title, detail };
}

/** Connection errors without the URL (it may hold a password). */
function safeDbError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err.code) return `${err.code}${err.code === '28P01' ? ' (wrong password)' : err.code === '3D000' ? ' (no such database)' : ''}`;
  return (err.message ?? String(e)).replace(/postgres(ql)?:\/\/\S+/g, '[url]').slice(0, 200);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

export async function diskOf(path: string): Promise<{ free: number; total: number }> {
  const s = await statfs(path);
  return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
}
