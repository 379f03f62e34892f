/**
 * One campaign (`/office/campaigns/:id?unit=`): its period, indicators (each with what it means
 * and its formula) and covered units; the targets grid of a unit and its direct children, the
 * check of the children's targets against the unit's with buttons that split them down, and
 * the way to the XLSX template and the import. Rows the officer may not change are shown as
 * text. Works without JavaScript.
 */
import { INDICATORS, type IndicatorKey, type IndicatorKind } from '@causo/domain';
import { CsrfField, ErrorSummary, fieldId, SummaryList, type FieldErrors } from '../../../web/components.tsx';
import { formatNumber } from '../../../web/i18n.ts';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import type { CampaignUnit } from '../campaignAccess.ts';
import type { GridRow, TargetCheck, TargetsGrid } from '../campaignGrid.ts';
import type { CampaignRef } from '../campaignQueries.ts';
import { targetInputValue } from '../campaignSchemas.ts';
import { CAMPAIGNS_PATH, CampaignStatus, campaignPath, indicatorName, lang2, periodText } from './campaignPages.tsx';

/** The name of a grid cell's input: `t.<unit code>.<indicator>`. */
export const cellName = (unitCode: string, key: IndicatorKey): string => `t.${unitCode}.${key}`;

export function formatTarget(p: PageRequest, kind: IndicatorKind, v: number): string {
  if (kind === 'count') return formatNumber(p.lang, Math.round(v), 0);
  const s = formatNumber(p.lang, v, 1);
  return kind === 'percent' ? `${s}%` : s;
}

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export interface CampaignPageProps {
  p: PageRequest;
  officer: Officer;
  campaign: CampaignRef;
  covered: CampaignUnit[];
  /** The officer leads or administers the owner unit: the campaign's details may be changed. */
  canEdit: boolean;
  today: string;
  grid: TargetsGrid | null;
  /** What was typed in the grid, shown again with the errors. */
  typed?: Record<string, string>;
  errors?: FieldErrors;
  notice?: Notice | undefined;
}

function IndicatorsSection({ p, campaign }: { p: PageRequest; campaign: CampaignRef }) {
  const l = lang2(p);
  return (
    <section aria-labelledby="indicators">
      <h2 id="indicators">{p.t('campaigns.indicators.title', { n: campaign.indicators.length })}</h2>
      <div class="table-scroll" role="region" aria-labelledby="indicators-caption" tabIndex={0}>
        <table>
          <caption class="muted" id="indicators-caption">
            {p.t('campaigns.indicators.caption')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{p.t('campaigns.indicators.col.name')}</th>
              <th scope="col">{p.t('campaigns.indicators.col.meaning')}</th>
              <th scope="col">{p.t('campaigns.indicators.col.formula')}</th>
              <th scope="col">{p.t('campaigns.indicators.col.target')}</th>
            </tr>
          </thead>
          <tbody>
            {campaign.indicators.map((k) => (
              <tr key={k}>
                <th scope="row">{INDICATORS[k].name[l]}</th>
                <td>{INDICATORS[k].description[l]}</td>
                <td>{INDICATORS[k].formula[l]}</td>
                <td>{p.t(`campaigns.kind.${INDICATORS[k].kind}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TargetCellView({ p, row, k, typed, error }: { p: PageRequest; row: GridRow; k: IndicatorKey; typed: Record<string, string>; error: string | undefined }) {
  const kind = INDICATORS[k].kind;
  const current = row.targets.get(k);
  if (!row.editable) return <td class="num">{current === undefined ? <span class="muted">–</span> : formatTarget(p, kind, current)}</td>;
  const name = cellName(row.unit.code, k);
  const id = fieldId(name);
  return (
    <td class="num">
      <label class="vh" for={id}>
        {p.t('campaigns.grid.cell_label', { indicator: indicatorName(p, k), unit: row.unit.name })}
      </label>
      {error ? (
        <span class="error-message" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      <input
        id={id}
        name={name}
        type="text"
        inputMode="decimal"
        class="short"
        value={typed[name] ?? targetInputValue(p.lang, kind, current)}
        autocomplete="off"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
    </td>
  );
}

function GridSection({ p, campaign, grid, typed, errors }: { p: PageRequest; campaign: CampaignRef; grid: TargetsGrid; typed: Record<string, string>; errors: FieldErrors }) {
  const editable = grid.rows.some((r) => r.editable);
  const table = (
    <div class="table-scroll" role="region" aria-labelledby="targets-caption" tabIndex={0}>
      <table>
        <caption class="muted" id="targets-caption">
          {p.t('campaigns.grid.caption', { unit: grid.unit.name, n: grid.rows.length - 1 })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{p.t('campaigns.grid.col.unit')}</th>
            {campaign.indicators.map((k) => (
              <th scope="col" class="num" key={k}>
                {indicatorName(p, k)} <span class="muted">({p.t(`campaigns.kind_short.${INDICATORS[k].kind}`)})</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((row, i) => (
            <tr key={row.unit.id}>
              <th scope="row">
                {i === 0 ? (
                  <b>{row.unit.name}</b>
                ) : (
                  <a href={campaignPath(campaign.id, { unit: row.unit.code })} aria-label={p.t('campaigns.grid.drill', { unit: row.unit.name })}>
                    {row.unit.name}
                  </a>
                )}{' '}
                <span class="muted">({row.unit.code})</span>
              </th>
              {campaign.indicators.map((k) => (
                <TargetCellView key={k} p={p} row={row} k={k} typed={typed} error={errors[cellName(row.unit.code, k)]} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <section aria-labelledby="targets">
      <h2 id="targets">{p.t('campaigns.grid.title', { unit: grid.unit.name })}</h2>
      <ul class="plain filters no-print">
        {grid.parent ? (
          <li>
            <a href={campaignPath(campaign.id, { unit: grid.parent.code })}>↑ {p.t('campaigns.grid.up', { unit: grid.parent.name })}</a>
          </li>
        ) : null}
        <li>
          <a href={`/office/dashboard?unit=${encodeURIComponent(grid.unit.code)}&campaign=${campaign.id}`}>{p.t('campaigns.grid.dashboard', { unit: grid.unit.name })}</a>
        </li>
        <li>
          <a href={`${CAMPAIGNS_PATH}/${campaign.id}/targets.xlsx?unit=${encodeURIComponent(grid.unit.code)}`}>{p.t('campaigns.grid.template', { unit: grid.unit.name })}</a>
        </li>
        {grid.rows[0]?.editable ? (
          <li>
            <a href={`${CAMPAIGNS_PATH}/${campaign.id}/import?unit=${encodeURIComponent(grid.unit.code)}`}>{p.t('campaigns.grid.import')}</a>
          </li>
        ) : null}
      </ul>
      {editable ? (
        <form method="post" action={`${CAMPAIGNS_PATH}/${campaign.id}/targets`} novalidate>
          <CsrfField p={p} />
          <input type="hidden" name="unit" value={grid.unit.code} />
          <input type="hidden" name="version" value={String(campaign.version)} />
          <p class="hint">{p.t('campaigns.grid.hint')}</p>
          {table}
          <button type="submit">{p.t('campaigns.grid.save')}</button>
        </form>
      ) : (
        <>
          <p class="hint">{p.t('campaigns.grid.read_only')}</p>
          {table}
        </>
      )}
    </section>
  );
}

const COMBINE = { sum: 'sum', weighted_mean: 'weighted_mean', max: 'max' } as const;

function CheckResult({ p, check }: { p: PageRequest; check: TargetCheck }) {
  const kind = INDICATORS[check.indicator].kind;
  const r = check.result;
  if (!r) return <span class="muted">{p.t('campaigns.check.no_target')}</span>;
  if (r.status === 'no_children') return <span class="muted">{p.t('campaigns.check.no_children')}</span>;
  if (r.status === 'incomplete') return <span class="tag soon">{p.t('campaigns.check.incomplete', { n: r.missing })}</span>;
  const combined = formatTarget(p, kind, r.combined);
  return r.status === 'ok' ? <span class="tag ok">{p.t('campaigns.check.ok', { combined })}</span> : <span class="tag late">{p.t('campaigns.check.short', { combined })}</span>;
}

function SplitButton({ p, campaign, grid, indicator, label, confirm }: { p: PageRequest; campaign: CampaignRef; grid: TargetsGrid; indicator: IndicatorKey | ''; label: string; confirm: string }) {
  return (
    <form method="post" action={`${CAMPAIGNS_PATH}/${campaign.id}/split`} class="inline-form">
      <CsrfField p={p} />
      <input type="hidden" name="unit" value={grid.unit.code} />
      <input type="hidden" name="indicator" value={indicator} />
      <input type="hidden" name="version" value={String(campaign.version)} />
      <button type="submit" class="secondary" data-confirm={confirm} aria-label={label}>
        {p.t('campaigns.split.button')}
      </button>
    </form>
  );
}

function ChecksSection({ p, campaign, grid }: { p: PageRequest; campaign: CampaignRef; grid: TargetsGrid }) {
  const children = grid.rows.length - 1;
  if (children === 0) return null;
  const splittable = grid.checks.filter((c) => c.parentTarget !== null);
  return (
    <section aria-labelledby="checks">
      <h2 id="checks">{p.t('campaigns.check.title')}</h2>
      <p>{p.t('campaigns.check.lead', { unit: grid.unit.name, n: children })}</p>
      <div class="table-scroll" role="region" aria-labelledby="checks-caption" tabIndex={0}>
        <table>
          <caption class="muted" id="checks-caption">
            {p.t('campaigns.check.caption', { unit: grid.unit.name })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{p.t('campaigns.check.col.indicator')}</th>
              <th scope="col" class="num">
                {p.t('campaigns.check.col.target', { unit: grid.unit.name })}
              </th>
              <th scope="col">{p.t('campaigns.check.col.rule')}</th>
              <th scope="col">{p.t('campaigns.check.col.result')}</th>
              {grid.canSplit ? <th scope="col">{p.t('campaigns.check.col.split')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {grid.checks.map((c) => {
              const def = INDICATORS[c.indicator];
              return (
                <tr key={c.indicator}>
                  <th scope="row">{indicatorName(p, c.indicator)}</th>
                  <td class="num">{c.parentTarget === null ? <span class="muted">–</span> : formatTarget(p, def.kind, c.parentTarget)}</td>
                  <td>{p.t(`campaigns.check.rule.${COMBINE[def.split]}${def.higherIsBetter ? '' : '_lower'}`)}</td>
                  <td>
                    <CheckResult p={p} check={c} />
                  </td>
                  {grid.canSplit ? (
                    <td>
                      {c.parentTarget === null ? (
                        <span class="muted">–</span>
                      ) : (
                        <SplitButton
                          p={p}
                          campaign={campaign}
                          grid={grid}
                          indicator={c.indicator}
                          label={p.t('campaigns.split.one_label', { indicator: indicatorName(p, c.indicator), n: children })}
                          confirm={p.t('campaigns.split.confirm_one', { indicator: indicatorName(p, c.indicator) })}
                        />
                      )}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {grid.canSplit && splittable.length > 0 ? (
        <>
          <p class="hint">{p.t('campaigns.split.hint')}</p>
          <form method="post" action={`${CAMPAIGNS_PATH}/${campaign.id}/split`}>
            <CsrfField p={p} />
            <input type="hidden" name="unit" value={grid.unit.code} />
            <input type="hidden" name="indicator" value="" />
            <input type="hidden" name="version" value={String(campaign.version)} />
            <button type="submit" class="secondary" data-confirm={p.t('campaigns.split.confirm_all')}>
              {p.t('campaigns.split.all')}
            </button>
          </form>
        </>
      ) : null}
    </section>
  );
}

export function CampaignPage({ p, officer, campaign, covered, canEdit, today, grid, typed = {}, errors = {}, notice }: CampaignPageProps) {
  const hasErrors = Object.keys(errors).length > 0 || notice?.kind === 'error';
  const owner = `${campaign.unitName} (${campaign.unitCode})`;
  const ownerCovered = covered.length === 1 && covered[0]?.id === campaign.unitId;
  return (
    <OfficePage p={p} title={campaign.name} officer={officer} hasErrors={hasErrors}>
      <p class="no-print">
        <a href={CAMPAIGNS_PATH}>← {p.t('campaigns.list.title')}</a>
      </p>
      <ErrorSummary p={p} errors={errors} />
      {notice ? (
        <div class={`notice${notice.kind === 'error' ? ' error' : ''}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          <p>{notice.text}</p>
        </div>
      ) : null}
      <h1>{campaign.name}</h1>
      {campaign.description ? <p class="lead">{campaign.description}</p> : null}
      {canEdit ? (
        <p class="no-print">
          <a href={`${CAMPAIGNS_PATH}/${campaign.id}/edit`}>{p.t('campaigns.edit.link')}</a>
        </p>
      ) : null}
      <SummaryList
        rows={[
          {
            key: p.t('campaigns.col.period'),
            value: (
              <>
                {periodText(p, campaign)} <CampaignStatus p={p} campaign={campaign} today={today} />
              </>
            ),
          },
          { key: p.t('campaigns.col.owner'), value: owner },
          {
            key: p.t('campaigns.col.covered'),
            value: ownerCovered ? (
              p.t('campaigns.covered.whole', { unit: campaign.unitName })
            ) : (
              <ul class="plain">
                {covered.map((u) => (
                  <li key={u.id}>
                    <a href={campaignPath(campaign.id, { unit: u.code })}>{u.name}</a> <span class="muted">({u.code})</span>
                  </li>
                ))}
              </ul>
            ),
          },
        ]}
      />
      {grid ? (
        <>
          <GridSection p={p} campaign={campaign} grid={grid} typed={typed} errors={errors} />
          <ChecksSection p={p} campaign={campaign} grid={grid} />
        </>
      ) : (
        <p class="notice warn">{p.t('campaigns.grid.none')}</p>
      )}
      <IndicatorsSection p={p} campaign={campaign} />
    </OfficePage>
  );
}
