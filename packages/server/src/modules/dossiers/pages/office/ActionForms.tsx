/**
 * One small form per action the officer may take now, each with only the fields it needs and a
 * fresh transaction id: sending the same form twice (a double click, a reload) applies it once.
 */
import { randomUUID } from 'node:crypto';
import type { Action } from '@causo/domain';
import { CsrfField, Submit, TextArea, TextField, fieldId, type FieldErrors } from '../../../../web/components.tsx';
import type { PageRequest } from '../../../../web/request.ts';

/** Names of the form fields of an action (unique on the page, so labels and error links work). */
export const actionField = {
  reason: (a: Action) => `${a}_reason`,
  note: (a: Action) => `${a}_note`,
  missing: 'request_supplement_missing',
  result: 'finish_result',
  amount: 'fees_paid_amount',
  receipt: 'fees_paid_receipt',
} as const;

const NEEDS_REASON = new Set<Action>(['refuse', 'stop']);
const TAKES_NOTE = new Set<Action>(['request_fees', 'request_withdrawal', 'return_result', 'finish']);
/** Actions that end or turn away a dossier are drawn as secondary buttons, apart from the main path. */
const SECONDARY = new Set<Action>(['refuse', 'stop', 'request_withdrawal']);

export const RESULT_ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf';

function FileField({ name, label, hint, error }: { name: string; label: string; hint: string; error?: string | undefined }) {
  const id = fieldId(name);
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      <span class="hint" id={`${id}-hint`}>
        {hint}
      </span>
      {error ? (
        <span class="error-message" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      <input id={id} name={name} type="file" accept={RESULT_ACCEPT} aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`} aria-invalid={error ? 'true' : undefined} />
    </div>
  );
}

export interface ActionFormProps {
  p: PageRequest;
  code: string;
  action: Action;
  errors: FieldErrors;
  values: Record<string, string>;
  /** The fee the procedure asks for, offered when recording a payment at the counter. */
  feeDue?: number | null | undefined;
}

export function ActionForm({ p, code, action, errors, values, feeDue }: ActionFormProps) {
  const t = (k: string) => p.t(`office.action.${action}.${k}`);
  const multipart = action === 'finish';
  return (
    <section class="panel" aria-labelledby={`action-${action}`}>
      <h3 id={`action-${action}`}>{t('title')}</h3>
      <p class="hint">{t('hint')}</p>
      <form method="post" action={`/office/dossiers/${encodeURIComponent(code)}/actions/${action}`} enctype={multipart ? 'multipart/form-data' : undefined} novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="transactionId" value={randomUUID()} />
        {NEEDS_REASON.has(action) ? (
          <TextArea name={actionField.reason(action)} label={p.t('office.action.reason')} hint={t('reason_hint')} value={values[actionField.reason(action)]} error={errors[actionField.reason(action)]} maxLength={2000} rows={3} />
        ) : null}
        {action === 'request_supplement' ? (
          <TextArea name={actionField.missing} label={p.t('office.action.missing')} hint={p.t('office.action.missing_hint')} value={values[actionField.missing]} error={errors[actionField.missing]} rows={4} />
        ) : null}
        {action === 'finish' ? <FileField name={actionField.result} label={p.t('office.action.result')} hint={p.t('office.action.result_hint')} error={errors[actionField.result]} /> : null}
        {action === 'fees_paid' ? (
          <>
            <TextField
              name={actionField.amount}
              label={p.t('office.action.amount')}
              hint={p.t('office.action.amount_hint')}
              inputMode="numeric"
              short
              value={values[actionField.amount] ?? (feeDue ? String(feeDue) : '')}
              error={errors[actionField.amount]}
            />
            <TextField name={actionField.receipt} label={p.t('office.action.receipt')} short maxLength={50} value={values[actionField.receipt]} error={errors[actionField.receipt]} />
          </>
        ) : null}
        {TAKES_NOTE.has(action) ? <TextArea name={actionField.note(action)} label={p.t('office.action.note')} value={values[actionField.note(action)]} error={errors[actionField.note(action)]} maxLength={2000} rows={2} /> : null}
        <Submit secondary={SECONDARY.has(action)}>{t('button')}</Submit>
      </form>
    </section>
  );
}
