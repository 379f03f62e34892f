/**
 * Printing the one-stop forms: GET /office/dossiers/:code/forms/01.pdf … 04.pdf, shown inline
 * in the browser's PDF viewer for the officer to print. Anyone with a role on the dossier's unit
 * may print; a form that does not fit the dossier's status is refused with 409; every print is
 * audited (it shows the applicant's full record).
 *
 * Mẫu 04 needs a new appointment date and the reason for the delay: GET …/forms/04 is a small
 * form that sends them as `?newDate=&reason=` to 04.pdf. A GET keeps printing free of side
 * effects (reprinting is harmless); the audit entry records the date promised and why.
 */
import { addDays, isLocalDate, localDateOf, type LocalDate } from '@causo/domain';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { requireActor } from '../../../http/auth.ts';
import { Problem } from '../../../http/problem.ts';
import { audit } from '../../audit/service.ts';
import { redirectAfterPost, sendPage } from '../../../web/render.tsx';
import type { Apology } from './mau04.ts';
import { loadPrintable, type Printable } from './printable.ts';
import { formApplies, type FormNumber } from './rules.ts';
import { ApologyPage, type ApologyErrors } from './apologyPage.tsx';
import { queueApologySms } from '../../notify/dossierEvents.ts';

const codeOf = (req: FastifyRequest) => (req.params as { code: string }).code;

/** The latest promise may lie at most a year ahead; anything further is a typing mistake. */
const MAX_DAYS_AHEAD = 366;
const REASON_MAX = 500;

/** Checks the officer's new date and reason; errors are catalogue keys. */
export function parseApology(query: Record<string, unknown>, today: LocalDate): { apology: Apology } | { errors: ApologyErrors } {
  const parsed = z.object({ newDate: z.string().trim().default(''), reason: z.string().trim().default('') }).safeParse(query);
  const newDate = parsed.success ? parsed.data.newDate : '';
  const reason = parsed.success ? parsed.data.reason.normalize('NFC') : '';
  const errors: ApologyErrors = {};
  if (!newDate) errors.newDate = 'intake.apology.error.date_required';
  else if (!isLocalDate(newDate)) errors.newDate = 'intake.apology.error.date_invalid';
  else if (newDate <= today) errors.newDate = 'intake.apology.error.date_past';
  else if (newDate > addDays(today, MAX_DAYS_AHEAD)) errors.newDate = 'intake.apology.error.date_far';
  if (!reason) errors.reason = 'intake.apology.error.reason_required';
  else if (reason.length > REASON_MAX) errors.reason = 'intake.apology.error.reason_long';
  return Object.keys(errors).length ? { errors } : { apology: { newDate, reason } };
}

function sendPdf(reply: FastifyReply, form: FormNumber, code: string, bytes: Buffer): FastifyReply {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="mau-${form}-${code.replace(/[^A-Za-z0-9.-]/g, '_')}.pdf"`)
    .header('cache-control', 'no-store')
    .send(bytes);
}

async function printable(ctx: AppContext, req: FastifyRequest, form: FormNumber): Promise<Printable> {
  const p = await loadPrintable(ctx, requireActor(req), codeOf(req));
  if (!formApplies(form, p, ctx.now())) throw new Problem(409, 'form.not_applicable', `form ${form} does not apply to a dossier in status ${p.status}`);
  return p;
}

async function auditPrint(ctx: AppContext, req: FastifyRequest, form: FormNumber, code: string, detail: Record<string, unknown> = {}) {
  await audit(ctx.db.kysely, { actorId: req.officer?.id ?? null, action: 'dossier.print', entity: 'dossier', entityId: code, ip: req.ip, detail: { form, ...detail } });
}

// The PDF engine (pdfkit, fontkit: about 18 MB) is loaded on the first print, not at start.
const RENDERERS = {
  '01': async () => (await import('./mau01.ts')).renderMau01,
  '02': async () => (await import('./mau02.ts')).renderMau02,
  '03': async () => (await import('./mau03.ts')).renderMau03,
} as const;

export function formRoutes(app: ZodApp, ctx: AppContext): void {
  for (const form of ['01', '02', '03'] as const) {
    app.get(`/office/dossiers/:code/forms/${form}.pdf`, { schema: { hide: true } }, async (req, reply) => {
      const p = await printable(ctx, req, form);
      const bytes = await (await RENDERERS[form]())(p, ctx.now());
      await auditPrint(ctx, req, form, p.code);
      return sendPdf(reply, form, p.code, bytes);
    });
  }

  app.get('/office/dossiers/:code/forms/04.pdf', { schema: { hide: true } }, async (req, reply) => {
    const p = await printable(ctx, req, '04');
    const query = req.query as Record<string, unknown>;
    const asked = parseApology(query, localDateOf(ctx.now()));
    if ('errors' in asked) {
      // Opened directly (a link from the dossier page): ask for the date first.
      if (query.newDate === undefined && query.reason === undefined) return reply.redirect(`/office/dossiers/${encodeURIComponent(p.code)}/forms/04`, 303);
      return sendPage(reply, <ApologyPage p={req.page} officer={req.officer} dossier={p} values={query} errors={asked.errors} />, 400);
    }
    const { renderMau04 } = await import('./mau04.ts');
    const bytes = await renderMau04(p, asked.apology, ctx.now());
    await auditPrint(ctx, req, '04', p.code, { newDate: asked.apology.newDate, reason: asked.apology.reason });
    return sendPdf(reply, '04', p.code, bytes);
  });

  app.get('/office/dossiers/:code/forms/04', { schema: { hide: true } }, async (req, reply) => {
    const p = await printable(ctx, req, '04');
    const calendar = await ctx.calendar.calendar();
    // Suggest giving the dossier its full processing time again, counted from now.
    const suggested = localDateOf(calendar.dueAt(ctx.now(), { value: p.procedure.slaValue ?? 1, unit: p.procedure.slaUnit ?? 'working_days' }));
    const tomorrow = addDays(localDateOf(ctx.now()), 1);
    return sendPage(reply, <ApologyPage p={req.page} officer={req.officer} dossier={p} values={{ newDate: suggested > tomorrow ? suggested : tomorrow }} errors={{}} />);
  });

  // The apology by SMS: the applicant learns the new date without coming to the office.
  app.post('/office/dossiers/:code/forms/04/sms', { schema: { hide: true } }, async (req, reply) => {
    const p = await printable(ctx, req, '04');
    const asked = parseApology((req.body ?? {}) as Record<string, unknown>, localDateOf(ctx.now()));
    if ('errors' in asked) return sendPage(reply, <ApologyPage p={req.page} officer={req.officer} dossier={p} values={(req.body ?? {}) as Record<string, unknown>} errors={asked.errors} />, 400);
    const queued = await queueApologySms(ctx, p.code, asked.apology.newDate, req.officer?.id ?? null, req.ip);
    return redirectAfterPost(reply, `/office/dossiers/${encodeURIComponent(p.code)}?done=${queued ? 'apology_sms' : 'apology_no_phone'}#messages`);
  });
}
