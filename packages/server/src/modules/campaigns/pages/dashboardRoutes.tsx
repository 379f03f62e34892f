/**
 * Routes of the dashboard in the back office: the page (`/office/dashboard`), the tables as
 * XLSX or CSV (`/office/dashboard/export?table=&format=`) and the one-page PDF summary
 * (`/office/dashboard/summary.pdf`), all with the same query. openDashboard authorizes every
 * one (admin, leader or officer on the unit's subtree). Downloads are audited (the figures
 * leave the system); page views are not (aggregates only, nothing personal).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import { Problem } from '../../../http/problem.ts';
import type { ZodApp } from '../../../http/types.ts';
import { sendPage } from '../../../web/render.tsx';
import { audit } from '../../audit/service.ts';
import { requestMeta } from '../../auth/admin/guard.ts';
import type { Officer } from '../../auth/service.ts';
import type { Dashboard } from '../dashboard.ts';
import { renderDashboardCsv } from '../dashboardCsv.ts';
import { exportFileName, exportTable } from '../dashboardExportTable.ts';
import { DASHBOARD_PATH, DashboardExportQuery, DashboardPageQuery, parseDashboardQuery, toDashboardQuery } from '../dashboardQuery.ts';
import { loadDashboardPage } from '../dashboardView.ts';
import { openDashboard } from '../service.ts';
import { DashboardPage } from './dashboardPage.tsx';
import { DOWNLOAD_TYPES, officerOf } from '../../../web/officeRequest.ts';

function download(reply: FastifyReply, name: string, type: keyof typeof DOWNLOAD_TYPES, body: string | Buffer): FastifyReply {
  return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${name}"`).type(DOWNLOAD_TYPES[type]).send(body);
}

async function audited(ctx: AppContext, req: FastifyRequest, officer: Officer, d: Dashboard, what: string, format: string): Promise<void> {
  await audit(ctx.db.kysely, {
    actorId: officer.id,
    action: 'dashboard.exported',
    entity: 'unit',
    entityId: d.unit.code,
    detail: { what, format, campaign: d.campaign?.id ?? null, ...d.period },
    ...requestMeta(req),
  });
}

export function dashboardPages(app: ZodApp, ctx: AppContext): void {
  app.get(DASHBOARD_PATH, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const q = parseDashboardQuery(DashboardPageQuery, req.query);
    const values = { from: q.from ?? '', to: q.to ?? '' };
    try {
      const view = await loadDashboardPage(ctx, officer, toDashboardQuery(q));
      return sendPage(reply, <DashboardPage p={req.page} officer={officer} view={view} values={values} errors={{}} />);
    } catch (e) {
      if (!(e instanceof Problem) || e.code !== 'campaign.bad_period') throw e;
      // The form again with what was typed and what is wrong with it (authorized as usual).
      const view = await loadDashboardPage(ctx, officer, toDashboardQuery({ ...q, from: undefined, to: undefined }));
      return sendPage(reply, <DashboardPage p={req.page} officer={officer} view={view} values={values} errors={{ from: req.page.t('dashboard.error.period') }} />, 400);
    }
  });

  app.get(`${DASHBOARD_PATH}/export`, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const q = parseDashboardQuery(DashboardExportQuery, req.query);
    const { dashboard } = await openDashboard(ctx, officer, toDashboardQuery(q));
    const p = req.page;
    const table = exportTable(dashboard, q.table, p.t, p.lang);
    await audited(ctx, req, officer, dashboard, q.table, q.format);
    const name = exportFileName(dashboard, q.table, q.format);
    if (q.format === 'csv') return download(reply, name, 'csv', renderDashboardCsv(table));
    // ExcelJS and pdfkit are loaded on the first download, not at start.
    const { renderDashboardXlsx } = await import('../dashboardXlsx.ts');
    return download(reply, name, 'xlsx', await renderDashboardXlsx(dashboard, table, p.t, ctx.now()));
  });

  app.get(`${DASHBOARD_PATH}/summary.pdf`, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const q = parseDashboardQuery(DashboardPageQuery, req.query);
    const { dashboard, trail } = await openDashboard(ctx, officer, toDashboardQuery(q));
    await audited(ctx, req, officer, dashboard, 'summary', 'pdf');
    const { renderDashboardPdf } = await import('../dashboardPdf.ts');
    const pdf = await renderDashboardPdf({ dashboard, trail, t: req.page.t, lang: req.page.lang, generatedAt: ctx.now() });
    return download(reply, exportFileName(dashboard, 'tom-tat', 'pdf'), 'pdf', pdf);
  });
}
