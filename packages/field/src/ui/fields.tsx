/** Form pieces with their labels, hints and errors wired for screen readers. Big tap targets come from the CSS. */
import type { ComponentChildren } from 'preact';

let seq = 0;
const uid = (name: string) => `f-${name}-${++seq}`;

interface Base {
  label: string;
  name: string;
  error?: string | null | undefined;
  hint?: string | undefined;
}

function Described({ id, hint, error }: { id: string; hint?: string | undefined; error?: string | null | undefined }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error-message" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

const describedBy = (id: string, hint?: string, error?: string | null) => [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function TextField(p: Base & { value: string; onInput: (v: string) => void; type?: string; inputMode?: 'numeric' | 'tel' | 'text'; autoComplete?: string; multiline?: boolean; maxLength?: number }) {
  const id = `f-${p.name}`;
  const common = {
    id,
    name: p.name,
    value: p.value,
    maxLength: p.maxLength,
    'aria-invalid': p.error ? true : undefined,
    'aria-describedby': describedBy(id, p.hint, p.error),
    onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${p.error ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      <Described id={id} hint={p.hint} error={p.error} />
      {p.multiline ? <textarea rows={3} {...common} /> : <input type={p.type ?? 'text'} inputMode={p.inputMode} autoComplete={p.autoComplete ?? 'off'} {...common} />}
    </div>
  );
}

export function SelectField(p: Base & { value: string; onChange: (v: string) => void; options: { value: string; label: string }[]; placeholder?: string }) {
  const id = `f-${p.name}`;
  return (
    <div class={`field${p.error ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      <Described id={id} hint={p.hint} error={p.error} />
      <select id={id} name={p.name} value={p.value} aria-invalid={p.error ? true : undefined} aria-describedby={describedBy(id, p.hint, p.error)} onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {p.placeholder !== undefined && <option value="">{p.placeholder}</option>}
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Checkbox(p: { label: string; name: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = uid(p.name);
  return (
    <div class="check">
      <input type="checkbox" id={id} name={p.name} checked={p.checked} onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{p.label}</label>
    </div>
  );
}

/** A fieldset of radio buttons (one answer). */
export function Radios(p: Base & { value: string; onChange: (v: string) => void; options: { value: string; label: string }[]; inline?: boolean }) {
  const id = uid(p.name);
  return (
    <fieldset class={`field${p.error ? ' has-error' : ''}`} aria-describedby={describedBy(id, p.hint, p.error)}>
      <legend>{p.label}</legend>
      <Described id={id} hint={p.hint} error={p.error} />
      <div class={p.inline ? 'radios inline' : 'radios'}>
        {p.options.map((o) => (
          <div class="check" key={o.value}>
            <input type="radio" id={`${id}-${o.value}`} name={id} value={o.value} checked={p.value === o.value} onChange={() => p.onChange(o.value)} />
            <label for={`${id}-${o.value}`}>{o.label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

export function ErrorSummary({ title, errors }: { title: string; errors: Record<string, string | null | undefined> }) {
  const list = Object.entries(errors).filter((e): e is [string, string] => !!e[1]);
  if (!list.length) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1}>
      <h2>{title}</h2>
      <ul>
        {list.map(([k, v]) => (
          <li key={k}>
            <a href={`#f-${k}`} onClick={(e) => {
              e.preventDefault();
              document.getElementById(`f-${k}`)?.focus();
            }}>
              {v}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Page({ title, back, children }: { title: string; back?: string; children: ComponentChildren }) {
  return (
    <section class="page">
      {back && (
        <a class="back" href={back}>
          ‹ <BackLabel />
        </a>
      )}
      <h1 tabIndex={-1}>{title}</h1>
      {children}
    </section>
  );
}

import { t } from '../i18n/index.ts';
function BackLabel() {
  return <>{t('app.back')}</>;
}
