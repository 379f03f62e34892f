/**
 * The language of the app (Vietnamese unless the member switched) and `t(key, params)`. A
 * minority-language catalogue is one more file with the same keys.
 */
import { useEffect, useState } from 'preact/hooks';
import { vi, type MessageKey } from './vi.ts';
import { en } from './en.ts';

export type Lang = 'vi' | 'en';
export type { MessageKey };
const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { vi, en };
const STORAGE_KEY = 'causo.field.lang';

let current: Lang = readLang();
const listeners = new Set<() => void>();

function readLang(): Lang {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export const lang = (): Lang => current;

export function setLang(next: Lang): void {
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this session
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next;
  for (const l of listeners) l();
}

export function isMessageKey(key: string): key is MessageKey {
  return key in vi;
}

/** The message in the current language, `{name}` placeholders filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>, in_: Lang = current): string {
  const text = CATALOGUES[in_][key];
  return params ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : text;
}

/** Re-renders the component when the language changes. */
export function useLang(): Lang {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = () => bump((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return current;
}

const NUMBER = new Intl.NumberFormat('vi-VN');
/** Numbers the Vietnamese way (460.392) in both languages of the app, like the printed reports. */
export const formatNumber = (n: number): string => NUMBER.format(n);

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(current === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function formatDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return y && m && d ? `${d}/${m}/${y}` : isoDate;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1).replace('.', ',')} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1).replace('.', ',')} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}
