/** Officer sign-in and sign-out. Login is rate-limited per IP and locks an account after repeated failures. */
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { SESSION_COOKIE, requireActor } from '../../http/auth.ts';
import type { ZodApp } from '../../http/types.ts';
import { signIn, signOut } from './service.ts';

const LoginBody = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  totp: z.string().regex(/^\d{6}$/).optional().describe('the 6-digit code from the authenticator app, for accounts with a second factor'),
});
const OfficerView = z.object({ id: z.number(), username: z.string(), displayName: z.string(), roles: z.array(z.object({ role: z.string(), unitId: z.number() })) });

export function authRoutes(app: ZodApp, ctx: AppContext): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token and sets the session cookie',
        body: LoginBody,
        response: { 200: z.object({ token: z.string(), csrfToken: z.string(), expiresAt: z.string(), officer: OfficerView }) },
      },
    },
    async (req, reply) => {
      const s = await signIn(ctx, { ...req.body, ip: req.ip, userAgent: req.headers['user-agent'] ?? null, previousToken: req.cookies[SESSION_COOKIE] ?? null });
      const secure = ctx.config.COOKIE_SECURE === 'true' || (ctx.config.COOKIE_SECURE === 'auto' && req.protocol === 'https');
      reply.setCookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: ctx.config.SESSION_TTL_HOURS * 3600 });
      return { token: s.token, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString(), officer: s.officer };
    },
  );
  app.post('/api/v1/auth/logout', { schema: { tags: ['auth'], summary: 'End this session' } }, async (req, reply) => {
    requireActor(req);
    if (req.sessionToken) await signOut(ctx.db, req.sessionToken, req.ip);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });
  app.get('/api/v1/auth/me', { schema: { tags: ['auth'], summary: 'The signed-in officer and their roles', response: { 200: OfficerView } } }, async (req) => requireActor(req).officer);
}
