/**
 * Choosing the report period with a plain GET form (works without JavaScript): the kind of
 * period, then the year and month or quarter for presets, or two dates for a custom range.
 * The unit and the view ride along as hidden fields.
 */
import { localDateOf } from '@causo/domain';
import { Select, Submit, TextField, type FieldErrors } from '../../../web/components.tsx';
import type { PageRequest } from '../../../web/request.ts';
import type { PeriodChoice } from './query.ts';

const KINDS = ['month', 'quarter', 'half', 'nine_months', 'year', 'custom'] as const;
const FIRST_YEAR = 2020;

export function PeriodForm({ p, choice, unit, by, errors, now }: { p: PageRequest; choice: PeriodChoice; unit: string | null; by: 'unit' | 'sector'; errors: FieldErrors; now: Date }) {
  const t = p.t;
  const lastYear = Number(localDateOf(now).slice(0, 4)) + 1;
  const years = [];
  for (let y = lastYear; y >= FIRST_YEAR; y--) years.push({ value: String(y), label: String(y) });
  const months = Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: t('report.form.month_n', { n: String(i + 1) }) }));
  const quarters = Array.from({ length: 4 }, (_, i) => ({ value: String(i + 1), label: t('report.form.quarter_n', { n: String(i + 1) }) }));
  return (
    <form method="get" action="/office/reports/ii06a" class="panel no-print" aria-labelledby="period-form-title">
      <h2 id="period-form-title">{t('report.form.title')}</h2>
      <p class="hint">{t('report.form.hint')}</p>
      {unit ? <input type="hidden" name="unit" value={unit} /> : null}
      {by === 'sector' ? <input type="hidden" name="by" value="sector" /> : null}
      <div class="filters">
        <Select name="preset" label={t('report.form.kind')} value={choice.kind} options={KINDS.map((k) => ({ value: k, label: t(`report.kind.${k}`) }))} error={errors.preset} />
        <Select name="year" label={t('report.form.year')} value={String(choice.year)} options={years} error={errors.year} />
        <Select name="month" label={t('report.form.month')} value={String(choice.month)} options={months} />
        <Select name="quarter" label={t('report.form.quarter')} value={String(choice.quarter)} options={quarters} />
      </div>
      <p class="hint">{t('report.form.custom_hint')}</p>
      <div class="filters">
        <TextField name="from" type="date" label={t('report.form.from')} value={choice.kind === 'custom' ? choice.from : ''} error={errors.from} short />
        <TextField name="to" type="date" label={t('report.form.to')} value={choice.kind === 'custom' ? choice.to : ''} error={errors.to} short />
      </div>
      <Submit>{t('report.form.submit')}</Submit>
    </form>
  );
}
