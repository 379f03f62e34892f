/**
 * Which printed form applies to a dossier in which state. The officer's dossier page draws its
 * print buttons from `printableForms`; the PDF routes refuse the rest with 409.
 */
import type { Status } from '@causo/domain';

export const FORM_NUMBERS = ['01', '02', '03', '04'] as const;
export type FormNumber = (typeof FORM_NUMBERS)[number];

export const FORM_TITLES: Record<FormNumber, string> = {
  '01': 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  '02': 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  '03': 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  '04': 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
};

export interface FormState {
  status: Status;
  dueAt: Date | null;
  pausedAt: Date | null;
}

/** Received into the one-stop's books: every status except 1 (online, not yet received) and 3 (refused). */
const RECEIVED: readonly Status[] = [2, 4, 5, 6, 7, 8, 9, 10];
/** Still running towards its due date (5 is paused but may have been late when it paused). */
const OPEN: readonly Status[] = [2, 4, 5, 6];

/**
 * Late: still open and past its due date. A dossier waiting for a supplement has its clock
 * stopped, so it counts as late only if it was already late when the clock stopped.
 */
export function isLate(d: FormState, now: Date): boolean {
  if (!OPEN.includes(d.status) || !d.dueAt) return false;
  const reference = d.status === 5 && d.pausedAt ? d.pausedAt : now;
  return reference.getTime() > d.dueAt.getTime();
}

export function formApplies(form: FormNumber, d: FormState, now: Date): boolean {
  switch (form) {
    case '01':
      return RECEIVED.includes(d.status);
    case '02':
      return d.status === 5;
    case '03':
      return d.status === 3;
    case '04':
      return isLate(d, now);
  }
}

export function printableForms(d: FormState, now: Date): FormNumber[] {
  return FORM_NUMBERS.filter((f) => formApplies(f, d, now));
}

/** Where each form is printed from; Mẫu 04 first asks the officer for the new date. */
export function formUrl(code: string, form: FormNumber): string {
  const base = `/office/dossiers/${encodeURIComponent(code)}/forms`;
  return form === '04' ? `${base}/04` : `${base}/${form}.pdf`;
}
