/**
 * A connection pool that finds its server again after a failover. With several hosts in the URL
 * (pgHosts.ts), it asks each in turn `pg_is_in_recovery()` and pools connections to the first
 * that fits `target_session_attrs` (the primary for writes, a standby for reports). A connection
 * broken by the failover, or a server answering "read-only" or "shutting down", drops the
 * whole pool: the next connection resolves the hosts again, so the app follows a promoted
 * replica without a restart.
 *
 * Kysely's PostgresDialect and `Db.raw` see a pg.Pool-like object (`connect`, `end`).
 */
import pg from 'pg';
import { parsePgUrl, type PgHost, type TargetSessionAttrs } from './pgHosts.ts';
import { StatementNames, withStatementName } from './preparedStatements.ts';

/** SQLSTATEs after which this server is no longer the one to use. */
const FAILOVER_STATES = new Set([
  '25006', // read_only_sql_transaction: the server became (or is) a standby
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
]);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The error says the server is gone, shutting down or read-only (not a mistake in the query). */
export function isFailoverError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (FAILOVER_STATES.has(code) || NETWORK_ERRORS.has(code))) return true;
  const message = String((e as { message?: unknown }).message ?? '');
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|no server (fits|answered)/i.test(message);
}

function isStalePlan(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '0A000' && /cached plan must not change result type/.test(String((e as { message?: unknown }).message));
}

export interface PoolOptions {
  max: number;
  types: pg.CustomTypesConfig;
  /** What the pool is for when the URL does not say: the writer needs read-write. */
  defaultTarget: TargetSessionAttrs;
  /** Told when the pool switches servers (host:port) or cannot find one. */
  onSwitch?: (event: { to: string | null; error?: string }) => void;
  /** Prepare frequent statements once per connection (off behind a pooler that cannot keep them). */
  prepare?: boolean;
}

interface Generation {
  pool: pg.Pool;
  host: string;
}

const PROBE_TIMEOUT_MS = 5_000;
/** While no server fits (between the primary's death and the promotion), fail fast instead of probing on every request. */
const RETRY_AFTER_FAILURE_MS = 250;

export class FailoverPool {
  readonly options: object = {};
  private current: Generation | null = null;
  private resolving: Promise<Generation> | null = null;
  private lastFailure: { at: number; error: Error } | null = null;
  private readonly hosts: PgHost[];
  private readonly target: TargetSessionAttrs;
  private readonly url;
  private ended = false;
  private outage = false;
  private readonly names: StatementNames | null;

  constructor(
    private readonly connectionString: string,
    private readonly opts: PoolOptions,
  ) {
    this.url = parsePgUrl(connectionString);
    this.hosts = this.url.hosts;
    this.target = this.url.target ?? opts.defaultTarget;
    this.names = opts.prepare === false ? null : new StatementNames();
  }

  /** One host and nothing to check: node-postgres alone does the job (and keeps the URL untouched). */
  private get single(): boolean {
    return this.hosts.length === 1 && !['read-write', 'primary', 'read-only', 'standby'].includes(this.target);
  }

  stats(): { total: number; idle: number; waiting: number } {
    const p = this.current?.pool;
    return { total: p?.totalCount ?? 0, idle: p?.idleCount ?? 0, waiting: p?.waitingCount ?? 0 };
  }

  /** The server connections currently go to (host:port), or null before the first one. */
  get server(): string | null {
    return this.current?.host ?? null;
  }

  async connect(): Promise<pg.PoolClient> {
    for (let attempt = 1; ; attempt++) {
      if (this.ended) throw new Error('the pool has been closed');
      const gen = this.current ?? (await this.resolve());
      try {
        return this.wrap(await gen.pool.connect(), gen);
      } catch (e) {
        // A dead server, or a pool dropped meanwhile by another request: once more, on a server found again.
        const stale = this.current !== gen;
        if (isFailoverError(e)) this.invalidate(gen);
        if (attempt < 2 && (stale || this.current !== gen)) continue;
        throw e;
      }
    }
  }

  async end(): Promise<void> {
    this.ended = true;
    const gen = this.current ?? (await this.resolving?.catch(() => null)) ?? null;
    this.current = null;
    await gen?.pool.end();
  }

  /** Drop this generation's pool: broken and idle connections go, the next connect resolves again. */
  private invalidate(gen: Generation): void {
    if (this.current !== gen || this.single) return;
    this.current = null;
    gen.pool.end().catch(() => {});
    this.tell({ to: null, error: `lost ${gen.host}` });
  }

  /** Once per outage, not once per failed request. */
  private tell(event: { to: string | null; error?: string }): void {
    if (!event.to && this.outage) return;
    this.outage = !event.to;
    this.opts.onSwitch?.(event);
  }

  private resolve(): Promise<Generation> {
    if (this.resolving) return this.resolving;
    const failed = this.lastFailure;
    if (failed && Date.now() - failed.at < RETRY_AFTER_FAILURE_MS) return Promise.reject(failed.error);
    this.resolving = this.pick()
      .then((host) => {
        const gen = this.open(host);
        this.lastFailure = null;
        if (!this.ended) this.current = gen;
        if (!this.single) this.tell({ to: gen.host });
        return gen;
      })
      .catch((e: Error) => {
        this.lastFailure = { at: Date.now(), error: e };
        this.tell({ to: null, error: e.message });
        throw e;
      })
      .finally(() => {
        this.resolving = null;
      });
    return this.resolving;
  }

  private open(host: PgHost | null): Generation {
    const connectionString = host ? this.url.forHost(host) : this.connectionString;
    const pool = new pg.Pool({ connectionString, max: this.opts.max, types: this.opts.types, ...(host ? { connectionTimeoutMillis: 10_000 } : {}) });
    const gen: Generation = { pool, host: host ? `${host.host}:${host.port}` : (this.hosts[0] ? `${this.hosts[0].host}:${this.hosts[0].port}` : '') };
    // An idle client that loses its server must not crash the process; if the server is gone, look again.
    pool.on('error', (e) => {
      if (isFailoverError(e)) this.invalidate(gen);
    });
    return gen;
  }

  /** The host to pool connections to; null means "the URL as it is" (one host, nothing to check). */
  private async pick(): Promise<PgHost | null> {
    if (this.single) return null;
    const found: { host: PgHost; standby: boolean }[] = [];
    const errors: string[] = [];
    for (const host of this.hosts) {
      const state = await probe(this.url.forHost(host)).catch((e: Error) => {
        errors.push(`${host.host}:${host.port}: ${e.message}`);
        return null;
      });
      if (!state) continue;
      const fits = chooses(this.target, state.readOnly);
      if (fits === 'yes') return host;
      found.push({ host, standby: state.readOnly });
      errors.push(`${host.host}:${host.port}: ${state.readOnly ? 'standby (read-only)' : 'primary (read-write)'}`);
    }
    // prefer-standby takes any server when no standby answers.
    if (this.target === 'prefer-standby' && found[0]) return found[0].host;
    throw new Error(`no server fits target_session_attrs=${this.target}: ${errors.join('; ')}`);
  }

  private wrap(inner: pg.PoolClient, gen: Generation): pg.PoolClient {
    let broken = false;
    const lost = (e: unknown) => {
      if (!isFailoverError(e)) return;
      broken = true;
      this.invalidate(gen);
    };
    const check = (e: unknown) => {
      lost(e);
      // A prepared statement whose table changed shape (a migration while serving) fails on this
      // connection until it closes: drop the connection, the next one prepares it again.
      if (isStalePlan(e)) broken = true;
      throw e;
    };
    const names = this.names;
    // pg.Pool listens for errors only on idle clients: a connection cut while lent out (between
    // two queries of a transaction) would otherwise be an uncaught 'error' that ends the process.
    inner.on('error', lost);
    // A Proxy keeps everything of pg.PoolClient (COPY streams, cursors, processID) and watches queries.
    return new Proxy(inner, {
      get(target, prop) {
        if (prop === 'query')
          return (...args: unknown[]) => {
            const out = (target.query as (...a: unknown[]) => unknown)(...(names ? withStatementName(names, args) : args));
            return out instanceof Promise ? out.catch(check) : out;
          };
        if (prop === 'release')
          return (destroy?: boolean | Error) => {
            target.removeListener('error', lost);
            target.release(broken ? true : destroy);
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

function chooses(target: TargetSessionAttrs, readOnly: boolean): 'yes' | 'no' {
  switch (target) {
    case 'read-write':
    case 'primary':
      return readOnly ? 'no' : 'yes';
    case 'read-only':
    case 'standby':
    case 'prefer-standby':
      return readOnly ? 'yes' : 'no';
    default:
      return 'yes';
  }
}

/** Whether a server is a standby (in recovery) or refuses writes. */
async function probe(connectionString: string): Promise<{ readOnly: boolean }> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  // A probe whose server dies meanwhile reports through the promise, not as an uncaught error.
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ ro: boolean }>("select pg_is_in_recovery() or current_setting('transaction_read_only') = 'on' as ro");
    return { readOnly: rows[0]?.ro === true };
  } finally {
    await client.end().catch(() => {});
  }
}
