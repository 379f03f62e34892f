/** Before printing Mẫu 04 the officer sets the new appointment date and says why the dossier is late. */
import type { PageRequest } from '../../../web/request.ts';
import type { Officer } from '../../auth/service.ts';
import { OfficePage } from '../../../web/layout.tsx';
import { BackLink, CsrfField, ErrorSummary, SummaryList, Submit, TextArea, TextField } from '../../../web/components.tsx';
import { localDateTimeText } from '../pages/intake/format.ts';
import type { Printable } from './printable.ts';

export type ApologyErrors = Partial<Record<'newDate' | 'reason', string>>;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function ApologyPage({ p, officer, dossier, values, errors }: { p: PageRequest; officer: Officer | null; dossier: Printable; values: Record<string, unknown>; errors: ApologyErrors }) {
  const t = p.t;
  const translated = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));
  const hasErrors = Object.keys(translated).length > 0;
  const dossierUrl = `/office/dossiers/${encodeURIComponent(dossier.code)}`;
  return (
    <OfficePage p={p} title={t('intake.apology.title')} officer={officer} hasErrors={hasErrors}>
      <BackLink href={dossierUrl} label={t('intake.apology.back')} />
      <ErrorSummary p={p} errors={translated} />
      <h1>{t('intake.apology.title')}</h1>
      <p class="lead">{t('intake.apology.lead')}</p>
      <SummaryList
        rows={[
          { key: t('intake.field.code'), value: dossier.code },
          { key: t('intake.field.applicant'), value: dossier.applicant.fullName },
          { key: t('intake.field.procedure'), value: dossier.procedure.name },
          { key: t('intake.apology.old_due'), value: dossier.dueAt ? localDateTimeText(t, dossier.dueAt) : '–' },
        ]}
      />
      <form method="get" action={`${dossierUrl}/forms/04.pdf`} novalidate>
        <TextField name="newDate" type="date" label={t('intake.apology.new_date')} hint={t('intake.apology.new_date_hint')} value={text(values.newDate)} error={translated.newDate} required />
        <TextArea name="reason" label={t('intake.apology.reason')} hint={t('intake.apology.reason_hint')} value={text(values.reason)} error={translated.reason} maxLength={500} rows={3} />
        <Submit>{t('intake.apology.print')}</Submit>
      </form>
      <h2>{t('intake.apology.sms_title')}</h2>
      <p>{t('intake.apology.sms_lead')}</p>
      <form method="post" action={`${dossierUrl}/forms/04/sms`} novalidate>
        <CsrfField p={p} />
        <TextField name="newDate" type="date" label={t('intake.apology.new_date')} value={text(values.newDate)} error={translated.newDate} required />
        <input type="hidden" name="reason" value={t('intake.apology.sms_reason')} />
        <Submit secondary>{t('intake.apology.sms_send')}</Submit>
      </form>
    </OfficePage>
  );
}
