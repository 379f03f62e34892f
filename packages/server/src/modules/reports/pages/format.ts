/**
 * Number formatting for the report pages: Vietnamese style (460.392; 6,9%). The formatters are
 * built once per language: a province table formats well over a thousand figures, and building
 * an Intl.NumberFormat for each would cost more than the report's query.
 */
const integers = new Map<string, Intl.NumberFormat>();
const oneDecimal = new Map<string, Intl.NumberFormat>();

function formatter(cache: Map<string, Intl.NumberFormat>, lang: string, digits: number): Intl.NumberFormat {
  let f = cache.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    cache.set(lang, f);
  }
  return f;
}

export const formatInt = (lang: string, n: number): string => formatter(integers, lang, 0).format(n);

/** A share as a percentage with one decimal, or a dash when there is nothing to divide by. */
export function formatPercent(lang: string, part: number, whole: number): string {
  if (whole <= 0) return '–';
  return `${formatter(oneDecimal, lang, 1).format((part / whole) * 100)}%`;
}
