/**
 * Signing in (phone + password, or phone → code by SMS) and out. `?next=` brings the citizen
 * back where they were, but only to a path on this site. Wrong password and unknown number
 * get the same page with the same status.
 */
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { BackLink, CsrfField, ErrorSummary, Submit, TextField, type FieldErrors } from '../../web/components.tsx';
import { PortalPage } from '../../web/layout.tsx';
import { redirectAfterPost, sendPage } from '../../web/render.tsx';
import type { PageRequest } from '../../web/request.ts';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { parseMobile, readCode, safeNext } from './forms.ts';
import { LIMITS } from './limits.ts';
import { requestSignInCode, resendSignInCode, signInCodePhone, signInWithPassword, signOutCitizen, verifySignInCode } from './signin.ts';
import { codeError } from './signupPages.tsx';
import { bodyOf, clearFlowCookie, CodeForms, metaOf, NextField, setFlowCookie, setSessionCookie, showPhone, SIGNIN_COOKIE, str } from './views.tsx';

const page = { schema: { hide: true } } as const;
const CODE = '/sign-in/code';

const withNext = (path: string, next: string | null): string => (next ? `${path}?next=${encodeURIComponent(next)}` : path);
const nextOfQuery = (req: FastifyRequest): string | null => safeNext((req.query as Record<string, unknown>).next, '') || null;
const nextOfBody = (req: FastifyRequest): string | null => safeNext(bodyOf(req).next, '') || null;

function SignInPage({ p, errors, phone, next }: { p: PageRequest; errors: FieldErrors; phone?: string; next: string | null }) {
  return (
    <PortalPage p={p} title={p.t('signin.title')} citizen={null} hasErrors={Object.keys(errors).length > 0}>
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('signin.title')}</h1>
      <form method="post" action="/sign-in" novalidate>
        <CsrfField p={p} />
        <NextField next={next} />
        <TextField name="phone" type="tel" label={p.t('signin.phone.label')} hint={p.t('signin.phone.hint')} error={errors.phone} value={phone} autocomplete="tel" maxLength={16} />
        <TextField name="password" type="password" label={p.t('signin.password.label')} error={errors.password} autocomplete="current-password" maxLength={200} />
        <Submit>{p.t('signin.submit')}</Submit>
      </form>
      <h2>{p.t('signin.code_title')}</h2>
      <p>
        <a href={withNext(CODE, next)}>{p.t('signin.code_link')}</a>
      </p>
      <h2>{p.t('signin.new_title')}</h2>
      <p>
        <a href={withNext('/account/new', next)}>{p.t('signin.new_link')}</a>
      </p>
    </PortalPage>
  );
}

function CodeRequestPage({ p, errors, phone, next }: { p: PageRequest; errors: FieldErrors; phone?: string; next: string | null }) {
  return (
    <PortalPage p={p} title={p.t('signin.code.title')} citizen={null} hasErrors={Object.keys(errors).length > 0}>
      <BackLink href={withNext('/sign-in', next)} label={p.t('common.back')} />
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('signin.code.title')}</h1>
      <p>{p.t('signin.code.lead')}</p>
      <form method="post" action={CODE} novalidate>
        <CsrfField p={p} />
        <NextField next={next} />
        <TextField name="phone" type="tel" label={p.t('signin.phone.label')} hint={p.t('signin.phone.hint')} error={errors.phone} value={phone} autocomplete="tel" maxLength={16} />
        <Submit>{p.t('signin.code.submit')}</Submit>
      </form>
    </PortalPage>
  );
}

function CodeEntryPage({ p, phone, next, error, errorAt = 'code', notice }: { p: PageRequest; phone: string; next: string | null; error?: string; errorAt?: 'code' | 'resend'; notice?: string | undefined }) {
  return (
    <PortalPage p={p} title={p.t('account.code.title')} citizen={null} hasErrors={!!error}>
      <BackLink href={withNext(CODE, next)} label={p.t('common.back')} />
      <ErrorSummary p={p} errors={error ? { [errorAt]: error } : {}} />
      <h1>{p.t('account.code.title')}</h1>
      <p class="lead">{p.t('signin.enter.lead', { phone: showPhone(phone) })}</p>
      <CodeForms p={p} action={withNext(`${CODE}/enter`, next)} resendAction={withNext(`${CODE}/resend`, next)} error={errorAt === 'code' ? error : undefined} notice={notice} />
      <p>
        {p.t('signin.enter.no_account')} <a href="/account/new">{p.t('signin.new_link')}</a>
      </p>
    </PortalPage>
  );
}

function LimitPage({ p, minutes }: { p: PageRequest; minutes: number }) {
  return (
    <PortalPage p={p} title={p.t('account.limit.title')} citizen={null}>
      <h1>{p.t('account.limit.title')}</h1>
      <p class="lead">{p.t('account.limit.lead', { minutes })}</p>
    </PortalPage>
  );
}

export function signInPages(app: ZodApp, ctx: AppContext): void {
  app.get('/sign-in', page, async (req, reply) => {
    const next = nextOfQuery(req);
    if (req.citizen) return reply.redirect(next ?? '/my', 303);
    return sendPage(reply, <SignInPage p={req.page} errors={{}} next={next} />);
  });

  app.post('/sign-in', { ...page, config: { rateLimit: LIMITS.perIp.signIns } }, async (req, reply) => {
    const p = req.page;
    const body = bodyOf(req);
    const next = nextOfBody(req);
    const typed = str(body.phone);
    const password = str(body.password);
    const phone = parseMobile(typed);
    const errors: FieldErrors = {};
    if (!typed.trim()) errors.phone = p.t('form.error.required');
    else if (!phone) errors.phone = p.t('account.error.phone_invalid');
    if (!password) errors.password = p.t('signin.error.password_required');
    if (!phone || Object.keys(errors).length) return sendPage(reply, <SignInPage p={p} errors={errors} phone={typed} next={next} />, 400);
    const r = await signInWithPassword(ctx, phone, password.slice(0, 200), metaOf(req));
    if (r.kind === 'ok') {
      setSessionCookie(ctx, req, reply, r.session);
      return redirectAfterPost(reply, next ?? '/my');
    }
    const message = r.kind === 'locked' ? p.t('signin.locked', { minutes: r.minutes }) : p.t('signin.bad');
    return sendPage(reply, <SignInPage p={p} errors={{ phone: message }} phone={typed} next={next} />, r.kind === 'locked' ? 429 : 400);
  });

  app.get(CODE, page, async (req, reply) => {
    const next = nextOfQuery(req);
    if (req.citizen) return reply.redirect(next ?? '/my', 303);
    return sendPage(reply, <CodeRequestPage p={req.page} errors={{}} next={next} />);
  });

  app.post(CODE, { ...page, config: { rateLimit: LIMITS.perIp.codeRequests } }, async (req, reply) => {
    const p = req.page;
    const next = nextOfBody(req);
    const typed = str(bodyOf(req).phone);
    const phone = parseMobile(typed);
    if (!phone) return sendPage(reply, <CodeRequestPage p={p} errors={{ phone: p.t(typed.trim() ? 'account.error.phone_invalid' : 'form.error.required') }} phone={typed} next={next} />, 400);
    const r = await requestSignInCode(ctx, phone, metaOf(req));
    if (r.kind === 'too_many_codes') return sendPage(reply, <LimitPage p={p} minutes={r.waitMinutes} />, 429);
    setFlowCookie(ctx, req, reply, SIGNIN_COOKIE, '/sign-in', r.token);
    return redirectAfterPost(reply, withNext(`${CODE}/enter`, next));
  });

  app.get(`${CODE}/enter`, page, async (req, reply) => {
    const next = nextOfQuery(req);
    const token = req.cookies[SIGNIN_COOKIE];
    const phone = token ? await signInCodePhone(ctx, token) : null;
    if (!phone) return reply.redirect(withNext(CODE, next), 303);
    const resent = (req.query as Record<string, unknown>).resent === '1';
    return sendPage(reply, <CodeEntryPage p={req.page} phone={phone} next={next} notice={resent ? req.page.t('account.code.resent') : undefined} />);
  });

  app.post(`${CODE}/enter`, { ...page, config: { rateLimit: LIMITS.perIp.codeEntries } }, async (req, reply) => {
    const p = req.page;
    const next = nextOfQuery(req);
    const token = req.cookies[SIGNIN_COOKIE];
    const phone = token ? await signInCodePhone(ctx, token) : null;
    if (!token || !phone) return sendPage(reply, <CodeRequestPage p={p} errors={{ phone: p.t('signin.enter.gone') }} next={next} />, 400);
    const code = readCode(bodyOf(req));
    if (!code) return sendPage(reply, <CodeEntryPage p={p} phone={phone} next={next} error={p.t('account.code.format')} />, 400);
    const r = await verifySignInCode(ctx, token, code, metaOf(req));
    if (r.kind === 'ok') {
      setSessionCookie(ctx, req, reply, r.session);
      clearFlowCookie(reply, SIGNIN_COOKIE, '/sign-in');
      return redirectAfterPost(reply, next ?? '/my');
    }
    if (r.kind === 'gone') return sendPage(reply, <CodeRequestPage p={p} errors={{ phone: p.t('signin.enter.gone') }} next={next} />, 400);
    return sendPage(reply, <CodeEntryPage p={p} phone={phone} next={next} error={codeError(p, r)} />, 400);
  });

  app.post(`${CODE}/resend`, { ...page, config: { rateLimit: LIMITS.perIp.codeRequests } }, async (req, reply) => {
    const p = req.page;
    const next = nextOfQuery(req);
    const token = req.cookies[SIGNIN_COOKIE];
    const phone = token ? await signInCodePhone(ctx, token) : null;
    if (!token || !phone) return redirectAfterPost(reply, withNext(CODE, next));
    const r = await resendSignInCode(ctx, token, metaOf(req));
    switch (r.kind) {
      case 'sent':
        return redirectAfterPost(reply, `${withNext(`${CODE}/enter`, next)}${next ? '&' : '?'}resent=1`);
      case 'wait':
        return sendPage(reply, <CodeEntryPage p={p} phone={phone} next={next} error={p.t('account.code.wait', { seconds: r.seconds })} errorAt="resend" />, 429);
      case 'limit':
        return sendPage(reply, <CodeEntryPage p={p} phone={phone} next={next} error={p.t('account.code.resend_limit')} errorAt="resend" />, 429);
      case 'too_many_codes':
        return sendPage(reply, <LimitPage p={p} minutes={r.waitMinutes} />, 429);
      case 'gone':
        return redirectAfterPost(reply, withNext(CODE, next));
    }
  });

  app.post('/sign-out', page, async (req, reply) => {
    if (req.sessionToken) await signOutCitizen(ctx, req.sessionToken, req.ip);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return redirectAfterPost(reply, '/signed-out');
  });

  app.get('/signed-out', page, async (req, reply) => {
    const p = req.page;
    return sendPage(
      reply,
      <PortalPage p={p} title={p.t('signed_out.title')} citizen={null}>
        <h1>{p.t('signed_out.title')}</h1>
        <p class="lead">{p.t('signed_out.lead')}</p>
        <p>
          <a href="/sign-in">{p.t('signed_out.sign_in')}</a>
        </p>
      </PortalPage>,
    );
  });
}
