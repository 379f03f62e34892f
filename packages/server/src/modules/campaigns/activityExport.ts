/**
 * The activity page's tables as plain rows, in the reader's language, for the CSV and XLSX
 * downloads (one model, so both files say the same): visits per member and week (with the
 * total row), idle villages, overdue follow-ups. CSV: UTF-8 with a BOM, CRLF, RFC 4180
 * quoting, days as YYYY-MM-DD, and text guarded against formula injection (a member's note or
 * a name starting with = + - @ gets a leading apostrophe).
 */
import type { Translate } from '../../web/i18n.ts';
import { lastVisitDay } from './activityQueries.ts';
import type { ActivityTableName, ActivityView } from './activity.ts';
import { guardFormula } from './dashboardCsv.ts';
import { vnDate } from './dashboardFormat.ts';

/** Text, a whole number, a calendar day, or an empty cell. */
export type ActivityCell = string | number | { date: string } | null;

export interface ActivityTable {
  name: ActivityTableName;
  title: string;
  columns: string[];
  rows: ActivityCell[][];
  /** A last row set apart (the totals of the members table). */
  total: ActivityCell[] | null;
}

export const weekHeader = (w: { from: string; to: string }): string => `${vnDate(w.from)} – ${vnDate(w.to)}`;

export function activityTable(view: ActivityView, name: ActivityTableName, t: Translate): ActivityTable {
  const title = t(`activity.export.table.${name}`);
  if (name === 'members')
    return {
      name,
      title,
      columns: [t('activity.col.member'), t('activity.col.village_code'), t('activity.col.village'), ...view.weeks.map(weekHeader), t('activity.col.total')],
      rows: view.members.map((r) => [r.memberName, r.villageCode, r.villageName, ...r.perWeek, r.total]),
      total: [t('activity.members.total'), null, null, ...view.weekTotals, view.visits],
    };
  if (name === 'idle')
    return {
      name,
      title,
      columns: [t('activity.col.village_code'), t('activity.col.village'), t('activity.col.commune'), t('activity.col.last_visit'), t('activity.col.households')],
      rows: view.idle.map((v) => {
        const day = lastVisitDay(v);
        return [v.code, v.name, v.communeName, day ? { date: day } : t('activity.idle.never'), v.households];
      }),
      total: null,
    };
  return {
    name,
    title,
    columns: [t('activity.col.village_code'), t('activity.col.village'), t('activity.col.due'), t('activity.col.days_overdue'), t('activity.col.assignee'), t('activity.col.note')],
    rows: view.overdue.rows.map((f) => [f.villageCode, f.villageName, { date: f.dueDate }, f.daysOverdue, f.assigneeName, f.note]),
    total: null,
  };
}

const quote = (field: string): string => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

function csvField(c: ActivityCell): string {
  if (c === null) return '';
  if (typeof c === 'string') return guardFormula(c);
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
  return c.date;
}

export function renderActivityCsv(table: ActivityTable): string {
  const line = (cells: string[]) => cells.map(quote).join(',') + '\r\n';
  let out = '\uFEFF' + line(table.columns.map(guardFormula));
  for (const r of table.rows) out += line(r.map(csvField));
  if (table.total) out += line(table.total.map(csvField));
  return out;
}

export const activityFileName = (view: ActivityView, name: ActivityTableName, format: string): string => `hoat-dong-${view.unit.code}-${name}-${view.period.from}-${view.period.to}.${format}`;
