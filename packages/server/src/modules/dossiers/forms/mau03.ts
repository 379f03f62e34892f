/** Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ: why the desk did not accept the dossier. */
import { pdfBytes } from './pdf.ts';
import { field, formTitle, nationalHeader, paragraph, signatures, vnTimeAndDate } from './layout.ts';
import { lastStep, type Printable } from './printable.ts';
import { contactLines, printedNote, requestLine, startForm } from './parts.ts';
import { FORM_TITLES } from './rules.ts';

const CHANNEL_NAMES: Record<number, string> = { 1: 'trực tiếp', 2: 'trực tuyến', 3: 'qua dịch vụ bưu chính' };

export async function renderMau03(p: Printable, now: Date): Promise<Buffer> {
  const refusal = lastStep(p, 'refuse');
  const doc = startForm('03', p);
  nationalHeader(doc, p.agency, refusal?.at ?? now);
  formTitle(doc, FORM_TITLES['03'].toLocaleUpperCase('vi'));

  paragraph(doc, `${p.agency.deskInText} đã nhận được hồ sơ của:`);
  field(doc, 'Ông/Bà', p.applicant.fullName);
  contactLines(doc, p);
  requestLine(doc, p);
  field(doc, 'Mã hồ sơ', p.code);
  field(doc, 'Hồ sơ nộp', `${CHANNEL_NAMES[p.channel] ?? ''} lúc ${vnTimeAndDate(p.submittedAt)}`);
  paragraph(
    doc,
    `Căn cứ quy định của thủ tục hành chính nêu trên, ${p.agency.deskInText} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:`,
  );
  paragraph(doc, refusal?.payload.reason ?? '…………………………', { bold: true, indent: 18 });
  paragraph(doc, 'Xin thông báo cho Ông/Bà được biết và thực hiện./.');

  signatures(doc, null, { title: 'NGƯỜI TIẾP NHẬN HỒ SƠ', note: '(Ký và ghi rõ họ tên)', name: refusal?.by });
  printedNote(doc, '03', now);
  return pdfBytes(doc);
}
