/**
 * What a backup holds, read from the database's own catalog rather than a list kept by hand, so
 * a table added by a later migration is backed up without anyone remembering to: every ordinary
 * table of the `public` schema except `schema_migrations` (recorded apart), in an order where
 * each table comes after the tables its foreign keys point to, with its columns (generated
 * columns left out: the target computes them), its primary key, and the sequences behind its
 * serial columns.
 */
import type { RawClient } from '../../db/database.ts';

export interface ColumnInfo {
  name: string;
  /** format_type(): `bigint`, `timestamp with time zone`, `text[]`, `numeric(12,1)`, … */
  type: string;
  /** Text-like: ordered with COLLATE "C" so both engines sort the same whatever their locale. */
  collatable: boolean;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

export interface SequenceInfo {
  name: string;
  /** The serial or identity column that owns it, when there is one. */
  table: string | null;
  column: string | null;
}

export const MIGRATIONS_TABLE = 'schema_migrations';

/** A quoted identifier. */
export const q = (id: string): string => `"${id.replace(/"/g, '""')}"`;

export async function applicationTables(c: RawClient): Promise<TableInfo[]> {
  const tables = await c.query<{ oid: number; name: string }>(
    `SELECT c.oid::int AS oid, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
      ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const columns = await c.query<{ table_oid: number; name: string; type: string; collatable: boolean }>(
    `SELECT a.attrelid::int AS table_oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attcollation <> 0 AS collatable
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attrelid, a.attnum`,
  );
  const keys = await c.query<{ table_oid: number; name: string }>(
    `SELECT i.indrelid::int AS table_oid, a.attname AS name
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND i.indisprimary
      ORDER BY i.indrelid, k.ord`,
  );
  const refs = await c.query<{ child: number; parent: number }>(
    `SELECT k.conrelid::int AS child, k.confrelid::int AS parent
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public'`,
  );
  const byOid = new Map<number, TableInfo>(tables.map((t) => [Number(t.oid), { name: t.name, columns: [], primaryKey: [] }]));
  for (const col of columns) byOid.get(Number(col.table_oid))?.columns.push({ name: col.name, type: col.type, collatable: col.collatable });
  for (const k of keys) byOid.get(Number(k.table_oid))?.primaryKey.push(k.name);
  return foreignKeyOrder(
    [...byOid.values()],
    refs.map((r) => ({ child: byOid.get(Number(r.child))?.name ?? '', parent: byOid.get(Number(r.parent))?.name ?? '' })).filter((r) => r.child && r.parent),
  );
}

/**
 * Parents before children (Kahn's algorithm, alphabetical among equals so the order is stable).
 * A table that refers to itself (units.parent_id) is no obstacle; a cycle between tables would
 * be: its tables go last, in name order, and the restore then relies on the checks being off.
 */
export function foreignKeyOrder(tables: TableInfo[], refs: { child: string; parent: string }[]): TableInfo[] {
  const parents = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  for (const r of refs) if (r.child !== r.parent) parents.get(r.child)?.add(r.parent);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  for (;;) {
    const ready = [...parents.entries()]
      .filter(([name, ps]) => !done.has(name) && [...ps].every((p) => done.has(p) || !byName.has(p)))
      .map(([name]) => name)
      .sort();
    if (!ready.length) break;
    for (const name of ready) {
      done.add(name);
      const t = byName.get(name);
      if (t) out.push(t);
    }
  }
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) if (!done.has(t.name)) out.push(t);
  return out;
}

/** Tables that refer to themselves: their rows must arrive in one statement while foreign keys are checked. */
export async function selfReferencingTables(c: RawClient): Promise<Set<string>> {
  const rows = await c.query<{ name: string }>(
    `SELECT DISTINCT c.relname AS name FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND k.conrelid = k.confrelid AND n.nspname = 'public'`,
  );
  return new Set(rows.map((r) => r.name));
}

export async function sequences(c: RawClient): Promise<SequenceInfo[]> {
  return c.query<SequenceInfo>(
    `SELECT s.relname AS name, t.relname AS "table", a.attname AS "column"
       FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
       LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class t ON t.oid = d.refobjid
       LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE s.relkind = 'S' AND n.nspname = 'public'
      ORDER BY s.relname`,
  );
}

/** Enabled triggers written by us (not the ones PostgreSQL makes for foreign keys). */
export async function userTriggers(c: RawClient): Promise<{ table: string; name: string }[]> {
  return c.query<{ table: string; name: string }>(
    `SELECT c.relname AS "table", t.tgname AS name
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND NOT t.tgisinternal AND t.tgenabled <> 'D'
      ORDER BY c.relname, t.tgname`,
  );
}

/** Every table of the public schema that holds at least one row (schema_migrations aside). */
export async function tablesWithRows(c: RawClient): Promise<string[]> {
  const tables = await c.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> $1 ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const out: string[] = [];
  for (const t of tables) {
    const [row] = await c.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${q(t.name)}) AS any`);
    if (row?.any) out.push(t.name);
  }
  return out;
}
