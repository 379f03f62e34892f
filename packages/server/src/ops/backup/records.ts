/**
 * Inside the envelope (after decryption and gunzip) a backup is JSON lines:
 *
 *   {"header": {format, createdAt, engine, server, schemaVersion, migrations, dataKeyCheck, tables: [{name, columns, primaryKey}]}}
 *   {"table": "units"}
 *   ["1","70","Tỉnh Bình Phước",…]            one line per row: every column's text form, or null
 *   {"end": "units", "rows": 1234, "sha256": "…"}
 *   … every table, parents before children …
 *   {"sequences": [{name, table, column, lastValue, isCalled}]}
 *   {"manifest": {format, createdAt, engine, server, schemaVersion, tables: [{name, rows, sha256}], sequences, rows}}
 *
 * The same records flow straight from a database to another in `causo migrate-to`, without a
 * file. `RecordChecker` holds a stream of them to that shape and recomputes every count and hash,
 * for `backup --verify`, `restore` and `migrate-to` alike.
 */
import { z } from 'zod';
import { BackupError } from './crypto.ts';
import { TableHash, type Row, type RowValues } from './rows.ts';

export const FORMAT = 1;

const Column = z.object({ name: z.string().min(1), type: z.string().min(1), collatable: z.boolean() });
const Table = z.object({ name: z.string().min(1), columns: z.array(Column).min(1), primaryKey: z.array(z.string()) });
const Migration = z.object({ version: z.number().int(), name: z.string(), checksum: z.string() });
const Engine = z.enum(['pglite', 'postgres']);

export const HeaderSchema = z.object({
  format: z.literal(FORMAT),
  createdAt: z.string(),
  engine: Engine,
  server: z.string(),
  schemaVersion: z.number().int(),
  migrations: z.array(Migration),
  /** Tells whether the restoring installation has the DATA_KEY that sealed the personal data. */
  dataKeyCheck: z.string().nullable(),
  tables: z.array(Table),
});
export type BackupHeader = z.infer<typeof HeaderSchema>;

const SequenceValue = z.object({ name: z.string(), table: z.string().nullable(), column: z.string().nullable(), lastValue: z.string().regex(/^-?\d+$/), isCalled: z.boolean() });
export type SequenceValue = z.infer<typeof SequenceValue>;

const TableSummary = z.object({ name: z.string(), rows: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type TableSummary = z.infer<typeof TableSummary>;

export const ManifestSchema = z.object({
  format: z.literal(FORMAT),
  createdAt: z.string(),
  engine: Engine,
  server: z.string(),
  schemaVersion: z.number().int(),
  tables: z.array(TableSummary),
  sequences: z.number().int().min(0),
  rows: z.number().int().min(0),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export type BackupRecord =
  | { type: 'header'; header: BackupHeader }
  | { type: 'table'; name: string }
  | { type: 'rows'; rows: Row[] }
  | { type: 'end'; name: string; rows: number; sha256: string }
  | { type: 'sequences'; sequences: SequenceValue[] }
  | { type: 'manifest'; manifest: Manifest };

/** The record as text (one line per row for `rows`), newline-terminated. */
export function serialize(r: BackupRecord): string {
  switch (r.type) {
    case 'header':
      return `${JSON.stringify({ header: r.header })}\n`;
    case 'table':
      return `${JSON.stringify({ table: r.name })}\n`;
    case 'rows': {
      let s = '';
      for (const row of r.rows) s += `${row.line}\n`;
      return s;
    }
    case 'end':
      return `${JSON.stringify({ end: r.name, rows: r.rows, sha256: r.sha256 })}\n`;
    case 'sequences':
      return `${JSON.stringify({ sequences: r.sequences })}\n`;
    case 'manifest':
      return `${JSON.stringify({ manifest: r.manifest })}\n`;
  }
}

const damaged = (what: string) => new BackupError('damaged', `the backup's content is damaged: ${what}`);

function parseRow(line: string): Row {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw damaged('a row is not valid JSON');
  }
  if (!Array.isArray(v)) throw damaged('a row is not a list of values');
  for (const x of v) if (x !== null && typeof x !== 'string') throw damaged('a row holds a value that is neither text nor null');
  return { values: v as RowValues, line };
}

function parseControl(line: string): BackupRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw damaged('a record is not valid JSON');
  }
  const o = (v ?? {}) as Record<string, unknown>;
  const parse = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw damaged(`the ${what} is not what this version writes (${r.error.issues[0]?.path.join('.') ?? ''}: ${r.error.issues[0]?.message ?? ''})`);
    return r.data;
  };
  if ('header' in o) {
    const h = o.header as { format?: unknown } | null;
    if (h && typeof h.format === 'number' && h.format > FORMAT) throw new BackupError('unsupported', `this backup was written in format ${h.format}: restore it with a newer version of Cầu Số`);
    return { type: 'header', header: parse(HeaderSchema, o.header, 'header') };
  }
  if ('table' in o) return { type: 'table', name: parse(z.string().min(1), o.table, 'table record') };
  if ('end' in o) {
    const e = parse(z.object({ end: z.string(), rows: z.number().int().min(0), sha256: z.string() }), o, 'table end');
    return { type: 'end', name: e.end, rows: e.rows, sha256: e.sha256 };
  }
  if ('sequences' in o) return { type: 'sequences', sequences: parse(z.array(SequenceValue), o.sequences, 'sequence list') };
  if ('manifest' in o) return { type: 'manifest', manifest: parse(ManifestSchema, o.manifest, 'manifest') };
  throw damaged('a record of an unknown kind');
}

const ROWS_PER_RECORD = 500;
const BYTES_PER_RECORD = 4 << 20;

/** Decompressed bytes to records; rows are grouped (up to 500 or 4 MB) between control lines. */
export async function* parseRecords(bytes: AsyncIterable<Buffer>): AsyncGenerator<BackupRecord> {
  let carry: Buffer[] = [];
  let rows: Row[] = [];
  let rowBytes = 0;
  function* line(text: string): Generator<BackupRecord> {
    if (text.startsWith('[')) {
      rows.push(parseRow(text));
      rowBytes += text.length;
      if (rows.length >= ROWS_PER_RECORD || rowBytes >= BYTES_PER_RECORD) {
        yield { type: 'rows', rows };
        rows = [];
        rowBytes = 0;
      }
      return;
    }
    if (rows.length) {
      yield { type: 'rows', rows };
      rows = [];
      rowBytes = 0;
    }
    yield parseControl(text);
  }
  for await (const chunk of bytes) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const text = carry.length ? Buffer.concat([...carry, piece]).toString('utf8') : piece.toString('utf8');
      carry = [];
      yield* line(text);
      start = nl + 1;
    }
    if (start < chunk.length) carry.push(chunk.subarray(start));
  }
  if (carry.length) throw new BackupError('truncated', 'the backup ends in the middle of a record');
  if (rows.length) yield { type: 'rows', rows };
}

export interface CheckedSummary {
  header: BackupHeader;
  manifest: Manifest;
}

/**
 * Holds a record stream to the backup's shape and recomputes every table's count and SHA-256;
 * any difference is a BackupError. `finish()` after the last record.
 */
export class RecordChecker {
  header: BackupHeader | null = null;
  manifest: Manifest | null = null;
  readonly tables: TableSummary[] = [];
  #next = 0;
  #current: { name: string; columns: number; hash: TableHash } | null = null;
  #sequences = -1;

  check(r: BackupRecord): void {
    if (this.manifest) throw damaged('there are records after the manifest');
    if (!this.header) {
      if (r.type !== 'header') throw damaged('it does not start with its header');
      this.header = r.header;
      return;
    }
    const h = this.header;
    switch (r.type) {
      case 'header':
        throw damaged('a second header');
      case 'table': {
        const expected = h.tables[this.#next];
        if (this.#current || !expected || expected.name !== r.name) throw damaged(`table ${r.name} is not where the header puts it`);
        this.#current = { name: r.name, columns: expected.columns.length, hash: new TableHash() };
        return;
      }
      case 'rows': {
        const t = this.#current;
        if (!t) throw damaged('rows outside a table');
        for (const row of r.rows) {
          // Rows parsed from a file are checked; rows straight from a database are what it returned.
          if (row.values && row.values.length !== t.columns) throw damaged(`a row of ${t.name} has ${row.values.length} values for ${t.columns} columns`);
          t.hash.add(row.line);
        }
        return;
      }
      case 'end': {
        const t = this.#current;
        if (!t || t.name !== r.name) throw damaged(`the end of table ${r.name} comes unexpectedly`);
        const sha256 = t.hash.digest();
        if (t.hash.rows !== r.rows || sha256 !== r.sha256) throw new BackupError('mismatch', `table ${t.name}: the backup holds ${t.hash.rows} rows (SHA-256 ${sha256.slice(0, 12)}…) but recorded ${r.rows} (${r.sha256.slice(0, 12)}…)`);
        this.tables.push({ name: t.name, rows: r.rows, sha256 });
        this.#current = null;
        this.#next++;
        return;
      }
      case 'sequences':
        if (this.#current || this.#next !== h.tables.length || this.#sequences >= 0) throw damaged('the sequence values are out of place');
        this.#sequences = r.sequences.length;
        return;
      case 'manifest': {
        if (this.#sequences < 0) throw damaged('the manifest comes before the sequence values');
        const m = r.manifest;
        if (m.createdAt !== h.createdAt || m.engine !== h.engine || m.schemaVersion !== h.schemaVersion) throw damaged('the manifest does not match the header');
        if (m.sequences !== this.#sequences) throw damaged('the manifest counts other sequences');
        if (m.tables.length !== this.tables.length) throw damaged('the manifest lists other tables');
        m.tables.forEach((t, i) => {
          const seen = this.tables[i];
          if (!seen || seen.name !== t.name || seen.rows !== t.rows || seen.sha256 !== t.sha256) throw new BackupError('mismatch', `table ${t.name}: the manifest says ${t.rows} rows, the backup holds ${seen?.rows ?? 'none'} (or another content)`);
        });
        if (m.rows !== this.tables.reduce((n, t) => n + t.rows, 0)) throw damaged('the manifest total does not add up');
        this.manifest = m;
        return;
      }
    }
  }

  finish(): CheckedSummary {
    if (!this.header) throw new BackupError('truncated', 'the backup is empty');
    if (!this.manifest) throw new BackupError('truncated', 'the backup ends before its manifest (it was cut short)');
    return { header: this.header, manifest: this.manifest };
  }
}

export async function* checkedRecords(records: AsyncIterable<BackupRecord>, checker: RecordChecker): AsyncGenerator<BackupRecord> {
  for await (const r of records) {
    checker.check(r);
    yield r;
  }
  checker.finish();
}
