/**
 * A commune's week-by-week shares as an SVG line chart drawn on the server (no JavaScript, a
 * few KB): one line per series on a fixed 0–100% scale. A week whose share is withheld (too few
 * dossiers) breaks the line instead of being drawn at any height. An image to assistive
 * technology (`role="img"` named by its title, described by its desc); the page puts every
 * number in a table beside it. Series differ by dash as well as colour. Pure.
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number) => Math.round(n * 10) / 10;

export interface LineSeries {
  name: string;
  values: readonly (number | null)[];
}

export interface LineChartText {
  title: string;
  desc: string;
  /** A label under each point (only some are drawn when there are many). */
  labels: readonly string[];
  format: (n: number) => string;
}

const STYLES = [
  { colour: '#0b5d3b', dash: '' },
  { colour: '#1d4ed8', dash: ' stroke-dasharray="6 4"' },
] as const;

const W = 720;
const H = 280;
const PLOT = { left: 52, right: W - 16, top: 44, bottom: H - 40 };

export function shareLinesSvg(id: string, series: readonly LineSeries[], text: LineChartText): string {
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const plotW = PLOT.right - PLOT.left;
  const plotH = PLOT.bottom - PLOT.top;
  const x = (i: number) => r1(n <= 1 ? PLOT.left + plotW / 2 : PLOT.left + (plotW * i) / (n - 1));
  const y = (v: number) => r1(PLOT.bottom - (Math.min(100, Math.max(0, v)) / 100) * plotH);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" aria-labelledby="${id}-title ${id}-desc" font-size="12" fill="#1b1b1b">`,
    `<title id="${id}-title">${esc(text.title)}</title><desc id="${id}-desc">${esc(text.desc)}</desc>`,
  ];
  // Legend.
  let lx = PLOT.left;
  series.forEach((s, k) => {
    const st = STYLES[k % STYLES.length]!;
    out.push(`<line x1="${lx}" x2="${lx + 28}" y1="18" y2="18" stroke="${st.colour}" stroke-width="3"${st.dash}/><text x="${lx + 34}" y="22">${esc(s.name)}</text>`);
    lx += 60 + s.name.length * 7;
  });
  // Grid at 0, 25, 50, 75, 100%.
  for (let g = 0; g <= 100; g += 25) {
    const gy = y(g);
    out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${gy}" y2="${gy}" stroke="${g === 0 ? '#1b1b1b' : '#d5d5d5'}"/>`);
    out.push(`<text x="${PLOT.left - 6}" y="${r1(gy + 4)}" text-anchor="end">${esc(text.format(g))}</text>`);
  }
  // Labels under at most seven evenly spaced points, the first and the last always.
  const every = Math.max(1, Math.ceil(n / 7));
  for (let i = 0; i < n; i++) {
    if (i % every !== 0 && i !== n - 1) continue;
    if (i !== n - 1 && n - 1 - i < every / 2) continue;
    const anchor = n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
    out.push(`<text x="${x(i)}" y="${H - 16}" text-anchor="${anchor}">${esc(text.labels[i] ?? '')}</text>`);
  }
  series.forEach((s, k) => {
    const st = STYLES[k % STYLES.length]!;
    let segment: string[] = [];
    const flush = () => {
      if (segment.length > 1) out.push(`<polyline points="${segment.join(' ')}" fill="none" stroke="${st.colour}" stroke-width="2.5"${st.dash}/>`);
      segment = [];
    };
    s.values.forEach((v, i) => {
      if (v === null) return flush();
      segment.push(`${x(i)},${y(v)}`);
    });
    flush();
    s.values.forEach((v, i) => {
      if (v !== null) out.push(`<circle cx="${x(i)}" cy="${y(v)}" r="3.5" fill="${st.colour}"><title>${esc(`${text.labels[i] ?? ''}: ${s.name} ${text.format(v)}`)}</title></circle>`);
    });
  });
  out.push('</svg>');
  return out.join('');
}
