/**
 * Routes of the team activity page: the page (`/office/activity`) and its tables as CSV or
 * XLSX (`/office/activity/export?table=&format=`), with the same query. Both authorize first
 * (admin, leader or officer whose role covers the unit). Downloads are audited: they carry
 * team members' names and their notes out of the system.
 */
import type { FastifyReply } from 'fastify';
import { localDateOf } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import { Problem } from '../../../http/problem.ts';
import type { ZodApp } from '../../../http/types.ts';
import { sendPage } from '../../../web/render.tsx';
import { audit } from '../../audit/service.ts';
import { requestMeta } from '../../auth/admin/guard.ts';
import { ACTIVITY_PATH, ActivityExportQuery, ActivityQuery, authorizeActivity, openActivity, OVERDUE_EXPORT_LIMIT, readActivityQuery, requireValidChoice } from '../activity.ts';
import { activityFileName, activityTable, renderActivityCsv } from '../activityExport.ts';
import { trailOf } from '../service.ts';
import { ActivityPage } from './activityPage.tsx';
import { DOWNLOAD_TYPES, officerOf } from '../../../web/officeRequest.ts';

function parse<T extends typeof ActivityQuery | typeof ActivityExportQuery>(schema: T, raw: unknown): ReturnType<T['parse']> {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new Problem(400, 'request.invalid', parsed.error.issues.map((i) => i.path.join('.')).join(', '));
  return parsed.data as ReturnType<T['parse']>;
}

function download(reply: FastifyReply, name: string, type: keyof typeof DOWNLOAD_TYPES, body: string | Buffer): FastifyReply {
  return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${name}"`).type(DOWNLOAD_TYPES[type]).send(body);
}

export function activityPages(app: ZodApp, ctx: AppContext): void {
  app.get(ACTIVITY_PATH, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const q = parse(ActivityQuery, req.query);
    const today = localDateOf(ctx.now());
    const choice = readActivityQuery(q, today);
    const values = { from: q.from ?? '', to: q.to ?? '', idle: q.idle ?? '' };
    const p = req.page;
    if (Object.keys(choice.errors).length > 0) {
      // The form again with what was typed and what is wrong with it (authorized as usual).
      const unit = await authorizeActivity(ctx, officer, choice.unit, today);
      const errors = Object.fromEntries(Object.entries(choice.errors).map(([k, key]) => [k, p.t(key)]));
      return sendPage(reply, <ActivityPage p={p} officer={officer} view={null} unit={unit} trail={await trailOf(ctx.db.kysely, unit)} values={values} errors={errors} />, 400);
    }
    const view = await openActivity(ctx, officer, choice);
    return sendPage(reply, <ActivityPage p={p} officer={officer} view={view} unit={view.unit} trail={view.trail} values={values} errors={{}} />);
  });

  app.get(`${ACTIVITY_PATH}/export`, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const q = parse(ActivityExportQuery, req.query);
    const choice = readActivityQuery(q, localDateOf(ctx.now()));
    // Who may comes first: a bad period from someone without the right is still a 403.
    await authorizeActivity(ctx, officer, choice.unit, choice.period.to);
    requireValidChoice(choice);
    const view = await openActivity(ctx, officer, choice, OVERDUE_EXPORT_LIMIT);
    const table = activityTable(view, q.table, req.page.t);
    await audit(ctx.db.kysely, {
      actorId: officer.id,
      action: 'activity.exported',
      entity: 'unit',
      entityId: view.unit.code,
      detail: { table: q.table, format: q.format, rows: table.rows.length, ...view.period, idleDays: view.idleDays },
      ...requestMeta(req),
    });
    const name = activityFileName(view, q.table, q.format);
    if (q.format === 'csv') return download(reply, name, 'csv', renderActivityCsv(table));
    const { renderActivityXlsx } = await import('../activityXlsx.ts');
    return download(reply, name, 'xlsx', await renderActivityXlsx(view, table, req.page.t, ctx.now()));
  });
}
