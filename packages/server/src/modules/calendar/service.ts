/**
 * The working-time calendar: public-sector holidays and make-up Saturdays (editable by an
 * admin for later years) and office hours. Deadlines are computed from it. It is cached per
 * process and re-read after a change here or after a minute, so other app servers follow.
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_OFFICE_HOURS,
  WorkingCalendar,
  formatOfficeHours,
  parseHolidayCsv,
  parseMakeupCsv,
  parseOfficeHours,
  type OfficeHours,
} from '@causo/domain';
import type { Kysely } from 'kysely';
import type { Db, Trx } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { Problem } from '../../http/problem.ts';

const OFFICE_HOURS_KEY = 'calendar.office_hours';
const CACHE_MS = 60_000;

export async function seedCalendar(trx: Trx, dir: string): Promise<number> {
  const holidays = parseHolidayCsv(readFileSync(`${dir}holidays-vn-2022-2027.csv`, 'utf8'));
  const makeup = parseMakeupCsv(readFileSync(`${dir}workdays-makeup-vn-2022-2027.csv`, 'utf8'));
  const rows = [
    ...holidays.map((h) => ({ date: h.date, kind: 'holiday' as const, name_vi: h.nameVi, name_en: h.nameEn, verified: h.verified })),
    ...makeup.map((h) => ({ date: h.date, kind: 'workday' as const, name_vi: h.nameVi, name_en: h.nameEn, verified: h.verified })),
  ];
  await trx.insertInto('calendar_days').values(rows).onConflict((oc) => oc.column('date').doNothing()).execute();
  return rows.length;
}

async function readOfficeHours(db: Kysely<DB>): Promise<OfficeHours> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', OFFICE_HOURS_KEY).executeTakeFirst();
  return typeof row?.value === 'string' ? parseOfficeHours(row.value) : DEFAULT_OFFICE_HOURS;
}

export class CalendarService {
  #cached: { calendar: WorkingCalendar; at: number } | null = null;
  constructor(private readonly db: Db) {}

  async calendar(): Promise<WorkingCalendar> {
    if (this.#cached && Date.now() - this.#cached.at < CACHE_MS) return this.#cached.calendar;
    const days = await this.db.kysely.selectFrom('calendar_days').select(['date', 'kind']).execute();
    const calendar = new WorkingCalendar({
      holidays: days.filter((d) => d.kind === 'holiday').map((d) => d.date),
      makeupWorkdays: days.filter((d) => d.kind === 'workday').map((d) => d.date),
      officeHours: await readOfficeHours(this.db.kysely),
    });
    this.#cached = { calendar, at: Date.now() };
    return calendar;
  }

  invalidate(): void {
    this.#cached = null;
  }

  listDays(year?: number) {
    let q = this.db.kysely.selectFrom('calendar_days').selectAll().orderBy('date');
    if (year) q = q.where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`);
    return q.execute();
  }

  async officeHours(): Promise<string> {
    return formatOfficeHours(await readOfficeHours(this.db.kysely));
  }

  async setOfficeHours(trx: Trx, text: string, userId: number): Promise<string> {
    let parsed: OfficeHours;
    try {
      parsed = parseOfficeHours(text);
    } catch (e) {
      throw new Problem(400, 'calendar.bad_office_hours', (e as Error).message);
    }
    const value = formatOfficeHours(parsed);
    await trx
      .insertInto('settings')
      .values({ key: OFFICE_HOURS_KEY, value: JSON.stringify(value), updated_by: userId })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_by: userId, updated_at: new Date() }))
      .execute();
    this.invalidate();
    return value;
  }

  async putDay(trx: Trx, day: { date: string; kind: 'holiday' | 'workday'; nameVi: string; nameEn: string; verified: boolean }) {
    const values = { date: day.date, kind: day.kind, name_vi: day.nameVi, name_en: day.nameEn, verified: day.verified };
    await trx
      .insertInto('calendar_days')
      .values(values)
      .onConflict((oc) => oc.column('date').doUpdateSet(values))
      .execute();
    this.invalidate();
  }

  async deleteDay(trx: Trx, date: string): Promise<boolean> {
    const res = await trx.deleteFrom('calendar_days').where('date', '=', date).executeTakeFirst();
    this.invalidate();
    return Number(res.numDeletedRows) > 0;
  }
}
