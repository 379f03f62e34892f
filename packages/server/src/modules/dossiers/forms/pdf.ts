/**
 * A4 PDF documents for the one-stop forms (Mẫu 01–04). Every glyph is drawn with DejaVu Sans,
 * embedded (subset) in the file: the PDF standard fonts (Helvetica…) have no Vietnamese
 * letters such as ộ, ư or ữ, and a printer or viewer without the font would show boxes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';

const FONT_DIR = fileURLToPath(new URL('../../../../assets/fonts/', import.meta.url));
const REGULAR = readFileSync(`${FONT_DIR}DejaVuSans.ttf`);
const BOLD = readFileSync(`${FONT_DIR}DejaVuSans-Bold.ttf`);

export const FONT = { regular: 'DejaVuSans', bold: 'DejaVuSans-Bold' } as const;

/** Margins of an administrative document (Nghị định 30/2020): 30 mm left, 20 mm elsewhere. */
export const MARGINS = { top: 57, bottom: 57, left: 85, right: 57 };

export interface PdfMeta {
  title: string;
  author: string;
}

/** A new document whose default font is DejaVu Sans; the built-in Helvetica is never loaded. */
export function newPdf(meta: PdfMeta): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    // null: no default font, so pdfkit does not load Helvetica before ours is registered.
    font: null as unknown as string,
    lang: 'vi-VN',
    displayTitle: true,
    info: { Title: meta.title, Author: meta.author, Creator: 'Cầu Số', Producer: 'Cầu Số (pdfkit)' },
  });
  doc.registerFont(FONT.regular, REGULAR);
  doc.registerFont(FONT.bold, BOLD);
  doc.font(FONT.regular).fontSize(11.5);
  return doc;
}

/** Ends the document and resolves with its bytes. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
