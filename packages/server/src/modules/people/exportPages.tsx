/**
 * The data-subject export for a province administrator: a form (ID number and/or phone) whose
 * POST answers with the ZIP. Registered inside `adminRoutes`, so only the administrator of a
 * province in force reaches it; the export covers the units of that province (subjectExport.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { OfficePage } from '../../web/layout.tsx';
import { sendPage } from '../../web/render.tsx';
import { BackLink, CsrfField, Submit, TextField } from '../../web/components.tsx';
import type { PageRequest } from '../../web/request.ts';
import type { Officer } from '../auth/service.ts';
import { adminScope, requestMeta } from '../auth/admin/guard.ts';
import { IssueSummary, formString, type FormIssue } from '../auth/admin/ui.tsx';
import { SubjectQuery, exportSubject } from './subjectExport.ts';

const PATH = '/office/admin/people/export';

function ExportPage({ p, officer, values, issues }: { p: PageRequest; officer: Officer | null; values: Record<string, string>; issues: FormIssue[] }) {
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  return (
    <OfficePage p={p} title={p.t('privacy.export.title')} officer={officer} hasErrors={issues.length > 0}>
      <BackLink href="/office/admin" label={p.t('admin.index.title')} />
      <h1>{p.t('privacy.export.title')}</h1>
      <p class="lead">{p.t('privacy.export.lead')}</p>
      <p>{p.t('privacy.export.scope')}</p>
      <p class="hint">{p.t('privacy.export.audit_note')}</p>
      <IssueSummary p={p} issues={issues} />
      <form method="post" action={PATH} novalidate>
        <CsrfField p={p} />
        <TextField name="cccd" label={p.t('privacy.export.cccd')} hint={p.t('privacy.export.cccd_hint')} value={values.cccd} error={err('cccd')} autocomplete="off" inputMode="numeric" maxLength={20} />
        <TextField name="phone" type="tel" label={p.t('privacy.export.phone')} hint={p.t('privacy.export.phone_hint')} value={values.phone} error={err('phone')} autocomplete="off" maxLength={20} />
        <Submit>{p.t('privacy.export.submit')}</Submit>
      </form>
    </OfficePage>
  );
}

const formOf = (req: FastifyRequest) => {
  const b = (req.body ?? {}) as Record<string, unknown>;
  return { cccd: formString(b.cccd), phone: formString(b.phone) };
};

export function subjectExportPages(app: ZodApp, ctx: AppContext): void {
  app.get(PATH, { schema: { hide: true } }, async (req, reply) => sendPage(reply, <ExportPage p={req.page} officer={req.officer} values={{}} issues={[]} />));

  app.post(PATH, { schema: { hide: true } }, async (req, reply) => {
    const values = formOf(req);
    const parsed = SubjectQuery.safeParse(values);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'cccd'), message: req.page.t(`privacy.export.error.${i.message.replace('people.export.', '')}`) }));
      return sendPage(reply, <ExportPage p={req.page} officer={req.officer} values={values} issues={issues} />, 400);
    }
    const scope = adminScope(req);
    const archive = await exportSubject(ctx, parsed.data, { rootUnitIds: scope.rootIds }, { actorId: scope.officer.id, via: 'office', ...requestMeta(req) });
    return reply
      .type('application/zip')
      .header('content-disposition', `attachment; filename="${archive.fileName}"`)
      .header('cache-control', 'no-store')
      .send(archive.zip);
  });
}
