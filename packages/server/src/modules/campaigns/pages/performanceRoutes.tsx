/**
 * Routes of the public performance pages: `/performance` (the province in force, or another
 * with ?province=), `/performance/:code` (a commune, or a district of an older tree) and
 * `/performance.csv` (the same tables). No sign-in. What they show is computed once per few
 * seconds for everyone (viewCache.ts) and may be kept by browsers and shared caches for a few
 * minutes, except for a signed-in visitor, whose page carries their own menu.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { localDateOf } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import { notFound } from '../../../http/problem.ts';
import type { ZodApp } from '../../../http/types.ts';
import { renderPage } from '../../../web/render.tsx';
import { cachedView } from '../../reports/viewCache.ts';
import type { DashboardUnit } from '../dashboard.ts';
import { buildAreaView, buildCommuneView, provincesInForce, publicUnit, type AreaView, type CommuneView } from '../performance.ts';
import { renderAreaCsv, renderCommuneCsv } from '../performanceCsv.ts';
import { choosePeriod, CodeParams, isUnitCode, PERFORMANCE_PATH, PerformanceQuery, performanceHref, type ChosenPeriod } from '../performanceQuery.ts';
import { AreaPage, CommunePage } from './performancePage.tsx';

/** Long enough to spare the server a crowd, short enough that a morning's figures show by noon. */
const SHARED_MAX_AGE = 300;

function cacheHeaders(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const personal = req.citizen !== null || req.officer !== null || 'lang' in ((req.query ?? {}) as Record<string, unknown>);
  // The language can come from a cookie, so shared caches keep one copy per cookie header.
  return reply.header('cache-control', personal ? 'private, no-store' : `public, max-age=${SHARED_MAX_AGE}`).header('vary', 'Cookie');
}

function sendPublic(req: FastifyRequest, reply: FastifyReply, node: VNode): FastifyReply {
  return cacheHeaders(req, reply).type('text/html; charset=utf-8').send(renderPage(node));
}

interface Provinces {
  unit: DashboardUnit;
  all: { code: string; name: string }[];
  isDefault: boolean;
}

async function pickProvince(ctx: AppContext, code: string | undefined, today: string): Promise<Provinces> {
  const all = await cachedView(ctx.db, JSON.stringify(['performance.provinces', today]), () => provincesInForce(ctx.db.kysely, today));
  const first = all[0];
  if (!first) throw notFound('unit.not_found', 'no province in force');
  const unit = code ? all.find((p) => p.code === code) : first;
  if (!unit) throw notFound('unit.not_found', `no province ${code ?? ''} in force`);
  return { unit, all: all.map((p) => ({ code: p.code, name: p.name })), isDefault: unit.code === first.code };
}

const areaView = (ctx: AppContext, unit: DashboardUnit, chosen: ChosenPeriod): Promise<AreaView> =>
  cachedView(ctx.db, JSON.stringify(['performance.area', unit.id, chosen.period]), () => buildAreaView(ctx.db.kysely, unit, chosen.period));
const communeView = (ctx: AppContext, unit: DashboardUnit, chosen: ChosenPeriod): Promise<CommuneView> =>
  cachedView(ctx.db, JSON.stringify(['performance.commune', unit.id, chosen.period]), () => buildCommuneView(ctx.db.kysely, unit, chosen.period));

export function performancePages(app: ZodApp, ctx: AppContext): void {
  const provinceLinkFor = (all: Provinces['all'], chosen: ChosenPeriod) => (code: string) => performanceHref(PERFORMANCE_PATH, chosen.choice, code === all[0]?.code ? {} : { province: code });

  app.get(PERFORMANCE_PATH, { schema: { hide: true } }, async (req, reply) => {
    const q = PerformanceQuery.parse(req.query ?? {});
    const today = localDateOf(ctx.now());
    const chosen = choosePeriod(q.period, today);
    const provinces = await pickProvince(ctx, q.province, today);
    const view = await areaView(ctx, provinces.unit, chosen);
    return sendPublic(req, reply, <AreaPage p={req.page} citizen={req.citizen} view={view} chosen={chosen} provinces={provinces.all} isDefault={provinces.isDefault} />);
  });

  app.get(`${PERFORMANCE_PATH}/:code`, { schema: { hide: true, params: CodeParams } }, async (req, reply) => {
    if (!isUnitCode(req.params.code)) throw notFound('unit.not_found', 'not a unit code');
    const q = PerformanceQuery.parse(req.query ?? {});
    const today = localDateOf(ctx.now());
    const chosen = choosePeriod(q.period, today);
    const unit = await publicUnit(ctx.db.kysely, req.params.code, today);
    const provinces = await pickProvince(ctx, undefined, today).catch(() => null);
    const link = provinceLinkFor(provinces?.all ?? [], chosen);
    if (unit.level === 'commune') {
      const view = await communeView(ctx, unit, chosen);
      return sendPublic(req, reply, <CommunePage p={req.page} citizen={req.citizen} view={view} chosen={chosen} provinceLink={link} />);
    }
    const view = await areaView(ctx, unit, chosen);
    return sendPublic(req, reply, <AreaPage p={req.page} citizen={req.citizen} view={view} chosen={chosen} provinces={unit.level === 'province' ? (provinces?.all ?? []) : []} isDefault={unit.code === provinces?.all[0]?.code} />);
  });

  app.get(`${PERFORMANCE_PATH}.csv`, { schema: { hide: true } }, async (req, reply) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const q = PerformanceQuery.parse(raw);
    const code = typeof raw.unit === 'string' && isUnitCode(raw.unit) ? raw.unit : undefined;
    const today = localDateOf(ctx.now());
    const chosen = choosePeriod(q.period, today);
    const unit = code ? await publicUnit(ctx.db.kysely, code, today) : (await pickProvince(ctx, q.province, today)).unit;
    const t = req.page.t;
    const body = unit.level === 'commune' ? renderCommuneCsv(await communeView(ctx, unit, chosen), t) : renderAreaCsv(await areaView(ctx, unit, chosen), t, req.page.lang);
    const name = `ket-qua-phuc-vu-${unit.code}-${chosen.period.from}-${chosen.period.to}.csv`;
    return cacheHeaders(req, reply).header('content-disposition', `attachment; filename="${name}"`).type('text/csv; charset=utf-8').send(body);
  });
}
