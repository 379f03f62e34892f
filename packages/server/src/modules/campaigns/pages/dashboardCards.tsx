/**
 * One card per indicator: the value (or "no data", never 0), the fraction behind a percentage,
 * the target with a progress bar, a weekly trend line with its numbers in a table, and how the
 * indicator is worked out. Charts are SVG drawn on the server (dashboardCharts.ts).
 */
import { INDICATORS, type IndicatorKey } from '@causo/domain';
import type { PageRequest } from '../../../web/request.ts';
import type { Dashboard } from '../dashboard.ts';
import { progressBarSvg, trendSvg } from '../dashboardCharts.ts';
import { indicatorName, indicatorText, numberText, percentText, shortDate, valueText, vnDate, type Wording } from '../dashboardFormat.ts';

const wording = (p: PageRequest): Wording => ({ t: p.t, lang: p.lang });

/** "Đạt 78,5% chỉ tiêu" under a value with a target; the target itself when there is no value. */
export function targetNote(p: PageRequest, key: IndicatorKey, target: number, percentOfTarget: number | null): string {
  return percentOfTarget !== null ? p.t('dashboard.of_target', { pct: percentText(p.lang, percentOfTarget) }) : p.t('dashboard.target', { value: valueText(wording(p), key, target) });
}

function WeeklyTable({ p, d, k }: { p: PageRequest; d: Dashboard; k: IndicatorKey }) {
  const name = indicatorName(p.lang, k);
  return (
    <details>
      <summary>{p.t('dashboard.weeks.toggle')}</summary>
      <table class="chart-data">
        <caption>{p.t('dashboard.weeks.caption', { name })}</caption>
        <thead>
          <tr>
            <th scope="col">{p.t('dashboard.weeks.col.week')}</th>
            <th scope="col" class="num">
              {p.t('dashboard.weeks.col.value')}
            </th>
          </tr>
        </thead>
        <tbody>
          {d.weeks.map((w) => (
            <tr key={w.week.from}>
              <th scope="row">{p.t('dashboard.week_label', { from: vnDate(w.week.from), to: vnDate(w.week.to) })}</th>
              <td class="num">{valueText(wording(p), k, w.values[k])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Trend({ p, d, k }: { p: PageRequest; d: Dashboard; k: IndicatorKey }) {
  const def = INDICATORS[k];
  const name = indicatorName(p.lang, k);
  const values = d.weeks.map((w) => w.values[k]);
  const first = d.weeks[0]?.week;
  const last = d.weeks[d.weeks.length - 1];
  const svg = trendSvg(`trend-${k}`, values, def.kind === 'percent', {
    title: p.t('dashboard.trend.title', { name }),
    desc: p.t('dashboard.trend.desc', {
      count: String(d.weeks.length),
      first: first ? vnDate(first.from) : '',
      last: last ? vnDate(last.week.from) : '',
      latest: valueText(wording(p), k, last ? last.values[k] : null),
    }),
    first: first ? shortDate(first.from) : '',
    last: last ? shortDate(last.week.from) : '',
    // Axis labels: whole percentages are enough (0%, 100%).
    format: (n) => (def.kind === 'percent' ? `${numberText(p.lang, 'count', n)}%` : numberText(p.lang, def.kind, n)),
  });
  return <div class="chart-box" dangerouslySetInnerHTML={{ __html: svg }} />;
}

function About({ p, k }: { p: PageRequest; k: IndicatorKey }) {
  return (
    <details>
      <summary>{p.t('dashboard.about.toggle')}</summary>
      <p>{indicatorText(p.lang, k, 'description')}</p>
      <dl class="summary">
        <div>
          <dt>{p.t('dashboard.about.formula')}</dt>
          <dd>{indicatorText(p.lang, k, 'formula')}</dd>
        </div>
        <div>
          <dt>{p.t('dashboard.about.source')}</dt>
          <dd>{p.t(`dashboard.source.${INDICATORS[k].source}`)}</dd>
        </div>
      </dl>
    </details>
  );
}

function Card({ p, d, k }: { p: PageRequest; d: Dashboard; k: IndicatorKey }) {
  const cell = d.total.cells[k];
  const def = INDICATORS[k];
  const name = indicatorName(p.lang, k);
  const w = wording(p);
  const pct = cell.progress.percentOfTarget;
  return (
    <li id={`indicator-${k}`}>
      <h3>{name}</h3>
      <p class="big">
        <strong>{valueText(w, k, cell.value)}</strong>
      </p>
      {def.kind === 'percent' && cell.numerator !== null && cell.denominator !== null && cell.denominator > 0 ? (
        <p class="hint">{p.t(`dashboard.fraction.${def.source}`, { num: numberText(p.lang, 'count', cell.numerator), den: numberText(p.lang, 'count', cell.denominator) })}</p>
      ) : null}
      {cell.target !== null ? (
        <>
          <p>
            {p.t('dashboard.target', { value: valueText(w, k, cell.target) })}
            {' · '}
            {pct !== null ? p.t(cell.progress.met ? 'dashboard.progress_met' : 'dashboard.of_target', { pct: percentText(p.lang, pct) }) : p.t('dashboard.no_data')}
          </p>
          {pct !== null ? (
            <div
              class="chart-box"
              dangerouslySetInnerHTML={{
                __html: progressBarSvg(`bar-${k}`, pct, cell.progress.met === true, {
                  title: p.t('dashboard.bar.title', { name }),
                  desc: p.t('dashboard.bar.desc', { value: valueText(w, k, cell.value), target: valueText(w, k, cell.target), pct: percentText(p.lang, pct) }),
                }),
              }}
            />
          ) : null}
        </>
      ) : d.covered ? (
        <p class="hint">{p.t('dashboard.no_target')}</p>
      ) : null}
      <Trend p={p} d={d} k={k} />
      <WeeklyTable p={p} d={d} k={k} />
      <About p={p} k={k} />
    </li>
  );
}

export function IndicatorCards({ p, d }: { p: PageRequest; d: Dashboard }) {
  return (
    <section aria-labelledby="indicators-title">
      <h2 id="indicators-title">{p.t('dashboard.indicators.title')}</h2>
      <p class="hint">{p.t('dashboard.indicators.hint')}</p>
      <ul class="cards">
        {d.indicators.map((k) => (
          <Card key={k} p={p} d={d} k={k} />
        ))}
      </ul>
    </section>
  );
}
