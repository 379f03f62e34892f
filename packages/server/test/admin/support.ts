/** Helpers for administration tests: officers on units in force at the web clock, signed-in clients. */
import { createOfficer, type OfficerRole } from '../../src/modules/auth/service.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import type { Db } from '../../src/db/database.ts';
import { unitId } from '../support/fixtures.ts';
import type { WebServer } from '../support/webServer.ts';

/** The web clock's day: units in force then are Đồng Nai's after the 2025 reform. */
export const TODAY = '2026-11-25';

let n = 0;
export async function officerOn(db: Db, roles: { role: OfficerRole; unitCode: string; on?: string }[], prefix = 'canbo'): Promise<{ id: number; username: string }> {
  const username = `${prefix}${++n}.${Math.random().toString(36).slice(2, 7)}`;
  const resolved = await Promise.all(roles.map(async (r) => ({ role: r.role, unitId: await unitId(db, r.unitCode, r.on ?? TODAY) })));
  const id = await db.transaction((trx) => createOfficer(trx, { username, displayName: `Cán bộ ${username}`, password: 'correct horse battery', roles: resolved }));
  return { id, username };
}

export interface Client {
  get(path: string): Promise<{ status: number; html: string; location: string | null }>;
  post(path: string, form: Record<string, string | string[]>): Promise<{ status: number; html: string; location: string | null }>;
  csrf: string;
  cookie: string;
}

/** A browser-less client with a session created directly in the database. */
export async function signedIn(web: WebServer, userId: number): Promise<Client> {
  const s = await web.ctx.db.transaction((trx) => createSession(trx, { userId }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'admin-test', now: web.ctx.now() }));
  const cookie = `causo_session=${s.token}`;
  const send = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${web.baseUrl}${path}`, { ...init, redirect: 'manual', headers: { cookie, 'user-agent': 'admin-test', ...(init.headers as Record<string, string> | undefined) } });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };
  return {
    csrf: s.csrfToken,
    cookie,
    get: (path) => send(path),
    post: (path, form) => {
      const body = new URLSearchParams();
      body.append('_csrf', s.csrfToken);
      for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      return send(path, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    },
  };
}

/** Every route under `prefix` with its methods, read from Fastify's route tree. */
export function routesUnder(web: WebServer, prefix: string): { method: 'GET' | 'POST'; path: string }[] {
  const lines = web.app.printRoutes({ commonPrefix: false }).split('\n');
  const stack: string[] = [];
  const out: { method: 'GET' | 'POST'; path: string }[] = [];
  for (const line of lines) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    const path = (stack[depth - 1] ?? '') + (m[2] ?? '');
    stack[depth] = path;
    stack.length = depth + 1;
    if (!path.startsWith(prefix)) continue;
    for (const method of (m[3] ?? '').split(', ')) if (method === 'GET' || method === 'POST') out.push({ method, path });
  }
  return out;
}

/** Another province in force with one commune, for "admin of another province" cases. */
export async function addProvince(db: Db, code: string, name: string): Promise<{ provinceId: number; communeId: number; communeCode: string }> {
  return db.transaction(async (trx) => {
    const base = { type: 'tinh', province_code: code, valid_from: '2025-07-01', valid_to: null } as const;
    const p = await trx
      .insertInto('units')
      .values({ ...base, code, name, level: 'province', parent_id: null, ancestor_ids: [], agency_code: `H${code}`, search_name: name.toLowerCase() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('units').set({ ancestor_ids: [p.id] }).where('id', '=', p.id).execute();
    const communeCode = `${code}001`;
    const c = await trx
      .insertInto('units')
      .values({ ...base, type: 'xa', code: communeCode, name: `Xã thử ${code}`, level: 'commune', parent_id: p.id, ancestor_ids: [p.id], agency_code: `H${code}.${communeCode}`, search_name: `xa thu ${code}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.updateTable('units').set({ ancestor_ids: [c.id, p.id] }).where('id', '=', c.id).execute();
    return { provinceId: p.id, communeId: c.id, communeCode };
  });
}

/** The error summary of a page, for readable assertion messages. */
export function summaryOf(html: string): string {
  return /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0].replace(/<[^>]+>/g, ' | ').replace(/(\s*\|\s*)+/g, ' | ') ?? `(no error summary; h1: ${/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '?'})`;
}

export function assertHas(html: string, re: RegExp): void {
  if (!re.test(html)) throw new Error(`expected ${re} in the page; ${summaryOf(html)}`);
}
