/**
 * Audited changes to the working-time calendar, on top of CalendarService. The service drops
 * its cache when it writes, but that is inside the transaction: a request reading in between
 * could cache the old calendar again. So the cache is dropped once more after COMMIT, and the
 * next deadline computed in this process uses the new calendar (other processes within a minute).
 */
import { dayOfWeek, isLocalDate } from '@causo/domain';
import type { AppContext } from '../../../context.ts';

import { audit } from '../../audit/service.ts';

export interface Actor {
  id: number;
  ip: string;
  userAgent: string | null;
}

export interface NewDay {
  date: string;
  kind: 'holiday' | 'workday';
  nameVi: string;
  nameEn: string;
}

/** A catalogue key saying what is wrong, or null. */
export function checkDay(day: NewDay): { field: string; key: string } | null {
  if (!isLocalDate(day.date) || day.date < '2000-01-01' || day.date > '2100-12-31') return { field: 'date', key: 'admin.calendar.error.date' };
  const dow = dayOfWeek(day.date);
  // A make-up working day replaces a weekend day; on a weekday it would change nothing.
  if (day.kind === 'workday' && dow >= 1 && dow <= 5) return { field: 'date', key: 'admin.calendar.error.workday_weekday' };
  return null;
}

export async function addDay(ctx: AppContext, actor: Actor, day: NewDay): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const before = await trx.selectFrom('calendar_days').select('kind').where('date', '=', day.date).executeTakeFirst();
    await ctx.calendar.putDay(trx, { ...day, verified: true });
    await audit(trx, { actorId: actor.id, action: 'calendar.put_day', entity: 'calendar_day', entityId: day.date, detail: { kind: day.kind, ...(before ? { replaced: before.kind } : {}) }, ip: actor.ip, userAgent: actor.userAgent });
  });
  ctx.calendar.invalidate();
}

export async function removeDay(ctx: AppContext, actor: Actor, date: string): Promise<boolean> {
  const removed = await ctx.db.transaction(async (trx) => {
    const before = await trx.selectFrom('calendar_days').select('kind').where('date', '=', date).executeTakeFirst();
    if (!before) return false;
    await ctx.calendar.deleteDay(trx, date);
    await audit(trx, { actorId: actor.id, action: 'calendar.delete_day', entity: 'calendar_day', entityId: date, detail: { kind: before.kind }, ip: actor.ip, userAgent: actor.userAgent });
    return true;
  });
  ctx.calendar.invalidate();
  return removed;
}

/** Returns the hours as stored (normalised), or throws 400 calendar.bad_office_hours. */
export async function saveOfficeHours(ctx: AppContext, actor: Actor, text: string): Promise<string> {
  const before = await ctx.calendar.officeHours();
  const value = await ctx.db.transaction(async (trx) => {
    const v = await ctx.calendar.setOfficeHours(trx, text, actor.id);
    await audit(trx, { actorId: actor.id, action: 'calendar.office_hours', entity: 'settings', entityId: 'calendar.office_hours', detail: { from: before, to: v }, ip: actor.ip, userAgent: actor.userAgent });
    return v;
  });
  ctx.calendar.invalidate();
  return value;
}

