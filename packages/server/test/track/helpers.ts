/**
 * Helpers for the citizen's follow-up journeys (tracking, supplements, withdrawal, payments):
 * officers of a post-2025 commune, dossiers brought to a given status the way the office does
 * it, and a page client that keeps cookies and posts forms with their CSRF token.
 */
import { randomUUID } from 'node:crypto';
import { scanPng, csrfIn, hiddenValue } from '../support/pages.ts';
import type { AppContext } from '../../src/context.ts';
import { createOfficer, type OfficerRole } from '../../src/modules/auth/service.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { submitOnline } from '../../src/modules/dossiers/citizenDossiers.ts';
import { actOnDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import type { ActionInput } from '../../src/modules/dossiers/schema.ts';
import { makeCitizen, type TestCitizen } from '../support/citizens.ts';
import { unitId } from '../support/fixtures.ts';
import { cookieHeader, cookiesFrom } from '../support/webServer.ts';

/** The web tests' day (a Wednesday, 09:00): the Đồng Nai communes are in force. */
export const TODAY = '2026-11-25';
export const COMMUNE = '25309'; // Xã Hưng Phước
/** Certified copy of a civil-status extract: 8,000 đồng per copy. */
export const FEE_PROCEDURE = '2.000635';

let n = 0;
export async function officerOf(ctx: AppContext, roles: { role: OfficerRole; unitCode: string }[] = [{ role: 'officer', unitCode: COMMUNE }]): Promise<Actor> {
  n += 1;
  const resolved = await Promise.all(roles.map(async (r) => ({ role: r.role, unitId: await unitId(ctx.db, r.unitCode, TODAY) })));
  const username = `track${n}_${Math.random().toString(36).slice(2, 7)}`;
  const id = await ctx.db.transaction((trx) => createOfficer(trx, { username, displayName: username, password: 'correct horse battery', roles: resolved }));
  return { officer: { id, username, displayName: username, roles: resolved }, ip: '127.0.0.1' };
}

export interface Filed {
  code: string;
  citizen: TestCitizen;
}

/** A dossier submitted online by a (new) citizen, with the citizen's phone on it. */
export async function fileOnline(ctx: AppContext, opts: { citizen?: TestCitizen; procedureCode?: string; formData?: Record<string, unknown>; phone?: string } = {}): Promise<Filed> {
  const citizen = opts.citizen ?? (await makeCitizen(ctx, opts.phone ? { phone: opts.phone } : {}));
  const view = await submitOnline(ctx, { citizenId: citizen.id, ip: '127.0.0.1' }, {
    transactionId: randomUUID(),
    procedureCode: opts.procedureCode ?? '1.001193',
    unitCode: COMMUNE,
    applicant: { fullName: citizen.fullName, phone: citizen.phone },
    formData: opts.formData ?? {},
  });
  return { code: view.code, citizen };
}

export const act = (ctx: AppContext, officer: Actor, code: string, action: ActionInput['action'], extra: Partial<ActionInput> = {}) =>
  actOnDossier(ctx, officer, code, { action, transactionId: randomUUID(), ...extra });

/** A fresh session for a citizen at the clock's current time (sessions last 12 hours). */
export async function sessionCookie(ctx: AppContext, citizenId: number): Promise<string> {
  const s = await ctx.db.transaction((trx) => createSession(trx, { citizenId }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'test', now: ctx.now() }));
  return `${SESSION_COOKIE}=${s.token}`;
}

export const MISSING = ['Bản sao Giấy chứng sinh', 'Căn cước của mẹ'];

/** Received, in processing, and waiting for the papers in MISSING. */
export async function awaitingSupplement(ctx: AppContext, officer: Actor, code: string): Promise<void> {
  await act(ctx, officer, code, 'receive');
  await act(ctx, officer, code, 'start_processing');
  await act(ctx, officer, code, 'request_supplement', { missingDocuments: MISSING });
}

/** Received, in processing, and waiting for its fees. */
export async function awaitingFees(ctx: AppContext, officer: Actor, code: string): Promise<void> {
  await act(ctx, officer, code, 'receive');
  await act(ctx, officer, code, 'start_processing');
  await act(ctx, officer, code, 'request_fees');
}




export interface Answer {
  status: number;
  html: string;
  location: string | null;
}

/** A browser-like client: cookies kept, redirects not followed, forms posted with the last page's CSRF token. */
export class PageClient {
  jar: Record<string, string> = {};
  lastHtml = '';
  /** The CSRF token of the last page that had a form (a result page may have none). */
  csrf = '';
  constructor(
    readonly baseUrl: string,
    cookie?: string,
    /** Sent as X-Forwarded-For: the server trusts its proxy, so tests can stand at any address. */
    readonly ip = '198.51.100.10',
  ) {
    if (cookie) cookiesFrom(cookie, this.jar);
  }

  private remember(res: Response, html: string): void {
    if (!res.headers.get('content-type')?.includes('text/html')) return;
    this.lastHtml = html;
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (m?.[1]) this.csrf = m[1];
  }

  private headers() {
    return { cookie: cookieHeader(this.jar), 'x-forwarded-for': this.ip };
  }

  async get(path: string): Promise<Answer> {
    const res = await fetch(this.baseUrl + path, { headers: this.headers(), redirect: 'manual' });
    cookiesFrom(res.headers.getSetCookie(), this.jar);
    const html = await res.text();
    this.remember(res, html);
    return { status: res.status, html, location: res.headers.get('location') };
  }

  async post(path: string, fields: Record<string, string>, files?: Record<string, { name: string; data: Buffer; type: string }>): Promise<Answer> {
    const csrf = this.csrf || csrfIn(this.lastHtml);
    let body: URLSearchParams | FormData;
    if (files) {
      const form = new FormData();
      form.append('_csrf', csrf);
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      for (const [k, f] of Object.entries(files)) form.append(k, new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
      body = form;
    } else body = new URLSearchParams({ _csrf: csrf, ...fields });
    const res = await fetch(this.baseUrl + path, { method: 'POST', body, headers: this.headers(), redirect: 'manual' });
    cookiesFrom(res.headers.getSetCookie(), this.jar);
    const html = await res.text();
    this.remember(res, html);
    return { status: res.status, html, location: res.headers.get('location') };
  }
}

/** The main content of a page, without the CSRF token (to compare two answers). */
export function mainOf(html: string): string {
  const m = /<main[^>]*>([\s\S]*)<\/main>/.exec(html);
  return (m?.[1] ?? html).replace(/name="_csrf" value="[^"]+"/g, '');
}

export { scanPng, csrfIn, hiddenValue };
