/**
 * Machinery for the route-access walk (routeAccess.test.ts): who is calling (one signed-in
 * session per principal, made in the database), one request per route and principal with the
 * right CSRF proof, and the verdict on the answer: did the request get past authorization?
 *
 * Every request comes from its own client address (X-Forwarded-For, trusted from loopback by
 * default), so the audit trail tells which request wrote what, and per-address rate limits
 * never mix principals up.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { ANON_CSRF_COOKIE } from '../../src/web/request.ts';

/** Who calls. The owner of the citizen fixtures comes last, so routes that delete run for everyone else first. */
export const PRINCIPALS = [
  'anonymous',
  'otherCitizen',
  'officer',
  'outsideOfficer',
  'specialist',
  'provinceLeader',
  'communeAdmin',
  'provinceAdmin',
  'otherProvinceAdmin',
  'retiredProvinceAdmin',
  'citizen',
] as const;
export type Who = (typeof PRINCIPALS)[number];

export const DESCRIBE: Record<Who, string> = {
  anonymous: 'not signed in',
  citizen: 'the citizen who owns the online dossier and the draft',
  otherCitizen: 'another citizen',
  officer: 'a one-stop officer of commune 25309 (inside)',
  outsideOfficer: 'a one-stop officer of commune 25308 (outside)',
  specialist: 'a specialist of commune 25309',
  provinceLeader: 'a leader of province 75',
  communeAdmin: 'the administrator of commune 25309',
  provinceAdmin: 'the administrator of province 75',
  otherProvinceAdmin: 'the administrator of another province in force (68)',
  retiredProvinceAdmin: 'the administrator of province 70 (Bình Phước, merged into 75 on 2025-07-01)',
};

export interface Session {
  token: string;
  csrf: string;
}

export interface Principal {
  who: Who;
  kind: 'anonymous' | 'citizen' | 'officer';
  /** The session every request of the walk uses. */
  session: Session | null;
  /** A new session, for requests that end the one they come with (sign-out). */
  fresh: () => Promise<Session | null>;
}

export async function principal(db: Db, who: Who, owner: { userId: number } | { citizenId: number } | null, now: () => Date): Promise<Principal> {
  const fresh = async (): Promise<Session | null> => {
    if (!owner) return null;
    const s = await db.transaction((trx) => createSession(trx, owner, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'route-access', now: now() }));
    return { token: s.token, csrf: s.csrfToken };
  };
  return { who, kind: owner === null ? 'anonymous' : 'userId' in owner ? 'officer' : 'citizen', session: await fresh(), fresh };
}

export type Body = Record<string, unknown>;

export interface Answer {
  status: number;
  location: string | null;
  /** The client address the request came from (for the audit trail). */
  ip: string;
  /** The start of the answer, for failure messages. */
  excerpt: string;
}

/** A double-submit token for anonymous page forms (the web plugin's CSRF for visitors). */
const ANON_CSRF = randomBytes(24).toString('base64url');

let requests = 0;

/** One request as a browser (pages) or an API client (/api/…) would send it, with the session's CSRF proof. */
export async function send(baseUrl: string, session: Session | null, method: string, path: string, body: Body | undefined): Promise<Answer> {
  requests += 1;
  const ip = `10.${(requests >> 16) & 255}.${(requests >> 8) & 255}.${requests & 255}`;
  const isApi = path.startsWith('/api/');
  const cookies = [session ? `${SESSION_COOKIE}=${session.token}` : '', isApi ? '' : `${ANON_CSRF_COOKIE}=${ANON_CSRF}`].filter(Boolean);
  const headers: Record<string, string> = { 'x-forwarded-for': ip, 'user-agent': `route-access/${requests}` };
  if (cookies.length) headers.cookie = cookies.join('; ');
  let payload: string | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    if (isApi) {
      if (session) headers['x-csrf-token'] = session.csrf;
      if (body) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
    } else {
      const form = new URLSearchParams({ _csrf: session?.csrf ?? ANON_CSRF });
      for (const [k, v] of Object.entries(body ?? {})) form.append(k, String(v));
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = form.toString();
    }
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload, redirect: 'manual' });
  const type = res.headers.get('content-type') ?? '';
  const text = /json|text|html/.test(type) ? await res.text() : `(${type}, ${(await res.arrayBuffer()).byteLength} bytes)`;
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(text)?.[1]?.replace(/<[^>]+>/g, '').trim();
  return { status: res.status, location: res.headers.get('location'), ip, excerpt: heading ? `page "${heading}"` : text.slice(0, 160) };
}

export type Verdict = 'allowed' | 'denied' | 'broken';

/**
 * Denied: 401, 403, 404 (an object hidden from this caller), or the guard's redirect to a
 * sign-in page that comes back to this very address. Broken: 5xx, or a rate limit (which
 * says nothing about authorization). Anything else got past authorization, including 400,
 * 409 and 422: the handler looked at the request on its merits.
 */
export function verdictOf(answer: Pick<Answer, 'status' | 'location'>, path: string, alsoAllowed: readonly number[] = []): Verdict {
  const { status, location } = answer;
  if (status >= 500 || status === 429) return 'broken';
  if (alsoAllowed.includes(status)) return 'allowed';
  if (status === 401 || status === 403 || status === 404) return 'denied';
  if (status >= 300 && status < 400 && location) {
    const base = 'http://causo.test';
    const to = new URL(location, base);
    const next = to.searchParams.get('next');
    if ((to.pathname === '/sign-in' || to.pathname === '/office/sign-in') && next !== null && new URL(next, base).href === new URL(path, base).href) return 'denied';
  }
  return 'allowed';
}
