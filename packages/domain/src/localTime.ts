/**
 * Local time in Asia/Ho_Chi_Minh. Vietnam has kept UTC+7 without daylight saving since 1975,
 * so a fixed offset is exact and keeps this package free of time-zone databases.
 * Every "which calendar day is this" question in the platform goes through these helpers.
 */
export const VN_OFFSET_MINUTES = 7 * 60;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** A local calendar date as `YYYY-MM-DD`. */
export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** The local calendar date of an instant. */
export function localDateOf(instant: Date): LocalDate {
  return new Date(instant.getTime() + VN_OFFSET_MINUTES * MINUTE).toISOString().slice(0, 10);
}

/** Minutes since local midnight of an instant (0..1439). */
export function localMinuteOfDay(instant: Date): number {
  const shifted = instant.getTime() + VN_OFFSET_MINUTES * MINUTE;
  return Math.floor((((shifted % DAY) + DAY) % DAY) / MINUTE);
}

/** The instant of local midnight at the start of `date`. */
export function localMidnight(date: LocalDate): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - VN_OFFSET_MINUTES * MINUTE);
}

/** The instant `minuteOfDay` minutes after local midnight of `date`. */
export function localInstant(date: LocalDate, minuteOfDay: number): Date {
  return new Date(localMidnight(date).getTime() + minuteOfDay * MINUTE);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: LocalDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);
}

/** ISO 8601 with the +07:00 offset, the way dates are shown at the edges. */
export function toLocalIso(instant: Date): string {
  const shifted = new Date(instant.getTime() + VN_OFFSET_MINUTES * MINUTE).toISOString();
  return `${shifted.slice(0, 19)}+07:00`;
}

/** `yyMMdd` of the local date, as used in dossier codes. */
export function yymmdd(instant: Date): string {
  const d = localDateOf(instant);
  return d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10);
}
