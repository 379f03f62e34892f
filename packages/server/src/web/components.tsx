/**
 * Form pieces in the GOV.UK pattern: label, hint, error message, input; an error summary at
 * the top that links to each field. Error texts are already translated by the caller.
 */
import type { ComponentChildren } from 'preact';
import type { z } from 'zod';
import type { PageRequest } from './request.ts';
import type { Translate } from './i18n.ts';

export type FieldErrors = Record<string, string>;

/**
 * Turns a zod error into field errors. Schemas used by pages give catalogue keys as messages
 * (`z.string().min(1, 'form.error.required')`), so the text comes out in the page's language.
 */
export function fieldErrors(error: z.ZodError, t: Translate): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const name = issue.path.map(String).join('.') || 'form';
    if (!(name in out)) out[name] = t(issue.message.includes(' ') ? 'form.error.invalid' : issue.message);
  }
  return out;
}

export const fieldId = (name: string): string => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

export function ErrorSummary({ p, errors }: { p: PageRequest; errors: FieldErrors }) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
      <h2 id="error-summary-title">{p.t('form.error_summary_title')}</h2>
      <ul>
        {entries.map(([name, message]) => (
          <li key={name}>
            <a href={`#${fieldId(name)}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CsrfField({ p }: { p: PageRequest }) {
  return <input type="hidden" name="_csrf" value={p.csrf} />;
}

interface FieldProps {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value?: string;
  type?: 'text' | 'tel' | 'password' | 'date' | 'number' | 'search' | 'email';
  autocomplete?: string;
  inputMode?: 'numeric' | 'tel' | 'text' | 'search';
  short?: boolean;
  required?: boolean;
  maxLength?: number;
  /** A page that asks one question makes the question the page heading. */
  asHeading?: boolean;
}

function describedBy(name: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${fieldId(name)}-hint` : null, error ? `${fieldId(name)}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function LabelText({ label, asHeading, htmlFor }: { label: string; asHeading?: boolean; htmlFor: string }) {
  return asHeading ? (
    <h1>
      <label for={htmlFor}>{label}</label>
    </h1>
  ) : (
    <label for={htmlFor}>{label}</label>
  );
}

export function TextField(props: FieldProps) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <LabelText label={props.label} asHeading={props.asHeading} htmlFor={id} />
      {props.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error-message" id={`${id}-error`}>
          {props.error}
        </span>
      ) : null}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        class={props.short ? 'short' : undefined}
        maxLength={props.maxLength}
        aria-describedby={describedBy(props.name, props.hint, props.error)}
        aria-invalid={props.error ? 'true' : undefined}
        required={props.required}
      />
    </div>
  );
}

export function TextArea(props: Omit<FieldProps, 'type'> & { rows?: number }) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <LabelText label={props.label} asHeading={props.asHeading} htmlFor={id} />
      {props.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error-message" id={`${id}-error`}>
          {props.error}
        </span>
      ) : null}
      <textarea id={id} name={props.name} rows={props.rows ?? 4} maxLength={props.maxLength} aria-describedby={describedBy(props.name, props.hint, props.error)} aria-invalid={props.error ? 'true' : undefined}>
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
  hint?: string;
}

/** Radios or checkboxes in a fieldset; the first input carries the id the error summary links to. */
export function Choices(props: { name: string; legend: string; hint?: string; error?: string; options: Option[]; value?: string | string[]; multiple?: boolean; asHeading?: boolean }) {
  const id = fieldId(props.name);
  const selected = new Set(Array.isArray(props.value) ? props.value : props.value ? [props.value] : []);
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <fieldset aria-describedby={describedBy(props.name, props.hint, props.error)}>
        <legend>{props.asHeading ? <h1>{props.legend}</h1> : props.legend}</legend>
        {props.hint ? (
          <span class="hint" id={`${id}-hint`}>
            {props.hint}
          </span>
        ) : null}
        {props.error ? (
          <span class="error-message" id={`${id}-error`}>
            {props.error}
          </span>
        ) : null}
        {props.options.map((o, i) => {
          const oid = i === 0 ? id : `${id}-${i}`;
          return (
            <div class="choice" key={o.value}>
              <input id={oid} type={props.multiple ? 'checkbox' : 'radio'} name={props.name} value={o.value} checked={selected.has(o.value)} aria-describedby={o.hint ? `${oid}-hint` : undefined} />
              <label for={oid}>
                {o.label}
                {o.hint ? (
                  <span class="hint" id={`${oid}-hint`}>
                    {o.hint}
                  </span>
                ) : null}
              </label>
            </div>
          );
        })}
      </fieldset>
    </div>
  );
}

export function Select(props: { name: string; label: string; hint?: string; error?: string; options: Option[]; value?: string; emptyLabel?: string }) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error-message" id={`${id}-error`}>
          {props.error}
        </span>
      ) : null}
      <select id={id} name={props.name} aria-describedby={describedBy(props.name, props.hint, props.error)} aria-invalid={props.error ? 'true' : undefined}>
        {props.emptyLabel !== undefined ? <option value="">{props.emptyLabel}</option> : null}
        {props.options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Submit({ children, secondary, name, value, confirm }: { children: ComponentChildren; secondary?: boolean; name?: string; value?: string; confirm?: string }) {
  return (
    <button type="submit" class={secondary ? 'secondary' : undefined} name={name} value={value} data-confirm={confirm}>
      {children}
    </button>
  );
}

export function SummaryList({ rows }: { rows: { key: string; value: ComponentChildren; change?: { href: string; label: string } }[] }) {
  return (
    <dl class="summary">
      {rows.map((r) => (
        <div key={r.key}>
          <dt>{r.key}</dt>
          <dd>{r.value}</dd>
          {r.change ? (
            <dd>
              <a href={r.change.href}>{r.change.label}</a>
            </dd>
          ) : null}
        </div>
      ))}
    </dl>
  );
}

/** Back link at the top of a question page. */
export function BackLink({ href, label }: { href: string; label: string }) {
  return (
    <p>
      <a href={href}>← {label}</a>
    </p>
  );
}

/** A file input in the same pattern as the other fields (label, hint, error linked from the summary); photos and PDFs. */
export function FileField({ name, label, hint, error }: { name: string; label: string; hint?: string; error?: string }) {
  const id = fieldId(name);
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span class="error-message" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      <input id={id} name={name} type="file" accept="image/jpeg,image/png,image/webp,application/pdf" aria-describedby={described} aria-invalid={error ? 'true' : undefined} />
    </div>
  );
}

/**
 * "Where am I" from the top unit down to the current one; every step but the last links to
 * `href(step)` (or is plain text where it returns null: a unit the reader may not open).
 */
export function UnitTrail<U extends { code: string; name: string }>({ label, trail, href, print }: { label: string; trail: U[]; href: (step: U) => string | null; print?: boolean }) {
  const last = trail.length - 1;
  return (
    <nav aria-label={label} class={print ? undefined : 'no-print'}>
      <ol class="breadcrumb">
        {trail.map((step, i) => {
          const link = i === last ? null : href(step);
          return i === last ? (
            <li key={step.code} aria-current="page">
              {step.name}
            </li>
          ) : (
            <li key={step.code}>{link ? <a href={link}>{step.name}</a> : step.name}</li>
          );
        })}
      </ol>
    </nav>
  );
}
