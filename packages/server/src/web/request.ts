/**
 * What every page needs to know about the request: language, translator, CSRF token for its
 * forms, and who is signed in. Built once per request by the web plugin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_LANG, isLanguage, translator, languages, type Translate } from './i18n.ts';

export const LANG_COOKIE = 'causo_lang';
export const ANON_CSRF_COOKIE = 'causo_csrf';

export interface PageRequest {
  lang: string;
  t: Translate;
  /** Path and query of this page, for the language switcher and `next=` links. */
  url: string;
  path: string;
  /** Token to put in the hidden `_csrf` field of every form. */
  csrf: string;
  languages: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    page: PageRequest;
  }
}

export function cookieSecure(req: FastifyRequest, setting: 'auto' | 'true' | 'false'): boolean {
  if (setting === 'true') return true;
  if (setting === 'false') return false;
  return req.protocol === 'https';
}

function langOf(req: FastifyRequest): string {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLanguage(q)) return q;
  const c = req.cookies[LANG_COOKIE];
  if (isLanguage(c)) return c;
  return DEFAULT_LANG;
}

/** Signed-in requests use the session's token; anonymous ones a double-submit cookie. */
function csrfOf(req: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  if (req.sessionCsrf) return req.sessionCsrf;
  const existing = req.cookies[ANON_CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(ANON_CSRF_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure });
  req.cookies[ANON_CSRF_COOKIE] = token;
  return token;
}

export function buildPageRequest(req: FastifyRequest, reply: FastifyReply, secure: boolean): PageRequest {
  const lang = langOf(req);
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLanguage(q) && req.cookies[LANG_COOKIE] !== q)
    reply.setCookie(LANG_COOKIE, q, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 365 * 86_400 });
  let token: string | null = null;
  return {
    lang,
    t: translator(lang),
    url: req.url,
    path: req.url.split('?')[0] ?? '/',
    get csrf() {
      token ??= csrfOf(req, reply, secure);
      return token;
    },
    languages: languages(),
  };
}

export function csrfMatches(req: FastifyRequest, sent: unknown): boolean {
  const expected = req.sessionCsrf ?? req.cookies[ANON_CSRF_COOKIE];
  if (typeof sent !== 'string' || !expected || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
}
