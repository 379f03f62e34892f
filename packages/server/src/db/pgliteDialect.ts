/**
 * A Kysely dialect for PGlite (embedded PostgreSQL compiled to WASM). PGlite is one
 * connection, so a mutex hands it to one query or one transaction at a time; transactions
 * from concurrent requests queue instead of interleaving.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { Mutex } from './mutex.ts';
import { PGlitePreparedStatements } from './pglitePrepared.ts';

export class PGliteConnection implements DatabaseConnection {
  readonly statements: PGlitePreparedStatements;
  constructor(readonly pg: PGlite) {
    this.statements = new PGlitePreparedStatements(pg);
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const res = await this.statements.query<R>(compiled.sql, compiled.parameters);
    return {
      rows: res.rows,
      numAffectedRows: res.affectedRows === undefined ? undefined : BigInt(res.affectedRows),
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(compiled);
  }
}

class PGliteDriver implements Driver {
  readonly #conn: PGliteConnection;
  constructor(
    pg: PGlite,
    readonly mutex: Mutex,
  ) {
    this.#conn = new PGliteConnection(pg);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.#conn;
  }
  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }
  async beginTransaction(): Promise<void> {
    await this.#conn.statements.control('BEGIN');
  }
  async commitTransaction(): Promise<void> {
    await this.#conn.statements.control('COMMIT');
  }
  async rollbackTransaction(): Promise<void> {
    await this.#conn.statements.control('ROLLBACK');
  }
  async destroy(): Promise<void> {}
}

export class PGliteDialect implements Dialect {
  constructor(
    readonly pg: PGlite,
    readonly mutex: Mutex,
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pg, this.mutex);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
