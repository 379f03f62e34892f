/**
 * A dashboard table as an Excel workbook: a heading block (title, unit, campaign, period, when
 * it was made, and that an empty cell means "no data"), then the table with a frozen header
 * row. Percentages are stored as fractions with a 0.0% format, counts with #,##0, days with
 * 0.0, weeks as real dates. Text is always written as plain string cells (never formulas), so
 * a unit or campaign name starting with = + - @ cannot run as a formula.
 */
import type ExcelJS from 'exceljs';
import { toLocalIso } from '@causo/domain';
import type { Translate } from '../../web/i18n.ts';
import type { Dashboard } from './dashboard.ts';
import type { Cell, ExportTable, NumberKind } from './dashboardExportTable.ts';
import { vnDate } from './dashboardFormat.ts';
import { renderTitledTable } from './xlsxSheet.ts';

const FORMATS: Record<NumberKind, string> = { int: '#,##0', percent: '0.0%', days: '0.0' };
const DATE_FORMAT = 'dd/mm/yyyy';

function put(cell: ExcelJS.Cell, c: Cell): void {
  if (c === null) return;
  if (typeof c === 'string') {
    // A string value is written as a shared string: Excel shows it, never evaluates it.
    cell.value = c;
    return;
  }
  if ('date' in c) {
    cell.value = new Date(`${c.date}T00:00:00Z`);
    cell.numFmt = DATE_FORMAT;
    return;
  }
  if (c.value === null) return;
  cell.value = c.kind === 'percent' ? c.value / 100 : c.value;
  cell.numFmt = FORMATS[c.kind];
  cell.alignment = { horizontal: 'right' };
}

export function renderDashboardXlsx(d: Dashboard, table: ExportTable, t: Translate, generatedAt: Date): Promise<Buffer> {
  const local = toLocalIso(generatedAt);
  return renderTitledTable<Cell>({
    title: `${t('dashboard.title')}: ${table.title}`,
    sheetName: table.title,
    heading: [
      [t('dashboard.file.unit'), `${d.unit.name} (${d.unit.code})`],
      [t('dashboard.file.campaign'), d.campaign ? d.campaign.name : t('dashboard.lead.no_campaign')],
      [t('dashboard.file.period'), t('dashboard.file.period_value', { from: vnDate(d.period.from), to: vnDate(d.period.to) })],
      [t('dashboard.file.generated'), `${local.slice(11, 16)} ${vnDate(local.slice(0, 10))}`],
    ],
    note: t('dashboard.file.no_data_note'),
    columns: table.columns,
    rows: table.rows.map((r) => ({ cells: r.cells, bold: r.total === true })),
    frozenColumns: table.name === 'children' ? 3 : 2,
    maxWidth: 48,
    generatedAt,
    put,
  });
}
