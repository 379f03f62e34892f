/**
 * The team's visits per week as an SVG bar chart drawn on the server (no JavaScript): an image
 * to assistive technology (`role="img"` named by its title, described by its desc), with the
 * same numbers in the table beside it. Pure.
 */
import { niceMax } from '../reports/chart.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number) => Math.round(n * 10) / 10;
const W = 720;

export interface BarChartText {
  title: string;
  desc: string;
  labels: readonly string[];
  format: (n: number) => string;
}

const BAR_H = 240;
const BAR_PLOT = { left: 52, right: W - 16, top: 16, bottom: BAR_H - 40 };

/** Whole-number bars (visits per week), on a round scale whose gridlines are exact counts. */
export function visitsBarsSvg(id: string, values: readonly number[], text: BarChartText): string {
  const top = niceMax(Math.max(0, ...values));
  const plotH = BAR_PLOT.bottom - BAR_PLOT.top;
  const y = (v: number) => r1(BAR_PLOT.bottom - (Math.max(0, v) / top) * plotH);
  const slot = (BAR_PLOT.right - BAR_PLOT.left) / Math.max(1, values.length);
  const barW = r1(Math.max(3, slot * 0.7));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${W} ${BAR_H}" width="${W}" height="${BAR_H}" aria-labelledby="${id}-title ${id}-desc" font-size="12" fill="#1b1b1b">`,
    `<title id="${id}-title">${esc(text.title)}</title><desc id="${id}-desc">${esc(text.desc)}</desc>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    const gy = y(v);
    out.push(`<line x1="${BAR_PLOT.left}" x2="${BAR_PLOT.right}" y1="${gy}" y2="${gy}" stroke="${i === 0 ? '#1b1b1b' : '#d5d5d5'}"/>`);
    out.push(`<text x="${BAR_PLOT.left - 6}" y="${r1(gy + 4)}" text-anchor="end">${esc(text.format(v))}</text>`);
  }
  const every = Math.max(1, Math.ceil(values.length / 9));
  values.forEach((v, i) => {
    const bx = r1(BAR_PLOT.left + slot * i + (slot - barW) / 2);
    const by = y(v);
    out.push(`<rect x="${bx}" y="${by}" width="${barW}" height="${r1(BAR_PLOT.bottom - by)}" fill="#1d4ed8"><title>${esc(`${text.labels[i] ?? ''}: ${text.format(v)}`)}</title></rect>`);
    if (i % every === 0 || i === values.length - 1) out.push(`<text x="${r1(bx + barW / 2)}" y="${BAR_H - 16}" text-anchor="middle">${esc(text.labels[i] ?? '')}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
