import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  DEFAULT_OFFICE_HOURS,
  WorkingCalendar,
  formatOfficeHours,
  parseHolidayCsv,
  parseMakeupCsv,
  parseOfficeHours,
} from '../src/workingTime.ts';

// The project's own seed copies of shared/data (the domain package never reads files itself).
const seed = (name: string) => readFileSync(new URL(`../../server/seed/${name}`, import.meta.url), 'utf8');
const holidays = parseHolidayCsv(seed('holidays-vn-2022-2027.csv'));
const makeups = parseMakeupCsv(seed('workdays-makeup-vn-2022-2027.csv'));
const calendar = new WorkingCalendar({
  holidays: holidays.map((h) => h.date),
  makeupWorkdays: makeups.map((m) => m.date),
});

const at = (iso: string) => new Date(iso);
/** Compares instants; the message shows both in UTC so a mismatch is easy to read. */
function assertInstant(actual: Date, expectedIso: string): void {
  assert.equal(actual.toISOString(), new Date(expectedIso).toISOString());
}

describe('office hours', () => {
  it('defaults to 07:30–11:30 and 13:30–17:00, 450 working minutes a day', () => {
    assert.equal(formatOfficeHours(DEFAULT_OFFICE_HOURS), '07:30-11:30,13:30-17:00');
    assert.equal(calendar.minutesPerDay, 450);
  });

  it('parses and formats the configured hours back to the same text', () => {
    const hours = parseOfficeHours('07:00-11:00, 13:00-16:30');
    assert.deepEqual(hours, [
      { start: 420, end: 660 },
      { start: 780, end: 990 },
    ]);
    assert.equal(formatOfficeHours(hours), '07:00-11:00,13:00-16:30');
    assert.equal(new WorkingCalendar({ holidays: [], makeupWorkdays: [], officeHours: hours }).minutesPerDay, 450);
  });

  it('refuses overlapping, unsorted, empty or malformed hours with a clear message', () => {
    assert.throws(() => parseOfficeHours('07:30-12:00,11:30-17:00'), /overlaps/);
    assert.throws(() => parseOfficeHours('13:30-17:00,07:30-11:30'), /not sorted/);
    assert.throws(() => parseOfficeHours('07:30-25:00'), /bad time "25:00"/);
    assert.throws(() => parseOfficeHours('07:61-11:30'), /bad time "07:61"/);
    assert.throws(() => parseOfficeHours('11:30-07:30'), /does not end after it starts/);
    assert.throws(() => parseOfficeHours('morning'), /bad window "morning"/);
    assert.throws(() => parseOfficeHours(' '), /empty/);
  });
});

describe('holiday and make-up workday seed files', () => {
  it('reads all 86 days off and the 4 make-up Saturdays', () => {
    assert.equal(holidays.length, 86);
    assert.equal(holidays.filter((h) => !h.verified).length, 9);
    assert.deepEqual(holidays[0], {
      date: '2022-01-01',
      nameVi: 'Tết Dương lịch',
      nameEn: "New Year's Day",
      verified: true,
    });
    assert.equal(makeups.length, 4);
    assert.deepEqual(
      makeups.map((m) => [m.date, m.replacesDate]),
      [
        ['2024-05-04', '2024-04-29'],
        ['2025-04-26', '2025-05-02'],
        ['2026-01-10', '2026-01-02'],
        ['2026-08-22', '2026-08-31'],
      ],
    );
  });

  it('tolerates Windows line endings and a trailing newline', () => {
    const text = 'date,name_vi,name_en,verified\r\n2024-01-01,Tết Dương lịch,New Year,yes\r\n\r\n';
    assert.deepEqual(parseHolidayCsv(text), [
      { date: '2024-01-01', nameVi: 'Tết Dương lịch', nameEn: 'New Year', verified: true },
    ]);
  });

  it('names the line of a bad row', () => {
    const header = 'date,name_vi,name_en,verified\n';
    assert.throws(() => parseHolidayCsv(`${header}2024-01-01,a,b,yes\n2024-02-30,a,b,yes\n`), /line 3: date "2024-02-30"/);
    assert.throws(() => parseHolidayCsv(`${header}2024-01-01,a,b\n`), /line 2: expected 4 fields/);
    assert.throws(() => parseHolidayCsv(`${header}2024-01-01,a,b,maybe\n`), /line 2: verified/);
    assert.throws(() => parseHolidayCsv(`${header}2024-01-01,a,b,yes\n2024-01-01,c,d,yes\n`), /line 3: date 2024-01-01 is listed twice/);
    assert.throws(() => parseHolidayCsv('day,name\n'), /line 1: expected header/);
    assert.throws(
      () => parseMakeupCsv('date,name_vi,name_en,replaces_date,verified\n2024-05-04,a,b,29/04/2024,yes\n'),
      /line 2: replaces_date "29\/04\/2024"/,
    );
  });
});

describe('working days', () => {
  it('counts a make-up Saturday as a working day and not the Monday swapped away for it', () => {
    assert.equal(calendar.isWorkingDay('2024-05-04'), true); // Sat, worked for Mon 29/4
    assert.equal(calendar.isWorkingDay('2024-04-29'), false); // Mon, swapped day off
    assert.equal(calendar.isWorkingDay('2024-05-11'), false); // a plain Saturday
    assert.equal(calendar.isWorkingDay('2024-05-05'), false); // Sunday
    assert.equal(calendar.isWorkingDay('2024-05-02'), true); // Thursday after the break
  });

  it('keeps every day of the Tết 2023 and Tết 2024 breaks off', () => {
    for (const d of ['2023-01-20', '2023-01-23', '2023-01-24', '2023-01-25', '2023-01-26']) {
      assert.equal(calendar.isWorkingDay(d), false, d);
    }
    for (const d of ['2024-02-08', '2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14']) {
      assert.equal(calendar.isWorkingDay(d), false, d);
    }
    assert.equal(calendar.isWorkingDay('2023-01-27'), true);
    assert.equal(calendar.isWorkingDay('2024-02-15'), true);
  });
});

describe('aligning to working time', () => {
  it('keeps an instant inside office hours, including the opening minute', () => {
    assertInstant(calendar.alignToWorkingTime(at('2023-03-14T10:00:00+07:00')), '2023-03-14T10:00:00+07:00');
    assertInstant(calendar.alignToWorkingTime(at('2023-03-14T07:30:00+07:00')), '2023-03-14T07:30:00+07:00');
  });

  it('moves lunch time to the afternoon opening and the closing minute to the next window', () => {
    assertInstant(calendar.alignToWorkingTime(at('2023-03-14T12:00:00+07:00')), '2023-03-14T13:30:00+07:00');
    assertInstant(calendar.alignToWorkingTime(at('2023-03-14T11:30:00+07:00')), '2023-03-14T13:30:00+07:00');
    assertInstant(calendar.alignToWorkingTime(at('2023-03-14T06:00:00+07:00')), '2023-03-14T07:30:00+07:00');
  });

  it('moves Friday evening to Monday morning', () => {
    assertInstant(calendar.alignToWorkingTime(at('2023-03-10T17:30:00+07:00')), '2023-03-13T07:30:00+07:00');
    assertInstant(calendar.alignToWorkingTime(at('2023-03-10T17:00:00+07:00')), '2023-03-13T07:30:00+07:00');
  });
});

describe('due dates', () => {
  const days = (value: number) => ({ value, unit: 'working_days' as const });
  const hours = (value: number) => ({ value, unit: 'working_hours' as const });

  it('skips the weekend: received Friday 16:00 with 1 working day is due Monday 16:00', () => {
    assertInstant(calendar.dueAt(at('2023-03-10T16:00:00+07:00'), days(1)), '2023-03-13T16:00:00+07:00');
  });

  it('receives a dossier after closing time and starts the clock next working morning', () => {
    // Tue 18:00 → clock starts Wed 07:30; a full day ends exactly at closing.
    assertInstant(calendar.dueAt(at('2023-03-14T18:00:00+07:00'), days(1)), '2023-03-15T17:00:00+07:00');
    assertInstant(calendar.dueAt(at('2023-03-14T18:00:00+07:00'), hours(1)), '2023-03-15T08:30:00+07:00');
  });

  it('receives a dossier at lunch and starts the clock at the afternoon opening', () => {
    assertInstant(calendar.dueAt(at('2023-03-14T12:00:00+07:00'), hours(2)), '2023-03-14T15:30:00+07:00');
  });

  it('pauses the clock over the Tết 2023 break (20–26 Jan)', () => {
    // Thu 19 Jan 10:00: 300 min that day, then Fri 27, Mon 30 full days, Tue 31 until 10:00.
    assertInstant(calendar.dueAt(at('2023-01-19T10:00:00+07:00'), days(3)), '2023-01-31T10:00:00+07:00');
  });

  it('pauses the clock over the Tết 2024 break (8–14 Feb)', () => {
    // Wed 7 Feb 15:00: 120 min that day, Thu 15 full day, Fri 16 until 15:00.
    assertInstant(calendar.dueAt(at('2024-02-07T15:00:00+07:00'), days(2)), '2024-02-16T15:00:00+07:00');
  });

  it('runs the clock on the make-up Saturday 4 May 2024', () => {
    assertInstant(calendar.dueAt(at('2024-05-03T16:00:00+07:00'), days(1)), '2024-05-04T16:00:00+07:00');
  });

  it('skips the swapped Monday 29 April 2024 and the 30/4–1/5 holidays', () => {
    assertInstant(calendar.dueAt(at('2024-04-26T16:00:00+07:00'), days(1)), '2024-05-02T16:00:00+07:00');
  });

  it('counts a working-hours SLA across lunch and the night', () => {
    // Tue 10:00: 90 min before lunch, 210 after, then 180 on Wed morning.
    assertInstant(calendar.dueAt(at('2023-03-14T10:00:00+07:00'), hours(8)), '2023-03-15T10:30:00+07:00');
  });

  it('lands exactly at 17:00 and stays there instead of rolling to the next morning', () => {
    assertInstant(calendar.dueAt(at('2023-03-14T07:30:00+07:00'), days(1)), '2023-03-14T17:00:00+07:00');
    assertInstant(calendar.addWorkingMinutes(at('2023-03-13T16:00:00+07:00'), 60), '2023-03-13T17:00:00+07:00');
    assertInstant(calendar.dueAt(at('2023-03-14T07:30:00+07:00'), hours(4)), '2023-03-14T11:30:00+07:00');
  });

  it('returns the start itself when no working time is added', () => {
    const saturday = at('2023-03-11T09:00:00+07:00');
    assert.equal(calendar.addWorkingMinutes(saturday, 0), saturday);
  });

  it('keeps millisecond precision for fractional minutes', () => {
    assertInstant(calendar.addWorkingMinutes(at('2023-03-14T08:00:00+07:00'), 1.5), '2023-03-14T08:01:30+07:00');
    assert.equal(calendar.workingMinutesBetween(at('2023-03-14T08:00:00+07:00'), at('2023-03-14T08:01:30+07:00')), 1.5);
  });

  it('refuses negative minutes and gives up beyond about 20 years', () => {
    assert.throws(() => calendar.addWorkingMinutes(at('2023-03-14T08:00:00+07:00'), -1), RangeError);
    assert.throws(() => calendar.addWorkingMinutes(at('2023-03-14T08:00:00+07:00'), 450 * 261 * 25), /more than/);
  });
});

describe('supplement pause', () => {
  const due = at('2023-03-17T10:00:00+07:00'); // Friday

  it('moves the due date by the working time the dossier waited for documents', () => {
    const moved = calendar.extendForPause(due, at('2023-03-14T15:00:00+07:00'), at('2023-03-14T16:00:00+07:00'));
    assertInstant(moved, '2023-03-17T11:00:00+07:00');
  });

  it('counts only office hours of a pause that spans a weekend', () => {
    const from = at('2023-03-10T16:00:00+07:00'); // Fri: 60 min
    const to = at('2023-03-13T09:00:00+07:00'); // Mon: 90 min
    assert.equal(calendar.workingMinutesBetween(from, to), 150);
    // Due Tue 16:00 + 150: 60 min to closing, then 90 min on Wednesday.
    assertInstant(calendar.extendForPause(at('2023-03-14T16:00:00+07:00'), from, to), '2023-03-15T09:00:00+07:00');
  });

  it('does not move the due date for a pause entirely outside office hours', () => {
    assert.equal(calendar.extendForPause(due, at('2023-03-10T17:30:00+07:00'), at('2023-03-13T07:00:00+07:00')), due);
    assert.equal(calendar.extendForPause(due, at('2023-03-14T11:45:00+07:00'), at('2023-03-14T13:15:00+07:00')), due);
  });

  it('carries a due date at closing time into the next morning', () => {
    const moved = calendar.extendForPause(
      at('2023-03-14T17:00:00+07:00'),
      at('2023-03-13T08:00:00+07:00'),
      at('2023-03-13T08:30:00+07:00'),
    );
    assertInstant(moved, '2023-03-15T08:00:00+07:00');
  });
});

describe('working-time properties', () => {
  const instant = fc.date({
    min: new Date('2022-01-01T00:00:00+07:00'),
    max: new Date('2027-12-31T23:59:59+07:00'),
    noInvalidDate: true,
  });

  it('measures back exactly the working minutes that were added', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 450 * 800 }), (raw, m) => {
        const x = calendar.alignToWorkingTime(raw);
        assert.equal(calendar.workingMinutesBetween(x, calendar.addWorkingMinutes(x, m)), m);
      }),
    );
  });

  it('adds working time in steps the same way as all at once', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), (x, a, b) => {
        const stepwise = calendar.addWorkingMinutes(calendar.addWorkingMinutes(x, a), b);
        assert.equal(stepwise.getTime(), calendar.addWorkingMinutes(x, a + b).getTime());
      }),
    );
  });

  it('never sets a due date before the dossier was received', () => {
    const sla = fc.record({
      value: fc.integer({ min: 0, max: 60 }),
      unit: fc.constantFrom('working_days' as const, 'working_hours' as const),
    });
    fc.assert(
      fc.property(instant, sla, (receivedAt, s) => {
        assert.ok(calendar.dueAt(receivedAt, s).getTime() >= receivedAt.getTime());
      }),
    );
  });
});
