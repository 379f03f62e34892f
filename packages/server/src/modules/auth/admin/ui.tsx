/** Small pieces shared by the administration pages. */
import { toLocalIso } from '@causo/domain';
import type { PageRequest } from '../../../web/request.ts';
import { fieldId } from '../../../web/components.tsx';

export interface FormIssue {
  /** The form field the issue belongs to (the summary links to it). */
  field: string;
  message: string;
}

/** Like ErrorSummary, but one field may have several issues (a JSON definition, for instance). */
export function IssueSummary({ p, issues }: { p: PageRequest; issues: FormIssue[] }) {
  if (!issues.length) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
      <h2 id="error-summary-title">{p.t('form.error_summary_title')}</h2>
      <ul>
        {issues.map((i, n) => (
          <li key={n}>
            <a href={`#${fieldId(i.field)}`}>{i.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** `25/11/2026 09:00` in Vietnam time. */
export function localDateTime(at: Date): string {
  const iso = toLocalIso(at);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

/** `2026-11-25` → `25/11/2026`. */
export function localDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** A notice after a change (`?done=key` on the page a POST redirected to). */
export function DoneNotice({ p, area }: { p: PageRequest; area: string }) {
  const done = new URLSearchParams(p.url.split('?')[1] ?? '').get('done');
  if (!done || !/^[a-z_]+$/.test(done)) return null;
  const text = p.t(`${area}.done.${done}`);
  if (text === `${area}.done.${done}`) return null;
  return (
    <div class="notice" role="status">
      <p>{text}</p>
    </div>
  );
}

/** Previous / next links for a list read one page at a time. */
export function Pager({ p, page, hasNext, href }: { p: PageRequest; page: number; hasNext: boolean; href: (page: number) => string }) {
  if (page <= 1 && !hasNext) return null;
  return (
    <nav aria-label={p.t('admin.pager.label')}>
      <ul class="plain filters">
        {page > 1 ? (
          <li>
            <a href={href(page - 1)} rel="prev">
              ← {p.t('admin.pager.prev')}
            </a>
          </li>
        ) : null}
        <li>{p.t('admin.pager.page', { page })}</li>
        {hasNext ? (
          <li>
            <a href={href(page + 1)} rel="next">
              {p.t('admin.pager.next')} →
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** The query string of a list page with one value changed (filters are kept when paging). */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

/** A single string from a form value (checkbox groups and repeated fields give arrays). */
export function formString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
}
