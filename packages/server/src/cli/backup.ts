/**
 * `causo backup --out FILE`, `causo backup --verify FILE`, `causo restore FILE` and
 * `causo migrate-to postgres://…` (docs/operations.md, "Backups and moving to PostgreSQL").
 * The passphrase comes from BACKUP_PASSPHRASE and is never printed. Failures an operator can
 * act on (wrong passphrase, damaged file, database not empty…) are one clear message and exit
 * code 1 (78 for a missing or short passphrase, like other configuration errors).
 */
import { parsePgUrl } from '../db/pgHosts.ts';
import { assertDataDirFree } from '../db/dataDirLock.ts';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { describeDatabase, loadConfig, type Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { BackupError, backupPassphrase } from '../ops/backup/crypto.ts';
import { writeBackup } from '../ops/backup/dump.ts';
import { readBackup, verifyBackupFile } from '../ops/backup/read.ts';
import type { Manifest } from '../ops/backup/records.ts';
import { copyDatabase, restoreRecords, type RestoreSummary } from '../ops/backup/restore.ts';
import { parseOptions } from './args.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
const n = (v: number) => v.toLocaleString('en');
const mb = (bytes: number) => (bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} kB` : `${(bytes / 1e6).toFixed(bytes < 1e8 ? 1 : 0)} MB`);

/** A usage mistake: the usage line and exit code 2, no stack. */
function usage(text: string): void {
  err(`usage: ${text}`);
  process.exitCode = 2;
}

/** BackupErrors become one message and an exit code; anything else is a bug and keeps its stack. */
async function reporting(what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof BackupError)) throw e;
    err(`${what} FAILED: ${e.message}`);
    process.exitCode = e.code === 'passphrase' ? 78 : 1;
  }
}

function config(): Config {
  return loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
}

/** The configured database; for PGlite only an existing data folder (never a new empty one by mistake). */
async function openConfigured(c: Config, mustExist: boolean): Promise<Db> {
  if (!c.DATABASE_URL && mustExist && !existsSync(join(c.DATA_DIR, 'PG_VERSION')))
    throw new BackupError('target', `DATA_DIR ${c.DATA_DIR} holds no database (set DATA_DIR to the installation's folder, or DATABASE_URL)`);
  if (!c.DATABASE_URL) assertDataDirFree(c.DATA_DIR);
  return openDatabase({ databaseUrl: c.DATABASE_URL, dataDir: c.DATA_DIR, poolSize: 2 });
}

/** Loaded only by the commands that open a database (`--verify` needs none). */
async function openDatabase(opts: Parameters<typeof import('../db/database.ts').openDatabase>[0]): Promise<Db> {
  return (await import('../db/database.ts')).openDatabase(opts);
}

/** A PostgreSQL URL without its password, for messages. */
/** Hosts and database without the password; several hosts (a failover pair) are all named. */
export function describeUrl(url: string): string {
  const m = /^postgres(?:ql)?:\/\/(?:([^@/?#:]*)(?::[^@/?#]*)?@)?/.exec(url);
  const user = m?.[1] ? `${decodeURIComponent(m[1])}@` : '';
  return parsePgUrl(url).describe().replace('postgres://', `postgres://${user}`);
}

function largest(m: Manifest, count = 5): string {
  return [...m.tables]
    .sort((a, b) => b.rows - a.rows)
    .slice(0, count)
    .map((t) => `${t.name} ${n(t.rows)}`)
    .join(' · ');
}

function documentsLine(m: Manifest): string {
  const rows = (name: string) => m.tables.find((t) => t.name === name)?.rows ?? 0;
  return `uploaded documents ${n(rows('documents'))}, field photos ${n(rows('field_files'))} (stored in the database, included)`;
}

const BackupOptions = z
  .object({ out: z.string().min(1).optional(), verify: z.string().min(1).optional() })
  .refine((v) => Boolean(v.out) !== Boolean(v.verify), { message: 'give either --out FILE (make a backup) or --verify FILE (check one)', path: ['out'] });

export async function runBackup(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, { out: { type: 'string' }, verify: { type: 'string' } }, BackupOptions);
  if (positionals.length) return usage('causo backup --out FILE | causo backup --verify FILE');
  if (values.verify) {
    const file = values.verify;
    await reporting('backup verification', async () => {
      const passphrase = backupPassphrase();
      const started = performance.now();
      const v = await verifyBackupFile(file, passphrase);
      const m = v.manifest;
      out(`backup OK: ${file} (${mb(v.bytes)}), checked in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      out(`  made ${m.createdAt} from ${m.engine} (${m.server}), schema version ${m.schemaVersion}`);
      out(`  ${m.tables.length} tables, ${n(m.rows)} rows, ${m.sequences} sequences; ${documentsLine(m)}`);
      out(`  every chunk authenticated; every table's row count and SHA-256 match the manifest`);
      out(`  largest: ${largest(m)}`);
    });
    return;
  }
  const file = values.out ?? '';
  await reporting('backup', async () => {
    const passphrase = backupPassphrase();
    if (existsSync(file)) throw new BackupError('target', `${file} exists already: choose a new file name (a backup never overwrites one)`);
    if (!existsSync(dirname(resolve(file)))) throw new BackupError('target', `the folder ${dirname(resolve(file))} does not exist`);
    const c = config();
    const db = await openConfigured(c, true);
    try {
      const started = performance.now();
      const w = await writeBackup(db, file, passphrase, { dataKey: c.dataKey });
      const m = w.manifest;
      out(`backup written: ${file} (${mb(w.bytes)}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      out(`  from ${describeDatabase(c)}, schema version ${m.schemaVersion}: ${m.tables.length} tables, ${n(m.rows)} rows; ${documentsLine(m)}`);
      out(`  check it with: causo backup --verify ${file}`);
    } finally {
      await db.close();
    }
  });
}

function restoredLines(s: RestoreSummary): void {
  const m = s.manifest;
  out(`  ${m.tables.length} tables, ${n(m.rows)} rows, in ${s.seconds.toFixed(1)} s; every table's row count and SHA-256 match the backup`);
  if (s.migratedAfter.length) out(`  then migrated from schema version ${m.schemaVersion}: ${s.migratedAfter.join(', ')}`);
  if (s.xidsAdvanced) out(`  transaction counter moved forward by ${n(s.xidsAdvanced)} (field phones' sync cursors stay valid)`);
}

const RestoreOptions = z.object({ 'allow-other-data-key': z.boolean().optional() });

export async function runRestore(args: string[]): Promise<void> {
  const { values, positionals } = parseOptions(args, { 'allow-other-data-key': { type: 'boolean' } }, RestoreOptions);
  const [file, ...extra] = positionals;
  if (!file || extra.length) return usage('causo restore FILE [--allow-other-data-key]   (into the empty database of DATA_DIR or DATABASE_URL)');
  await reporting('restore', async () => {
    const passphrase = backupPassphrase();
    if (!existsSync(file)) throw new BackupError('not_a_backup', `${file}: no such file`);
    const c = config();
    if (!c.DATABASE_URL && existsSync(c.DATA_DIR) && readdirSync(c.DATA_DIR).length && !existsSync(join(c.DATA_DIR, 'PG_VERSION')))
      throw new BackupError('target', `DATA_DIR ${c.DATA_DIR} is a folder with other files in it: point DATA_DIR at a new, empty folder`);
    const db = await openConfigured(c, false);
    try {
      const s = await restoreRecords(db, readBackup(file, passphrase), { dataKey: c.dataKey, allowOtherDataKey: values['allow-other-data-key'] === true, log: err, where: describeDatabase(c) });
      out(`restored ${file} into ${describeDatabase(c)}`);
      restoredLines(s);
    } finally {
      await db.close();
    }
  });
}

const TargetUrl = z.string().regex(/^postgres(ql)?:\/\/[^/\s]+\/[^/\s]+/, 'must be a PostgreSQL URL with a database name, e.g. postgres://causo@db.tinh.local/causo');

export async function runMigrateTo(args: string[]): Promise<void> {
  const { positionals } = parseOptions(args, {}, z.object({}));
  const [url, ...extra] = positionals;
  if (!url || extra.length) return usage('causo migrate-to postgres://USER@HOST/DATABASE   (copies DATA_DIR, or DATABASE_URL, into that empty database)');
  const parsed = TargetUrl.safeParse(url);
  if (!parsed.success) {
    err(`migrate-to FAILED: the target ${parsed.error.issues[0]?.message ?? 'is not a PostgreSQL URL'}`);
    process.exitCode = 2;
    return;
  }
  await reporting('migrate-to', async () => {
    const c = config();
    const target = describeUrl(url);
    if (c.DATABASE_URL && describeUrl(c.DATABASE_URL) === target) throw new BackupError('target', `the target ${target} is the configured database itself`);
    const source = await openConfigured(c, true);
    try {
      let targetDb: Db;
      try {
        targetDb = await openDatabase({ databaseUrl: url, poolSize: 2 });
      } catch (e) {
        throw new BackupError('target', `cannot connect to ${target}: ${(e as Error).message} (create the database first: createdb -E UTF8 -O USER DATABASE)`);
      }
      try {
        err(`copying ${describeDatabase(c)} to ${target}…`);
        const s = await copyDatabase(source, targetDb, { dataKey: c.dataKey, log: err, where: target });
        out(`copied ${describeDatabase(c)} to ${target}`);
        restoredLines(s);
        out('');
        out('Next:');
        out(`  1. keep Cầu Số stopped and set DATABASE_URL=${target} (with its password if the server asks for one: postgres://USER:PASSWORD@HOST/DATABASE)`);
        out(`     (DATA_KEY stays exactly as it is: the personal data is sealed with it)`);
        out(`  2. start it (causo serve) and check: sign in, open a dossier and the II.06a report`);
        if (!c.DATABASE_URL) out(`  3. keep ${c.DATA_DIR} untouched until then; it is not changed by this copy`);
      } finally {
        await targetDb.close();
      }
    } finally {
      await source.close();
    }
  });
}
