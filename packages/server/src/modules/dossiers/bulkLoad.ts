/**
 * Bulk loading of dossiers that come from outside the platform's own actions: the CSV import
 * from another one-stop system, the full demo seed and the benchmarks. One transaction; rows go
 * in with COPY; each dossier gets one `import` entry in its action log; the II.06a counters are
 * computed with the same domain function (contributionOf) the live path uses.
 *
 * Two halves that can run on different threads:
 * - `DossierEncoder` (plain JS, no database): the domain fold of each dossier, its COPY line,
 *   its counter contribution summed per unit, sector and day. The CSV import runs it in a
 *   worker thread so it overlaps with the database work.
 * - `loadEncodedDossiers` (database only): COPY, the action log, foreign keys, indexes, the
 *   counters merge.
 *
 * Nothing here runs SQL per row: a million dossiers are twenty COPY statements, twenty
 * INSERT … SELECT statements for the action log and one merge for the counters. Two more
 * things halve the time on PGlite (Postgres in WASM, on one thread), measured on 1M rows:
 * - per-row foreign-key triggers cost more than the insert itself; when the session may, they
 *   are switched off for the transaction and the same references are checked set-based;
 * - keeping seven secondary indexes up to date row by row costs more than the COPY; when the
 *   load is large next to the table, they are dropped and built again (a sorted build) before
 *   commit, inside the same transaction, so a failure leaves them as they were.
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
  const encoder = new DossierEncoder();
  return db.raw((client) => loadEncodedDossiers(client, db.kind, encodeInChunks(batches, encoder), async () => encoder.finish(), opts), {
    transaction: true,
  });
}

/** Re-cut the caller's batches into COPY-sized chunks and encode each one. */
async function* encodeInChunks(batches: AsyncIterable<BulkDossier[]> | Iterable<BulkDossier[]>, encoder: DossierEncoder): AsyncGenerator<EncodedChunk> {
  let pending: BulkDossier[] = [];
  for await (const batch of batches) {
    for (const d of batch) {
      pending.push(d);
      if (pending.length >= COPY_CHUNK_ROWS) {
        yield encoder.encode(pending);
        pending = [];
      }
    }
  }
  if (pending.length > 0) yield encoder.encode(pending);
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
   * session. Indexes a foreign key depends on are left alone.
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
  await client.query('CREATE TEMP TABLE bulk_counters (LIKE ii06a_counters) ON COMMIT DROP');
  for (const csv of countersCsv) await client.copyCsv('bulk_counters', COUNTER_TABLE_COLUMNS, csv);
  const list = COUNTER_TABLE_COLUMNS.join(', ');
  await client.query(
    `INSERT INTO ii06a_counters (${list})
     SELECT ${list} FROM bulk_counters ORDER BY unit_id, sector_code, day
     ON CONFLICT (unit_id, sector_code, day) DO UPDATE SET
       ${COUNTER_COLUMNS.map((c) => `${c} = ii06a_counters.${c} + excluded.${c}`).join(',\n       ')}`,
  );
  await client.query('DROP TABLE bulk_counters');
}
