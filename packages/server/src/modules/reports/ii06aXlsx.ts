/**
 * Biểu số II.06a/VPCP/KSTT as an Excel workbook laid out like the official form: heading block,
 * title, period, a three-level merged header, the column-number row (1)…(14), the data rows and
 * a bold total row; a second sheet "Kiểm tra" lists the arithmetic checks of the report.
 */
import ExcelJS from 'exceljs';
import type { Ii06aNumbers, Ii06aReport, Ii06aRow } from '../../../../domain/src/ii06a.ts';

export const II06A_FORM_NUMBER = 'Biểu số II.06a/VPCP/KSTT';
export const II06A_TITLE =
  'TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH';

/** Numeric columns C…N in form order (3)…(14). */
const NUMBER_COLUMNS: readonly (keyof Ii06aNumbers)[] = [
  'receivedTotal',
  'receivedOnline',
  'receivedDirect',
  'carriedOver',
  'resolvedTotal',
  'resolvedBefore',
  'resolvedOn',
  'resolvedLate',
  'withdrawn',
  'inProgressTotal',
  'inProgressWithin',
  'inProgressOverdue',
];
const COLUMN_COUNT = 2 + NUMBER_COLUMNS.length; // A…N
const LAST_COL = 'N';

/** Layout rows. */
const ROW_UNIT = 1;
const ROW_TITLE = 3;
const ROW_PERIOD = 4;
const ROW_UOM = 5;
const HEADER_TOP = 7; // three header rows: 7, 8, 9
const ROW_COLNUM = 10;
const FIRST_DATA = 11;

const NUMBER_FORMAT = '#,##0';
const FONT = 'Times New Roman';

const thin: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF000000' } };
const BORDER: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const HEADER_ALIGN: Partial<ExcelJS.Alignment> = { horizontal: 'center', vertical: 'middle', wrapText: true };

/** `YYYY-MM-DD` → `dd/MM/yyyy`. */
function vnDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : date;
}

interface HeaderCell {
  range: string;
  text: string;
}

function headerCells(by: Ii06aReport['by']): HeaderCell[] {
  const r1 = HEADER_TOP;
  const r2 = HEADER_TOP + 1;
  const r3 = HEADER_TOP + 2;
  return [
    { range: `A${r1}:A${r3}`, text: 'STT' },
    { range: `B${r1}:B${r3}`, text: by === 'unit' ? 'Đơn vị' : 'Lĩnh vực, công việc giải quyết theo cấp' },
    { range: `C${r1}:F${r1}`, text: 'Số hồ sơ nhận giải quyết' },
    { range: `G${r1}:N${r1}`, text: 'Kết quả giải quyết' },
    { range: `C${r2}:C${r3}`, text: 'Tổng số' },
    { range: `D${r2}:F${r2}`, text: 'Trong đó' },
    { range: `D${r3}`, text: 'Số mới tiếp nhận trực tuyến' },
    { range: `E${r3}`, text: 'Số mới tiếp nhận trực tiếp và qua dịch vụ bưu chính công ích' },
    { range: `F${r3}`, text: 'Số kỳ trước chuyển qua' },
    { range: `G${r2}:J${r2}`, text: 'Số hồ sơ đã giải quyết' },
    { range: `G${r3}`, text: 'Tổng số' },
    { range: `H${r3}`, text: 'Trả trước hạn' },
    { range: `I${r3}`, text: 'Trả đúng hạn' },
    { range: `J${r3}`, text: 'Trả quá hạn' },
    { range: `K${r2}:K${r3}`, text: 'Số hồ sơ rút, dừng xử lý' },
    { range: `L${r2}:N${r2}`, text: 'Số hồ sơ đang giải quyết' },
    { range: `L${r3}`, text: 'Tổng số' },
    { range: `M${r3}`, text: 'Trong hạn' },
    { range: `N${r3}`, text: 'Quá hạn' },
  ];
}

function put(ws: ExcelJS.Worksheet, range: string, value: string, style: Partial<ExcelJS.Style>): ExcelJS.Cell {
  if (range.includes(':')) ws.mergeCells(range);
  const cell = ws.getCell(range.split(':')[0] ?? range);
  cell.value = value;
  Object.assign(cell, style);
  return cell;
}

function writeDataRow(ws: ExcelJS.Worksheet, rowNo: number, stt: number | null, name: string, r: Ii06aRow, bold: boolean): void {
  const row = ws.getRow(rowNo);
  row.getCell(1).value = stt;
  row.getCell(2).value = name;
  NUMBER_COLUMNS.forEach((field, i) => {
    const cell = row.getCell(3 + i);
    cell.value = r[field];
    cell.numFmt = NUMBER_FORMAT;
    cell.alignment = { horizontal: 'right', vertical: 'middle' };
  });
  row.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  row.getCell(2).alignment = { horizontal: bold ? 'center' : 'left', vertical: 'middle', wrapText: true };
  for (let c = 1; c <= COLUMN_COUNT; c++) {
    const cell = row.getCell(c);
    cell.border = BORDER;
    cell.font = { name: FONT, size: 12, bold };
  }
}

function formSheet(wb: ExcelJS.Workbook, report: Ii06aReport): void {
  const ws = wb.addWorksheet('Biểu II.06a', {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
      printTitlesRow: `${HEADER_TOP}:${ROW_COLNUM}`,
    },
    views: [{ state: 'frozen', xSplit: 2, ySplit: ROW_COLNUM, topLeftCell: `C${FIRST_DATA}`, activeCell: `C${FIRST_DATA}` }],
  });
  ws.columns = [
    { width: 6 },
    { width: 42 },
    ...NUMBER_COLUMNS.map((_, i) => ({ width: i === 2 ? 16 : 12 })),
  ];

  const base = { name: FONT, size: 12 };
  put(ws, `A${ROW_UNIT}:E${ROW_UNIT}`, report.unit?.name ?? 'Toàn tỉnh', {
    font: { ...base, bold: true },
    alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
  });
  put(ws, `K${ROW_UNIT}:${LAST_COL}${ROW_UNIT}`, II06A_FORM_NUMBER, {
    font: { ...base, bold: true },
    alignment: { horizontal: 'right', vertical: 'middle' },
  });
  put(ws, `A${ROW_TITLE}:${LAST_COL}${ROW_TITLE}`, II06A_TITLE, {
    font: { ...base, size: 14, bold: true },
    alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
  });
  ws.getRow(ROW_TITLE).height = 40;
  put(
    ws,
    `A${ROW_PERIOD}:${LAST_COL}${ROW_PERIOD}`,
    `Kỳ báo cáo: từ ngày ${vnDate(report.period.from)} đến ngày ${vnDate(report.period.to)}`,
    { font: { ...base, italic: true }, alignment: { horizontal: 'center', vertical: 'middle' } },
  );
  put(ws, `K${ROW_UOM}:${LAST_COL}${ROW_UOM}`, 'Đơn vị tính: Số hồ sơ TTHC', {
    font: { ...base, italic: true },
    alignment: { horizontal: 'right', vertical: 'middle' },
  });

  for (const h of headerCells(report.by)) {
    put(ws, h.range, h.text, { font: { ...base, bold: true }, alignment: HEADER_ALIGN });
  }
  ws.getRow(HEADER_TOP).height = 22;
  ws.getRow(HEADER_TOP + 1).height = 22;
  ws.getRow(HEADER_TOP + 2).height = 78;

  const colnum = ws.getRow(ROW_COLNUM);
  for (let c = 1; c <= COLUMN_COUNT; c++) {
    const cell = colnum.getCell(c);
    cell.value = `(${c})`;
    cell.font = { ...base, italic: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
  }
  // Borders over the whole header block, merged or not (every cell of a merge keeps its border).
  for (let r = HEADER_TOP; r <= ROW_COLNUM; r++) {
    for (let c = 1; c <= COLUMN_COUNT; c++) ws.getRow(r).getCell(c).border = BORDER;
  }

  report.rows.forEach((row, i) => writeDataRow(ws, FIRST_DATA + i, i + 1, row.name, row, false));
  writeDataRow(ws, FIRST_DATA + report.rows.length, null, 'Tổng cộng', report.total, true);
}

function checksSheet(wb: ExcelJS.Workbook, report: Ii06aReport): void {
  const ws = wb.addWorksheet('Kiểm tra', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    { header: 'Quy tắc', key: 'rule', width: 16 },
    { header: 'Dòng', key: 'row', width: 16 },
    { header: 'Kết quả', key: 'ok', width: 12 },
    { header: 'Chi tiết', key: 'detail', width: 70 },
  ];
  const head = ws.getRow(1);
  head.font = { name: FONT, size: 12, bold: true };
  head.alignment = HEADER_ALIGN;
  for (const c of report.checks) {
    const row = ws.addRow({ rule: c.rule, row: c.row, ok: c.ok ? 'Đạt' : 'Không đạt', detail: c.detail });
    row.font = { name: FONT, size: 12 };
    const okCell = row.getCell('ok');
    okCell.font = { name: FONT, size: 12, bold: !c.ok, color: { argb: c.ok ? 'FF006100' : 'FF9C0006' } };
    row.getCell('detail').alignment = { wrapText: true, vertical: 'top' };
  }
  for (let r = 1; r <= ws.rowCount; r++) {
    for (let c = 1; c <= 4; c++) ws.getRow(r).getCell(c).border = BORDER;
  }
  if (report.checks.length > 0) ws.autoFilter = { from: 'A1', to: `D${ws.rowCount}` };
}

export async function renderIi06aXlsx(report: Ii06aReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const created = new Date(report.generatedAt);
  wb.creator = 'Cầu Số';
  wb.lastModifiedBy = 'Cầu Số';
  wb.created = created;
  wb.modified = created;
  wb.title = II06A_FORM_NUMBER;
  formSheet(wb, report);
  checksSheet(wb, report);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
