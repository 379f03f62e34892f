/**
 * The public performance pages (no sign-in), in the portal's look: an area's table of communes
 * (`/performance`) and one commune (`/performance/:code`), each with what is published and why,
 * the periods to choose from and a CSV of the table. Every figure arrives already suppressed
 * (performance.ts); this file only words it. No names of people, ever.
 */
import { INDICATORS, type IndicatorKey } from '@causo/domain';
import { UnitTrail } from '../../../web/components.tsx';
import { formatNumber } from '../../../web/i18n.ts';
import { PortalPage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Citizen } from '../../people/citizens.ts';
import { indicatorName, percentText, vnDate } from '../dashboardFormat.ts';
import type { AreaRow, AreaView, CommuneView, ProgressCells, PublicCampaign, PublishedDossiers, PublishedProgress } from '../performance.ts';
import { shareLinesSvg } from '../performanceChart.ts';
import { PERFORMANCE_PATH, PERIOD_CHOICES, performanceHref, type ChosenPeriod } from '../performanceQuery.ts';
import type { Published } from '../performanceSuppression.ts';

export const unitPath = (code: string): string => `${PERFORMANCE_PATH}/${encodeURIComponent(code)}`;

type Kind = 'count' | 'percent' | 'days';

/** A published figure in words: the number, "dưới 5" for a small count, "ẩn" for a withheld share or cell. */
export function publishedText(p: PageRequest, v: Published, kind: Kind): string {
  switch (v.kind) {
    case 'value':
      return kind === 'percent' ? percentText(p.lang, Math.round(v.value * 10) / 10) : kind === 'days' ? p.t('performance.days', { n: formatNumber(p.lang, v.value, Number.isInteger(v.value) ? 0 : 1) }) : formatNumber(p.lang, v.value, 0);
    case 'small':
      return kind === 'count' ? p.t('performance.small') : p.t('performance.withheld');
    case 'hidden':
      return p.t('performance.withheld');
    default:
      return p.t('performance.no_data');
  }
}

const kindOf = (key: IndicatorKey): Kind => INDICATORS[key].kind;

function PeriodNav({ p, chosen, path, extra }: { p: PageRequest; chosen: ChosenPeriod; path: string; extra: Record<string, string> }) {
  return (
    <nav aria-label={p.t('performance.period.nav')}>
      <ul class="plain filters">
        {PERIOD_CHOICES.map((c) => (
          <li key={c}>
            {c === chosen.choice ? (
              <strong aria-current="true">{p.t(`performance.period.${c}`)}</strong>
            ) : (
              <a href={performanceHref(path, c, extra)}>{p.t(`performance.period.${c}`)}</a>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

function PeriodLead({ p, chosen }: { p: PageRequest; chosen: ChosenPeriod }) {
  const name =
    chosen.choice === 'month'
      ? p.t('performance.period.name_month', { month: String(chosen.index), year: String(chosen.year) })
      : chosen.choice === 'quarter'
        ? p.t('performance.period.name_quarter', { quarter: String(chosen.index), year: String(chosen.year) })
        : p.t('performance.period.name_year', { year: String(chosen.year) });
  const cut = chosen.period.to !== chosen.whole.to;
  return (
    <p class="lead">
      {name}
      {': '}
      {cut
        ? p.t('performance.period.so_far', { from: vnDate(chosen.period.from), to: vnDate(chosen.period.to), end: vnDate(chosen.whole.to) })
        : p.t('performance.period.whole', { from: vnDate(chosen.period.from), to: vnDate(chosen.period.to) })}
    </p>
  );
}

function Breadcrumb({ p, trail, chosen, provinceLink }: { p: PageRequest; trail: AreaView['trail']; chosen: ChosenPeriod; provinceLink: (code: string) => string }) {
  if (trail.length <= 1) return null;
  const href = (u: AreaView['trail'][number]) => (u.level === 'province' ? provinceLink(u.code) : performanceHref(unitPath(u.code), chosen.choice));
  return <UnitTrail label={p.t('performance.breadcrumb')} trail={trail} href={href} print />;
}

function DossierCells({ p, d }: { p: PageRequest; d: PublishedDossiers }) {
  return (
    <>
      <td class="num">{publishedText(p, d.received, 'count')}</td>
      <td class="num">{publishedText(p, d.onlineShare, 'percent')}</td>
      <td class="num">{publishedText(p, d.resolved, 'count')}</td>
      <td class="num">{publishedText(p, d.onTimeShare, 'percent')}</td>
    </>
  );
}

function DossierHeads({ p }: { p: PageRequest }) {
  return (
    <>
      <th scope="col" class="num">
        {p.t('performance.col.received')}
      </th>
      <th scope="col" class="num">
        {p.t('performance.col.online_share')}
      </th>
      <th scope="col" class="num">
        {p.t('performance.col.resolved')}
      </th>
      <th scope="col" class="num">
        {p.t('performance.col.on_time_share')}
      </th>
    </>
  );
}

function AreaTable({ p, view, chosen }: { p: PageRequest; view: AreaView; chosen: ChosenPeriod }) {
  const childLevel = view.rows[0]?.unit?.level ?? 'commune';
  const rowName = (r: AreaRow) =>
    r.unit ? (
      <a href={performanceHref(unitPath(r.unit.code), chosen.choice)}>{r.unit.name}</a>
    ) : (
      p.t(`performance.own_level.${view.unit.level}`)
    );
  return (
    <section aria-labelledby="dossiers-title">
      <h2 id="dossiers-title">{p.t('performance.dossiers.title')}</h2>
      <p class="hint">{p.t('performance.dossiers.hint')}</p>
      <div class="table-scroll" role="region" aria-labelledby="dossiers-caption" tabIndex={0}>
        <table class="report">
          <caption id="dossiers-caption" class="muted">{p.t('performance.dossiers.caption', { unit: view.unit.name, n: view.rows.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{p.t(`performance.col.unit_${childLevel}`)}</th>
              <DossierHeads p={p} />
            </tr>
          </thead>
          <tbody>
            {[...view.rows, ...(view.own ? [view.own] : [])].map((r) => (
              <tr key={r.unit?.code ?? 'own'}>
                <th scope="row">{rowName(r)}</th>
                <DossierCells p={p} d={r.dossiers} />
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{p.t('performance.total', { unit: view.unit.name })}</th>
              <DossierCells p={p} d={view.total.dossiers} />
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

function ProgressCell({ p, k, cell }: { p: PageRequest; k: IndicatorKey; cell: PublishedProgress | undefined }) {
  if (!cell) return <td class="num">–</td>;
  const target = publishedText(p, { kind: 'value', value: cell.target }, kindOf(k));
  return (
    <td class="num">
      {publishedText(p, cell.value, kindOf(k))}
      <br />
      <span class="hint">
        {cell.percentOfTarget.kind === 'value'
          ? p.t('performance.progress.of_target', { pct: percentText(p.lang, Math.round(cell.percentOfTarget.value * 10) / 10), target })
          : p.t('performance.progress.target_only', { target })}
      </span>
    </td>
  );
}

function CampaignHeading({ p, c, id }: { p: PageRequest; c: PublicCampaign; id: string }) {
  return (
    <>
      <h3 id={id}>{p.t('performance.campaign.title', { name: c.name })}</h3>
      <p class="hint">{p.t('performance.campaign.counted', { from: vnDate(c.counted.from), to: vnDate(c.counted.to), starts: vnDate(c.startsOn), ends: vnDate(c.endsOn) })}</p>
    </>
  );
}

/** One campaign over rows of units: a column per indicator with a target, the value and the share of target. */
function CampaignTable(props: { p: PageRequest; c: PublicCampaign; idPrefix: string; rows: { name: string; code: string; cells: ProgressCells }[]; unitHeader: string; link?: (code: string) => string }) {
  const { p, c, rows, unitHeader, link } = props;
  const id = `${props.idPrefix}-${c.id}`;
  const shown = rows.filter((r) => Object.keys(r.cells).length > 0);
  return (
    <div>
      <CampaignHeading p={p} c={c} id={id} />
      <div class="table-scroll" role="region" aria-labelledby={id} tabIndex={0}>
        <table aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">{unitHeader}</th>
              {c.indicators.map((k) => (
                <th key={k} scope="col" class="num">
                  {indicatorName(p.lang, k)}
                  {INDICATORS[k].kind === 'percent' ? ' (%)' : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.code}>
                <th scope="row">{link ? <a href={link(r.code)}>{r.name}</a> : r.name}</th>
                {c.indicators.map((k) => (
                  <ProgressCell key={k} p={p} k={k} cell={r.cells[k]} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length < rows.length ? <p class="hint">{p.t('performance.campaign.others', { n: rows.length - shown.length })}</p> : null}
    </div>
  );
}

function Suppression({ p }: { p: PageRequest }) {
  return (
    <div class="notice" role="note">
      <p>{p.t('performance.suppression.why')}</p>
      <p>{p.t('performance.suppression.how')}</p>
    </div>
  );
}

/** What is published and why ("publish performance data", GOV.UK service standard). */
function About({ p }: { p: PageRequest }) {
  return (
    <section aria-labelledby="about-title">
      <h2 id="about-title">{p.t('performance.about.title')}</h2>
      <h3>{p.t('performance.about.what_title')}</h3>
      <p>{p.t('performance.about.what')}</p>
      <h3>{p.t('performance.about.why_title')}</h3>
      <p>{p.t('performance.about.why')}</p>
      <h3>{p.t('performance.about.privacy_title')}</h3>
      <p>{p.t('performance.about.privacy')}</p>
      <h3>{p.t('performance.about.source_title')}</h3>
      <p>{p.t('performance.about.source')}</p>
    </section>
  );
}

function Download({ p, href }: { p: PageRequest; href: string }) {
  return (
    <section aria-labelledby="download-title">
      <h2 id="download-title">{p.t('performance.download.title')}</h2>
      <p>
        <a href={href} download>
          {p.t('performance.download.csv')}
        </a>
      </p>
      <p class="hint">{p.t('performance.download.hint')}</p>
    </section>
  );
}

export interface AreaPageProps {
  p: PageRequest;
  citizen: Citizen | null;
  view: AreaView;
  chosen: ChosenPeriod;
  /** Other provinces in force, when the platform holds more than one. */
  provinces: { code: string; name: string }[];
  /** Whether this is the default province (its address needs no ?province=). */
  isDefault: boolean;
}

export function AreaPage({ p, citizen, view, chosen, provinces, isDefault }: AreaPageProps) {
  const title = p.t('performance.title', { unit: view.unit.name });
  const provinceExtra: Record<string, string> = view.unit.level === 'province' && !isDefault ? { province: view.unit.code } : {};
  const selfPath = view.unit.level === 'province' ? PERFORMANCE_PATH : unitPath(view.unit.code);
  const provinceLink = (code: string) => performanceHref(PERFORMANCE_PATH, chosen.choice, code === provinces[0]?.code || provinces.length <= 1 ? {} : { province: code });
  const csv = performanceHref(`${PERFORMANCE_PATH}.csv`, chosen.choice, { ...(view.unit.level === 'province' ? provinceExtra : { unit: view.unit.code }), ...(p.lang === 'vi' ? {} : { lang: p.lang }) });
  const others = provinces.filter((x) => x.code !== view.unit.code);
  return (
    <PortalPage p={p} title={title} citizen={citizen} wide>
      <Breadcrumb p={p} trail={view.trail} chosen={chosen} provinceLink={provinceLink} />
      <h1>{title}</h1>
      <p>{p.t('performance.intro')}</p>
      <PeriodLead p={p} chosen={chosen} />
      <PeriodNav p={p} chosen={chosen} path={selfPath} extra={provinceExtra} />
      <Suppression p={p} />
      <AreaTable p={p} view={view} chosen={chosen} />
      <section aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">{p.t('performance.campaigns.title')}</h2>
        {view.campaigns.length === 0 ? (
          <p>{p.t('performance.campaigns.none')}</p>
        ) : (
          view.campaigns.map((c) => (
            <CampaignTable
              key={c.id}
              p={p}
              c={c}
              idPrefix="campaign"
              unitHeader={p.t(`performance.col.unit_${view.rows[0]?.unit?.level ?? 'commune'}`)}
              link={(code) => performanceHref(unitPath(code), chosen.choice)}
              rows={view.rows.map((r) => ({ name: r.unit?.name ?? '', code: r.unit?.code ?? '', cells: r.progress[c.id] ?? {} }))}
            />
          ))
        )}
      </section>
      <Download p={p} href={csv} />
      <About p={p} />
      {others.length > 0 ? (
        <nav aria-labelledby="provinces-title">
          <h2 id="provinces-title">{p.t('performance.provinces.title')}</h2>
          <ul>
            {others.map((o) => (
              <li key={o.code}>
                <a href={provinceLink(o.code)}>{o.name}</a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </PortalPage>
  );
}

function KeyFigures({ p, d }: { p: PageRequest; d: PublishedDossiers }) {
  const rows: [string, string][] = [
    [p.t('performance.col.received'), publishedText(p, d.received, 'count')],
    [p.t('performance.col.online_share'), publishedText(p, d.onlineShare, 'percent')],
    [p.t('performance.col.resolved'), publishedText(p, d.resolved, 'count')],
    [p.t('performance.col.on_time_share'), publishedText(p, d.onTimeShare, 'percent')],
  ];
  return (
    <dl class="summary key-figures">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <span class="big">{v}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

const weekLabel = (w: { from: string; to: string }) => `${vnDate(w.from).slice(0, 5)}–${vnDate(w.to).slice(0, 5)}`;

function WeeklyFigures({ p, view }: { p: PageRequest; view: CommuneView }) {
  const share = (d: Published) => (d.kind === 'value' ? d.value : null);
  const online = view.weeks.map((w) => share(w.dossiers.onlineShare));
  const onTime = view.weeks.map((w) => share(w.dossiers.onTimeShare));
  const first = view.weeks[0]?.week;
  const last = view.weeks[view.weeks.length - 1]?.week;
  const svg = shareLinesSvg(
    'weekly',
    [
      { name: p.t('performance.col.online_share'), values: online },
      { name: p.t('performance.col.on_time_share'), values: onTime },
    ],
    {
      title: p.t('performance.weeks.chart_title', { unit: view.unit.name }),
      desc: p.t('performance.weeks.chart_desc', { n: view.weeks.length, first: first ? vnDate(first.from) : '', last: last ? vnDate(last.from) : '' }),
      labels: view.weeks.map((w) => weekLabel(w.week)),
      format: (n) => percentText(p.lang, n),
    },
  );
  return (
    <section aria-labelledby="weeks-title">
      <h2 id="weeks-title">{p.t('performance.weeks.title')}</h2>
      <p class="hint">{p.t('performance.weeks.hint')}</p>
      <div class="chart-box" dangerouslySetInnerHTML={{ __html: svg }} />
      <div class="table-scroll" role="region" aria-labelledby="weeks-caption" tabIndex={0}>
        <table>
          <caption id="weeks-caption" class="muted">{p.t('performance.weeks.caption', { unit: view.unit.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{p.t('performance.col.week')}</th>
              <DossierHeads p={p} />
            </tr>
          </thead>
          <tbody>
            {view.weeks.map((w) => (
              <tr key={w.week.from}>
                <th scope="row">{p.t('performance.week_label', { from: vnDate(w.week.from), to: vnDate(w.week.to) })}</th>
                <DossierCells p={p} d={w.dossiers} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CommuneProgress({ p, view }: { p: PageRequest; view: CommuneView }) {
  return (
    <section aria-labelledby="progress-title">
      <h2 id="progress-title">{p.t('performance.campaigns.title')}</h2>
      {view.campaigns.length === 0 ? <p>{p.t('performance.campaigns.none_unit', { unit: view.unit.name })}</p> : null}
      {view.campaigns.map((c) => {
        const cells = view.progress[c.id] ?? {};
        const id = `own-${c.id}`;
        return (
          <div key={c.id}>
            <CampaignHeading p={p} c={c} id={id} />
            <div class="table-scroll" role="region" aria-labelledby={id} tabIndex={0}>
              <table aria-labelledby={id}>
                <thead>
                  <tr>
                    <th scope="col">{p.t('performance.col.indicator')}</th>
                    <th scope="col" class="num">
                      {p.t('performance.col.value')}
                    </th>
                    <th scope="col" class="num">
                      {p.t('performance.col.target')}
                    </th>
                    <th scope="col" class="num">
                      {p.t('performance.col.percent_of_target')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.indicators.map((k) => {
                    const cell = cells[k];
                    return (
                      <tr key={k}>
                        <th scope="row">{indicatorName(p.lang, k)}</th>
                        <td class="num">{cell ? publishedText(p, cell.value, kindOf(k)) : '–'}</td>
                        <td class="num">{cell ? publishedText(p, { kind: 'value', value: cell.target }, kindOf(k)) : '–'}</td>
                        <td class="num">{cell ? publishedText(p, cell.percentOfTarget, 'percent') : '–'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
      {view.villages.length > 0 ? (
        <>
          <h2 id="villages-title">{p.t('performance.villages.title')}</h2>
          <p class="hint">{p.t('performance.villages.hint')}</p>
          {view.villages.map((v) => (
            <CampaignTable key={v.campaign.id} p={p} c={v.campaign} idPrefix="villages" unitHeader={p.t('performance.col.unit_village')} rows={v.rows.map((r) => ({ name: r.unit.name, code: r.unit.code, cells: r.cells }))} />
          ))}
        </>
      ) : null}
    </section>
  );
}

export function CommunePage({ p, citizen, view, chosen, provinceLink }: { p: PageRequest; citizen: Citizen | null; view: CommuneView; chosen: ChosenPeriod; provinceLink: (code: string) => string }) {
  const title = p.t('performance.title', { unit: view.unit.name });
  const csv = performanceHref(`${PERFORMANCE_PATH}.csv`, chosen.choice, { unit: view.unit.code, ...(p.lang === 'vi' ? {} : { lang: p.lang }) });
  return (
    <PortalPage p={p} title={title} citizen={citizen} wide>
      <Breadcrumb p={p} trail={view.trail} chosen={chosen} provinceLink={provinceLink} />
      <h1>{title}</h1>
      <PeriodLead p={p} chosen={chosen} />
      <PeriodNav p={p} chosen={chosen} path={unitPath(view.unit.code)} extra={{}} />
      <Suppression p={p} />
      <section aria-labelledby="figures-title">
        <h2 id="figures-title">{p.t('performance.dossiers.title_unit')}</h2>
        <KeyFigures p={p} d={view.totals} />
      </section>
      <WeeklyFigures p={p} view={view} />
      <CommuneProgress p={p} view={view} />
      <Download p={p} href={csv} />
      <About p={p} />
    </PortalPage>
  );
}
