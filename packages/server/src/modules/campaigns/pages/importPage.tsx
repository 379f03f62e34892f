/**
 * Importing targets from the XLSX template (`/office/campaigns/:id/import?unit=`): how to do it,
 * the template's link, the upload. A refused file comes back here with every problem listed by
 * row and column, each linked to the file field; nothing was stored.
 */
import { CsrfField, fieldId } from '../../../web/components.tsx';
import { OfficePage } from '../../../web/layout.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import type { CampaignUnit } from '../campaignAccess.ts';
import type { CampaignRef } from '../campaignQueries.ts';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../targetsXlsx.ts';
import { CAMPAIGNS_PATH, campaignPath, periodText } from './campaignPages.tsx';

export const FILE_FIELD = 'file';
/** A long list of errors is cut: the first ones are enough to see what is wrong. */
const SHOWN_ERRORS = 100;

export const importPath = (campaignId: number): string => `${CAMPAIGNS_PATH}/${campaignId}/targets/import`;

export function ImportPage({ p, officer, campaign, unit, errors }: { p: PageRequest; officer: Officer; campaign: CampaignRef; unit: CampaignUnit; errors: string[] }) {
  const id = fieldId(FILE_FIELD);
  const shown = errors.slice(0, SHOWN_ERRORS);
  const title = p.t('campaigns.import.title');
  return (
    <OfficePage p={p} title={title} officer={officer} hasErrors={errors.length > 0}>
      <p class="no-print">
        <a href={campaignPath(campaign.id, { unit: unit.code })}>← {campaign.name}</a>
      </p>
      {errors.length > 0 ? (
        <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
          <h2 id="error-summary-title">{p.t('campaigns.import.errors_title', { n: errors.length })}</h2>
          <p>{p.t('campaigns.import.nothing_saved')}</p>
          <ul>
            {shown.map((e, i) => (
              <li key={i}>
                <a href={`#${id}`}>{e}</a>
              </li>
            ))}
          </ul>
          {errors.length > shown.length ? <p>{p.t('campaigns.import.more_errors', { n: errors.length - shown.length })}</p> : null}
        </div>
      ) : null}
      <h1>{title}</h1>
      <p class="lead">{p.t('campaigns.import.lead', { campaign: campaign.name, period: periodText(p, campaign), unit: unit.name })}</p>
      <ol class="steps">
        <li>
          <a href={`${CAMPAIGNS_PATH}/${campaign.id}/targets.xlsx?unit=${encodeURIComponent(unit.code)}`}>{p.t('campaigns.import.step_download', { unit: unit.name })}</a>
        </li>
        <li>{p.t('campaigns.import.step_fill')}</li>
        <li>{p.t('campaigns.import.step_upload')}</li>
      </ol>
      <form method="post" action={importPath(campaign.id)} enctype="multipart/form-data" novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="unit" value={unit.code} />
        <div class={`field${errors.length > 0 ? ' has-error' : ''}`}>
          <label for={id}>{p.t('campaigns.import.file')}</label>
          <span class="hint" id={`${id}-hint`}>
            {p.t('campaigns.import.file_hint', { rows: MAX_IMPORT_ROWS, mb: MAX_IMPORT_BYTES / 1_000_000 })}
          </span>
          <input
            id={id}
            name={FILE_FIELD}
            type="file"
            accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-describedby={`${id}-hint`}
            aria-invalid={errors.length > 0 ? 'true' : undefined}
          />
        </div>
        <button type="submit">{p.t('campaigns.import.submit')}</button>
      </form>
    </OfficePage>
  );
}
