/**
 * The campaigns JSON API: list, create, read (with the targets the caller may see) and set
 * targets with optimistic concurrency. Same rules as the pages (campaignAccess.ts); problems
 * with stable codes: campaign.not_found, campaign.bad_input, campaign.bad_target,
 * campaign.stale, auth.forbidden.
 */
import { z } from 'zod';
import { INDICATOR_KEYS, INDICATORS, localDateOf } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { requireActor } from '../../http/auth.ts';
import { notFound, Problem } from '../../http/problem.ts';
import type { ZodApp } from '../../http/types.ts';
import { requireRoleOnUnit, rootsFor } from '../auth/service.ts';
import { campaignsForOfficer, coveredUnitsOf, openCampaignFor, VIEW_ROLES } from './campaignAccess.ts';
import { campaignsConcerning, findCampaign, targetsWithin, type CampaignRef } from './campaignQueries.ts';
import { CampaignIdParams, campaignIdOf, CampaignInput, TargetsPut } from './campaignSchemas.ts';
import { createCampaign, setTargets } from './campaignService.ts';
import { resolveDashboardUnit } from './service.ts';

const Text = z.object({ vi: z.string(), en: z.string() });
const UnitRef = z.object({ code: z.string(), name: z.string() });
const CampaignView = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  ownerUnit: UnitRef,
  indicators: z.array(z.enum(INDICATOR_KEYS)),
  version: z.number().int().describe('send it back with PUT …/targets'),
  createdAt: z.string(),
});
const CampaignDetail = CampaignView.extend({
  coveredUnits: z.array(UnitRef).describe('each with its subtree'),
  indicatorDefinitions: z.array(z.object({ key: z.enum(INDICATOR_KEYS), kind: z.enum(['percent', 'count', 'days']), higherIsBetter: z.boolean(), name: Text, description: Text, formula: Text })),
  targets: z.array(z.object({ unit: z.string(), unitName: z.string(), indicator: z.enum(INDICATOR_KEYS), target: z.number() })).describe('targets of the units under your roles'),
});

const view = (c: CampaignRef): z.infer<typeof CampaignView> => ({
  id: c.id,
  name: c.name,
  description: c.description,
  startsOn: c.startsOn,
  endsOn: c.endsOn,
  ownerUnit: { code: c.unitCode, name: c.unitName },
  indicators: c.indicators,
  version: c.version,
  createdAt: c.createdAt.toISOString(),
});

const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

async function campaignOf(ctx: AppContext, raw: string): Promise<CampaignRef> {
  const id = campaignIdOf(raw);
  const campaign = id === null ? null : await findCampaign(ctx.db.kysely, id);
  if (!campaign) throw notFound('campaign.not_found', `no campaign ${raw}`);
  return campaign;
}

export function campaignRoutes(app: ZodApp, ctx: AppContext): void {
  const db = ctx.db.kysely;

  app.get(
    '/api/v1/campaigns',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Campaigns concerning a unit (owned by it, an ancestor or a unit under it), or every unit you hold a role on',
        security,
        querystring: z.object({ unit: z.string().max(20).optional().describe('unit code') }),
        response: { 200: z.object({ items: z.array(CampaignView) }) },
      },
    },
    async (req) => {
      const { officer } = requireActor(req);
      if (!req.query.unit) return { items: (await campaignsForOfficer(db, officer)).map(view) };
      const unit = await resolveDashboardUnit(db, officer, req.query.unit, localDateOf(ctx.now()));
      await requireRoleOnUnit(db, officer, unit.id, VIEW_ROLES);
      return { items: (await campaignsConcerning(db, unit)).map(view) };
    },
  );

  app.post(
    '/api/v1/campaigns',
    {
      // The body is checked by createCampaign after the caller's roles, so every rule answers
      // campaign.bad_input with all its issues (and a stranger learns nothing from a 400).
      attachValidation: true,
      schema: { tags: ['campaigns'], summary: 'Create a campaign (leader or administrator of the owner unit)', security, body: CampaignInput, response: { 201: CampaignView } },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const campaign = await createCampaign(ctx, { officer: actor.officer, ip: actor.ip, userAgent: req.headers['user-agent'] ?? null }, req.body);
      return reply.status(201).send(view(campaign));
    },
  );

  app.get(
    '/api/v1/campaigns/:id',
    { schema: { tags: ['campaigns'], summary: 'One campaign with its indicators, covered units and the targets of your units', security, params: CampaignIdParams, response: { 200: CampaignDetail } } },
    async (req) => {
      const { officer } = requireActor(req);
      const campaign = await campaignOf(ctx, req.params.id);
      await openCampaignFor(db, officer, campaign, undefined);
      const roots = [...new Set(rootsFor(officer, VIEW_ROLES))];
      const [covered, targets] = await Promise.all([coveredUnitsOf(db, campaign), targetsWithin(db, campaign, roots)]);
      return {
        ...view(campaign),
        coveredUnits: covered.map((u) => ({ code: u.code, name: u.name })),
        indicatorDefinitions: campaign.indicators.map((k) => {
          const d = INDICATORS[k];
          return { key: k, kind: d.kind, higherIsBetter: d.higherIsBetter, name: d.name, description: d.description, formula: d.formula };
        }),
        targets: targets.map((t) => ({ unit: t.unitCode, unitName: t.unitName, indicator: t.indicator, target: t.target })),
      };
    },
  );

  app.put(
    '/api/v1/campaigns/:id/targets',
    {
      schema: {
        tags: ['campaigns'],
        summary: 'Set or remove targets (leader or administrator of each unit); answers 409 campaign.stale when the campaign changed since `version`',
        security,
        params: CampaignIdParams,
        body: TargetsPut,
        response: { 200: z.object({ version: z.number().int(), changed: z.number().int(), deleted: z.number().int() }) },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const id = campaignIdOf(req.params.id);
      if (id === null) throw new Problem(404, 'campaign.not_found');
      return setTargets(ctx, { officer: actor.officer, ip: actor.ip, userAgent: req.headers['user-agent'] ?? null }, id, req.body, 'api');
    },
  );
}
