/**
 * One database handle for both engines: PGlite (embedded, a data folder) by default, a
 * PostgreSQL server when DATABASE_URL is set. Kysely for typed queries; a raw client for the
 * few places that need COPY (bulk import, seeding, benchmarks).
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { PGliteDialect } from './pgliteDialect.ts';
import { Mutex } from './mutex.ts';
import { PG_PARSERS } from './types.ts';
import { FailoverPool, isFailoverError } from './failoverPool.ts';
import { parsePgUrl } from './pgHosts.ts';
import type { DB } from './schema.ts';

export type DbKind = 'pglite' | 'postgres';

/**
 * PGlite's WASM heap never shrinks, and PostgreSQL's default 128 MB of shared buffers would
 * live in it; a commune laptop or a small server does better with less. Reports read small
 * counter tables, so this costs nothing measurable. Extending files by writing zeros keeps bulk
 * COPY flat on PGlite's in-memory store (the default copies the whole file on each extension).
 */
// work_mem: the dashboards' distinct counts over a province's visits sort in memory instead of on disk (allocated only while a sort runs).
export const PGLITE_CONF = ['shared_buffers=24MB', 'work_mem=16MB', 'file_extend_method=write_zeros'];
export type Trx = Transaction<DB>;

/** Plain SQL access for bulk work; inside `Db.raw` it is one connection, optionally one transaction. */
export interface RawClient {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** COPY rows given as CSV text (no header) into `table (columns)`. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
}

export interface Db {
  readonly kind: DbKind;
  readonly kysely: Kysely<DB>;
  /** Run `fn` in one transaction; the result is returned after COMMIT. */
  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  raw<T>(fn: (c: RawClient) => Promise<T>, opts?: { transaction?: boolean }): Promise<T>;
  close(): Promise<void>;
  /** The embedded engine itself (backups, tests); absent on PostgreSQL. */
  readonly pglite?: PGlite;
  /** Connections of the PostgreSQL pool (for /metrics); absent on PGlite, which has one. */
  poolStats?(): { total: number; idle: number; waiting: number };
  /**
   * Pure reads that may lag a moment behind (reports): on the read replica when one is
   * configured, else on the primary. Writes, audit entries included, never go through here.
   */
  read<T>(fn: (db: Kysely<DB>) => Promise<T>): Promise<T>;
  /** The read replica (DATABASE_REPLICA_URL), when configured. */
  readonly replica?: ReplicaHandle;
}

export interface ReplicaHandle {
  /** Where reports are read from (host:port), for /readyz. */
  describe(): string;
  /** Answers a query now (false also while reports fall back to the primary). */
  reachable(): Promise<boolean>;
  poolStats(): { total: number; idle: number; waiting: number };
}

/** Where the database layer reports replica and failover events (the app's pino logger). */
export interface DbLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` for a throwaway database. */
  dataDir?: string | undefined;
  poolSize?: number;
  /** Prepare frequent statements once per connection (DB_PREPARED_STATEMENTS; default on). */
  prepareStatements?: boolean;
  /** An already opened PGlite (tests clone one from a template). */
  pglite?: PGlite;
  /** A streaming replica of `databaseUrl` for reports (DATABASE_REPLICA_URL). */
  replicaUrl?: string | undefined;
  log?: DbLog;
}

export async function openDatabase(opts: DbOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10, opts.replicaUrl, opts.log, opts.prepareStatements ?? true);
  if (opts.pglite) return wrapPGlite(opts.pglite);
  const dataDir = opts.dataDir ?? './data';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  return wrapPGlite(await PGlite.create(dataDir.startsWith('memory://') ? undefined : dataDir, { parsers: PG_PARSERS, postgresqlconf: PGLITE_CONF }));
}

function wrapPGlite(pglite: PGlite): Db {
  const mutex = new Mutex();
  const kysely = new Kysely<DB>({ dialect: new PGliteDialect(pglite, mutex) });
  const client: RawClient = {
    async query<R>(text: string, params: unknown[] = []) {
      return (await pglite.query<R>(text, params)).rows;
    },
    async exec(text) {
      await pglite.exec(text);
    },
    async copyCsv(table, columns, csv) {
      await pglite.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
        blob: new Blob([csv]),
      });
    },
  };
  return {
    kind: 'pglite',
    pglite,
    kysely,
    transaction: (fn) => kysely.transaction().execute(fn),
    read: (fn) => fn(kysely),
    raw: (fn, o) =>
      mutex.run(async () => {
        if (!o?.transaction) return fn(client);
        await pglite.query('BEGIN');
        try {
          const out = await fn(client);
          await pglite.query('COMMIT');
          return out;
        } catch (e) {
          await pglite.query('ROLLBACK');
          throw e;
        }
      }),
    close: async () => {
      await kysely.destroy();
      await pglite.close();
    },
  };
}

const pgTypes = {
  getTypeParser: (oid: number, format?: string) =>
    (PG_PARSERS[oid] as ((v: string) => unknown) | undefined) ?? pg.types.getTypeParser(oid, format as 'text'),
};

async function openPostgres(url: string, max: number, replicaUrl: string | undefined, log: DbLog | undefined, prepare: boolean): Promise<Db> {
  const types = pgTypes as pg.CustomTypesConfig;
  const pool = new FailoverPool(url, {
    max,
    types,
    // Several hosts: the one that takes writes (libpq would take any, which is never what the app wants).
    defaultTarget: parsePgUrl(url).hosts.length > 1 ? 'read-write' : 'any',
    prepare,
    onSwitch: (e) => (e.to ? log?.info({ server: e.to }, 'database: connected to the primary') : log?.warn({ error: e.error }, 'database: no primary reachable, looking again')),
  });
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(kysely);
  const reader = replicaUrl ? openReader(replicaUrl, Math.max(2, Math.ceil(max / 2)), kysely, log, prepare) : null;
  return {
    kind: 'postgres',
    kysely,
    poolStats: () => pool.stats(),
    read: reader ? reader.read : (fn) => fn(kysely),
    ...(reader ? { replica: reader.handle } : {}),
    transaction: (fn) => kysely.transaction().execute(fn),
    raw: async (fn, o) => {
      const conn = await pool.connect();
      const client: RawClient = {
        async query<R>(text: string, params: unknown[] = []) {
          return (await conn.query(text, params)).rows as R[];
        },
        async exec(text) {
          await conn.query(text);
        },
        async copyCsv(table, columns, csv) {
          const stream = conn.query(copyFromStdin(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`));
          await pipeline(Readable.from([csv]), stream);
        },
      };
      try {
        if (!o?.transaction) return await fn(client);
        await conn.query('BEGIN');
        try {
          const out = await fn(client);
          await conn.query('COMMIT');
          return out;
        } catch (e) {
          await conn.query('ROLLBACK');
          throw e;
        }
      } finally {
        conn.release();
      }
    },
    close: async () => {
      await reader?.close();
      await kysely.destroy();
    },
  };
}

/** How long reports stay on the primary after the replica failed, before trying it again. */
export const REPLICA_RETRY_MS = 30_000;

/**
 * The read pool on the replica. When the replica cannot be reached, reads fall back to the
 * primary and the replica is tried again after REPLICA_RETRY_MS; the warning is logged once per
 * outage, not per request.
 */
function openReader(url: string, max: number, primary: Kysely<DB>, log: DbLog | undefined, prepare: boolean) {
  const pool = new FailoverPool(url, { max, types: pgTypes as pg.CustomTypesConfig, defaultTarget: 'prefer-standby', prepare });
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const where = parsePgUrl(url).describe();
  let downUntil = 0;
  let down = false;
  const markDown = (e: unknown) => {
    downUntil = Date.now() + REPLICA_RETRY_MS;
    if (down) return;
    down = true;
    log?.warn({ replica: where, error: (e as Error).message }, 'read replica unreachable: reports read from the primary');
  };
  const markUp = () => {
    if (!down) return;
    down = false;
    log?.info({ replica: where }, 'read replica reachable again: reports read from it');
  };
  const read = async <T>(fn: (db: Kysely<DB>) => Promise<T>): Promise<T> => {
    if (Date.now() < downUntil) return fn(primary);
    let out: T;
    try {
      out = await fn(kysely);
    } catch (e) {
      if (!isFailoverError(e)) throw e;
      markDown(e);
      return fn(primary);
    }
    markUp();
    return out;
  };
  const handle: ReplicaHandle = {
    describe: () => where,
    poolStats: () => pool.stats(),
    reachable: async () => {
      if (Date.now() < downUntil) return false;
      try {
        await sql`select 1`.execute(kysely);
        markUp();
        return true;
      } catch (e) {
        if (!isFailoverError(e)) throw e;
        markDown(e);
        return false;
      }
    },
  };
  return { read, handle, close: () => kysely.destroy() };
}
