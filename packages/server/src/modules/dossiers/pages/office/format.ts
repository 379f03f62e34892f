/** How the back office writes dates, working time, statuses and channels. */
import { STATUS_NAMES, toLocalIso, type Status } from '@causo/domain';
import { formatNumber } from '../../../../web/i18n.ts';
import type { PageRequest } from '../../../../web/request.ts';
import { COUNT_CAP } from '../../office/queues.ts';

const parts = (d: Date | string) => {
  const iso = typeof d === 'string' ? d : toLocalIso(d);
  return { y: iso.slice(0, 4), m: iso.slice(5, 7), d: iso.slice(8, 10), hm: iso.slice(11, 16) };
};

/** 25/11/2026 09:00 (Vietnamese time); accepts a Date or an ISO string with +07:00. */
export function dateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const x = parts(value);
  return `${x.d}/${x.m}/${x.y} ${x.hm}`;
}

export function dateOnly(value: Date | string | null | undefined): string {
  if (!value) return '';
  const x = parts(value);
  return `${x.d}/${x.m}/${x.y}`;
}

export function statusName(p: PageRequest, status: number): string {
  const names = STATUS_NAMES[status as Status] as Record<string, string> | undefined;
  return names?.[p.lang] ?? names?.vi ?? String(status);
}

export const channelName = (p: PageRequest, channel: number): string => p.t(`office.channel.${channel}`);

/** "1 ngày 2 giờ 30 phút" of working time; a working day is the calendar's office minutes. */
export function workingDuration(p: PageRequest, minutes: number, minutesPerDay: number): string {
  const total = Math.round(Math.abs(minutes));
  const days = Math.floor(total / minutesPerDay);
  const hours = Math.floor((total % minutesPerDay) / 60);
  const mins = total % 60;
  const out: string[] = [];
  if (days) out.push(p.t('office.time.days', { n: days }));
  if (hours) out.push(p.t('office.time.hours', { n: hours }));
  if (mins || out.length === 0) out.push(p.t('office.time.minutes', { n: mins }));
  return out.join(' ');
}

/** Query string with some parameters replaced (undefined or empty drops them). */
export function withParams(base: Record<string, string | undefined>, change: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...base, ...change })) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A tab count the Vietnamese way (1.234), "500+" once counting stopped. */
export const countText = (p: PageRequest, n: number): string => (n > COUNT_CAP ? `${formatNumber(p.lang, COUNT_CAP)}+` : formatNumber(p.lang, n));
