/**
 * Who is calling: a session token from the `Authorization: Bearer` header (API clients, the
 * CLI, the field app) or from the session cookie (browsers). A session belongs to an officer or
 * to a citizen. Cookie-authenticated API writes must carry the session's CSRF token in
 * `x-csrf-token`; HTML forms carry it in a `_csrf` field (checked by the web plugin); bearer
 * calls cannot be forged cross-site.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Officer } from '../modules/auth/service.ts';
import { findSessionWithOfficer } from '../modules/auth/sessions.ts';
import { loadCitizen, type Citizen } from '../modules/people/citizens.ts';
import type { Actor } from '../modules/dossiers/service.ts';
import { Problem } from './problem.ts';

export const SESSION_COOKIE = 'causo_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    officer: Officer | null;
    citizen: Citizen | null;
    sessionToken: string | null;
    /** The CSRF token of a cookie session (null for bearer calls and anonymous visitors). */
    sessionCsrf: string | null;
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

/**
 * A write a browser sent from another site (its Origin names another host, or is opaque:
 * "null"). Requests without Origin (older browsers, servers calling back) are left to the
 * CSRF token; this is a second lock, not the only one.
 */
function crossSite(req: FastifyRequest, publicUrl: string | undefined): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  if (origin === publicUrl) return false;
  try {
    return new URL(origin).host !== req.host;
  } catch {
    return true;
  }
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('officer', null);
  app.decorateRequest('citizen', null);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('sessionCsrf', null);
  app.addHook('onRequest', async (req) => {
    const bearer = bearerOf(req);
    if (!bearer && !SAFE_METHODS.has(req.method) && crossSite(req, ctx.config.PUBLIC_URL)) throw new Problem(403, 'auth.csrf', 'a write from another site (Origin)');
    const cookie = req.cookies[SESSION_COOKIE] ?? null;
    const token = bearer ?? cookie;
    const session = token ? await findSessionWithOfficer(ctx.db.kysely, token, ctx.now()) : null;
    const officer: Officer | null = session?.officer ?? null;
    const citizen = session?.citizenId ? await loadCitizen(ctx.db.kysely, session.citizenId) : null;
    const isApi = req.url.startsWith('/api/');
    const isPublic = req.routeOptions.config?.public === true || !isApi;
    // The JSON API is for officers (and the field app); citizens use the pages.
    if (!officer && !isPublic) throw new Problem(401, 'auth.required');
    if (!officer && !citizen) return;
    if (isApi && !bearer && !SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== session?.csrfToken)
      throw new Problem(403, 'auth.csrf', 'missing or wrong x-csrf-token for a cookie session');
    req.officer = officer;
    req.citizen = citizen;
    req.sessionToken = token ?? null;
    req.sessionCsrf = bearer ? null : (session?.csrfToken ?? null);
  });
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.officer) throw new Problem(401, 'auth.required');
  return { officer: req.officer, ip: req.ip };
}
