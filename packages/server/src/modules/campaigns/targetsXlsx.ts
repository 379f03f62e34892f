/**
 * The targets template of a campaign as an Excel workbook, and reading it back.
 *
 * Sheet "Chỉ tiêu": a title block, a header row in Vietnamese (what people read), then a row
 * of column keys (`code`, `name`, `level`, then indicator keys such as `smartphone_pct`: what
 * the import reads, so columns may be moved or removed), then one row per unit, the unit first
 * and its subtree under it down to the villages, with the current targets. Sheet "Hướng dẫn"
 * explains how to fill it in, in Vietnamese.
 *
 * Reading never trusts the upload: it must be a real, bounded XLSX (zipGuard.ts) before ExcelJS
 * sees it, and at most MAX_IMPORT_ROWS unit rows.
 */
import ExcelJS from 'exceljs';
import { INDICATOR_KEYS, INDICATORS, type IndicatorKey, type IndicatorKind } from '@causo/domain';
import { Problem } from '../../http/problem.ts';
import type { CampaignUnit } from './campaignAccess.ts';
import type { SubtreeUnit } from './campaignGrid.ts';
import type { CampaignRef } from './campaignQueries.ts';
import { checkRanges, checkZip, ZipRefused } from './zipGuard.ts';

export const TARGETS_SHEET = 'Chỉ tiêu';
export const NOTES_SHEET = 'Hướng dẫn';
/** The row of column keys; unit rows follow it. */
export const KEY_ROW = 4;
export const MAX_IMPORT_ROWS = 5_000;
export const MAX_IMPORT_BYTES = 2_000_000;
const ZIP_LIMITS = { maxEntries: 200, maxUnpackedBytes: 25_000_000 };
const MAX_RANGE_CELLS = (MAX_IMPORT_ROWS + 20) * 40;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const FONT = 'Times New Roman';
const LEVEL_VI: Record<CampaignUnit['level'], string> = { province: 'Tỉnh', district: 'Huyện', commune: 'Xã, phường', village: 'Thôn, ấp, khu phố' };
const KIND_VI: Record<IndicatorKind, { unit: string; range: string; format: string }> = {
  percent: { unit: '%', range: 'tỉ lệ phần trăm từ 0 đến 100, tối đa một chữ số thập phân (ví dụ 92,5)', format: '0.0' },
  count: { unit: 'số lượng', range: 'số nguyên không âm (ví dụ 1200)', format: '0' },
  days: { unit: 'ngày', range: 'số ngày không âm, tối đa một chữ số thập phân (ví dụ 7,5)', format: '0.0' },
};

const dmy = (d: string): string => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;

function targetsSheet(wb: ExcelJS.Workbook, campaign: CampaignRef, root: CampaignUnit, units: readonly SubtreeUnit[]): void {
  const ws = wb.addWorksheet(TARGETS_SHEET, { views: [{ state: 'frozen', xSplit: 2, ySplit: KEY_ROW }] });
  const keys = campaign.indicators;
  ws.columns = [{ width: 14 }, { width: 42 }, { width: 16 }, ...keys.map(() => ({ width: 20 }))];
  const last = 3 + keys.length;
  ws.mergeCells(1, 1, 1, last);
  ws.mergeCells(2, 1, 2, last);
  Object.assign(ws.getCell(1, 1), { value: `Chỉ tiêu chiến dịch: ${campaign.name}`, font: { name: FONT, size: 14, bold: true } });
  Object.assign(ws.getCell(2, 1), {
    value: `Thời gian: ${dmy(campaign.startsOn)} – ${dmy(campaign.endsOn)}. Đơn vị: ${root.name} (${root.code}) và các đơn vị trực thuộc. Đọc trang "${NOTES_SHEET}" trước khi điền.`,
    font: { name: FONT, size: 12, italic: true },
    alignment: { wrapText: true },
  });
  ws.getRow(2).height = 32;

  const header = ws.getRow(3);
  header.values = ['Mã đơn vị', 'Tên đơn vị', 'Cấp', ...keys.map((k) => `${INDICATORS[k].name.vi} (${KIND_VI[INDICATORS[k].kind].unit})`)];
  header.height = 60;
  header.eachCell((c) => Object.assign(c, { font: { name: FONT, size: 12, bold: true }, alignment: { wrapText: true, vertical: 'middle', horizontal: 'center' }, fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F1EC' } } }));
  const keyRow = ws.getRow(KEY_ROW);
  keyRow.values = ['code', 'name', 'level', ...keys];
  keyRow.eachCell((c) => Object.assign(c, { font: { name: 'Consolas', size: 9, italic: true, color: { argb: 'FF595959' } }, alignment: { horizontal: 'center' } }));

  units.forEach((u, i) => {
    const row = ws.getRow(KEY_ROW + 1 + i);
    row.values = [u.code, u.name, LEVEL_VI[u.level], ...keys.map((k) => u.targets.get(k) ?? null)];
    row.getCell(2).alignment = { indent: Math.min(u.depth * 2, 15) };
    if (u.depth === 0) row.font = { name: FONT, size: 12, bold: true };
    keys.forEach((k, j) => {
      row.getCell(4 + j).numFmt = KIND_VI[INDICATORS[k].kind].format;
    });
  });
  const lastRow = KEY_ROW + Math.max(units.length, 1);
  // Range validations (one per column, not one per cell); ExcelJS has them but does not type them.
  const validations = (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  keys.forEach((k, j) => {
    const kind = INDICATORS[k].kind;
    const col = ws.getColumn(4 + j).letter;
    validations.add(`${col}${KEY_ROW + 1}:${col}${lastRow}`, {
      type: kind === 'count' ? 'whole' : 'decimal',
      operator: kind === 'percent' ? 'between' : 'greaterThanOrEqual',
      allowBlank: true,
      formulae: kind === 'percent' ? [0, 100] : [0],
      showErrorMessage: true,
      errorTitle: 'Chỉ tiêu chưa hợp lệ',
      error: `Nhập ${KIND_VI[kind].range}, hoặc để trống.`,
    });
  });
}

function notesSheet(wb: ExcelJS.Workbook, campaign: CampaignRef): void {
  const ws = wb.addWorksheet(NOTES_SHEET);
  ws.columns = [{ width: 26 }, { width: 110 }];
  const lines: [string, string][] = [
    ['Cách điền', `Mỗi dòng của trang "${TARGETS_SHEET}" là một đơn vị: tỉnh, xã, phường, thôn, ấp... Nhập chỉ tiêu vào cột của từng chỉ số. Chỉ sửa các cột chỉ tiêu; mã, tên và cấp đơn vị chỉ để đối chiếu.`],
    ['Ô để trống', 'Ô để trống nghĩa là đơn vị không có chỉ tiêu cho chỉ số đó: chỉ tiêu đang có (nếu có) sẽ bị xoá khi tải tệp lên.'],
    ['Dòng mã cột', `Dòng ${KEY_ROW} (code, name, level, smartphone_pct...) là mã để hệ thống đọc tệp. Không sửa, không xoá dòng này. Có thể xoá các cột chỉ số không cần nhập và các dòng đơn vị không cần nhập.`],
    ['Đơn vị', 'Chỉ nhập được cho đơn vị thuộc phạm vi chiến dịch và thuộc quyền lãnh đạo hoặc quản trị của bạn. Mỗi đơn vị chỉ một dòng.'],
    ['Tỉ lệ (%)', KIND_VI.percent.range + '. Có thể gõ 92,5 hoặc 92.5.'],
    ['Số lượng', KIND_VI.count.range + '.'],
    ['Số ngày', KIND_VI.days.range + '.'],
    ['Kiểm tra', 'Khi tải lên, hệ thống kiểm tra mọi dòng. Nếu có một ô sai, không chỉ tiêu nào được lưu; danh sách lỗi ghi rõ số dòng và cột để sửa. Sửa xong, tải lên lại cả tệp.'],
    ['Giới hạn', `Tối đa ${MAX_IMPORT_ROWS.toLocaleString('vi-VN')} dòng đơn vị, tệp .xlsx không quá ${MAX_IMPORT_BYTES / 1_000_000} MB.`],
    ['Chia chỉ tiêu', 'Chỉ tiêu của đơn vị cấp trên nên bằng tổng chỉ tiêu các đơn vị con (số lượng), bằng bình quân gia quyền của chúng (tỉ lệ), hoặc không thấp hơn của đơn vị con (số ngày). Trang chiến dịch cho biết chỉ tiêu đơn vị con đã đủ hay chưa.'],
  ];
  ws.addRow(['Hướng dẫn điền chỉ tiêu', campaign.name]).font = { name: FONT, size: 14, bold: true };
  ws.addRow([]);
  for (const [a, b] of lines) {
    const row = ws.addRow([a, b]);
    row.getCell(1).font = { name: FONT, size: 12, bold: true };
    row.getCell(2).font = { name: FONT, size: 12 };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
    row.getCell(1).alignment = { vertical: 'top' };
  }
  ws.addRow([]);
  ws.addRow(['Chỉ số của chiến dịch']).font = { name: FONT, size: 13, bold: true };
  for (const key of campaign.indicators) {
    const d = INDICATORS[key];
    const row = ws.addRow([key, `${d.name.vi} (${KIND_VI[d.kind].unit}). ${d.description.vi} Công thức: ${d.formula.vi}. Nhập: ${KIND_VI[d.kind].range}.`]);
    row.getCell(1).font = { name: 'Consolas', size: 11 };
    row.getCell(2).font = { name: FONT, size: 12 };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  }
}

export async function renderTargetsTemplate(campaign: CampaignRef, root: CampaignUnit, units: readonly SubtreeUnit[], at: Date): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Cầu Số';
  wb.created = at;
  wb.modified = at;
  wb.title = `Chỉ tiêu: ${campaign.name}`;
  targetsSheet(wb, campaign, root, units);
  notesSheet(wb, campaign);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---- reading a filled-in template ---------------------------------------------------------------

export type CellValue = { kind: 'empty' } | { kind: 'number'; n: number } | { kind: 'text'; s: string } | { kind: 'bad' };

export interface ImportCell {
  indicator: IndicatorKey;
  column: string;
  value: CellValue;
}

export interface ImportRow {
  /** The row number Excel shows. */
  row: number;
  code: string;
  codeColumn: string;
  cells: ImportCell[];
}

/** A problem with the file's layout, with the same shape as the service's issues. */
export interface LayoutIssue {
  path: string;
  key: string;
  params?: Record<string, string | number>;
  row: number;
  column: string;
}

function valueOf(cell: ExcelJS.Cell, kind: IndicatorKind): CellValue {
  let v: unknown = cell.value;
  if (v !== null && typeof v === 'object' && 'result' in v) v = (v as { result?: unknown }).result;
  if (v !== null && typeof v === 'object' && 'richText' in v) v = (v as { richText: { text: string }[] }).richText.map((t) => t.text).join('');
  if (v === null || v === undefined || v === '') return { kind: 'empty' };
  if (typeof v === 'number') {
    // A cell formatted as a percentage holds 0.925 for "92,5%".
    if (kind === 'percent' && (cell.numFmt ?? '').includes('%')) return { kind: 'number', n: Math.round(v * 100 * 1e6) / 1e6 };
    return { kind: 'number', n: v };
  }
  if (typeof v === 'string') return v.trim() === '' ? { kind: 'empty' } : { kind: 'text', s: v };
  return { kind: 'bad' };
}

const textOf = (cell: ExcelJS.Cell): string => {
  const v = cell.value;
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim();
  if (v !== null && typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('').trim();
  return '';
};

async function loadWorkbook(data: Buffer): Promise<ExcelJS.Workbook> {
  if (data.length > MAX_IMPORT_BYTES) throw new Problem(413, 'upload.too_large', `the file is larger than ${MAX_IMPORT_BYTES} bytes`);
  try {
    const entries = checkZip(data, ZIP_LIMITS);
    if (!entries.has('xl/workbook.xml')) throw new ZipRefused('not a workbook');
    checkRanges(entries, MAX_RANGE_CELLS);
  } catch (e) {
    if (e instanceof ZipRefused) throw new Problem(400, 'campaign.import_bad_file', e.message);
    throw e;
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new Problem(400, 'campaign.import_bad_file', 'ExcelJS cannot read the workbook');
  }
  return wb;
}

/**
 * The unit rows of a filled-in template, and the problems of its layout (a column key that is
 * not one of the campaign's indicators, too many rows). Blank rows are skipped.
 */
export async function readTargetsWorkbook(data: Buffer, campaign: CampaignRef): Promise<{ rows: ImportRow[]; issues: LayoutIssue[] }> {
  const wb = await loadWorkbook(data);
  const ws = wb.getWorksheet(TARGETS_SHEET) ?? wb.worksheets[0];
  if (!ws) throw new Problem(400, 'campaign.import_bad_file', 'no worksheet');
  let keyRow = 0;
  for (let r = 1; r <= 20 && keyRow === 0; r++) if (textOf(ws.getRow(r).getCell(1)).toLowerCase() === 'code') keyRow = r;
  if (keyRow === 0) throw new Problem(400, 'campaign.import_bad_file', 'no row of column keys (code, name, level, …)');

  const issues: LayoutIssue[] = [];
  const at = (row: number, column: string) => ({ path: `row ${row}, column ${column}`, row, column });
  const columns: { index: number; letter: string; indicator: IndicatorKey }[] = [];
  ws.getRow(keyRow).eachCell((cell, index) => {
    const key = textOf(cell);
    const letter = ws.getColumn(index).letter;
    if (index === 1 || key === '' || key === 'name' || key === 'level') return;
    if (!(INDICATOR_KEYS as readonly string[]).includes(key)) issues.push({ ...at(keyRow, letter), key: 'campaigns.import.unknown_column', params: { key } });
    else if (!campaign.indicators.includes(key as IndicatorKey)) issues.push({ ...at(keyRow, letter), key: 'campaigns.import.indicator_not_in_campaign', params: { key } });
    else if (columns.some((c) => c.indicator === key)) issues.push({ ...at(keyRow, letter), key: 'campaigns.import.duplicate_column', params: { key } });
    else columns.push({ index, letter, indicator: key as IndicatorKey });
  });
  if (columns.length === 0 && issues.length === 0) issues.push({ ...at(keyRow, 'D'), key: 'campaigns.import.no_indicator_columns' });

  const rows: ImportRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, number) => {
    if (number <= keyRow) return;
    if (rows.length >= MAX_IMPORT_ROWS) {
      if (!issues.some((i) => i.key === 'campaigns.import.too_many_rows')) issues.push({ ...at(number, 'A'), key: 'campaigns.import.too_many_rows', params: { max: MAX_IMPORT_ROWS } });
      return;
    }
    const code = textOf(row.getCell(1));
    const cells = columns.map((c) => ({ indicator: c.indicator, column: c.letter, value: valueOf(row.getCell(c.index), INDICATORS[c.indicator].kind) }));
    if (code === '') {
      if (cells.some((c) => c.value.kind !== 'empty')) issues.push({ ...at(number, 'A'), key: 'campaigns.import.code_missing' });
      return;
    }
    rows.push({ row: number, code, codeColumn: 'A', cells });
  });
  if (rows.length === 0 && issues.length === 0) issues.push({ ...at(keyRow + 1, 'A'), key: 'campaigns.import.no_rows' });
  return { rows, issues };
}
