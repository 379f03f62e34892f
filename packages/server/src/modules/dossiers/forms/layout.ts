/**
 * The parts every one-stop form shares, laid out as an administrative document (Nghị định
 * 30/2020/NĐ-CP): agency on the left, the national name and motto on the right, place and date
 * under them, a title in capitals, the body, and signature blocks at the bottom.
 */
import { localDateOf, localMinuteOfDay } from '@causo/domain';
import { FONT, MARGINS } from './pdf.ts';

export const NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const NATIONAL_MOTTO = 'Độc lập - Tự do - Hạnh phúc';

/** Who issues the form. */
export interface Agency {
  /** The governing body, in capitals: "ỦY BAN NHÂN DÂN XÃ HƯNG PHƯỚC". */
  parent: string;
  /** The one-stop desk, in capitals: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG". */
  desk: string;
  /** The desk in running text: "Trung tâm Phục vụ hành chính công xã Hưng Phước". */
  deskInText: string;
  /** The governing body in running text: "Ủy ban nhân dân xã Hưng Phước". */
  bodyInText: string;
  /** The place written before the date: "Hưng Phước". */
  place: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * "ngày 05 tháng 01 năm 2026": days below 10 and the months 1 and 2 take a leading zero, as
 * the rules for administrative documents require (so "tháng 1" cannot be read as "tháng 10").
 */
export function vnDate(instant: Date): string {
  const [y, m, d] = localDateOf(instant).split('-').map(Number) as [number, number, number];
  return `ngày ${pad2(d)} tháng ${m <= 2 ? pad2(m) : m} năm ${y}`;
}

/** "16 giờ 30 phút, ngày 26 tháng 11 năm 2026", in Vietnam's local time. */
export function vnTimeAndDate(instant: Date): string {
  const minute = localMinuteOfDay(instant);
  return `${pad2(Math.floor(minute / 60))} giờ ${pad2(minute % 60)} phút, ${vnDate(instant)}`;
}

export const placeAndDate = (place: string, instant: Date): string => `${place}, ${vnDate(instant)}`;

type Doc = PDFKit.PDFDocument;

const contentWidth = (doc: Doc) => doc.page.width - MARGINS.left - MARGINS.right;

/** The largest size up to `max` at which `text` fits on one line of `width`. */
/** The largest size from `max` down to `min` at which `text` fits on one line of `width` (it wraps below `min`). */
function fittingSize(doc: Doc, text: string, font: string, width: number, max: number, min = 8): number {
  doc.font(font);
  let size = max;
  while (size > min && doc.fontSize(size).widthOfString(text) > width) size -= 0.5;
  return size;
}

function centredRule(doc: Doc, centreX: number, y: number, length: number): void {
  doc.moveTo(centreX - length / 2, y).lineTo(centreX + length / 2, y).lineWidth(0.6).stroke();
}

/** Agency block on the left, national name, motto and place-and-date on the right. */
export function nationalHeader(doc: Doc, agency: Agency, at: Date): void {
  const top = MARGINS.top;
  const left = { x: MARGINS.left - 35, width: 215 };
  const right = { x: doc.page.width - MARGINS.right - 255, width: 255 };

  const parentSize = fittingSize(doc, agency.parent, FONT.regular, left.width, 10);
  doc.font(FONT.regular).fontSize(parentSize).text(agency.parent, left.x, top, { width: left.width, align: 'center' });
  const deskSize = fittingSize(doc, agency.desk, FONT.bold, left.width, 10, 8.5);
  doc.font(FONT.bold).fontSize(deskSize).text(agency.desk, left.x, doc.y, { width: left.width, align: 'center' });
  centredRule(doc, left.x + left.width / 2, doc.y + 2, 70);
  const leftBottom = doc.y + 4;

  const nameSize = fittingSize(doc, NATIONAL_NAME, FONT.bold, right.width, 10.5);
  doc.font(FONT.bold).fontSize(nameSize).text(NATIONAL_NAME, right.x, top, { width: right.width, align: 'center' });
  doc.font(FONT.bold).fontSize(11).text(NATIONAL_MOTTO, right.x, doc.y, { width: right.width, align: 'center' });
  const mottoWidth = doc.widthOfString(NATIONAL_MOTTO);
  centredRule(doc, right.x + right.width / 2, doc.y + 2, mottoWidth);
  doc.font(FONT.regular).fontSize(10.5).text(placeAndDate(agency.place, at), right.x, doc.y + 10, { width: right.width, align: 'center', oblique: true });

  doc.x = MARGINS.left;
  doc.y = Math.max(leftBottom, doc.y) + 22;
}

export function formTitle(doc: Doc, title: string, subtitle?: string): void {
  doc.font(FONT.bold).fontSize(13.5).text(title, MARGINS.left, doc.y, { width: contentWidth(doc), align: 'center' });
  if (subtitle) doc.font(FONT.regular).fontSize(11.5).text(subtitle, { width: contentWidth(doc), align: 'center' });
  doc.moveDown(1);
  body(doc);
}

/** Back to the body text style at the left margin. */
export function body(doc: Doc): Doc {
  doc.x = MARGINS.left;
  return doc.font(FONT.regular).fontSize(11.5);
}

const flow = (doc: Doc) => ({ width: contentWidth(doc), lineGap: 2.5 });

/** "Label: value", the value in bold so it stands out from the printed wording. */
export function field(doc: Doc, label: string, value: string): void {
  body(doc).text(`${label}: `, MARGINS.left, doc.y, { ...flow(doc), continued: true });
  doc.font(FONT.bold).text(value || '…………………………', flow(doc));
  body(doc);
}

export function paragraph(doc: Doc, text: string, opts: { bold?: boolean; indent?: number } = {}): void {
  body(doc)
    .font(opts.bold ? FONT.bold : FONT.regular)
    .text(text, MARGINS.left + (opts.indent ?? 0), doc.y, { ...flow(doc), width: contentWidth(doc) - (opts.indent ?? 0), paragraphGap: 3 });
  body(doc);
}

/** A list marked "- " (or "1.", "2." when numbered), indented under the line that introduces it. */
export function list(doc: Doc, items: string[], opts: { numbered?: boolean } = {}): void {
  const indent = 18;
  (items.length ? items : ['…………………………']).forEach((item, i) => {
    const mark = opts.numbered ? `${i + 1}.` : '-';
    body(doc).text(`${mark} ${item}`, MARGINS.left + indent, doc.y, { width: contentWidth(doc) - indent, lineGap: 2.5 });
  });
  body(doc);
  doc.moveDown(0.3);
}

export interface Signature {
  /** "NGƯỜI TIẾP NHẬN HỒ SƠ" */
  title: string;
  /** "(Ký và ghi rõ họ tên)" */
  note: string;
  /** Printed under the space for the signature, when known. */
  name?: string | null;
}

/** One or two signature blocks side by side; a block alone sits on the right, as in the forms. */
export function signatures(doc: Doc, left: Signature | null, right: Signature): void {
  const height = 130;
  if (doc.y + height > doc.page.height - MARGINS.bottom) doc.addPage();
  const top = doc.y + 16;
  const half = contentWidth(doc) / 2;
  const block = (s: Signature, x: number) => {
    doc.font(FONT.bold).fontSize(11).text(s.title, x, top, { width: half, align: 'center' });
    doc.font(FONT.regular).fontSize(10).text(s.note, x, doc.y, { width: half, align: 'center', oblique: true });
    if (s.name) doc.font(FONT.bold).fontSize(11).text(s.name, x, top + 95, { width: half, align: 'center' });
  };
  if (left) block(left, MARGINS.left);
  block(right, MARGINS.left + half);
  body(doc);
  doc.y = top + height;
}

/** A small line at the foot of the last page: where the form comes from, for the archive. */
export function footnote(doc: Doc, text: string): void {
  if (doc.y + 30 > doc.page.height - MARGINS.bottom) doc.addPage();
  doc.font(FONT.regular).fontSize(8.5).fillColor('#444444').text(text, MARGINS.left, doc.y + 8, { width: contentWidth(doc) });
  doc.fillColor('#000000');
  body(doc);
}
