/**
 * An activity table as an Excel workbook: a heading block (title, unit, period, when it was
 * made), then the table with a frozen header row; counts as numbers (#,##0), days as real dates.
 * Loaded on the first download (ExcelJS is large).
 */
import type ExcelJS from 'exceljs';
import { toLocalIso } from '@causo/domain';
import type { Translate } from '../../web/i18n.ts';
import type { ActivityView } from './activity.ts';
import type { ActivityCell, ActivityTable } from './activityExport.ts';
import { vnDate } from './dashboardFormat.ts';
import { renderTitledTable } from './xlsxSheet.ts';

function put(cell: ExcelJS.Cell, c: ActivityCell): void {
  if (c === null) return;
  if (typeof c === 'string') {
    cell.value = c;
    return;
  }
  if (typeof c === 'number') {
    cell.value = c;
    cell.numFmt = '#,##0';
    cell.alignment = { horizontal: 'right' };
    return;
  }
  cell.value = new Date(`${c.date}T00:00:00Z`);
  cell.numFmt = 'dd/mm/yyyy';
}

export function renderActivityXlsx(view: ActivityView, table: ActivityTable, t: Translate, generatedAt: Date): Promise<Buffer> {
  const local = toLocalIso(generatedAt);
  const rows = table.rows.map((cells) => ({ cells, bold: false }));
  if (table.total) rows.push({ cells: table.total, bold: true });
  return renderTitledTable<ActivityCell>({
    title: `${t('activity.title')}: ${table.title}`,
    sheetName: table.title,
    heading: [
      [t('activity.file.unit'), `${view.unit.name} (${view.unit.code})`],
      [t('activity.file.period'), t('activity.period', { from: vnDate(view.period.from), to: vnDate(view.period.to) })],
      [t('activity.file.generated'), `${local.slice(11, 16)} ${vnDate(local.slice(0, 10))}`],
    ],
    columns: table.columns,
    rows,
    frozenColumns: 1,
    maxWidth: 60,
    generatedAt,
    put,
  });
}
