/**
 * /track: follow a dossier by its code and the last 4 digits of the phone number, without an
 * account. The digits travel in a POST body (never in a URL or a log line) and the result is
 * shown in answer to it.
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../../context.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { PortalPage } from '../../../../web/layout.tsx';
import { CsrfField, ErrorSummary, SummaryList, Submit, TextField, fieldErrors, type FieldErrors } from '../../../../web/components.tsx';
import { sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import { localDateTime, procedureName } from './format.ts';
import { trackByCode, type PublicTrackView } from './lookup.ts';
import { DueDate, StatusHistory, WhatToDoNow, statusText } from './parts.tsx';

const TrackForm = z.object({
  code: z
    .string()
    .trim()
    .min(1, 'track.error.code_required')
    .transform((s) => s.toUpperCase().replace(/\s+/g, ''))
    .pipe(z.string().regex(/^[A-Z0-9.]{2,20}-\d{6}-\d{4,6}$/, 'track.error.code_format')),
  last4: z
    .string()
    .trim()
    .min(1, 'track.error.last4_required')
    .pipe(z.string().regex(/^\d{4}$/, 'track.error.last4_format')),
});

function TrackFormPage({ p, req, values, errors, notice }: { p: PageRequest; req: FastifyRequest; values: { code?: string; last4?: string }; errors: FieldErrors; notice?: string }) {
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <PortalPage p={p} title={p.t('track.title')} citizen={req.citizen} hasErrors={hasErrors}>
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('track.title')}</h1>
      <p class="lead">{p.t('track.intro')}</p>
      {notice ? <div class="notice error">{notice}</div> : null}
      <form method="post" action="/track" novalidate>
        <CsrfField p={p} />
        <TextField name="code" label={p.t('track.code.label')} hint={p.t('track.code.hint')} value={values.code} error={errors.code} autocomplete="off" maxLength={40} />
        <TextField name="last4" label={p.t('track.last4.label')} hint={p.t('track.last4.hint')} value={values.last4} error={errors.last4} inputMode="numeric" autocomplete="off" maxLength={4} short />
        <Submit>{p.t('track.submit')}</Submit>
      </form>
      <p>{req.citizen ? <a href="/my">{p.t('track.my_link')}</a> : <a href="/sign-in?next=%2Fmy">{p.t('track.sign_in_link')}</a>}</p>
    </PortalPage>
  );
}

function TrackResultPage({ p, req, v }: { p: PageRequest; req: FastifyRequest; v: PublicTrackView }) {
  return (
    <PortalPage p={p} title={p.t('track.result.title', { code: v.code })} citizen={req.citizen}>
      <h1>{p.t('track.result.title', { code: v.code })}</h1>
      <p class="lead">{procedureName(p, v.procedure)}</p>
      <SummaryList
        rows={[
          { key: p.t('track.field.applicant'), value: v.initials },
          { key: p.t('track.field.office'), value: v.unit.name },
          { key: p.t('track.field.status'), value: <strong>{statusText(p, v.status)}</strong> },
          { key: p.t('track.field.submitted'), value: localDateTime(p, v.submittedAt) },
          { key: p.t('track.field.due'), value: <DueDate p={p} status={v.status} dueAt={v.dueAt} /> },
        ]}
      />
      <h2>{p.t('track.todo.heading')}</h2>
      <WhatToDoNow p={p} code={v.code} status={v.status} unitName={v.unit.name} dueAt={v.dueAt} missingDocuments={v.missingDocuments} fees={v.fees} actions={null} />
      {v.hasAccount && (v.status === 5 || v.status === 6) ? (
        <p>
          <a href={`/sign-in?next=${encodeURIComponent(`/my/${v.code}`)}`}>{p.t('track.sign_in_to_act')}</a>
        </p>
      ) : null}
      <h2>{p.t('track.history.heading')}</h2>
      <StatusHistory p={p} history={v.history} />
      <p>
        <a href="/track">{p.t('track.another')}</a>
      </p>
    </PortalPage>
  );
}

export function publicTrackPages(app: ZodApp, ctx: AppContext): void {
  app.get('/track', { schema: { hide: true } }, async (req, reply) => sendPage(reply, <TrackFormPage p={req.page} req={req} values={{}} errors={{}} />));

  app.post('/track', { schema: { hide: true } }, async (req: FastifyRequest, reply: FastifyReply) => {
    const p = req.page;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const raw = { code: typeof body.code === 'string' ? body.code : '', last4: typeof body.last4 === 'string' ? body.last4 : '' };
    const parsed = TrackForm.safeParse(raw);
    if (!parsed.success) return sendPage(reply, <TrackFormPage p={p} req={req} values={raw} errors={fieldErrors(parsed.error, p.t)} />, 400);
    const result = await trackByCode(ctx, { ...parsed.data, ip: req.ip });
    if (result.kind === 'limited') return sendPage(reply, <TrackFormPage p={p} req={req} values={raw} errors={{ code: p.t('track.error.limited') }} />, 429);
    // One answer for a wrong code and for wrong digits: nothing tells which it was.
    if (result.kind === 'not_found') return sendPage(reply, <TrackFormPage p={p} req={req} values={{ code: raw.code }} errors={{ code: p.t('track.error.not_found') }} />, 404);
    return sendPage(reply, <TrackResultPage p={p} req={req} v={result.view} />);
  });
}
