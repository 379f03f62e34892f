/** Pieces of wording that several forms share. */
import { FORM_TITLES, type FormNumber } from './rules.ts';
import { field, footnote, vnTimeAndDate } from './layout.ts';
import type { Printable } from './printable.ts';
import { newPdf } from './pdf.ts';

type Doc = PDFKit.PDFDocument;

export function startForm(form: FormNumber, p: Printable): Doc {
  return newPdf({ title: `Mẫu số ${form} – ${FORM_TITLES[form]} – ${p.code}`, author: p.agency.deskInText });
}

/** Address and phone lines: a dotted line to fill in by hand when the desk did not record them. */
export function contactLines(doc: Doc, p: Printable): void {
  field(doc, 'Địa chỉ', p.applicant.address ?? '');
  field(doc, 'Số điện thoại', p.applicant.phone ?? '');
}

export function requestLine(doc: Doc, p: Printable): void {
  field(doc, 'Nội dung yêu cầu giải quyết', `${p.procedure.name} (mã thủ tục ${p.procedure.code})`);
}

export function slaText(p: Printable): string {
  if (!p.procedure.slaValue) return '';
  return `${p.procedure.slaValue} ${p.procedure.slaUnit === 'working_hours' ? 'giờ làm việc' : 'ngày làm việc'}`;
}

export function printedNote(doc: Doc, form: FormNumber, now: Date): void {
  footnote(doc, `Mẫu số ${form}. In từ hệ thống Cầu Số lúc ${vnTimeAndDate(now)}.`);
}
