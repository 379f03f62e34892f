/**
 * The audit search page for province administrators: who did what, when, from where. The
 * search itself is audited (who looked at the trail is part of the trail).
 */
import { z } from 'zod';
import { isLocalDate } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { OfficePage } from '../../web/layout.tsx';
import { sendPage } from '../../web/render.tsx';
import { BackLink, Submit, TextField } from '../../web/components.tsx';
import type { PageRequest } from '../../web/request.ts';
import type { Officer } from '../auth/service.ts';
import { adminRoutes, adminScope, requestMeta } from '../auth/admin/guard.ts';
import { IssueSummary, Pager, localDateTime, withQuery, type FormIssue } from '../auth/admin/ui.tsx';
import { audit } from './service.ts';
import { searchAudit, type AuditFilter, type AuditRow } from './search.ts';

const Query = z.object({
  actor: z.string().max(50).optional(),
  action: z.string().max(60).optional(),
  entity: z.string().max(40).optional(),
  entityId: z.string().max(60).optional(),
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

/** Where an entry's subject can be opened, when it has an admin page. */
function entityHref(r: AuditRow): string | null {
  if (!r.entityId) return null;
  if (r.entity === 'user') return `/office/admin/users/${encodeURIComponent(r.entityId)}`;
  if (r.entity === 'procedure') return `/office/admin/procedures/${encodeURIComponent(r.entityId)}`;
  if (r.entity === 'unit') return `/office/admin/units/${encodeURIComponent(r.entityId)}`;
  return null;
}

function detailText(detail: unknown): string {
  if (!detail || (typeof detail === 'object' && Object.keys(detail).length === 0)) return '';
  const text = JSON.stringify(detail);
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

function Who({ p, r }: { p: PageRequest; r: AuditRow }) {
  if (r.actorUsername) {
    return (
      <>
        {r.actorName}
        <br />
        <a href={withQuery('/office/admin/audit', { actor: r.actorUsername })}>{r.actorUsername}</a>
      </>
    );
  }
  return <span class="muted">{p.t(r.entity === 'citizen' ? 'audit.who.citizen' : 'audit.who.system')}</span>;
}

function AuditPage({ p, officer, filter, rows, page, hasNext, issues }: { p: PageRequest; officer: Officer | null; filter: Record<string, string>; rows: AuditRow[]; page: number; hasNext: boolean; issues: FormIssue[] }) {
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  return (
    <OfficePage p={p} title={p.t('audit.title')} officer={officer} hasErrors={issues.length > 0}>
      <BackLink href="/office/admin" label={p.t('audit.back')} />
      <h1>{p.t('audit.title')}</h1>
      <p>{p.t('audit.lead')}</p>
      <IssueSummary p={p} issues={issues} />
      <form method="get" action="/office/admin/audit" class="filters" role="search" aria-label={p.t('audit.search')}>
        <TextField name="actor" label={p.t('audit.filter.actor')} value={filter.actor} autocomplete="off" />
        <TextField name="action" label={p.t('audit.filter.action')} hint={p.t('audit.filter.action_hint')} value={filter.action} autocomplete="off" />
        <TextField name="entity" label={p.t('audit.filter.entity')} hint={p.t('audit.filter.entity_hint')} value={filter.entity} autocomplete="off" />
        <TextField name="entityId" label={p.t('audit.filter.entity_id')} value={filter.entityId} autocomplete="off" />
        <TextField name="from" type="date" label={p.t('audit.filter.from')} value={filter.from} error={err('from')} />
        <TextField name="to" type="date" label={p.t('audit.filter.to')} value={filter.to} error={err('to')} />
        <Submit secondary>{p.t('audit.search')}</Submit>
      </form>
      {rows.length === 0 ? (
        <p>{p.t('audit.none')}</p>
      ) : (
        <table>
          <caption class="muted">{p.t('audit.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{p.t('audit.col.when')}</th>
              <th scope="col">{p.t('audit.col.who')}</th>
              <th scope="col">{p.t('audit.col.from')}</th>
              <th scope="col">{p.t('audit.col.what')}</th>
              <th scope="col">{p.t('audit.col.chain')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const href = entityHref(r);
              const subject = `${r.entity}${r.entityId ? ` #${r.entityId}` : ''}`;
              return (
                <tr key={r.id}>
                  <td>{localDateTime(r.at)}</td>
                  <td>
                    <Who p={p} r={r} />
                  </td>
                  <td>
                    {r.ip ?? '—'}
                    {r.userAgent ? (
                      <>
                        <br />
                        <span class="muted">{r.userAgent.slice(0, 60)}</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <code>{r.action}</code> · {href ? <a href={href}>{subject}</a> : subject}
                    {detailText(r.detail) ? (
                      <>
                        <br />
                        <span class="muted">{detailText(r.detail)}</span>
                      </>
                    ) : null}
                  </td>
                  <td>{r.chainSeq ? `#${r.chainSeq}` : <span class="muted">{p.t('audit.pending')}</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pager p={p} page={page} hasNext={hasNext} href={(n) => withQuery('/office/admin/audit', { ...filter, page: n })} />
      <p class="hint">{p.t('audit.verify_hint')}</p>
    </OfficePage>
  );
}

export function auditPages(app: ZodApp, ctx: AppContext): void {
  adminRoutes(app, ctx, (admin) => {
    admin.get('/office/admin/audit', { schema: { hide: true, querystring: Query } }, async (req, reply) => {
      const q = req.query;
      const t = (s: string | undefined) => s?.trim() ?? '';
      const filter = { actor: t(q.actor), action: t(q.action), entity: t(q.entity), entityId: t(q.entityId), from: t(q.from), to: t(q.to) };
      const issues: FormIssue[] = [];
      for (const f of ['from', 'to'] as const) if (filter[f] && !isLocalDate(filter[f])) issues.push({ field: f, message: req.page.t('audit.error.date') });
      if (!issues.length && filter.from && filter.to && filter.from > filter.to) issues.push({ field: 'to', message: req.page.t('audit.error.range') });
      if (issues.length) return sendPage(reply, <AuditPage p={req.page} officer={req.officer} filter={filter} rows={[]} page={1} hasNext={false} issues={issues} />, 400);
      const search: AuditFilter = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== ''));
      const { rows, hasNext } = await searchAudit(ctx.db.kysely, search, q.page);
      await audit(ctx.db.kysely, { actorId: adminScope(req).officer.id, action: 'audit.search', entity: 'audit_log', detail: { ...search, page: q.page }, ...requestMeta(req) });
      return sendPage(reply, <AuditPage p={req.page} officer={req.officer} filter={filter} rows={rows} page={q.page} hasNext={hasNext} issues={[]} />);
    });
  });
}
