/**
 * A one-page A4 summary of a unit's dashboard for a meeting: the unit, campaign and period;
 * each indicator with its value, target and progress (a bar); the top and bottom three child
 * units by the rank indicator; open blockers by reason. DejaVu Sans is embedded (subset), as
 * in the II.06a PDF, so every Vietnamese letter prints and the text can be searched. Every
 * piece of text has a fixed box (clipped with an ellipsis), so the summary never spills onto a
 * second page, whatever the names.
 */
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { BLOCKER_REASONS, toLocalIso, type IndicatorKey } from '@causo/domain';
import type { Translate } from '../../web/i18n.ts';
import type { Dashboard, DashboardRow, DashboardUnit } from './dashboard.ts';
import { indicatorName, numberText, percentText, valueText, vnDate, type Wording } from './dashboardFormat.ts';

const FONT_DIR = new URL('../../../assets/fonts/', import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | null = null;
/**
 * The font files are read once, but parsed by each document: a fontkit font shared between
 * documents keeps glyphs cached with the characters of an earlier document, and the text layer
 * of the next one then reads "smartphon" for "smartphone" (a copied or searched PDF loses
 * letters). A one-page summary can afford the parse.
 */
function loadFonts() {
  fonts ??= { regular: readFileSync(new URL('DejaVuSans.ttf', FONT_DIR)), bold: readFileSync(new URL('DejaVuSans-Bold.ttf', FONT_DIR)) };
  return fonts;
}

const PAGE = { width: 595.28, height: 841.89, margin: 40 };
const WIDTH = PAGE.width - 2 * PAGE.margin;
const COLS = { name: 200, value: 80, target: 80 };
const BAR_W = 90;
const ROW_H = 24;
const TOP_N = 3;
/** A ranked unit takes up to two lines (a long name, or a value with its share of target). */
const RANK_ROW_H = 25;

type Doc = InstanceType<typeof PDFDocument>;

/** Text in a fixed box: never wraps past `lines` lines, never adds a page. */
function box(doc: Doc, text: string, x: number, y: number, w: number, o: { size: number; bold?: boolean; lines?: number; align?: 'left' | 'right' | 'center'; colour?: string }): void {
  doc.font(o.bold ? 'bold' : 'regular').fontSize(o.size).fillColor(o.colour ?? '#000');
  const h = o.size * 1.25 * (o.lines ?? 1);
  doc.text(text, x, y, { width: w, height: h, ellipsis: true, align: o.align ?? 'left', lineGap: 0 });
}

export interface SummaryInput {
  dashboard: Dashboard;
  trail: DashboardUnit[];
  t: Translate;
  lang: string;
  generatedAt: Date;
}

/** Child units with a value for the rank indicator, best first (the dashboard's order). */
function rankedWithValue(d: Dashboard): DashboardRow[] {
  return d.children.filter((r) => r.cells[d.rankBy].value !== null);
}

function rowFigure(w: Wording, d: Dashboard, row: DashboardRow, key: IndicatorKey): string {
  const c = row.cells[key];
  const value = valueText(w, key, c.value);
  return c.progress.percentOfTarget !== null ? `${value} · ${w.t('dashboard.of_target', { pct: percentText(w.lang, c.progress.percentOfTarget) })}` : value;
}

export function renderDashboardPdf(input: SummaryInput): Promise<Buffer> {
  const { dashboard: d, t, lang, generatedAt } = input;
  const w: Wording = { t, lang };
  const { regular, bold } = loadFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.margin, bottom: 10, left: PAGE.margin, right: PAGE.margin },
    font: null as unknown as string,
    lang: lang === 'en' ? 'en' : 'vi-VN',
    info: { Title: `${t('dashboard.pdf.title')} – ${d.unit.name}`, Author: 'Cầu Số', Creator: 'Cầu Số', CreationDate: generatedAt, ModDate: generatedAt },
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = PAGE.margin;
  let y = PAGE.margin;
  box(doc, t('dashboard.pdf.title'), left, y, WIDTH, { size: 15, bold: true });
  y += 22;
  box(doc, d.unit.name, left, y, WIDTH, { size: 13, bold: true });
  y += 18;
  const above = input.trail.filter((u) => u.id !== d.unit.id).map((u) => u.name);
  if (above.length) {
    box(doc, above.reverse().join(' · '), left, y, WIDTH, { size: 9, colour: '#333' });
    y += 13;
  }
  box(doc, d.campaign ? t('dashboard.lead.campaign', { name: d.campaign.name }) : t('dashboard.lead.no_campaign'), left, y, WIDTH, { size: 10, lines: 2 });
  y += d.campaign && d.campaign.name.length > 70 ? 26 : 14;
  box(doc, t('dashboard.lead.period', { from: vnDate(d.period.from), to: vnDate(d.period.to) }), left, y, WIDTH, { size: 10 });
  y += 20;

  // The indicators: name, value, target, progress.
  const xValue = left + COLS.name;
  const xTarget = xValue + COLS.value;
  const xBar = xTarget + COLS.target + 6;
  box(doc, t('dashboard.col.indicator'), left, y, COLS.name, { size: 8.5, bold: true });
  box(doc, t('dashboard.col.value'), xValue, y, COLS.value - 6, { size: 8.5, bold: true, align: 'right' });
  box(doc, t('dashboard.col.target'), xTarget, y, COLS.target - 6, { size: 8.5, bold: true, align: 'right' });
  box(doc, t('dashboard.col.percent_of_target'), xBar, y, WIDTH - (xBar - left), { size: 8.5, bold: true });
  y += 13;
  doc.moveTo(left, y).lineTo(left + WIDTH, y).lineWidth(0.8).strokeColor('#000').stroke();
  for (const k of d.indicators) {
    const c = d.total.cells[k];
    const ty = y + 4;
    box(doc, indicatorName(lang, k), left, ty, COLS.name - 6, { size: 8.5, lines: 2 });
    box(doc, valueText(w, k, c.value), xValue, ty, COLS.value - 6, { size: 8.5, bold: true, align: 'right' });
    box(doc, c.target === null ? '–' : valueText(w, k, c.target), xTarget, ty, COLS.target - 6, { size: 8.5, align: 'right' });
    const pct = c.progress.percentOfTarget;
    if (pct !== null) {
      doc.rect(xBar, ty, BAR_W, 9).lineWidth(0.6).fillAndStroke('#f3f2f1', '#505a5f');
      const filled = (Math.min(100, Math.max(0, pct)) / 100) * (BAR_W - 1);
      if (filled > 0) doc.rect(xBar + 0.5, ty + 0.5, filled, 8).fill(c.progress.met ? '#0b6b2e' : '#1d4ed8');
      box(doc, percentText(lang, pct), xBar + BAR_W + 6, ty, WIDTH - (xBar + BAR_W + 6 - left), { size: 8.5 });
    } else box(doc, c.target === null ? '' : t('dashboard.no_data'), xBar, ty, WIDTH - (xBar - left), { size: 8.5, colour: '#333' });
    y += ROW_H;
    doc.moveTo(left, y).lineTo(left + WIDTH, y).lineWidth(0.3).strokeColor('#b1b4b6').stroke();
  }
  y += 14;

  // Top and bottom child units by the rank indicator.
  const ranked = rankedWithValue(d);
  if (d.children.length > 0) {
    const rankName = indicatorName(lang, d.rankBy);
    box(doc, t('dashboard.pdf.ranking', { name: rankName }), left, y, WIDTH, { size: 11, bold: true });
    y += 17;
    const top = ranked.slice(0, TOP_N);
    const bottom = ranked.slice(Math.max(top.length, ranked.length - TOP_N)).reverse();
    const colW = (WIDTH - 16) / 2;
    const list = (title: string, rows: DashboardRow[], x: number, numberFrom: (i: number) => number) => {
      box(doc, title, x, y, colW, { size: 9.5, bold: true });
      let ly = y + 14;
      if (rows.length === 0) box(doc, '–', x, ly, colW, { size: 9 });
      rows.forEach((r, i) => {
        box(doc, `${numberFrom(i)}. ${r.unit?.name ?? ''}`, x, ly, colW * 0.5, { size: 9, lines: 2 });
        box(doc, rowFigure(w, d, r, d.rankBy), x + colW * 0.5, ly, colW * 0.5, { size: 9, lines: 2, align: 'right' });
        ly += RANK_ROW_H;
      });
    };
    list(t('dashboard.pdf.top'), top, left, (i) => i + 1);
    list(t('dashboard.pdf.bottom'), bottom, left + colW + 16, (i) => ranked.length - i);
    y += 14 + RANK_ROW_H * TOP_N + 4;
    const noData = d.children.length - ranked.length;
    if (noData > 0) {
      box(doc, t('dashboard.pdf.no_data_units', { n: noData }), left, y, WIDTH, { size: 8.5, colour: '#333' });
      y += 13;
    }
    y += 10;
  }

  // Open blockers by reason, in two columns.
  box(doc, t('dashboard.blockers.title'), left, y, WIDTH, { size: 11, bold: true });
  y += 17;
  const total = BLOCKER_REASONS.reduce((s, r) => s + d.openBlockersByReason[r], 0);
  const half = Math.ceil(BLOCKER_REASONS.length / 2);
  const colW = (WIDTH - 16) / 2;
  BLOCKER_REASONS.forEach((r, i) => {
    const x = i < half ? left : left + colW + 16;
    const ry = y + (i % half) * 14;
    box(doc, t(`teams.reason.${r}`), x, ry, colW - 50, { size: 9 });
    box(doc, numberText(lang, 'count', d.openBlockersByReason[r]), x + colW - 50, ry, 50, { size: 9, align: 'right' });
  });
  y += half * 14 + 2;
  box(doc, t('dashboard.pdf.blockers_total', { n: numberText(lang, 'count', total) }), left, y, WIDTH, { size: 9, bold: true });

  const local = toLocalIso(generatedAt);
  box(doc, t('dashboard.pdf.footer', { time: local.slice(11, 16), date: vnDate(local.slice(0, 10)) }), left, PAGE.height - PAGE.margin, WIDTH, { size: 7.5, colour: '#333' });
  doc.end();
  return done;
}
