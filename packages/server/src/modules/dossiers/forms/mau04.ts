/**
 * Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả: the agency apologises for a late dossier,
 * gives the reason and a new date. The officer chooses the date and writes the reason just
 * before printing; the print is audited with both, so the promise is on record.
 */
import { localMidnight, type LocalDate } from '@causo/domain';
import { pdfBytes } from './pdf.ts';
import { field, formTitle, nationalHeader, paragraph, signatures, vnDate, vnTimeAndDate } from './layout.ts';
import type { Printable } from './printable.ts';
import { printedNote, requestLine, startForm } from './parts.ts';
import { FORM_TITLES } from './rules.ts';

export interface Apology {
  newDate: LocalDate;
  reason: string;
}

const capitalise = (s: string) => s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);

export async function renderMau04(p: Printable, apology: Apology, now: Date): Promise<Buffer> {
  const doc = startForm('04', p);
  const body = p.agency.bodyInText;
  nationalHeader(doc, p.agency, now);
  formTitle(doc, FORM_TITLES['04'].toLocaleUpperCase('vi'));

  field(doc, 'Kính gửi', `Ông/Bà ${p.applicant.fullName}`);
  paragraph(doc, `${capitalise(vnDate(p.receivedAt ?? p.submittedAt))}, ${body} tiếp nhận giải quyết hồ sơ của Ông/Bà:`);
  requestLine(doc, p);
  field(doc, 'Mã hồ sơ', p.code);
  field(doc, 'Ngày hẹn trả kết quả giải quyết hồ sơ', p.dueAt ? vnTimeAndDate(p.dueAt) : '');
  paragraph(doc, `Tuy nhiên đến nay, ${body} chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng thời hạn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.`);
  field(doc, 'Lý do', apology.reason);
  paragraph(
    doc,
    `Sự chậm trễ này đã gây phiền hà cho Ông/Bà. ${capitalise(body)} xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào ${vnDate(localMidnight(apology.newDate))}.`,
  );
  paragraph(doc, 'Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./.');

  signatures(doc, null, { title: 'THỦ TRƯỞNG CƠ QUAN', note: '(Ký, ghi rõ họ tên và đóng dấu)' });
  printedNote(doc, '04', now);
  return pdfBytes(doc);
}
