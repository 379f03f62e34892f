/**
 * The II.06a report in the back office: the page (`/office/reports/ii06a`) and its downloads
 * (`/office/reports/ii06a.xlsx|.csv|.pdf`) with the same parameters. Any officer role on the
 * unit's subtree may see it, as for the JSON API; downloads are audited (the figures leave the
 * system), page views are not (aggregates only, no personal data).
 */
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import type { ZodApp } from '../../http/types.ts';
import { sendPage } from '../../web/render.tsx';
import { audit } from '../audit/service.ts';
import { renderIi06aCsv } from './ii06aCsv.ts';
import { Ii06aPage, REPORT_PATH } from './pages/ii06aPage.tsx';
import { chartPeriods, ReportPageQuery, resolvePeriod } from './pages/query.ts';
import { loadReportForDownload, loadReportView } from './view.ts';
import { DOWNLOAD_TYPES, officerOf } from '../../web/officeRequest.ts';

export function reportPages(app: ZodApp, ctx: AppContext): void {
  app.get(REPORT_PATH, { schema: { hide: true } }, async (req, reply) => {
    const officer = officerOf(req);
    const q = ReportPageQuery.parse(req.query ?? {});
    const now = ctx.now();
    const { period, choice, errors } = resolvePeriod(q, now);
    const p = req.page;
    const translated = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, p.t(v)]));
    if (!period) {
      const page = <Ii06aPage p={p} officer={officer} choice={choice} by={q.by} now={now} view={null} errors={translated} unitParam={q.unit ?? null} />;
      return sendPage(reply, page, 400);
    }
    // Read from the replica when there is one (the figures may lag it by a moment).
    const view = await ctx.db.read((db) => loadReportView(db, officer, { period, unitCode: q.unit, by: q.by, chartPeriods: chartPeriods(choice, period), lang: p.lang }, now));
    return sendPage(reply, <Ii06aPage p={p} officer={officer} choice={choice} by={q.by} now={now} view={view} errors={{}} unitParam={q.unit ?? null} />);
  });

  for (const format of Object.keys(DOWNLOAD_TYPES) as (keyof typeof DOWNLOAD_TYPES)[]) {
    app.get(`${REPORT_PATH}.${format}`, { schema: { hide: true } }, async (req, reply) => {
      const officer = officerOf(req);
      const q = ReportPageQuery.parse(req.query ?? {});
      const { period, errors } = resolvePeriod(q, ctx.now());
      if (!period) throw new Problem(400, 'report.bad_period', Object.values(errors).join(', '));
      const report = await ctx.db.read((db) => loadReportForDownload(db, officer, { period, unitCode: q.unit, by: q.by }, ctx.now()));
      // The audit entry is a write: always the primary.
      await audit(ctx.db.kysely, {
        actorId: officer.id,
        action: 'report.ii06a',
        entity: 'report',
        entityId: report.unit?.code ?? null,
        ip: req.ip,
        detail: { ...period, by: q.by, format },
      });
      const name = `II06a_${report.unit?.code ?? 'all'}_${period.from}_${period.to}${q.by === 'sector' ? '_linh-vuc' : ''}.${format}`;
      // ExcelJS and pdfkit (about 37 MB together) are loaded on the first download, not at start.
      const body = format === 'xlsx' ? await (await import('./ii06aXlsx.ts')).renderIi06aXlsx(report) : format === 'pdf' ? await (await import('./ii06aPdf.ts')).renderIi06aPdf(report) : renderIi06aCsv(report, req.page.lang === 'en' ? 'en' : 'vi');
      return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${name}"`).type(DOWNLOAD_TYPES[format]).send(body);
    });
  }
}
