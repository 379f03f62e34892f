/**
 * The team activity view of a unit (`/office/activity`): who visited how often, week by week;
 * which villages with a team nobody has visited lately; which follow-ups are past their day.
 * Who sees it: as for dashboards, an administrator, leader or one-stop officer whose role
 * covers the unit (DASHBOARD_ROLES); without ?unit, the officer's widest unit.
 *
 * The address carries the unit, the period (from/to; by default the last 8 weeks up to today,
 * one column per week) and the number of days without a visit that makes a village idle.
 */
import { z } from 'zod';
import { addDays, daysBetween, isLocalDate, localDateOf, localMidnight, type Period } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import { requireRoleOnUnit, type Officer } from '../auth/service.ts';
import { idleVillages, overdueFollowUps, visitsByMemberWeek, type IdleVillage, type MemberWeekRow, type OverdueFollowUp } from './activityQueries.ts';
import type { DashboardUnit } from './dashboard.ts';
import { weeksOf, type Week } from './inputs.ts';
import { childrenOf, DASHBOARD_ROLES, resolveDashboardUnit, trailOf } from './service.ts';

export const ACTIVITY_PATH = '/office/activity';
export const DEFAULT_WEEKS = 8;
export const MAX_WEEKS = 26;
export const DEFAULT_IDLE_DAYS = 14;
export const MAX_IDLE_DAYS = 365;
export const OVERDUE_LIMIT = 200;
/** The download lists more overdue follow-ups than the page (still bounded). */
export const OVERDUE_EXPORT_LIMIT = 20_000;
export const IDLE_LIMIT = 1000;
/** Rows of the members table on the page; the download has them all. */
export const MEMBER_ROWS_ON_PAGE = 300;

const blank = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v);

/** The raw address: lenient, so the form can say what is wrong; the unit code is checked strictly. */
export const ActivityQuery = z.object({
  unit: z.preprocess(blank, z.string().regex(/^[0-9A-Za-z-]{1,20}$/).optional()).catch(undefined),
  from: z.preprocess(blank, z.string().max(32).optional()).catch(undefined),
  to: z.preprocess(blank, z.string().max(32).optional()).catch(undefined),
  idle: z.preprocess(blank, z.string().max(12).optional()).catch(undefined),
});
export type ActivityQueryT = z.infer<typeof ActivityQuery>;

export const ACTIVITY_TABLES = ['members', 'idle', 'overdue'] as const;
export type ActivityTableName = (typeof ACTIVITY_TABLES)[number];
export const ACTIVITY_FORMATS = ['csv', 'xlsx'] as const;
export const ActivityExportQuery = ActivityQuery.extend({ table: z.enum(ACTIVITY_TABLES), format: z.enum(ACTIVITY_FORMATS) });

export interface ActivityChoice {
  unit: string | undefined;
  period: Period;
  idleDays: number;
  /** Field → catalogue key of what is wrong with it. */
  errors: Record<string, string>;
}

/** Monday of the week of `day`. */
export function mondayOf(day: string): string {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, dow === 0 ? -6 : 1 - dow);
}

/** The last 8 weeks up to today: from the Monday seven weeks before this week's. */
export const defaultActivityPeriod = (today: string): Period => ({ from: addDays(mondayOf(today), -7 * (DEFAULT_WEEKS - 1)), to: today });

/** Reads the address; anything wrong is named in `errors` and replaced by its default. */
export function readActivityQuery(q: ActivityQueryT, today: string): ActivityChoice {
  const errors: Record<string, string> = {};
  const fallback = defaultActivityPeriod(today);
  let period = fallback;
  if (q.from !== undefined || q.to !== undefined) {
    const from = q.from ?? fallback.from;
    const to = q.to ?? today;
    if (!isLocalDate(from)) errors.from = 'activity.error.date';
    if (!isLocalDate(to)) errors.to = 'activity.error.date';
    if (!errors.from && !errors.to) {
      if (from > to) errors.to = 'activity.error.order';
      else if (daysBetween(from, to) >= 7 * MAX_WEEKS) errors.to = 'activity.error.too_long';
      else period = { from, to };
    }
  }
  let idleDays = DEFAULT_IDLE_DAYS;
  if (q.idle !== undefined) {
    const n = /^\d{1,4}$/.test(q.idle) ? Number(q.idle) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= MAX_IDLE_DAYS) idleDays = n;
    else errors.idle = 'activity.error.idle';
  }
  return { unit: q.unit, period, idleDays, errors };
}

export interface ActivityView {
  unit: DashboardUnit;
  trail: DashboardUnit[];
  children: DashboardUnit[];
  today: string;
  period: Period;
  weeks: Week[];
  idleDays: number;
  /** Villages with no visit since the start of this day are idle. */
  idleSince: string;
  members: MemberWeekRow[];
  weekTotals: number[];
  visits: number;
  idle: IdleVillage[];
  overdue: { rows: OverdueFollowUp[]; total: number };
}

/** The unit the officer asked for (or their widest), after checking their role covers it. */
export async function authorizeActivity(ctx: AppContext, officer: Officer, unitCode: string | undefined, day: string): Promise<DashboardUnit> {
  const db = ctx.db.kysely;
  const unit = await resolveDashboardUnit(db, officer, unitCode, day);
  await requireRoleOnUnit(db, officer, unit.id, DASHBOARD_ROLES);
  return unit;
}

export async function openActivity(ctx: AppContext, officer: Officer, choice: Pick<ActivityChoice, 'unit' | 'period' | 'idleDays'>, overdueLimit = OVERDUE_LIMIT): Promise<ActivityView> {
  const db = ctx.db.kysely;
  const today = localDateOf(ctx.now());
  const unit = await authorizeActivity(ctx, officer, choice.unit, choice.period.to);
  const weeks = weeksOf(choice.period, MAX_WEEKS);
  const idleSince = addDays(today, -choice.idleDays);
  const [trail, children, members, idle, overdue] = await Promise.all([
    trailOf(db, unit),
    unit.level === 'village' ? Promise.resolve([]) : childrenOf(db, unit.id, { from: today, to: today }),
    visitsByMemberWeek(db, unit, weeks),
    idleVillages(db, unit, localMidnight(idleSince), IDLE_LIMIT),
    overdueFollowUps(db, unit, today, overdueLimit),
  ]);
  const weekTotals = weeks.map((_, i) => members.reduce((s, r) => s + (r.perWeek[i] ?? 0), 0));
  return { unit, trail, children, today, period: choice.period, weeks, idleDays: choice.idleDays, idleSince, members, weekTotals, visits: weekTotals.reduce((a, b) => a + b, 0), idle, overdue };
}

/** The address of the activity page (or its download) with the same choices. */
export function activityHref(unit: string, s: { period?: Period | undefined; idle?: number | undefined }, suffix = '', extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ unit });
  if (s.period) {
    params.set('from', s.period.from);
    params.set('to', s.period.to);
  }
  if (s.idle !== undefined && s.idle !== DEFAULT_IDLE_DAYS) params.set('idle', String(s.idle));
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return `${ACTIVITY_PATH}${suffix}?${params.toString()}`;
}

/** Bad download parameters are a 400 with the fields named (the page form shows them instead). */
export function requireValidChoice(choice: ActivityChoice): void {
  const fields = Object.keys(choice.errors);
  if (fields.length > 0) throw new Problem(400, 'request.invalid', fields.join(', '));
}
