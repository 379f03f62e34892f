/**
 * The II.06a trend chart as a small SVG drawn on the server (no JavaScript, a few KB): for each
 * period, three bars — new dossiers received, dossiers resolved, dossiers overdue at the end of
 * the period. It is an image to assistive technology (`role="img"` with a title and a
 * description); the page puts the same numbers in a table beside it. Colours come from
 * presentation attributes, not style attributes, so the strict CSP is kept.
 */

export interface ChartPoint {
  label: string;
  received: number;
  resolved: number;
  overdue: number;
}

export interface ChartText {
  title: string;
  desc: string;
  legend: { received: string; resolved: string; overdue: string };
  format: (n: number) => string;
}

export const SERIES = [
  { key: 'received', colour: '#0b5d3b' },
  { key: 'resolved', colour: '#1d4ed8' },
  { key: 'overdue', colour: '#b3261e' },
] as const;

const W = 720;
const H = 290;
const PLOT = { left: 64, right: W - 10, top: 40, bottom: H - 40 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number) => Math.round(n * 10) / 10;

/**
 * A round axis maximum at or above `max`, split into four equal whole-number steps (1, 2, 5,
 * 10, 25, 50… per step), so every gridline label is an exact count.
 */
export function niceMax(max: number): number {
  const want = Math.max(1, max / 4);
  const p = 10 ** Math.floor(Math.log10(want));
  for (const m of p >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10]) if (m * p >= want) return 4 * m * p;
  return 40 * p;
}

export function renderChartSvg(points: ChartPoint[], text: ChartText, idPrefix = 'chart'): string {
  const top = niceMax(Math.max(0, ...points.flatMap((p) => [p.received, p.resolved, p.overdue])));
  const plotH = PLOT.bottom - PLOT.top;
  const y = (v: number) => PLOT.bottom - (Math.max(0, v) / top) * plotH;
  const groupW = (PLOT.right - PLOT.left) / Math.max(1, points.length);
  const barW = Math.max(2, (groupW * 0.78) / SERIES.length);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" aria-labelledby="${idPrefix}-title ${idPrefix}-desc" font-size="12" fill="#1b1b1b">`,
    `<title id="${idPrefix}-title">${esc(text.title)}</title><desc id="${idPrefix}-desc">${esc(text.desc)}</desc>`,
  );
  // Legend along the top.
  let lx = PLOT.left;
  for (const s of SERIES) {
    const label = text.legend[s.key];
    out.push(`<rect x="${lx}" y="10" width="14" height="14" fill="${s.colour}"/><text x="${lx + 20}" y="22">${esc(label)}</text>`);
    lx += 34 + label.length * 7;
  }
  // Horizontal grid with four steps.
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    const gy = r1(y(v));
    out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${gy}" y2="${gy}" stroke="${i === 0 ? '#1b1b1b' : '#d5d5d5'}"/>`);
    out.push(`<text x="${PLOT.left - 6}" y="${r1(gy + 4)}" text-anchor="end">${esc(text.format(v))}</text>`);
  }
  points.forEach((p, i) => {
    const gx = PLOT.left + groupW * i + (groupW - barW * SERIES.length) / 2;
    SERIES.forEach((s, j) => {
      const v = p[s.key];
      const top = r1(y(v));
      out.push(
        `<rect x="${r1(gx + barW * j)}" y="${top}" width="${r1(barW - 1)}" height="${r1(PLOT.bottom - top)}" fill="${s.colour}"><title>${esc(`${p.label}: ${text.legend[s.key]} ${text.format(v)}`)}</title></rect>`,
      );
    });
    out.push(`<text x="${r1(PLOT.left + groupW * i + groupW / 2)}" y="${PLOT.bottom + 18}" text-anchor="middle">${esc(p.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
