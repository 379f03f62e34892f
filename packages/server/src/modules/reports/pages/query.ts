/**
 * What the report pages read from the address: the period (a 15th-to-14th preset or a custom
 * range), the unit code and the view (by unit or by sector). The same parameters drive the
 * page, its drill-down links and its downloads, so one canonical query string is built here.
 * The bench and the JSON API's names are accepted too (`from`/`to`, `preset`/`year`/`index`).
 */
import { z } from 'zod';
import { addDays, daysBetween, isLocalDate, localDateOf, presetPeriod, type Period, type PeriodPreset } from '@causo/domain';

export const PRESETS = ['month', 'quarter', 'half', 'nine_months', 'year'] as const satisfies readonly PeriodPreset[];
export type PeriodKind = PeriodPreset | 'custom';

/** Lenient: a bad value is dropped here and reported by `resolvePeriod`, never a raw 400. */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max).optional().catch(undefined);
const text = z
  .string()
  .max(20)
  .optional()
  .catch(undefined)
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

export const ReportPageQuery = z.object({
  preset: z.enum([...PRESETS, 'custom']).optional().catch(undefined),
  year: int(2000, 2100),
  month: int(1, 12),
  quarter: int(1, 4),
  index: int(1, 12),
  from: text,
  to: text,
  unit: z
    .string()
    .regex(/^[0-9A-Za-z-]{1,20}$/)
    .optional()
    .catch(undefined),
  by: z.enum(['unit', 'sector']).catch('unit'),
});
export type ReportPageQueryT = z.infer<typeof ReportPageQuery>;

/** The period as the officer chose it, to refill the form and build links. */
export interface PeriodChoice {
  kind: PeriodKind;
  year: number;
  month: number;
  quarter: number;
  from: string;
  to: string;
}

export interface ResolvedPeriod {
  period: Period | null;
  choice: PeriodChoice;
  /** Field name → catalogue key. */
  errors: Record<string, string>;
}

/** The month (1–12) and year of the 15th-to-14th month period that contains `date`. */
function monthPeriodOf(date: string): { year: number; month: number } {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (d < 15) return { year: y, month: m };
  return m === 12 ? { year: y + 1, month: 1 } : { year: y, month: m + 1 };
}

/** The last month period that has ended by `today`: the report a leader usually wants. */
export function lastCompleteMonth(today: string): { year: number; month: number } {
  const running = monthPeriodOf(today);
  return running.month === 1 ? { year: running.year - 1, month: 12 } : { year: running.year, month: running.month - 1 };
}

/** Which preset a from/to range is, if any (the bench and old links send plain ranges). */
export function detectPreset(p: Period): { kind: PeriodPreset; year: number; index?: number } | null {
  const year = Number(p.to.slice(0, 4));
  const month = Number(p.to.slice(5, 7));
  const candidates: { kind: PeriodPreset; index?: number }[] = [{ kind: 'month', index: month }];
  if (month % 3 === 0) candidates.push({ kind: 'quarter', index: month / 3 });
  if (month === 6) candidates.push({ kind: 'half' });
  if (month === 9) candidates.push({ kind: 'nine_months' });
  if (month === 12) candidates.push({ kind: 'year' });
  for (const c of candidates) {
    try {
      const q = presetPeriod(c.kind, year, c.index);
      if (q.from === p.from && q.to === p.to) return { ...c, year };
    } catch {
      // not this preset
    }
  }
  return null;
}

export function resolvePeriod(q: ReportPageQueryT, now: Date): ResolvedPeriod {
  const today = localDateOf(now);
  const fallback = lastCompleteMonth(today);
  const choice: PeriodChoice = {
    kind: 'month',
    year: q.year ?? fallback.year,
    month: q.month ?? (q.preset === 'month' ? q.index : undefined) ?? fallback.month,
    quarter: q.quarter ?? (q.preset === 'quarter' ? q.index : undefined) ?? Math.ceil(fallback.month / 3),
    from: q.from ?? '',
    to: q.to ?? '',
  };
  const errors: Record<string, string> = {};
  const custom = q.preset === 'custom' || (q.preset === undefined && (q.from !== undefined || q.to !== undefined));

  if (custom) {
    choice.kind = 'custom';
    if (!q.from) errors.from = 'report.error.from_missing';
    else if (!isLocalDate(q.from)) errors.from = 'report.error.date_invalid';
    if (!q.to) errors.to = 'report.error.to_missing';
    else if (!isLocalDate(q.to)) errors.to = 'report.error.date_invalid';
    if (!errors.from && !errors.to && q.from && q.to) {
      if (q.from > q.to) errors.to = 'report.error.to_before_from';
      else if (daysBetween(q.from, q.to) > 366 * 10) errors.to = 'report.error.range_too_long';
    }
    if (Object.keys(errors).length > 0 || !q.from || !q.to) return { period: null, choice, errors };
    const period = { from: q.from, to: q.to };
    // A range that is exactly a preset shows as that preset (and charts its kind of period).
    const preset = detectPreset(period);
    if (preset) {
      choice.kind = preset.kind;
      choice.year = preset.year;
      if (preset.kind === 'month' && preset.index) choice.month = preset.index;
      if (preset.kind === 'quarter' && preset.index) choice.quarter = preset.index;
    }
    return { period, choice, errors };
  }

  choice.kind = q.preset ?? 'month';
  const index = choice.kind === 'month' ? choice.month : choice.kind === 'quarter' ? choice.quarter : undefined;
  const period = presetPeriod(choice.kind as PeriodPreset, choice.year, index);
  choice.from = period.from;
  choice.to = period.to;
  return { period, choice, errors };
}

/** The canonical query string of a report view: the period as chosen, the unit, the view. */
export function reportSearch(choice: PeriodChoice, unit: string | null, by: 'unit' | 'sector'): string {
  const s = new URLSearchParams();
  if (choice.kind === 'custom') {
    s.set('preset', 'custom');
    s.set('from', choice.from);
    s.set('to', choice.to);
  } else {
    s.set('preset', choice.kind);
    s.set('year', String(choice.year));
    if (choice.kind === 'month') s.set('month', String(choice.month));
    if (choice.kind === 'quarter') s.set('quarter', String(choice.quarter));
  }
  if (unit) s.set('unit', unit);
  if (by === 'sector') s.set('by', 'sector');
  return s.toString();
}

/** The periods the chart compares: the chosen one and those before it, oldest first. */
export function chartPeriods(choice: PeriodChoice, period: Period): (Period & { kind: PeriodKind; year: number; index?: number })[] {
  const out: (Period & { kind: PeriodKind; year: number; index?: number })[] = [];
  if (choice.kind === 'month' || choice.kind === 'quarter') {
    const per = choice.kind === 'month' ? 12 : 4;
    const count = choice.kind === 'month' ? 12 : 8;
    let year = choice.year;
    let index = choice.kind === 'month' ? choice.month : choice.quarter;
    for (let i = 0; i < count; i++) {
      out.unshift({ ...presetPeriod(choice.kind, year, index), kind: choice.kind, year, index });
      index -= 1;
      if (index === 0) {
        index = per;
        year -= 1;
      }
    }
    return out;
  }
  if (choice.kind !== 'custom') {
    for (let i = 5; i >= 0; i--) out.push({ ...presetPeriod(choice.kind, choice.year - i), kind: choice.kind, year: choice.year - i });
    return out;
  }
  // A custom range: six back-to-back ranges of the same length.
  const length = daysBetween(period.from, period.to) + 1;
  for (let i = 5; i >= 0; i--)
    out.push({ from: addDays(period.from, -i * length), to: addDays(period.to, -i * length), kind: 'custom', year: Number(period.to.slice(0, 4)) });
  return out;
}

/** YYYY-MM-DD → dd/MM/yyyy, the way dates are written on Vietnamese forms. */
export function vnDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : date;
}
