/**
 * Officers at the one-stop desk of a post-2025 commune, signed in with a session cookie made
 * directly in the database; a filled-in counter intake form for birth registration (1.001193);
 * and text pulled out of a PDF with pdfjs (legacy build, no worker), as a reader would see it.
 */
import { scanPng, hiddenValue } from '../support/pages.ts';
import type { AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';
import { SESSION_COOKIE } from '../../src/http/auth.ts';
import { createOfficer, type Officer, type OfficerRole } from '../../src/modules/auth/service.ts';
import { createSession } from '../../src/modules/auth/sessions.ts';
import { unitId } from '../support/fixtures.ts';

/** The web tests' day: units in force then are the Đồng Nai communes of the 2025 reform. */
export const TODAY = '2026-11-25';

let n = 0;

export interface DeskOfficer {
  officer: Officer;
  ip: string;
  /** Value for a Cookie header. */
  cookie: string;
  token: string;
}

export async function deskOfficer(ctx: AppContext, roles: { role: OfficerRole; unitCode: string }[], displayName = 'Nguyễn Văn Bình'): Promise<DeskOfficer> {
  n += 1;
  const resolved = await Promise.all(roles.map(async (r) => ({ role: r.role, unitId: await unitId(ctx.db, r.unitCode, TODAY) })));
  const username = `desk${n}_${Math.random().toString(36).slice(2, 7)}`;
  return ctx.db.transaction(async (trx) => {
    const id = await createOfficer(trx, { username, displayName, password: 'correct horse battery', roles: resolved });
    const s = await createSession(trx, { userId: id }, { ttlHours: 12, ip: '127.0.0.1', userAgent: 'test', now: ctx.now() });
    return { officer: { id, username, displayName, roles: resolved }, ip: '127.0.0.1', cookie: `${SESSION_COOKIE}=${s.token}`, token: s.token };
  });
}


/** The fields of a complete birth registration at the counter (procedure 1.001193). */
export function birthRegistrationFields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    unit: '25309',
    procedure: '1.001193',
    'applicant.fullName': 'Điểu Thị Hoa',
    'applicant.idNumber': '070301234567',
    'applicant.phone': '0912 345 678',
    'applicant.address': 'Ấp 3, xã Hưng Phước',
    'answer.childFullName': 'Điểu Văn Nam',
    'answer.childSex': 'male',
    'answer.childBirthDate': '2026-11-20',
    'answer.childBirthPlace': 'Trạm y tế xã Hưng Phước',
    'answer.childEthnicity': 'xtieng',
    'answer.motherFullName': 'Điểu Thị Hoa',
    'answer.motherIdNumber': '070301234567',
    'answer.residence': 'Ấp 3, xã Hưng Phước',
    'answer.applicantRelationship': 'mother',
    'answer.applicantPhone': '0912345678',
    papers: ['0', '1', '2'],
    resultDelivery: 'desk',
    ...overrides,
  };
}

/** A multipart body like the browser sends for the intake form. */
export function multipart(fields: Record<string, string | string[]>, files: Record<string, { name: string; data: Buffer; type: string }> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
  for (const [k, f] of Object.entries(files)) form.append(k, new Blob([new Uint8Array(f.data)], { type: f.type }), f.name);
  return form;
}


export async function dossierCount(db: Db): Promise<number> {
  const r = await db.kysely.selectFrom('dossiers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function documentCount(db: Db): Promise<number> {
  const r = await db.kysely.selectFrom('documents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Text of every page, lines joined with spaces, as pdfjs reads it (through the fonts' ToUnicode maps). */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const content = await (await pdf.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' '));
  }
  await pdf.destroy();
  return pages.join('\n').replace(/\s+/g, ' ');
}

/** Names of the fonts embedded in a PDF (pdfkit writes the font dictionaries uncompressed). */
export function embeddedFonts(bytes: Uint8Array): string[] {
  return [...Buffer.from(bytes).toString('latin1').matchAll(/\/BaseFont \/([A-Za-z0-9+_-]+)/g)].map((m) => m[1] as string);
}

export { scanPng, hiddenValue };
