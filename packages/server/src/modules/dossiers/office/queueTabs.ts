/**
 * What the work-queue tabs are: each a set of statuses read in one order (with, for some, a
 * condition on the deadline or the assignee), the filters and the search box, and the moment
 * the tabs are measured against. Counting is in queueCounts.ts, paging in queueList.ts.
 */
import { STATUSES, addDays, localDateOf, localMidnight, searchTokens, type Status } from '@causo/domain';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { AppContext } from '../../../context.ts';
import type { DB } from '../../../db/schema.ts';
import { rootsFor, type Officer } from '../../auth/service.ts';

export const QUEUE_TABS = ['new', 'processing', 'supplement', 'fees', 'due_soon', 'overdue', 'to_return', 'finished_today', 'mine', 'all'] as const;
export type QueueTab = (typeof QUEUE_TABS)[number];

/** Statuses whose deadline clock is running (a supplement request pauses it). */
const RUNNING: Status[] = [2, 4, 6];
const ASSIGNABLE: Status[] = [2, 4, 5, 6];
const FINISHED: Status[] = [7, 8, 9, 10];
export const DUE_SOON_WORKING_DAYS = 2;
export const PAGE_SIZE = 25;

export interface QueueFilter {
  procedureId?: number | undefined;
  channel?: number | undefined;
  /** Submitted on or after / on or before these local dates. */
  from?: string | undefined;
  to?: string | undefined;
  status?: number | undefined;
  /** A dossier code, a phone number or words of the applicant's name. */
  q?: string | undefined;
}

/** The instants the tabs are measured against, from the injected clock and the working calendar. */
export interface QueueMoment {
  now: Date;
  soonUntil: Date;
  todayStart: Date;
  tomorrowStart: Date;
  userId: number;
}

export async function queueMoment(ctx: AppContext, userId: number): Promise<QueueMoment> {
  const now = ctx.now();
  const calendar = await ctx.calendar.calendar();
  const today = localDateOf(now);
  return {
    now,
    soonUntil: calendar.addWorkingMinutes(now, DUE_SOON_WORKING_DAYS * calendar.minutesPerDay),
    todayStart: localMidnight(today),
    tomorrowStart: localMidnight(addDays(today, 1)),
    userId,
  };
}

/** Ids of every unit under the officer's roles (a commune and its villages, all versions). */
export async function unitsUnder(ctx: AppContext, officer: Officer): Promise<number[]> {
  const roots = rootsFor(officer);
  if (roots.length === 0) return [];
  const rows = await ctx.db.kysely
    .selectFrom('units')
    .select('id')
    .where(sql<boolean>`ancestor_ids && ${sql.val(roots)}::int[]`)
    .execute();
  return rows.map((r) => r.id);
}

export type Eb = ExpressionBuilder<DB, 'dossiers'>;
export type OrderColumn = 'submitted_at' | 'due_at' | 'finished_at';

export interface TabSpec {
  statuses: readonly Status[];
  column: OrderColumn;
  direction: 'asc' | 'desc';
  /** What the tab asks beyond the statuses. */
  extra?: (eb: Eb, m: QueueMoment) => Expression<SqlBool>;
}

const assignedTo = (eb: Eb, userId: number): Expression<SqlBool> =>
  eb('dossiers.id', 'in', eb.selectFrom('dossier_assignments').select('dossier_id').where('assignee_id', '=', userId).where('ended_at', 'is', null));

/** Each tab: its statuses and the order it is worked in (oldest first at the desk, nearest deadline first in processing). */
export const TABS: Record<QueueTab, TabSpec> = {
  new: { statuses: [1], column: 'submitted_at', direction: 'asc' },
  processing: { statuses: [2, 4], column: 'due_at', direction: 'asc' },
  supplement: { statuses: [5], column: 'due_at', direction: 'asc' },
  fees: { statuses: [6], column: 'due_at', direction: 'asc' },
  due_soon: { statuses: RUNNING, column: 'due_at', direction: 'asc', extra: (eb, m) => eb.and([eb('dossiers.due_at', '>=', m.now), eb('dossiers.due_at', '<=', m.soonUntil)]) },
  overdue: { statuses: RUNNING, column: 'due_at', direction: 'asc', extra: (eb, m) => eb('dossiers.due_at', '<', m.now) },
  to_return: { statuses: [9], column: 'finished_at', direction: 'asc' },
  finished_today: {
    statuses: FINISHED,
    column: 'finished_at',
    direction: 'desc',
    extra: (eb, m) => eb.and([eb('dossiers.finished_at', '>=', m.todayStart), eb('dossiers.finished_at', '<', m.tomorrowStart)]),
  },
  mine: { statuses: ASSIGNABLE, column: 'due_at', direction: 'asc', extra: (eb, m) => assignedTo(eb, m.userId) },
  all: { statuses: STATUSES, column: 'submitted_at', direction: 'desc' },
};

const CODE_PATTERN = /^[A-Z0-9.]+-\d{6}-[A-Z0-9]+$/i;
const PHONE_PATTERN = /^\+?[\d .-]{9,15}$/;

export type SearchKind = { kind: 'code'; code: string } | { kind: 'phone'; hash: string } | { kind: 'name'; tokens: string[] } | null;

/** What the search box holds: a dossier code, a phone number (found by keyed hash) or name words. */
export function interpretSearch(ctx: AppContext, q: string | undefined): SearchKind {
  const text = q?.trim() ?? '';
  if (!text) return null;
  if (CODE_PATTERN.test(text)) return { kind: 'code', code: text.toUpperCase() };
  const digits = text.replace(/\D/g, '');
  if (PHONE_PATTERN.test(text) && digits.length >= 9 && digits.length <= 12) return { kind: 'phone', hash: ctx.vault.lookupHash('phone', text) };
  const tokens = searchTokens(text);
  return tokens.length ? { kind: 'name', tokens } : null;
}

/** Filters common to every tab (the status filter narrows the tab's statuses instead). */
export function filterConditions(eb: Eb, f: QueueFilter, search: SearchKind): Expression<SqlBool>[] {
  const c: Expression<SqlBool>[] = [];
  if (f.procedureId !== undefined) c.push(eb('dossiers.procedure_id', '=', f.procedureId));
  if (f.channel !== undefined) c.push(eb('dossiers.channel', '=', f.channel));
  if (f.from) c.push(eb('dossiers.submitted_at', '>=', localMidnight(f.from)));
  if (f.to) c.push(eb('dossiers.submitted_at', '<', localMidnight(addDays(f.to, 1))));
  if (search?.kind === 'code') c.push(eb('dossiers.code', '=', search.code));
  if (search?.kind === 'phone') c.push(eb('dossiers.applicant_phone_hash', '=', search.hash));
  if (search?.kind === 'name') for (const t of search.tokens) c.push(eb('dossiers.applicant_search', 'like', `%${t.replace(/[\\%_]/g, '\\$&')}%`));
  return c;
}

/**
 * The predicate of the partial index that keeps a tab's order, said again in constants: the
 * status of each (unit, status) pair is a parameter, from which the planner cannot prove that
 * the partial index applies.
 */
export function indexPredicate(eb: Eb, column: OrderColumn): Expression<SqlBool> {
  if (column === 'due_at') return eb('dossiers.status', 'in', ASSIGNABLE);
  if (column === 'finished_at') return eb('dossiers.finished_at', 'is not', null);
  return eb.lit(true);
}

export const statusesOf = (tab: QueueTab, f: QueueFilter): Status[] => TABS[tab].statuses.filter((s) => f.status === undefined || s === f.status);

export const inUnits = (units: number[]) => sql<number>`ANY(${sql.val(units)}::int[])`;

