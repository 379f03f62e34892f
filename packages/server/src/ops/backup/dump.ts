/**
 * Reading a whole installation as backup records, from one snapshot: a single REPEATABLE READ,
 * READ ONLY transaction (on PostgreSQL other sessions keep working and none of their later
 * commits shows; PGlite has one connection, so the app waits while it runs). Tables in
 * foreign-key order, each through a cursor in primary-key order, so memory stays flat however
 * large a table is. Documents and field photos are `bytea` columns (tables `documents` and
 * `field_files`): nothing of an installation lives outside its database.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Db, RawClient } from '../../db/database.ts';
import { applicationTables, MIGRATIONS_TABLE, q, sequences } from './catalog.ts';
import { BackupError, createEncryptor, dataKeyCheck } from './crypto.ts';
import { FORMAT, serialize, type BackupHeader, type BackupRecord, type Manifest, type SequenceValue } from './records.ts';
import { canonicalSession, fetchSizeFor, TableHash, tableDigest, tableRows } from './rows.ts';

export interface DumpOptions {
  /** The installation's DATA_KEY: its fingerprint goes into the header (never the key). */
  dataKey?: string | undefined;
  now?: () => Date;
  /** After each table, for progress lines. */
  onTable?: (name: string, rows: number) => void;
}

async function migrations(c: RawClient): Promise<BackupHeader['migrations']> {
  const [exists] = await c.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [MIGRATIONS_TABLE]);
  if (!exists?.ok) throw new BackupError('schema', 'this database has no Cầu Số schema (no schema_migrations table): nothing to back up');
  const rows = await c.query<{ version: number; name: string; checksum: string }>(`SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`);
  return rows.map((r) => ({ version: Number(r.version), name: r.name, checksum: r.checksum }));
}

/** Calls `sink` with every record of the backup, in order, and returns the manifest. */
export async function dump(db: Db, sink: (r: BackupRecord) => Promise<void>, opts: DumpOptions = {}): Promise<Manifest> {
  return db.raw(async (c) => {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    try {
      await canonicalSession(c);
      const [server] = await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
      const migs = await migrations(c);
      const tables = await applicationTables(c);
      const header: BackupHeader = {
        format: FORMAT,
        createdAt: (opts.now ?? (() => new Date()))().toISOString(),
        engine: db.kind,
        server: `PostgreSQL ${server?.v ?? '?'}${db.kind === 'pglite' ? ' (PGlite)' : ''}`,
        schemaVersion: migs.reduce((m, x) => Math.max(m, x.version), 0),
        migrations: migs,
        dataKeyCheck: opts.dataKey ? dataKeyCheck(opts.dataKey) : null,
        tables,
      };
      await sink({ type: 'header', header });
      const summaries: Manifest['tables'] = [];
      for (const t of tables) {
        await sink({ type: 'table', name: t.name });
        const hash = new TableHash();
        for await (const rows of tableRows(c, t, fetchSizeFor(t.columns))) {
          for (const r of rows) hash.add(r.line);
          await sink({ type: 'rows', rows });
        }
        const s = { name: t.name, rows: hash.rows, sha256: hash.digest() };
        await sink({ type: 'end', ...s });
        summaries.push(s);
        opts.onTable?.(t.name, s.rows);
      }
      // Sequences are outside transactions: a value read now is at least every id in the snapshot.
      const seqs: SequenceValue[] = [];
      for (const s of await sequences(c)) {
        const [v] = await c.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text AS last_value, is_called FROM ${q(s.name)}`);
        if (v) seqs.push({ name: s.name, table: s.table, column: s.column, lastValue: v.last_value, isCalled: v.is_called });
      }
      await sink({ type: 'sequences', sequences: seqs });
      const manifest: Manifest = {
        format: FORMAT,
        createdAt: header.createdAt,
        engine: header.engine,
        server: header.server,
        schemaVersion: header.schemaVersion,
        tables: summaries,
        sequences: seqs.length,
        rows: summaries.reduce((n, t) => n + t.rows, 0),
      };
      await sink({ type: 'manifest', manifest });
      await c.query('COMMIT');
      return manifest;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

export interface WrittenBackup {
  file: string;
  bytes: number;
  manifest: Manifest;
}

/**
 * Writes a backup file: records → gzip → AES-256-GCM chunks → `FILE.partial-…`, flushed to
 * disk, then renamed to FILE, so FILE is either a complete backup or absent (never half written).
 */
export async function writeBackup(db: Db, file: string, passphrase: string, opts: DumpOptions & { logN?: number } = {}): Promise<WrittenBackup> {
  const encryptor = await createEncryptor(passphrase, opts.logN === undefined ? {} : { logN: opts.logN });
  const gzip = createGzip({ level: 6 });
  const tmp = `${file}.partial-${randomBytes(4).toString('hex')}`;
  const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
  const written = pipeline(gzip, encryptor, out);
  written.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
  try {
    const manifest = await dump(
      db,
      async (r) => {
        if (!gzip.write(serialize(r))) await Promise.race([once(gzip, 'drain'), written]);
      },
      opts,
    );
    gzip.end();
    await written;
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    return { file, bytes: out.bytesWritten, manifest };
  } catch (e) {
    gzip.destroy();
    await written.catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Every application table's row count and SHA-256 as the database holds them now (one snapshot). */
export async function databaseDigest(db: Db): Promise<Manifest['tables']> {
  return db.raw(async (c) => {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    try {
      await canonicalSession(c);
      const out: Manifest['tables'] = [];
      for (const t of await applicationTables(c)) out.push({ name: t.name, ...(await tableDigest(c, t)) });
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}
