/**
 * What the public performance pages read from the address: the period, one of three presets
 * counted the way the official reports count (periods run from the 15th to the 14th, see
 * domain/period.ts) and cut at today, and for /performance the province when the platform
 * holds more than one. Only presets: a visitor cannot ask for two ranges a day apart and read
 * one person's dossier off the difference.
 */
import { z } from 'zod';
import { presetPeriod, type Period } from '@causo/domain';

export const PERFORMANCE_PATH = '/performance';
export const PERIOD_CHOICES = ['month', 'quarter', 'ytd'] as const;
export type PeriodChoice = (typeof PERIOD_CHOICES)[number];
const UNIT_CODE = /^[0-9A-Za-z-]{1,20}$/;

/** Lenient: an unknown period falls back to this month; a malformed province is ignored. */
export const PerformanceQuery = z.object({
  period: z.enum(PERIOD_CHOICES).catch('month'),
  province: z.string().regex(UNIT_CODE).optional().catch(undefined),
});
export type PerformanceQueryT = z.infer<typeof PerformanceQuery>;

export const CodeParams = z.object({ code: z.string().max(40) });
export const isUnitCode = (code: string): boolean => UNIT_CODE.test(code);

/** The reporting month (1–12) and its year that contain `day`: from the 15th it is next month's. */
export function reportingMonthOf(day: string): { year: number; month: number } {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  if (Number(day.slice(8, 10)) < 15) return { year: y, month: m };
  return m === 12 ? { year: y + 1, month: 1 } : { year: y, month: m + 1 };
}

export interface ChosenPeriod {
  choice: PeriodChoice;
  /** The whole reporting period (to its 14th). */
  whole: Period;
  /** What is counted: the reporting period up to today. */
  period: Period;
  year: number;
  /** The month (1–12) or quarter (1–4); none for the year. */
  index: number | null;
}

export function choosePeriod(choice: PeriodChoice, today: string): ChosenPeriod {
  const { year, month } = reportingMonthOf(today);
  const index = choice === 'month' ? month : choice === 'quarter' ? Math.ceil(month / 3) : null;
  const whole = choice === 'ytd' ? presetPeriod('year', year) : presetPeriod(choice, year, index ?? undefined);
  return { choice, whole, period: { from: whole.from, to: whole.to < today ? whole.to : today }, year, index };
}

/** The address of a performance page with the period kept (and the language when not Vietnamese). */
export function performanceHref(path: string, choice: PeriodChoice, extra: Record<string, string> = {}): string {
  const s = new URLSearchParams();
  if (choice !== 'month') s.set('period', choice);
  for (const [k, v] of Object.entries(extra)) if (v) s.set(k, v);
  const q = s.toString();
  return q ? `${path}?${q}` : path;
}
