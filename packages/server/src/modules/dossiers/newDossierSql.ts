/**
 * The one statement that writes a new dossier (newDossierStatement in service.ts), as SQL text
 * made once. It is the busiest write: built with the query builder on every call it cost about
 * a tenth of the server's CPU under load (docs/operations.md, Load). The text never changes (the
 * counter rows come as arrays), so it is also prepared once per connection. Parameters are
 * numbered from the column lists below, so the text and the values cannot drift apart.
 *
 * What it does, in one round trip:
 *  - seq: takes the agency's next number for the day; with a catalog generation it first checks
 *    that procedures and units have not changed since (assert_catalog_generation, SQLSTATE CS001);
 *  - d: writes the dossier, its code built exactly as formatDossierCode does (four digits at least);
 *  - first_action, audited: its first log entry and the audit entry, both naming it;
 *  - texted: the receipt SMS, when there is one, its code put in place of CODE_MARK;
 *  - counted: the II.06a counters. PostgreSQL runs the sub-statements the main query does not
 *    read after it, so the shared counter rows are locked after the code's number, in the order
 *    counterRows gives, as every other writer of both does.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { COUNTER_COLUMNS, SHARD_SQL, type CounterRow } from '../reports/counters.ts';
import type { DossierRecord } from './queries.ts';
import { CODE_MARK, type ReceiptSms } from '../notify/dossierEvents.ts';

const DOSSIER_COLUMNS = [
  'province_code',
  'procedure_id',
  'sector_code',
  'unit_id',
  'channel',
  'status',
  'citizen_id',
  'applicant_name',
  'applicant_search',
  'applicant_sealed',
  'applicant_phone_hash',
  'applicant_id_hash',
  'form_data',
  'submitted_at',
  'received_at',
  'due_at',
  'phases',
  'sla_value',
  'sla_unit',
] as const;
const ACTION_COLUMNS = ['seq', 'action', 'from_status', 'to_status', 'actor_id', 'citizen_id', 'actor_role', 'occurred_at', 'received_at', 'transaction_id', 'payload'] as const;
const AUDIT_COLUMNS = ['actor_id', 'action', 'entity', 'detail', 'ip', 'user_agent'] as const;

type Value = string | number | boolean | Date | null;

export interface NewDossierValues {
  agencyCode: string;
  day: string;
  /** `{agency}-{yymmdd}-`: the number is added in SQL. */
  codePrefix: string;
  /** Checked before anything is written; null for no check. */
  catalogGeneration: number | null;
  dossier: Record<(typeof DOSSIER_COLUMNS)[number], Value>;
  action: Record<(typeof ACTION_COLUMNS)[number], Value>;
  audit: Record<(typeof AUDIT_COLUMNS)[number], Value>;
  counters: CounterRow[];
  sms: ReceiptSms | null;
}

let next = 0;
const param = (cast = ''): string => `$${++next}${cast}`;
const placeholders = (columns: readonly string[]): string => columns.map(() => param()).join(', ');

const TEXT = `WITH seq AS (
  INSERT INTO dossier_code_sequences (agency_code, day, last_value)
  VALUES (${param()}, ${param('::date')}, CASE WHEN $${next + 1}::bigint IS NULL THEN 1 ELSE assert_catalog_generation(${param('::bigint')}) END)
  ON CONFLICT (agency_code, day) DO UPDATE SET last_value = dossier_code_sequences.last_value + 1
  RETURNING last_value
), d AS (
  INSERT INTO dossiers (code, ${DOSSIER_COLUMNS.join(', ')})
  VALUES ((SELECT ${param('::text')} || lpad(seq.last_value::text, greatest(4, length(seq.last_value::text)), '0') FROM seq), ${placeholders(DOSSIER_COLUMNS)})
  RETURNING *
), first_action AS (
  INSERT INTO dossier_actions (dossier_id, ${ACTION_COLUMNS.join(', ')})
  VALUES ((SELECT id FROM d), ${placeholders(ACTION_COLUMNS)})
), audited AS (
  INSERT INTO audit_log (entity_id, ${AUDIT_COLUMNS.join(', ')})
  VALUES ((SELECT code FROM d), ${placeholders(AUDIT_COLUMNS)})
), texted AS (
  INSERT INTO notify_outbox (channel, recipient_sealed, recipient_hash, body, purpose, template, dossier_id, created_at, next_try_at)
  SELECT 'sms', ${param('::text')}, ${param('::text')}, replace(${param('::text')}, ${param('::text')}, d.code), ${param('::text')}, ${param('::text')}, d.id, ${param('::timestamptz')}, ${param('::timestamptz')}
    FROM d WHERE ${param('::boolean')}
), counted AS (
  INSERT INTO ii06a_counters (unit_id, sector_code, day, ${COUNTER_COLUMNS.join(', ')}, shard)
  SELECT c.*, ${SHARD_SQL}
    FROM unnest(${param('::int[]')}, ${param('::text[]')}, ${param('::date[]')}, ${COUNTER_COLUMNS.map(() => param('::int[]')).join(', ')}) AS c
  ON CONFLICT (unit_id, sector_code, day, shard) DO UPDATE SET ${COUNTER_COLUMNS.map((c) => `${c} = ii06a_counters.${c} + excluded.${c}`).join(', ')}
)
SELECT * FROM d`;
const PARAMETERS = next;

function parametersOf(v: NewDossierValues): unknown[] {
  const out: unknown[] = [v.agencyCode, v.day, v.catalogGeneration, v.codePrefix];
  for (const c of DOSSIER_COLUMNS) out.push(v.dossier[c]);
  for (const c of ACTION_COLUMNS) out.push(v.action[c]);
  for (const c of AUDIT_COLUMNS) out.push(v.audit[c]);
  const t = v.sms;
  out.push(t?.recipientSealed ?? null, t?.recipientHash ?? null, t?.body ?? null, CODE_MARK, t?.purpose ?? null, t?.template ?? null, t?.at ?? null, t?.at ?? null, t !== null);
  out.push(
    v.counters.map((r) => r.unit_id),
    v.counters.map((r) => r.sector_code),
    v.counters.map((r) => r.day),
  );
  for (const c of COUNTER_COLUMNS) out.push(v.counters.map((r) => r.amounts[c] ?? 0));
  if (out.length !== PARAMETERS) throw new Error(`new dossier statement: ${out.length} values for ${PARAMETERS} parameters`);
  return out;
}

/** Runs the statement on `db` (a transaction or the pool) and returns the dossier's row. */
export async function runNewDossierStatement(db: Kysely<DB>, v: NewDossierValues): Promise<DossierRecord> {
  const r = await db.executeQuery<DossierRecord>(CompiledQuery.raw(TEXT, parametersOf(v)));
  const row = r.rows[0];
  if (!row) throw new Error('the new dossier statement returned no row');
  return row;
}
