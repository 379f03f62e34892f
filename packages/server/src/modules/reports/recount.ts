/**
 * The proof that the II.06a counters are right: fold every dossier's action log again with the
 * domain rules (foldActions), sum the contributions per (ancestor unit, sector and '*', day),
 * and compare with the ii06a_counters table. Tests run it after imports and random activity;
 * an operator can run it to check an installation. It reads the dossiers in pages, so it also
 * works on a million of them.
 */
import { COUNTER_FIELDS, contributionOf, foldActions, type Channel, type LoggedAction, type Status } from '@causo/domain';
import type { Db } from '../../db/database.ts';
import { ALL_SECTORS, COLUMN_OF } from './counters.ts';

/** `${unitId}|${sectorCode}|${day}` → every counter column (received_online, …, overdue_delta). */
export type CounterTable = Map<string, Record<string, number>>;

const COLUMNS = COUNTER_FIELDS.map((f) => COLUMN_OF[f]);
const PAGE = 20_000;

export const counterKey = (unitId: number, sectorCode: string, day: string) => `${unitId}|${sectorCode}|${day}`;

const zeroRow = (): Record<string, number> => Object.fromEntries(COLUMNS.map((c) => [c, 0]));
const isZero = (row: Record<string, number>) => COLUMNS.every((c) => (row[c] ?? 0) === 0);

/** The counters as the action logs say they must be. */
export async function recountCounters(db: Db): Promise<CounterTable> {
  const ancestors = new Map((await db.kysely.selectFrom('units').select(['id', 'ancestor_ids']).execute()).map((u) => [u.id, u.ancestor_ids]));
  const table: CounterTable = new Map();
  let afterId = 0;
  for (;;) {
    const dossiers = await db.kysely
      .selectFrom('dossiers')
      .select(['id', 'channel', 'sector_code', 'unit_id'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    const last = dossiers[dossiers.length - 1];
    if (!last) break;
    const logs = await actionLogs(db, afterId, last.id);
    for (const d of dossiers) {
      const deltas = contributionOf(foldActions(d.channel as Channel, logs.get(d.id) ?? []));
      for (const unitId of ancestors.get(d.unit_id) ?? [d.unit_id])
        for (const sector of [d.sector_code, ALL_SECTORS])
          for (const delta of deltas) {
            const key = counterKey(unitId, sector, delta.day);
            const row = table.get(key) ?? zeroRow();
            const column = COLUMN_OF[delta.field];
            row[column] = (row[column] ?? 0) + delta.delta;
            table.set(key, row);
          }
    }
    afterId = last.id;
  }
  return withoutZeroRows(table);
}

/** The logs of dossiers with ids in (afterId, lastId], each in order, as the fold needs them. */
async function actionLogs(db: Db, afterId: number, lastId: number): Promise<Map<number, LoggedAction[]>> {
  const actions = await db.kysely
    .selectFrom('dossier_actions')
    .select(['dossier_id', 'action', 'to_status', 'occurred_at', 'payload'])
    .where('dossier_id', '>', afterId)
    .where('dossier_id', '<=', lastId)
    .orderBy('dossier_id')
    .orderBy('seq')
    .execute();
  const logs = new Map<number, LoggedAction[]>();
  for (const a of actions) {
    const list = logs.get(a.dossier_id) ?? [];
    list.push(loggedAction(a.action, a.to_status as Status, a.occurred_at, a.payload as unknown as Record<string, unknown>));
    logs.set(a.dossier_id, list);
  }
  return logs;
}

/**
 * One stored action as the domain's LoggedAction: `dueAt` from the payload when the action set
 * one (absent means "unchanged", null means "none"); an `import` also carries the imported
 * dossier's own reception and end.
 */
function loggedAction(action: string, toStatus: Status, occurredAt: Date, payload: Record<string, unknown>): LoggedAction {
  const out: LoggedAction = { action, toStatus, occurredAt };
  if ('dueAt' in payload) out.dueAt = dateOrNull(payload.dueAt);
  if (action === 'import') {
    out.receivedAt = dateOrNull(payload.receivedAt);
    out.finishedAt = dateOrNull(payload.finishedAt);
  }
  return out;
}

const dateOrNull = (v: unknown): Date | null => (typeof v === 'string' && v !== '' ? new Date(v) : null);

/** The counters as stored, their shards added up, all-zero rows dropped (a dossier that moved on can leave one). */
export async function countersTable(db: Db): Promise<CounterTable> {
  const rows = await db.kysely.selectFrom('ii06a_counters').selectAll().execute();
  const table: CounterTable = new Map();
  for (const r of rows) {
    const values = r as unknown as Record<string, number | string>;
    const key = counterKey(r.unit_id, r.sector_code, r.day);
    const row = table.get(key) ?? zeroRow();
    for (const c of COLUMNS) row[c] = (row[c] ?? 0) + Number(values[c] ?? 0);
    table.set(key, row);
  }
  return withoutZeroRows(table);
}

function withoutZeroRows(t: CounterTable): CounterTable {
  return new Map([...t].filter(([, row]) => !isZero(row)));
}

/** Recount and compare; `differences` names each (unit|sector|day, column) that disagrees, at most 100. */
export async function verifyCounters(db: Db): Promise<{ ok: boolean; differences: string[] }> {
  const expected = await recountCounters(db);
  const actual = await countersTable(db);
  const differences: string[] = [];
  let count = 0;
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key) ?? zeroRow();
    const a = actual.get(key) ?? zeroRow();
    for (const c of COLUMNS)
      if ((e[c] ?? 0) !== (a[c] ?? 0)) {
        count++;
        if (differences.length < 100) differences.push(`${key} ${c}: recount ${e[c] ?? 0}, table ${a[c] ?? 0}`);
      }
  }
  if (count > differences.length) differences.push(`… ${count - differences.length} more`);
  return { ok: count === 0, differences };
}
