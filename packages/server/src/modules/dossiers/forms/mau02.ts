/**
 * Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: lists, once and completely, the papers the
 * citizen still has to bring (the one-stop principle "hướng dẫn một lần"), from the latest
 * supplement request in the action log.
 */
import { pdfBytes } from './pdf.ts';
import { field, formTitle, list, nationalHeader, paragraph, signatures } from './layout.ts';
import { lastStep, type Printable } from './printable.ts';
import { contactLines, printedNote, requestLine, startForm } from './parts.ts';
import { FORM_TITLES } from './rules.ts';

export async function renderMau02(p: Printable, now: Date): Promise<Buffer> {
  const request = lastStep(p, 'request_supplement');
  const doc = startForm('02', p);
  nationalHeader(doc, p.agency, request?.at ?? now);
  formTitle(doc, FORM_TITLES['02'].toLocaleUpperCase('vi'));

  field(doc, 'Mã hồ sơ', p.code);
  field(doc, 'Hồ sơ của', p.applicant.fullName);
  requestLine(doc, p);
  contactLines(doc, p);
  paragraph(doc, 'Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:');
  list(doc, request?.payload.missingDocuments ?? [], { numbered: true });
  field(doc, 'Lý do', request?.payload.reason ?? request?.payload.note ?? 'Hồ sơ chưa đủ thành phần hoặc chưa đúng theo quy định của thủ tục.');
  paragraph(
    doc,
    `Ông/Bà bổ sung các nội dung trên tại ${p.agency.deskInText} hoặc trên Cổng dịch vụ công với mã hồ sơ ${p.code}. Thời hạn giải quyết hồ sơ tạm dừng cho đến khi nhận đủ giấy tờ bổ sung.`,
  );
  paragraph(
    doc,
    `Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với ${request?.by ? `cán bộ ${request.by}, ` : ''}${p.agency.deskInText} để được hướng dẫn./.`,
  );

  signatures(doc, null, { title: 'NGƯỜI HƯỚNG DẪN', note: '(Ký và ghi rõ họ tên)', name: request?.by });
  printedNote(doc, '02', now);
  return pdfBytes(doc);
}
