/**
 * Xuất dữ liệu của một người (data-subject export, Nghị định 13/2023/NĐ-CP, Điều 9 và 14):
 * everything the platform holds about one person, found by the keyed hash of their ID number
 * and/or phone, as one ZIP: `data.json` (schema-versioned, sealed values opened), `README.txt`
 * (what each section means, in Vietnamese and English) and the uploaded files.
 *
 * Who may: the administrator of a province, for the rows held by units of that province; rows
 * that belong to no unit (the account, codes, messages) are the installation's and come too.
 * The command line (run by whoever holds DATA_KEY on the server) exports everything. Every
 * export is audited with the keyed hashes, never the number itself.
 */
import { z } from 'zod';
import { PROBLEMS, checkCccd, cleanCccd, type ProblemCode } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import { Problem } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import { writeZip, safeEntryName, type ZipEntry } from '../../ops/zip.ts';
import { normalisePhone } from '../notify/outbox.ts';
import { readSubjectRows, type Row, type SubjectRows } from './subjectQueries.ts';
import { EXPORT_README, LEGAL_BASIS, SECTION_NOTES } from './subjectReadme.ts';

export const EXPORT_SCHEMA_VERSION = 1;

export const SubjectQuery = z
  .object({
    cccd: z
      .string()
      .trim()
      .transform(cleanCccd)
      .refine((v) => v === '' || checkCccd(v).ok, { message: 'people.export.bad_cccd' })
      .optional(),
    phone: z
      .string()
      .trim()
      .transform((v) => v.replace(/[\s.-]/g, ''))
      .refine((v) => v === '' || /^(0|\+?84)\d{9}$/.test(v), { message: 'people.export.bad_phone' })
      .optional(),
  })
  .transform((q) => ({ cccd: q.cccd || null, phone: q.phone ? normalisePhone(q.phone) : null }))
  .refine((q) => q.cccd !== null || q.phone !== null, { message: 'people.export.subject_required', path: ['cccd'] });
export type SubjectQuery = z.output<typeof SubjectQuery>;

/** Throws a problem with the first issue's code (the CLI and API); the page shows issues by field. */
export function parseSubjectQuery(input: unknown): SubjectQuery {
  const parsed = SubjectQuery.safeParse(input);
  if (parsed.success) return parsed.data;
  const code = parsed.error.issues[0]?.message ?? 'request.invalid';
  throw new Problem(400, code in PROBLEMS ? (code as ProblemCode) : 'request.invalid', 'the person to export is not valid');
}

/** Units whose rows the exporter may see: `all` (the command line) or the subtrees of these units. */
export type ExportScope = 'all' | { rootUnitIds: number[] };

export interface ExportedBy {
  actorId: number | null;
  via: 'office' | 'cli';
  ip?: string | null;
  userAgent?: string | null;
}

export interface SubjectArchive {
  zip: Buffer;
  fileName: string;
  counts: Record<string, number>;
  files: number;
}

type Opened = Record<string, unknown>;

function iso(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v;
}

/** Dates as ISO strings, bytes and internal columns left out. */
function plain(row: Row, drop: string[] = []): Opened {
  const out: Opened = {};
  for (const [k, v] of Object.entries(row)) {
    if (drop.includes(k) || v instanceof Uint8Array) continue;
    out[k] = iso(v);
  }
  return out;
}

function opener(ctx: AppContext): (sealed: unknown) => Opened {
  return (sealed) => {
    if (typeof sealed !== 'string' || !sealed.startsWith('v1.')) return {};
    try {
      return ctx.vault.open<Opened>(sealed);
    } catch {
      return { unreadable: true };
    }
  };
}

async function inScopeFn(ctx: AppContext, scope: ExportScope): Promise<(unitId: unknown) => boolean> {
  if (scope === 'all') return () => true;
  const rows = await ctx.db.raw((c) => c.query<{ id: number }>(`SELECT id FROM units WHERE id = ANY($1::int[]) OR ancestor_ids && $1::int[]`, [scope.rootUnitIds]));
  const allowed = new Set(rows.map((r) => r.id));
  return (unitId) => allowed.has(Number(unitId));
}

function fileName(name: unknown): string {
  return safeEntryName(String(name ?? 'file').replace(/\//g, '_')) || 'file';
}

/** The JSON document and the files, from the rows read. */
function buildDocument(ctx: AppContext, rows: SubjectRows, q: SubjectQuery, at: Date): { document: Opened; files: ZipEntry[] } {
  const open = opener(ctx);
  const files: ZipEntry[] = [];
  const fileOf = (folder: string, doc: Row): string => {
    const path = `files/${folder}/${String(doc.id)}-${fileName(doc.filename)}`;
    if (doc.data instanceof Uint8Array) files.push({ name: path, data: doc.data, modified: doc.created_at instanceof Date ? doc.created_at : at });
    return path;
  };
  const codeOf = new Map(rows.dossiers.map((d) => [String(d.id), String(d.code)]));
  const docsOf = (key: 'dossier_id' | 'draft_id', id: unknown, folder: string) =>
    rows.documents.filter((doc) => String(doc[key]) === String(id) && (key === 'draft_id' || doc.dossier_id !== null)).map((doc) => ({ ...plain(doc, ['data', 'dossier_id', 'draft_id']), file: fileOf(folder, doc) }));
  const photoPath = (sha: unknown): string | null => {
    const f = rows.fieldFiles.find((x) => x.sha256 === sha);
    if (!f) return null;
    const ext = String(f.type).includes('png') ? 'png' : String(f.type).includes('webp') ? 'webp' : 'jpg';
    const path = `files/field/${String(sha)}.${ext}`;
    if (!files.some((e) => e.name === path) && f.data instanceof Uint8Array) files.push({ name: path, data: f.data, modified: f.uploaded_at instanceof Date ? f.uploaded_at : at });
    return path;
  };

  const sections: Record<string, unknown> = {
    account: rows.citizens.map((c) => ({
      ...plain(c, ['id_sealed', 'birth_date_sealed', 'phone_sealed', 'id_hash', 'phone_hash']),
      ...open(c.id_sealed),
      ...open(c.birth_date_sealed),
      ...open(c.phone_sealed),
    })),
    sessions: rows.sessions.map((r) => plain(r)),
    signUps: rows.signups.map((r) => plain(r)),
    oneTimeCodes: { challenges: rows.otpChallenges.map((r) => plain(r)), sent: rows.otpSends.map((r) => plain(r)), signInFailures: rows.signInFailures.map((r) => plain(r)) },
    staffAccounts: rows.staffAccounts.map((u) => ({ ...plain(u), signIns: rows.staffSignIns.filter((s) => s.user_id === u.id).map((s) => plain(s, ['user_id'])) })),
    dossiers: rows.dossiers.map((d) => ({
      ...plain(d, ['applicant_sealed']),
      applicant: { fullName: d.applicant_name, ...open(d.applicant_sealed) },
      actions: rows.dossierActions.filter((a) => String(a.dossier_id) === String(d.id)).map((a) => plain(a, ['dossier_id'])),
      officeNotes: rows.dossierComments.filter((a) => String(a.dossier_id) === String(d.id)).map((a) => plain(a, ['dossier_id'])),
      payments: rows.payments.filter((p) => String(p.dossier_id) === String(d.id)).map((p) => plain(p, ['dossier_id'])),
      documents: docsOf('dossier_id', d.id, `dossiers/${fileName(d.code)}`),
    })),
    drafts: rows.drafts.map((dr) => ({
      ...plain(dr, ['answers_sealed']),
      answers: { ...(typeof dr.answers === 'object' && dr.answers ? dr.answers : {}), ...open(dr.answers_sealed) },
      documents: docsOf('draft_id', dr.id, `drafts/${String(dr.id)}`),
    })),
    householdRegister: rows.residents.map((r) => ({
      ...plain(r, ['personal_sealed']),
      personal: open(r.personal_sealed),
      household: plain(rows.households.find((h) => h.id === r.household_id) ?? {}),
    })),
    fieldVisits: rows.visits.map((v) => ({ ...plain(v), photo: v.photo_sha256 ? photoPath(v.photo_sha256) : null })),
    blockers: rows.blockers.map((b) => ({ ...plain(b, ['person_sealed']), person: open(b.person_sealed) })),
    followUps: rows.followUps.map((f) => plain(f)),
    assistedApplications: rows.assisted.map((a) => ({
      ...plain(a, ['consent_sealed']),
      dossierCode: codeOf.get(String(a.dossier_id)) ?? null,
      consent: open(a.consent_sealed),
      consentPhoto: a.consent_photo ? photoPath(a.consent_photo) : null,
    })),
    fieldSync: rows.syncEnvelopes.map((e) => ({ ...plain(e, ['payload_sealed']), payload: open(e.payload_sealed) })),
    messagesSent: rows.messages.map((m) => ({ ...plain(m, ['recipient_sealed']), to: Object.values(open(m.recipient_sealed))[0] ?? null })),
    messagesReceived: rows.inboundSms.map((m) => ({ ...plain(m, ['sender_sealed']), from: Object.values(open(m.sender_sealed))[0] ?? null })),
    auditTrail: rows.audit.map((a) => plain(a)),
  };
  const document: Opened = {
    schema: 'causo.subject-export',
    schemaVersion: EXPORT_SCHEMA_VERSION,
    exportedAt: at.toISOString(),
    legalBasis: LEGAL_BASIS,
    subject: { idNumber: q.cccd, phone: q.phone },
    readme: SECTION_NOTES,
    ...sections,
  };
  return { document, files };
}

export function countsOf(document: Opened): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of Object.keys(SECTION_NOTES)) {
    const v = document[key];
    counts[key] = Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.values(v).reduce<number>((n, x) => n + (Array.isArray(x) ? x.length : 0), 0) : 0;
  }
  return counts;
}

/** Reads, builds the archive and audits the export (one entry, after the read). */
export async function exportSubject(ctx: AppContext, q: SubjectQuery, scope: ExportScope, by: ExportedBy): Promise<SubjectArchive> {
  const at = ctx.now();
  const keys = { idHash: q.cccd ? ctx.vault.lookupHash('id', q.cccd) : null, phoneHash: q.phone ? ctx.vault.lookupHash('phone', q.phone) : null };
  const subjectKey = keys.idHash ?? keys.phoneHash ?? '';
  const inScope = await inScopeFn(ctx, scope);
  const rows = await ctx.db.raw((c) => readSubjectRows(c, keys, inScope, { entityIds: [`person:${subjectKey}`] }), { transaction: true });
  const { document, files } = buildDocument(ctx, rows, q, at);
  const counts = countsOf(document);
  const zip = writeZip([
    { name: 'README.txt', data: EXPORT_README(document.exportedAt as string), modified: at },
    { name: 'data.json', data: `${JSON.stringify(document, null, 2)}\n`, modified: at },
    ...files,
  ]);
  await audit(ctx.db.kysely, {
    actorId: by.actorId,
    action: 'people.subject_export',
    entity: 'person',
    entityId: subjectKey,
    ip: by.ip ?? null,
    userAgent: by.userAgent ?? null,
    detail: { via: by.via, idHash: keys.idHash, phoneHash: keys.phoneHash, scope: scope === 'all' ? 'all' : scope.rootUnitIds, counts, files: files.length, bytes: zip.length },
  });
  const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return { zip, fileName: `du-lieu-ca-nhan-${stamp}.zip`, counts, files: files.length };
}
