/**
 * Team activity (`/office/activity`): where we are (breadcrumb), the period and idle-days
 * form, visits per week as a bar chart with the same numbers in the table of visits per member
 * and week, the villages with a team nobody visited lately, the overdue follow-ups, links to
 * the village team pages and to the unit's dashboard, and the downloads. Server-rendered;
 * works without JavaScript.
 */
import { ErrorSummary, Submit, TextField, UnitTrail, type FieldErrors } from '../../../web/components.tsx';
import { formatNumber } from '../../../web/i18n.ts';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { teamPath } from '../../teams/pages/teamsPages.tsx';
import { ACTIVITY_FORMATS, ACTIVITY_PATH, ACTIVITY_TABLES, activityHref, MEMBER_ROWS_ON_PAGE, OVERDUE_LIMIT, type ActivityView } from '../activity.ts';
import { visitsBarsSvg } from '../activityChart.ts';
import { lastVisitDay } from '../activityQueries.ts';
import type { DashboardUnit } from '../dashboard.ts';
import { dashboardHref } from '../dashboardQuery.ts';
import { vnDate } from '../dashboardFormat.ts';

const shortDay = (d: string) => vnDate(d).slice(0, 5);

export interface ActivityFormValues {
  from: string;
  to: string;
  idle: string;
}

function Breadcrumb({ p, trail, state }: { p: PageRequest; trail: DashboardUnit[]; state: { period?: ActivityView['period']; idle?: number } }) {
  return <UnitTrail label={p.t('activity.breadcrumb')} trail={trail} href={(u) => activityHref(u.code, state)} />;
}

function FilterForm({ p, unit, values, errors }: { p: PageRequest; unit: DashboardUnit; values: ActivityFormValues; errors: FieldErrors }) {
  return (
    <form method="get" action={ACTIVITY_PATH} class="panel no-print" aria-labelledby="filter-title">
      <h2 id="filter-title">{p.t('activity.filter.title')}</h2>
      <input type="hidden" name="unit" value={unit.code} />
      <p class="hint">{p.t('activity.filter.hint')}</p>
      <div class="filters">
        <TextField name="from" type="date" label={p.t('activity.filter.from')} value={values.from} error={errors.from} short />
        <TextField name="to" type="date" label={p.t('activity.filter.to')} value={values.to} error={errors.to} short />
        <TextField name="idle" type="number" inputMode="numeric" label={p.t('activity.filter.idle')} hint={p.t('activity.filter.idle_hint')} value={values.idle} error={errors.idle} short />
      </div>
      <Submit>{p.t('activity.filter.submit')}</Submit>
    </form>
  );
}

function VisitsChart({ p, v }: { p: PageRequest; v: ActivityView }) {
  const n = (x: number) => formatNumber(p.lang, x);
  const busiest = v.weekTotals.reduce((best, x, i) => (x > (v.weekTotals[best] ?? -1) ? i : best), 0);
  const svg = visitsBarsSvg('visits-chart', v.weekTotals, {
    title: p.t('activity.chart.title', { unit: v.unit.name }),
    desc: p.t('activity.chart.desc', {
      weeks: v.weeks.length,
      total: n(v.visits),
      busiest: v.weeks[busiest] ? shortDay(v.weeks[busiest].from) : '',
      most: n(v.weekTotals[busiest] ?? 0),
    }),
    labels: v.weeks.map((w) => shortDay(w.from)),
    format: n,
  });
  return <div class="chart-box" dangerouslySetInnerHTML={{ __html: svg }} />;
}

function MembersTable({ p, v, state }: { p: PageRequest; v: ActivityView; state: { period: ActivityView['period']; idle: number } }) {
  const n = (x: number) => formatNumber(p.lang, x);
  const rows = v.members.slice(0, MEMBER_ROWS_ON_PAGE);
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{p.t('activity.members.title')}</h2>
      <p class="lead">{p.t('activity.members.lead', { n: n(v.visits), weeks: v.weeks.length })}</p>
      <VisitsChart p={p} v={v} />
      {v.members.length === 0 ? (
        <p>{p.t('activity.members.none')}</p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="members-caption" tabIndex={0}>
          <table>
            <caption id="members-caption" class="muted">{p.t('activity.members.caption', { unit: v.unit.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{p.t('activity.col.member')}</th>
                <th scope="col">{p.t('activity.col.village')}</th>
                {v.weeks.map((w) => (
                  <th key={w.from} scope="col" class="num">
                    <span aria-hidden="true">{shortDay(w.from)}</span>
                    <span class="vh">{p.t('activity.col.week', { from: vnDate(w.from), to: vnDate(w.to) })}</span>
                  </th>
                ))}
                <th scope="col" class="num">
                  {p.t('activity.col.total')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.memberId}-${r.villageId}`}>
                  <th scope="row">{r.memberName}</th>
                  <td>
                    <a href={activityHref(r.villageCode, state)}>{r.villageName}</a>
                  </td>
                  {r.perWeek.map((x, i) => (
                    <td key={i} class="num">
                      {n(x)}
                    </td>
                  ))}
                  <td class="num">
                    <strong>{n(r.total)}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  {p.t('activity.members.total')}
                </th>
                {v.weekTotals.map((x, i) => (
                  <td key={i} class="num">
                    {n(x)}
                  </td>
                ))}
                <td class="num">
                  <strong>{n(v.visits)}</strong>
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {v.members.length > rows.length ? <p class="hint">{p.t('activity.members.capped', { shown: rows.length, n: v.members.length })}</p> : null}
    </section>
  );
}

function IdleVillages({ p, v }: { p: PageRequest; v: ActivityView }) {
  const n = (x: number) => formatNumber(p.lang, x);
  return (
    <section aria-labelledby="idle-title">
      <h2 id="idle-title">{p.t('activity.idle.title', { n: v.idleDays })}</h2>
      <p class="hint">{p.t('activity.idle.hint', { since: vnDate(v.idleSince) })}</p>
      {v.idle.length === 0 ? (
        <p>{p.t('activity.idle.none', { n: v.idleDays })}</p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="idle-caption" tabIndex={0}>
          <table>
            <caption id="idle-caption" class="muted">{p.t('activity.idle.caption', { n: v.idle.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{p.t('activity.col.village')}</th>
                <th scope="col">{p.t('activity.col.commune')}</th>
                <th scope="col">{p.t('activity.col.last_visit')}</th>
                <th scope="col" class="num">
                  {p.t('activity.col.households')}
                </th>
              </tr>
            </thead>
            <tbody>
              {v.idle.map((x) => {
                const day = lastVisitDay(x);
                return (
                  <tr key={x.unitId}>
                    <th scope="row">
                      <a href={teamPath(x.code)}>{x.name}</a>
                    </th>
                    <td>{x.communeName}</td>
                    <td>{day ? vnDate(day) : <strong>{p.t('activity.idle.never')}</strong>}</td>
                    <td class="num">{n(x.households)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function OverdueFollowUps({ p, v }: { p: PageRequest; v: ActivityView }) {
  const n = (x: number) => formatNumber(p.lang, x);
  const { rows, total } = v.overdue;
  return (
    <section aria-labelledby="overdue-title">
      <h2 id="overdue-title">{p.t('activity.overdue.title')}</h2>
      <p class="hint">{p.t('activity.overdue.hint')}</p>
      {rows.length === 0 ? (
        <p>{p.t('activity.overdue.none')}</p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="overdue-caption" tabIndex={0}>
          <table>
            <caption id="overdue-caption" class="muted">{p.t('activity.overdue.caption', { n: total })}</caption>
            <thead>
              <tr>
                <th scope="col">{p.t('activity.col.village')}</th>
                <th scope="col">{p.t('activity.col.due')}</th>
                <th scope="col" class="num">
                  {p.t('activity.col.days_overdue')}
                </th>
                <th scope="col">{p.t('activity.col.assignee')}</th>
                <th scope="col">{p.t('activity.col.note')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((f) => (
                <tr key={f.id}>
                  <th scope="row">
                    <a href={teamPath(f.villageCode)}>{f.villageName}</a>
                  </th>
                  <td>{vnDate(f.dueDate)}</td>
                  <td class="num">
                    <span class="tag late">{p.t('activity.overdue.days', { n: n(f.daysOverdue) })}</span>
                  </td>
                  <td>{f.assigneeName}</td>
                  <td>{f.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > rows.length ? <p class="hint">{p.t('activity.overdue.capped', { shown: Math.min(rows.length, OVERDUE_LIMIT), n: total })}</p> : null}
    </section>
  );
}

function Children({ p, v, state }: { p: PageRequest; v: ActivityView; state: { period: ActivityView['period']; idle: number } }) {
  if (v.children.length === 0) return null;
  return (
    <details class="no-print">
      <summary>{p.t('activity.children.toggle', { n: v.children.length })}</summary>
      <ul class="plain">
        {v.children.map((c) => (
          <li key={c.id}>
            <a href={activityHref(c.code, state)}>{c.name}</a>
          </li>
        ))}
      </ul>
    </details>
  );
}

function Downloads({ p, v, state }: { p: PageRequest; v: ActivityView; state: { period: ActivityView['period']; idle: number } }) {
  const lang: Record<string, string> = p.lang === 'vi' ? {} : { lang: p.lang };
  return (
    <section aria-labelledby="downloads-title" class="no-print">
      <h2 id="downloads-title">{p.t('activity.export.title')}</h2>
      <ul class="downloads">
        {ACTIVITY_TABLES.flatMap((table) =>
          ACTIVITY_FORMATS.map((format) => (
            <li key={`${table}-${format}`}>
              <a href={activityHref(v.unit.code, state, '/export', { table, format, ...lang })} download>
                {p.t('activity.export.download', { table: p.t(`activity.export.table.${table}`), format: p.t(`activity.export.${format}`) })}
              </a>
            </li>
          )),
        )}
      </ul>
    </section>
  );
}

export interface ActivityPageProps {
  p: PageRequest;
  officer: Officer;
  /** Null when the form could not be read: the form is shown with its errors, without figures. */
  view: ActivityView | null;
  unit: DashboardUnit;
  trail: DashboardUnit[];
  values: ActivityFormValues;
  errors: FieldErrors;
}

export function ActivityPage({ p, officer, view, unit, trail, values, errors }: ActivityPageProps) {
  const title = p.t('activity.title_unit', { unit: unit.name });
  const state = view ? { period: view.period, idle: view.idleDays } : null;
  return (
    <OfficePage p={p} title={title} officer={officer} hasErrors={view === null}>
      <ErrorSummary p={p} errors={errors} />
      <Breadcrumb p={p} trail={trail} state={state ?? {}} />
      <h1>{title}</h1>
      {view && state ? (
        <p class="lead">
          {p.t('activity.period', { from: vnDate(view.period.from), to: vnDate(view.period.to) })}
          {' · '}
          <a href={dashboardHref(unit.code, {})}>{p.t('activity.link.dashboard', { unit: unit.name })}</a>
        </p>
      ) : null}
      <FilterForm p={p} unit={unit} values={values} errors={errors} />
      {view && state ? (
        <>
          <Children p={p} v={view} state={state} />
          <MembersTable p={p} v={view} state={state} />
          <IdleVillages p={p} v={view} />
          <OverdueFollowUps p={p} v={view} />
          <Downloads p={p} v={view} state={state} />
        </>
      ) : null}
    </OfficePage>
  );
}
