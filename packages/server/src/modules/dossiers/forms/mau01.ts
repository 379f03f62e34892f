/**
 * Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả: handed to the citizen when the desk
 * receives the dossier. It carries the dossier code as text and as a QR code, so the citizen
 * (or a team member's phone) can look the dossier up without typing it.
 */
import QRCode from 'qrcode';
import { FONT, MARGINS, pdfBytes } from './pdf.ts';
import { body, field, formTitle, list, nationalHeader, paragraph, signatures, vnTimeAndDate } from './layout.ts';
import type { Printable } from './printable.ts';
import { contactLines, printedNote, requestLine, slaText, startForm } from './parts.ts';
import { FORM_TITLES } from './rules.ts';

/** Quiet zone and pixel size of the QR image: 4 px per module is sharp at 80 pt when printed. */
export const QR_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 4 } as const;

export function qrPng(code: string): Promise<Buffer> {
  return QRCode.toBuffer(code, QR_OPTIONS);
}

export async function renderMau01(p: Printable, now: Date): Promise<Buffer> {
  const doc = startForm('01', p);
  const at = p.receivedAt ?? p.submittedAt;
  nationalHeader(doc, p.agency, at);
  formTitle(doc, FORM_TITLES['01'].toLocaleUpperCase('vi'));

  const qrSize = 84;
  const qrX = doc.page.width - MARGINS.right - qrSize;
  const top = doc.y;
  doc.image(await qrPng(p.code), qrX, top, { width: qrSize, height: qrSize });
  const textWidth = qrX - MARGINS.left - 12;
  body(doc).text('Mã hồ sơ: ', MARGINS.left, top + 8, { width: textWidth, continued: true }).font(FONT.bold).fontSize(14).text(p.code);
  body(doc)
    .fontSize(10)
    .text('Quét mã QR hoặc nhập mã hồ sơ ở mục "Tra cứu hồ sơ" trên Cổng dịch vụ công để biết hồ sơ đang được giải quyết đến đâu.', MARGINS.left, doc.y + 4, { width: textWidth });
  doc.y = Math.max(doc.y, top + qrSize) + 10;

  paragraph(doc, `${p.agency.deskInText} tiếp nhận hồ sơ của:`);
  field(doc, 'Ông/Bà', p.applicant.fullName);
  if (p.applicant.idNumber) field(doc, 'Số định danh cá nhân (CCCD)', p.applicant.idNumber);
  contactLines(doc, p);
  requestLine(doc, p);
  paragraph(doc, '1. Thành phần hồ sơ nộp gồm:');
  list(doc, p.papers);
  field(doc, '2. Số lượng hồ sơ', '01 (bộ)');
  field(doc, '3. Thời gian giải quyết hồ sơ theo quy định là', slaText(p));
  field(doc, '4. Thời gian nhận hồ sơ', vnTimeAndDate(at));
  field(doc, '5. Thời gian trả kết quả giải quyết hồ sơ', p.dueAt ? vnTimeAndDate(p.dueAt) : '');
  field(
    doc,
    '6. Đăng ký nhận kết quả tại',
    p.resultDelivery === 'post' ? `địa chỉ của người nộp, qua dịch vụ bưu chính công ích${p.applicant.address ? ` (${p.applicant.address})` : ''}` : p.agency.deskInText,
  );
  paragraph(doc, 'Khi đến nhận kết quả, Ông/Bà mang theo giấy này và giấy tờ tùy thân.');

  signatures(doc, { title: 'NGƯỜI NỘP HỒ SƠ', note: '(Ký và ghi rõ họ tên)', name: p.applicant.fullName }, { title: 'NGƯỜI TIẾP NHẬN HỒ SƠ', note: '(Ký và ghi rõ họ tên)', name: p.receivedBy });
  printedNote(doc, '01', now);
  return pdfBytes(doc);
}
