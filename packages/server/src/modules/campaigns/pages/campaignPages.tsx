/**
 * The campaigns of the back office: the list of campaigns concerning the officer's units
 * (`/office/campaigns`) and the form that creates one (`/office/campaigns/new`) or changes it
 * (`/office/campaigns/:id/edit`), with an error summary linked to the fields.
 */
import { INDICATOR_KEYS, INDICATORS, type IndicatorKey } from '@causo/domain';
import { BackLink, Choices, CsrfField, ErrorSummary, Select, Submit, SummaryList, TextArea, TextField, type FieldErrors } from '../../../web/components.tsx';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import { localDate } from '../../auth/admin/ui.tsx';
import type { Officer } from '../../auth/service.ts';
import type { CampaignUnit } from '../campaignAccess.ts';
import type { CampaignRef } from '../campaignQueries.ts';
import type { CampaignFormValues } from '../campaignSchemas.ts';

export const CAMPAIGNS_PATH = '/office/campaigns';
export const NEW_CAMPAIGN_PATH = `${CAMPAIGNS_PATH}/new`;

export function campaignPath(id: number, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const s = params.toString();
  return `${CAMPAIGNS_PATH}/${id}${s ? `?${s}` : ''}`;
}

export const lang2 = (p: PageRequest): 'vi' | 'en' => (p.lang === 'en' ? 'en' : 'vi');
export const indicatorName = (p: PageRequest, key: IndicatorKey): string => INDICATORS[key].name[lang2(p)];
export const periodText = (p: PageRequest, c: Pick<CampaignRef, 'startsOn' | 'endsOn'>): string => p.t('campaigns.period', { from: localDate(c.startsOn), to: localDate(c.endsOn) });

function statusOf(c: CampaignRef, today: string): 'upcoming' | 'running' | 'ended' {
  if (c.startsOn > today) return 'upcoming';
  return c.endsOn < today ? 'ended' : 'running';
}

export function CampaignStatus({ p, campaign, today }: { p: PageRequest; campaign: CampaignRef; today: string }) {
  const status = statusOf(campaign, today);
  return <span class={`tag${status === 'running' ? ' ok' : status === 'upcoming' ? ' soon' : ''}`}>{p.t(`campaigns.status.${status}`)}</span>;
}

export function CampaignsListPage({ p, officer, campaigns, canCreate, today }: { p: PageRequest; officer: Officer; campaigns: CampaignRef[]; canCreate: boolean; today: string }) {
  return (
    <OfficePage p={p} title={p.t('campaigns.list.title')} officer={officer}>
      <h1>{p.t('campaigns.list.title')}</h1>
      <p class="lead">{p.t('campaigns.list.lead')}</p>
      {canCreate ? (
        <p>
          <a class="button" href={NEW_CAMPAIGN_PATH}>
            {p.t('campaigns.list.create')}
          </a>
        </p>
      ) : null}
      {campaigns.length === 0 ? (
        <p>{p.t('campaigns.list.none')}</p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="campaigns-caption" tabIndex={0}>
          <table>
            <caption class="muted" id="campaigns-caption">
              {p.t('campaigns.list.caption', { n: campaigns.length })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{p.t('campaigns.col.name')}</th>
                <th scope="col">{p.t('campaigns.col.period')}</th>
                <th scope="col">{p.t('campaigns.col.owner')}</th>
                <th scope="col" class="num">
                  {p.t('campaigns.col.indicators')}
                </th>
                <th scope="col">{p.t('campaigns.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <a href={campaignPath(c.id)}>{c.name}</a>
                  </th>
                  <td>{periodText(p, c)}</td>
                  <td>
                    {c.unitName} <span class="muted">({c.unitCode})</span>
                  </td>
                  <td class="num">{c.indicators.length}</td>
                  <td>
                    <CampaignStatus p={p} campaign={c} today={today} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </OfficePage>
  );
}

export const emptyCampaignForm = (owners: CampaignUnit[]): CampaignFormValues => ({
  name: '',
  description: '',
  startsOn: '',
  endsOn: '',
  ownerUnit: owners.length === 1 ? (owners[0]?.code ?? '') : '',
  coveredUnits: '',
  indicators: [],
});

/** The order of the fields on the page, so the error summary lists them in the same order. */
const FIELD_ORDER = ['name', 'description', 'startsOn', 'endsOn', 'ownerUnit', 'coveredUnits', 'indicators'];
const ordered = (errors: FieldErrors): FieldErrors => Object.fromEntries(Object.entries(errors).sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b)));

/** The creation form lets the officer pick the owner; the edit form shows it (and the covered units) as they are. */
export type CampaignFormMode = { kind: 'new'; owners: CampaignUnit[] } | { kind: 'edit'; campaign: CampaignRef; covered: string };

export const campaignFormValuesOf = (c: CampaignRef): CampaignFormValues => ({
  name: c.name,
  description: c.description,
  startsOn: c.startsOn,
  endsOn: c.endsOn,
  ownerUnit: c.unitCode,
  coveredUnits: '',
  indicators: [...c.indicators],
});

export function CampaignFormPage({ p, officer, mode, values, errors, notice }: { p: PageRequest; officer: Officer; mode: CampaignFormMode; values: CampaignFormValues; errors: FieldErrors; notice?: string }) {
  const hasErrors = Object.keys(errors).length > 0 || notice !== undefined;
  const editing = mode.kind === 'edit' ? mode.campaign : null;
  const title = p.t(editing ? 'campaigns.edit.title' : 'campaigns.new.title');
  const action = editing ? `${CAMPAIGNS_PATH}/${editing.id}/edit` : NEW_CAMPAIGN_PATH;
  return (
    <OfficePage p={p} title={title} officer={officer} hasErrors={hasErrors}>
      {editing ? <BackLink href={campaignPath(editing.id)} label={editing.name} /> : <BackLink href={CAMPAIGNS_PATH} label={p.t('campaigns.list.title')} />}
      <h1>{title}</h1>
      <ErrorSummary p={p} errors={ordered(errors)} />
      {notice ? (
        <div class="notice error" role="alert">
          <p>{notice}</p>
        </div>
      ) : null}
      <p class="lead">{p.t(editing ? 'campaigns.edit.lead' : 'campaigns.new.lead')}</p>
      <form method="post" action={action} novalidate>
        <CsrfField p={p} />
        {editing ? <input type="hidden" name="version" value={String(editing.version)} /> : null}
        <TextField name="name" label={p.t('campaigns.field.name')} hint={p.t('campaigns.field.name_hint')} value={values.name} error={errors.name} maxLength={200} autocomplete="off" />
        <TextArea name="description" label={p.t('campaigns.field.description')} hint={p.t('campaigns.field.description_hint')} value={values.description} error={errors.description} maxLength={2000} rows={3} />
        <TextField name="startsOn" type="date" label={p.t('campaigns.field.starts_on')} hint={p.t('campaigns.field.starts_on_hint')} value={values.startsOn} error={errors.startsOn} short />
        <TextField name="endsOn" type="date" label={p.t('campaigns.field.ends_on')} hint={p.t('campaigns.field.ends_on_hint')} value={values.endsOn} error={errors.endsOn} short />
        {mode.kind === 'new' ? (
          <>
            <Select
              name="ownerUnit"
              label={p.t('campaigns.field.owner')}
              hint={p.t('campaigns.field.owner_hint')}
              options={mode.owners.map((u) => ({ value: u.code, label: `${u.name} (${u.code})` }))}
              value={values.ownerUnit}
              emptyLabel={mode.owners.length === 1 ? undefined : p.t('campaigns.field.owner_pick')}
              error={errors.ownerUnit}
            />
            <TextField name="coveredUnits" label={p.t('campaigns.field.covered')} hint={p.t('campaigns.field.covered_hint')} value={values.coveredUnits} error={errors.coveredUnits} maxLength={4000} autocomplete="off" />
          </>
        ) : (
          <SummaryList
            rows={[
              { key: p.t('campaigns.col.owner'), value: `${mode.campaign.unitName} (${mode.campaign.unitCode})` },
              { key: p.t('campaigns.col.covered'), value: mode.covered },
            ]}
          />
        )}
        <Choices
          name="indicators"
          multiple
          legend={p.t('campaigns.field.indicators')}
          hint={p.t(editing ? 'campaigns.edit.indicators_hint' : 'campaigns.field.indicators_hint')}
          options={INDICATOR_KEYS.map((k) => ({ value: k, label: indicatorName(p, k), hint: INDICATORS[k].description[lang2(p)] }))}
          value={values.indicators}
          error={errors.indicators}
        />
        <Submit>{p.t(editing ? 'campaigns.edit.submit' : 'campaigns.new.submit')}</Submit>
      </form>
    </OfficePage>
  );
}
