/**
 * Biểu số II.06a/VPCP/KSTT as a PDF: landscape A4, the heading block of the official form,
 * the three-level merged column header with the column numbers (1)…(14), the data rows and a
 * bold total, then the arithmetic checks. DejaVu Sans is embedded (subset) because it covers
 * every Vietnamese letter; the PDF carries a ToUnicode map, so its text can be searched and
 * copied. The table header is repeated on every page; pages are numbered "Trang x/y".
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { checkReport, NUMBER_FIELDS, toLocalIso, type Ii06aReport, type Ii06aRow } from '@causo/domain';
import { II06A_FORM_NUMBER, II06A_TITLE } from './ii06aXlsx.ts';

/**
 * The font files are read once per process, but parsed (fontkit) for each document: pdfkit
 * keeps the subset of glyphs it embeds on the font object, and a font shared between documents
 * gave later PDFs a text layer with letters missing ("smartphon" for "smartphone").
 */
type FontkitFont = { layout: (...args: unknown[]) => unknown };
const require = createRequire(import.meta.url);
const FONT_DIR = new URL('../../../assets/fonts/', import.meta.url);
let fontFiles: { regular: Buffer; bold: Buffer } | null = null;
function loadFonts(): { regular: FontkitFont; bold: FontkitFont } {
  fontFiles ??= { regular: readFileSync(new URL('DejaVuSans.ttf', FONT_DIR)), bold: readFileSync(new URL('DejaVuSans-Bold.ttf', FONT_DIR)) };
  // fontkit is pdfkit's own font engine (a dependency of pdfkit).
  const fontkit = require('fontkit') as { create: (data: Uint8Array) => FontkitFont };
  return { regular: fontkit.create(fontFiles.regular), bold: fontkit.create(fontFiles.bold) };
}

const PAGE = { width: 841.89, height: 595.28, margin: 28 };
const NO_W = 26;
const NAME_W = 167;
const NUM_W = (PAGE.width - 2 * PAGE.margin - NO_W - NAME_W) / NUMBER_FIELDS.length;
const HEADER_ROWS = [18, 20, 68];
const COLNUM_H = 12;
const FOOTER_H = 18;
const MAX_FAILING_LISTED = 20;

/** Left edge of column c (0-based: 0 = STT, 1 = name, 2…13 = figures). */
const colX = (c: number) => PAGE.margin + (c === 0 ? 0 : NO_W + (c === 1 ? 0 : NAME_W + (c - 2) * NUM_W));
const colW = (c: number) => (c === 0 ? NO_W : c === 1 ? NAME_W : NUM_W);
const spanW = (c: number, span: number) => Array.from({ length: span }, (_, i) => colW(c + i)).reduce((a, b) => a + b, 0);

const vnInt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
const vnDate = (d: string) => d.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$3/$2/$1');

/** Header cells: column, column span, header row, row span, text (the official wording). */
function headerCells(by: Ii06aReport['by']): [number, number, number, number, string][] {
  return [
    [0, 1, 0, 3, 'STT'],
    [1, 1, 0, 3, by === 'unit' ? 'Đơn vị' : 'Lĩnh vực, công việc giải quyết theo cấp'],
    [2, 4, 0, 1, 'Số hồ sơ nhận giải quyết'],
    [6, 8, 0, 1, 'Kết quả giải quyết'],
    [2, 1, 1, 2, 'Tổng số'],
    [3, 3, 1, 1, 'Trong đó'],
    [3, 1, 2, 1, 'Số mới tiếp nhận trực tuyến'],
    [4, 1, 2, 1, 'Số mới tiếp nhận trực tiếp và qua dịch vụ bưu chính công ích'],
    [5, 1, 2, 1, 'Số kỳ trước chuyển qua'],
    [6, 4, 1, 1, 'Số hồ sơ đã giải quyết'],
    [6, 1, 2, 1, 'Tổng số'],
    [7, 1, 2, 1, 'Trả trước hạn'],
    [8, 1, 2, 1, 'Trả đúng hạn'],
    [9, 1, 2, 1, 'Trả quá hạn'],
    [10, 1, 1, 2, 'Số hồ sơ rút, dừng xử lý'],
    [11, 3, 1, 1, 'Số hồ sơ đang giải quyết'],
    [11, 1, 2, 1, 'Tổng số'],
    [12, 1, 2, 1, 'Trong hạn'],
    [13, 1, 2, 1, 'Quá hạn'],
  ];
}

type Doc = InstanceType<typeof PDFDocument>;

function cellText(doc: Doc, text: string, x: number, y: number, w: number, h: number, opts: { align: 'left' | 'center' | 'right'; bold?: boolean; size: number }) {
  doc.font(opts.bold ? 'bold' : 'regular').fontSize(opts.size);
  const th = doc.heightOfString(text, { width: w - 6, align: opts.align });
  doc.text(text, x + 3, y + Math.max(2, (h - th) / 2), { width: w - 6, align: opts.align, lineGap: 0 });
}

/**
 * One line that must not wrap (a figure, a column number): placed by its measured width, and
 * set smaller when a very large figure would not fit. Skipping pdfkit's line wrapper here
 * makes a province table several times faster to draw.
 */
function lineText(doc: Doc, text: string, x: number, y: number, w: number, h: number, opts: { align: 'center' | 'right'; bold?: boolean; size: number }) {
  doc.font(opts.bold ? 'bold' : 'regular');
  let size = opts.size;
  doc.fontSize(size);
  let tw = doc.widthOfString(text);
  if (tw > w - 4) {
    size = Math.max(4, (size * (w - 4)) / tw);
    doc.fontSize(size);
    tw = doc.widthOfString(text);
  }
  const tx = opts.align === 'right' ? x + w - 3 - tw : x + (w - tw) / 2;
  doc.text(text, tx, y + (h - size * 1.15) / 2 + 0.5, { lineBreak: false });
}

function drawTableHeader(doc: Doc, by: Ii06aReport['by'], top: number): number {
  const rowY = (r: number) => top + HEADER_ROWS.slice(0, r).reduce((a, b) => a + b, 0);
  doc.lineWidth(0.6).strokeColor('#000');
  for (const [c, span, r, rspan, text] of headerCells(by)) {
    const x = colX(c);
    const y = rowY(r);
    const w = spanW(c, span);
    const h = rowY(r + rspan) - y;
    doc.rect(x, y, w, h).stroke();
    cellText(doc, text, x, y, w, h, { align: 'center', bold: true, size: 7 });
  }
  const numY = rowY(3);
  for (let c = 0; c < 2 + NUMBER_FIELDS.length; c++) {
    doc.rect(colX(c), numY, colW(c), COLNUM_H).stroke();
    lineText(doc, `(${c + 1})`, colX(c), numY, colW(c), COLNUM_H, { align: 'center', size: 6.5 });
  }
  return numY + COLNUM_H;
}

function rowHeight(doc: Doc, name: string): number {
  doc.font('regular').fontSize(8);
  return Math.max(14, doc.heightOfString(name, { width: NAME_W - 6 }) + 5);
}

function drawRow(doc: Doc, y: number, h: number, no: string, row: Ii06aRow, name: string, bold: boolean) {
  const cells = [no, name, ...NUMBER_FIELDS.map((f) => vnInt.format(row[f]))];
  cells.forEach((text, c) => {
    doc.rect(colX(c), y, colW(c), h).stroke();
    if (c === 1) cellText(doc, text, colX(c), y, colW(c), h, { align: bold ? 'center' : 'left', bold, size: 8 });
    else lineText(doc, text, colX(c), y, colW(c), h, { align: c === 0 ? 'center' : 'right', bold, size: 8 });
  });
}

/** The checks in words, with the total's figures. */
function checkLines(report: Ii06aReport): { ok: boolean; text: string }[] {
  const r = report.total;
  const n = (v: number) => vnInt.format(v);
  const totalOk = (rule: string) => report.checks.filter((c) => c.rule === rule && c.row === r.code).every((c) => c.ok);
  const lines = [
    { ok: totalOk('balance'), text: `Cân đối: kỳ trước chuyển qua ${n(r.carriedOver)} + mới tiếp nhận ${n(r.receivedOnline + r.receivedDirect)} = đã giải quyết ${n(r.resolvedTotal)} + rút, dừng xử lý ${n(r.withdrawn)} + đang giải quyết ${n(r.inProgressTotal)}` },
    { ok: totalOk('received'), text: `Tổng số tiếp nhận ${n(r.receivedTotal)} = kỳ trước chuyển qua ${n(r.carriedOver)} + trực tuyến ${n(r.receivedOnline)} + trực tiếp, bưu chính ${n(r.receivedDirect)}` },
    { ok: totalOk('resolved'), text: `Đã giải quyết ${n(r.resolvedTotal)} = trước hạn ${n(r.resolvedBefore)} + đúng hạn ${n(r.resolvedOn)} + quá hạn ${n(r.resolvedLate)}` },
    { ok: totalOk('inProgress'), text: `Đang giải quyết ${n(r.inProgressTotal)} = trong hạn ${n(r.inProgressWithin)} + quá hạn ${n(r.inProgressOverdue)}` },
    { ok: totalOk('rowsAddUp'), text: 'Các dòng cộng lại bằng dòng tổng cộng ở mọi cột' },
  ];
  const failing = report.rows.filter((row) => !checkReport([row], row).every((c) => c.ok));
  for (const row of failing.slice(0, MAX_FAILING_LISTED)) lines.push({ ok: false, text: `Dòng “${row.name}” không cân đối` });
  if (failing.length > MAX_FAILING_LISTED) lines.push({ ok: false, text: `và ${failing.length - MAX_FAILING_LISTED} dòng khác không cân đối` });
  return lines;
}

export function renderIi06aPdf(report: Ii06aReport): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const created = new Date(report.generatedAt);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: PAGE.margin,
    bufferPages: true,
    // No default font: pdfkit would load Helvetica, and a default equal to a registered font
    // defeats pdfkit's font cache (it reopens the font on every switch).
    font: null as unknown as string,
    info: { Title: `${II06A_FORM_NUMBER} – ${report.unit?.name ?? ''}`, Author: 'Cầu Số', Creator: 'Cầu Số', CreationDate: created, ModDate: created },
  });
  doc.registerFont('regular', regular as unknown as Buffer);
  doc.registerFont('bold', bold as unknown as Buffer);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = PAGE.margin;
  const width = PAGE.width - 2 * PAGE.margin;
  // Heading block: the unit on the left, the form number on the right, then title and period.
  doc.font('bold').fontSize(10).text(report.unit?.name ?? 'Toàn tỉnh', left, PAGE.margin, { width: width / 2 });
  doc.font('bold').fontSize(10).text(II06A_FORM_NUMBER, left + width / 2, PAGE.margin, { width: width / 2, align: 'right' });
  doc.font('bold').fontSize(12).text(II06A_TITLE, left + 60, PAGE.margin + 30, { width: width - 120, align: 'center' });
  doc.moveDown(0.3);
  doc.font('regular').fontSize(10).text(`Kỳ báo cáo: từ ngày ${vnDate(report.period.from)} đến ngày ${vnDate(report.period.to)}`, left, doc.y, { width, align: 'center' });
  doc.moveDown(0.2);
  doc.font('regular').fontSize(9).text('Đơn vị tính: Số hồ sơ TTHC', left, doc.y, { width, align: 'right' });

  const bottom = PAGE.height - PAGE.margin - FOOTER_H;
  let y = drawTableHeader(doc, report.by, doc.y + 4);
  const rows = [...report.rows.map((row, i) => ({ no: String(i + 1), row, name: row.name, bold: false })), { no: '', row: report.total, name: 'Tổng cộng', bold: true }];
  for (const r of rows) {
    const h = rowHeight(doc, r.name);
    if (y + h > bottom) {
      doc.addPage();
      y = drawTableHeader(doc, report.by, PAGE.margin);
    }
    drawRow(doc, y, h, r.no, r.row, r.name, r.bold);
    y += h;
  }

  // The checks under the table (on a new page when there is no room left).
  const lines = checkLines(report);
  if (y + 24 + lines.length * 13 > bottom) {
    doc.addPage();
    y = PAGE.margin;
  } else y += 12;
  doc.font('bold').fontSize(10).text('Kiểm tra số liệu', left, y, { width });
  for (const line of lines) {
    if (doc.y + 16 > bottom) {
      doc.addPage();
      doc.y = PAGE.margin;
    }
    const ly = doc.y + 2;
    doc.font('bold').fontSize(8.5).fillColor(line.ok ? '#006100' : '#9c0006').text(line.ok ? 'Đạt' : 'Không đạt', left, ly, { width: 60 });
    const afterLabel = doc.y;
    doc.font('regular').fontSize(8.5).fillColor('#000').text(line.text, left + 64, ly, { width: width - 64 });
    doc.y = Math.max(doc.y, afterLabel);
  }

  // Footer on every page: when it was made, and the page number.
  const range = doc.bufferedPageRange();
  const local = toLocalIso(created);
  const stamp = `Lập lúc ${local.slice(11, 16)} ngày ${vnDate(local.slice(0, 10))} – Cầu Số`;
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const fy = PAGE.height - PAGE.margin - 10;
    doc.font('regular').fontSize(7.5).fillColor('#333');
    doc.text(stamp, left, fy, { width: width / 2, lineBreak: false });
    doc.text(`Trang ${i + 1}/${range.count}`, left + width / 2, fy, { width: width / 2, align: 'right', lineBreak: false });
  }
  doc.end();
  return done;
}
