/**
 * Biểu số II.06a/VPCP/KSTT as CSV: UTF-8 with a BOM (Excel then reads Vietnamese correctly),
 * CRLF line ends, RFC 4180 quoting, plain integers, and text cells guarded against formula
 * injection (a cell starting with =, +, -, @, tab or CR gets a leading apostrophe).
 */
import type { Ii06aNumbers, Ii06aReport, Ii06aRow } from '../../../../domain/src/ii06a.ts';

type Lang = 'vi' | 'en';

const BOM = '\uFEFF';
const EOL = '\r\n';

/** The 12 numeric columns in form order (3)…(14), with their headers. */
export const II06A_CSV_COLUMNS: readonly { field: keyof Ii06aNumbers; vi: string; en: string }[] = [
  { field: 'receivedTotal', vi: 'Tiếp nhận - Tổng số', en: 'Received - Total' },
  { field: 'receivedOnline', vi: 'Tiếp nhận - Trực tuyến', en: 'Received - Online' },
  { field: 'receivedDirect', vi: 'Tiếp nhận - Trực tiếp, bưu chính', en: 'Received - In person, by post' },
  { field: 'carriedOver', vi: 'Tiếp nhận - Từ kỳ trước', en: 'Received - Carried over' },
  { field: 'resolvedTotal', vi: 'Đã giải quyết - Tổng số', en: 'Resolved - Total' },
  { field: 'resolvedBefore', vi: 'Đã giải quyết - Trước hạn', en: 'Resolved - Before deadline' },
  { field: 'resolvedOn', vi: 'Đã giải quyết - Đúng hạn', en: 'Resolved - On time' },
  { field: 'resolvedLate', vi: 'Đã giải quyết - Quá hạn', en: 'Resolved - Late' },
  { field: 'withdrawn', vi: 'Rút hồ sơ, dừng xử lý', en: 'Withdrawn, stopped' },
  { field: 'inProgressTotal', vi: 'Đang giải quyết - Tổng số', en: 'In progress - Total' },
  { field: 'inProgressWithin', vi: 'Đang giải quyết - Trong hạn', en: 'In progress - Within deadline' },
  { field: 'inProgressOverdue', vi: 'Đang giải quyết - Quá hạn', en: 'In progress - Overdue' },
];

const LEADING = {
  vi: ['STT', 'Mã', 'Tên đơn vị/lĩnh vực'],
  en: ['No.', 'Code', 'Unit/sector name'],
} as const;

const TOTAL_LABEL = { vi: 'Tổng cộng', en: 'Total' } as const;

/** Neutralise text that a spreadsheet would read as a formula. */
function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quote a field containing a comma, a quote or a line break; double inner quotes. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A whole number as plain digits (no separators, no exponent). */
function integer(n: number): string {
  if (!Number.isFinite(n)) return '';
  return Math.trunc(n).toFixed(0);
}

function line(cells: string[]): string {
  return cells.map(quote).join(',') + EOL;
}

function numbers(row: Ii06aRow): string[] {
  return II06A_CSV_COLUMNS.map((c) => integer(row[c.field]));
}

export function renderIi06aCsv(report: Ii06aReport, lang: Lang = 'vi'): string {
  let out = BOM + line([...LEADING[lang], ...II06A_CSV_COLUMNS.map((c) => c[lang])]);
  report.rows.forEach((row, i) => {
    out += line([String(i + 1), guardFormula(row.code), guardFormula(row.name), ...numbers(row)]);
  });
  out += line(['', '', TOTAL_LABEL[lang], ...numbers(report.total)]);
  return out;
}
