/**
 * The proof that the II.06a counters are right: fold every dossier's action log again with the
 * domain rules, sum the contributions per (ancestor unit, sector and '*', day), and compare
 * with the ii06a_counters table. Used by tests after imports and random activity, and by
 * operators who want to check an installation.
 */
import { COUNTER_FIELDS, contributionOf, foldActions, type Channel, type LoggedAction, type Status } from '@causo/domain';
import type { Db } from '../../db/database.ts';
import { ALL_SECTORS, COLUMN_OF } from './counters.ts';

export type CounterTable = Map<string, Record<string, number>>;

const dateOrNull = (v: unknown): Date | null => (typeof v === 'string' && v ? new Date(v) : null);

export async function recountCounters(db: Db): Promise<CounterTable> {
  const dossiers = await db.kysely
    .selectFrom('dossiers as d')
    .innerJoin('units as u', 'u.id', 'd.unit_id')
    .select(['d.id', 'd.channel', 'd.sector_code', 'u.ancestor_ids'])
    .execute();
  const actions = await db.kysely
    .selectFrom('dossier_actions')
    .select(['dossier_id', 'action', 'to_status', 'occurred_at', 'payload'])
    .orderBy('dossier_id')
    .orderBy('seq')
    .execute();
  const logs = new Map<number, LoggedAction[]>();
  for (const a of actions) {
    const p = a.payload as unknown as Record<string, unknown>;
    const entry: LoggedAction = { action: a.action, toStatus: a.to_status as Status, occurredAt: a.occurred_at, dueAt: dateOrNull(p.dueAt) };
    if (a.action === 'import') {
      entry.receivedAt = dateOrNull(p.receivedAt);
      entry.finishedAt = dateOrNull(p.finishedAt);
    }
    const list = logs.get(a.dossier_id) ?? [];
    list.push(entry);
    logs.set(a.dossier_id, list);
  }
  const table: CounterTable = new Map();
  for (const d of dossiers) {
    const deltas = contributionOf(foldActions(d.channel as Channel, logs.get(d.id) ?? []));
    for (const unit of d.ancestor_ids)
      for (const sector of [d.sector_code, ALL_SECTORS])
        for (const delta of deltas) {
          const key = `${unit}|${sector}|${delta.day}`;
          const row = table.get(key) ?? {};
          const col = COLUMN_OF[delta.field];
          row[col] = (row[col] ?? 0) + delta.delta;
          table.set(key, row);
        }
  }
  return dropZeros(table);
}

export async function countersTable(db: Db): Promise<CounterTable> {
  const rows = await db.kysely.selectFrom('ii06a_counters').selectAll().execute();
  const table: CounterTable = new Map();
  for (const r of rows) {
    const values: Record<string, number> = {};
    for (const f of COUNTER_FIELDS) values[COLUMN_OF[f]] = Number(r[COLUMN_OF[f] as keyof typeof r]);
    table.set(`${r.unit_id}|${r.sector_code}|${r.day}`, values);
  }
  return dropZeros(table);
}

function dropZeros(t: CounterTable): CounterTable {
  const out: CounterTable = new Map();
  for (const [k, v] of t) {
    const kept = Object.fromEntries(Object.entries(v).filter(([, n]) => n !== 0));
    if (Object.keys(kept).length) out.set(k, kept);
  }
  return out;
}

export async function verifyCounters(db: Db): Promise<{ ok: boolean; differences: string[] }> {
  const [expected, actual] = await Promise.all([recountCounters(db), countersTable(db)]);
  const differences: string[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key) ?? {};
    const a = actual.get(key) ?? {};
    for (const col of new Set([...Object.keys(e), ...Object.keys(a)]))
      if ((e[col] ?? 0) !== (a[col] ?? 0)) differences.push(`${key} ${col}: recount ${e[col] ?? 0}, table ${a[col] ?? 0}`);
  }
  return { ok: differences.length === 0, differences: differences.slice(0, 50) };
}
