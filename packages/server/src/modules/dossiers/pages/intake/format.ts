/** Dates and times on the desk's pages, in Vietnam's local time, in the page's language. */
import { localDateOf, localMinuteOfDay } from '@causo/domain';
import type { Translate } from '../../../../web/i18n.ts';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** "26/11/2026" */
export function localDateText(instant: Date): string {
  const [y, m, d] = localDateOf(instant).split('-');
  return `${d}/${m}/${y}`;
}

/** "16:30 ngày 26/11/2026" or "16:30 on 26/11/2026". */
export function localDateTimeText(t: Translate, instant: Date): string {
  const minute = localMinuteOfDay(instant);
  return t('intake.datetime', { time: `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`, date: localDateText(instant) });
}
