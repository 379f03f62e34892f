/**
 * Names for the app's frequent statements, so that node-postgres prepares each once per
 * connection and PostgreSQL parses and plans it once, not on every call. Under the load bench
 * (docs/operations.md, Load) parse and plan were a large share of the server's CPU per
 * submission: the same few dozen statements run thousands of times a second.
 *
 * Only statements seen `PREPARE_AFTER` times get a name, and at most `MAX_NAMED` of them, so
 * that one-off statements (IN lists of every length, reports, migrations) stay unnamed and the
 * number of statements each server connection keeps stays small. DDL and transaction control
 * are never named: a prepared statement whose table is altered can fail with "cached plan must
 * not change result type".
 */
import pg from 'pg';

const PREPARE_AFTER = 3;
const MAX_NAMED = 400;
/** Counting stops being worth it past this many distinct texts: the counts start again. */
const MAX_COUNTED = 5_000;

const NAMEABLE = /^\s*(select|insert|update|delete|with)\b/i;

export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly seen = new Map<string, number>();

  /** The name to prepare `text` under, or undefined to run it unnamed. */
  nameFor(text: string): string | undefined {
    const named = this.names.get(text);
    if (named !== undefined) return named;
    if (this.names.size >= MAX_NAMED || !NAMEABLE.test(text)) return undefined;
    const count = (this.seen.get(text) ?? 0) + 1;
    if (count < PREPARE_AFTER) {
      if (this.seen.size >= MAX_COUNTED) this.seen.clear();
      this.seen.set(text, count);
      return undefined;
    }
    this.seen.delete(text);
    const name = `causo_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }

  get size(): number {
    return this.names.size;
  }
}

/**
 * The arguments of `client.query(...)` with a name added when the call is Kysely's
 * `(text, values)` form with at least one value; every other form (config objects, COPY
 * streams, callbacks) as given. Without values node-postgres uses the simple protocol, which
 * also runs several statements in one text; a name would switch it to the extended one, so
 * those calls are left as they are.
 */
export function withStatementName(names: StatementNames, args: unknown[]): unknown[] {
  const [text, values] = args;
  if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values) || values.length === 0) return args;
  const name = names.nameFor(text);
  return name === undefined ? args : [{ name, text, values } satisfies pg.QueryConfig];
}
