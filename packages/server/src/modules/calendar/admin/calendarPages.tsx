/** Holidays, make-up working days and office hours, one year at a time. */
import { z } from 'zod';
import { localDateOf } from '@causo/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { Problem } from '../../../http/problem.ts';
import { OfficePage } from '../../../web/layout.tsx';
import { sendPage, redirectAfterPost } from '../../../web/render.tsx';
import { BackLink, Choices, CsrfField, Submit, TextField } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { adminScope, requestMeta } from '../../auth/admin/guard.ts';
import { DoneNotice, IssueSummary, formString, localDate, type FormIssue } from '../../auth/admin/ui.tsx';
import { addDay, checkDay, removeDay, saveOfficeHours, type Actor } from './calendarAdmin.ts';

interface Day {
  date: string;
  kind: 'holiday' | 'workday';
  name_vi: string;
  name_en: string;
  verified: boolean;
}

const Year = z.coerce.number().int().min(2000).max(2100);
const DayForm = z.object({
  date: z.string({ message: 'admin.calendar.error.date' }).trim().min(1, 'admin.calendar.error.date'),
  kind: z.enum(['holiday', 'workday'], { message: 'admin.calendar.error.kind' }),
  nameVi: z.string({ message: 'form.error.required' }).trim().min(1, 'form.error.required').max(200, 'admin.calendar.error.name_long'),
  nameEn: z.string().trim().max(200, 'admin.calendar.error.name_long').default(''),
});

const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface PageState {
  year: number;
  days: Day[];
  officeHours: string;
  issues: FormIssue[];
  dayValues: Record<string, string>;
  hoursValue?: string;
}

function CalendarPage({ p, officer, s }: { p: PageRequest; officer: Officer | null; s: PageState }) {
  const err = (f: string) => s.issues.find((i) => i.field === f)?.message;
  const name = (d: Day) => (p.lang === 'vi' ? d.name_vi : d.name_en);
  return (
    <OfficePage p={p} title={p.t('admin.calendar.title', { year: String(s.year) })} officer={officer} hasErrors={s.issues.length > 0}>
      <BackLink href="/office/admin" label={p.t('admin.back_to_index')} />
      <h1>{p.t('admin.calendar.title', { year: String(s.year) })}</h1>
      <DoneNotice p={p} area="admin.calendar" />
      <IssueSummary p={p} issues={s.issues} />
      <p>{p.t('admin.calendar.lead')}</p>
      <nav aria-label={p.t('admin.calendar.years')}>
        <ul class="plain filters">
          <li>
            <a href={`/office/admin/calendar?year=${s.year - 1}`}>← {s.year - 1}</a>
          </li>
          <li>
            <a href={`/office/admin/calendar?year=${s.year + 1}`}>{s.year + 1} →</a>
          </li>
        </ul>
      </nav>
      {s.days.length === 0 ? (
        <p class="notice warn">{p.t('admin.calendar.none', { year: String(s.year) })}</p>
      ) : (
        <table>
          <caption class="muted">{p.t('admin.calendar.caption', { year: String(s.year) })}</caption>
          <thead>
            <tr>
              <th scope="col">{p.t('admin.calendar.date')}</th>
              <th scope="col">{p.t('admin.calendar.kind')}</th>
              <th scope="col">{p.t('admin.calendar.name')}</th>
              <th scope="col">
                <span class="muted">{p.t('admin.calendar.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {s.days.map((d) => (
              <tr key={d.date}>
                <td>
                  {p.t(`admin.calendar.weekday.${WEEKDAY_KEYS[new Date(`${d.date}T00:00:00Z`).getUTCDay()]}`)} {localDate(d.date)}
                </td>
                <td>
                  <span class={d.kind === 'holiday' ? 'tag soon' : 'tag ok'}>{p.t(`admin.calendar.kind.${d.kind}`)}</span> {d.verified ? null : <span class="tag">{p.t('admin.calendar.unverified')}</span>}
                </td>
                <td>{name(d)}</td>
                <td>
                  <form method="post" action="/office/admin/calendar/days/remove" class="inline-form">
                    <CsrfField p={p} />
                    <input type="hidden" name="date" value={d.date} />
                    <Submit secondary confirm={p.t('admin.calendar.remove_confirm')}>
                      {p.t('admin.calendar.remove', { date: localDate(d.date) })}
                    </Submit>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{p.t('admin.calendar.add_title')}</h2>
      <form method="post" action="/office/admin/calendar/days" novalidate>
        <CsrfField p={p} />
        <TextField name="date" type="date" label={p.t('admin.calendar.date')} hint={p.t('admin.calendar.date_hint')} value={s.dayValues.date} error={err('date')} />
        <Choices
          name="kind"
          legend={p.t('admin.calendar.kind')}
          value={s.dayValues.kind ?? 'holiday'}
          error={err('kind')}
          options={[
            { value: 'holiday', label: p.t('admin.calendar.kind.holiday'), hint: p.t('admin.calendar.kind.holiday_hint') },
            { value: 'workday', label: p.t('admin.calendar.kind.workday'), hint: p.t('admin.calendar.kind.workday_hint') },
          ]}
        />
        <TextField name="nameVi" label={p.t('admin.calendar.name_vi')} value={s.dayValues.nameVi} error={err('nameVi')} />
        <TextField name="nameEn" label={p.t('admin.calendar.name_en')} hint={p.t('admin.calendar.name_en_hint')} value={s.dayValues.nameEn} error={err('nameEn')} />
        <Submit>{p.t('admin.calendar.add_button')}</Submit>
      </form>
      <h2>{p.t('admin.calendar.hours_title')}</h2>
      <form method="post" action="/office/admin/calendar/office-hours" novalidate>
        <CsrfField p={p} />
        <TextField name="officeHours" label={p.t('admin.calendar.hours_label')} hint={p.t('admin.calendar.hours_hint')} value={s.hoursValue ?? s.officeHours} error={err('officeHours')} />
        <Submit>{p.t('admin.calendar.hours_button')}</Submit>
      </form>
    </OfficePage>
  );
}

export function calendarAdminPages(app: ZodApp, ctx: AppContext): void {
  const actorOf = (req: FastifyRequest): Actor => ({ id: adminScope(req).officer.id, ...requestMeta(req) });
  const body = (req: FastifyRequest) => Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, formString(v)]));

  async function show(req: FastifyRequest, reply: FastifyReply, year: number, extra: Partial<PageState> = {}) {
    const state: PageState = { year, days: (await ctx.calendar.listDays(year)) as Day[], officeHours: await ctx.calendar.officeHours(), issues: [], dayValues: {}, ...extra };
    return sendPage(reply, <CalendarPage p={req.page} officer={req.officer} s={state} />, state.issues.length ? 400 : 200);
  }

  app.get('/office/admin/calendar', { schema: { hide: true, querystring: z.object({ year: Year.optional() }) } }, async (req, reply) =>
    show(req, reply, req.query.year ?? Number(localDateOf(ctx.now()).slice(0, 4))),
  );

  app.post('/office/admin/calendar/days', { schema: { hide: true } }, async (req, reply) => {
    const values = body(req);
    const year = /^\d{4}/.test(values.date ?? '') ? Number(values.date?.slice(0, 4)) : Number(localDateOf(ctx.now()).slice(0, 4));
    const safeYear = Year.safeParse(year).success ? year : Number(localDateOf(ctx.now()).slice(0, 4));
    const parsed = DayForm.safeParse(values);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: req.page.t(i.message.includes(' ') ? 'form.error.invalid' : i.message) }));
      return show(req, reply, safeYear, { issues, dayValues: values });
    }
    const day = { ...parsed.data, nameEn: parsed.data.nameEn || parsed.data.nameVi };
    const bad = checkDay(day);
    if (bad) return show(req, reply, safeYear, { issues: [{ field: bad.field, message: req.page.t(bad.key) }], dayValues: values });
    await addDay(ctx, actorOf(req), day);
    return redirectAfterPost(reply, `/office/admin/calendar?year=${day.date.slice(0, 4)}&done=day_added`);
  });

  app.post('/office/admin/calendar/days/remove', { schema: { hide: true } }, async (req, reply) => {
    const date = body(req).date ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Problem(400, 'request.invalid', 'date must be YYYY-MM-DD');
    const removed = await removeDay(ctx, actorOf(req), date);
    return redirectAfterPost(reply, `/office/admin/calendar?year=${date.slice(0, 4)}&done=${removed ? 'day_removed' : 'day_missing'}`);
  });

  app.post('/office/admin/calendar/office-hours', { schema: { hide: true } }, async (req, reply) => {
    const text = (body(req).officeHours ?? '').trim();
    const year = Number(localDateOf(ctx.now()).slice(0, 4));
    try {
      await saveOfficeHours(ctx, actorOf(req), text.slice(0, 100));
    } catch (e) {
      if (e instanceof Problem && e.code === 'calendar.bad_office_hours')
        return show(req, reply, year, { issues: [{ field: 'officeHours', message: req.page.t('admin.calendar.error.hours') }], hoursValue: text });
      throw e;
    }
    return redirectAfterPost(reply, `/office/admin/calendar?year=${year}&done=hours_saved`);
  });
}
