/**
 * Report periods (kỳ báo cáo). Statistical periods for administrative-procedure reports run
 * from the 15th of the previous month to the 14th of the closing month, so January, Q1 and
 * the cumulative 6-, 9- and 12-month periods all start on 15 December of the previous year.
 * A period covers whole local days: [from 00:00, to+1 00:00) in UTC+7.
 */
import { addDays, isLocalDate, localMidnight, type LocalDate } from './localTime.ts';

export type PeriodPreset = 'month' | 'quarter' | 'half' | 'nine_months' | 'year';

/** Both ends are inclusive local dates. */
export interface Period {
  from: LocalDate;
  to: LocalDate;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The 15th of the month before `month` (1–12) of `year`; for January, 15 December of year−1. */
function fifteenthBefore(year: number, month: number): LocalDate {
  return month === 1 ? `${pad(year - 1, 4)}-12-15` : `${pad(year, 4)}-${pad(month - 1, 2)}-15`;
}

function fourteenth(year: number, month: number): LocalDate {
  return `${pad(year, 4)}-${pad(month, 2)}-14`;
}

function checkIndex(preset: PeriodPreset, index: number | undefined, max: number): number {
  if (index === undefined || !Number.isInteger(index) || index < 1 || index > max) {
    throw new RangeError(`Report period "${preset}" needs an index from 1 to ${max}, got ${String(index)}`);
  }
  return index;
}

/**
 * The period of a preset: `index` is the month (1–12) for 'month' and the quarter (1–4) for
 * 'quarter'. The cumulative presets ('half', 'nine_months', 'year') take no index, so that
 * e.g. a "second half" cannot be asked for and silently answered with the first.
 */
export function presetPeriod(preset: PeriodPreset, year: number, index?: number): Period {
  // Year −1 and +1 must still be 4-digit ISO years.
  if (!Number.isInteger(year) || year < 1001 || year > 9999) throw new RangeError(`Report period: bad year ${year}`);
  let lastMonth: number;
  let firstMonth = 1;
  switch (preset) {
    case 'month':
      lastMonth = firstMonth = checkIndex(preset, index, 12);
      break;
    case 'quarter':
      lastMonth = checkIndex(preset, index, 4) * 3;
      firstMonth = lastMonth - 2;
      break;
    case 'half':
    case 'nine_months':
    case 'year':
      if (index !== undefined) throw new RangeError(`Report period "${preset}" takes no index, got ${index}`);
      lastMonth = preset === 'half' ? 6 : preset === 'nine_months' ? 9 : 12;
      break;
    default:
      throw new RangeError(`Report period: unknown preset "${String(preset)}"`);
  }
  return { from: fifteenthBefore(year, firstMonth), to: fourteenth(year, lastMonth) };
}

/** A custom period from user input; throws unless both are real YYYY-MM-DD dates and from <= to. */
export function validatePeriod(from: string, to: string): Period {
  if (!isLocalDate(from)) throw new RangeError(`Report period: "from" (${from}) is not a valid YYYY-MM-DD date`);
  if (!isLocalDate(to)) throw new RangeError(`Report period: "to" (${to}) is not a valid YYYY-MM-DD date`);
  if (from > to) throw new RangeError(`Report period: "from" (${from}) is after "to" (${to})`);
  return { from, to };
}

/** The first day of the following period: the day after `to`. */
export function nextPeriodStart(p: Period): LocalDate {
  return addDays(p.to, 1);
}

/** The half-open instant range [start, end) of a period in local time. */
export function periodBounds(p: Period): { start: Date; end: Date } {
  return { start: localMidnight(p.from), end: localMidnight(nextPeriodStart(p)) };
}
