/** The procedure catalogue (public): search ignores diacritics and word order. */
import { z } from 'zod';
import { searchTokens } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { notFound } from '../../http/problem.ts';
import { findProcedureByCode, listProcedures, listSectors, type ProcedureRecord } from './queries.ts';

const ProcedureSummary = z.object({
  code: z.string(),
  nameVi: z.string(),
  nameEn: z.string(),
  sector: z.string(),
  onlineLevel: z.enum(['full', 'partial']),
  sla: z.object({ value: z.number(), unit: z.enum(['working_days', 'working_hours']) }),
});
const ProcedureView = ProcedureSummary.extend({
  level: z.string(),
  fees: z.unknown(),
  requiredDocuments: z.unknown(),
  form: z.unknown(),
  eligibilityVi: z.string(),
  eligibilityEn: z.string(),
  lifeEvents: z.array(z.string()),
});

const summary = (p: ProcedureRecord) => ({
  code: p.code,
  nameVi: p.name_vi,
  nameEn: p.name_en,
  sector: p.sector_code,
  onlineLevel: p.online_level,
  sla: { value: p.sla_value, unit: p.sla_unit },
});

export function procedureRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/api/v1/procedures',
    {
      config: { public: true },
      schema: {
        tags: ['procedures'],
        summary: 'Search the procedure catalogue',
        querystring: z.object({
          q: z.string().max(100).optional(),
          sector: z.string().max(10).optional(),
          onlineLevel: z.enum(['full', 'partial']).optional(),
          lifeEvent: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(ProcedureSummary) }) },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listProcedures(ctx.db.kysely, { sector: q.sector, onlineLevel: q.onlineLevel, lifeEvent: q.lifeEvent, searchTokens: q.q ? searchTokens(q.q) : [], limit: q.limit, offset: q.offset });
      return { items: rows.map(summary) };
    },
  );
  app.get(
    '/api/v1/procedures/:code',
    { config: { public: true }, schema: { tags: ['procedures'], summary: 'One procedure with fees, required documents and its form', params: z.object({ code: z.string().max(20) }), response: { 200: ProcedureView } } },
    async (req) => {
      const p = await findProcedureByCode(ctx.db.kysely, req.params.code);
      if (!p) throw notFound('procedure.not_found', `no procedure ${req.params.code}`);
      return {
        ...summary(p),
        level: p.level,
        fees: p.fees,
        requiredDocuments: p.required_documents,
        form: p.form,
        eligibilityVi: p.eligibility_vi,
        eligibilityEn: p.eligibility_en,
        lifeEvents: p.life_events,
      };
    },
  );
  app.get(
    '/api/v1/sectors',
    { config: { public: true }, schema: { tags: ['procedures'], summary: 'Sectors (lĩnh vực)', response: { 200: z.object({ items: z.array(z.object({ code: z.string(), nameVi: z.string(), nameEn: z.string() })) }) } } },
    async () => ({ items: (await listSectors(ctx.db.kysely)).map((s) => ({ code: s.code, nameVi: s.name_vi, nameEn: s.name_en })) }),
  );
}
