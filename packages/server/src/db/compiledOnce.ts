/**
 * A query the builder makes once and the app runs many times with new values. Building and
 * compiling a query costs the server more CPU than sending it; on a statement every request runs
 * (the session look-up) that is worth skipping (docs/operations.md, Load).
 *
 * `build` gets a stand-in for each value; each stand-in must come out exactly once among the
 * compiled query's parameters, which is checked when it is compiled. The text is then fixed, so
 * it is also prepared once per connection (preparedStatements.ts).
 */
import { CompiledQuery, DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Compilable } from 'kysely';
import type { DB } from './schema.ts';

/** Builds and compiles queries for compileOnce; it has no connection and runs nothing. */
export const queryBuilder = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

export function compileOnce<K extends string, R>(keys: readonly K[], build: (standIns: Record<K, string>) => Compilable<R>): (values: Record<K, unknown>) => CompiledQuery<R> {
  let compiled: { sql: string; parameters: readonly unknown[]; slots: [K, number][] } | null = null;
  const prepare = () => {
    const standIns = Object.fromEntries(keys.map((k) => [k, `\u0000compileOnce:${k}\u0000`])) as Record<K, string>;
    const q = build(standIns).compile();
    const slots = keys.map((k): [K, number] => {
      const at = q.parameters.flatMap((p, i) => (p === standIns[k] ? [i] : []));
      if (at.length !== 1 || at[0] === undefined) throw new Error(`compileOnce: the value ${k} appears ${at.length} times in the compiled query`);
      return [k, at[0]];
    });
    return { sql: q.sql, parameters: q.parameters, slots };
  };
  return (values) => {
    compiled ??= prepare();
    const parameters = [...compiled.parameters];
    for (const [k, i] of compiled.slots) parameters[i] = values[k];
    return CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<R>;
  };
}
