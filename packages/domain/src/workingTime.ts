/**
 * Working time (thời gian làm việc) for deadlines. A dossier's clock only runs inside the office
 * windows of working days: Monday–Friday minus public-sector holidays, plus the Saturdays that
 * were declared make-up workdays. Instants are absolute `Date`s; which day and which minute of
 * the day they fall on is always decided in local time (UTC+7) through ./localTime.ts.
 *
 * Internally everything is counted in milliseconds, so fractional minutes keep their precision
 * and `workingMinutesBetween` is the exact inverse of `addWorkingMinutes`.
 */
import {
  addDays,
  dayOfWeek,
  isLocalDate,
  localDateOf,
  localInstant,
  localMidnight,
  type LocalDate,
} from './localTime.ts';

/** Office windows in minutes since local midnight: sorted, non-overlapping, start < end. */
export type OfficeHours = ReadonlyArray<{ start: number; end: number }>;

/** 07:30–11:30 and 13:30–17:00, the usual hours of a commune one-stop (bộ phận một cửa). */
export const DEFAULT_OFFICE_HOURS: OfficeHours = Object.freeze([
  Object.freeze({ start: 7 * 60 + 30, end: 11 * 60 + 30 }),
  Object.freeze({ start: 13 * 60 + 30, end: 17 * 60 }),
]);

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
/** Scanning more than ~20 years of days means bad input (or a bug), never a real deadline. */
const MAX_SCAN_DAYS = 20 * 366;

const OFFICE_HOURS_EXAMPLE = '"07:30-11:30,13:30-17:00"';

function parseClock(text: string, window: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > DAY_MINUTES) {
    throw new Error(`Office hours: bad time "${text}" in "${window}" (expected HH:MM between 00:00 and 24:00)`);
  }
  return minutes;
}

/** Validates windows (from text or from a caller) and returns a frozen copy. */
function checkOfficeHours(hours: OfficeHours): OfficeHours {
  if (hours.length === 0) throw new Error(`Office hours are empty; expected e.g. ${OFFICE_HOURS_EXAMPLE}`);
  let previous: { start: number; end: number } | undefined;
  for (const w of hours) {
    const label = `${formatClock(w.start)}-${formatClock(w.end)}`;
    if (!Number.isFinite(w.start) || !Number.isFinite(w.end) || w.start < 0 || w.end > DAY_MINUTES) {
      throw new Error(`Office hours: window ${label} is outside 00:00-24:00`);
    }
    if (w.start >= w.end) throw new Error(`Office hours: window ${label} does not end after it starts`);
    if (previous && w.start < previous.start) {
      throw new Error(`Office hours: windows are not sorted (${label} comes after ${formatClock(previous.start)})`);
    }
    if (previous && w.start < previous.end) {
      throw new Error(`Office hours: window ${label} overlaps the previous one (ends ${formatClock(previous.end)})`);
    }
    previous = w;
  }
  return Object.freeze(hours.map((w) => Object.freeze({ start: w.start, end: w.end })));
}

/** Parses `"07:30-11:30,13:30-17:00"`; throws on bad times, empty, unsorted or overlapping windows. */
export function parseOfficeHours(text: string): OfficeHours {
  if (text.trim() === '') throw new Error(`Office hours are empty; expected e.g. ${OFFICE_HOURS_EXAMPLE}`);
  const windows = text.split(',').map((raw) => {
    const part = raw.trim();
    const m = /^(\S+)\s*-\s*(\S+)$/.exec(part);
    if (!m) throw new Error(`Office hours: bad window "${part}"; expected e.g. ${OFFICE_HOURS_EXAMPLE}`);
    return { start: parseClock(m[1] ?? '', part), end: parseClock(m[2] ?? '', part) };
  });
  return checkOfficeHours(windows);
}

function formatClock(minutes: number): string {
  const whole = Math.floor(minutes);
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}

export function formatOfficeHours(h: OfficeHours): string {
  return h.map((w) => `${formatClock(w.start)}-${formatClock(w.end)}`).join(',');
}

export interface CalendarData {
  holidays: Iterable<LocalDate>;
  makeupWorkdays: Iterable<LocalDate>;
  officeHours?: OfficeHours;
}

export interface Sla {
  value: number;
  unit: 'working_days' | 'working_hours';
}

function toDateSet(dates: Iterable<LocalDate>, what: string): ReadonlySet<LocalDate> {
  const set = new Set<LocalDate>();
  for (const d of dates) {
    if (!isLocalDate(d)) throw new Error(`Working calendar: ${what} "${d}" is not a YYYY-MM-DD date`);
    set.add(d);
  }
  return set;
}

function timeOf(instant: Date, name: string): number {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new RangeError(`Working calendar: ${name} is an invalid Date`);
  return t;
}

export class WorkingCalendar {
  readonly officeHours: OfficeHours;
  readonly #holidays: ReadonlySet<LocalDate>;
  readonly #makeupWorkdays: ReadonlySet<LocalDate>;
  readonly #minutesPerDay: number;

  constructor(data: CalendarData) {
    this.#holidays = toDateSet(data.holidays, 'holiday');
    this.#makeupWorkdays = toDateSet(data.makeupWorkdays, 'make-up workday');
    this.officeHours = checkOfficeHours(data.officeHours ?? DEFAULT_OFFICE_HOURS);
    this.#minutesPerDay = this.officeHours.reduce((sum, w) => sum + (w.end - w.start), 0);
  }

  /** Mon–Fri and not a holiday, or a make-up workday (which wins: it is usually a Saturday). */
  isWorkingDay(date: LocalDate): boolean {
    if (this.#makeupWorkdays.has(date)) return true;
    const dow = dayOfWeek(date);
    return dow >= 1 && dow <= 5 && !this.#holidays.has(date);
  }

  /** Working minutes in one working day (450 with the default hours). */
  get minutesPerDay(): number {
    return this.#minutesPerDay;
  }

  /**
   * The instant itself when it lies in an office window of a working day (start inclusive,
   * end exclusive), otherwise the start of the next window: 12:00 → 13:30, 17:30 Friday →
   * 07:30 of the next working day.
   */
  alignToWorkingTime(instant: Date): Date {
    timeOf(instant, 'instant');
    let date = localDateOf(instant);
    const offset = instant.getTime() - localMidnight(date).getTime(); // ms since local midnight
    for (let scanned = 0; scanned <= MAX_SCAN_DAYS; scanned++, date = addDays(date, 1)) {
      if (!this.isWorkingDay(date)) continue;
      for (const w of this.officeHours) {
        if (scanned > 0) return localInstant(date, w.start);
        if (offset < w.end * MINUTE_MS) return offset >= w.start * MINUTE_MS ? instant : localInstant(date, w.start);
      }
    }
    throw new RangeError(`Working calendar: no working time within ${MAX_SCAN_DAYS} days after ${instant.toISOString()}`);
  }

  /**
   * `start` plus `minutes` of working time. Landing exactly on the end of a window returns
   * that end (17:00 stays 17:00) rather than the start of the next window.
   */
  addWorkingMinutes(start: Date, minutes: number): Date {
    timeOf(start, 'start');
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new RangeError(`Working calendar: cannot add ${minutes} working minutes`);
    }
    let remaining = Math.round(minutes * MINUTE_MS);
    if (remaining === 0) return start;
    const aligned = this.alignToWorkingTime(start);
    let date = localDateOf(aligned);
    let cursor = aligned.getTime() - localMidnight(date).getTime(); // ms since local midnight
    const dayMs = this.#minutesPerDay * MINUTE_MS;
    for (let scanned = 0; scanned <= MAX_SCAN_DAYS; scanned++, date = addDays(date, 1), cursor = 0) {
      if (!this.isWorkingDay(date)) continue;
      // A whole working day that does not finish the job is skipped in one step.
      if (cursor === 0 && remaining > dayMs) {
        remaining -= dayMs;
        continue;
      }
      for (const w of this.officeHours) {
        const from = Math.max(cursor, w.start * MINUTE_MS);
        const available = w.end * MINUTE_MS - from;
        if (available <= 0) continue;
        if (remaining <= available) return new Date(localMidnight(date).getTime() + from + remaining);
        remaining -= available;
      }
    }
    throw new RangeError(`Working calendar: adding ${minutes} working minutes scans more than ${MAX_SCAN_DAYS} days`);
  }

  /** Working minutes inside office windows of working days in [a, b); 0 when b <= a. */
  workingMinutesBetween(a: Date, b: Date): number {
    const from = timeOf(a, 'a');
    const to = timeOf(b, 'b');
    if (to <= from) return 0;
    let totalMs = 0;
    const last = localDateOf(b);
    // ISO dates with 4-digit years compare correctly as strings.
    for (let date = localDateOf(a); date <= last; date = addDays(date, 1)) {
      if (!this.isWorkingDay(date)) continue;
      const midnight = localMidnight(date).getTime();
      for (const w of this.officeHours) {
        const overlap = Math.min(to, midnight + w.end * MINUTE_MS) - Math.max(from, midnight + w.start * MINUTE_MS);
        if (overlap > 0) totalMs += overlap;
      }
    }
    return totalMs / MINUTE_MS;
  }

  /**
   * Due instant (hạn trả kết quả) for a dossier received at `receivedAt`. One working day is
   * `minutesPerDay` working minutes, so a dossier received at 16:00 with 1 day is due 16:00 on
   * the next working day; one received after closing starts the next working morning.
   */
  dueAt(receivedAt: Date, sla: Sla): Date {
    if (!Number.isFinite(sla.value) || sla.value < 0) throw new RangeError(`Working calendar: bad SLA value ${sla.value}`);
    let minutes: number;
    if (sla.unit === 'working_days') minutes = sla.value * this.#minutesPerDay;
    else if (sla.unit === 'working_hours') minutes = sla.value * 60;
    else throw new RangeError(`Working calendar: unknown SLA unit "${String(sla.unit)}"`);
    return this.addWorkingMinutes(receivedAt, minutes);
  }

  /**
   * A supplement request (yêu cầu bổ sung) stops the clock; when the dossier resumes, the due
   * instant moves by the working time that elapsed while it was paused.
   */
  extendForPause(dueAt: Date, pausedFrom: Date, resumedAt: Date): Date {
    const paused = this.workingMinutesBetween(pausedFrom, resumedAt);
    return paused === 0 ? dueAt : this.addWorkingMinutes(dueAt, paused);
  }
}

// --- CSV reference data (server/seed/*.csv): header row, comma separated, no quoting ---

export interface HolidayRow {
  date: LocalDate;
  nameVi: string;
  nameEn: string;
  verified: boolean;
}

export interface MakeupRow extends HolidayRow {
  replacesDate: LocalDate;
}

/** Splits into rows of trimmed fields, checking the header; tolerates CRLF, a BOM and blank lines. */
function csvRows(text: string, file: string, columns: readonly string[]): { line: number; fields: string[] }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').trim();
  if (header !== columns.join(',')) {
    throw new Error(`${file}: line 1: expected header "${columns.join(',')}", got "${header}"`);
  }
  const rows: { line: number; fields: string[] }[] = [];
  lines.forEach((raw, i) => {
    if (i === 0 || raw.trim() === '') return;
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length !== columns.length) {
      throw new Error(`${file}: line ${i + 1}: expected ${columns.length} fields, got ${fields.length}`);
    }
    rows.push({ line: i + 1, fields });
  });
  return rows;
}

function csvDate(value: string, file: string, line: number, column: string): LocalDate {
  if (!isLocalDate(value)) throw new Error(`${file}: line ${line}: ${column} "${value}" is not a valid YYYY-MM-DD date`);
  return value;
}

function csvVerified(value: string, file: string, line: number): boolean {
  if (value !== 'yes' && value !== 'no') throw new Error(`${file}: line ${line}: verified must be yes or no, got "${value}"`);
  return value === 'yes';
}

function rejectDuplicate(seen: Set<LocalDate>, date: LocalDate, file: string, line: number): void {
  if (seen.has(date)) throw new Error(`${file}: line ${line}: date ${date} is listed twice`);
  seen.add(date);
}

export function parseHolidayCsv(text: string): HolidayRow[] {
  const file = 'holidays CSV';
  const seen = new Set<LocalDate>();
  return csvRows(text, file, ['date', 'name_vi', 'name_en', 'verified']).map(({ line, fields }) => {
    const [date = '', nameVi = '', nameEn = '', verified = ''] = fields;
    const row = { date: csvDate(date, file, line, 'date'), nameVi, nameEn, verified: csvVerified(verified, file, line) };
    rejectDuplicate(seen, row.date, file, line);
    return row;
  });
}

export function parseMakeupCsv(text: string): MakeupRow[] {
  const file = 'make-up workdays CSV';
  const seen = new Set<LocalDate>();
  return csvRows(text, file, ['date', 'name_vi', 'name_en', 'replaces_date', 'verified']).map(({ line, fields }) => {
    const [date = '', nameVi = '', nameEn = '', replacesDate = '', verified = ''] = fields;
    const row = {
      date: csvDate(date, file, line, 'date'),
      nameVi,
      nameEn,
      replacesDate: csvDate(replacesDate, file, line, 'replaces_date'),
      verified: csvVerified(verified, file, line),
    };
    rejectDuplicate(seen, row.date, file, line);
    return row;
  });
}
