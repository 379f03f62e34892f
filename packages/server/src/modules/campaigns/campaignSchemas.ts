/**
 * What comes from outside about campaigns, checked once: the campaign form and API body, the
 * targets of the API, the targets grid's cells and the cells of an imported workbook. Messages
 * are catalogue keys (`campaigns.error.*`), so a page shows them in its language and the API in
 * English (see CampaignIssues in campaignService.ts).
 */
import { z } from 'zod';
import { INDICATOR_KEYS, INDICATORS, normalizeTarget, type IndicatorKey, type IndicatorKind } from '@causo/domain';

/** GSO codes (2, 3 or 5 digits) and local village codes such as 25309-01. */
export const UNIT_CODE = /^[0-9A-Za-z][0-9A-Za-z-]{1,19}$/;
export const MAX_COVERED_UNITS = 200;
/** One request or file: a province of 1,000 villages with every indicator fits many times. */
export const MAX_TARGET_CELLS = 20_000;

const date = (key: string) => z.iso.date({ error: key });

export const CampaignInput = z.object({
  name: z.string().trim().min(3, 'campaigns.error.name').max(200, 'campaigns.error.name').describe('e.g. "92 ngày đêm: nâng cao hiệu quả cung cấp, sử dụng dịch vụ công trực tuyến"'),
  description: z.string().trim().max(2000, 'campaigns.error.description').default(''),
  startsOn: date('campaigns.error.starts_on'),
  endsOn: date('campaigns.error.ends_on'),
  ownerUnit: z.string().regex(UNIT_CODE, 'campaigns.error.owner_unit').describe('code of the unit that owns the campaign: you need the leader or administrator role on it'),
  coveredUnits: z
    .array(z.string().regex(UNIT_CODE, 'campaigns.error.covered_code'))
    .max(MAX_COVERED_UNITS, 'campaigns.error.covered_too_many')
    .default([])
    .describe("codes of units inside the owner's subtree the campaign covers (with their subtrees); empty: the owner's whole subtree"),
  indicators: z.array(z.enum(INDICATOR_KEYS, { error: 'campaigns.error.indicators' })).min(1, 'campaigns.error.indicators').max(INDICATOR_KEYS.length, 'campaigns.error.indicators'),
});
export type CampaignInputT = z.infer<typeof CampaignInput>;
/** What an edit may change: the owner and the covered units stay (targets were set for them). */
export const CampaignEdit = CampaignInput.pick({ name: true, description: true, startsOn: true, endsOn: true, indicators: true });

/** The campaign form's fields as typed, kept to show them again next to their errors. */
export interface CampaignFormValues {
  name: string;
  description: string;
  startsOn: string;
  endsOn: string;
  ownerUnit: string;
  coveredUnits: string;
  indicators: string[];
}

const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const many = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function campaignFormValues(body: Record<string, unknown>): CampaignFormValues {
  const text = (k: string) => one(body[k]).normalize('NFC').trim();
  return {
    name: text('name').replace(/\s+/g, ' '),
    description: text('description'),
    startsOn: text('startsOn'),
    endsOn: text('endsOn'),
    ownerUnit: text('ownerUnit'),
    coveredUnits: text('coveredUnits'),
    indicators: [...new Set(many(body.indicators))].slice(0, INDICATOR_KEYS.length * 2),
  };
}

/** "25309, 25308 25310-01" → the codes, once each, in the order typed. */
export const splitUnitCodes = (typed: string): string[] => [...new Set(typed.split(/[\s,;]+/).filter(Boolean))];

export function campaignInputOf(v: CampaignFormValues): unknown {
  return { name: v.name, description: v.description, startsOn: v.startsOn, endsOn: v.endsOn, ownerUnit: v.ownerUnit, coveredUnits: splitUnitCodes(v.coveredUnits), indicators: v.indicators };
}

export const TargetCell = z.object({
  unit: z.string().max(20).describe('unit code'),
  indicator: z.enum(INDICATOR_KEYS),
  target: z.number().nullable().describe('percent 0–100 with one decimal, a whole count, or days with one decimal; null removes the target'),
});
export const TargetsPut = z.object({
  version: z.number().int().min(1).describe('the campaign version you read: a newer one answers 409 campaign.stale'),
  targets: z.array(TargetCell).min(1).max(MAX_TARGET_CELLS),
});
export type TargetsPutT = z.infer<typeof TargetsPut>;

export type ParsedTarget = { ok: true; value: number | null } | { ok: false };

/**
 * A target as typed in a cell: empty removes it; percentages and days take one decimal with a
 * comma or a point (92,5 or 92.5) and may end with "%"; counts are whole and may group
 * thousands (1.200 or 1,200). Then the indicator's range (normalizeTarget).
 */
export function parseTarget(kind: IndicatorKind, typed: string): ParsedTarget {
  const s = typed.replace(/[\s\u00a0]/g, '').replace(/%$/, '');
  if (s === '') return { ok: true, value: null };
  let n: number;
  if (kind === 'count') {
    if (/^\d{1,3}([.,])\d{3}(\1\d{3})*$/.test(s)) n = Number(s.replace(/[.,]/g, ''));
    else if (/^\d+$/.test(s)) n = Number(s);
    else return { ok: false };
  } else {
    if (!/^\d+([.,]\d+)?$/.test(s)) return { ok: false };
    n = Number(s.replace(',', '.'));
  }
  const value = normalizeTarget(kind, n);
  return value === null ? { ok: false } : { ok: true, value };
}

/** A number from the API or a spreadsheet cell, checked against the indicator's range. */
export function checkTarget(kind: IndicatorKind, n: number): ParsedTarget {
  const value = normalizeTarget(kind, n);
  return value === null ? { ok: false } : { ok: true, value };
}

/** The catalogue key that explains the range of an indicator's targets. */
export const rangeKey = (key: IndicatorKey): string => `campaigns.error.target_${INDICATORS[key].kind}`;

/** The value to put back in a grid input: no grouping; a decimal comma in Vietnamese. */
export function targetInputValue(lang: string, kind: IndicatorKind, value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = kind === 'count' ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
  return lang === 'vi' ? s.replace('.', ',') : s;
}

/** A page query's unit code (`?unit=`); an unknown one answers 404. */
export const UnitQuery = z.object({ unit: z.string().max(40).optional() });
export const CampaignIdParams = z.object({ id: z.string().max(12) });
/** The campaign id of an address, or null (the route answers 404 campaign.not_found). */
export const campaignIdOf = (s: string): number | null => (/^[1-9]\d{0,8}$/.test(s) ? Number(s) : null);
