/**
 * `causo import dossiers FILE.csv`: dossiers from another one-stop system.
 *
 * Every row is validated (its shape with a zod schema, then the rules between fields and
 * against the units, procedures and codes already stored) and every error is collected with
 * its line number; one bad row rejects the whole file and nothing is stored. A good file goes
 * in through the bulk loader (bulkLoad.ts) in one transaction, with its audit entry.
 *
 * A million rows must go in within a minute on PGlite, which runs Postgres on the main thread.
 * So the rows are loaded while the file is still being read: good rows are encoded and COPYed
 * chunk by chunk inside the transaction, and the first error stops the loading and, at the
 * end, rolls everything back. Nothing is visible to anyone before the commit, so "store
 * nothing" holds. For a large file the JavaScript side (parsing, validating, encoding with the
 * domain fold and counters) runs in a worker thread, so the main thread only talks to the
 * database: COPY of chunk n while the worker prepares chunk n+1. A small file runs the very
 * same producer on the main thread.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parentPort, workerData, type Worker } from 'node:worker_threads';
import { parse, CsvError } from 'csv-parse';
import { z } from 'zod';
import { localDateOf, type Channel, type Status } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Db, RawClient } from '../../db/database.ts';
import { Problem, type ProblemFieldError } from '../../http/problem.ts';
import { COPY_CHUNK_ROWS, DossierEncoder, loadEncodedDossiers, startTypeScriptWorker, type BulkDossier, type EncodedChunk, type EncodedTotals } from './bulkLoad.ts';

export const IMPORT_COLUMNS = ['code', 'procedure_code', 'unit_code', 'channel', 'status', 'received_at', 'due_at', 'finished_at'] as const;
type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** The list in the answer stops here; the count goes on. */
export const MAX_REPORTED_ERRORS = 1_000;
/** Below this size a worker thread costs more (start-up, loading the modules) than it saves. */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

export interface ImportOptions {
  actorId: number | null;
  /** Rows stored so far, and how many there are in all once the whole file has been read. */
  onProgress?: (done: number, total?: number) => void;
}

export async function importDossiersCsv(ctx: AppContext, path: string, opts: ImportOptions): Promise<{ imported: number }> {
  const input = { path, nowMs: ctx.now().getTime() };
  // The worker starts (loading its modules takes a second) while the reference data is read.
  const job: ImportJob = statSync(path).size >= WORKER_MIN_BYTES ? new WorkerJob(input) : new InlineJob(input);
  const importId = `import-${randomUUID()}`;
  let wroteRows = false;
  try {
    job.start(await loadReference(ctx.db)); // before the transaction: PGlite runs one statement at a time
    const imported = await ctx.db.raw(
      async (client) => {
        const run = new ImportRun(client, job);
        const { inserted } = await loadEncodedDossiers(client, ctx.db.kind, run.chunks(), () => run.totals(path), {
          actorId: opts.actorId,
          transactionPrefix: importId,
          onProgress: (done) => {
            wroteRows = true;
            opts.onProgress?.(done, run.validRows ?? undefined);
          },
        });
        // A file with only a header (or blank lines) is a mistake worth saying, not a success.
        if (inserted === 0) throw new Problem(400, 'import.empty', `${basename(path)} holds no dossier lines`);
        await auditImport(client, opts.actorId, importId, { file: basename(path), rows: inserted });
        return inserted;
      },
      { transaction: true },
    );
    return { imported };
  } catch (e) {
    if (wroteRows && ctx.db.kind === 'pglite') await reclaimSpace(ctx.db);
    throw e;
  } finally {
    await job.close();
  }
}

/**
 * One import inside its transaction: takes the producer's events in order, asks the database
 * about each batch of codes before any chunk holding them is loaded, lets chunks through while
 * the file is clean, and at the end either hands over the totals or fails with every error.
 */
class ImportRun {
  validRows: number | null = null;
  private readonly stored = new ErrorList();
  private validation: Validation | null = null;
  private finalTotals: EncodedTotals | null = null;
  private idsBefore: number | null = null;

  constructor(
    private readonly client: RawClient,
    private readonly job: ImportJob,
  ) {}

  async *chunks(): AsyncGenerator<EncodedChunk> {
    for await (const e of this.job.events()) {
      if (e.type === 'codes') await this.checkStored(e);
      else if (e.type === 'chunk') {
        if (this.stored.count === 0) yield { csv: e.csv, rows: e.rows };
      } else if (e.type === 'validated') {
        this.validation = e;
        this.validRows = e.rows;
        if (e.errorCount > 0 || this.stored.count > 0) return;
      } else {
        this.finalTotals = e.totals;
        return;
      }
    }
  }

  /** Called by the loader once the chunks are all in: the totals, or the Problem that rolls the load back. */
  async totals(path: string): Promise<EncodedTotals> {
    if (!this.validation) throw new Error('import: the file was not read to the end');
    const validation = withStoredCodes(this.validation, this.stored);
    if (validation.errorCount > 0) throw badFile(path, validation);
    if (!this.finalTotals) throw new Error('import: no totals from the producer');
    return this.finalTotals;
  }

  /**
   * One query per batch of codes, never one per row. Rows this transaction loaded already have
   * higher ids, so they do not count as "stored".
   */
  private async checkStored(batch: CodeBatch): Promise<void> {
    if (batch.codes.length === 0) return;
    this.idsBefore ??= Number((await this.client.query<{ id: number | string }>('SELECT coalesce(max(id), 0) AS id FROM dossiers'))[0]?.id ?? 0);
    const found = await this.client.query<{ code: string }>('SELECT code FROM dossiers WHERE code = ANY($1::text[]) AND id <= $2', [batch.codes, this.idsBefore]);
    if (found.length === 0) return;
    const stored = new Set(found.map((r) => r.code));
    batch.codes.forEach((code, i) => {
      if (stored.has(code)) this.stored.add({ path: 'code', line: batch.lines[i] ?? 0, message: `a dossier with code ${code} is already stored` });
    });
    this.job.stopLoading();
  }
}

function withStoredCodes(v: Validation, stored: ErrorList): Validation {
  if (stored.count === 0) return v;
  const errors = [...v.errors, ...stored.errors].sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED_ERRORS);
  return { ...v, errors, errorCount: v.errorCount + stored.count };
}

function badFile(path: string, v: Validation): Problem {
  const name = basename(path);
  const summary = !v.headerOk
    ? `${name}: the first line must be the header ${IMPORT_COLUMNS.join(',')}; nothing was imported`
    : `${name}: ${v.errorCount.toLocaleString('en')} error(s)${v.errorCount > v.errors.length ? ` (the first ${v.errors.length.toLocaleString('en')} listed)` : ''}; nothing was imported`;
  return new Problem(400, 'import.bad_file', summary, v.errors, { errorCount: v.errorCount });
}

async function auditImport(client: RawClient, actorId: number | null, importId: string, detail: { file: string; rows: number }): Promise<void> {
  await client.query(`INSERT INTO audit_log (actor_id, action, entity, entity_id, detail) VALUES ($1, 'dossier.import', 'import', $2, $3::jsonb)`, [
    actorId,
    importId,
    JSON.stringify(detail),
  ]);
}

/**
 * A rolled-back load leaves its rows as dead tuples at the end of the tables. PostgreSQL's
 * autovacuum takes care of them; PGlite has none, and VACUUM gives the trailing pages back.
 */
async function reclaimSpace(db: Db): Promise<void> {
  try {
    await db.raw((c) => c.exec('VACUUM dossiers; VACUUM dossier_actions'));
  } catch {
    // Only housekeeping: the import's own error is what the caller must see.
  }
}

// =============================================================================================
// Reference data, loaded once before parsing (plain data: it is also sent to the worker)

interface UnitVersion {
  id: number;
  code: string;
  validFrom: string;
  validTo: string | null;
  ancestorIds: number[];
  provinceCode: string;
}

interface ProcedureRef {
  id: number;
  code: string;
  sectorCode: string;
}

export interface ImportReference {
  units: UnitVersion[];
  procedures: ProcedureRef[];
}

async function loadReference(db: Db): Promise<ImportReference> {
  const units = await db.kysely.selectFrom('units').select(['id', 'code', 'valid_from', 'valid_to', 'ancestor_ids', 'province_code']).orderBy('valid_from').execute();
  const procedures = await db.kysely.selectFrom('procedures').select(['id', 'code', 'sector_code']).execute();
  return {
    units: units.map((u) => ({ id: u.id, code: u.code, validFrom: u.valid_from, validTo: u.valid_to, ancestorIds: u.ancestor_ids, provinceCode: u.province_code })),
    procedures: procedures.map((p) => ({ id: p.id, code: p.code, sectorCode: p.sector_code })),
  };
}

/** Lookups by code. A unit code may stand for several dated versions (the 2025 reform reused codes). */
class ReferenceIndex {
  readonly units = new Map<string, UnitVersion[]>();
  readonly procedures = new Map<string, ProcedureRef>();

  constructor(readonly data: ImportReference) {
    for (const u of data.units) this.units.set(u.code, [...(this.units.get(u.code) ?? []), u]);
    for (const p of data.procedures) this.procedures.set(p.code, p);
  }

  unitInForce(versions: readonly UnitVersion[], date: string): UnitVersion | undefined {
    return versions.find((v) => v.validFrom <= date && (v.validTo === null || v.validTo >= date));
  }
}

// =============================================================================================
// The shape of a row

const EXAMPLE_TIME = '2022-03-01T08:15:00+07:00';
/** The form of a time (ISO 8601 with an offset); whether the date exists is checked after. */
const ISO_TIME_FORM = /^$|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Each column is one test (a regular expression or an enum): a million rows go through this,
 * and zod's refinements and transforms cost twice as much as plain patterns. The messages
 * say what was expected; an empty cell gets its own.
 */
const column = (pattern: RegExp, expected: string, whenEmpty: string) =>
  z.string().regex(pattern, { error: (issue) => (issue.input === '' ? whenEmpty : `"${String(issue.input)}" ${expected}`) });

export const IMPORT_ROW = z.object({
  code: column(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'is not a code: 1 to 64 letters, digits and . _ - / (no spaces)', 'the code is missing'),
  procedure_code: column(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'is not a procedure code such as 1.001193', 'the procedure code is missing'),
  unit_code: column(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'is not a unit code such as 25309', 'the unit code is missing'),
  channel: z.enum(['1', '2', '3'], 'the channel must be 1 (counter), 2 (online) or 3 (post)'),
  status: z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], 'the status must be a number from 1 to 10'),
  received_at: z.string().regex(ISO_TIME_FORM, `must be empty or a date and time in ISO 8601 with its offset, e.g. ${EXAMPLE_TIME}`),
  due_at: z.string().regex(ISO_TIME_FORM, `must be empty or a date and time in ISO 8601 with its offset, e.g. ${EXAMPLE_TIME}`),
  finished_at: z.string().regex(ISO_TIME_FORM, `must be empty or a date and time in ISO 8601 with its offset, e.g. ${EXAMPLE_TIME}`),
});
type ImportCells = z.output<typeof IMPORT_ROW>;

/** A row with its values: times in ms (null when empty). */
interface ImportRow {
  code: string;
  procedure_code: string;
  unit_code: string;
  channel: Channel;
  status: Status;
  received_at: number | null;
  due_at: number | null;
  finished_at: number | null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written with `length` digits at `at`, or -1. */
function digitsAt(s: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Milliseconds of an ISO 8601 time with its offset (`2022-03-01T08:15[:00[.000]]+07:00` or
 * `…Z`), or null when it is malformed or does not exist. Date.parse is not enough: it takes
 * 2022-02-30 for 2 March and a time without offset for local time. Read character by
 * character: three times a row, a million rows.
 */
export function parseIsoWithOffset(s: string): number | null {
  if (s.length < 17 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':') return null;
  const [year, month, day, hour, minute] = [digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2), digitsAt(s, 11, 2), digitsAt(s, 14, 2)];
  let i = 16;
  let second = 0;
  let ms = 0;
  if (s[i] === ':') {
    second = digitsAt(s, i + 1, 2);
    i += 3;
    if (s[i] === '.') {
      let j = i + 1;
      while (j < s.length && j - i <= 9 && digitsAt(s, j, 1) >= 0) j++;
      if (j === i + 1 || j - i > 10) return null;
      ms = digitsAt(`${s.slice(i + 1, Math.min(j, i + 4))}00`, 0, 3);
      i = j;
    }
  }
  let offset = 0;
  if (s[i] === 'Z' && i + 1 === s.length) offset = 0;
  else if ((s[i] === '+' || s[i] === '-') && i + 6 === s.length && s[i + 3] === ':') {
    const [oh, om] = [digitsAt(s, i + 1, 2), digitsAt(s, i + 4, 2)];
    if (oh < 0 || oh > 14 || om < 0 || om > 59) return null;
    offset = (s[i] === '-' ? -1 : 1) * (oh * 60 + om);
  } else return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000;
}

// =============================================================================================
// Validation: every row, every error with its line

export interface ImportError extends ProblemFieldError {
  line: number;
}

class ErrorList {
  readonly errors: ImportError[] = [];
  count = 0;

  add(e: ImportError): void {
    this.count++;
    if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(e);
  }
}

/** Codes with the lines they are on, sent to the main thread to be looked up in the database. */
interface CodeBatch {
  codes: string[];
  lines: number[];
}

interface Validation {
  headerOk: boolean;
  /** Good rows in the file. */
  rows: number;
  errors: ImportError[];
  errorCount: number;
}

/** Good rows, column by column: a million of them as a handful of arrays rather than a million objects. */
class ValidRows {
  readonly codes: string[] = [];
  readonly procedure: number[] = []; // index into reference.procedures
  readonly unit: number[] = []; // index into reference.units
  readonly channel: Channel[] = [];
  readonly status: Status[] = [];
  readonly received: number[] = []; // ms, NaN when null
  readonly due: number[] = [];
  readonly finished: number[] = [];

  get length(): number {
    return this.codes.length;
  }
}

const NOT_RECEIVED: readonly Status[] = [1, 3];
const ENDED: readonly Status[] = [7, 8, 9, 10];

class RowChecker {
  readonly errors = new ErrorList();
  /** Good rows so far, all chunks included. */
  validCount = 0;
  private rows = new ValidRows();
  private readonly firstLineOf = new Map<string, number>();
  private readonly procedureIndex: Map<ProcedureRef, number>;
  private readonly unitIndex: Map<UnitVersion, number>;

  constructor(
    private readonly ref: ReferenceIndex,
    private readonly nowMs: number,
  ) {
    this.procedureIndex = new Map(ref.data.procedures.map((p, i) => [p, i]));
    this.unitIndex = new Map(ref.data.units.map((u, i) => [u, i]));
  }

  /** Good rows not yet handed out; they are forgotten here. */
  takeRows(): ValidRows {
    const rows = this.rows;
    this.rows = new ValidRows();
    return rows;
  }

  get pendingRows(): number {
    return this.rows.length;
  }

  header(fields: readonly string[], line: number): boolean {
    const found = fields.map((f) => f.trim());
    if (found.length === IMPORT_COLUMNS.length && IMPORT_COLUMNS.every((c, i) => found[i] === c)) return true;
    this.errors.add({ path: 'header', line, message: `the header must be exactly ${IMPORT_COLUMNS.join(',')} (found ${found.join(',')})` });
    return false;
  }

  /**
   * Checks one row and keeps it when it is good. Returns its code when that may be looked up
   * in the database (well-formed, first occurrence in the file).
   */
  row(fields: readonly string[], line: number): string | null {
    const errorsBefore = this.errors.count;
    const fail = (path: string, message: string) => this.errors.add({ path, line, message });
    if (fields.length !== IMPORT_COLUMNS.length) {
      fail(`line ${line}`, `expected ${IMPORT_COLUMNS.length} fields (${IMPORT_COLUMNS.join(',')}), found ${fields.length}`);
      return null;
    }
    const [code = '', procedure_code = '', unit_code = '', channel = '', status = '', received_at = '', due_at = '', finished_at = ''] = fields;
    const input: Record<ImportColumn, string> = { code, procedure_code, unit_code, channel, status, received_at, due_at, finished_at };
    const parsed = IMPORT_ROW.safeParse(input);
    const row = this.values(parsed.success ? parsed.data : this.partialCells(input, fail), fail);

    const newCode = row.code !== undefined && this.firstOccurrence(row.code, line, fail);
    this.crossFieldChecks(row, fail);
    const procedure = row.procedure_code === undefined ? undefined : this.ref.procedures.get(row.procedure_code);
    if (row.procedure_code !== undefined && !procedure) fail('procedure_code', `no procedure ${row.procedure_code} in the catalogue`);
    const unit = this.unitFor(row, fail);

    if (this.errors.count === errorsBefore && procedure && unit) this.keep(row as ImportRow, procedure, unit);
    return newCode ? (row.code ?? null) : null;
  }

  /** When the row as a whole does not parse, each column on its own, so the other checks still run. */
  private partialCells(input: Record<ImportColumn, string>, fail: (path: string, message: string) => void): Partial<ImportCells> {
    const out: Partial<Record<ImportColumn, string>> = {};
    for (const column of IMPORT_COLUMNS) {
      const r = IMPORT_ROW.shape[column].safeParse(input[column]);
      if (r.success) out[column] = r.data;
      else for (const issue of r.error.issues) fail(column, issue.message);
    }
    return out as Partial<ImportCells>;
  }

  /** From well-formed cells to values; a time that does not exist (30 February) fails here. */
  private values(cells: Partial<ImportCells>, fail: (path: string, message: string) => void): Partial<ImportRow> {
    const time = (column: 'received_at' | 'due_at' | 'finished_at'): number | null | undefined => {
      const cell = cells[column];
      if (cell === undefined || cell === '') return cell === '' ? null : undefined;
      const ms = parseIsoWithOffset(cell);
      if (ms === null) fail(column, `"${cell}" is not a date and time that exists`);
      return ms ?? undefined;
    };
    return {
      code: cells.code,
      procedure_code: cells.procedure_code,
      unit_code: cells.unit_code,
      channel: cells.channel === undefined ? undefined : (Number(cells.channel) as Channel),
      status: cells.status === undefined ? undefined : (Number(cells.status) as Status),
      received_at: time('received_at'),
      due_at: time('due_at'),
      finished_at: time('finished_at'),
    };
  }

  private firstOccurrence(code: string, line: number, fail: (path: string, message: string) => void): boolean {
    const first = this.firstLineOf.get(code);
    if (first === undefined) {
      this.firstLineOf.set(code, line);
      return true;
    }
    fail('code', `code ${code} is also on line ${first}; codes must be unique`);
    return false;
  }

  /** Which dates a status needs, and their order. Skipped for a column that did not parse. */
  private crossFieldChecks(r: Partial<ImportRow>, fail: (path: string, message: string) => void): void {
    const { status, received_at: received, due_at: due, finished_at: finished } = r;
    if (status !== undefined) {
      const receivedStatus = !NOT_RECEIVED.includes(status);
      if (!receivedStatus && received) fail('received_at', `must be empty for status ${status}: the dossier was never received`);
      if (!receivedStatus && due) fail('due_at', `must be empty for status ${status}: a deadline is set at reception`);
      if (receivedStatus && received === null) fail('received_at', `is required for status ${status}`);
      if (receivedStatus && due === null) fail('due_at', `is required for status ${status} (a received dossier has a deadline)`);
      if (ENDED.includes(status) && finished === null) fail('finished_at', `is required for status ${status}`);
      if (!ENDED.includes(status) && finished) fail('finished_at', `must be empty for status ${status}: the dossier has not ended`);
    }
    if (received && finished && finished < received) fail('finished_at', 'is before received_at');
    if (received && due && due < received) fail('due_at', 'is before received_at');
  }

  /**
   * The version of the unit in force on the local date of reception (of submission, i.e. the
   * import itself, for a dossier never received).
   */
  private unitFor(r: Partial<ImportRow>, fail: (path: string, message: string) => void): UnitVersion | undefined {
    if (r.unit_code === undefined) return undefined;
    const versions = this.ref.units.get(r.unit_code);
    if (!versions) {
      fail('unit_code', `no unit ${r.unit_code}`);
      return undefined;
    }
    // Without a usable date there is no version to pick; the missing date is reported already.
    if (r.received_at === undefined || r.status === undefined) return undefined;
    if (r.received_at === null && !NOT_RECEIVED.includes(r.status)) return undefined;
    const day = localDateOf(new Date(r.received_at ?? this.nowMs));
    const unit = this.ref.unitInForce(versions, day);
    if (!unit) {
      const spans = versions.map((v) => `${v.validFrom}–${v.validTo ?? ''}`).join(', ');
      fail('unit_code', `unit ${r.unit_code} is not in force on ${day} (in force ${spans})`);
    }
    return unit;
  }

  private keep(r: ImportRow, procedure: ProcedureRef, unit: UnitVersion): void {
    this.validCount++;
    const rows = this.rows;
    rows.codes.push(r.code);
    rows.procedure.push(this.procedureIndex.get(procedure) ?? -1);
    rows.unit.push(this.unitIndex.get(unit) ?? -1);
    rows.channel.push(r.channel);
    rows.status.push(r.status);
    rows.received.push(r.received_at ?? NaN);
    rows.due.push(r.due_at ?? NaN);
    rows.finished.push(r.finished_at ?? NaN);
  }
}

// =============================================================================================
// The producer: read, check, and encode the good rows chunk by chunk

/** What the producer tells the loader, in this order: codes before the chunks that hold them. */
type ImportEvent =
  | ({ type: 'codes' } & CodeBatch)
  | ({ type: 'chunk' } & EncodedChunk)
  | ({ type: 'validated' } & Validation)
  | { type: 'totals'; totals: EncodedTotals };

interface ProducerInput {
  path: string;
  nowMs: number;
}

/** Line breaks inside a record's fields (a quoted field may span lines). */
const breaksIn = (fields: readonly string[]) => fields.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/**
 * Reads the whole file and emits its events; `emit` is awaited, which paces the reading. Once
 * the file has an error (or `loading()` turns false because a code is already stored), good
 * rows are only counted, no longer encoded: they would be rolled back anyway.
 */
async function produce(input: ProducerInput, reference: ImportReference, emit: (e: ImportEvent) => Promise<void>, loading: () => boolean): Promise<void> {
  const ref = new ReferenceIndex(reference);
  const checker = new RowChecker(ref, input.nowMs);
  const encoder = new DossierEncoder();
  const stillLoading = () => loading() && checker.errors.count === 0;
  let headerOk: boolean | null = null;
  let codes: CodeBatch = { codes: [], lines: [] };
  const stop = new AbortController();
  // Lines are counted here rather than asked of csv-parse (its per-record info costs a third
  // of the parsing): every record, blank ones included, is one line plus the line breaks
  // inside its fields, which only a bad row can have (no column of a good row allows one).
  let line = 1;

  const flushCodes = async () => {
    if (codes.codes.length === 0) return;
    const batch = codes;
    codes = { codes: [], lines: [] };
    await emit({ type: 'codes', ...batch });
  };
  const flushChunk = async () => {
    const rows = checker.takeRows();
    if (rows.length === 0 || !stillLoading()) return;
    await flushCodes();
    await emit({ type: 'chunk', ...encodeRows(rows, ref, input.nowMs, encoder) });
  };

  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(record: string[], _encoding, done) {
      const at = line;
      line += 1;
      if (record.length === 1 && record[0] === '') return done(); // a blank line
      if (headerOk === null) {
        headerOk = checker.header(record, at);
        if (!headerOk) stop.abort();
        return done();
      }
      const errorsBefore = checker.errors.count;
      const code = checker.row(record, at);
      if (checker.errors.count > errorsBefore) line += breaksIn(record);
      if (code !== null) {
        codes.codes.push(code);
        codes.lines.push(at);
      }
      if (checker.pendingRows >= COPY_CHUNK_ROWS) flushChunk().then(() => done(), done);
      else if (codes.codes.length >= COPY_CHUNK_ROWS) flushCodes().then(() => done(), done);
      else done();
    },
  });

  try {
    await pipeline(createReadStream(input.path, { highWaterMark: 1 << 20 }), parse({ bom: true, relax_column_count: true }), sink, {
      signal: stop.signal,
    });
  } catch (e) {
    if (!stop.signal.aborted) recordSyntaxError(e, checker.errors);
  }
  if (headerOk === null) checker.errors.add({ path: 'header', line: 1, message: `the file is empty; the first line must be ${IMPORT_COLUMNS.join(',')}` });
  // The end: the last codes, the verdict (so the loader knows the total before the last
  // chunk), the last chunk, and the totals, all only while the file is still clean.
  if (headerOk) await flushCodes();
  const last = checker.takeRows();
  await emit({ type: 'validated', headerOk: headerOk === true, rows: checker.validCount, errors: checker.errors.errors, errorCount: checker.errors.count });
  if (!stillLoading()) return;
  if (last.length > 0) await emit({ type: 'chunk', ...encodeRows(last, ref, input.nowMs, encoder) });
  await emit({ type: 'totals', totals: encoder.finish() });
}

/** A broken quote makes everything after it unreadable: report where, and stop there. */
function recordSyntaxError(e: unknown, errors: ErrorList): void {
  const csv = e as Partial<CsvError> & { lines?: number };
  // Most codes start with CSV_, but not all (INVALID_OPENING_QUOTE): the class tells.
  if (!(e instanceof CsvError) && (typeof csv.code !== 'string' || !csv.code.startsWith('CSV_'))) throw e;
  const line = csv.lines ?? 0;
  errors.add({ path: `line ${line}`, line, message: `not valid CSV (${csv.message ?? csv.code}); lines after it were not read` });
}

/** One dossier at a time, so none of the intermediate objects outlives its row. */
function encodeRows(rows: ValidRows, ref: ReferenceIndex, nowMs: number, encoder: DossierEncoder): EncodedChunk {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = encoder.line(bulkDossierAt(rows, i, ref, nowMs));
  return { csv: lines.join('\n'), rows: rows.length };
}

const dateOrNull = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? null : new Date(ms));

function bulkDossierAt(rows: ValidRows, i: number, ref: ReferenceIndex, nowMs: number): BulkDossier {
  const unit = ref.data.units[rows.unit[i] ?? -1];
  const procedure = ref.data.procedures[rows.procedure[i] ?? -1];
  if (!unit || !procedure) throw new Error(`import: row ${i} lost its unit or procedure`);
  const receivedAt = dateOrNull(rows.received[i]);
  return {
    code: rows.codes[i] ?? '',
    procedureId: procedure.id,
    sectorCode: procedure.sectorCode,
    unitId: unit.id,
    unitAncestorIds: unit.ancestorIds,
    provinceCode: unit.provinceCode,
    channel: rows.channel[i] ?? 1,
    status: rows.status[i] ?? 1,
    // The file has no submission time. Reception stands in for it; a dossier never received
    // (status 1 or 3) has no date at all in the file, so it counts as submitted at the import.
    submittedAt: receivedAt ?? new Date(nowMs),
    receivedAt,
    dueAt: dateOrNull(rows.due[i]),
    finishedAt: dateOrNull(rows.finished[i]),
    // The file carries no personal data.
    applicantName: '',
  };
}

// =============================================================================================
// Running the producer: on the main thread, or in a worker thread

interface ImportJob {
  /** Go: read the file against this reference data. */
  start(reference: ImportReference): void;
  /** The producer's events, in order. */
  events(): AsyncIterable<ImportEvent>;
  /** A code is already stored: the load will be rolled back, so stop encoding rows. */
  stopLoading(): void;
  close(): Promise<void>;
}

/** An unbounded or bounded queue between a producer and one consumer. */
class EventQueue<T> {
  private readonly items: T[] = [];
  private readonly readers: ((r: IteratorResult<T>) => void)[] = [];
  private readonly writers: (() => void)[] = [];
  private ended = false;
  private failure: Error | null = null;

  constructor(private readonly capacity = Infinity) {}

  async push(item: T): Promise<void> {
    const reader = this.readers.shift();
    if (reader) reader({ value: item, done: false });
    else this.items.push(item);
    while (this.items.length > this.capacity && !this.failure) await new Promise<void>((resolve) => this.writers.push(resolve));
  }

  end(): void {
    this.ended = true;
    for (const r of this.readers.splice(0)) r({ value: undefined, done: true });
  }

  fail(e: Error): void {
    this.failure ??= e;
    this.end();
    for (const w of this.writers.splice(0)) w();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.writers.shift()?.();
        yield item;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      const next = await new Promise<IteratorResult<T>>((resolve) => this.readers.push(resolve));
      if (next.done) {
        if (this.failure) throw this.failure;
        return;
      }
      yield next.value;
    }
  }
}

/** The producer on this thread, one event at a time: it waits while the loader works. */
class InlineJob implements ImportJob {
  private readonly queue = new EventQueue<ImportEvent>(0);
  private loading = true;

  private reference: ImportReference | null = null;

  constructor(private readonly input: ProducerInput) {}

  start(reference: ImportReference): void {
    this.reference = reference;
  }

  events(): AsyncIterable<ImportEvent> {
    if (!this.reference) throw new Error('import: events before start');
    produce(this.input, this.reference, (e) => this.queue.push(e), () => this.loading).then(
      () => this.queue.end(),
      (e: unknown) => this.queue.fail(e instanceof Error ? e : new Error(String(e))),
    );
    return this.queue;
  }

  stopLoading(): void {
    this.loading = false;
  }

  async close(): Promise<void> {
    this.loading = false;
    this.queue.fail(new Error('import: closed'));
  }
}

type FromWorker = ImportEvent | { type: 'failed'; message: string };
type ToWorker = { type: 'start'; reference: ImportReference } | { type: 'credit' } | { type: 'stop' };

/** Encoded chunks the worker may have ready ahead of the loader (each is ~20 MB of text). */
const CHUNKS_AHEAD = 2;

class WorkerJob implements ImportJob {
  private readonly worker: Worker;
  private readonly queue = new EventQueue<ImportEvent>();

  constructor(input: ProducerInput) {
    this.worker = startTypeScriptWorker(import.meta.url, 'runImportWorker', input);
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'failed') this.queue.fail(new Error(`import worker: ${m.message}`));
      else {
        void this.queue.push(m);
        if (m.type === 'totals' || (m.type === 'validated' && m.errorCount > 0)) this.queue.end();
      }
    });
    this.worker.on('error', (e) => this.queue.fail(e));
    this.worker.on('exit', (code) => this.queue.fail(new Error(`import worker stopped (exit code ${code})`)));
  }

  start(reference: ImportReference): void {
    this.post({ type: 'start', reference });
  }

  async *events(): AsyncGenerator<ImportEvent> {
    for await (const e of this.queue) {
      yield e;
      // The loader has taken the chunk: the worker may encode one more.
      if (e.type === 'chunk') this.post({ type: 'credit' });
    }
  }

  stopLoading(): void {
    this.post({ type: 'stop' });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private post(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}

/** The worker's side: run the producer, sending chunks only while the loader has credit for them. */
export function runImportWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runImportWorker runs in a worker thread');
  const input = (workerData as { data: ProducerInput }).data;
  const credits = new Credits(CHUNKS_AHEAD);
  let loading = true;
  const send = async (e: ImportEvent) => {
    if (e.type === 'chunk') await credits.take();
    if (e.type !== 'chunk' || loading) port.postMessage(e);
  };
  const failed = (e: unknown) => port.postMessage({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'start') produce(input, m.reference, send, () => loading).catch(failed);
    else if (m.type === 'stop') {
      loading = false;
      credits.release();
    } else credits.give();
  });
}

/** Flow control: the worker waits for the loader before running too far ahead. */
class Credits {
  private waiter: (() => void) | null = null;
  private released = false;

  constructor(private available: number) {}

  give(): void {
    this.available++;
    this.wake();
  }

  /** No more waiting, ever (the loader stopped taking chunks). */
  release(): void {
    this.released = true;
    this.wake();
  }

  async take(): Promise<void> {
    while (this.available === 0 && !this.released) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.available--;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
