/**
 * Biểu II.06a arithmetic. A report for the period [from 00:00, to+1 00:00) local time is read
 * from per-day counters, never from a scan of dossiers: each dossier contributes a few signed
 * deltas on calendar days (its "contribution"), and the columns are sums of those deltas over
 * a window of days or over all days before a boundary.
 *
 * - `open` is +1 on the day of reception and −1 on the day the dossier ended, so the sum over
 *   days before a boundary is the number of dossiers open at that boundary (carried over at the
 *   start, in progress at the end).
 * - `overdue` is +1 on the day a running (not paused) dossier passed its due instant and −1 on
 *   the day that stopped being true (it ended, it was paused for a supplement, its due moved).
 *   A boundary T counts a dossier as overdue when the overdue stretch started before T and had
 *   not ended before T, which is exactly "open at T, not paused at T, dueAt < T".
 *
 * When a dossier changes, the server subtracts its old contribution and adds the new one in the
 * same transaction; a recount from the action log must always give the same counters.
 */
import type { Channel } from './status.ts';
import { addDays, localDateOf, type LocalDate } from './localTime.ts';

export const COUNTER_FIELDS = [
  'receivedOnline',
  'receivedDirect',
  'open',
  'resolvedBefore',
  'resolvedOn',
  'resolvedLate',
  'withdrawn',
  'overdue',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];

export interface CounterDelta {
  day: LocalDate;
  field: CounterField;
  delta: number;
}

/** A stretch of a received dossier's life with one due instant, running or paused. */
export interface Phase {
  from: Date;
  paused: boolean;
  dueAt: Date | null;
}

/** What the report needs to know about one dossier. */
export interface DossierTimeline {
  channel: Channel;
  /** null when the dossier was never received (status 1 or 3). */
  receivedAt: Date | null;
  /** Ordered by `from`; the first starts at `receivedAt`. */
  phases: Phase[];
  finishedAt: Date | null;
  endKind: 'resolved' | 'withdrawn' | null;
}

/** How a resolved dossier compares with its deadline, by local calendar date. */
export function timeliness(finishedAt: Date, dueAt: Date | null): 'before' | 'on' | 'late' {
  if (!dueAt) return 'on';
  const f = localDateOf(finishedAt);
  const d = localDateOf(dueAt);
  return f < d ? 'before' : f === d ? 'on' : 'late';
}

export function contributionOf(t: DossierTimeline): CounterDelta[] {
  if (!t.receivedAt) return [];
  const out: CounterDelta[] = [];
  const add = (at: Date, field: CounterField, delta: number) =>
    out.push({ day: localDateOf(at), field, delta });

  add(t.receivedAt, t.channel === 2 ? 'receivedOnline' : 'receivedDirect', 1);
  add(t.receivedAt, 'open', 1);

  if (t.finishedAt) {
    add(t.finishedAt, 'open', -1);
    if (t.endKind === 'withdrawn') add(t.finishedAt, 'withdrawn', 1);
    else {
      const last = t.phases[t.phases.length - 1];
      const kind = timeliness(t.finishedAt, last?.dueAt ?? null);
      add(t.finishedAt, kind === 'before' ? 'resolvedBefore' : kind === 'on' ? 'resolvedOn' : 'resolvedLate', 1);
    }
  }

  t.phases.forEach((phase, i) => {
    if (phase.paused || !phase.dueAt) return;
    const end = t.phases[i + 1]?.from ?? t.finishedAt;
    const start = phase.dueAt > phase.from ? phase.dueAt : phase.from;
    if (end && end <= start) return;
    add(start, 'overdue', 1);
    if (end) add(end, 'overdue', -1);
  });
  return compact(out);
}

/** Merge deltas on the same day and field; drop zeros. */
export function compact(deltas: CounterDelta[]): CounterDelta[] {
  const m = new Map<string, CounterDelta>();
  for (const d of deltas) {
    const k = `${d.day}|${d.field}`;
    const cur = m.get(k);
    if (cur) cur.delta += d.delta;
    else m.set(k, { ...d });
  }
  return [...m.values()].filter((d) => d.delta !== 0).sort((a, b) => (a.day + a.field < b.day + b.field ? -1 : 1));
}

/** new contribution − old contribution. */
export function contributionDiff(before: DossierTimeline | null, after: DossierTimeline): CounterDelta[] {
  const neg = (before ? contributionOf(before) : []).map((d) => ({ ...d, delta: -d.delta }));
  return compact([...neg, ...contributionOf(after)]);
}

/** One row of the report. receivedTotal = carriedOver + receivedOnline + receivedDirect. */
export interface Ii06aRow {
  code: string;
  name: string;
  receivedTotal: number;
  receivedOnline: number;
  receivedDirect: number;
  carriedOver: number;
  resolvedTotal: number;
  resolvedBefore: number;
  resolvedOn: number;
  resolvedLate: number;
  withdrawn: number;
  inProgressTotal: number;
  inProgressWithin: number;
  inProgressOverdue: number;
}
export type Ii06aNumbers = Omit<Ii06aRow, 'code' | 'name'>;

export interface Ii06aCheck {
  rule: string;
  row: string;
  ok: boolean;
  detail: string;
}

export interface Ii06aReport {
  period: { from: LocalDate; to: LocalDate };
  unit: { code: string; name: string } | null;
  by: 'unit' | 'sector';
  rows: Ii06aRow[];
  total: Ii06aRow;
  checks: Ii06aCheck[];
  generatedAt: string;
}

/**
 * Sums read from the counters for one row:
 * - `*Before` fields are sums over days strictly before `from`;
 * - `*Through` fields are sums over days up to and including `to`;
 * - the rest are sums over the days of the period.
 */
export interface CounterSums {
  openBefore: number;
  openThrough: number;
  overdueThrough: number;
  receivedOnline: number;
  receivedDirect: number;
  resolvedBefore: number;
  resolvedOn: number;
  resolvedLate: number;
  withdrawn: number;
}

export const ZERO_SUMS: CounterSums = {
  openBefore: 0,
  openThrough: 0,
  overdueThrough: 0,
  receivedOnline: 0,
  receivedDirect: 0,
  resolvedBefore: 0,
  resolvedOn: 0,
  resolvedLate: 0,
  withdrawn: 0,
};

export function rowFromSums(code: string, name: string, s: CounterSums): Ii06aRow {
  const resolvedTotal = s.resolvedBefore + s.resolvedOn + s.resolvedLate;
  return {
    code,
    name,
    receivedTotal: s.openBefore + s.receivedOnline + s.receivedDirect,
    receivedOnline: s.receivedOnline,
    receivedDirect: s.receivedDirect,
    carriedOver: s.openBefore,
    resolvedTotal,
    resolvedBefore: s.resolvedBefore,
    resolvedOn: s.resolvedOn,
    resolvedLate: s.resolvedLate,
    withdrawn: s.withdrawn,
    inProgressTotal: s.openThrough,
    inProgressWithin: s.openThrough - s.overdueThrough,
    inProgressOverdue: s.overdueThrough,
  };
}

export function addSums(a: CounterSums, b: CounterSums, sign = 1): CounterSums {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof CounterSums)[]) out[k] = a[k] + sign * b[k];
  return out;
}

function isZeroRow(r: Ii06aRow): boolean {
  return NUMBER_FIELDS.every((k) => r[k] === 0);
}

export const NUMBER_FIELDS: readonly (keyof Ii06aNumbers)[] = [
  'receivedTotal',
  'receivedOnline',
  'receivedDirect',
  'carriedOver',
  'resolvedTotal',
  'resolvedBefore',
  'resolvedOn',
  'resolvedLate',
  'withdrawn',
  'inProgressTotal',
  'inProgressWithin',
  'inProgressOverdue',
];

/** The invariants of the form, for every row and the total, plus rows adding up to the total. */
export function checkReport(rows: Ii06aRow[], total: Ii06aRow): Ii06aCheck[] {
  const checks: Ii06aCheck[] = [];
  const rule = (name: string, row: Ii06aRow, left: number, right: number, text: string) => {
    if (left !== right || row === total)
      checks.push({ rule: name, row: row.code, ok: left === right, detail: `${text}: ${left} = ${right}` });
  };
  for (const r of [...rows, total]) {
    rule('received', r, r.receivedTotal, r.carriedOver + r.receivedOnline + r.receivedDirect, 'receivedTotal = carriedOver + online + direct');
    rule('resolved', r, r.resolvedTotal, r.resolvedBefore + r.resolvedOn + r.resolvedLate, 'resolvedTotal = before + on + late');
    rule('inProgress', r, r.inProgressTotal, r.inProgressWithin + r.inProgressOverdue, 'inProgressTotal = within + overdue');
    rule('balance', r, r.receivedTotal, r.resolvedTotal + r.withdrawn + r.inProgressTotal, 'receivedTotal = resolved + withdrawn + inProgress');
    if (r.inProgressOverdue < 0 || r.inProgressWithin < 0 || r.carriedOver < 0)
      checks.push({ rule: 'nonNegative', row: r.code, ok: false, detail: 'a column is negative' });
  }
  for (const k of NUMBER_FIELDS) {
    const sum = rows.reduce((acc, r) => acc + r[k], 0);
    if (sum !== total[k]) checks.push({ rule: 'rowsAddUp', row: total.code, ok: false, detail: `${k}: rows ${sum} ≠ total ${total[k]}` });
  }
  if (!checks.some((c) => c.rule === 'rowsAddUp'))
    checks.push({ rule: 'rowsAddUp', row: total.code, ok: true, detail: 'every column of the rows adds up to the total' });
  return checks;
}

/** Keep rows with any figure, and the ones the caller insists on. */
export function dropEmptyRows(rows: Ii06aRow[], keep: (r: Ii06aRow) => boolean = () => false): Ii06aRow[] {
  return rows.filter((r) => keep(r) || !isZeroRow(r));
}

/** The next period's first day, for chaining periods. */
export function dayAfter(to: LocalDate): LocalDate {
  return addDays(to, 1);
}
