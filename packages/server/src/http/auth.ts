/**
 * Who is calling: a session token from the `Authorization: Bearer` header (API clients, the
 * CLI, the field app) or from the session cookie (browsers). Cookie-authenticated writes must
 * carry the session's CSRF token in `x-csrf-token`; bearer calls cannot be forged cross-site.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { sessionFromToken, type Officer } from '../modules/auth/service.ts';
import type { Actor } from '../modules/dossiers/service.ts';
import { Problem } from './problem.ts';

export const SESSION_COOKIE = 'causo_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    officer: Officer | null;
    sessionToken: string | null;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in. Every other /api/ route needs a session: secure by default. */
    public?: boolean;
  }
}

function bearerOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() || null : null;
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('officer', null);
  app.decorateRequest('sessionToken', null);
  app.addHook('onRequest', async (req) => {
    const bearer = bearerOf(req);
    const cookie = req.cookies[SESSION_COOKIE] ?? null;
    const token = bearer ?? cookie;
    const session = token ? await sessionFromToken(ctx.db, token) : null;
    const isPublic = req.routeOptions.config?.public === true || !req.url.startsWith('/api/');
    if (!session) {
      // Checked before the body is validated, so anonymous callers learn nothing about a route.
      if (!isPublic) throw new Problem(401, 'auth.required');
      return;
    }
    if (!bearer && !SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken)
      throw new Problem(403, 'auth.csrf', 'missing or wrong x-csrf-token for a cookie session');
    req.officer = session.officer;
    req.sessionToken = token ?? null;
  });
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.officer) throw new Problem(401, 'auth.required');
  return { officer: req.officer, ip: req.ip };
}
