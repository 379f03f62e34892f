/**
 * The dashboard's tables: the child units ranked (drill-down links, re-rank links on the
 * column headers, the unit's own level and a total row), open blockers by reason, the check of
 * the children's targets against the unit's, and at village level the village's open blockers
 * (reason, date, source and note only: who a blocker is about stays on the team page).
 */
import { BLOCKER_REASONS, INDICATORS, type IndicatorKey } from '@causo/domain';
import type { PageRequest } from '../../../web/request.ts';
import { localDateTime } from '../../auth/admin/ui.tsx';
import type { Dashboard, DashboardRow } from '../dashboard.ts';
import { indicatorName, numberText, valueText } from '../dashboardFormat.ts';
import { dashboardHref } from '../dashboardQuery.ts';
import type { DashboardPageView, VillageExtras } from '../dashboardView.ts';
import { targetNote } from './dashboardCards.tsx';

/** Whether a row has a value for the rank indicator (rows without one are ranked last, unnumbered). */
export const hasRankValue = (row: DashboardRow, key: IndicatorKey): boolean => row.cells[key].value !== null;

function Cells({ p, d, row }: { p: PageRequest; d: Dashboard; row: DashboardRow }) {
  return (
    <>
      {d.indicators.map((k) => {
        const c = row.cells[k];
        return (
          <td key={k} class="num">
            {valueText({ t: p.t, lang: p.lang }, k, c.value)}
            {c.target !== null ? <span class="hint">{targetNote(p, k, c.target, c.progress.percentOfTarget)}</span> : null}
          </td>
        );
      })}
    </>
  );
}

export function ChildrenTable({ p, view }: { p: PageRequest; view: DashboardPageView }) {
  const d = view.dashboard;
  const t = p.t;
  const rankName = indicatorName(p.lang, d.rankBy);
  if (d.children.length === 0 && !d.own) return <p>{t('dashboard.children.none')}</p>;
  let rank = 0;
  return (
    <>
      <p class="hint">{t('dashboard.children.hint', { name: rankName })}</p>
      <div class="table-scroll">
        <table class="report">
          <caption>{t('dashboard.children.caption', { unit: d.unit.name, name: rankName })}</caption>
          <thead>
            <tr>
              <th scope="col" class="num">
                {t('dashboard.col.rank')}
              </th>
              <th scope="col">{t('dashboard.col.unit')}</th>
              {d.indicators.map((k) => (
                <th key={k} scope="col" class="num" aria-sort={k === d.rankBy ? (INDICATORS[k].higherIsBetter ? 'descending' : 'ascending') : undefined}>
                  {k === d.rankBy ? (
                    <>
                      {indicatorName(p.lang, k)} <span class="vh">{t('dashboard.children.ranked')}</span>
                      <span aria-hidden="true"> ▼</span>
                    </>
                  ) : (
                    <a href={`${dashboardHref(d.unit.code, { ...view.link, rank: k })}#children-title`}>{indicatorName(p.lang, k)}</a>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {d.children.map((row) => {
              const unit = row.unit;
              if (!unit) return null;
              const numbered = hasRankValue(row, d.rankBy);
              if (numbered) rank++;
              return (
                <tr key={unit.id}>
                  <td class="num">{numbered ? rank : '–'}</td>
                  <th scope="row">
                    <a href={dashboardHref(unit.code, { ...view.link, campaign: view.concerns(unit) ? view.link.campaign : undefined })}>{unit.name}</a>
                  </th>
                  <Cells p={p} d={d} row={row} />
                </tr>
              );
            })}
            {d.own ? (
              <tr>
                <td class="num">–</td>
                <th scope="row">{t(`dashboard.own.${d.unit.level}`)}</th>
                <Cells p={p} d={d} row={d.own} />
              </tr>
            ) : null}
          </tbody>
          <tfoot>
            <tr>
              <td />
              <th scope="row">{t('dashboard.children.total', { unit: d.unit.name })}</th>
              <Cells p={p} d={d} row={d.total} />
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}

export function BlockersByReason({ p, d }: { p: PageRequest; d: Dashboard }) {
  const t = p.t;
  const total = BLOCKER_REASONS.reduce((s, r) => s + d.openBlockersByReason[r], 0);
  const n = (v: number) => numberText(p.lang, 'count', v);
  return (
    <section aria-labelledby="blockers-title">
      <h2 id="blockers-title">{t('dashboard.blockers.title')}</h2>
      {total === 0 ? (
        <p>{t('dashboard.blockers.none')}</p>
      ) : (
        <table>
          <caption>{t('dashboard.blockers.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('dashboard.blockers.col.reason')}</th>
              <th scope="col" class="num">
                {t('dashboard.blockers.col.count')}
              </th>
            </tr>
          </thead>
          <tbody>
            {BLOCKER_REASONS.map((r) => (
              <tr key={r}>
                <th scope="row">{t(`teams.reason.${r}`)}</th>
                <td class="num">{n(d.openBlockersByReason[r])}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('dashboard.blockers.total')}</th>
              <td class="num">{n(total)}</td>
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}

export function TargetChecks({ p, d }: { p: PageRequest; d: Dashboard }) {
  const t = p.t;
  // A unit without units below (a village) has nothing to check.
  const keys = d.indicators.filter((k) => d.targetChecks[k] !== undefined && d.targetChecks[k]?.status !== 'no_children');
  if (keys.length === 0) return null;
  return (
    <section aria-labelledby="checks-title">
      <h2 id="checks-title">{t('dashboard.checks.title')}</h2>
      <p class="hint">{t('dashboard.checks.hint', { unit: d.unit.name })}</p>
      <ul class="checks">
        {keys.map((k) => {
          const check = d.targetChecks[k];
          const target = d.total.cells[k].target;
          if (!check || target === null) return null;
          const kind = INDICATORS[k].kind;
          const fmt = (v: number) => numberText(p.lang, kind, v);
          const shown =
            check.status === 'ok'
              ? { tag: 'dashboard.checks.tag_ok', cls: 'ok', text: t('dashboard.checks.ok', { combined: fmt(check.combined), target: fmt(target) }) }
              : check.status === 'short'
                ? { tag: 'dashboard.checks.tag_short', cls: 'late', text: t('dashboard.checks.short', { combined: fmt(check.combined), target: fmt(target) }) }
                : check.status === 'incomplete'
                  ? { tag: 'dashboard.checks.tag_incomplete', cls: 'soon', text: t('dashboard.checks.incomplete', { n: check.missing }) }
                  : null;
          if (!shown) return null;
          const { tag, cls, text } = shown;
          return (
            <li key={k}>
              <span class={`tag ${cls}`}>{t(tag)}</span> <strong>{indicatorName(p.lang, k)}</strong>: {text}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function VillageBlockers({ p, d, village }: { p: PageRequest; d: Dashboard; village: VillageExtras }) {
  const t = p.t;
  const { list, total } = village.blockers;
  return (
    <section aria-labelledby="village-blockers-title">
      <h2 id="village-blockers-title">{t('dashboard.village.blockers.title', { unit: d.unit.name, n: total })}</h2>
      {village.hasTeam ? (
        <p>
          <a href={`/office/teams/${encodeURIComponent(d.unit.code)}`}>{t('dashboard.village.team_link', { unit: d.unit.name })}</a>
        </p>
      ) : (
        <p class="hint">{t('dashboard.village.no_team')}</p>
      )}
      {total === 0 ? (
        <p>{t('dashboard.village.blockers.none')}</p>
      ) : (
        <>
          <table>
            <caption>{t('dashboard.village.blockers.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('dashboard.village.blockers.col.reason')}</th>
                <th scope="col">{t('dashboard.village.blockers.col.since')}</th>
                <th scope="col">{t('dashboard.village.blockers.col.source')}</th>
                <th scope="col">{t('dashboard.village.blockers.col.note')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => (
                <tr key={b.id}>
                  <td>{t(`teams.reason.${b.reason}`)}</td>
                  <td>{localDateTime(b.createdAt)}</td>
                  <td>{t(`teams.source.${b.source}`)}</td>
                  <td>{b.note}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.length < total ? <p class="hint">{t('dashboard.village.blockers.capped', { shown: list.length, n: total })}</p> : null}
        </>
      )}
    </section>
  );
}
