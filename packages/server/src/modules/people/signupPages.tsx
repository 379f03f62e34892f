/**
 * Opening an account, GOV.UK style: a start page, a short form for the details the telecom
 * check needs, the code from the SMS, the sign-in method, and a confirmation. The sign-up in
 * progress lives on the server; the browser's cookie holds only its random token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { AppContext } from '../../context.ts';
import type { ZodApp } from '../../http/types.ts';
import { BackLink, Choices, CsrfField, ErrorSummary, Submit, TextField, type FieldErrors } from '../../web/components.tsx';
import { PortalPage } from '../../web/layout.tsx';
import { redirectAfterPost, sendPage } from '../../web/render.tsx';
import type { PageRequest } from '../../web/request.ts';
import { readCode, readPasswordChoice, readSignupDetails, safeNext } from './forms.ts';
import { LIMITS } from './limits.ts';
import { completeSignup, resendSignupCode, signupStatus, startSignup, verifySignupCode, type VerifyOutcome } from './signup.ts';
import { bodyOf, clearFlowCookie, CodeForms, DateOfBirthField, metaOf, NextField, setFlowCookie, setSessionCookie, showPhone, SIGNUP_COOKIE, str, todayOf, translateErrors } from './views.tsx';

const BASE = '/account/new';
const page = { schema: { hide: true } } as const;

function DetailsPage({ p, values, errors, notice, next }: { p: PageRequest; values: Record<string, string>; errors: FieldErrors; notice?: string; next: string | null }) {
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <PortalPage p={p} title={p.t('account.details.title')} citizen={null} hasErrors={hasErrors}>
      <BackLink href={BASE} label={p.t('common.back')} />
      <ErrorSummary p={p} errors={errors} />
      {notice ? (
        <div class="notice warn" role="status">
          <p>{notice}</p>
        </div>
      ) : null}
      <h1>{p.t('account.details.title')}</h1>
      <p>{p.t('account.details.lead')}</p>
      <form method="post" action={`${BASE}/details`} novalidate>
        <CsrfField p={p} />
        <NextField next={next} />
        <TextField name="idNumber" label={p.t('account.cccd.label')} hint={p.t('account.cccd.hint')} error={errors.idNumber} value={values.idNumber} inputMode="numeric" autocomplete="off" maxLength={15} />
        <TextField name="fullName" label={p.t('account.name.label')} hint={p.t('account.name.hint')} error={errors.fullName} value={values.fullName} autocomplete="name" maxLength={100} />
        <DateOfBirthField p={p} error={errors.birth_day} values={values} />
        <TextField name="phone" label={p.t('account.phone.label')} hint={p.t('account.phone.hint')} error={errors.phone} value={values.phone} type="tel" autocomplete="tel" maxLength={16} />
        <p class="hint">{p.t('account.details.wait')}</p>
        <Submit>{p.t('common.continue')}</Submit>
      </form>
    </PortalPage>
  );
}

function MessagePage({ p, title, children }: { p: PageRequest; title: string; children: ComponentChildren }) {
  return (
    <PortalPage p={p} title={title} citizen={null}>
      <h1>{title}</h1>
      {children}
    </PortalPage>
  );
}

const sendGone = (reply: FastifyReply, p: PageRequest) =>
  sendPage(
    reply,
    <MessagePage p={p} title={p.t('account.gone.title')}>
      <p class="lead">{p.t('account.gone.lead')}</p>
      <p>
        <a class="button" href={`${BASE}/details`}>
          {p.t('account.gone.restart')}
        </a>
      </p>
    </MessagePage>,
  );

const sendTooMany = (reply: FastifyReply, p: PageRequest, minutes: number) =>
  sendPage(
    reply,
    <MessagePage p={p} title={p.t('account.limit.title')}>
      <p class="lead">{p.t('account.limit.lead', { minutes })}</p>
    </MessagePage>,
    429,
  );

/** `errorAt`: the code box, or the resend button when the problem is asking for a new code. */
function CodePage({ p, phone, error, errorAt = 'code', notice }: { p: PageRequest; phone: string; error?: string | undefined; errorAt?: 'code' | 'resend'; notice?: string | undefined }) {
  return (
    <PortalPage p={p} title={p.t('account.code.title')} citizen={null} hasErrors={!!error}>
      <BackLink href={`${BASE}/details`} label={p.t('common.back')} />
      <ErrorSummary p={p} errors={error ? { [errorAt]: error } : {}} />
      <h1>{p.t('account.code.title')}</h1>
      <p class="lead">{p.t('account.code.lead', { phone: showPhone(phone) })}</p>
      <p>{p.t('account.code.existing')}</p>
      <CodeForms p={p} action={`${BASE}/code`} resendAction={`${BASE}/code/resend`} error={errorAt === 'code' ? error : undefined} notice={notice} />
    </PortalPage>
  );
}

/** The message for a code that did not open the next step. */
export function codeError(p: PageRequest, r: Exclude<VerifyOutcome, { kind: 'ok' } | { kind: 'gone' }>): string {
  if (r.kind === 'wrong') return p.t('account.code.wrong', { tries: r.triesLeft });
  if (r.kind === 'expired') return p.t('account.code.expired');
  return p.t(r.canResend ? 'account.code.no_tries' : 'account.code.no_tries_final');
}

function PasswordPage({ p, errors, method }: { p: PageRequest; errors: FieldErrors; method?: string }) {
  return (
    <PortalPage p={p} title={p.t('account.password.title')} citizen={null} hasErrors={Object.keys(errors).length > 0}>
      <ErrorSummary p={p} errors={errors} />
      <h1>{p.t('account.password.title')}</h1>
      <form method="post" action={`${BASE}/password`} novalidate>
        <CsrfField p={p} />
        <Choices
          name="method"
          legend={p.t('account.password.legend')}
          error={errors.method}
          value={method}
          options={[
            { value: 'password', label: p.t('account.password.method_password'), hint: p.t('account.password.method_password_hint') },
            { value: 'sms', label: p.t('account.password.method_sms'), hint: p.t('account.password.method_sms_hint') },
          ]}
        />
        <TextField name="password" type="password" label={p.t('account.password.label')} hint={p.t('account.password.hint')} error={errors.password} autocomplete="new-password" maxLength={200} />
        <TextField name="passwordConfirm" type="password" label={p.t('account.password.confirm_label')} error={errors.passwordConfirm} autocomplete="new-password" maxLength={200} />
        <Submit>{p.t('account.password.submit')}</Submit>
      </form>
    </PortalPage>
  );
}

const tokenOf = (req: FastifyRequest): string | null => req.cookies[SIGNUP_COOKIE] ?? null;

export function signupPages(app: ZodApp, ctx: AppContext): void {
  app.get(BASE, page, async (req, reply) => {
    const p = req.page;
    const next = safeNext((req.query as Record<string, unknown>).next, '');
    if (req.citizen) return reply.redirect(next || '/my', 303);
    return sendPage(
      reply,
      <PortalPage p={p} title={p.t('account.start.title')} citizen={null}>
        <h1>{p.t('account.start.title')}</h1>
        <p class="lead">{p.t('account.start.lead')}</p>
        <h2>{p.t('account.start.need_title')}</h2>
        <ul>
          <li>{p.t('account.start.need_cccd')}</li>
          <li>{p.t('account.start.need_phone')}</li>
          <li>{p.t('account.start.need_time')}</li>
        </ul>
        <p>{p.t('account.start.sms_note')}</p>
        <p>
          <a class="button" href={`${BASE}/details${next ? `?next=${encodeURIComponent(next)}` : ''}`}>
            {p.t('account.start.button')}
          </a>
        </p>
        <p>
          {p.t('account.start.have_account')} <a href={`/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`}>{p.t('account.start.sign_in_link')}</a>
        </p>
        <p class="muted">{p.t('account.start.help')}</p>
      </PortalPage>,
    );
  });

  app.get(`${BASE}/details`, page, async (req, reply) => {
    if (req.citizen) return reply.redirect('/my', 303);
    const next = safeNext((req.query as Record<string, unknown>).next, '') || null;
    return sendPage(reply, <DetailsPage p={req.page} values={{}} errors={{}} next={next} />);
  });

  app.post(`${BASE}/details`, { ...page, config: { rateLimit: LIMITS.perIp.detailsChecks } }, async (req, reply) => {
    if (req.citizen) return redirectAfterPost(reply, '/my');
    const p = req.page;
    const body = bodyOf(req);
    const values = Object.fromEntries(['idNumber', 'fullName', 'birth_day', 'birth_month', 'birth_year', 'phone'].map((k) => [k, str(body[k])]));
    const next = safeNext(body.next, '') || null;
    const read = readSignupDetails(body, todayOf(ctx));
    if (!read.ok) return sendPage(reply, <DetailsPage p={p} values={values} errors={translateErrors(p, read.errors)} next={next} />, 400);
    const outcome = await startSignup(ctx, read.details, { ...metaOf(req), next });
    switch (outcome.kind) {
      case 'code_sent':
        setFlowCookie(ctx, req, reply, SIGNUP_COOKIE, BASE, outcome.token);
        return redirectAfterPost(reply, `${BASE}/code`);
      case 'not_owner':
        return redirectAfterPost(reply, `${BASE}/sim?reason=${outcome.answer === 'mismatched' ? 'mismatched' : 'unknown'}`);
      case 'unavailable':
        return sendPage(reply, <DetailsPage p={p} values={values} errors={{}} notice={p.t('account.unavailable.notice')} next={next} />, 503);
      case 'too_many_codes':
        return sendTooMany(reply, p, outcome.waitMinutes);
    }
  });

  app.get(`${BASE}/sim`, page, async (req, reply) => {
    const p = req.page;
    const unknown = (req.query as Record<string, unknown>).reason === 'unknown';
    const title = p.t(unknown ? 'account.sim.unknown_title' : 'account.sim.title');
    return sendPage(
      reply,
      <MessagePage p={p} title={title}>
        <p class="lead">{p.t(unknown ? 'account.sim.unknown_lead' : 'account.sim.lead')}</p>
        <p>{p.t('account.sim.why')}</p>
        <h2>{p.t('account.sim.what_title')}</h2>
        <ol>
          <li>{p.t('account.sim.step_check')}</li>
          <li>{p.t('account.sim.step_shop')}</li>
          <li>{p.t('account.sim.step_retry')}</li>
        </ol>
        <p>
          {p.t('account.sim.typo')} <a href={`${BASE}/details`}>{p.t('account.sim.retry_link')}</a>
        </p>
        <p class="notice">{p.t('account.sim.team')}</p>
      </MessagePage>,
    );
  });

  app.get(`${BASE}/code`, page, async (req, reply) => {
    const p = req.page;
    const token = tokenOf(req);
    const status = token ? await signupStatus(ctx, token) : null;
    if (!status) return sendGone(reply, p);
    if (status.verified) return reply.redirect(`${BASE}/password`, 303);
    const resent = (req.query as Record<string, unknown>).resent === '1';
    return sendPage(reply, <CodePage p={p} phone={status.phone} notice={resent ? p.t('account.code.resent') : undefined} />);
  });

  app.post(`${BASE}/code`, { ...page, config: { rateLimit: LIMITS.perIp.codeEntries } }, async (req, reply) => {
    const p = req.page;
    const token = tokenOf(req);
    const status = token ? await signupStatus(ctx, token) : null;
    if (!token || !status) return sendGone(reply, p);
    const code = readCode(bodyOf(req));
    if (!code) return sendPage(reply, <CodePage p={p} phone={status.phone} error={p.t('account.code.format')} />, 400);
    const r = await verifySignupCode(ctx, token, code, metaOf(req));
    if (r.kind === 'gone') return sendGone(reply, p);
    if (r.kind === 'ok') return redirectAfterPost(reply, `${BASE}/password`);
    return sendPage(reply, <CodePage p={p} phone={status.phone} error={codeError(p, r)} />, 400);
  });

  app.post(`${BASE}/code/resend`, { ...page, config: { rateLimit: LIMITS.perIp.codeRequests } }, async (req, reply) => {
    const p = req.page;
    const token = tokenOf(req);
    const status = token ? await signupStatus(ctx, token) : null;
    if (!token || !status) return sendGone(reply, p);
    const r = await resendSignupCode(ctx, token, metaOf(req));
    switch (r.kind) {
      case 'sent':
        return redirectAfterPost(reply, `${BASE}/code?resent=1`);
      case 'wait':
        return sendPage(reply, <CodePage p={p} phone={status.phone} error={p.t('account.code.wait', { seconds: r.seconds })} errorAt="resend" />, 429);
      case 'limit':
        return sendPage(reply, <CodePage p={p} phone={status.phone} error={p.t('account.code.resend_limit')} errorAt="resend" />, 429);
      case 'too_many_codes':
        return sendTooMany(reply, p, r.waitMinutes);
      case 'gone':
        return sendGone(reply, p);
    }
  });

  app.get(`${BASE}/password`, page, async (req, reply) => {
    const token = tokenOf(req);
    const status = token ? await signupStatus(ctx, token) : null;
    if (!status) return sendGone(reply, req.page);
    if (!status.verified) return reply.redirect(`${BASE}/code`, 303);
    return sendPage(reply, <PasswordPage p={req.page} errors={{}} />);
  });

  app.post(`${BASE}/password`, page, async (req, reply) => {
    const p = req.page;
    const token = tokenOf(req);
    if (!token) return sendGone(reply, p);
    const body = bodyOf(req);
    const choice = readPasswordChoice(body);
    if (!choice.ok) return sendPage(reply, <PasswordPage p={p} errors={translateErrors(p, choice.errors)} method={str(body.method)} />, 400);
    const r = await completeSignup(ctx, token, choice, metaOf(req));
    if (r.kind === 'gone') return sendGone(reply, p);
    if (r.kind === 'not_verified') return redirectAfterPost(reply, `${BASE}/code`);
    setSessionCookie(ctx, req, reply, r.session);
    clearFlowCookie(reply, SIGNUP_COOKIE, BASE);
    return redirectAfterPost(reply, `${BASE}/done${r.next ? `?next=${encodeURIComponent(r.next)}` : ''}`);
  });

  app.get(`${BASE}/done`, { ...page, config: { citizen: true } }, async (req, reply) => {
    const p = req.page;
    const citizen = req.citizen;
    if (!citizen) return reply.redirect('/sign-in', 303);
    const next = safeNext((req.query as Record<string, unknown>).next, '');
    return sendPage(
      reply,
      <PortalPage p={p} title={p.t('account.done.title')} citizen={citizen}>
        <div class="confirm">
          <h1>{p.t('account.done.title')}</h1>
        </div>
        <p class="lead">{p.t('account.done.lead', { name: citizen.fullName })}</p>
        <p>{p.t(citizen.hasPassword ? 'account.done.password' : 'account.done.sms')}</p>
        <h2>{p.t('account.done.next_title')}</h2>
        <ul>
          {next ? (
            <li>
              <a href={next}>{p.t('account.done.continue')}</a>
            </li>
          ) : null}
          <li>
            <a href="/">{p.t('account.done.find')}</a>
          </li>
          <li>
            <a href="/my">{p.t('account.done.my')}</a>
          </li>
        </ul>
      </PortalPage>,
    );
  });
}
