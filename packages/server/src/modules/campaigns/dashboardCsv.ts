/**
 * A dashboard table as CSV: UTF-8 with a BOM (Excel then reads Vietnamese correctly), CRLF line
 * ends, RFC 4180 quoting, numbers with a dot for decimals and no thousands separator
 * (percentages as 78.5), days as YYYY-MM-DD, an empty field for "no data", and text fields
 * guarded against formula injection (a field starting with =, +, -, @, tab or CR gets a
 * leading apostrophe).
 */
import type { Cell, ExportTable } from './dashboardExportTable.ts';

const BOM = '\uFEFF';
const EOL = '\r\n';

/** Neutralise text that a spreadsheet would read as a formula. */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function field(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'string') return guardFormula(c);
  if ('date' in c) return c.date;
  if (c.value === null || !Number.isFinite(c.value)) return '';
  return c.kind === 'int' ? Math.round(c.value).toFixed(0) : String(c.value);
}

export function renderDashboardCsv(table: ExportTable): string {
  const line = (cells: string[]) => cells.map(quote).join(',') + EOL;
  let out = BOM + line(table.columns.map(guardFormula));
  for (const row of table.rows) out += line(row.cells.map(field));
  return out;
}
