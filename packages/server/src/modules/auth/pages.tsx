/**
 * Officer sign-in, sign-out and the officer's own account page (two-step sign-in, recent
 * sign-ins). Sign-in is rate-limited per IP and locks an account after repeated failures; an
 * account with TOTP gets a second step, carried between the two by a short-lived sealed cookie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { problemMessage, type Language } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { SESSION_COOKIE } from '../../http/auth.ts';
import { Problem } from '../../http/problem.ts';
import type { ZodApp } from '../../http/types.ts';
import { fieldErrors } from '../../web/components.tsx';
import { redirectAfterPost, sendPage } from '../../web/render.tsx';
import { cookieSecure, type PageRequest } from '../../web/request.ts';
import { SignInRefused, checkPassword, checkSecondFactor, signOut, startSession, type Officer, type SessionInfo } from './service.ts';
import { findSession } from './sessions.ts';
import { recentSignIns } from './signInLog.ts';
import { beginTotpSetup, confirmTotpSetup, disableTotp, totpStatus } from './totp.ts';
import { SignInCodeView, SignInView } from './views/SignInViews.tsx';
import { AccountView, TotpSetupView } from './views/AccountViews.tsx';

const CHALLENGE_COOKIE = 'causo_signin';
const CHALLENGE_PATH = '/office/sign-in';
const CHALLENGE_MS = 5 * 60_000;
/** Per IP and minute. An office shares one address, so the password step allows a few colleagues. */
export const SIGN_IN_RATE = { max: 20, timeWindow: '1 minute' } as const;
export const CODE_RATE = { max: 10, timeWindow: '1 minute' } as const;

/** Only a local back-office path: never another site, never back to sign-in itself. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 500) return '/office';
  if (!/^\/office(?:[/?#]|$)/.test(next) || next.includes('\\') || next.startsWith('//')) return '/office';
  if (/^\/office\/sign-(in|out)/.test(next)) return '/office';
  return next;
}

const message = (p: PageRequest, code: Parameters<typeof problemMessage>[0]) => {
  const m = problemMessage(code) as Record<string, string>;
  return m[p.lang as Language] ?? m.vi ?? code;
};

const SignInBody = z.object({
  username: z.string().trim().min(1, 'office.signin.error.username').max(100, 'office.signin.error.username'),
  password: z.string().min(1, 'office.signin.error.password').max(200, 'office.signin.error.password'),
  next: z.string().optional(),
});
const CodeBody = z.object({
  code: z
    .string()
    .transform((s) => s.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'office.signin.code.error')),
  next: z.string().optional(),
});

interface Challenge {
  userId: number;
  expires: number;
}

function where(req: FastifyRequest) {
  return { ip: req.ip, userAgent: req.headers['user-agent'] ?? null };
}

/** Max-Age, not Expires: a relative lifetime holds even when the office PC's clock is wrong. */
function setSessionCookie(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, s: SessionInfo): void {
  const maxAge = Math.max(1, Math.floor((s.expiresAt.getTime() - ctx.now().getTime()) / 1000));
  reply.setCookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'lax', secure: cookieSecure(req, ctx.config.COOKIE_SECURE), path: '/', maxAge });
}

function readChallenge(ctx: AppContext, req: FastifyRequest): Challenge | 'expired' | null {
  const raw = req.cookies[CHALLENGE_COOKIE];
  if (!raw) return null;
  try {
    const c = ctx.vault.open<Challenge>(raw);
    return c.expires > ctx.now().getTime() ? c : 'expired';
  } catch {
    return null;
  }
}

const clearChallenge = (reply: FastifyReply) => reply.clearCookie(CHALLENGE_COOKIE, { path: CHALLENGE_PATH });

async function accountPage(ctx: AppContext, req: FastifyRequest, officer: Officer, extra: { errors?: Record<string, string>; notice?: string } = {}) {
  const db = ctx.db.kysely;
  const unitIds = [...new Set(officer.roles.map((r) => r.unitId))];
  const units = unitIds.length ? await db.selectFrom('units').select(['id', 'name']).where('id', 'in', unitIds).execute() : [];
  const session = req.sessionToken ? await findSession(db, req.sessionToken, ctx.now()) : null;
  const [{ enabledAt }, signIns] = await Promise.all([totpStatus(ctx, officer.id), recentSignIns(db, officer.id)]);
  return (
    <AccountView
      p={req.page}
      officer={officer}
      roles={officer.roles.map((r) => ({ role: r.role, unitName: units.find((u) => u.id === r.unitId)?.name ?? String(r.unitId) }))}
      sessionExpiresAt={session?.expiresAt ?? null}
      totpEnabledAt={enabledAt}
      signIns={signIns}
      {...extra}
    />
  );
}


/**
 * Reads the 6-digit code of an authenticator form and hands it to `use`; a malformed code or
 * one the service refuses (400) comes back as the form's errors, anything else is thrown.
 */
async function withAuthenticatorCode(req: FastifyRequest, use: (code: string) => Promise<unknown>): Promise<Record<string, string> | null> {
  const p = req.page;
  const parsed = CodeBody.safeParse(req.body ?? {});
  if (!parsed.success) return fieldErrors(parsed.error, p.t);
  try {
    await use(parsed.data.code);
    return null;
  } catch (e) {
    if (!(e instanceof Problem) || e.status !== 400) throw e;
    return { code: message(p, 'auth.totp_wrong') };
  }
}

export function officeAuthPages(app: ZodApp, ctx: AppContext): void {
  const hide = { hide: true } as const;

  app.get('/office/sign-in', { config: { public: true }, schema: hide }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const next = safeNext(q.next);
    if (req.officer) return reply.redirect(next, 303);
    const notice = q.signed_out ? { kind: 'info' as const, text: req.page.t('office.signin.signed_out') } : undefined;
    return sendPage(reply, <SignInView p={req.page} next={next} notice={notice} />);
  });

  app.post('/office/sign-in', { config: { public: true, rateLimit: SIGN_IN_RATE }, schema: hide }, async (req, reply) => {
    const p = req.page;
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(raw.next);
    const parsed = SignInBody.safeParse(raw);
    if (!parsed.success) {
      const username = typeof raw.username === 'string' ? raw.username : '';
      return sendPage(reply, <SignInView p={p} next={next} username={username} errors={fieldErrors(parsed.error, p.t)} />, 400);
    }
    const attempt = { username: parsed.data.username, password: parsed.data.password, ...where(req) };
    let result: Awaited<ReturnType<typeof checkPassword>>;
    try {
      result = await checkPassword(ctx, attempt);
    } catch (e) {
      if (!(e instanceof Problem) || (e.status !== 401 && e.status !== 423)) throw e;
      const locked = e.status === 423 || (e instanceof SignInRefused && e.lockedNow);
      const errors: Record<string, string> = locked ? {} : { username: message(p, e.code) };
      const notice = locked ? { kind: 'error' as const, text: message(p, 'auth.locked') } : undefined;
      return sendPage(reply, <SignInView p={p} next={next} username={parsed.data.username} errors={errors} notice={notice} />, e.status);
    }
    if (result.needsTotp) {
      const challenge: Challenge = { userId: result.userId, expires: ctx.now().getTime() + CHALLENGE_MS };
      reply.setCookie(CHALLENGE_COOKIE, ctx.vault.seal(challenge), {
        httpOnly: true,
        sameSite: 'lax',
        secure: cookieSecure(req, ctx.config.COOKIE_SECURE),
        path: CHALLENGE_PATH,
        maxAge: CHALLENGE_MS / 1000,
      });
      return redirectAfterPost(reply, `/office/sign-in/code?next=${encodeURIComponent(next)}`);
    }
    setSessionCookie(ctx, req, reply, await startSession(ctx, result.userId, { ...where(req), previousToken: req.sessionToken }));
    return redirectAfterPost(reply, next);
  });

  app.get('/office/sign-in/code', { config: { public: true }, schema: hide }, async (req, reply) => {
    const next = safeNext((req.query as Record<string, string | undefined>).next);
    const c = readChallenge(ctx, req);
    if (c === null) return reply.redirect(`/office/sign-in?next=${encodeURIComponent(next)}`, 303);
    if (c === 'expired') {
      clearChallenge(reply);
      return sendPage(reply, <SignInView p={req.page} next={next} notice={{ kind: 'error', text: message(req.page, 'auth.sign_in_expired') }} />, 401);
    }
    return sendPage(reply, <SignInCodeView p={req.page} next={next} />);
  });

  app.post('/office/sign-in/code', { config: { public: true, rateLimit: CODE_RATE }, schema: hide }, async (req, reply) => {
    const p = req.page;
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(raw.next);
    const c = readChallenge(ctx, req);
    if (c === null || c === 'expired') {
      clearChallenge(reply);
      return sendPage(reply, <SignInView p={p} next={next} notice={{ kind: 'error', text: message(p, 'auth.sign_in_expired') }} />, 401);
    }
    const parsed = CodeBody.safeParse(raw);
    if (!parsed.success) return sendPage(reply, <SignInCodeView p={p} next={next} errors={fieldErrors(parsed.error, p.t)} />, 400);
    try {
      await checkSecondFactor(ctx, c.userId, parsed.data.code, where(req));
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      if (e.status === 423 || (e instanceof SignInRefused && e.lockedNow)) {
        clearChallenge(reply);
        return sendPage(reply, <SignInView p={p} next={next} notice={{ kind: 'error', text: message(p, 'auth.locked') }} />, e.status);
      }
      if (e.status !== 401) throw e;
      return sendPage(reply, <SignInCodeView p={p} next={next} errors={{ code: message(p, 'auth.totp_wrong') }} />, 401);
    }
    clearChallenge(reply);
    setSessionCookie(ctx, req, reply, await startSession(ctx, c.userId, { ...where(req), previousToken: req.sessionToken }));
    return redirectAfterPost(reply, next);
  });

  // Public so that a session that has already expired still gets a clean way out.
  app.post('/office/sign-out', { config: { public: true }, schema: hide }, async (req, reply) => {
    if (req.sessionToken && req.officer) await signOut(ctx.db, req.sessionToken, req.ip);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return redirectAfterPost(reply, '/office/sign-in?signed_out=1');
  });

  app.get('/office/account', { schema: hide }, async (req, reply) => {
    const officer = req.officer as Officer;
    const q = req.query as Record<string, string | undefined>;
    const notice = q.totp === 'on' ? req.page.t('office.account.totp.turned_on') : q.totp === 'off' ? req.page.t('office.account.totp.turned_off') : undefined;
    return sendPage(reply, await accountPage(ctx, req, officer, { notice }));
  });

  app.get('/office/account/totp', { schema: hide }, async (req, reply) => {
    const officer = req.officer as Officer;
    if ((await totpStatus(ctx, officer.id)).enabledAt) return reply.redirect('/office/account', 303);
    return sendPage(reply, <TotpSetupView p={req.page} officer={officer} setup={await beginTotpSetup(ctx, officer)} />);
  });

  app.post('/office/account/totp', { config: { rateLimit: CODE_RATE }, schema: hide }, async (req, reply) => {
    const officer = req.officer as Officer;
    const p = req.page;
    const errors = await withAuthenticatorCode(req, (code) => confirmTotpSetup(ctx, officer, code, req.ip));
    if (errors) return sendPage(reply, <TotpSetupView p={p} officer={officer} setup={await beginTotpSetup(ctx, officer)} errors={errors} />, 400);
    return redirectAfterPost(reply, '/office/account?totp=on');
  });

  app.post('/office/account/totp/disable', { config: { rateLimit: CODE_RATE }, schema: hide }, async (req, reply) => {
    const officer = req.officer as Officer;
    const errors = await withAuthenticatorCode(req, (code) => disableTotp(ctx, officer, code, req.ip));
    if (errors) return sendPage(reply, await accountPage(ctx, req, officer, { errors }), 400);
    return redirectAfterPost(reply, '/office/account?totp=off');
  });
}
