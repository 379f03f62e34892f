/** GET /api/v1/reports/ii06a in JSON, CSV or XLSX, for a unit the officer covers. */
import { z } from 'zod';
import { presetPeriod, validatePeriod, type Period } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { requireActor } from '../../http/auth.ts';
import type { ZodApp } from '../../http/types.ts';
import { Problem } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import { requireRoleOnUnit } from '../auth/service.ts';
import { ii06aReport, resolveReportUnit } from './service.ts';
import { renderIi06aCsv } from './ii06aCsv.ts';

export const ReportQuery = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  preset: z.enum(['month', 'quarter', 'half', 'nine_months', 'year']).optional().describe('15th-to-14th periods; with year (and index for month/quarter)'),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  index: z.coerce.number().int().min(1).max(12).optional(),
  unit: z.string().max(20).optional().describe('unit code; default the province'),
  by: z.enum(['unit', 'sector']).default('unit'),
  format: z.enum(['json', 'csv', 'xlsx', 'pdf']).default('json'),
  lang: z.enum(['vi', 'en']).default('vi'),
});
export type ReportQueryT = z.infer<typeof ReportQuery>;

export function periodOf(q: { from?: string | undefined; to?: string | undefined; preset?: ReportQueryT['preset']; year?: number | undefined; index?: number | undefined }): Period {
  try {
    if (q.preset) {
      if (!q.year) throw new Error('a preset needs a year');
      return presetPeriod(q.preset, q.year, q.index);
    }
    if (!q.from || !q.to) throw new Error('give from and to, or a preset with a year');
    return validatePeriod(q.from, q.to);
  } catch (e) {
    throw new Problem(400, 'report.bad_period', (e as Error).message);
  }
}

const RowSchema = z.object({
  code: z.string(), name: z.string(),
  receivedTotal: z.number(), receivedOnline: z.number(), receivedDirect: z.number(), carriedOver: z.number(),
  resolvedTotal: z.number(), resolvedBefore: z.number(), resolvedOn: z.number(), resolvedLate: z.number(),
  withdrawn: z.number(), inProgressTotal: z.number(), inProgressWithin: z.number(), inProgressOverdue: z.number(),
});

export function reportRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/api/v1/reports/ii06a',
    {
      schema: {
        tags: ['reports'],
        summary: 'Biểu II.06a: rows are the unit’s direct children (or its sectors with by=sector), total is the unit',
        security: [{ bearer: [] }, { cookie: [] }],
        querystring: ReportQuery,
        response: {
          200: z.union([
            z.object({
              period: z.object({ from: z.string(), to: z.string() }),
              unit: z.object({ code: z.string(), name: z.string() }).nullable(),
              by: z.enum(['unit', 'sector']),
              rows: z.array(RowSchema),
              total: RowSchema,
              checks: z.array(z.object({ rule: z.string(), row: z.string(), ok: z.boolean(), detail: z.string() })),
              generatedAt: z.string(),
            }),
            z.string(),
            z.instanceof(Buffer),
          ]),
        },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const period = periodOf(req.query);
      // The figures come from the read replica when there is one; the role check and the audit entry from and to the primary.
      const unit = await ctx.db.read((db) => resolveReportUnit(db, req.query.unit, period));
      await requireRoleOnUnit(ctx.db.kysely, actor.officer, unit.id);
      const report = await ctx.db.read((db) => ii06aReport(db, { period, unitCode: unit.code, by: req.query.by }, ctx.now()));
      await audit(ctx.db.kysely, { actorId: actor.officer.id, action: 'report.ii06a', entity: 'report', entityId: unit.code, ip: actor.ip, detail: { ...period, by: req.query.by, format: req.query.format } });
      const name = `II06a_${unit.code}_${period.from}_${period.to}`;
      if (req.query.format === 'csv')
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(renderIi06aCsv(report, req.query.lang));
      if (req.query.format === 'pdf')
        return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(await (await import('./ii06aPdf.ts')).renderIi06aPdf(report));
      if (req.query.format === 'xlsx')
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${name}.xlsx"`)
          .send(await (await import('./ii06aXlsx.ts')).renderIi06aXlsx(report));
      return report;
    },
  );
}
