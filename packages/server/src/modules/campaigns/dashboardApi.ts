/**
 * GET /api/v1/dashboards: a unit's dashboard in JSON, for the officers who may see it (admin,
 * leader or officer on the unit's subtree; session cookie or bearer token). The same model as
 * the page: indicators with value, fraction, target and progress, child units ranked, the
 * unit's own level, the total, and the weekly values. Values are not rounded here. Audited
 * like the downloads: the figures leave the system.
 */
import { z } from 'zod';
import { BLOCKER_REASONS, INDICATOR_KEYS, INDICATORS, type IndicatorKey } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { requireActor } from '../../http/auth.ts';
import type { ZodApp } from '../../http/types.ts';
import { audit } from '../audit/service.ts';
import type { Dashboard, DashboardRow, DashboardUnit } from './dashboard.ts';
import { NO_CAMPAIGN, toDashboardQuery, UNIT_CODE } from './dashboardQuery.ts';
import { openDashboard } from './service.ts';

export const DashboardApiQuery = z.object({
  unit: z.string().regex(UNIT_CODE).optional().describe('unit code; default the widest unit the caller holds a dashboard role on'),
  campaign: z
    .union([z.literal(NO_CAMPAIGN), z.coerce.number().int().min(1).max(2_147_483_647)])
    .optional()
    .describe('campaign id, or "none"; default the campaign concerning the unit that runs today, if any'),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().describe('YYYY-MM-DD; default the campaign’s start, or 12 weeks back'),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().describe('YYYY-MM-DD; default today or the campaign’s end'),
  rank: z.enum(INDICATOR_KEYS).optional().describe('indicator to rank the children by; default the first indicator'),
});

const LEVELS = ['province', 'district', 'commune', 'village'] as const;
const UnitRef = z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS) });
const Value = z.number().nullable();
const CellSchema = z.object({
  indicator: z.enum(INDICATOR_KEYS),
  value: Value.describe('null means no data (never 0)'),
  numerator: Value,
  denominator: Value,
  target: Value,
  percentOfTarget: Value,
  met: z.boolean().nullable(),
});
const RowSchema = z.object({
  unit: UnitRef.nullable().describe('null for the unit’s own level (figures of the unit itself, not of a child)'),
  rank: z.number().int().nullable().describe('1 for the best; null without a value for the rank indicator'),
  cells: z.array(CellSchema),
});
const TargetCheck = z.object({
  status: z.enum(['ok', 'short', 'incomplete', 'no_children']),
  combined: z.number().optional(),
  missing: z.number().int().optional(),
});

export const DashboardResponse = z.object({
  unit: UnitRef,
  trail: z.array(UnitRef).describe('from the province down to the unit'),
  period: z.object({ from: z.string(), to: z.string() }),
  campaign: z
    .object({ id: z.number().int(), name: z.string(), startsOn: z.string(), endsOn: z.string(), ownerUnitCode: z.string(), coversUnit: z.boolean() })
    .nullable(),
  rankBy: z.enum(INDICATOR_KEYS),
  indicators: z.array(
    CellSchema.extend({
      kind: z.enum(['percent', 'count', 'days']),
      source: z.enum(['register', 'dossiers', 'field']),
      higherIsBetter: z.boolean(),
      name: z.object({ vi: z.string(), en: z.string() }),
      targetCheck: TargetCheck.nullable().describe('how the children’s targets compare with the unit’s'),
    }),
  ),
  children: z.array(RowSchema),
  own: RowSchema.nullable(),
  total: RowSchema,
  weeks: z.array(z.object({ from: z.string(), to: z.string(), values: z.array(z.object({ indicator: z.enum(INDICATOR_KEYS), value: Value })) })),
  openBlockersByReason: z.object(Object.fromEntries(BLOCKER_REASONS.map((r) => [r, z.number().int()])) as Record<(typeof BLOCKER_REASONS)[number], z.ZodNumber>),
  generatedAt: z.string(),
});
export type DashboardResponseT = z.infer<typeof DashboardResponse>;

const unitRef = (u: DashboardUnit) => ({ code: u.code, name: u.name, level: u.level });

function cells(d: Dashboard, row: DashboardRow) {
  return d.indicators.map((k: IndicatorKey) => {
    const c = row.cells[k];
    return { indicator: k, value: c.value, numerator: c.numerator, denominator: c.denominator, target: c.target, percentOfTarget: c.progress.percentOfTarget, met: c.progress.met };
  });
}

export function dashboardJson(d: Dashboard, trail: DashboardUnit[], generatedAt: Date): DashboardResponseT {
  let rank = 0;
  const ranked = (row: DashboardRow) => (row.cells[d.rankBy].value === null ? null : ++rank);
  return {
    unit: unitRef(d.unit),
    trail: trail.map(unitRef),
    period: d.period,
    campaign: d.campaign ? { id: d.campaign.id, name: d.campaign.name, startsOn: d.campaign.startsOn, endsOn: d.campaign.endsOn, ownerUnitCode: d.campaign.unitCode, coversUnit: d.covered } : null,
    rankBy: d.rankBy,
    indicators: cells(d, d.total).map((c) => {
      const def = INDICATORS[c.indicator];
      const check = d.targetChecks[c.indicator];
      return { ...c, kind: def.kind, source: def.source, higherIsBetter: def.higherIsBetter, name: def.name, targetCheck: check ? { ...check } : null };
    }),
    children: d.children.map((row) => ({ unit: row.unit ? unitRef(row.unit) : null, rank: ranked(row), cells: cells(d, row) })),
    own: d.own ? { unit: null, rank: null, cells: cells(d, d.own) } : null,
    total: { unit: unitRef(d.unit), rank: null, cells: cells(d, d.total) },
    weeks: d.weeks.map((w) => ({ from: w.week.from, to: w.week.to, values: d.indicators.map((k) => ({ indicator: k, value: w.values[k] })) })),
    openBlockersByReason: { ...d.openBlockersByReason },
    generatedAt: generatedAt.toISOString(),
  };
}

export function dashboardApiRoutes(app: ZodApp, ctx: AppContext): void {
  app.get(
    '/api/v1/dashboards',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'A unit’s dashboard: indicators against targets, child units ranked, weekly values',
        security: [{ bearer: [] }, { cookie: [] }],
        querystring: DashboardApiQuery,
        response: { 200: DashboardResponse },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const { dashboard, trail } = await openDashboard(ctx, actor.officer, toDashboardQuery(req.query));
      await audit(ctx.db.kysely, {
        actorId: actor.officer.id,
        action: 'dashboard.exported',
        entity: 'unit',
        entityId: dashboard.unit.code,
        ip: actor.ip,
        detail: { what: 'api', format: 'json', campaign: dashboard.campaign?.id ?? null, ...dashboard.period },
      });
      return dashboardJson(dashboard, trail, ctx.now());
    },
  );
}
