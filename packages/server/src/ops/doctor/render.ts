/** The doctor's findings as text for a terminal (both languages) or as JSON for a monitor. */
import type { CheckResult } from './checks.ts';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

export function renderText(results: CheckResult[]): string {
  const lines = ['Cầu Số doctor — kiểm tra cài đặt / installation check', ''];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.title.vi} / ${r.title.en}: ${r.detail}`);
    if (r.fix) lines.push(`    Cách sửa: ${r.fix.vi}`, `    Fix: ${r.fix.en}`);
  }
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warning(s), ${count('fail')} failure(s)`);
  return `${lines.join('\n')}\n`;
}

export const failed = (results: CheckResult[]): boolean => results.some((r) => r.status === 'fail');
