/** Dates and money the way Vietnamese readers write them: 25/11/2026, 09:00, 10.000 đồng. */
import type { PageRequest } from '../../../../web/request.ts';

/** `2026-11-25T09:00:00+07:00` (local ISO, as views carry it) → `25/11/2026`. */
export function localDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

export function localTime(iso: string): string {
  return iso.slice(11, 16);
}

/** "09:00 ngày 25/11/2026" / "25/11/2026 at 09:00". */
export function localDateTime(p: PageRequest, iso: string): string {
  return p.t('track.datetime', { date: localDate(iso), time: localTime(iso) });
}

export function money(p: PageRequest, amount: number): string {
  return p.t('common.dong', { amount });
}

/** The procedure's name in the page's language. */
export function procedureName(p: PageRequest, proc: { nameVi: string; nameEn: string }): string {
  return p.lang === 'vi' ? proc.nameVi : proc.nameEn || proc.nameVi;
}
