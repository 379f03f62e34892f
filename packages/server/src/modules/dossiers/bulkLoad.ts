/**
 * Bulk loading of dossiers that come from outside the platform's own actions: the CSV import
 * from another one-stop system, the full demo seed and the benchmarks. One transaction; rows go
 * in with COPY; each dossier gets one `import` entry in its action log; the II.06a counters are
 * computed with the same domain function (contributionOf) the live path uses.
 *
 * Two halves that run on different threads for a large load:
 * - `DossierEncoder` (plain JS, no database): the domain fold of each dossier, its COPY line,
 *   its counter contribution summed per unit, sector and day. `bulkLoadDossiers` runs it on an
 *   encoder thread after the first chunk; the CSV import runs it in its own worker.
 * - `loadEncodedDossiers` (database only): COPY, the action log, foreign keys, indexes, the
 *   counters merge.
 *
 * Nothing here runs SQL per row: a million dossiers are twenty COPY statements, twenty
 * INSERT … SELECT statements for the action log and one merge for the counters. Two more
 * things halve the time on PGlite (Postgres in WASM, on one thread), measured on 1M rows:
 * - per-row foreign-key triggers cost more than the insert itself; when the session may, they
 *   are switched off for the transaction and the same references are checked set-based;
 * - keeping the secondary indexes up to date row by row costs more than the COPY; when the
 *   load is large next to the table, they are dropped and built again (a sorted build) before
 *   commit, inside the same transaction, so a failure leaves them as they were. The UNIQUE
 *   code stays: the import asks it whether a code is already stored while it loads.
 */
import {
  applyToTimeline,
  contributionOf,
  emptyTimeline,
  foldDiacritics,
  COUNTER_FIELDS,
  type Status,
  type Channel,
  type TimelineState,
  type CounterField,
} from '@causo/domain';
import { Worker, parentPort } from 'node:worker_threads';
import type { Db, DbKind, RawClient } from '../../db/database.ts';
import { ALL_SECTORS, COLUMN_OF } from '../reports/counters.ts';

export interface BulkDossier {
  code: string;
  procedureId: number;
  sectorCode: string;
  unitId: number;
  /** The unit and its ancestors (units.ancestor_ids), for the counters. */
  unitAncestorIds: number[];
  provinceCode: string;
  channel: Channel;
  status: Status;
  submittedAt: Date;
  receivedAt: Date | null;
  dueAt: Date | null;
  finishedAt: Date | null;
  applicantName: string;
}

export interface BulkLoadOptions {
  /** Who loaded them (audit and the log's actor), null for the system. */
  actorId: number | null;
  /** Makes each log entry's transaction id unique and traceable: `${prefix}:${code}`. */
  transactionPrefix: string;
  /** Called with the number of rows written so far. */
  onProgress?: (done: number) => void;
}

/** Rows per COPY: big enough that statement overhead vanishes, small enough to keep the CSV text modest. */
export const COPY_CHUNK_ROWS = 50_000;

export async function bulkLoadDossiers(db: Db, batches: AsyncIterable<BulkDossier[]> | Iterable<BulkDossier[]>, opts: BulkLoadOptions): Promise<{ inserted: number }> {
  const encoding = new ParallelEncoding();
  try {
    const result = await db.raw((client) => loadEncodedDossiers(client, db.kind, encoding.chunks(batches), () => encoding.totals(), opts), { transaction: true });
    // PGlite has no autovacuum: without fresh statistics the planner guesses the new rows' spread.
    await db.raw((client) => client.exec('ANALYZE dossiers; ANALYZE dossier_actions'));
    return result;
  } finally {
    await encoding.close();
  }
}

/** Re-cut the caller's batches into COPY-sized chunks. */
async function* inChunks(batches: AsyncIterable<BulkDossier[]> | Iterable<BulkDossier[]>): AsyncGenerator<BulkDossier[]> {
  let pending: BulkDossier[] = [];
  for await (const batch of batches) {
    for (const d of batch) {
      pending.push(d);
      if (pending.length >= COPY_CHUNK_ROWS) {
        yield pending;
        pending = [];
      }
    }
  }
  if (pending.length > 0) yield pending;
}

/**
 * Encoding a million dossiers (the domain fold, the counters, the COPY text) is a third of the
 * load's time, and PGlite keeps the main thread busy with the database for the rest. So the
 * first chunk is encoded here while a worker thread starts, and the following ones in the
 * worker, two ahead of the COPY. A load of one chunk or less never starts a worker.
 */
class ParallelEncoding {
  private readonly here = new DossierEncoder();
  private thread: EncoderThread | null = null;

  async *chunks(batches: AsyncIterable<BulkDossier[]> | Iterable<BulkDossier[]>): AsyncGenerator<EncodedChunk> {
    const inFlight: Promise<EncodedChunk>[] = [];
    let first = true;
    for await (const chunk of inChunks(batches)) {
      if (first) {
        first = false;
        if (chunk.length >= COPY_CHUNK_ROWS) this.thread = EncoderThread.start();
        yield this.here.encode(chunk);
        continue;
      }
      const encoded = this.thread ? this.thread.encode(chunk) : Promise.resolve(this.here.encode(chunk));
      encoded.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      inFlight.push(encoded);
      if (inFlight.length >= 2) yield await (inFlight.shift() as Promise<EncodedChunk>);
    }
    while (inFlight.length > 0) yield await (inFlight.shift() as Promise<EncodedChunk>);
  }

  async totals(): Promise<EncodedTotals> {
    const mine = this.here.finish();
    return this.thread ? mergeTotals(mine, await this.thread.finish()) : mine;
  }

  async close(): Promise<void> {
    await this.thread?.close();
  }
}

function mergeTotals(a: EncodedTotals, b: EncodedTotals): EncodedTotals {
  const union = <T>(x: T[], y: T[]) => [...new Set([...x, ...y])];
  return {
    // The same (unit, sector, day) may be in both: mergeCounters sums them.
    countersCsv: [...a.countersCsv, ...b.countersCsv],
    counterRows: a.counterRows + b.counterRows,
    references: {
      unitIds: union(a.references.unitIds, b.references.unitIds),
      procedureIds: union(a.references.procedureIds, b.references.procedureIds),
      sectorCodes: union(a.references.sectorCodes, b.references.sectorCodes),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The encoder thread

/**
 * A batch as arrays: cloning 50,000 objects with four Dates each to another thread costs more
 * than encoding them; arrays of strings and one Float64Array (moved, not copied) cost little.
 */
interface PackedBatch {
  codes: string[];
  sectorCodes: string[];
  provinceCodes: string[];
  applicantNames: string[];
  /** Per row: procedureId, unitId, channel, status, submittedAt, receivedAt, dueAt, finishedAt (ms, NaN for null). */
  numbers: Float64Array;
  /** Ancestors of the units first seen in this batch. */
  ancestors: [number, number[]][];
}
const PACKED_FIELDS = 8;

type ToEncoder = { type: 'encode'; batch: PackedBatch } | { type: 'finish' };
type FromEncoder = ({ type: 'chunk' } & EncodedChunk) | { type: 'totals'; totals: EncodedTotals } | { type: 'failed'; message: string };

const msOrNaN = (d: Date | null) => (d ? d.getTime() : NaN);
const dateOrNull = (ms: number) => (Number.isNaN(ms) ? null : new Date(ms));

function pack(batch: readonly BulkDossier[], unitsSent: Set<number>): PackedBatch {
  const numbers = new Float64Array(batch.length * PACKED_FIELDS);
  const ancestors: [number, number[]][] = [];
  batch.forEach((d, i) => {
    const at = i * PACKED_FIELDS;
    numbers[at] = d.procedureId;
    numbers[at + 1] = d.unitId;
    numbers[at + 2] = d.channel;
    numbers[at + 3] = d.status;
    numbers[at + 4] = d.submittedAt.getTime();
    numbers[at + 5] = msOrNaN(d.receivedAt);
    numbers[at + 6] = msOrNaN(d.dueAt);
    numbers[at + 7] = msOrNaN(d.finishedAt);
    if (!unitsSent.has(d.unitId)) {
      unitsSent.add(d.unitId);
      ancestors.push([d.unitId, d.unitAncestorIds]);
    }
  });
  return {
    codes: batch.map((d) => d.code),
    sectorCodes: batch.map((d) => d.sectorCode),
    provinceCodes: batch.map((d) => d.provinceCode),
    applicantNames: batch.map((d) => d.applicantName),
    numbers,
    ancestors,
  };
}

function unpack(p: PackedBatch, ancestorsOf: Map<number, number[]>): BulkDossier[] {
  for (const [unitId, ancestors] of p.ancestors) ancestorsOf.set(unitId, ancestors);
  return p.codes.map((code, i) => {
    const n = (k: number) => p.numbers[i * PACKED_FIELDS + k] ?? NaN;
    const unitId = n(1);
    return {
      code,
      procedureId: n(0),
      sectorCode: p.sectorCodes[i] ?? '',
      unitId,
      unitAncestorIds: ancestorsOf.get(unitId) ?? [unitId],
      provinceCode: p.provinceCodes[i] ?? '',
      channel: n(2) as Channel,
      status: n(3) as Status,
      submittedAt: new Date(n(4)),
      receivedAt: dateOrNull(n(5)),
      dueAt: dateOrNull(n(6)),
      finishedAt: dateOrNull(n(7)),
      applicantName: p.applicantNames[i] ?? '',
    };
  });
}

/** Answers come back in the order the requests went out. */
class EncoderThread {
  private readonly waiting: { resolve: (m: FromEncoder) => void; reject: (e: Error) => void }[] = [];
  private readonly unitsSent = new Set<number>();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromEncoder) => (m.type === 'failed' ? this.fail(new Error(`encoder thread: ${m.message}`)) : this.waiting.shift()?.resolve(m)));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`encoder thread stopped (exit code ${code})`)));
  }

  static start(): EncoderThread {
    return new EncoderThread(startTypeScriptWorker(import.meta.url, 'runEncoderThread', {}));
  }

  async encode(batch: readonly BulkDossier[]): Promise<EncodedChunk> {
    const packed = pack(batch, this.unitsSent);
    const answer = await this.ask({ type: 'encode', batch: packed }, [packed.numbers.buffer as ArrayBuffer]);
    if (answer.type !== 'chunk') throw new Error(`encoder thread: ${answer.type} instead of a chunk`);
    return { csv: answer.csv, rows: answer.rows };
  }

  async finish(): Promise<EncodedTotals> {
    const answer = await this.ask({ type: 'finish' }, []);
    if (answer.type !== 'totals') throw new Error(`encoder thread: ${answer.type} instead of the totals`);
    return answer.totals;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private ask(m: ToEncoder, transfer: ArrayBuffer[]): Promise<FromEncoder> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(m, transfer);
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
}

/** The encoder thread's side. */
export function runEncoderThread(): void {
  const port = parentPort;
  if (!port) throw new Error('runEncoderThread runs in a worker thread');
  const encoder = new DossierEncoder();
  const ancestorsOf = new Map<number, number[]>();
  port.on('message', (m: ToEncoder) => {
    try {
      if (m.type === 'encode') port.postMessage({ type: 'chunk', ...encoder.encode(unpack(m.batch, ancestorsOf)) } satisfies FromEncoder);
      else port.postMessage({ type: 'totals', totals: encoder.finish() } satisfies FromEncoder);
    } catch (e) {
      port.postMessage({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromEncoder);
    }
  });
}

/**
 * A worker thread running `entry` of the TypeScript module at `moduleUrl`. The project runs
 * TypeScript through tsx with no build step, and a worker does not inherit the main thread's
 * loader, so a tiny bootstrap registers tsx in the worker before importing the module.
 */
export function startTypeScriptWorker(moduleUrl: string, entry: string, data: unknown, youngGenerationMb = 64): Worker {
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
      (await import(workerData.module))[workerData.entry]();
    })().catch((e) => parentPort.postMessage({ type: 'failed', message: String((e && e.stack) || e) }));
  `;
  // A larger young generation: an encoder makes millions of short-lived strings and dates
  // while a chunk's 50,000 lines stay alive; with the default, GC took a quarter of its time.
  return new Worker(boot, { eval: true, workerData: { tsx, module: moduleUrl, entry, data }, resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } });
}

// =============================================================================================
// Encoding (no database): the same on the main thread and in a worker

/** Dossier rows as COPY CSV text (no header, `\n` between rows). */
export interface EncodedChunk {
  csv: string;
  rows: number;
}

/** What the encoder gathered over all chunks, for the end of the load. */
export interface EncodedTotals {
  /** ii06a_counters rows as COPY CSV chunks (unit_id, sector_code, day, then COUNTER_FIELDS). */
  countersCsv: string[];
  counterRows: number;
  /** Every key the rows point at, for the set-based foreign-key check. */
  references: { unitIds: number[]; procedureIds: number[]; sectorCodes: string[] };
}

export const DOSSIER_COLUMNS = [
  'code',
  'province_code',
  'procedure_id',
  'sector_code',
  'unit_id',
  'channel',
  'status',
  'applicant_name',
  'applicant_search',
  'submitted_at',
  'received_at',
  'due_at',
  'finished_at',
  'paused_at',
  'phases',
  'source',
  'version',
] as const;

const COUNTER_COLUMNS = COUNTER_FIELDS.map((f) => COLUMN_OF[f]);
const COUNTER_TABLE_COLUMNS = ['unit_id', 'sector_code', 'day', ...COUNTER_COLUMNS];
const FIELD_INDEX = Object.fromEntries(COUNTER_FIELDS.map((f, i) => [f, i])) as Record<CounterField, number>;

/** The same fold the live path and the recount use, fed the single `import` action. */
export function importedTimeline(d: BulkDossier): TimelineState {
  return applyToTimeline(emptyTimeline(d.channel), {
    action: 'import',
    toStatus: d.status,
    occurredAt: d.receivedAt ?? d.submittedAt,
    dueAt: d.dueAt,
    receivedAt: d.receivedAt,
    finishedAt: d.finishedAt,
  });
}

export class DossierEncoder {
  private readonly counters = new CounterAccumulator();
  private readonly units = new Set<number>();
  private readonly procedures = new Set<number>();
  private readonly sectors = new Set<string>();
  private lastName: { raw: string; nfc: string; folded: string } | null = null;

  encode(batch: readonly BulkDossier[]): EncodedChunk {
    return { csv: batch.map((d) => this.line(d)).join('\n'), rows: batch.length };
  }

  /** One dossier's COPY line; its contribution and references are remembered for `finish`. */
  line(d: BulkDossier): string {
    const timeline = importedTimeline(d);
    this.counters.add(d, contributionOf(timeline));
    this.remember(d);
    return this.csvLine(d, timeline);
  }

  finish(): EncodedTotals {
    const { csv, rows } = this.counters.toCsv();
    return {
      countersCsv: csv,
      counterRows: rows,
      references: { unitIds: [...this.units], procedureIds: [...this.procedures], sectorCodes: [...this.sectors] },
    };
  }

  private remember(d: BulkDossier): void {
    this.procedures.add(d.procedureId);
    this.sectors.add(d.sectorCode);
    if (this.units.has(d.unitId)) return; // its ancestors are in already
    this.units.add(d.unitId);
    for (const id of d.unitAncestorIds) this.units.add(id);
  }

  /** Names repeat (an import file has none, a seed a few thousand): remember the last one. */
  private nameForms(raw: string): { nfc: string; folded: string } {
    if (this.lastName?.raw !== raw) {
      const nfc = raw.normalize('NFC');
      this.lastName = { raw, nfc, folded: foldDiacritics(nfc) };
    }
    return this.lastName;
  }

  /**
   * Built with join rather than `+`: concatenation leaves each line as a rope of a few dozen
   * pieces, and 50,000 live ropes made every young-generation GC copy millions of objects.
   */
  private csvLine(d: BulkDossier, t: TimelineState): string {
    const name = this.nameForms(d.applicantName);
    // The table requires paused_at exactly for status 5; the other system's pause moment is not
    // known, so an imported dossier waiting for a supplement counts as paused since reception
    // (the same assumption the domain's `import` fold makes).
    const pausedAt = d.status === 5 ? (d.receivedAt ?? d.submittedAt) : null;
    return [
      csvText(d.code),
      csvText(d.provinceCode),
      d.procedureId,
      csvText(d.sectorCode),
      d.unitId,
      d.channel,
      d.status,
      csvText(name.nfc),
      csvText(name.folded),
      csvTime(d.submittedAt),
      csvTime(t.receivedAt),
      csvTime(d.dueAt),
      csvTime(t.finishedAt),
      csvTime(pausedAt),
      csvText(phasesJson(t)),
      'import',
      1,
    ].join(',');
  }
}

/** Quoted always: an unquoted empty field is NULL to COPY, and names may hold commas or quotes. */
const csvText = (s: string): string => `"${s.includes('"') ? s.replaceAll('"', '""') : s}"`;
/** Empty (unquoted) is NULL. */
const csvTime = (d: Date | null): string => (d ? d.toISOString() : '');

/**
 * Exactly what the live path stores in `dossiers.phases` (JSON.stringify of
 * `{ from, paused, dueAt }` with ISO strings), written out directly: ISO strings need no escaping.
 */
function phasesJson(t: TimelineState): string {
  const parts = t.phases.map((p) => `{"from":"${p.from.toISOString()}","paused":${p.paused},"dueAt":${p.dueAt ? `"${p.dueAt.toISOString()}"` : 'null'}}`);
  return `[${parts.join(',')}]`;
}

// ---------------------------------------------------------------------------------------------
// II.06a counters

/** unit id → sector → day → one sum per counter field (COUNTER_FIELDS order). */
type SumsTree = Map<number, Map<string, Map<string, number[]>>>;

function sumsFor(tree: SumsTree, unitId: number, sector: string): Map<string, number[]> {
  let bySector = tree.get(unitId);
  if (!bySector) tree.set(unitId, (bySector = new Map()));
  let byDay = bySector.get(sector);
  if (!byDay) bySector.set(sector, (byDay = new Map()));
  return byDay;
}

function addInto(byDay: Map<string, number[]>, day: string, index: number, delta: number): void {
  let values = byDay.get(day);
  if (!values) byDay.set(day, (values = COUNTER_FIELDS.map(() => 0)));
  values[index] = (values[index] ?? 0) + delta;
}

/**
 * Sums contributions first per (the dossier's own unit, sector, day), and only at the end
 * spreads each sum over the unit's ancestors × {sector, '*'} (as applyCounterDeltas does for
 * one dossier): six times fewer map updates than spreading every dossier. Nested maps rather
 * than one map with a composite string key: building a key string per delta was the most
 * expensive line of the encoder.
 */
class CounterAccumulator {
  private readonly own: SumsTree = new Map();
  private readonly ancestorsOf = new Map<number, number[]>();

  add(d: BulkDossier, deltas: readonly { day: string; field: CounterField; delta: number }[]): void {
    if (deltas.length === 0) return;
    if (!this.ancestorsOf.has(d.unitId)) this.ancestorsOf.set(d.unitId, d.unitAncestorIds);
    const byDay = sumsFor(this.own, d.unitId, d.sectorCode);
    for (const delta of deltas) addInto(byDay, delta.day, FIELD_INDEX[delta.field], delta.delta);
  }

  /** ii06a_counters rows as COPY CSV chunks, all-zero rows dropped. */
  toCsv(): { csv: string[]; rows: number } {
    const spread: SumsTree = new Map();
    for (const [unitId, bySector] of this.own)
      for (const ancestor of this.ancestorsOf.get(unitId) ?? [unitId])
        for (const [sector, byDay] of bySector)
          for (const target of [sumsFor(spread, ancestor, sector), sumsFor(spread, ancestor, ALL_SECTORS)])
            for (const [day, values] of byDay) values.forEach((v, i) => v !== 0 && addInto(target, day, i, v));

    const chunks: string[] = [];
    let lines: string[] = [];
    let rows = 0;
    for (const [unitId, bySector] of spread)
      for (const [sector, byDay] of bySector)
        for (const [day, values] of byDay) {
          if (values.every((v) => v === 0)) continue;
          lines.push(`${unitId},${csvText(sector)},${day},${values.join(',')}`);
          rows++;
          if (lines.length >= COPY_CHUNK_ROWS) {
            chunks.push(lines.join('\n'));
            lines = [];
          }
        }
    if (lines.length > 0) chunks.push(lines.join('\n'));
    return { csv: chunks, rows };
  }
}

// =============================================================================================
// Loading (database only)

/**
 * Bulk loads take turns: each chunk's log entries are written for "import rows with an id above
 * the highest one before the chunk", which is only exact when no other load commits meanwhile.
 * Live dossiers are never picked up (they are `source = 'platform'`).
 */
const BULK_LOAD_LOCK = 7_046_302;

/** Rebuilding indexes pays once the load is at least this share of the rows already there… */
const REBUILD_SHARE = 0.25;
/** …and never for small loads, whatever the table holds. */
const REBUILD_MIN_ROWS = 20_000;

/**
 * Load encoded chunks in the caller's transaction on `client` (the caller may write more in it:
 * the CSV import adds its audit entry, so both commit or neither does). `totals` is asked for
 * once every chunk is in.
 */
export async function loadEncodedDossiers(
  client: RawClient,
  engine: DbKind,
  chunks: AsyncIterable<EncodedChunk>,
  totals: () => Promise<EncodedTotals>,
  opts: BulkLoadOptions,
): Promise<{ inserted: number }> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [BULK_LOAD_LOCK]);
  // Payload dates are written by the database (insertImportActions): keep them in UTC.
  await client.query(`SET LOCAL TimeZone = 'UTC'`);
  const triggersOff = await skipRowTriggers(client);
  const existingRows = await estimatedDossierCount(client);
  const rebuild = new IndexRebuild(client, engine === 'pglite', Math.max(REBUILD_MIN_ROWS, REBUILD_SHARE * existingRows));
  let inserted = 0;

  for await (const chunk of chunks) {
    if (chunk.rows === 0) continue;
    await rebuild.dropWhenWorthIt(inserted + chunk.rows);
    const afterId = await highestDossierId(client);
    await client.copyCsv('dossiers', DOSSIER_COLUMNS, chunk.csv);
    // Written right after each COPY, while the chunk's rows are still in the buffer cache.
    await insertImportActions(client, afterId, opts);
    inserted += chunk.rows;
    opts.onProgress?.(inserted);
  }
  const { countersCsv, references } = await totals();
  if (inserted === 0) return { inserted };

  if (triggersOff) await verifyReferences(client, references, opts.actorId);
  await rebuild.restore();
  await mergeCounters(client, countersCsv);
  return { inserted };
}

/**
 * Foreign-key checks run as one trigger call per row and per key (three per dossier). A
 * superuser session (PGlite always; a PostgreSQL superuser account) may switch row triggers
 * off for this transaction only (session_replication_role = replica); `verifyReferences` then
 * checks the same keys set-based. Only done while the foreign keys are the tables' only
 * triggers: one someone adds later must keep firing.
 */
async function skipRowTriggers(client: RawClient): Promise<boolean> {
  const [row] = await client.query<{ su: string; own_triggers: number | string }>(
    `SELECT current_setting('is_superuser') AS su,
            (SELECT count(*) FROM pg_trigger
              WHERE tgrelid IN ('dossiers'::regclass, 'dossier_actions'::regclass, 'ii06a_counters'::regclass)
                AND NOT tgisinternal) AS own_triggers`,
  );
  if (row?.su !== 'on' || Number(row.own_triggers) > 0) return false;
  await client.query(`SET LOCAL session_replication_role = replica`);
  return true;
}

async function highestDossierId(client: RawClient): Promise<number> {
  const [row] = await client.query<{ max_id: number | string }>('SELECT coalesce(max(id), 0) AS max_id FROM dossiers');
  return Number(row?.max_id ?? 0);
}

/** Ids are dense enough that their range estimates the row count without scanning the table. */
async function estimatedDossierCount(client: RawClient): Promise<number> {
  const [row] = await client.query<{ lo: number | string | null; hi: number | string | null }>('SELECT min(id) AS lo, max(id) AS hi FROM dossiers');
  if (!row || row.lo === null || row.hi === null) return 0;
  return Number(row.hi) - Number(row.lo) + 1;
}

/**
 * One `import` entry per dossier of the chunk. Payload dates are the timestamps themselves:
 * ISO 8601 in the session's UTC (`2022-03-01T01:15:00+00:00`); formatting them with to_char
 * to look like `toISOString()` cost a third of this statement on PGlite, and every reader
 * parses them anyway.
 */
async function insertImportActions(client: RawClient, afterId: number, opts: BulkLoadOptions): Promise<void> {
  await client.query(
    `INSERT INTO dossier_actions (dossier_id, seq, action, from_status, to_status, actor_id, actor_role, occurred_at, transaction_id, payload)
     SELECT id, 1, 'import', NULL, status, $2::int, $3, coalesce(received_at, submitted_at), $4 || ':' || code,
            jsonb_build_object('receivedAt', received_at, 'dueAt', due_at, 'finishedAt', finished_at, 'source', 'import')
       FROM dossiers
      WHERE id > $1 AND source = 'import'
      ORDER BY id`,
    [afterId, opts.actorId, opts.actorId === null ? 'system' : 'admin', opts.transactionPrefix],
  );
}

/**
 * Every referenced row must exist; FOR KEY SHARE holds it until commit, as the trigger would
 * have, so nobody deletes a unit or procedure the new rows point at.
 */
async function verifyReferences(client: RawClient, refs: EncodedTotals['references'], actorId: number | null): Promise<void> {
  await expectRows(client, 'units', 'id', 'int', refs.unitIds);
  await expectRows(client, 'procedures', 'id', 'int', refs.procedureIds);
  await expectRows(client, 'sectors', 'code', 'text', refs.sectorCodes);
  if (actorId !== null) await expectRows(client, 'users', 'id', 'int', [actorId]);
}

async function expectRows(client: RawClient, table: string, key: string, type: 'int' | 'text', values: readonly (number | string)[]): Promise<void> {
  const found = await client.query<{ k: number | string }>(`SELECT ${key} AS k FROM ${table} WHERE ${key} = ANY($1::${type}[]) FOR KEY SHARE`, [values]);
  if (found.length === values.length) return;
  const present = new Set(found.map((r) => String(r.k)));
  const missing = values.filter((v) => !present.has(String(v))).slice(0, 10);
  // Same SQLSTATE as the foreign-key trigger would have raised.
  throw Object.assign(new Error(`bulk load: no ${table}.${key} ${missing.join(', ')}`), { code: '23503' });
}

// ---------------------------------------------------------------------------------------------
// Secondary indexes: dropped for a large load on PGlite, built again before commit

interface IndexDefinition {
  table: string;
  index: string;
  /** Set when the index backs a UNIQUE constraint, which is dropped and added back as such. */
  constraint: string | null;
  definition: string;
}

class IndexRebuild {
  private dropped: IndexDefinition[] | null = null;

  constructor(
    private readonly client: RawClient,
    private readonly allowed: boolean,
    private readonly threshold: number,
  ) {}

  /**
   * Only on PGlite: a PostgreSQL server keeps indexes up to date fast enough, and dropping one
   * there would lock every other session out of the table until commit; PGlite has no other
   * session. Indexes a foreign key depends on are left alone, and so are the dossiers' UNIQUE
   * ones: the CSV import looks codes up while it loads, and a code already stored then fails
   * its COPY at once instead of at the rebuild.
   */
  async dropWhenWorthIt(rowsSoFar: number): Promise<void> {
    if (!this.allowed || this.dropped || rowsSoFar < this.threshold) return;
    const defs = await this.client.query<IndexDefinition>(
      `SELECT c.relname AS table, i.indexrelid::regclass::text AS index, con.conname AS constraint,
              coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.indexrelid)) AS definition
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype = 'u'
        WHERE i.indrelid IN ('dossiers'::regclass, 'dossier_actions'::regclass)
          AND NOT i.indisprimary
          AND NOT (i.indisunique AND i.indrelid = 'dossiers'::regclass)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
        ORDER BY c.relname, i.indexrelid`,
    );
    for (const d of defs)
      await this.client.query(d.constraint ? `ALTER TABLE ${d.table} DROP CONSTRAINT ${quoteIdent(d.constraint)}` : `DROP INDEX ${d.index}`);
    this.dropped = defs;
  }

  /** A duplicate code fails here (23505), as it would have failed the COPY with the index in place. */
  async restore(): Promise<void> {
    if (!this.dropped) return;
    await this.client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const d of this.dropped)
      await this.client.query(d.constraint ? `ALTER TABLE ${d.table} ADD CONSTRAINT ${quoteIdent(d.constraint)} ${d.definition}` : d.definition);
    this.dropped = null;
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * COPY the sums into a temporary table, then add them to the counters in one statement, in
 * key order (the order the live path locks rows in, so the two cannot deadlock).
 */
async function mergeCounters(client: RawClient, countersCsv: readonly string[]): Promise<void> {
  if (countersCsv.length === 0) return;
  await client.query('CREATE TEMP TABLE bulk_counters (LIKE ii06a_counters INCLUDING DEFAULTS) ON COMMIT DROP');
  for (const csv of countersCsv) await client.copyCsv('bulk_counters', COUNTER_TABLE_COLUMNS, csv);
  const list = COUNTER_TABLE_COLUMNS.join(', ');
  const sums = COUNTER_COLUMNS.map((c) => `sum(${c})`).join(', ');
  // Grouped: the sums of two encoders (this thread and the worker) may share a key.
  await client.query(
    `INSERT INTO ii06a_counters (${list})
     SELECT unit_id, sector_code, day, ${sums} FROM bulk_counters GROUP BY unit_id, sector_code, day ORDER BY unit_id, sector_code, day
     ON CONFLICT (unit_id, sector_code, day, shard) DO UPDATE SET
       ${COUNTER_COLUMNS.map((c) => `${c} = ii06a_counters.${c} + excluded.${c}`).join(',\n       ')}`,
  );
  await client.query('DROP TABLE bulk_counters');
}
