/** Administrative units: public reference data (GSO codes), dated, with the 2025 old→new mapping. */
import { z } from 'zod';
import { foldDiacritics, localDateOf } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { notFound } from '../../http/problem.ts';
import { childrenOf, findUnitByCode, findUnitById, findUnitVersions, listUnits, replacementsOf, type UnitRecord } from './queries.ts';

const UnitView = z.object({
  code: z.string(),
  name: z.string(),
  type: z.string(),
  level: z.enum(['province', 'district', 'commune', 'village']),
  parentCode: z.string().nullable(),
  agencyCode: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});

async function view(app: AppContext, u: UnitRecord, parentCodes = new Map<number, string>()) {
  let parentCode: string | null = null;
  if (u.parent_id !== null) parentCode = parentCodes.get(u.parent_id) ?? (await findUnitById(app.db.kysely, u.parent_id))?.code ?? null;
  return { code: u.code, name: u.name, type: u.type, level: u.level, parentCode, agencyCode: u.agency_code, validFrom: u.valid_from, validTo: u.valid_to };
}

export function unitRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/api/v1/units',
    {
      config: { public: true },
      schema: {
        tags: ['units'],
        summary: 'List administrative units',
        querystring: z.object({
          level: z.enum(['province', 'district', 'commune', 'village']).optional(),
          parent: z.string().optional().describe('parent unit code'),
          date: z.iso.date().optional().describe('only units in force on this date'),
          q: z.string().max(100).optional().describe('name, diacritics ignored'),
          limit: z.coerce.number().int().min(1).max(500).default(200),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(UnitView) }) },
      },
    },
    async (req) => {
      const q = req.query;
      let parentId: number | undefined;
      if (q.parent) {
        const p = (await findUnitByCode(ctx.db.kysely, q.parent, q.date ?? localDateOf(ctx.now()))) ?? (await findUnitVersions(ctx.db.kysely, q.parent))[0];
        if (!p) throw notFound('unit.not_found', `no unit ${q.parent}`);
        parentId = p.id;
      }
      const rows = await listUnits(ctx.db.kysely, { level: q.level, parentId, date: q.date, search: q.q ? foldDiacritics(q.q) : undefined, limit: q.limit, offset: q.offset });
      return { items: await Promise.all(rows.map((u) => view(ctx, u))) };
    },
  );

  app.get(
    '/api/v1/units/:code',
    {
      config: { public: true },
      schema: {
        tags: ['units'],
        summary: 'One unit (the version in force on `date`, default today, else the latest), its children and its 2025 replacements',
        params: z.object({ code: z.string().min(2).max(20) }),
        querystring: z.object({ date: z.iso.date().optional() }),
        response: {
          200: UnitView.extend({
            children: z.array(UnitView),
            versions: z.array(z.object({ validFrom: z.string(), validTo: z.string().nullable(), name: z.string(), provinceCode: z.string() })),
            replacedBy: z.array(z.object({ code: z.string(), name: z.string(), kind: z.string(), effective: z.string() })),
            replaces: z.array(z.object({ code: z.string(), name: z.string(), kind: z.string(), effective: z.string() })),
          }),
        },
      },
    },
    async (req) => {
      const db = ctx.db.kysely;
      const versions = await findUnitVersions(db, req.params.code);
      const unit = (await findUnitByCode(db, req.params.code, req.query.date ?? localDateOf(ctx.now()))) ?? versions[0];
      if (!unit) throw notFound('unit.not_found', `no unit ${req.params.code}`);
      const children = await childrenOf(db, unit.id);
      const repl = await replacementsOf(db, unit.id);
      const parents = new Map([[unit.id, unit.code]]);
      return {
        ...(await view(ctx, unit)),
        children: await Promise.all(children.map((c) => view(ctx, c, parents))),
        versions: versions.map((v) => ({ validFrom: v.valid_from, validTo: v.valid_to, name: v.name, provinceCode: v.province_code })),
        replacedBy: repl.filter((r) => r.old_id === unit.id).map((r) => ({ code: r.new_code, name: r.new_name, kind: r.kind, effective: r.effective })),
        replaces: repl.filter((r) => r.new_id === unit.id).map((r) => ({ code: r.old_code, name: r.old_name, kind: r.kind, effective: r.effective })),
      };
    },
  );
}
