/**
 * `causo import dossiers FILE.csv`: dossiers from another one-stop system.
 *
 * Every row is validated (its shape with a zod schema, then the rules between fields and
 * against the units, procedures and codes already stored) and every error is collected with
 * its line number; one bad row rejects the whole file and nothing is stored. A good file goes
 * in through the bulk loader (bulkLoad.ts) in one transaction with its audit entry.
 *
 * A million rows must go in within a minute on PGlite, which runs Postgres on the main
 * thread. So for a large file the JavaScript work (parsing, validating, encoding the rows for
 * COPY with the domain fold and counters) runs in a worker thread, and the main thread only
 * talks to the database: it checks the codes against the table while the worker parses, then
 * COPYs chunk n while the worker encodes chunk n+1. A small file is handled on the main thread
 * with exactly the same functions.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { parse, type CsvError } from 'csv-parse';
import { z } from 'zod';
import { localDateOf, type Channel, type Status } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Db, RawClient } from '../../db/database.ts';
import { Problem, type ProblemFieldError } from '../../http/problem.ts';
import { COPY_CHUNK_ROWS, DossierEncoder, loadEncodedDossiers, type BulkDossier, type EncodedChunk, type EncodedTotals } from './bulkLoad.ts';

export const IMPORT_COLUMNS = ['code', 'procedure_code', 'unit_code', 'channel', 'status', 'received_at', 'due_at', 'finished_at'] as const;
type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** The list in the answer stops here; the count goes on. */
export const MAX_REPORTED_ERRORS = 1_000;
/** Below this size a worker thread costs more (start-up, loading the modules) than it saves. */
const WORKER_MIN_BYTES = 4 * 1024 * 1024;

export interface ImportOptions {
  actorId: number | null;
  /** Rows stored so far, and how many there are in all. */
  onProgress?: (done: number, total?: number) => void;
}

export async function importDossiersCsv(ctx: AppContext, path: string, opts: ImportOptions): Promise<{ imported: number }> {
  const reference = await loadReference(ctx.db);
  const nowMs = ctx.now().getTime();
  const job: ImportJob = statSync(path).size >= WORKER_MIN_BYTES ? new WorkerJob(path, reference, nowMs) : new InlineJob(path, reference, nowMs);
  try {
    const validated = await validateWithDatabase(ctx.db, job);
    if (validated.errorCount > 0) throw badFile(path, validated);

    const importId = `import-${randomUUID()}`;
    const imported = await ctx.db.raw(
      async (client) => {
        const { inserted } = await loadEncodedDossiers(client, ctx.db.kind, job.chunks(), () => job.totals(), {
          actorId: opts.actorId,
          transactionPrefix: importId,
          onProgress: (done) => opts.onProgress?.(done, validated.rows),
        });
        await auditImport(client, opts.actorId, importId, { file: basename(path), rows: inserted });
        return inserted;
      },
      { transaction: true },
    );
    return { imported };
  } finally {
    await job.close();
  }
}

/** The job's own checks, plus "is this code already stored?" asked while the job parses on. */
async function validateWithDatabase(db: Db, job: ImportJob): Promise<Validation> {
  const stored = new ErrorList();
  const outcome = await job.validate(async (batch) => {
    for (const e of await codesAlreadyStored(db, batch)) stored.add(e);
  });
  return mergeValidations(outcome, stored);
}

/** One query per batch of codes (up to COPY_CHUNK_ROWS), never one per row. */
async function codesAlreadyStored(db: Db, batch: CodeBatch): Promise<ImportError[]> {
  if (batch.codes.length === 0) return [];
  const found = await db.raw((c) => c.query<{ code: string }>('SELECT code FROM dossiers WHERE code = ANY($1::text[])', [batch.codes]));
  if (found.length === 0) return [];
  const stored = new Set(found.map((r) => r.code));
  const errors: ImportError[] = [];
  batch.codes.forEach((code, i) => {
    if (stored.has(code)) errors.push({ path: 'code', line: batch.lines[i] ?? 0, message: `a dossier with code ${code} is already stored` });
  });
  return errors;
}

function mergeValidations(outcome: Validation, stored: ErrorList): Validation {
  if (stored.count === 0) return outcome;
  const errors = [...outcome.errors, ...stored.errors].sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED_ERRORS);
  return { ...outcome, errors, errorCount: outcome.errorCount + stored.count };
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

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Milliseconds of an ISO 8601 time with its offset, or null. Date.parse alone is not enough:
 * it takes 2022-02-30 for 2 March and a time without offset for local time.
 */
export function parseIsoWithOffset(s: string): number | null {
  const m = ISO_TIME.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, sec, ohh, omm] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0', m[10] ?? '0', m[11] ?? '0'].map(Number) as number[];
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined || sec === undefined || ohh === undefined || omm === undefined) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const dim = mo === 2 && !leap ? 28 : (DAYS_IN_MONTH[mo - 1] ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > dim || h > 23 || mi > 59 || sec > 59 || ohh > 14 || omm > 59) return null;
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (ohh * 60 + omm);
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset * 60_000;
}

const EXAMPLE_TIME = '2022-03-01T08:15:00+07:00';
/** An empty cell is null; anything else must be a complete ISO 8601 time with an offset. */
const optionalTime = z.string().transform((s, ctx) => {
  if (s === '') return null;
  const ms = parseIsoWithOffset(s);
  if (ms === null) ctx.addIssue({ code: 'custom', message: `"${s}" is not a date and time in ISO 8601 with its offset, e.g. ${EXAMPLE_TIME}` });
  return ms;
});

/** Codes of the other system: letters, digits and a few separators, no spaces. */
const DOSSIER_CODE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const REFERENCE_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const IMPORT_ROW = z.object({
  code: z
    .string()
    .trim()
    .min(1, 'the code is missing')
    .max(64, 'a code has at most 64 characters')
    .regex(DOSSIER_CODE, 'a code holds letters, digits and . _ - / only'),
  procedure_code: z.string().trim().min(1, 'the procedure code is missing').max(32).regex(REFERENCE_CODE, 'not a procedure code such as 1.001193'),
  unit_code: z.string().trim().min(1, 'the unit code is missing').max(32).regex(REFERENCE_CODE, 'not a unit code such as 25309'),
  channel: z.enum(['1', '2', '3'], 'the channel must be 1 (counter), 2 (online) or 3 (post)').transform((c) => Number(c) as Channel),
  status: z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], 'the status must be a number from 1 to 10').transform((s) => Number(s) as Status),
  received_at: optionalTime,
  due_at: optionalTime,
  finished_at: optionalTime,
});
type ImportRow = z.output<typeof IMPORT_ROW>;

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
  readonly rows = new ValidRows();
  readonly errors = new ErrorList();
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

  header(fields: readonly string[]): boolean {
    const found = fields.map((f) => f.trim());
    if (found.length === IMPORT_COLUMNS.length && IMPORT_COLUMNS.every((c, i) => found[i] === c)) return true;
    this.errors.add({ path: 'header', line: 1, message: `the header must be exactly ${IMPORT_COLUMNS.join(',')} (found ${found.join(',')})` });
    return false;
  }

  /** The row's code when it may be looked up in the database (well-formed, first occurrence). */
  row(fields: readonly string[], line: number): string | null {
    const fail = (path: string, message: string) => this.errors.add({ path, line, message });
    if (fields.length !== IMPORT_COLUMNS.length) {
      fail(`line ${line}`, `expected ${IMPORT_COLUMNS.length} fields (${IMPORT_COLUMNS.join(',')}), found ${fields.length}`);
      return null;
    }
    const input = Object.fromEntries(IMPORT_COLUMNS.map((c, i) => [c, fields[i] ?? ''])) as Record<ImportColumn, string>;
    const parsed = IMPORT_ROW.safeParse(input);
    const row = parsed.success ? parsed.data : this.partialRow(input, (issue) => fail(issue.path, issue.message));
    const errorsBefore = this.errors.count;

    const newCode = row.code !== undefined && this.firstOccurrence(row.code, line, fail);
    this.crossFieldChecks(row, fail);
    const procedure = row.procedure_code === undefined ? undefined : this.ref.procedures.get(row.procedure_code);
    if (row.procedure_code !== undefined && !procedure) fail('procedure_code', `no procedure ${row.procedure_code} in the catalogue`);
    const unit = this.unitFor(row, fail);

    if (parsed.success && this.errors.count === errorsBefore && procedure && unit) this.keep(parsed.data, procedure, unit);
    return newCode ? (row.code ?? null) : null;
  }

  /** When the row as a whole does not parse, each column on its own, so the other checks still run. */
  private partialRow(input: Record<ImportColumn, string>, fail: (issue: { path: string; message: string }) => void): Partial<ImportRow> {
    const out: Record<string, unknown> = {};
    for (const column of IMPORT_COLUMNS) {
      const r = IMPORT_ROW.shape[column].safeParse(input[column]);
      if (r.success) out[column] = r.data;
      else for (const issue of r.error.issues) fail({ path: column, message: issue.message });
    }
    return out as Partial<ImportRow>;
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

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** Count of line breaks inside a record's fields (a quoted field may span lines). */
const breaksIn = (fields: readonly string[]) => fields.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);

/**
 * Parse and check the whole file. `onCodes` gets the well-formed first-occurrence codes in
 * batches, for the database lookup; the batches are awaited, which also paces the parser.
 */
async function validateFile(path: string, ref: ReferenceIndex, nowMs: number, onCodes: (batch: CodeBatch) => Promise<void> | void): Promise<{ validation: Validation; rows: ValidRows }> {
  const checker = new RowChecker(ref, nowMs);
  let headerOk: boolean | null = null;
  let batch: CodeBatch = { codes: [], lines: [] };
  const stop = new AbortController();

  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write({ record, info }: ParsedRecord, _encoding, done) {
      // csv-parse counts the line a record ends on; a record spanning lines starts earlier.
      const line = info.lines - breaksIn(record);
      if (headerOk === null) {
        headerOk = checker.header(record);
        if (!headerOk) stop.abort();
        return done();
      }
      const code = checker.row(record, line);
      if (code !== null) {
        batch.codes.push(code);
        batch.lines.push(line);
      }
      if (batch.codes.length < COPY_CHUNK_ROWS) return done();
      const full = batch;
      batch = { codes: [], lines: [] };
      Promise.resolve(onCodes(full)).then(() => done(), done);
    },
  });

  try {
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true }), sink, {
      signal: stop.signal,
    });
  } catch (e) {
    if (!stop.signal.aborted) recordSyntaxError(e, checker.errors);
  }
  if (batch.codes.length > 0 && headerOk) await onCodes(batch);
  if (headerOk === null) checker.errors.add({ path: 'header', line: 1, message: `the file is empty; the first line must be ${IMPORT_COLUMNS.join(',')}` });
  return {
    validation: { headerOk: headerOk === true, rows: checker.rows.length, errors: checker.errors.errors, errorCount: checker.errors.count },
    rows: checker.rows,
  };
}

/** A broken quote makes everything after it unreadable: report where, and stop there. */
function recordSyntaxError(e: unknown, errors: ErrorList): void {
  const csv = e as Partial<CsvError> & { lines?: number };
  if (typeof csv.code !== 'string' || !csv.code.startsWith('CSV_')) throw e;
  const line = csv.lines ?? 0;
  errors.add({ path: `line ${line}`, line, message: `not valid CSV (${csv.message ?? csv.code}); lines after it were not read` });
}

// =============================================================================================
// Encoding the good rows for the bulk loader

function* encodeRows(rows: ValidRows, ref: ReferenceIndex, nowMs: number, encoder: DossierEncoder): Generator<EncodedChunk> {
  for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
    const batch: BulkDossier[] = [];
    for (let i = start; i < Math.min(rows.length, start + COPY_CHUNK_ROWS); i++) batch.push(bulkDossierAt(rows, i, ref, nowMs));
    yield encoder.encode(batch);
  }
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
// Running the job: on the main thread, or in a worker

interface ImportJob {
  /** Parse and check every row; `onCodes` is called with batches of codes to look up. */
  validate(onCodes: (batch: CodeBatch) => Promise<void>): Promise<Validation>;
  /** The good rows, encoded, chunk by chunk (only after a validation without errors). */
  chunks(): AsyncIterable<EncodedChunk>;
  /** Counters and references gathered while encoding, once every chunk was taken. */
  totals(): Promise<EncodedTotals>;
  close(): Promise<void>;
}

class InlineJob implements ImportJob {
  private readonly ref: ReferenceIndex;
  private rows: ValidRows | null = null;
  private readonly encoder = new DossierEncoder();

  constructor(
    private readonly path: string,
    reference: ImportReference,
    private readonly nowMs: number,
  ) {
    this.ref = new ReferenceIndex(reference);
  }

  async validate(onCodes: (batch: CodeBatch) => Promise<void>): Promise<Validation> {
    const { validation, rows } = await validateFile(this.path, this.ref, this.nowMs, onCodes);
    this.rows = rows;
    return validation;
  }

  async *chunks(): AsyncGenerator<EncodedChunk> {
    if (!this.rows) throw new Error('import: chunks before validation');
    yield* encodeRows(this.rows, this.ref, this.nowMs, this.encoder);
  }

  async totals(): Promise<EncodedTotals> {
    return this.encoder.finish();
  }

  async close(): Promise<void> {
    this.rows = null;
  }
}

/** Messages from the worker, in the order it sends them. */
type FromWorker =
  | ({ type: 'codes' } & CodeBatch)
  | ({ type: 'validated' } & Validation)
  | ({ type: 'chunk' } & EncodedChunk)
  | { type: 'totals'; totals: EncodedTotals }
  | { type: 'failed'; message: string };
type ToWorker = { type: 'encode' } | { type: 'credit' };

interface WorkerInput {
  path: string;
  reference: ImportReference;
  nowMs: number;
}

/** Encoded chunks the worker may have ready ahead of the main thread (each is ~20 MB of text). */
const CHUNKS_AHEAD = 2;

/**
 * Starts the worker from a tiny bootstrap: the worker has to load this TypeScript module, so it
 * registers tsx first when tsx is what runs the project (it is: no build step).
 */
function startWorker(input: WorkerInput): Worker {
  let tsx: string | null = null;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch {
    tsx = null; // running compiled JavaScript: nothing to register
  }
  const boot = `
    const { workerData, parentPort } = require('node:worker_threads');
    (async () => {
      if (workerData.tsx) (await import(workerData.tsx)).register();
      (await import(workerData.module)).runImportWorker();
    })().catch((e) => parentPort.postMessage({ type: 'failed', message: String((e && e.stack) || e) }));
  `;
  return new Worker(boot, { eval: true, workerData: { tsx, module: import.meta.url, input } });
}

class WorkerJob implements ImportJob {
  private readonly worker: Worker;
  private readonly inbox: FromWorker[] = [];
  private waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private finalTotals: EncodedTotals | null = null;

  constructor(path: string, reference: ImportReference, nowMs: number) {
    this.worker = startWorker({ path, reference, nowMs });
    this.worker.on('message', (m: FromWorker) => (m.type === 'failed' ? this.fail(new Error(`import worker: ${m.message}`)) : this.deliver(m)));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`import worker stopped (exit code ${code})`));
    });
  }

  async validate(onCodes: (batch: CodeBatch) => Promise<void>): Promise<Validation> {
    for (;;) {
      const m = await this.next();
      if (m.type === 'codes') await onCodes(m);
      else if (m.type === 'validated') return { headerOk: m.headerOk, rows: m.rows, errors: m.errors, errorCount: m.errorCount };
      else throw new Error(`import worker: unexpected ${m.type} while validating`);
    }
  }

  async *chunks(): AsyncGenerator<EncodedChunk> {
    this.post({ type: 'encode' });
    for (;;) {
      const m = await this.next();
      if (m.type === 'totals') {
        this.finalTotals = m.totals;
        return;
      }
      if (m.type !== 'chunk') throw new Error(`import worker: unexpected ${m.type} while encoding`);
      yield { csv: m.csv, rows: m.rows };
      this.post({ type: 'credit' });
    }
  }

  async totals(): Promise<EncodedTotals> {
    if (!this.finalTotals) throw new Error('import worker: totals before the last chunk');
    return this.finalTotals;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('import worker: closed');
    await this.worker.terminate();
  }

  private post(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  private next(): Promise<FromWorker> {
    const m = this.inbox.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private deliver(m: FromWorker): void {
    const w = this.waiting;
    this.waiting = null;
    if (w) w.resolve(m);
    else this.inbox.push(m);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }
}

/** The worker's side: validate, report, then encode on request with at most CHUNKS_AHEAD in flight. */
export function runImportWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runImportWorker runs in a worker thread');
  const { input } = workerData as { input: WorkerInput };
  const send = (m: FromWorker) => port.postMessage(m);
  const credits = new Credits();
  port.on('message', (m: ToWorker) => (m.type === 'encode' ? credits.start(CHUNKS_AHEAD) : credits.give()));

  (async () => {
    const ref = new ReferenceIndex(input.reference);
    const { validation, rows } = await validateFile(input.path, ref, input.nowMs, (batch) => send({ type: 'codes', ...batch }));
    send({ type: 'validated', ...validation });
    if (validation.errorCount > 0) return;
    const encoder = new DossierEncoder();
    for (const chunk of encodeRows(rows, ref, input.nowMs, encoder)) {
      await credits.take();
      send({ type: 'chunk', ...chunk });
    }
    send({ type: 'totals', totals: encoder.finish() });
  })().catch((e: unknown) => send({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
}

/** Flow control: the worker waits for the main thread before running too far ahead. */
class Credits {
  private available = 0;
  private waiter: (() => void) | null = null;

  start(n: number): void {
    this.available += n;
    this.wake();
  }

  give(): void {
    this.available++;
    this.wake();
  }

  async take(): Promise<void> {
    while (this.available === 0) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.available--;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
