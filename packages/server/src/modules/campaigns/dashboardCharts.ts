/**
 * The dashboard's two small charts as SVG strings drawn on the server (no JavaScript, under a
 * kilobyte each): a horizontal bar of progress towards a target, and a weekly trend line. Each
 * is an image to assistive technology (`role="img"` named by its `<title>`, described by its
 * `<desc>`); the page puts the same numbers in text and tables beside it. Colours are
 * presentation attributes, not style attributes, so the strict CSP holds. Pure: no DOM, no I/O.
 */
import { niceMax } from '../reports/chart.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number) => Math.round(n * 10) / 10;
/** Ids end up in the page: keep them to safe characters. */
const safeId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '-');

const INK = '#1b1b1b';
const MUTED = '#505a5f';
const TRACK = '#f3f2f1';
const MET = '#0b6b2e';
const PROGRESS = '#1d4ed8';

function open(id: string, w: number, h: number, title: string, desc: string, cls: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${cls}" role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" ` +
    `aria-labelledby="${id}-title" aria-describedby="${id}-desc" font-size="11" fill="${INK}">` +
    `<title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(desc)}</desc>`
  );
}

export interface ProgressBarText {
  title: string;
  desc: string;
}

export const BAR = { width: 260, height: 22 };

/**
 * Progress towards a target: the track is the whole target, the filled part the share reached
 * (capped at the full width; the text beside the bar says when the target is passed).
 */
export function progressBarSvg(idPrefix: string, percentOfTarget: number, met: boolean, text: ProgressBarText): string {
  const id = safeId(idPrefix);
  const { width: w, height: h } = BAR;
  const inner = w - 2;
  const filled = r1((Math.min(100, Math.max(0, percentOfTarget)) / 100) * inner);
  return (
    open(id, w, h, text.title, text.desc, 'progress') +
    `<rect x="0.5" y="0.5" width="${w - 1}" height="${h - 1}" fill="${TRACK}" stroke="${MUTED}"/>` +
    (filled > 0 ? `<rect x="1" y="1" width="${filled}" height="${h - 2}" fill="${met ? MET : PROGRESS}"/>` : '') +
    '</svg>'
  );
}

export interface TrendText {
  title: string;
  desc: string;
  /** Labels under the first and the last point (week start dates). */
  first: string;
  last: string;
  format: (n: number) => string;
}

export const TREND = { width: 260, height: 86 };
const PLOT = { left: 40, right: TREND.width - 8, top: 8, bottom: TREND.height - 22 };

/**
 * A line through the weekly values; a missing value ("no data") breaks the line rather than
 * dropping to zero. Percentages use a fixed 0–100 scale, other kinds a round maximum.
 */
export function trendSvg(idPrefix: string, values: readonly (number | null)[], percent: boolean, text: TrendText): string {
  const id = safeId(idPrefix);
  const present = values.filter((v): v is number => v !== null);
  const top = percent ? 100 : niceMax(Math.max(0, ...present));
  const plotW = PLOT.right - PLOT.left;
  const plotH = PLOT.bottom - PLOT.top;
  const x = (i: number) => r1(values.length <= 1 ? PLOT.left + plotW / 2 : PLOT.left + (plotW * i) / (values.length - 1));
  const y = (v: number) => r1(PLOT.bottom - (Math.min(top, Math.max(0, v)) / top) * plotH);
  const out: string[] = [open(id, TREND.width, TREND.height, text.title, text.desc, 'trend')];
  // Axis: the baseline and the top line, labelled.
  out.push(
    `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="${INK}"/>`,
    `<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.top}" y2="${PLOT.top}" stroke="#d5d5d5"/>`,
    `<text x="${PLOT.left - 4}" y="${PLOT.bottom + 4}" text-anchor="end">${esc(text.format(0))}</text>`,
    `<text x="${PLOT.left - 4}" y="${PLOT.top + 4}" text-anchor="end">${esc(text.format(top))}</text>`,
  );
  // The line, in segments between missing values.
  let segment: string[] = [];
  const flush = () => {
    if (segment.length > 1) out.push(`<polyline points="${segment.join(' ')}" fill="none" stroke="${PROGRESS}" stroke-width="2"/>`);
    segment = [];
  };
  values.forEach((v, i) => {
    if (v === null) return flush();
    segment.push(`${x(i)},${y(v)}`);
  });
  flush();
  values.forEach((v, i) => {
    if (v !== null) out.push(`<circle cx="${x(i)}" cy="${y(v)}" r="2.5" fill="${PROGRESS}"/>`);
  });
  if (values.length > 0) {
    out.push(`<text x="${PLOT.left}" y="${TREND.height - 6}">${esc(text.first)}</text>`);
    if (values.length > 1) out.push(`<text x="${PLOT.right}" y="${TREND.height - 6}" text-anchor="end">${esc(text.last)}</text>`);
  }
  out.push('</svg>');
  return out.join('');
}
