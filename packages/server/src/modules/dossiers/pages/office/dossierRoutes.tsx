/**
 * The dossier page and its forms: actions through the shared state machine (`actOnDossier`, or
 * the payments module for a fee paid at the counter), assignment to a specialist, comments.
 * A form that cannot be applied comes back as the page with the reason; 409 when the dossier
 * moved on meanwhile.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACTIONS, problemMessage, type Action, type Language, type ProblemCode } from '@causo/domain';
import { z } from 'zod';
import type { AppContext } from '../../../../context.ts';
import { Problem, notFound } from '../../../../http/problem.ts';
import type { ZodApp } from '../../../../http/types.ts';
import type { FieldErrors } from '../../../../web/components.tsx';
import type { FormBody, UploadedFile } from '../../../../web/plugin.ts';
import { redirectAfterPost, sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import type { Officer } from '../../../auth/service.ts';
import { feeQuoteForDossier, markPaidAtCounter } from '../../../payments/service.ts';
import { prepareUpload, storeDocument, type PreparedFile } from '../../documents.ts';
import { assignDossier } from '../../office/assignments.ts';
import { COMMENT_MAX_LENGTH, addComment } from '../../office/comments.ts';
import { loadOfficeDossier } from '../../office/dossierPage.ts';
import { forgetQueueCounts } from '../../office/queueCounts.ts';
import { findDossierByCode } from '../../queries.ts';
import { TransactionId, type ActionInput } from '../../schema.ts';
import { actOnDossier, type Actor } from '../../service.ts';
import { actionField } from './ActionForms.tsx';
import { DossierView } from './DossierView.tsx';
import { statusName } from './format.ts';

const CODE = /^[A-Za-z0-9.-]{5,60}$/;
const DONE_NOTICES = new Set<string>([...ACTIONS, 'assign', 'comment', 'apology_sms', 'apology_no_phone']);

const problemText = (p: PageRequest, code: ProblemCode) => {
  const m = problemMessage(code) as Record<string, string>;
  return m[p.lang as Language] ?? m.vi ?? code;
};

function codeOf(req: FastifyRequest): string {
  const code = (req.params as { code?: string }).code ?? '';
  if (!CODE.test(code)) throw notFound('dossier.not_found', 'not a dossier code');
  return code;
}

const actorOf = (req: FastifyRequest): Actor => ({ officer: req.officer as Officer, ip: req.ip });

interface Rerender {
  errors?: FieldErrors;
  values?: Record<string, string>;
  notice?: { kind: 'ok' | 'error'; text: string };
}

async function renderDossier(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, code: string, status: number, extra: Rerender = {}) {
  const d = await loadOfficeDossier(ctx, actorOf(req), code);
  let feeDue: number | null = null;
  if (d.actions.includes('fees_paid')) {
    const record = await findDossierByCode(ctx.db.kysely, code);
    feeDue = record ? (await feeQuoteForDossier(ctx, record)).total : null;
  }
  return sendPage(reply, <DossierView p={req.page} officer={req.officer as Officer} d={d} feeDue={feeDue} {...extra} />, status);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const isFile = (v: unknown): v is UploadedFile => typeof v === 'object' && v !== null && (v as UploadedFile).kind === 'file';

/** "50.000", "50,000 đồng" → 50000. */
const wholeDong = (s: string): number | null => {
  const digits = s.replace(/[.,\s]|đồng|đ|dong/gi, '');
  return /^\d{1,12}$/.test(digits) ? Number(digits) : null;
};

interface ParsedAction {
  input: ActionInput;
  counter?: { amount: number; receiptNo: string };
  file?: UploadedFile;
}

/** The fields of one action's form, checked; errors name the form's own fields. */
function parseActionForm(p: PageRequest, action: Action, body: FormBody): { ok: true; value: ParsedAction } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const txid = TransactionId.safeParse(str(body.transactionId));
  if (!txid.success) errors.form = p.t('office.action.error.reload');
  const input: ActionInput = { action, transactionId: txid.success ? txid.data : '' };
  if (action === 'refuse' || action === 'stop') {
    const reason = str(body[actionField.reason(action)]).trim();
    if (!reason) errors[actionField.reason(action)] = p.t(`office.action.${action}.reason_missing`);
    else if (reason.length > 2000) errors[actionField.reason(action)] = p.t('office.action.error.too_long');
    else input.reason = reason;
  }
  if (action === 'request_supplement') {
    const lines = str(body[actionField.missing])
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (!lines.length) errors[actionField.missing] = p.t('office.action.missing_missing');
    else if (lines.length > 50 || lines.some((l) => l.length > 300)) errors[actionField.missing] = p.t('office.action.missing_too_long');
    else input.missingDocuments = lines;
  }
  const note = str(body[actionField.note(action)]).trim();
  if (note.length > 2000) errors[actionField.note(action)] = p.t('office.action.error.too_long');
  else if (note) input.note = note;
  let file: UploadedFile | undefined;
  if (action === 'finish') {
    const f = body[actionField.result];
    if (!isFile(f)) errors[actionField.result] = p.t('office.action.result_missing');
    else file = f;
  }
  let counter: ParsedAction['counter'];
  if (action === 'fees_paid') {
    const amount = wholeDong(str(body[actionField.amount]));
    const receiptNo = str(body[actionField.receipt]).trim();
    if (!amount) errors[actionField.amount] = p.t('office.action.amount_missing');
    if (!receiptNo || receiptNo.length > 50) errors[actionField.receipt] = p.t('office.action.receipt_missing');
    if (amount && receiptNo) counter = { amount, receiptNo };
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { input, ...(counter ? { counter } : {}), ...(file ? { file } : {}) } };
}

/** What the officer typed, to put back into the form that failed (never files). */
function typedValues(body: FormBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k !== '_csrf' && k !== 'transactionId' && typeof v === 'string') out[k] = v;
  return out;
}

async function conflictNotice(ctx: AppContext, p: PageRequest, code: string, e: Problem): Promise<{ kind: 'error'; text: string }> {
  if (e.code === 'dossier.transaction_reused') return { kind: 'error', text: p.t('office.action.error.reload') };
  const now = await findDossierByCode(ctx.db.kysely, code);
  return { kind: 'error', text: p.t('office.action.error.conflict', { status: now ? statusName(p, now.status) : '' }) };
}

export function dossierRoutes(app: ZodApp, ctx: AppContext): void {
  const hide = { hide: true } as const;

  app.get('/office/dossiers/:code', { schema: hide }, async (req, reply) => {
    const code = codeOf(req);
    const done = (req.query as Record<string, string | undefined>).done;
    const notice = done && DONE_NOTICES.has(done) ? { kind: 'ok' as const, text: req.page.t(`office.done.${done}`) } : undefined;
    return renderDossier(ctx, req, reply, code, 200, notice ? { notice } : {});
  });

  app.post('/office/dossiers/:code/actions/:action', { schema: hide }, async (req, reply) => {
    const code = codeOf(req);
    const action = (req.params as { action?: string }).action as Action;
    if (!(ACTIONS as readonly string[]).includes(action)) throw notFound('request.not_found', 'no such action');
    const p = req.page;
    const body = (req.body ?? {}) as FormBody;
    const parsed = parseActionForm(p, action, body);
    if (!parsed.ok) return renderDossier(ctx, req, reply, code, 400, { errors: parsed.errors, values: typedValues(body) });
    const { input, counter, file } = parsed.value;
    let prepared: PreparedFile | undefined;
    if (file) {
      try {
        prepared = await prepareUpload(file, ctx.config.UPLOAD_MAX_BYTES);
      } catch (e) {
        if (!(e instanceof Problem)) throw e;
        return renderDossier(ctx, req, reply, code, 400, { errors: { [actionField.result]: problemText(p, e.code) }, values: typedValues(body) });
      }
      input.resultDocument = prepared.filename;
    }
    const actor = actorOf(req);
    try {
      if (counter) await markPaidAtCounter(ctx, actor, code, { ...counter, transactionId: input.transactionId });
      else
        await actOnDossier(ctx, actor, code, input, prepared ? async (trx, d) => void (await storeDocument(trx, { dossierId: d.id }, prepared, { kind: 'result', label: p.t('office.dossier.result_document'), userId: actor.officer.id })) : undefined);
    } catch (e) {
      if (!(e instanceof Problem) || e.status !== 409) throw e;
      return renderDossier(ctx, req, reply, code, 409, { notice: await conflictNotice(ctx, p, code, e) });
    }
    forgetQueueCounts(ctx);
    return redirectAfterPost(reply, `/office/dossiers/${encodeURIComponent(code)}?done=${action}`);
  });

  app.post('/office/dossiers/:code/assign', { schema: hide }, async (req, reply) => {
    const code = codeOf(req);
    const p = req.page;
    const assignee = Number(str((req.body as FormBody | undefined)?.assignee));
    if (!Number.isInteger(assignee) || assignee <= 0) return renderDossier(ctx, req, reply, code, 400, { errors: { assignee: p.t('office.assign.error') } });
    try {
      await assignDossier(ctx, actorOf(req), code, assignee, req.headers['user-agent'] ?? null);
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      if (e.status === 400) return renderDossier(ctx, req, reply, code, 400, { errors: { assignee: problemText(p, e.code) } });
      if (e.status === 409) return renderDossier(ctx, req, reply, code, 409, { notice: await conflictNotice(ctx, p, code, e) });
      throw e;
    }
    forgetQueueCounts(ctx);
    return redirectAfterPost(reply, `/office/dossiers/${encodeURIComponent(code)}?done=assign#assignment`);
  });

  const CommentBody = z.object({ comment: z.string().trim().min(1, 'office.comments.error').max(COMMENT_MAX_LENGTH, 'office.comments.too_long') });
  app.post('/office/dossiers/:code/comments', { schema: hide }, async (req, reply) => {
    const code = codeOf(req);
    const p = req.page;
    const parsed = CommentBody.safeParse({ comment: str((req.body as FormBody | undefined)?.comment) });
    if (!parsed.success) {
      const key = parsed.error.issues[0]?.message ?? 'office.comments.error';
      return renderDossier(ctx, req, reply, code, 400, { errors: { comment: p.t(key) }, values: typedValues((req.body ?? {}) as FormBody) });
    }
    await addComment(ctx, actorOf(req), code, parsed.data.comment, req.headers['user-agent'] ?? null);
    return redirectAfterPost(reply, `/office/dossiers/${encodeURIComponent(code)}?done=comment#comments`);
  });
}
