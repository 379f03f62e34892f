/**
 * Shared set-up for the report page tests: one month of hand-computed activity in Bù Đốp
 * (Bình Phước, 2022), officers with roles at each level, sessions as cookies, and a small
 * reader for the report table in the HTML.
 */
import type { Action } from '@causo/domain';
import type { Db } from '../../src/db/database.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { actOnDossier, createDossier, type Actor } from '../../src/modules/dossiers/service.ts';
import { makeOfficer, txid } from '../support/fixtures.ts';
import type { WebServer } from '../support/webServer.ts';

export const MONTH_8_2022 = 'preset=month&year=2022&month=8';

async function dossier(web: WebServer, actor: Actor, unitCode: string, at: string, channel: 1 | 2 | 3, steps: [Action, string][] = [], procedureCode = '1.001193') {
  web.ctx.clock.set(at);
  const d = await createDossier(web.ctx, actor, { transactionId: txid(), procedureCode, unitCode, channel, applicant: { fullName: 'Lâm Văn Sơn' }, formData: {} });
  for (const [action, when] of steps) {
    web.ctx.clock.set(when);
    await actOnDossier(web.ctx, actor, d.code, {
      action,
      transactionId: txid(),
      ...(action === 'stop' || action === 'refuse' ? { reason: 'lý do' } : {}),
      ...(action === 'request_supplement' ? { missingDocuments: ['Giấy tờ'] } : {}),
    });
  }
}

/**
 * Month 8 of 2022 (15/07–14/08). Thiện Hưng (25312), birth registration (Hộ tịch, 1 working
 * day): 1 carried over, 1 new online, 5 new in person or by post; resolved before, on and
 * after the deadline, 1 withdrawn, 3 still in progress (1 overdue). Hưng Phước (25309), one
 * certification (Chứng thực, 4 working hours) resolved on its due date. Plus dossiers that must
 * never count (not received, refused) and one finished before the period.
 */
export async function seedMonth(web: WebServer, db: Db): Promise<void> {
  const actor = await makeOfficer(db, [{ role: 'admin', unitCode: '70' }]);
  const d = (unit: string, at: string, channel: 1 | 2 | 3, steps: [Action, string][] = [], procedure?: string) => dossier(web, actor, unit, at, channel, steps, procedure);
  await d('25312', '2022-07-13T09:00:00+07:00', 1, [['start_processing', '2022-07-13T10:00:00+07:00'], ['finish', '2022-07-14T08:00:00+07:00']]);
  await d('25312', '2022-07-14T09:00:00+07:00', 1, [['start_processing', '2022-07-14T10:00:00+07:00'], ['finish', '2022-07-15T08:30:00+07:00']]);
  await d('25312', '2022-07-18T08:00:00+07:00', 2, [['receive', '2022-07-18T08:00:00+07:00'], ['start_processing', '2022-07-18T09:00:00+07:00'], ['finish', '2022-07-18T15:00:00+07:00']]);
  await d('25312', '2022-07-19T08:00:00+07:00', 3, [['start_processing', '2022-07-19T09:00:00+07:00'], ['finish', '2022-07-25T15:00:00+07:00'], ['return_result', '2022-07-26T08:00:00+07:00']]);
  await d('25312', '2022-07-20T08:00:00+07:00', 1, [['request_withdrawal', '2022-07-20T09:00:00+07:00'], ['stop', '2022-07-21T09:00:00+07:00']]);
  await d('25312', '2022-08-01T08:00:00+07:00', 1, [['start_processing', '2022-08-01T09:00:00+07:00']]);
  await d('25312', '2022-08-02T08:00:00+07:00', 1, [['request_supplement', '2022-08-02T09:00:00+07:00']]);
  await d('25312', '2022-08-12T16:00:00+07:00', 1);
  await d('25312', '2022-08-03T08:00:00+07:00', 2);
  await d('25312', '2022-08-03T08:00:00+07:00', 2, [['refuse', '2022-08-03T09:00:00+07:00']]);
  await d('25312', '2022-07-01T08:00:00+07:00', 1, [['start_processing', '2022-07-01T09:00:00+07:00'], ['finish', '2022-07-01T10:00:00+07:00']]);
  await d('25309', '2022-08-01T08:00:00+07:00', 1, [['start_processing', '2022-08-01T08:30:00+07:00'], ['finish', '2022-08-01T10:00:00+07:00']], '2.000815');
  web.ctx.clock.set('2026-11-25T09:00:00+07:00');
}

/** A signed-in officer's session cookie, made directly (the sign-in page is another module's). */
export async function sessionCookie(web: WebServer, db: Db, userId: number): Promise<{ name: string; value: string; header: string }> {
  const s = await db.transaction((trx) => createSession(trx, { userId }, { ttlHours: 8, ip: '127.0.0.1', userAgent: 'test', now: web.ctx.now() }));
  return { name: SESSION_COOKIE, value: s.token, header: `${SESSION_COOKIE}=${s.token}` };
}

export async function officerWithSession(web: WebServer, db: Db, roles: Parameters<typeof makeOfficer>[1]) {
  const actor = await makeOfficer(db, roles);
  return { actor, cookie: await sessionCookie(web, db, actor.officer.id) };
}

const decode = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .trim();

/** The rows of the first table with this class, each as its cells' text (headers included). */
export function tableRows(html: string, cls = 'report'): string[][] {
  const table = new RegExp(`<table class="${cls}">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (!table) throw new Error(`no table.${cls} in the page`);
  return [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => [...(m[1] ?? '').matchAll(/<(td|th)[^>]*>([\s\S]*?)<\/\1>/g)].map((c) => decode(c[2] ?? '')));
}

/** A body row by the name in its row header: [no, name, 12 figures, check]. */
export function rowNamed(html: string, name: string): string[] {
  const row = tableRows(html).find((r) => r[1] === name);
  if (!row) throw new Error(`no row named ${name}`);
  return row;
}

export const linksIn = (html: string): string[] => [...html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
