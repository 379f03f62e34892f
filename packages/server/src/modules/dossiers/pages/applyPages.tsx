/**
 * Applying online, one question per page (routes under /apply, signed-in citizens only):
 *
 *   GET  /apply                          my applications in progress (save and return)
 *   GET  /apply/:procedure               what to prepare; POST starts an application
 *   GET  /apply/d/:id                    carry on where I left off
 *   GET  /apply/d/:id/q/:key             one question; POST saves it and goes on
 *   POST /apply/d/:id/q/:key/remove/:doc remove an uploaded paper
 *   GET  /apply/d/:id/file/:doc          see an uploaded paper
 *   GET  /apply/d/:id/check              check your answers; POST …/submit sends
 *   POST /apply/d/:id/delete             throw an unsent application away
 *   GET  /apply/done/:code               confirmation with the dossier code
 *
 * Every step works with JavaScript off; every answer is saved before the next page.
 */
import { z } from 'zod';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { localDateOf, missingRequired, previousQuestion, resumePoint, type AnswerError, type FormFieldDef, type ProblemCode } from '@causo/domain';
import type { AppContext } from '../../../context.ts';
import type { ZodApp } from '../../../http/types.ts';
import { Problem, notFound } from '../../../http/problem.ts';
import type { FormBody, FormValue, UploadedFile } from '../../../web/plugin.ts';
import { redirectAfterPost, sendPage } from '../../../web/render.tsx';
import { findProcedureByCode } from '../../procedures/queries.ts';
import { citizenDossier } from '../citizenDossiers.ts';
import {
  addDraftDocument,
  addressStep,
  answerQuestion,
  citizenPhone,
  deleteDraft,
  loadOwnDraft,
  openDraftsOf,
  pickAddress,
  readDraftDocument,
  removeDraftDocument,
  startDraft,
  submitDraft,
  type DraftState,
} from '../drafts.ts';
import { dossierCodeOf } from '../draftQueries.ts';
import { CheckAnswersPage, DonePage } from './apply/checkPages.tsx';
import { QuestionPage, type ShownValue } from './apply/questionPage.tsx';
import { DraftListPage, StartPage } from './apply/startPages.tsx';
import { actorOf, checkUrl, draftUrl, problemText, questionUrl } from './apply/shared.tsx';

const citizenOnly = { citizen: true } as const;
const DraftParams = z.object({ draftId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const QuestionParams = DraftParams.extend({ key: z.string().regex(/^_?[a-zA-Z][A-Za-z0-9]*$/).max(60) });
const ProcedureParams = z.object({ procedureCode: z.string().regex(/^\d\.\d{6}$/) });
const ChangeQuery = z.object({ change: z.string().optional(), at: z.coerce.number().int().min(0).max(5).optional(), uploaded: z.string().optional(), removed: z.string().optional() });

const str = (v: FormValue | undefined): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined);
const isFile = (v: FormValue | undefined): v is UploadedFile => typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'file';

/** A few questions word "required" differently depending on how they are asked. */
function errorText(req: FastifyRequest, q: FormFieldDef, e: AnswerError): string {
  const key = e.key === 'apply.error.choice_required' && q.type === 'choice' && q.multiple ? 'apply.error.choice_required_many' : e.key;
  return req.page.t(key, e.params);
}

/** The stored answer as the inputs show it. */
function shownValue(state: DraftState, q: FormFieldDef): ShownValue {
  const v = state.answers[q.key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v).replace('.', ',');
  if (typeof v === 'string' || Array.isArray(v)) return v;
  return undefined;
}

/** The date boxes of a question page. */
function rawDate(body: FormBody) {
  return { day: str(body.day) ?? '', month: str(body.month) ?? '', year: str(body.year) ?? '' };
}

export function applyPages(app: ZodApp, ctx: AppContext): void {
  const doneUrl = async (state: DraftState) => {
    const d = state.submittedDossierId !== null ? await dossierCodeOf(ctx.db.kysely, state.submittedDossierId) : undefined;
    return d ? `/apply/done/${encodeURIComponent(d.code)}` : '/my';
  };

  async function renderQuestion(
    req: FastifyRequest,
    reply: FastifyReply,
    o: { state: DraftState; q: FormFieldDef; change: boolean; error?: string | undefined; value?: ShownValue; at?: number | undefined; notice?: string | undefined; status?: number },
  ) {
    const citizen = req.citizen;
    if (!citizen) throw new Problem(401, 'auth.required');
    const prev = previousQuestion(o.state.questions, o.q.key);
    const backHref = o.change ? checkUrl(o.state.id) : prev ? questionUrl(o.state.id, prev.key) : `/apply/${o.state.procedure.code}`;
    const address = o.q.type === 'address' ? await addressStep(ctx, o.state, o.q, o.at) : undefined;
    return sendPage(
      reply,
      <QuestionPage
        p={req.page}
        citizen={citizen}
        state={o.state}
        question={o.q}
        change={o.change}
        backHref={backHref}
        error={o.error}
        value={o.value}
        address={address}
        notice={o.notice}
        maxUploadBytes={ctx.config.UPLOAD_MAX_BYTES}
      />,
      o.status ?? (o.error ? 400 : 200),
    );
  }

  /** Loads the citizen's draft and question; a sent draft goes to its confirmation instead. */
  async function draftAndQuestion(req: FastifyRequest, draftId: number, key: string) {
    const state = await loadOwnDraft(ctx, actorOf(req).citizenId, draftId);
    const q = state.questions.find((x) => x.key === key);
    if (!q) throw notFound('request.not_found', `no question ${key}`);
    return { state, q };
  }

  const afterAnswer = (state: DraftState, change: boolean, next: string | null) =>
    change || next === null ? checkUrl(state.id) : questionUrl(state.id, next);
  const savedForLater = (state: DraftState) => `/apply?saved=${state.id}`;

  // ---- my applications, starting one ---------------------------------------------------

  app.get('/apply', { config: citizenOnly, schema: { hide: true, querystring: z.object({ saved: z.string().optional(), deleted: z.string().optional() }) } }, async (req, reply) => {
    const citizen = req.citizen;
    if (!citizen) throw new Problem(401, 'auth.required');
    const drafts = await openDraftsOf(ctx, citizen.id);
    const notice = req.query.saved ? req.page.t('apply.list.saved_notice') : req.query.deleted ? req.page.t('apply.list.deleted_notice') : undefined;
    return sendPage(reply, <DraftListPage p={req.page} citizen={citizen} drafts={drafts} notice={notice} />);
  });

  app.get('/apply/:procedureCode', { config: citizenOnly, schema: { hide: true, params: ProcedureParams } }, async (req, reply) => {
    const citizen = req.citizen;
    if (!citizen) throw new Problem(401, 'auth.required');
    const procedure = await findProcedureByCode(ctx.db.kysely, req.params.procedureCode);
    if (!procedure || !procedure.active) throw notFound('procedure.not_found');
    const open = (await openDraftsOf(ctx, citizen.id)).find((d) => d.procedureCode === procedure.code);
    return sendPage(reply, <StartPage p={req.page} citizen={citizen} procedure={procedure} openDraftId={open?.id ?? null} />);
  });

  app.post('/apply/:procedureCode', { config: citizenOnly, schema: { hide: true, params: ProcedureParams } }, async (req, reply) => {
    const { id, firstQuestion } = await startDraft(ctx, actorOf(req), req.params.procedureCode);
    return redirectAfterPost(reply, questionUrl(id, firstQuestion));
  });

  app.get('/apply/d/:draftId', { config: citizenOnly, schema: { hide: true, params: DraftParams } }, async (req, reply) => {
    const state = await loadOwnDraft(ctx, actorOf(req).citizenId, req.params.draftId);
    if (state.submittedDossierId !== null) return reply.redirect(await doneUrl(state), 303);
    const next = resumePoint(state.questions, state.answers, localDateOf(ctx.now()));
    return reply.redirect(next ? questionUrl(state.id, next.key) : checkUrl(state.id), 303);
  });

  // ---- one question ----------------------------------------------------------------------

  app.get('/apply/d/:draftId/q/:key', { config: citizenOnly, schema: { hide: true, params: QuestionParams, querystring: ChangeQuery } }, async (req, reply) => {
    const { state, q } = await draftAndQuestion(req, req.params.draftId, req.params.key);
    if (state.submittedDossierId !== null) return reply.redirect(await doneUrl(state), 303);
    let value = shownValue(state, q);
    // The applicant's own mobile is usually the right one: offered, not imposed.
    if (value === undefined && q.type === 'phone' && q.key === 'applicantPhone') value = await citizenPhone(ctx, state.citizenId);
    const t = req.page.t;
    const notice = req.query.uploaded ? t('apply.document.uploaded_notice') : req.query.removed ? t('apply.document.removed_notice') : undefined;
    return renderQuestion(req, reply, { state, q, change: req.query.change === '1', value, at: req.query.at, notice });
  });

  app.post(
    '/apply/d/:draftId/q/:key',
    {
      config: citizenOnly,
      schema: { hide: true, params: QuestionParams, querystring: ChangeQuery },
      // A photo over the size limit is stopped while the body is read, before the handler:
      // answer on the same page with the error summary rather than with an error page.
      errorHandler: async (err: FastifyError, req, reply) => {
        const params = QuestionParams.safeParse(req.params);
        if (err.code !== 'FST_REQ_FILE_TOO_LARGE' || !req.citizen || !params.success) throw err;
        const { state, q } = await draftAndQuestion(req, params.data.draftId, params.data.key);
        const change = (req.query as { change?: string }).change === '1';
        return renderQuestion(req, reply, { state, q, change, error: problemText(req.page, 'upload.too_large'), status: 413 });
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { state, q } = await draftAndQuestion(req, req.params.draftId, req.params.key);
      if (state.submittedDossierId !== null) return redirectAfterPost(reply, await doneUrl(state));
      const change = req.query.change === '1';
      const body = (req.body ?? {}) as FormBody;
      const then = str(body.then) ?? 'next';
      const fail = (error: string, value?: ShownValue, at?: number) => renderQuestion(req, reply, { state, q, change, error, value, at });

      if (q.type === 'address') {
        const code = str(body[q.key]) ?? '';
        const at = Number(str(body.at) ?? '0');
        if (!code) return then === 'later' ? redirectAfterPost(reply, savedForLater(state)) : fail(req.page.t('apply.error.address_choose'), undefined, at);
        try {
          const picked = await pickAddress(ctx, actor, state.id, q.key, Number.isInteger(at) ? at : 0, code);
          if (then === 'later') return redirectAfterPost(reply, savedForLater(state));
          return redirectAfterPost(reply, picked.complete ? afterAnswer(state, change, picked.next) : questionUrl(state.id, q.key, { change }));
        } catch (e) {
          if (e instanceof Problem && e.code === 'request.invalid') return fail(req.page.t('apply.error.address_choose'), undefined, at);
          throw e;
        }
      }

      if (q.type === 'document') {
        const file = body.file;
        if (isFile(file)) {
          try {
            await addDraftDocument(ctx, actor, state.id, q.key, { filename: file.filename, data: file.data });
          } catch (e) {
            if (e instanceof Problem && e.code.startsWith('upload.')) return fail(problemText(req.page, e.code as ProblemCode));
            throw e;
          }
        } else if (then === 'upload') return fail(req.page.t('apply.error.document_choose'));
        if (then === 'upload') return redirectAfterPost(reply, `${questionUrl(state.id, q.key, { change })}${change ? '&' : '?'}uploaded=1`);
        if (then === 'later') return redirectAfterPost(reply, savedForLater(state));
      }

      const raw = q.type === 'date' ? rawDate(body) : q.type === 'document' ? undefined : q.type === 'choice' && q.multiple ? [body[q.key]].flat().filter((v): v is string => typeof v === 'string') : str(body[q.key]);
      const blank = raw === undefined || (typeof raw === 'string' && raw.trim() === '') || (Array.isArray(raw) && raw.length === 0) || (typeof raw === 'object' && !Array.isArray(raw) && !raw.day && !raw.month && !raw.year);
      if (then === 'later' && blank && q.type !== 'document') return redirectAfterPost(reply, savedForLater(state));
      const result = await answerQuestion(ctx, actor, state.id, q.key, raw);
      if (!result.ok) return fail(errorText(req, q, result.error), raw);
      return redirectAfterPost(reply, then === 'later' ? savedForLater(state) : afterAnswer(state, change, result.next));
    },
  );

  app.post(
    '/apply/d/:draftId/q/:key/remove/:documentId',
    { config: citizenOnly, schema: { hide: true, params: QuestionParams.extend({ documentId: z.coerce.number().int().positive() }), querystring: ChangeQuery } },
    async (req, reply) => {
      await removeDraftDocument(ctx, actorOf(req), req.params.draftId, req.params.documentId);
      const change = req.query.change === '1';
      return redirectAfterPost(reply, `${questionUrl(req.params.draftId, req.params.key, { change })}${change ? '&' : '?'}removed=1`);
    },
  );

  app.get(
    '/apply/d/:draftId/file/:documentId',
    { config: citizenOnly, schema: { hide: true, params: DraftParams.extend({ documentId: z.coerce.number().int().positive() }) } },
    async (req, reply) => {
      const doc = await readDraftDocument(ctx, actorOf(req).citizenId, req.params.draftId, req.params.documentId);
      // Photos open in the browser; a PDF is downloaded rather than run in this site's origin.
      const disposition = doc.content_type === 'application/pdf' ? 'attachment' : 'inline';
      return reply
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(doc.filename)}`)
        .type(doc.content_type)
        .send(Buffer.from(doc.data)); // PGlite hands bytea back as a plain Uint8Array
    },
  );

  // ---- check, send, confirmation ---------------------------------------------------------

  app.get('/apply/d/:draftId/check', { config: citizenOnly, schema: { hide: true, params: DraftParams } }, async (req, reply) => {
    const citizen = req.citizen;
    if (!citizen) throw new Problem(401, 'auth.required');
    const state = await loadOwnDraft(ctx, citizen.id, req.params.draftId);
    if (state.submittedDossierId !== null) return reply.redirect(await doneUrl(state), 303);
    const missing = missingRequired(state.questions, state.answers, localDateOf(ctx.now()));
    if (missing[0]) return reply.redirect(questionUrl(state.id, missing[0].key), 303);
    return sendPage(reply, <CheckAnswersPage p={req.page} citizen={citizen} state={state} />);
  });

  app.post('/apply/d/:draftId/submit', { config: citizenOnly, schema: { hide: true, params: DraftParams } }, async (req, reply) => {
    try {
      const { code } = await submitDraft(ctx, actorOf(req), req.params.draftId);
      return redirectAfterPost(reply, `/apply/done/${encodeURIComponent(code)}`);
    } catch (e) {
      // Something required is missing after all (the form changed meanwhile): ask it.
      if (e instanceof Problem && e.code === 'draft.incomplete') return redirectAfterPost(reply, draftUrl(req.params.draftId));
      throw e;
    }
  });

  app.post('/apply/d/:draftId/delete', { config: citizenOnly, schema: { hide: true, params: DraftParams } }, async (req, reply) => {
    await deleteDraft(ctx, actorOf(req), req.params.draftId);
    return redirectAfterPost(reply, '/apply?deleted=1');
  });

  app.get('/apply/done/:code', { config: citizenOnly, schema: { hide: true, params: z.object({ code: z.string().min(5).max(60) }) } }, async (req, reply) => {
    const citizen = req.citizen;
    if (!citizen) throw new Problem(401, 'auth.required');
    const dossier = await citizenDossier(ctx, actorOf(req), req.params.code);
    const procedure = await findProcedureByCode(ctx.db.kysely, dossier.procedure.code);
    return sendPage(reply, <DonePage p={req.page} citizen={citizen} dossier={dossier} procedure={procedure} />);
  });
}
