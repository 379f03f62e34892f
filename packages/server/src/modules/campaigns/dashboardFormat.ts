/**
 * Indicator values in words for the pages and the PDF: percentages with one decimal (78,5%),
 * counts as whole numbers (1.204), days with at most one decimal, and "no data" (never 0) when
 * the value is missing. Numbers follow the page's language (Vietnamese: 460.392; 6,9%).
 */
import { INDICATORS, type IndicatorKey, type IndicatorKind } from '@causo/domain';
import { formatNumber, type Translate } from '../../web/i18n.ts';

export interface Wording {
  t: Translate;
  lang: string;
}

/** `YYYY-MM-DD` → `dd/MM/yyyy`. */
export const vnDate = (d: string): string => d.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$3/$2/$1');
/** `YYYY-MM-DD` → `dd/MM`. */
export const shortDate = (d: string): string => d.replace(/^\d{4}-(\d{2})-(\d{2})$/, '$2/$1');

/** Rounds like the page shows: percentages and days to one decimal, counts whole. */
export function rounded(kind: IndicatorKind, v: number): number {
  return kind === 'count' ? Math.round(v) : Math.round(v * 10) / 10;
}

export const percentText = (lang: string, v: number): string => `${formatNumber(lang, v, 1)}%`;

/** A number of the indicator's kind, without a word for "no data". */
export function numberText(lang: string, kind: IndicatorKind, v: number): string {
  if (kind === 'percent') return percentText(lang, v);
  if (kind === 'count') return formatNumber(lang, v, 0);
  return formatNumber(lang, v, Number.isInteger(rounded('days', v)) ? 0 : 1);
}

/** The value as shown: "78,5%", "1.204", "3 ngày", or "Chưa có dữ liệu". */
export function valueText(w: Wording, key: IndicatorKey, v: number | null): string {
  if (v === null) return w.t('dashboard.no_data');
  const kind = INDICATORS[key].kind;
  const n = numberText(w.lang, kind, v);
  return kind === 'days' ? w.t('dashboard.days', { n }) : n;
}

/** The indicator's name in the page's language (Vietnamese for any language without one). */
export function indicatorName(lang: string, key: IndicatorKey): string {
  return lang === 'en' ? INDICATORS[key].name.en : INDICATORS[key].name.vi;
}

export function indicatorText(lang: string, key: IndicatorKey, field: 'description' | 'formula'): string {
  return lang === 'en' ? INDICATORS[key][field].en : INDICATORS[key][field].vi;
}
