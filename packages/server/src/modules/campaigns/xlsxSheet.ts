/**
 * One sheet laid out the way every campaign download is: a bold title, a block of label/value
 * lines (unit, campaign, period, when it was made), an optional note, then the table with a
 * bordered, frozen header row and columns sized to their text. Text always goes in as plain
 * string cells, never as formulas, so a name or a note starting with = + - @ is shown, not run.
 * Callers say how one of their cells is written (numbers, percentages, real dates).
 */
import ExcelJS from 'exceljs';

const FONT = 'Times New Roman';
const thin: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF000000' } };
const BORDER: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };

export interface SheetRow<C> {
  cells: C[];
  bold: boolean;
}

export interface TitledTable<C> {
  /** Document title (file properties) and the sheet's first line. */
  title: string;
  sheetName: string;
  heading: [string, string][];
  note?: string;
  columns: string[];
  rows: SheetRow<C>[];
  frozenColumns: number;
  maxWidth: number;
  generatedAt: Date;
  /** Writes one cell's value and number format; `null`-like cells are left empty by the caller. */
  put: (cell: ExcelJS.Cell, value: C) => void;
}

export async function renderTitledTable<C>(spec: TitledTable<C>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Cầu Số';
  wb.lastModifiedBy = 'Cầu Số';
  wb.created = spec.generatedAt;
  wb.modified = spec.generatedAt;
  wb.title = spec.title;
  // Title, the heading lines, then one row for the note (blank without one) before the header.
  const header = 3 + spec.heading.length;
  const ws = wb.addWorksheet(spec.sheetName.slice(0, 31), {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${header}:${header}` },
    views: [{ state: 'frozen', xSplit: spec.frozenColumns, ySplit: header }],
  });
  const base = { name: FONT, size: 12 };
  const title = ws.getCell('A1');
  title.value = spec.title;
  title.font = { ...base, size: 14, bold: true };
  spec.heading.forEach(([label, value], i) => {
    const row = ws.getRow(2 + i);
    row.getCell(1).value = label;
    row.getCell(1).font = { ...base, bold: true };
    row.getCell(2).value = value;
    row.getCell(2).font = base;
  });
  if (spec.note) {
    const note = ws.getCell(`A${2 + spec.heading.length}`);
    note.value = spec.note;
    note.font = { ...base, italic: true };
  }
  const head = ws.getRow(header);
  spec.columns.forEach((name, i) => {
    const cell = head.getCell(i + 1);
    cell.value = name;
    cell.font = { ...base, bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
  });
  spec.rows.forEach((r, i) => {
    const row = ws.getRow(header + 1 + i);
    r.cells.forEach((c, j) => {
      const cell = row.getCell(j + 1);
      spec.put(cell, c);
      cell.font = { ...base, bold: r.bold };
      cell.border = BORDER;
    });
  });
  ws.columns.forEach((col, i) => {
    const longest = Math.max(spec.columns[i]?.length ?? 8, ...spec.rows.map((r) => {
      const c = r.cells[i];
      return typeof c === 'string' ? c.length : 10;
    }));
    col.width = Math.min(spec.maxWidth, Math.max(10, longest + 2));
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
