/**
 * Loading backup records into an empty database — from a file (`causo restore`) or straight
 * from another database (`causo migrate-to`):
 *
 * 1. Refuse, before writing anything, a database that holds any row, a backup from a newer
 *    schema than this version knows, or one whose personal data was sealed under another DATA_KEY.
 * 2. Run the migrations up to the backup's schema version (the later ones run after the load,
 *    as they would on an upgrade).
 * 3. One transaction: our own triggers off (the audit chain and the register figures are copied
 *    as they were, not written again), foreign-key checks off too when the session may
 *    (superuser: PGlite always), rows in by COPY in batches, table after table in foreign-key
 *    order; sequences set to the source's value (at least the largest id); triggers back on;
 *    then every table read back and its row count and SHA-256 compared with the manifest.
 *    Any difference, a damaged or cut-short file: ROLLBACK, nothing stays.
 * 4. The later migrations, ANALYZE, and the transaction counter moved past the backup's (below).
 */
import type { Db, RawClient } from '../../db/database.ts';
import { listMigrations, migrate } from '../../db/migrate.ts';
import { applicationTables, q, selfReferencingTables, tablesWithRows, userTriggers } from './catalog.ts';
import { BackupError, dataKeyCheck } from './crypto.ts';
import { dump, type DumpOptions } from './dump.ts';
import { checkedRecords, RecordChecker, type BackupHeader, type BackupRecord, type Manifest, type SequenceValue } from './records.ts';
import { canonicalSession, tableDigest, valuesOf, type Row } from './rows.ts';

export interface RestoreOptions {
  /** The DATA_KEY of the installation being restored into. */
  dataKey?: string | undefined;
  /** Restore even though the backup's personal data was sealed under another DATA_KEY. */
  allowOtherDataKey?: boolean;
  /** Progress lines for the operator. */
  log?: (line: string) => void;
  /** How to name the target in messages (no password), e.g. `pglite:./data`. */
  where?: string | undefined;
}

export interface RestoreSummary {
  header: BackupHeader;
  manifest: Manifest;
  /** Migrations newer than the backup's schema, applied after the load. */
  migratedAfter: string[];
  /** How far the transaction counter was moved (see advanceTransactionIds). */
  xidsAdvanced: number;
  seconds: number;
}

/** Describes where a database is, for messages: no password. */
export function describeTarget(db: Db, where?: string): string {
  return where ?? (db.kind === 'pglite' ? 'the embedded database' : 'the PostgreSQL database');
}

export async function assertRestorable(db: Db, where?: string): Promise<void> {
  await db.raw(async (c) => {
    const [enc] = await c.query<{ e: string }>(`SELECT current_setting('server_encoding') AS e`);
    if (enc?.e !== 'UTF8')
      throw new BackupError('target', `${describeTarget(db, where)} uses the ${enc?.e ?? '?'} encoding; Vietnamese text needs UTF8: create the database with ENCODING 'UTF8' (createdb -E UTF8 -T template0 …)`);
    const full = await tablesWithRows(c);
    if (full.length)
      throw new BackupError(
        'not_empty',
        `${describeTarget(db, where)} is not empty (rows in ${full.slice(0, 6).join(', ')}${full.length > 6 ? `, and ${full.length - 6} more tables` : ''}). ` +
          'A restore only goes into an empty database, so nothing was changed. Create a new one (PostgreSQL: createdb -E UTF8 causo_restored, then point DATABASE_URL at it; embedded: point DATA_DIR at a new, empty folder) and restore there.',
      );
  });
}

async function appliedVersions(c: RawClient): Promise<number[]> {
  const [exists] = await c.query<{ ok: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS ok`);
  if (!exists?.ok) return [];
  return (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version));
}

async function checkSchema(db: Db, h: BackupHeader, opts: RestoreOptions): Promise<void> {
  const known = new Map(listMigrations().map((m) => [m.version, m]));
  const latest = Math.max(0, ...known.keys());
  if (h.schemaVersion > latest)
    throw new BackupError('schema', `this backup was made by a newer version of Cầu Số (schema version ${h.schemaVersion}; this one knows up to ${latest}): restore it with that version or a later one`);
  for (const m of h.migrations) {
    const mine = known.get(m.version);
    if (!mine || mine.checksum !== m.checksum)
      throw new BackupError('schema', `the backup's schema differs from this version's at migration ${m.version}_${m.name}: restore it with the version of Cầu Số that made it`);
  }
  const applied = await db.raw(appliedVersions);
  const ahead = applied.filter((v) => v > h.schemaVersion);
  if (ahead.length)
    throw new BackupError('schema', `this database was already migrated past the backup's schema version ${h.schemaVersion} (to ${Math.max(...ahead)}): restore into a new database that has not been migrated; the restore runs the migrations itself`);
  if (h.dataKeyCheck && opts.dataKey && dataKeyCheck(opts.dataKey) !== h.dataKeyCheck && !opts.allowOtherDataKey)
    throw new BackupError(
      'data_key',
      'the backup\'s personal data (ID numbers, phones, addresses) is sealed under another DATA_KEY than this installation\'s: set DATA_KEY to the key of the installation the backup came from, or pass --allow-other-data-key to restore anyway (that data then cannot be read)',
    );
}

const csvField = (v: string | null): string => (v === null ? '' : `"${v.replace(/"/g, '""')}"`);

const COPY_ROWS = 5000;
const COPY_BYTES = 8 << 20;

/** The load itself, inside the caller's transaction; returns when the manifest has been checked. */
async function load(c: RawClient, records: AsyncIterator<BackupRecord>, h: BackupHeader, opts: RestoreOptions): Promise<{ manifest: Manifest; sequences: SequenceValue[] }> {
  const [su] = await c.query<{ on: boolean }>(`SELECT current_setting('is_superuser') = 'on' AS on`);
  // Foreign-key checks are triggers too; only a superuser may switch them off (both engines).
  const referencesChecked = !su?.on;
  if (!referencesChecked) await c.query(`SET LOCAL session_replication_role = replica`);
  const target = new Map((await applicationTables(c)).map((t) => [t.name, t]));
  for (const t of h.tables) {
    const there = target.get(t.name);
    if (!there) throw new BackupError('schema', `table ${t.name} of the backup does not exist in this database after its migrations`);
    for (const col of t.columns) {
      const tc = there.columns.find((x) => x.name === col.name);
      if (!tc || tc.type !== col.type) throw new BackupError('schema', `column ${t.name}.${col.name} (${col.type}) of the backup is ${tc ? `a ${tc.type}` : 'missing'} in this database`);
    }
  }
  // While foreign keys are checked, a table that refers to itself goes in as one statement
  // (a parent later in key order than its child would fail between two statements).
  const oneStatement = referencesChecked ? await selfReferencingTables(c) : new Set<string>();
  const columnsOf = new Map(h.tables.map((t) => [t.name, t.columns.map((col) => q(col.name))]));
  let table: string | null = null;
  let csv: string[] = [];
  let csvBytes = 0;
  const flush = async () => {
    if (!table || !csv.length) return;
    await c.copyCsv(q(table), columnsOf.get(table) ?? [], `${csv.join('\n')}\n`);
    csv = [];
    csvBytes = 0;
  };
  const add = async (rows: Row[]) => {
    for (const r of rows) {
      const line = valuesOf(r).map(csvField).join(',');
      csv.push(line);
      csvBytes += line.length;
    }
    if (table && !oneStatement.has(table) && (csv.length >= COPY_ROWS || csvBytes >= COPY_BYTES)) await flush();
  };
  let sequences: SequenceValue[] = [];
  for (;;) {
    const next = await records.next();
    if (next.done) throw new BackupError('truncated', 'the backup ends before its manifest (it was cut short)');
    const r = next.value;
    if (r.type === 'table') table = r.name;
    else if (r.type === 'rows') await add(r.rows);
    else if (r.type === 'end') {
      await flush();
      if (r.rows) opts.log?.(`  ${r.name}: ${r.rows.toLocaleString('en')} rows`);
      table = null;
    } else if (r.type === 'sequences') sequences = r.sequences;
    else if (r.type === 'manifest') return { manifest: r.manifest, sequences };
  }
}

/** Each sequence to the source's value, and never below the largest id now in its column. */
async function setSequences(c: RawClient, sequences: SequenceValue[]): Promise<void> {
  for (const s of sequences) {
    const [found] = await c.query<{ seq: string | null }>(
      s.table && s.column ? `SELECT pg_get_serial_sequence($1, $2) AS seq` : `SELECT to_regclass($1)::text AS seq`,
      s.table && s.column ? [q(s.table), s.column] : [q(s.name)],
    );
    if (!found?.seq) continue;
    const highest = s.table && s.column ? `(SELECT max(${q(s.column)})::bigint FROM ${q(s.table)})` : 'NULL::bigint';
    await c.query(
      `SELECT CASE WHEN g >= 1 THEN setval($1::regclass, g, true) ELSE setval($1::regclass, 1, false) END
         FROM (SELECT GREATEST(CASE WHEN $3::boolean THEN $2::bigint ELSE $2::bigint - 1 END, coalesce(${highest}, 0)) AS g) x`,
      [found.seq, s.lastValue, s.isCalled],
    );
  }
}

async function verifyLoaded(c: RawClient, h: BackupHeader, m: Manifest): Promise<void> {
  const expected = new Map(m.tables.map((t) => [t.name, t]));
  for (const t of h.tables) {
    const got = await tableDigest(c, t);
    const want = expected.get(t.name);
    if (!want || got.rows !== want.rows || got.sha256 !== want.sha256)
      throw new BackupError('mismatch', `table ${t.name} reads back differently after loading (${got.rows} rows, SHA-256 ${got.sha256.slice(0, 12)}…; the backup has ${want?.rows ?? '?'} rows, ${want?.sha256.slice(0, 12) ?? '?'}…): nothing was restored`);
  }
}

/**
 * Field phones page through `sync_changes` by (transaction id, seq) and only see rows of
 * transactions older than every running one (modules/sync/pull.ts). Restored rows keep the
 * source's transaction ids; a new database's counter may be far behind them, so its rows would
 * stay hidden and its new changes would sort before the cursors phones already hold. So the
 * counter is moved past the largest restored id by spending ids in subtransactions (about
 * 100,000 a second; a commune's laptop has used some hundreds of thousands to a few million;
 * a PostgreSQL target on a server that hosts other databases is usually ahead already).
 */
/** Beyond this (about half an hour) the restore warns instead; it also stays far from wraparound. */
const MAX_XID_ADVANCE = 200_000_000n;

export async function advanceTransactionIds(db: Db, h: BackupHeader, log?: (line: string) => void): Promise<number> {
  const xidColumns = h.tables.flatMap((t) => t.columns.filter((col) => col.type === 'xid8').map((col) => ({ table: t.name, column: col.name })));
  if (!xidColumns.length) return 0;
  return db.raw(async (c) => {
    let highest = -1n;
    for (const x of xidColumns) {
      const [row] = await c.query<{ m: string | null }>(`SELECT max(${q(x.column)})::text AS m FROM ${q(x.table)}`);
      if (row?.m) highest = BigInt(row.m) > highest ? BigInt(row.m) : highest;
    }
    const nextXid = async () => BigInt((await c.query<{ n: string }>(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS n`))[0]?.n ?? '0');
    const start = await nextXid();
    if (highest < start) return 0;
    const needed = highest - start + 1n;
    if (needed > MAX_XID_ADVANCE) {
      log?.(`warning: the backup's transaction ids are ${needed.toLocaleString('en')} ahead of this database's, too far to catch up here: field phones will not see changes made after this restore until they sign in again and download their villages afresh`);
      return 0;
    }
    log?.(`moving this database's transaction counter forward by ${needed.toLocaleString('en')} so field phones' sync cursors stay valid (about 100,000 a second)…`);
    await c.query('CREATE TEMP TABLE IF NOT EXISTS causo_xid_spend (x int)');
    try {
      const block = 100_000n;
      for (;;) {
        const now = await nextXid();
        if (now > highest) break;
        const n = highest - now + 1n < block ? highest - now + 1n : block;
        if (now - start > 0n && (now - start) % 2_000_000n < block) log?.(`  ${(now - start).toLocaleString('en')} of ${needed.toLocaleString('en')}`);
        await c.exec(
          `DO $$ BEGIN FOR i IN 1..${n} LOOP BEGIN INSERT INTO causo_xid_spend VALUES (1); RAISE EXCEPTION USING ERRCODE = 'P0001'; EXCEPTION WHEN raise_exception THEN NULL; END; END LOOP; END $$`,
        );
      }
    } finally {
      await c.query('DROP TABLE IF EXISTS causo_xid_spend');
    }
    return Number((await nextXid()) - start);
  });
}

/** Restores records into `db`, which must be empty. */
export async function restoreRecords(db: Db, records: AsyncIterable<BackupRecord>, opts: RestoreOptions = {}): Promise<RestoreSummary> {
  const started = performance.now();
  await assertRestorable(db, opts.where);
  const checker = new RecordChecker();
  const it = checkedRecords(records, checker)[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    if (first.done || first.value.type !== 'header') throw new BackupError('damaged', 'the backup does not start with its header');
    const h = first.value.header;
    await checkSchema(db, h, opts);
    const latest = Math.max(0, ...listMigrations().map((m) => m.version));
    if (h.schemaVersion < latest) await migrate(db, { upTo: h.schemaVersion });
    else await migrate(db);
    opts.log?.(`restoring ${h.tables.length} tables from a backup of ${h.createdAt} (${h.engine}, schema version ${h.schemaVersion})`);
    const { manifest } = await db.raw(async (c) => {
      await c.query('BEGIN');
      try {
        await canonicalSession(c);
        const triggers = await userTriggers(c);
        for (const t of triggers) await c.query(`ALTER TABLE ${q(t.table)} DISABLE TRIGGER ${q(t.name)}`);
        const loaded = await load(c, it, h, opts);
        // The checker has seen the manifest: it must also be the last record.
        const rest = await it.next();
        if (!rest.done) throw new BackupError('damaged', "the backup's content is damaged: there are records after the manifest");
        await setSequences(c, loaded.sequences);
        for (const t of triggers) await c.query(`ALTER TABLE ${q(t.table)} ENABLE TRIGGER ${q(t.name)}`);
        opts.log?.('checking every table against the manifest…');
        await verifyLoaded(c, h, loaded.manifest);
        await c.query('COMMIT');
        return loaded;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
    const { applied } = await migrate(db);
    await db.raw((c) => c.exec('ANALYZE'));
    const xidsAdvanced = await advanceTransactionIds(db, h, opts.log);
    return { header: h, manifest, migratedAfter: applied, xidsAdvanced, seconds: (performance.now() - started) / 1000 };
  } finally {
    await it.return?.(undefined);
  }
}

/**
 * Records from one database to another through a small queue: the reader waits while the
 * writer is busy, so neither side holds more than a few batches of rows.
 */
class Channel<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #closed = false;
  #error: unknown = null;
  #abandoned = false;
  #wakeReader: (() => void) | null = null;
  #wakeWriter: (() => void) | null = null;
  constructor(readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.#items.length >= this.capacity && !this.#abandoned) await new Promise<void>((r) => (this.#wakeWriter = r));
    if (this.#abandoned) throw new BackupError('target', 'the copy stopped on the receiving side');
    this.#items.push(item);
    this.#wakeReader?.();
  }

  close(error?: unknown): void {
    this.#closed = true;
    this.#error = error ?? null;
    this.#wakeReader?.();
  }

  abandon(): void {
    this.#abandoned = true;
    this.#wakeWriter?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        const item = this.#items.shift();
        if (item !== undefined) {
          this.#wakeWriter?.();
          yield item;
          continue;
        }
        if (this.#closed) {
          if (this.#error) throw this.#error;
          return;
        }
        await new Promise<void>((r) => (this.#wakeReader = r));
      }
    } finally {
      this.abandon();
    }
  }
}

/** `causo migrate-to`: the configured installation into another (empty) database, no file between. */
export async function copyDatabase(source: Db, target: Db, opts: RestoreOptions & Pick<DumpOptions, 'onTable'> = {}): Promise<RestoreSummary> {
  const channel = new Channel<BackupRecord>(8);
  const reading = dump(source, (r) => channel.push(r), { dataKey: opts.dataKey, onTable: opts.onTable }).then(
    () => channel.close(),
    (e: unknown) => {
      channel.close(e);
      throw e;
    },
  );
  reading.catch(() => undefined); // awaited below
  try {
    const summary = await restoreRecords(target, channel, opts);
    await reading;
    return summary;
  } catch (e) {
    channel.abandon();
    await reading.catch(() => undefined);
    throw e;
  }
}
