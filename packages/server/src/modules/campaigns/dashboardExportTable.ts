/**
 * The dashboard's tables as plain rows of cells, in the reader's language, for the XLSX and CSV
 * downloads (one model, so both files say the same): the indicators of the unit, the child
 * units ranked (then the unit's own level and the total), and the values week by week. A
 * missing value stays empty ("no data"), never 0. Numbers are rounded as the page shows them.
 */
import { INDICATORS, type IndicatorKey, type IndicatorKind } from '@causo/domain';
import type { Translate } from '../../web/i18n.ts';
import type { Dashboard, DashboardRow } from './dashboard.ts';
import { indicatorName, rounded } from './dashboardFormat.ts';
import type { DashboardTableName } from './dashboardQuery.ts';

export type NumberKind = 'int' | 'percent' | 'days';
/** Text, a number of a kind (null: no data), a calendar day, or an empty cell. */
export type Cell = string | { value: number | null; kind: NumberKind } | { date: string } | null;

export interface ExportRow {
  cells: Cell[];
  /** The total row, set in bold. */
  total?: boolean;
}

export interface ExportTable {
  name: DashboardTableName;
  title: string;
  columns: string[];
  rows: ExportRow[];
}

/** A table's name as a title (the catalogue has it in mid-sentence form). */
const titled = (s: string): string => s.charAt(0).toLocaleUpperCase() + s.slice(1);

const numberKind = (kind: IndicatorKind): NumberKind => (kind === 'percent' ? 'percent' : kind === 'count' ? 'int' : 'days');

/** A value of the indicator's kind, rounded like the page. */
function valueCell(key: IndicatorKey, v: number | null): Cell {
  const kind = INDICATORS[key].kind;
  return { value: v === null ? null : rounded(kind, v), kind: numberKind(kind) };
}
const intCell = (v: number | null): Cell => ({ value: v, kind: 'int' });
const percentCell = (v: number | null): Cell => ({ value: v === null ? null : rounded('percent', v), kind: 'percent' });

/** A column header for an indicator's value: its name, with (%) for a percentage. */
function valueHeader(lang: string, key: IndicatorKey): string {
  const name = indicatorName(lang, key);
  return INDICATORS[key].kind === 'percent' ? `${name} (%)` : name;
}

function indicatorsTable(d: Dashboard, t: Translate, lang: string): ExportTable {
  const yesNo = (met: boolean | null) => (met === null ? null : t(met ? 'dashboard.yes' : 'dashboard.no'));
  return {
    name: 'indicators',
    title: titled(t('dashboard.export.table.indicators')),
    columns: [
      t('dashboard.col.indicator_key'),
      t('dashboard.col.indicator'),
      t('dashboard.col.kind'),
      t('dashboard.col.value'),
      t('dashboard.col.numerator'),
      t('dashboard.col.denominator'),
      t('dashboard.col.target'),
      t('dashboard.col.percent_of_target'),
      t('dashboard.col.met'),
      t('dashboard.col.source'),
    ],
    rows: d.indicators.map((k) => {
      const c = d.total.cells[k];
      const def = INDICATORS[k];
      return {
        cells: [k, indicatorName(lang, k), t(`dashboard.kind.${def.kind}`), valueCell(k, c.value), intCell(c.numerator), intCell(c.denominator), valueCell(k, c.target), percentCell(c.progress.percentOfTarget), yesNo(c.progress.met), t(`dashboard.source.${def.source}`)],
      };
    }),
  };
}

function childrenTable(d: Dashboard, t: Translate, lang: string): ExportTable {
  // Targets exist only where the campaign covers the unit: without one, no target columns.
  const withTargets = d.covered;
  const columns = [t('dashboard.col.rank'), t('dashboard.col.unit_code'), t('dashboard.col.unit')];
  for (const k of d.indicators) {
    columns.push(valueHeader(lang, k));
    if (withTargets) columns.push(t('dashboard.col.target_of', { name: indicatorName(lang, k) }), t('dashboard.col.percent_of', { name: indicatorName(lang, k) }));
  }
  const figures = (row: DashboardRow): Cell[] =>
    d.indicators.flatMap((k) => {
      const c = row.cells[k];
      return withTargets ? [valueCell(k, c.value), valueCell(k, c.target), percentCell(c.progress.percentOfTarget)] : [valueCell(k, c.value)];
    });
  let rank = 0;
  const rows: ExportRow[] = d.children.map((row) => {
    const numbered = row.cells[d.rankBy].value !== null;
    if (numbered) rank++;
    return { cells: [numbered ? intCell(rank) : null, row.unit?.code ?? '', row.unit?.name ?? '', ...figures(row)] };
  });
  if (d.own) rows.push({ cells: [null, '', t(`dashboard.own.${d.unit.level}`), ...figures(d.own)] });
  rows.push({ cells: [null, d.unit.code, t('dashboard.children.total', { unit: d.unit.name }), ...figures(d.total)], total: true });
  return { name: 'children', title: titled(t('dashboard.export.table.children')), columns, rows };
}

function weeksTable(d: Dashboard, t: Translate, lang: string): ExportTable {
  return {
    name: 'weeks',
    title: titled(t('dashboard.export.table.weeks')),
    columns: [t('dashboard.col.week_from'), t('dashboard.col.week_to'), ...d.indicators.map((k) => valueHeader(lang, k))],
    rows: d.weeks.map((w) => ({ cells: [{ date: w.week.from }, { date: w.week.to }, ...d.indicators.map((k) => valueCell(k, w.values[k]))] })),
  };
}

export function exportTable(d: Dashboard, name: DashboardTableName, t: Translate, lang: string): ExportTable {
  if (name === 'indicators') return indicatorsTable(d, t, lang);
  if (name === 'children') return childrenTable(d, t, lang);
  return weeksTable(d, t, lang);
}

/** An ASCII file name: `bang-theo-doi_25309_children_2026-09-01_2026-11-25.xlsx`. */
export function exportFileName(d: Dashboard, what: string, ext: string): string {
  const campaign = d.campaign ? `_cd${d.campaign.id}` : '';
  return `bang-theo-doi_${d.unit.code}${campaign}_${what}_${d.period.from}_${d.period.to}.${ext}`.replace(/[^A-Za-z0-9._-]/g, '-');
}
