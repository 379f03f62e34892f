/** The working-time calendar: read by anyone, edited by a province admin (holidays for later years, office hours). */
import { z } from 'zod';
import { localDateOf, toLocalIso } from '@causo/domain';
import { requireProvinceAdmin as requireAdminOfProvinceInForce } from '../auth/service.ts';
import type { AppContext } from '../../context.ts';
import { requireActor } from '../../http/auth.ts';
import type { ZodApp } from '../../http/types.ts';
import { audit } from '../audit/service.ts';
import type { Actor } from '../dossiers/service.ts';

const DayView = z.object({ date: z.string(), kind: z.enum(['holiday', 'workday']), nameVi: z.string(), nameEn: z.string(), verified: z.boolean() });

/** The same check as the administration pages: the admin of a province in force (not a merged one). */
async function requireProvinceAdmin(ctx: AppContext, actor: Actor): Promise<void> {
  await requireAdminOfProvinceInForce(ctx.db.kysely, actor.officer, localDateOf(ctx.now()));
}

export function calendarRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/api/v1/calendar/days',
    { config: { public: true }, schema: { tags: ['calendar'], summary: 'Public-sector days off and make-up working days', querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }), response: { 200: z.object({ items: z.array(DayView) }) } } },
    async (req) => ({
      items: (await ctx.calendar.listDays(req.query.year)).map((d) => ({ date: d.date, kind: d.kind, nameVi: d.name_vi, nameEn: d.name_en, verified: d.verified })),
    }),
  );
  app.put(
    '/api/v1/calendar/days/:date',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Add or change a day off (holiday) or a make-up working day (workday)',
        params: z.object({ date: z.iso.date() }),
        body: z.object({ kind: z.enum(['holiday', 'workday']), nameVi: z.string().min(1).max(200), nameEn: z.string().min(1).max(200), verified: z.boolean().default(true) }),
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      await requireProvinceAdmin(ctx, actor);
      await ctx.db.transaction(async (trx) => {
        await ctx.calendar.putDay(trx, { date: req.params.date, ...req.body });
        await audit(trx, { actorId: actor.officer.id, action: 'calendar.put_day', entity: 'calendar_day', entityId: req.params.date, ip: actor.ip, detail: { kind: req.body.kind } });
      });
      ctx.calendar.invalidate();
      return reply.status(204).send();
    },
  );
  app.delete(
    '/api/v1/calendar/days/:date',
    { schema: { tags: ['calendar'], summary: 'Remove a calendar day', params: z.object({ date: z.iso.date() }) } },
    async (req, reply) => {
      const actor = requireActor(req);
      await requireProvinceAdmin(ctx, actor);
      await ctx.db.transaction(async (trx) => {
        await ctx.calendar.deleteDay(trx, req.params.date);
        await audit(trx, { actorId: actor.officer.id, action: 'calendar.delete_day', entity: 'calendar_day', entityId: req.params.date, ip: actor.ip });
      });
      ctx.calendar.invalidate();
      return reply.status(204).send();
    },
  );
  app.get('/api/v1/calendar/office-hours', { config: { public: true }, schema: { tags: ['calendar'], summary: 'Office hours', response: { 200: z.object({ officeHours: z.string() }) } } }, async () => ({
    officeHours: await ctx.calendar.officeHours(),
  }));
  app.put(
    '/api/v1/calendar/office-hours',
    { schema: { tags: ['calendar'], summary: 'Set office hours, e.g. 07:30-11:30,13:30-17:00', body: z.object({ officeHours: z.string().max(100) }), response: { 200: z.object({ officeHours: z.string() }) } } },
    async (req) => {
      const actor = requireActor(req);
      await requireProvinceAdmin(ctx, actor);
      const officeHours = await ctx.db.transaction(async (trx) => {
        const v = await ctx.calendar.setOfficeHours(trx, req.body.officeHours, actor.officer.id);
        await audit(trx, { actorId: actor.officer.id, action: 'calendar.office_hours', entity: 'settings', entityId: 'calendar.office_hours', ip: actor.ip, detail: { value: v } });
        return v;
      });
      ctx.calendar.invalidate();
      return { officeHours };
    },
  );
  app.get(
    '/api/v1/calendar/due-date',
    {
      config: { public: true },
      schema: {
        tags: ['calendar'],
        summary: 'Preview a due date in working time',
        querystring: z.object({ receivedAt: z.iso.datetime({ offset: true }), value: z.coerce.number().positive().max(365), unit: z.enum(['working_days', 'working_hours']) }),
        response: { 200: z.object({ receivedAt: z.string(), dueAt: z.string() }) },
      },
    },
    async (req) => {
      const cal = await ctx.calendar.calendar();
      const at = new Date(req.query.receivedAt);
      return { receivedAt: toLocalIso(at), dueAt: toLocalIso(cal.dueAt(at, { value: req.query.value, unit: req.query.unit })) };
    },
  );
}
