/**
 * A table's canonical content, the same on PGlite and on PostgreSQL: every column as its
 * PostgreSQL text form (lossless, and what COPY reads back), rows in primary-key order with
 * text keys compared bytewise (COLLATE "C": both engines, whatever their locale), each row one
 * JSON array line `["1","70",null,…]` built by the database itself (array_to_json: three times
 * faster on PGlite than returning the columns one by one, and the same text as JSON.stringify).
 * The session settings that shape text output (time zone, date style, bytea output, float
 * digits) are fixed for the transaction by `canonicalSession`. A table's SHA-256 is over its row
 * lines, each followed by "\n"; the backup, its verification and the check after a restore all
 * hash the same lines.
 */
import { createHash, type Hash } from 'node:crypto';
import type { RawClient } from '../../db/database.ts';
import { q, type ColumnInfo } from './catalog.ts';

export type RowValues = (string | null)[];
export interface Row {
  /** The canonical JSON line (without the newline). */
  line: string;
  /** The parsed line, when something already parsed it (reading a file). */
  values?: RowValues;
}

export const valuesOf = (r: Row): RowValues => r.values ?? (JSON.parse(r.line) as RowValues);

export interface TableShape {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

/** For the current transaction only (SET LOCAL): PGlite's one connection is shared with the app. */
export async function canonicalSession(c: RawClient): Promise<void> {
  await c.exec(
    `SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres';
     SET LOCAL bytea_output = 'hex'; SET LOCAL extra_float_digits = 1; SET LOCAL client_encoding = 'UTF8'`,
  );
}

export function canonicalQuery(t: TableShape): string {
  const cols = t.columns.map((c) => `${q(c.name)}::text`).join(', ');
  const collatable = new Map(t.columns.map((c) => [c.name, c.collatable]));
  const keys = t.primaryKey.length ? t.primaryKey : t.columns.map((c) => c.name);
  const order = keys.map((k) => (t.primaryKey.length ? (collatable.get(k) ? `${q(k)} COLLATE "C"` : q(k)) : `${q(k)}::text COLLATE "C"`)).join(', ');
  return `SELECT array_to_json(ARRAY[${cols}]::text[])::text AS l FROM ${q(t.name)}${order ? ` ORDER BY ${order}` : ''}`;
}

/** Rows of one table in canonical order, in batches, through a cursor (never the whole table in memory). */
export async function* tableRows(c: RawClient, t: TableShape, fetch: number): AsyncGenerator<Row[]> {
  const cursor = `causo_backup_${t.name.replace(/\W/g, '_').slice(0, 40)}`;
  await c.query(`DECLARE ${q(cursor)} NO SCROLL CURSOR FOR ${canonicalQuery(t)}`);
  try {
    for (;;) {
      const rows = await c.query<{ l: string }>(`FETCH FORWARD ${fetch} FROM ${q(cursor)}`);
      if (!rows.length) break;
      yield rows.map((r) => ({ line: r.l }));
      if (rows.length < fetch) break;
    }
  } finally {
    await c.query(`CLOSE ${q(cursor)}`);
  }
}

/** Fewer rows per fetch for tables that hold files (documents, photos): a row can be megabytes. */
export const fetchSizeFor = (columns: Pick<ColumnInfo, 'type'>[]): number => (columns.some((c) => c.type === 'bytea') ? 4 : 2000);

export class TableHash {
  readonly #h: Hash = createHash('sha256');
  rows = 0;
  add(line: string): void {
    this.#h.update(line);
    this.#h.update('\n');
    this.rows++;
  }
  digest(): string {
    return this.#h.digest('hex');
  }
}

/** Row count and SHA-256 of a table as it is in the database now (inside a canonicalSession transaction). */
export async function tableDigest(c: RawClient, t: TableShape): Promise<{ rows: number; sha256: string }> {
  const h = new TableHash();
  for await (const batch of tableRows(c, t, fetchSizeFor(t.columns))) for (const r of batch) h.add(r.line);
  return { rows: h.rows, sha256: h.digest() };
}
