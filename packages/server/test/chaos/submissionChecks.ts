/**
 * What must hold in the database after dossiers were submitted to a server that was killed
 * with SIGKILL mid-write and started again: each submission stored at most once, nothing
 * half-written (a dossier without its log, audit entry, SMS or counter contribution, a code
 * sequence with a gap or running behind), the II.06a counters equal to a recount, and the
 * audit chain whole. Each check returns the problems it found, so one run names them all.
 */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { verifyCounters } from '../../src/modules/reports/recount.ts';
import { verifyAuditChain } from '../../src/modules/audit/service.ts';

export interface StoredSubmission {
  transactionId: string;
  code: string;
  applicantName: string;
}

/** The dossiers created by the given client transaction ids (through their `create` log entry). */
export async function storedSubmissions(db: Db, transactionIds: string[]): Promise<StoredSubmission[]> {
  const out: StoredSubmission[] = [];
  for (let i = 0; i < transactionIds.length; i += 500) {
    const rows = await db.kysely
      .selectFrom('dossier_actions as a')
      .innerJoin('dossiers as d', 'd.id', 'a.dossier_id')
      .select(['a.transaction_id', 'd.code', 'd.applicant_name'])
      .where('a.action', '=', 'create')
      .where('a.transaction_id', 'in', transactionIds.slice(i, i + 500))
      .execute();
    out.push(...rows.map((r) => ({ transactionId: r.transaction_id, code: r.code, applicantName: r.applicant_name })));
  }
  return out;
}

/** Rows of a query that must return none, as one problem line (or nothing). */
async function none(what: string, rows: Promise<Record<string, unknown>[]>): Promise<string[]> {
  const found = await rows;
  return found.length ? [`${what}: ${found.length}, e.g. ${JSON.stringify(found.slice(0, 3))}`] : [];
}

/** Invariants over every dossier in the database (the test's database holds only its own). */
export async function storeInvariants(db: Db): Promise<string[]> {
  const k = db.kysely;
  const q = <R>(query: { execute: () => Promise<R[]> }) => query.execute() as Promise<Record<string, unknown>[]>;
  const problems = [
    ...(await none('dossier codes used twice', q(k.selectFrom('dossiers').select('code').groupBy('code').having(sql`count(*)`, '>', 1)))),
    ...(await none('applicants stored more than once', q(k.selectFrom('dossiers').select('applicant_name').groupBy('applicant_name').having(sql`count(*)`, '>', 1)))),
    ...(await none('transaction ids used twice', q(k.selectFrom('dossier_actions').select('transaction_id').groupBy('transaction_id').having(sql`count(*)`, '>', 1)))),
    // Created and nothing else since: the log is exactly one `create` entry, seq 1.
    ...(await none(
      'dossiers whose log is not exactly one create entry',
      q(
        k
          .selectFrom('dossiers as d')
          .leftJoin('dossier_actions as a', 'a.dossier_id', 'd.id')
          .select(['d.code', sql<number>`count(a.id)`.as('entries'), sql<string>`string_agg(a.action || '#' || a.seq, ',')`.as('log')])
          .groupBy('d.code')
          .having((eb) => eb.or([eb(sql`count(a.id)`, '<>', 1), eb(sql`bool_and(a.action = 'create' AND a.seq = 1)`, '=', false)])),
      ),
    )),
    ...(await none('log entries without their dossier', q(k.selectFrom('dossier_actions as a').leftJoin('dossiers as d', 'd.id', 'a.dossier_id').select('a.id').where('d.id', 'is', null)))),
    ...(await none(
      'dossiers without exactly one dossier.create audit entry',
      q(
        k
          .selectFrom('dossiers as d')
          .leftJoin('audit_log as l', (j) => j.onRef('l.entity_id', '=', 'd.code').on('l.action', '=', 'dossier.create'))
          .select(['d.code', sql<number>`count(l.id)`.as('entries')])
          .groupBy('d.code')
          .having(sql`count(l.id)`, '<>', 1),
      ),
    )),
    ...(await none(
      'dossier.create audit entries without their dossier',
      q(k.selectFrom('audit_log as l').leftJoin('dossiers as d', 'd.code', 'l.entity_id').select(['l.id', 'l.entity_id']).where('l.action', '=', 'dossier.create').where('d.id', 'is', null)),
    )),
    // Received on creation with a phone: the "received" SMS is queued in the same transaction, once.
    ...(await none(
      'received dossiers with a phone without exactly one "received" SMS',
      q(
        k
          .selectFrom('dossiers as d')
          .leftJoin('notify_outbox as o', (j) => j.onRef('o.dossier_id', '=', 'd.id').on('o.purpose', '=', 'dossier_received'))
          .select(['d.code', sql<number>`count(o.id)`.as('messages')])
          .where('d.status', '=', 2)
          .where('d.applicant_phone_hash', 'is not', null)
          .groupBy('d.code')
          .having(sql`count(o.id)`, '<>', 1),
      ),
    )),
    ...(await none(
      '"received" SMS for dossiers that have no phone or are not received',
      q(
        k
          .selectFrom('notify_outbox as o')
          .innerJoin('dossiers as d', 'd.id', 'o.dossier_id')
          .select('d.code')
          .where('o.purpose', '=', 'dossier_received')
          .where((eb) => eb.or([eb('d.status', '<>', 2), eb('d.applicant_phone_hash', 'is', null)])),
      ),
    )),
    // From the portal: the draft marked sent, its papers moved onto the dossier and the "sent" SMS, all with it.
    ...(await none(
      "citizens' dossiers without exactly one sent draft of the same citizen",
      q(
        k
          .selectFrom('dossiers as d')
          .leftJoin('drafts as r', (j) => j.onRef('r.submitted_dossier_id', '=', 'd.id').onRef('r.citizen_id', '=', 'd.citizen_id'))
          .select(['d.code', sql<number>`count(r.id)`.as('drafts')])
          .where('d.citizen_id', 'is not', null)
          .groupBy('d.code')
          .having(sql`count(r.id)`, '<>', 1),
      ),
    )),
    ...(await none(
      "citizens' dossiers without exactly one \"sent\" SMS",
      q(
        k
          .selectFrom('dossiers as d')
          .leftJoin('notify_outbox as o', (j) => j.onRef('o.dossier_id', '=', 'd.id').on('o.purpose', '=', 'dossier_submitted'))
          .select(['d.code', sql<number>`count(o.id)`.as('messages')])
          .where('d.citizen_id', 'is not', null)
          .groupBy('d.code')
          .having(sql`count(o.id)`, '<>', 1),
      ),
    )),
    ...(await none(
      'papers of drafts not on the dossier the draft became (or on one while the draft is unsent)',
      q(
        k
          .selectFrom('documents as p')
          .innerJoin('drafts as r', 'r.id', 'p.draft_id')
          .select(['p.id', 'p.dossier_id', 'r.submitted_dossier_id'])
          .where(sql<boolean>`p.dossier_id IS DISTINCT FROM r.submitted_dossier_id`),
      ),
    )),
  ];
  problems.push(...(await codeSequenceProblems(db)));
  const counters = await verifyCounters(db);
  if (!counters.ok) problems.push(`II.06a counters differ from a recount:\n  ${counters.differences.slice(0, 20).join('\n  ')}`);
  const chain = await verifyAuditChain(db);
  if (chain.breaks.length) problems.push(`audit chain broken: ${JSON.stringify(chain.breaks.slice(0, 3))}`);
  if (chain.unsealed) problems.push(`${chain.unsealed} audit entries left unsealed after sealing`);
  return problems;
}

/**
 * Codes are `{agency}-{yyMMdd}-{NNNN}` from a row-locked counter per agency and day, bumped in
 * the creating transaction: the numbers used must be exactly 1..last_value, with no gap (a
 * counter that kept a rolled-back bump) and none past the counter (a counter that lost one).
 */
async function codeSequenceProblems(db: Db): Promise<string[]> {
  const codes = await db.kysely.selectFrom('dossiers').select('code').execute();
  const used = new Map<string, number[]>();
  for (const { code } of codes) {
    const m = /^(.+)-(\d{6})-(\d{4,})$/.exec(code);
    if (!m) return [`a dossier code not in the agency-yyMMdd-NNNN form: ${code}`];
    const key = `${m[1]}|${m[2]}`;
    used.set(key, [...(used.get(key) ?? []), Number(m[3])]);
  }
  const counters = await db.kysely.selectFrom('dossier_code_sequences').select(['agency_code', 'day', 'last_value']).execute();
  const last = new Map(counters.map((c) => [`${c.agency_code}|${c.day.slice(2).replaceAll('-', '')}`, c.last_value]));
  const problems: string[] = [];
  for (const key of new Set([...used.keys(), ...last.keys()])) {
    const numbers = used.get(key) ?? [];
    const top = last.get(key) ?? 0;
    const sorted = [...numbers].sort((a, b) => a - b);
    const expected = Array.from({ length: top }, (_, i) => i + 1);
    if (sorted.length !== top || sorted.some((n, i) => n !== expected[i]))
      problems.push(`codes of ${key}: ${sorted.length} used (max ${sorted[sorted.length - 1]}), counter at ${top}`);
  }
  return problems;
}
