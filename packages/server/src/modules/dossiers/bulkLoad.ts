/**
 * Bulk loading of dossiers that come from outside the platform's own actions: the CSV import
 * from another one-stop system, the full demo seed and the benchmarks. One transaction; rows go
 * in with COPY; each dossier gets one `import` entry in its action log; the II.06a counters are
 * computed with the same domain function (contributionOf) the live path uses.
 *
 * Nothing here runs SQL per row: a million dossiers are a few dozen COPY statements, one
 * INSERT … SELECT for the action log and one merge for the counters.
 */
import { applyToTimeline, contributionOf, emptyTimeline, foldDiacritics, COUNTER_FIELDS, type Status, type Channel, type TimelineState } from '@causo/domain';
import type { Db, RawClient } from '../../db/database.ts';
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
const COPY_CHUNK_ROWS = 50_000;

/**
 * Bulk loads take turns: the action log is filled from "import rows with an id above the
 * highest one before the load", which is only exact when no other load commits meanwhile.
 * Live dossiers are not affected (they are `source = 'platform'`).
 */
const BULK_LOAD_LOCK = 7_046_302;

const DOSSIER_COLUMNS = [
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

export async function bulkLoadDossiers(db: Db, batches: AsyncIterable<BulkDossier[]> | Iterable<BulkDossier[]>, opts: BulkLoadOptions): Promise<{ inserted: number }> {
  return db.raw((client) => bulkLoadInTransaction(client, batches, opts), { transaction: true });
}

/**
 * The load itself, for a caller that already holds a transaction on `client` and has more to
 * write in it (the CSV import adds its audit entry, so both commit or neither does).
 */
export async function bulkLoadInTransaction(
  client: RawClient,
  batches: AsyncIterable<BulkDossier[]> | Iterable<BulkDossier[]>,
  opts: BulkLoadOptions,
): Promise<{ inserted: number }> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [BULK_LOAD_LOCK]);
  const T0 = Date.now(); const lap = (s: string) => process.env.BULK_TIMING && console.log(s, Date.now() - T0);
  await client.query('SET LOCAL session_replication_role = replica');
  const idsBefore = await highestDossierId(client);
  const counters = new CounterAccumulator();
  let pending: string[] = [];
  let inserted = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const tc = Date.now();
    await client.copyCsv('dossiers', DOSSIER_COLUMNS, pending.join('\n'));
    lap('copy took ' + (Date.now() - tc));
    inserted += pending.length;
    pending = [];
    opts.onProgress?.(inserted);
  };

  for await (const batch of batches) {
    for (const d of batch) {
      const timeline = importedTimeline(d);
      pending.push(dossierCsvLine(d, timeline));
      counters.add(d, timeline);
      if (pending.length >= COPY_CHUNK_ROWS) await flush();
    }
  }
  await flush();
  if (inserted === 0) return { inserted };

  lap('copied');
  await insertImportActions(client, idsBefore, opts);
  lap('actions');
  const rows = counters.rows();
  lap('counter rows ' + rows.length);
  await mergeCounters(client, rows);
  lap('merged');
  return { inserted };
}

async function highestDossierId(client: RawClient): Promise<number> {
  const rows = await client.query<{ max_id: number | string }>('SELECT coalesce(max(id), 0) AS max_id FROM dossiers');
  return Number(rows[0]?.max_id ?? 0);
}

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

// ---------------------------------------------------------------------------------------------
// Dossier rows as CSV for COPY

/** Quoted always: an unquoted empty field is NULL to COPY, and names may hold commas or quotes. */
const csvText = (s: string): string => `"${s.includes('"') ? s.replaceAll('"', '""') : s}"`;
/** Empty (unquoted) is NULL. */
const csvTime = (d: Date | null): string => (d ? d.toISOString() : '');

/** Exactly what the live path stores in `dossiers.phases`. */
function phasesJson(t: TimelineState): string {
  return JSON.stringify(t.phases.map((p) => ({ from: p.from.toISOString(), paused: p.paused, dueAt: p.dueAt?.toISOString() ?? null })));
}

function dossierCsvLine(d: BulkDossier, t: TimelineState): string {
  const name = d.applicantName.normalize('NFC');
  // The table requires paused_at exactly for status 5; the other system's pause moment is not
  // known, so an imported dossier waiting for a supplement counts as paused since reception.
  const pausedAt = d.status === 5 ? (d.receivedAt ?? d.submittedAt) : null;
  return [
    csvText(d.code),
    csvText(d.provinceCode),
    d.procedureId,
    csvText(d.sectorCode),
    d.unitId,
    d.channel,
    d.status,
    csvText(name),
    csvText(foldDiacritics(name)),
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

// ---------------------------------------------------------------------------------------------
// The action log: one `import` entry per loaded dossier, written by the database itself

/** `Date.prototype.toISOString()` in SQL, so payload dates look the same as the live path's. */
const isoOf = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

async function insertImportActions(client: RawClient, idsBefore: number, opts: BulkLoadOptions): Promise<void> {
  await client.query(
    `INSERT INTO dossier_actions (dossier_id, seq, action, from_status, to_status, actor_id, actor_role, occurred_at, transaction_id, payload)
     SELECT id, 1, 'import', NULL, status, $2::int, $3, coalesce(received_at, submitted_at), $4 || ':' || code,
            jsonb_build_object('receivedAt', ${isoOf('received_at')}, 'dueAt', ${isoOf('due_at')},
                               'finishedAt', ${isoOf('finished_at')}, 'source', 'import')
       FROM dossiers
      WHERE id > $1 AND source = 'import'
      ORDER BY id`,
    [idsBefore, opts.actorId, opts.actorId === null ? 'system' : 'admin', opts.transactionPrefix],
  );
}

// ---------------------------------------------------------------------------------------------
// II.06a counters

/**
 * Sums contributions first per (the dossier's own unit, sector, day), and only at the end
 * spreads each sum over the unit's ancestors × {sector, '*'}: six times fewer map updates than
 * spreading every dossier.
 */
class CounterAccumulator {
  private readonly byUnit = new Map<string, { unitId: number; sector: string; day: string; values: number[] }>();
  private readonly ancestorsOf = new Map<number, number[]>();

  add(d: BulkDossier, t: TimelineState): void {
    const deltas = contributionOf(t);
    if (deltas.length === 0) return;
    if (!this.ancestorsOf.has(d.unitId)) this.ancestorsOf.set(d.unitId, d.unitAncestorIds);
    for (const delta of deltas) {
      const key = `${d.unitId}|${d.sectorCode}|${delta.day}`;
      let entry = this.byUnit.get(key);
      if (!entry) {
        entry = { unitId: d.unitId, sector: d.sectorCode, day: delta.day, values: COUNTER_FIELDS.map(() => 0) };
        this.byUnit.set(key, entry);
      }
      const i = FIELD_INDEX[delta.field];
      entry.values[i] = (entry.values[i] ?? 0) + delta.delta;
    }
  }

  /** Rows for ii06a_counters with every column, all-zero rows dropped. */
  rows(): { unitId: number; sector: string; day: string; values: number[] }[] {
    const spread = new Map<string, { unitId: number; sector: string; day: string; values: number[] }>();
    for (const e of this.byUnit.values()) {
      for (const unitId of this.ancestorsOf.get(e.unitId) ?? [e.unitId])
        for (const sector of [e.sector, ALL_SECTORS]) {
          const key = `${unitId}|${sector}|${e.day}`;
          const row = spread.get(key);
          if (row) e.values.forEach((v, i) => (row.values[i] = (row.values[i] ?? 0) + v));
          else spread.set(key, { unitId, sector, day: e.day, values: [...e.values] });
        }
    }
    return [...spread.values()].filter((r) => r.values.some((v) => v !== 0));
  }
}

const FIELD_INDEX = Object.fromEntries(COUNTER_FIELDS.map((f, i) => [f, i])) as Record<(typeof COUNTER_FIELDS)[number], number>;

/**
 * COPY the sums into a temporary table, then add them to the counters in one statement, in
 * key order (the order the live path locks rows in, so the two cannot deadlock).
 */
async function mergeCounters(client: RawClient, rows: { unitId: number; sector: string; day: string; values: number[] }[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = ['unit_id', 'sector_code', 'day', ...COUNTER_COLUMNS];
  await client.query('CREATE TEMP TABLE bulk_counters (LIKE ii06a_counters) ON COMMIT DROP');
  for (let i = 0; i < rows.length; i += COPY_CHUNK_ROWS) {
    const csv = rows
      .slice(i, i + COPY_CHUNK_ROWS)
      .map((r) => [r.unitId, csvText(r.sector), r.day, ...r.values].join(','))
      .join('\n');
    await client.copyCsv('bulk_counters', columns, csv);
  }
  const list = columns.join(', ');
  await client.query(
    `INSERT INTO ii06a_counters (${list})
     SELECT ${list} FROM bulk_counters ORDER BY unit_id, sector_code, day
     ON CONFLICT (unit_id, sector_code, day) DO UPDATE SET
       ${COUNTER_COLUMNS.map((c) => `${c} = ii06a_counters.${c} + excluded.${c}`).join(',\n       ')}`,
  );
  await client.query('DROP TABLE bulk_counters');
}
