/**
 * Back-office test helpers: officers of a post-2025 commune (signed in with a session made in
 * the database, or through the real sign-in page), online dossiers submitted by citizens, and
 * a small page client that keeps cookies and posts forms with their CSRF token.
 */
import { randomUUID } from 'node:crypto';
import { scanPng, csrfIn } from '../support/pages.ts';
import type { AppContext } from '../../src/context.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { createOfficer, type Officer, type OfficerRole } from '../../src/modules/auth/service.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { submitOnline } from '../../src/modules/dossiers/citizenDossiers.ts';
import { makeCitizen, type TestCitizen } from '../support/citizens.ts';
import { unitId } from '../support/fixtures.ts';
import { cookieHeader, cookiesFrom } from '../support/webServer.ts';

/** The web tests' day (a Wednesday): units in force then are the Đồng Nai communes. */
export const TODAY = '2026-11-25';
export const COMMUNE = '25309'; // Xã Hưng Phước
export const OTHER_COMMUNE = '25308'; // Xã Thiện Hưng
export const PASSWORD = 'correct horse battery';

let n = 0;

export interface TestOfficer {
  officer: Officer;
  ip: string;
  username: string;
  password: string;
  /** Value for a Cookie header: a signed-in session. */
  cookie: string;
}

export async function officerAt(ctx: AppContext, roles: { role: OfficerRole; unitCode: string }[], displayName?: string): Promise<TestOfficer> {
  n += 1;
  const resolved = await Promise.all(roles.map(async (r) => ({ role: r.role, unitId: await unitId(ctx.db, r.unitCode, TODAY) })));
  const username = `cb${n}_${Math.random().toString(36).slice(2, 7)}`;
  const name = displayName ?? `Cán bộ ${n}`;
  return ctx.db.transaction(async (trx) => {
    const id = await createOfficer(trx, { username, displayName: name, password: PASSWORD, roles: resolved });
    const s = await createSession(trx, { userId: id }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'test', now: ctx.now() });
    return { officer: { id, username, displayName: name, roles: resolved }, ip: '127.0.0.1', username, password: PASSWORD, cookie: `${SESSION_COOKIE}=${s.token}` };
  });
}

/** A birth registration (1.001193) submitted online by a citizen at `unitCode`. */
export async function onlineDossier(ctx: AppContext, opts: { citizen?: TestCitizen; unitCode?: string; fullName?: string; phone?: string; procedureCode?: string } = {}) {
  const citizen = opts.citizen ?? (await makeCitizen(ctx, { ...(opts.fullName ? { fullName: opts.fullName } : {}), ...(opts.phone ? { phone: opts.phone } : {}) }));
  const view = await submitOnline(ctx, { citizenId: citizen.id, ip: '127.0.0.1' }, {
    transactionId: randomUUID(),
    procedureCode: opts.procedureCode ?? '1.001193',
    unitCode: opts.unitCode ?? COMMUNE,
    applicant: { fullName: citizen.fullName, phone: citizen.phone, idNumber: citizen.idNumber, address: 'Ấp 3, xã Hưng Phước' },
    formData: { childFullName: 'Điểu Văn Nam', childSex: 'male', childBirthDate: '2026-11-20' },
  });
  return { code: view.code, citizen };
}



/** The hidden transaction id of one action's form on the dossier page. */
export function txidOfForm(html: string, action: string): string {
  const at = html.indexOf(`/actions/${action}"`);
  if (at < 0) throw new Error(`no ${action} form on the page`);
  const m = /name="transactionId" value="([^"]+)"/.exec(html.slice(at));
  if (!m?.[1]) throw new Error(`no transaction id in the ${action} form`);
  return m[1];
}

/** A browser-like client: cookies kept, redirects not followed, forms posted with the page's CSRF token. */
export class PageClient {
  jar: Record<string, string> = {};
  lastHtml = '';
  constructor(
    readonly baseUrl: string,
    cookie?: string,
    readonly userAgent = 'Mozilla/5.0 (test) Chromium',
  ) {
    if (cookie) cookiesFrom(cookie, this.jar);
  }

  async get(path: string): Promise<{ status: number; html: string; location: string | null; headers: Headers }> {
    const res = await fetch(this.baseUrl + path, { headers: { cookie: cookieHeader(this.jar), 'user-agent': this.userAgent }, redirect: 'manual' });
    cookiesFrom(res.headers.getSetCookie(), this.jar);
    const html = await res.text();
    if (res.headers.get('content-type')?.includes('text/html')) this.lastHtml = html;
    return { status: res.status, html, location: res.headers.get('location'), headers: res.headers };
  }

  /** Posts to `path` with the CSRF token of the page fetched last (or of `from`). */
  async post(path: string, fields: Record<string, string>, opts: { from?: string; files?: Record<string, { name: string; data: Buffer; type: string }> } = {}) {
    const csrf = csrfIn(opts.from ?? this.lastHtml);
    let body: URLSearchParams | FormData;
    if (opts.files) {
      const form = new FormData();
      form.append('_csrf', csrf);
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      for (const [k, f] of Object.entries(opts.files)) form.append(k, new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
      body = form;
    } else body = new URLSearchParams({ _csrf: csrf, ...fields });
    const res = await fetch(this.baseUrl + path, { method: 'POST', body, headers: { cookie: cookieHeader(this.jar), 'user-agent': this.userAgent }, redirect: 'manual' });
    cookiesFrom(res.headers.getSetCookie(), this.jar);
    const html = await res.text();
    if (res.headers.get('content-type')?.includes('text/html')) this.lastHtml = html;
    return { status: res.status, html, location: res.headers.get('location'), headers: res.headers };
  }

  /** Signs in through the real pages (password step, and the code step when asked). */
  async signIn(username: string, password: string, code?: () => Promise<string>) {
    await this.get('/office/sign-in');
    let res = await this.post('/office/sign-in', { username, password });
    if (res.status === 303 && res.location?.startsWith('/office/sign-in/code')) {
      if (!code) return res;
      await this.get(res.location);
      res = await this.post('/office/sign-in/code', { code: await code() });
    }
    return res;
  }
}

export { scanPng, csrfIn };
