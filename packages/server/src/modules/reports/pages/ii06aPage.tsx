/**
 * The II.06a page: where we are (breadcrumb up the unit tree), the period form, the headline
 * figures, the checks, the table (rows link down to the next level), the downloads with the
 * same parameters, and the trend chart with its numbers as a table.
 */
import { localDateOf, type Ii06aReport, type Ii06aRow } from '@causo/domain';
import { ErrorSummary, UnitTrail, type FieldErrors } from '../../../web/components.tsx';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { renderChartSvg, type ChartPoint } from '../chart.ts';
import type { ReportView } from '../view.ts';
import { formatInt, formatPercent } from './format.ts';
import { Ii06aTable, rowBalanced } from './ii06aTable.tsx';
import { PeriodForm } from './periodForm.tsx';
import { chartPeriods, reportSearch, vnDate, type PeriodChoice } from './query.ts';

export const REPORT_PATH = '/office/reports/ii06a';

export function reportHref(choice: PeriodChoice, unit: string | null, by: 'unit' | 'sector', suffix = ''): string {
  return `${REPORT_PATH}${suffix}?${reportSearch(choice, unit, by)}`;
}

function Breadcrumb({ p, view, choice, by }: { p: PageRequest; view: ReportView; choice: PeriodChoice; by: 'unit' | 'sector' }) {
  return <UnitTrail label={p.t('report.breadcrumb')} trail={view.trail} href={(step) => (step.covered ? reportHref(choice, step.code, by) : null)} />;
}

function ViewSwitch({ p, choice, unit, by }: { p: PageRequest; choice: PeriodChoice; unit: string; by: 'unit' | 'sector' }) {
  const item = (v: 'unit' | 'sector') => (
    <li>
      <a href={reportHref(choice, unit, v)} aria-current={by === v ? 'page' : undefined}>
        {p.t(`report.view.${v}`)}
      </a>
    </li>
  );
  return (
    <nav aria-label={p.t('report.view.label')} class="no-print">
      <ul class="counts">
        {item('unit')}
        {item('sector')}
      </ul>
    </nav>
  );
}

function KeyFigures({ p, total }: { p: PageRequest; total: Ii06aRow }) {
  const n = (v: number) => formatInt(p.lang, v);
  const rows: [string, string][] = [
    ['report.key.received', n(total.receivedTotal)],
    ['report.key.new', n(total.receivedOnline + total.receivedDirect)],
    ['report.key.online_share', formatPercent(p.lang, total.receivedOnline, total.receivedOnline + total.receivedDirect)],
    ['report.key.resolved', n(total.resolvedTotal)],
    ['report.key.on_time_share', formatPercent(p.lang, total.resolvedBefore + total.resolvedOn, total.resolvedTotal)],
    ['report.key.overdue', n(total.inProgressOverdue)],
  ];
  return (
    <dl class="summary key-figures">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{p.t(k)}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The checks of the form: each rule on the total with its figures, then any row that fails. */
function Checks({ p, report }: { p: PageRequest; report: Ii06aReport }) {
  const t = p.t;
  const n = (v: number) => formatInt(p.lang, v);
  const r = report.total;
  const allOk = report.checks.every((c) => c.ok) && report.rows.every(rowBalanced);
  const equations: { rule: string; text: string }[] = [
    { rule: 'balance', text: t('report.check.balance', { carried: n(r.carriedOver), new: n(r.receivedOnline + r.receivedDirect), resolved: n(r.resolvedTotal), withdrawn: n(r.withdrawn), progress: n(r.inProgressTotal) }) },
    { rule: 'received', text: t('report.check.received', { total: n(r.receivedTotal), carried: n(r.carriedOver), online: n(r.receivedOnline), direct: n(r.receivedDirect) }) },
    { rule: 'resolved', text: t('report.check.resolved', { total: n(r.resolvedTotal), before: n(r.resolvedBefore), on: n(r.resolvedOn), late: n(r.resolvedLate) }) },
    { rule: 'inProgress', text: t('report.check.in_progress', { total: n(r.inProgressTotal), within: n(r.inProgressWithin), overdue: n(r.inProgressOverdue) }) },
    { rule: 'rowsAddUp', text: t('report.check.rows_add_up') },
  ];
  const totalOk = (rule: string) => report.checks.filter((c) => c.rule === rule && c.row === report.total.code).every((c) => c.ok);
  const failingRows = report.rows.filter((row) => !rowBalanced(row));
  return (
    <section aria-labelledby="checks-title">
      <h2 id="checks-title">{t('report.check.title')}</h2>
      <div class={`notice${allOk ? '' : ' error'}`} role="status">
        <p>
          <strong>{t(allOk ? 'report.check.all_ok' : 'report.check.some_failed')}</strong>
        </p>
      </div>
      <ul class="checks">
        {equations.map((e) => (
          <li key={e.rule}>
            <span class={`tag ${totalOk(e.rule) ? 'ok' : 'late'}`}>{t(totalOk(e.rule) ? 'report.check.ok' : 'report.check.failed')}</span> {e.text}
          </li>
        ))}
        {report.checks
          .filter((c) => c.rule === 'nonNegative')
          .map((c, i) => (
            <li key={`neg-${i}`}>
              <span class="tag late">{t('report.check.failed')}</span> {t('report.check.negative', { row: c.row })}
            </li>
          ))}
      </ul>
      {failingRows.length > 0 ? (
        <>
          <p>{t('report.check.failing_rows')}</p>
          <ul>
            {failingRows.map((row) => (
              <li key={row.code}>{row.name}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Downloads({ p, choice, unit, by }: { p: PageRequest; choice: PeriodChoice; unit: string; by: 'unit' | 'sector' }) {
  const formats = ['xlsx', 'csv', 'pdf'] as const;
  return (
    <section aria-labelledby="downloads-title" class="no-print">
      <h2 id="downloads-title">{p.t('report.download.title')}</h2>
      <ul class="downloads">
        {formats.map((f) => (
          <li key={f}>
            <a href={`${reportHref(choice, unit, by, `.${f}`)}${f === 'csv' && p.lang !== 'vi' ? `&lang=${p.lang}` : ''}`} download>
              {p.t(`report.download.${f}`)}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function chartLabel(p: PageRequest, period: ReturnType<typeof chartPeriods>[number]): string {
  const year = String(period.year);
  if (period.kind === 'month') return p.t('report.chart.label_month', { month: String(period.index ?? ''), year });
  if (period.kind === 'quarter') return p.t('report.chart.label_quarter', { quarter: String(period.index ?? ''), year });
  if (period.kind === 'custom') return p.t('report.chart.label_custom', { to: vnDate(period.to).slice(0, 5), year });
  return year;
}

function Trend({ p, view, choice }: { p: PageRequest; view: ReportView; choice: PeriodChoice }) {
  const t = p.t;
  const periods = chartPeriods(choice, view.report.period);
  const points: ChartPoint[] = periods.map((period, i) => ({ label: chartLabel(p, period), ...(view.series[i] ?? { received: 0, resolved: 0, overdue: 0 }) }));
  const last = points[points.length - 1];
  const legend = { received: t('report.chart.received'), resolved: t('report.chart.resolved'), overdue: t('report.chart.overdue') };
  const svg = renderChartSvg(points, {
    title: t('report.chart.svg_title', { unit: view.unit.name }),
    desc: t('report.chart.svg_desc', {
      count: String(points.length),
      first: points[0]?.label ?? '',
      last: last?.label ?? '',
      received: formatInt(p.lang, last?.received ?? 0),
      resolved: formatInt(p.lang, last?.resolved ?? 0),
      overdue: formatInt(p.lang, last?.overdue ?? 0),
    }),
    legend,
    format: (v) => formatInt(p.lang, v),
  });
  return (
    <section aria-labelledby="trend-title">
      <h2 id="trend-title">{t('report.chart.title')}</h2>
      <p class="hint">{t('report.chart.hint')}</p>
      <div class="chart-box" dangerouslySetInnerHTML={{ __html: svg }} />
      <details>
        <summary>{t('report.chart.table_toggle')}</summary>
        <table class="chart-data">
          <caption>{t('report.chart.table_caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('report.chart.period')}</th>
              <th scope="col" class="num">
                {legend.received}
              </th>
              <th scope="col" class="num">
                {legend.resolved}
              </th>
              <th scope="col" class="num">
                {legend.overdue}
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((pt, i) => (
              <tr key={i}>
                <th scope="row">{pt.label}</th>
                <td class="num">{formatInt(p.lang, pt.received)}</td>
                <td class="num">{formatInt(p.lang, pt.resolved)}</td>
                <td class="num">{formatInt(p.lang, pt.overdue)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

export interface Ii06aPageProps {
  p: PageRequest;
  officer: Officer;
  choice: PeriodChoice;
  by: 'unit' | 'sector';
  now: Date;
  /** Null when the period could not be read: the form is shown with its errors. */
  view: ReportView | null;
  errors: FieldErrors;
  unitParam: string | null;
}

export function Ii06aPage({ p, officer, choice, by, now, view, errors, unitParam }: Ii06aPageProps) {
  const t = p.t;
  const title = view ? t('report.page.title_unit', { unit: view.unit.name }) : t('report.page.title');
  const unit = view?.unit.code ?? unitParam;
  const hasErrors = Object.keys(errors).length > 0;
  const running = view ? view.report.period.to >= localDateOf(now) : false;
  const linkFor = (row: Ii06aRow) => (view && by === 'unit' && row.code !== view.unit.code ? reportHref(choice, row.code, by) : null);
  return (
    <OfficePage p={p} title={title} officer={officer} hasErrors={hasErrors}>
      <ErrorSummary p={p} errors={errors} />
      {view ? <Breadcrumb p={p} view={view} choice={choice} by={by} /> : null}
      <h1>{title}</h1>
      {view ? (
        <p class="lead">
          {t('report.page.period', { from: vnDate(view.report.period.from), to: vnDate(view.report.period.to) })}
          {' · '}
          {t('report.page.form_number')}
        </p>
      ) : null}
      {running ? (
        <div class="notice warn">
          <p>{t('report.page.running')}</p>
        </div>
      ) : null}
      <PeriodForm p={p} choice={choice} unit={unit} by={by} errors={errors} now={now} />
      {view && view.ownUnits.length > 1 ? (
        <nav aria-label={t('report.page.own_units')} class="no-print">
          <p>
            {t('report.page.own_units')}:{' '}
            {view.ownUnits.map((u, i) => (
              <span key={u.code}>
                {i > 0 ? ', ' : ''}
                <a href={reportHref(choice, u.code, by)} aria-current={u.code === view.unit.code ? 'page' : undefined}>
                  {u.name}
                </a>
              </span>
            ))}
          </p>
        </nav>
      ) : null}
      {view ? (
        <>
          <KeyFigures p={p} total={view.report.total} />
          <p class="assisted-online">{t('report.assisted_online', { n: view.assistedOnline })}</p>
          <h2 id="table-title">{t(by === 'unit' ? 'report.table.title_unit' : 'report.table.title_sector')}</h2>
          <ViewSwitch p={p} choice={choice} unit={view.unit.code} by={by} />
          {by === 'unit' && view.report.rows.some((r) => linkFor(r)) ? <p class="hint">{t('report.table.drill_hint')}</p> : null}
          <Ii06aTable p={p} report={view.report} captionId="report-caption" linkFor={linkFor} />
          <Checks p={p} report={view.report} />
          <Downloads p={p} choice={choice} unit={view.unit.code} by={by} />
          <Trend p={p} view={view} choice={choice} />
        </>
      ) : null}
    </OfficePage>
  );
}
