/**
 * /my/:code/withdraw: a confirmation page, then `request_withdrawal` with an optional reason.
 * Only while the state machine allows it; otherwise a clear 409 page.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../../../context.ts';
import { Problem } from '../../../../http/problem.ts';
import type { ZodApp } from '../../../../http/types.ts';
import { BackLink, CsrfField, ErrorSummary, TextArea, fieldErrors, type FieldErrors } from '../../../../web/components.tsx';
import { PortalPage } from '../../../../web/layout.tsx';
import { redirectAfterPost, sendPage } from '../../../../web/render.tsx';
import type { PageRequest } from '../../../../web/request.ts';
import { citizenAct, type CitizenDossierView } from '../../citizenDossiers.ts';
import { TransactionId } from '../../schema.ts';
import { procedureName } from './format.ts';
import { alreadyDone, ownDossier } from './myDossiers.tsx';
import { sendNotNow } from './notNow.tsx';

const WithdrawForm = z.object({
  transactionId: TransactionId.catch(() => randomUUID()),
  reason: z.string().trim().max(2000, 'withdraw.error.reason_long').optional().default(''),
});

function WithdrawPage({ p, req, v, transactionId, reason, errors }: { p: PageRequest; req: FastifyRequest; v: CitizenDossierView; transactionId: string; reason: string; errors: FieldErrors }) {
  const base = `/my/${encodeURIComponent(v.code)}`;
  return (
    <PortalPage p={p} title={p.t('withdraw.title')} citizen={req.citizen} hasErrors={Object.keys(errors).length > 0}>
      <BackLink href={base} label={p.t('common.back')} />
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('withdraw.title')}</h1>
      <p class="lead">
        {procedureName(p, v.procedure)} · {p.t('my.code', { code: v.code })}
      </p>
      <div class="notice warn">
        <p>{p.t('withdraw.warning')}</p>
      </div>
      <form method="post" action={`${base}/withdraw`} novalidate>
        <CsrfField p={p} />
        <input type="hidden" name="transactionId" value={transactionId} />
        <TextArea name="reason" label={p.t('withdraw.reason.label')} hint={p.t('withdraw.reason.hint')} value={reason} maxLength={2000} rows={3} error={errors.reason} />
        <p>
          <button type="submit" class="danger">
            {p.t('withdraw.confirm')}
          </button>
        </p>
      </form>
      <p>
        <a href={base}>{p.t('withdraw.keep')}</a>
      </p>
    </PortalPage>
  );
}

export function withdrawPages(app: ZodApp, ctx: AppContext): void {
  app.get('/my/:code/withdraw', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const { code } = req.params as { code: string };
    const { view } = await ownDossier(ctx, req, code);
    if (!view.citizenActions.includes('request_withdrawal')) return sendNotNow(req, reply, 'withdraw', view.code, view.status);
    return sendPage(reply, <WithdrawPage p={req.page} req={req} v={view} transactionId={randomUUID()} reason="" errors={{}} />);
  });

  app.post('/my/:code/withdraw', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const p = req.page;
    const { code } = req.params as { code: string };
    const { view, me } = await ownDossier(ctx, req, code);
    const parsed = WithdrawForm.safeParse(req.body ?? {});
    if (!parsed.success) {
      const raw = (req.body ?? {}) as Record<string, unknown>;
      return sendPage(reply, <WithdrawPage p={p} req={req} v={view} transactionId={randomUUID()} reason={typeof raw.reason === 'string' ? raw.reason : ''} errors={fieldErrors(parsed.error, p.t)} />, 400);
    }
    const { transactionId, reason } = parsed.data;
    const done = `/my/${encodeURIComponent(view.code)}?done=withdrawn`;
    if (await alreadyDone(ctx, transactionId, 'request_withdrawal', view.code)) return redirectAfterPost(reply, done);
    if (!view.citizenActions.includes('request_withdrawal')) return sendNotNow(req, reply, 'withdraw', view.code, view.status);
    try {
      await citizenAct(ctx, me, view.code, { action: 'request_withdrawal', transactionId, ...(reason ? { reason } : {}) });
    } catch (e) {
      if (e instanceof Problem && e.status === 409) return sendNotNow(req, reply, 'withdraw', view.code, view.status);
      throw e;
    }
    return redirectAfterPost(reply, done);
  });
}
