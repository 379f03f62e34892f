/**
 * /sandbox/pay: the local sandbox gateway's payment page, served only when PAYMENT_GATEWAY is
 * `sandbox`. The demo user pays or cancels; the bank then sends its signed callback to our
 * IPN handler (in-process, as a server-to-server call) and sends the citizen back to the
 * return URL with the same signed answer, as VNPay does.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import type { ZodApp } from '../../http/types.ts';
import { SANDBOX_PAY_PATH, SandboxGateway, type SandboxPaymentPage } from '../../adapters/payment/sandbox.ts';
import { CsrfField, Submit, SummaryList } from '../../web/components.tsx';
import { PortalPage } from '../../web/layout.tsx';
import { redirectAfterPost, sendPage } from '../../web/render.tsx';
import type { PageRequest } from '../../web/request.ts';
import { money } from '../dossiers/pages/track/format.ts';
import { handleGatewayCallback } from './service.ts';

function SandboxPage({ p, req, page }: { p: PageRequest; req: FastifyRequest; page: SandboxPaymentPage }) {
  const open = page.state === 'pending' && !page.expired;
  return (
    <PortalPage p={p} title={p.t('payments.sandbox.title')} citizen={req.citizen}>
      <div class="notice warn">
        <p>
          <strong>{p.t('payments.sandbox.warning')}</strong>
        </p>
      </div>
      <h1>{p.t('payments.sandbox.title')}</h1>
      <SummaryList
        rows={[
          { key: p.t('payments.sandbox.merchant'), value: p.t('payments.sandbox.merchant_name') },
          { key: p.t('payments.sandbox.amount'), value: <strong>{money(p, page.amount)}</strong> },
          { key: p.t('payments.sandbox.order'), value: page.orderInfo },
          { key: p.t('payments.sandbox.reference'), value: page.reference },
        ]}
      />
      {open ? (
        <form method="post" action={SANDBOX_PAY_PATH}>
          <CsrfField p={p} />
          <input type="hidden" name="ref" value={page.reference} />
          <p>
            <Submit name="choice" value="pay">
              {p.t('payments.sandbox.pay')}
            </Submit>
          </p>
          <p>
            <Submit name="choice" value="cancel" secondary>
              {p.t('payments.sandbox.cancel')}
            </Submit>
          </p>
        </form>
      ) : (
        <p class="lead">{p.t(page.expired ? 'payments.sandbox.expired' : 'payments.sandbox.decided')}</p>
      )}
    </PortalPage>
  );
}

const Decision = z.object({ ref: z.string().min(1).max(100), choice: z.enum(['pay', 'cancel']) });

export function sandboxPages(app: ZodApp, ctx: AppContext): void {
  const gateway = ctx.adapters.payment;
  if (!(gateway instanceof SandboxGateway)) return;
  const bank = gateway.bank;

  app.get(SANDBOX_PAY_PATH, { schema: { hide: true } }, async (req, reply) => {
    const params = Object.fromEntries(Object.entries(req.query as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const opened = bank.openPage(params);
    if (!opened.ok) throw new Problem(400, 'payment.bad_request', `sandbox refused the payment request: ${opened.refusal}`);
    return sendPage(reply, <SandboxPage p={req.page} req={req} page={opened.page} />);
  });

  app.post(SANDBOX_PAY_PATH, { schema: { hide: true } }, async (req, reply) => {
    const parsed = Decision.safeParse(req.body);
    if (!parsed.success) throw new Problem(400, 'payment.bad_request', 'choose pay or cancel');
    const decided = bank.decide(parsed.data.ref, parsed.data.choice, ctx.now());
    if (!decided) throw new Problem(404, 'payment.bad_request', 'no such sandbox payment');
    // The server-to-server callback first, as the real gateway sends it independently of the browser.
    if (gateway.deliverCallbacks) {
      const { outcome } = await handleGatewayCallback(ctx, decided.callback, 'ipn');
      if (outcome !== 'confirmed' && outcome !== 'already_confirmed') req.log.warn({ outcome, reference: parsed.data.ref }, 'sandbox IPN was not confirmed');
    }
    const sep = decided.returnUrl.includes('?') ? '&' : '?';
    return redirectAfterPost(reply, `${decided.returnUrl}${sep}${new URLSearchParams(decided.callback).toString()}`);
  });
}
