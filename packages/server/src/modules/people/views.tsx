/** Pieces the account and sign-in pages share: cookies, the date-of-birth field, the code form. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { localDateOf } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { CsrfField, fieldId, Submit, TextField, type FieldErrors } from '../../web/components.tsx';
import { cookieSecure, type PageRequest } from '../../web/request.ts';
import type { NewSession } from '../auth/sessions.ts';
import { LIMITS } from './limits.ts';
import type { FieldErrorKeys } from './forms.ts';
import type { RequestMeta } from './signup.ts';

export const SIGNUP_COOKIE = 'causo_signup';
export const SIGNIN_COOKIE = 'causo_signin';

/** A short-lived cookie holding only the random token of a sign-up or sign-in in progress. */
export function setFlowCookie(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, name: string, path: string, token: string): void {
  reply.setCookie(name, token, { path, httpOnly: true, sameSite: 'lax', secure: cookieSecure(req, ctx.config.COOKIE_SECURE), maxAge: LIMITS.signupTtlMinutes * 60 });
}

export function clearFlowCookie(reply: FastifyReply, name: string, path: string): void {
  reply.clearCookie(name, { path });
}

/** Max-Age rather than Expires: a phone whose clock is wrong keeps the cookie as long as the session lasts. */
export function setSessionCookie(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, session: NewSession): void {
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - ctx.now().getTime()) / 1000));
  reply.setCookie(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieSecure(req, ctx.config.COOKIE_SECURE), maxAge });
}

export function metaOf(req: FastifyRequest): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null, lang: req.page.lang, previousToken: req.sessionToken };
}

export const todayOf = (ctx: AppContext): string => localDateOf(ctx.now());

export const bodyOf = (req: FastifyRequest): Record<string, unknown> => (req.body ?? {}) as Record<string, unknown>;

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function translateErrors(p: PageRequest, keys: FieldErrorKeys): FieldErrors {
  return Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, p.t(v)]));
}

/** 0912345678 → 0912 345 678, easier to check by eye. */
export const showPhone = (phone: string): string => phone.replace(/^(\d{4})(\d{3})(\d{3})$/, '$1 $2 $3');

/** Day, month and year in three small boxes (GOV.UK date input, site.css `.date-input`); errors link to the day box. */
export function DateOfBirthField({ p, error, values }: { p: PageRequest; error?: string; values: Record<string, string> }) {
  const id = fieldId('birth');
  const part = (name: 'birth_day' | 'birth_month' | 'birth_year', label: string, max: number, autocomplete: string) => (
    <div>
      <label for={fieldId(name)}>{label}</label>
      <input id={fieldId(name)} name={name} type="text" inputMode="numeric" class={name === 'birth_year' ? 'yyyy' : 'dd'} maxLength={max} autocomplete={autocomplete} value={values[name] ?? ''} aria-invalid={error ? 'true' : undefined} />
    </div>
  );
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <fieldset role="group" aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}>
        <legend>{p.t('account.birth.legend')}</legend>
        <span class="hint" id={`${id}-hint`}>
          {p.t('account.birth.hint')}
        </span>
        {error ? (
          <span class="error-message" id={`${id}-error`}>
            {error}
          </span>
        ) : null}
        <div class="date-input">
          {part('birth_day', p.t('account.birth.day'), 2, 'bday-day')}
          {part('birth_month', p.t('account.birth.month'), 2, 'bday-month')}
          {part('birth_year', p.t('account.birth.year'), 4, 'bday-year')}
        </div>
      </fieldset>
    </div>
  );
}

/** The code box and, below it, a separate small form to ask for a new code. */
export function CodeForms({ p, action, resendAction, error, notice }: { p: PageRequest; action: string; resendAction: string; error?: string | undefined; notice?: string | undefined }) {
  return (
    <>
      {notice ? <p class="notice">{notice}</p> : null}
      <form method="post" action={action} novalidate>
        <CsrfField p={p} />
        <TextField name="code" label={p.t('account.code.label')} error={error} type="text" inputMode="numeric" autocomplete="one-time-code" short maxLength={7} />
        <Submit>{p.t('account.code.submit')}</Submit>
      </form>
      <h2>{p.t('account.code.not_received')}</h2>
      <p>{p.t('account.code.not_received_text')}</p>
      <form method="post" action={resendAction}>
        <CsrfField p={p} />
        <button type="submit" class="secondary" id={fieldId('resend')}>
          {p.t('account.code.resend')}
        </button>
      </form>
    </>
  );
}

/** `?next=` carried through a form as a hidden field (checked again when used). */
export function NextField({ next }: { next: string | null }) {
  return next ? <input type="hidden" name="next" value={next} /> : null;
}
