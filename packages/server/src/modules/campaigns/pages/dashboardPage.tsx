/**
 * A unit's dashboard (`/office/dashboard`): where we are (breadcrumb up to the province), the
 * campaign and period form, a card per indicator with its progress bar and weekly trend, the
 * check of the children's targets, open blockers by reason, the child units ranked with
 * drill-down links (at village level: the village's open blockers and its team), and the
 * downloads with the same parameters. Server-rendered; works without JavaScript.
 */
import { ErrorSummary, Select, Submit, TextField, UnitTrail, type FieldErrors } from '../../../web/components.tsx';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { vnDate } from '../dashboardFormat.ts';
import { DASHBOARD_PATH, DASHBOARD_TABLES, dashboardHref, EXPORT_FORMATS, NO_CAMPAIGN, type DashboardLinkState } from '../dashboardQuery.ts';
import type { DashboardPageView } from '../dashboardView.ts';
import { IndicatorCards } from './dashboardCards.tsx';
import { BlockersByReason, ChildrenTable, TargetChecks, VillageBlockers } from './dashboardTables.tsx';

function Breadcrumb({ p, view }: { p: PageRequest; view: DashboardPageView }) {
  return <UnitTrail label={p.t('dashboard.breadcrumb')} trail={view.trail} href={(u) => dashboardHref(u.code, view.link)} />;
}

export interface FilterValues {
  from: string;
  to: string;
}

function FilterForm({ p, view, values, errors }: { p: PageRequest; view: DashboardPageView; values: FilterValues; errors: FieldErrors }) {
  const t = p.t;
  const d = view.dashboard;
  const options = [
    ...view.campaigns.map((c) => ({ value: String(c.id), label: t('dashboard.filter.campaign_option', { name: c.name, from: vnDate(c.startsOn), to: vnDate(c.endsOn) }) })),
    { value: NO_CAMPAIGN, label: t('dashboard.filter.no_campaign') },
  ];
  return (
    <form method="get" action={DASHBOARD_PATH} class="panel no-print" aria-labelledby="filter-title">
      <h2 id="filter-title">{t('dashboard.filter.title')}</h2>
      <input type="hidden" name="unit" value={d.unit.code} />
      {view.link.rank ? <input type="hidden" name="rank" value={view.link.rank} /> : null}
      <Select name="campaign" label={t('dashboard.filter.campaign')} hint={t('dashboard.filter.campaign_hint')} options={options} value={d.campaign ? String(d.campaign.id) : NO_CAMPAIGN} />
      <p class="hint">{t('dashboard.filter.dates_hint')}</p>
      <div class="filters">
        <TextField name="from" type="date" label={t('dashboard.filter.from')} value={values.from} error={errors.from} short />
        <TextField name="to" type="date" label={t('dashboard.filter.to')} value={values.to} error={errors.to} short />
      </div>
      <Submit>{t('dashboard.filter.submit')}</Submit>
    </form>
  );
}

function Downloads({ p, view }: { p: PageRequest; view: DashboardPageView }) {
  const t = p.t;
  const d = view.dashboard;
  const lang: Record<string, string> = p.lang === 'vi' ? {} : { lang: p.lang };
  const link: DashboardLinkState = view.link;
  const tables = DASHBOARD_TABLES.filter((tb) => tb !== 'children' || d.unit.level !== 'village');
  return (
    <section aria-labelledby="downloads-title" class="no-print">
      <h2 id="downloads-title">{t('dashboard.export.title')}</h2>
      <p class="hint">{t('dashboard.export.hint')}</p>
      <ul class="downloads">
        <li>
          <a href={dashboardHref(d.unit.code, link, '/summary.pdf', lang)} download>
            {t('dashboard.export.pdf')}
          </a>
        </li>
        {tables.flatMap((table) =>
          EXPORT_FORMATS.map((format) => (
            <li key={`${table}-${format}`}>
              <a href={dashboardHref(d.unit.code, link, '/export', { table, format, ...lang })} download>
                {t('dashboard.export.download', { table: t(`dashboard.export.table.${table}`), format: t(`dashboard.export.${format}`) })}
              </a>
            </li>
          )),
        )}
      </ul>
    </section>
  );
}

function Lead({ p, view }: { p: PageRequest; view: DashboardPageView }) {
  const d = view.dashboard;
  const period = p.t('dashboard.lead.period', { from: vnDate(d.period.from), to: vnDate(d.period.to) });
  return (
    <>
      <p class="lead">
        {d.campaign ? p.t('dashboard.lead.campaign', { name: d.campaign.name }) : p.t('dashboard.lead.no_campaign')}
        {' · '}
        {period}
      </p>
      {d.campaign && !d.covered ? (
        <div class="notice warn">
          <p>{p.t('dashboard.not_covered', { unit: d.unit.name })}</p>
        </div>
      ) : null}
    </>
  );
}

export interface DashboardPageProps {
  p: PageRequest;
  officer: Officer;
  view: DashboardPageView;
  values: FilterValues;
  /** When the form could not be read: the form is shown with its errors, without figures. */
  errors: FieldErrors;
}

export function DashboardPage({ p, officer, view, values, errors }: DashboardPageProps) {
  const t = p.t;
  const d = view.dashboard;
  const title = t('dashboard.title_unit', { unit: d.unit.name });
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <OfficePage p={p} title={title} officer={officer} hasErrors={hasErrors}>
      <ErrorSummary p={p} errors={errors} />
      <Breadcrumb p={p} view={view} />
      <h1>{title}</h1>
      {hasErrors ? null : <Lead p={p} view={view} />}
      <FilterForm p={p} view={view} values={values} errors={errors} />
      {hasErrors ? null : (
        <>
          <IndicatorCards p={p} d={d} />
          <TargetChecks p={p} d={d} />
          <BlockersByReason p={p} d={d} />
          {view.village ? (
            <VillageBlockers p={p} d={d} village={view.village} />
          ) : (
            <section aria-labelledby="children-title">
              <h2 id="children-title">{t('dashboard.children.title')}</h2>
              <ChildrenTable p={p} view={view} />
            </section>
          )}
          <Downloads p={p} view={view} />
        </>
      )}
    </OfficePage>
  );
}
