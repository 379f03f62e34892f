/**
 * What the dashboard pages, their downloads and the JSON API read from the address: the unit,
 * the campaign (an id, `none` for no campaign, or nothing for the one running today), the
 * period and the indicator to rank by. One canonical query string is built here, so the
 * breadcrumb, the drill-down links, the re-rank links and the downloads all keep the same view.
 */
import { z } from 'zod';
import { INDICATOR_KEYS, isLocalDate, type IndicatorKey } from '@causo/domain';
import { Problem } from '../../http/problem.ts';
import type { DashboardQuery } from './service.ts';

export const DASHBOARD_PATH = '/office/dashboard';
export const UNIT_CODE = /^[0-9A-Za-z-]{1,20}$/;
export const NO_CAMPAIGN = 'none';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const campaignParam = z.union([z.literal(NO_CAMPAIGN), z.coerce.number().int().min(1).max(2_147_483_647)]);

/**
 * The page's query, read leniently: an unknown rank is dropped (the first indicator is used),
 * dates are checked by `toDashboardQuery` so the form can say what is wrong with them.
 */
export const DashboardPageQuery = z.object({
  unit: z.preprocess(blank, z.string().regex(UNIT_CODE).optional()).catch(undefined),
  campaign: z.preprocess(blank, campaignParam.optional()),
  from: z.preprocess(blank, z.string().max(32).optional()).catch(undefined),
  to: z.preprocess(blank, z.string().max(32).optional()).catch(undefined),
  rank: z.preprocess(blank, z.enum(INDICATOR_KEYS).optional()).catch(undefined),
});
export type DashboardPageQueryT = z.infer<typeof DashboardPageQuery>;

export const DASHBOARD_TABLES = ['indicators', 'children', 'weeks'] as const;
export type DashboardTableName = (typeof DASHBOARD_TABLES)[number];
export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const DashboardExportQuery = DashboardPageQuery.extend({
  table: z.enum(DASHBOARD_TABLES),
  format: z.enum(EXPORT_FORMATS),
});

/** Reads the page's query; a campaign that is not a number or `none` cannot be found. */
export function parseDashboardQuery<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const fields = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')));
  if (fields.has('campaign')) throw new Problem(404, 'campaign.not_found');
  throw new Problem(400, 'request.invalid', [...fields].join(', '), parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}

/**
 * The service's query. Dates are checked here, before the service sees them: it looks the unit
 * up by the version in force on `to`, so a date that is not a calendar day must not reach SQL.
 */
export function toDashboardQuery(q: { unit?: string | undefined; campaign?: number | typeof NO_CAMPAIGN | undefined; from?: string | undefined; to?: string | undefined; rank?: IndicatorKey | undefined }): DashboardQuery {
  for (const d of [q.from, q.to]) if (d !== undefined && !isLocalDate(d)) throw new Problem(400, 'campaign.bad_period');
  return { unit: q.unit, campaign: q.campaign === NO_CAMPAIGN ? null : q.campaign, from: q.from, to: q.to, rank: q.rank };
}

/** What a link keeps of the current view. */
export interface DashboardLinkState {
  /** An id, null for "no campaign" chosen on purpose, undefined to let the unit's default apply. */
  campaign?: number | null | undefined;
  from?: string | undefined;
  to?: string | undefined;
  rank?: IndicatorKey | undefined;
}

export function dashboardSearch(unit: string, s: DashboardLinkState, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ unit });
  if (s.campaign === null) params.set('campaign', NO_CAMPAIGN);
  else if (s.campaign !== undefined) params.set('campaign', String(s.campaign));
  if (s.from) params.set('from', s.from);
  if (s.to) params.set('to', s.to);
  if (s.rank) params.set('rank', s.rank);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

export function dashboardHref(unit: string, s: DashboardLinkState, suffix = '', extra: Record<string, string> = {}): string {
  return `${DASHBOARD_PATH}${suffix}?${dashboardSearch(unit, s, extra)}`;
}
