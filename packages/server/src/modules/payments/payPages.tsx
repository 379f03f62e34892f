/**
 * Paying a dossier's fees: /my/:code/pay shows the amount and sends the citizen to the gateway
 * (303 after a POST that creates the pending payment); /my/:code/pay/return is where the
 * gateway sends them back, with its signed answer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import type { ZodApp } from '../../http/types.ts';
import { BackLink, CsrfField, Submit } from '../../web/components.tsx';
import { PortalPage } from '../../web/layout.tsx';
import { redirectAfterPost, sendPage } from '../../web/render.tsx';
import type { PageRequest } from '../../web/request.ts';
import type { CitizenDossierView } from '../dossiers/citizenDossiers.ts';
import { localDateTime, money, procedureName } from '../dossiers/pages/track/format.ts';
import { ownDossier } from '../dossiers/pages/track/myDossiers.tsx';
import { sendNotNow } from '../dossiers/pages/track/notNow.tsx';
import type { FeeQuote } from './fees.ts';
import { citizenPayment, dossierPayments, feeQuoteForDossier, handleGatewayCallback, startOnlinePayment, type PaymentView } from './service.ts';

/** Where the gateway sends the citizen back: PUBLIC_URL when set, else the address they used. */
function publicBase(ctx: AppContext, req: FastifyRequest): string {
  return ctx.config.PUBLIC_URL ?? `${req.protocol}://${req.host}`;
}

/**
 * The form on the pay page ends in a redirect to the gateway; browsers apply the page's CSP
 * `form-action` to that redirect, so a gateway on another origin is allowed on this page only.
 */
function allowFormActionTo(ctx: AppContext, reply: FastifyReply): void {
  const url = ctx.config.PAYMENT_GATEWAY === 'vnpay' ? ctx.config.VNPAY_URL : null;
  const csp = reply.raw.getHeader('content-security-policy');
  if (!url || typeof csp !== 'string') return;
  reply.header('content-security-policy', csp.replace(/form-action ([^;]*)/, `form-action $1 ${new URL(url).origin}`));
}

function FeeTable({ p, quote }: { p: PageRequest; quote: FeeQuote }) {
  return (
    <table>
      <caption class="muted">{p.t('payments.table.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{p.t('payments.table.item')}</th>
          <th scope="col" class="num">
            {p.t('payments.table.amount')}
          </th>
        </tr>
      </thead>
      <tbody>
        {quote.lines.map((l, i) => (
          <tr key={i}>
            <td>
              {p.lang === 'vi' ? l.nameVi : l.nameEn}
              {l.quantity > 1 ? ` × ${l.quantity}` : ''}
            </td>
            <td class="num">{money(p, l.amount)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">{p.t('payments.table.total')}</th>
          <td class="num">
            <strong>{money(p, quote.total)}</strong>
          </td>
        </tr>
      </tbody>
    </table>
  );
}

function PayPage({ p, req, v, quote, pending, sandbox }: { p: PageRequest; req: FastifyRequest; v: CitizenDossierView; quote: FeeQuote; pending: PaymentView | null; sandbox: boolean }) {
  const base = `/my/${encodeURIComponent(v.code)}`;
  return (
    <PortalPage p={p} title={p.t('payments.pay.title')} citizen={req.citizen}>
      <BackLink href={base} label={p.t('common.back')} />
      <h1>{p.t('payments.pay.title')}</h1>
      <p class="lead">
        {procedureName(p, v.procedure)} · {p.t('my.code', { code: v.code })}
      </p>
      {quote.total > 0 ? (
        <>
          <FeeTable p={p} quote={quote} />
          {pending ? <div class="notice warn">{p.t('payments.pay.pending_notice', { time: localDateTime(p, pending.createdAt) })}</div> : null}
          {sandbox ? <div class="notice">{p.t('payments.pay.sandbox_notice')}</div> : null}
          <form method="post" action={`${base}/pay`}>
            <CsrfField p={p} />
            <Submit>{p.t('payments.pay.submit', { amount: money(p, quote.total) })}</Submit>
          </form>
          <h2>{p.t('payments.pay.counter.heading')}</h2>
          <p>{p.t('payments.pay.counter.text', { unit: v.unit.name })}</p>
        </>
      ) : (
        <div class="notice warn">
          <p>{p.t('payments.pay.counter_only', { unit: v.unit.name })}</p>
        </div>
      )}
    </PortalPage>
  );
}

function ReturnPage({ p, req, code, payment, unchecked }: { p: PageRequest; req: FastifyRequest; code: string; payment: PaymentView | null; unchecked: boolean }) {
  const base = `/my/${encodeURIComponent(code)}`;
  const state = unchecked || !payment ? 'unchecked' : payment.status;
  const title = p.t(`payments.return.${state}.title`);
  return (
    <PortalPage p={p} title={title} citizen={req.citizen}>
      {state === 'paid' && payment ? (
        <div class="confirm">
          <h1>{title}</h1>
          <p class="code">{money(p, payment.amount)}</p>
          <p>{p.t('payments.return.paid.reference', { reference: payment.reference })}</p>
        </div>
      ) : (
        <h1>{title}</h1>
      )}
      <p class="lead">{p.t(`payments.return.${state}.text`)}</p>
      <p>
        {state === 'failed' || state === 'cancelled' ? (
          <a class="button" href={`${base}/pay`}>
            {p.t('payments.return.try_again')}
          </a>
        ) : (
          <a class="button" href={base}>
            {p.t('payments.return.back')}
          </a>
        )}
      </p>
    </PortalPage>
  );
}

const stringParams = (q: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((q ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));

export function payPages(app: ZodApp, ctx: AppContext): void {
  app.get('/my/:code/pay', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const { code } = req.params as { code: string };
    const { d, view } = await ownDossier(ctx, req, code);
    if (view.status !== 6) return sendNotNow(req, reply, 'pay', view.code, view.status);
    const [quote, payments] = await Promise.all([feeQuoteForDossier(ctx, d), dossierPayments(ctx, d.id)]);
    const pending = payments.find((x) => x.status === 'pending' && x.method === 'online') ?? null;
    allowFormActionTo(ctx, reply);
    return sendPage(reply, <PayPage p={req.page} req={req} v={view} quote={quote} pending={pending} sandbox={ctx.adapters.payment.name === 'sandbox'} />);
  });

  app.post('/my/:code/pay', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const { code } = req.params as { code: string };
    const { view, me } = await ownDossier(ctx, req, code);
    try {
      const started = await startOnlinePayment(ctx, me, view.code, {
        returnUrl: `${publicBase(ctx, req)}/my/${encodeURIComponent(view.code)}/pay/return`,
        locale: req.page.lang === 'en' ? 'en' : 'vi',
      });
      return redirectAfterPost(reply, started.redirectUrl);
    } catch (e) {
      if (e instanceof Problem && e.status === 409) return sendNotNow(req, reply, 'pay', view.code, view.status);
      throw e;
    }
  });

  app.get('/my/:code/pay/return', { schema: { hide: true }, config: { citizen: true } }, async (req, reply) => {
    const { code } = req.params as { code: string };
    const { view, me } = await ownDossier(ctx, req, code);
    // The signed answer may arrive here before the gateway's own callback: settling is idempotent.
    const { outcome, reference } = await handleGatewayCallback(ctx, stringParams(req.query), 'return');
    const payment = reference ? await citizenPayment(ctx, me, view.code, reference) : null;
    const unchecked = outcome === 'bad_signature' || outcome === 'amount_mismatch' || !payment;
    return sendPage(reply, <ReturnPage p={req.page} req={req} code={view.code} payment={payment} unchecked={unchecked} />, unchecked ? 400 : 200);
  });
}
