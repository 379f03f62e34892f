/**
 * The public tables as CSV, with the page's suppression: UTF-8 with a BOM (Excel reads
 * Vietnamese then), CRLF, RFC 4180 quoting, numbers with a dot for decimals and no thousands
 * separator (percentages as 78.5), "<5" for a count below 5, a word for a withheld cell, an
 * empty field for "no data", and text guarded against formula injection.
 * - an area: one row per child unit (then the area's own level and the total), the dossier
 *   figures, then for each campaign and indicator the value, the target and the share of it;
 * - a commune: one row per week with the dossier figures.
 */
import { INDICATORS, type IndicatorKind } from '@causo/domain';
import type { Translate } from '../../web/i18n.ts';
import { guardFormula } from './dashboardCsv.ts';
import { indicatorName } from './dashboardFormat.ts';
import type { AreaRow, AreaView, CommuneView, PublishedDossiers } from './performance.ts';
import type { Published } from './performanceSuppression.ts';

const BOM = '\uFEFF';
const EOL = '\r\n';

const quote = (field: string): string => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
const line = (cells: string[]): string => cells.map(quote).join(',') + EOL;
const text = (s: string): string => guardFormula(s);

function figure(v: Published, kind: IndicatorKind, t: Translate): string {
  switch (v.kind) {
    case 'value':
      return kind === 'count' ? Math.round(v.value).toFixed(0) : String(Math.round(v.value * 10) / 10);
    case 'small':
      return kind === 'count' ? '<5' : t('performance.withheld');
    case 'hidden':
      return t('performance.withheld');
    default:
      return '';
  }
}

const dossierHeads = (t: Translate): string[] => [t('performance.col.received'), t('performance.col.online_share'), t('performance.col.resolved'), t('performance.col.on_time_share')];
const dossierCells = (d: PublishedDossiers, t: Translate): string[] => [figure(d.received, 'count', t), figure(d.onlineShare, 'percent', t), figure(d.resolved, 'count', t), figure(d.onTimeShare, 'percent', t)];

export function renderAreaCsv(view: AreaView, t: Translate, lang: string): string {
  const heads = [t('performance.csv.code'), t('performance.csv.unit'), ...dossierHeads(t)];
  for (const c of view.campaigns)
    for (const k of c.indicators) {
      const name = `${c.name} – ${indicatorName(lang, k)}`;
      heads.push(name, `${name} – ${t('performance.col.target')}`, `${name} – ${t('performance.col.percent_of_target')}`);
    }
  const row = (r: AreaRow, code: string, name: string): string => {
    const cells = [text(code), text(name), ...dossierCells(r.dossiers, t)];
    for (const c of view.campaigns)
      for (const k of c.indicators) {
        const cell = r.progress[c.id]?.[k];
        const kind = INDICATORS[k].kind;
        if (!cell) cells.push('', '', '');
        else cells.push(figure(cell.value, kind, t), figure({ kind: 'value', value: cell.target }, kind, t), figure(cell.percentOfTarget, 'percent', t));
      }
    return line(cells);
  };
  let out = BOM + line(heads.map(text));
  for (const r of view.rows) out += row(r, r.unit?.code ?? '', r.unit?.name ?? '');
  if (view.own) out += row(view.own, '', t(`performance.own_level.${view.unit.level}`));
  out += row(view.total, view.unit.code, t('performance.total', { unit: view.unit.name }));
  return out;
}

export function renderCommuneCsv(view: CommuneView, t: Translate): string {
  let out = BOM + line([t('performance.csv.week_from'), t('performance.csv.week_to'), ...dossierHeads(t)].map(text));
  for (const w of view.weeks) out += line([w.week.from, w.week.to, ...dossierCells(w.dossiers, t)]);
  out += line([view.period.from, view.period.to, ...dossierCells(view.totals, t)]);
  return out;
}
