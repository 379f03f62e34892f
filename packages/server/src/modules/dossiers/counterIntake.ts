/**
 * Counter intake (tiếp nhận trực tiếp, channel 1): an officer enters a walk-in citizen's
 * dossier at the one-stop desk. It is received at once (status 2, due date set), and the papers
 * scanned at the desk are stored in the same transaction as the dossier: either the dossier and
 * all its scans exist, or nothing does.
 */
import { localDateOf, searchTokens, toLocalIso } from '@causo/domain';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import { requireRoleOnUnit, rootsFor, type Officer } from '../auth/service.ts';
import { findProcedureById, listProcedures } from '../procedures/queries.ts';
import { findUnitById } from '../units/queries.ts';
import { storeDocument, type PreparedFile } from './documents.ts';
import { SEALED_FORM_KEY } from './formData.ts';
import { findDossierByCode } from './queries.ts';
import type { CreateDossierInput } from './schema.ts';
import { createDossier, type Actor } from './service.ts';

/** Roles that may receive dossiers at the desk. */
export const INTAKE_ROLES = ['admin', 'officer'] as const;

/**
 * Kept with the form answers: what the desk received and where the result goes. The keys start
 * with "_", which no procedure's form key may (they are camelCase), so they never collide.
 */
export const RECEIVED_PAPERS_KEY = '_receivedPapers';
export const RESULT_DELIVERY_KEY = '_resultDelivery';
export const RESULT_DELIVERIES = ['desk', 'post'] as const;
export type ResultDelivery = (typeof RESULT_DELIVERIES)[number];

export interface ScannedPaper {
  /** The form's document field key, or "scan" for another paper. */
  kind: string;
  label: string;
  file: PreparedFile;
}

export interface CounterIntake {
  transactionId: string;
  unitCode: string;
  procedureCode: string;
  applicant: CreateDossierInput['applicant'];
  answers: Record<string, unknown>;
  /** Keys of the answers that are personal data (ID numbers, phones, dates of birth): stored sealed. */
  personalKeys?: readonly string[];
  papersReceived: string[];
  resultDelivery: ResultDelivery;
  scans: ScannedPaper[];
}

/** Personal answers go under `_sealed`, as the online application stores them (see formData.ts). */
function sealPersonal(ctx: AppContext, answers: Record<string, unknown>, personalKeys: readonly string[]): Record<string, unknown> {
  const open: Record<string, unknown> = {};
  const personal: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(answers)) (personalKeys.includes(k) ? personal : open)[k] = v;
  return Object.keys(personal).length ? { ...open, [SEALED_FORM_KEY]: ctx.vault.seal(personal) } : open;
}

/** Creates the received dossier and stores its scans in one transaction; a repeat of the same transactionId creates nothing. */
export async function receiveAtCounter(ctx: AppContext, actor: Actor, intake: CounterIntake) {
  const input: CreateDossierInput = {
    transactionId: intake.transactionId,
    procedureCode: intake.procedureCode,
    unitCode: intake.unitCode,
    channel: 1,
    applicant: intake.applicant,
    formData: { ...sealPersonal(ctx, intake.answers, intake.personalKeys ?? []), [RECEIVED_PAPERS_KEY]: intake.papersReceived, [RESULT_DELIVERY_KEY]: intake.resultDelivery },
  };
  return createDossier(ctx, actor, input, async (trx, dossier) => {
    for (const scan of intake.scans)
      await storeDocument(trx, { dossierId: dossier.id }, scan.file, { kind: scan.kind, label: scan.label, userId: actor.officer.id });
    if (intake.scans.length)
      await audit(trx, {
        actorId: actor.officer.id,
        action: 'dossier.documents_added',
        entity: 'dossier',
        entityId: dossier.code,
        ip: actor.ip,
        detail: { count: intake.scans.length, kinds: intake.scans.map((s) => s.kind) },
      });
  });
}

export interface IntakeUnit {
  code: string;
  name: string;
}

/** The communes, in force today, where the officer may receive dossiers (a role on a district or province covers its communes). */
export async function intakeUnits(ctx: AppContext, officer: Officer): Promise<IntakeUnit[]> {
  const roots = rootsFor(officer, INTAKE_ROLES);
  if (!roots.length) return [];
  const today = localDateOf(ctx.now());
  return ctx.db.kysely
    .selectFrom('units')
    .select(['code', 'name'])
    .where('level', '=', 'commune')
    .where(sql<boolean>`ancestor_ids && ${sql.val(roots)}::int[]`)
    .where('valid_from', '<=', today)
    .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', today)]))
    .orderBy('name')
    .limit(1000)
    .execute();
}

/** Active procedures whose code or name contains every word of `query`, diacritics ignored. */
export async function intakeProcedures(ctx: AppContext, query: string) {
  return listProcedures(ctx.db.kysely, { searchTokens: searchTokens(query), limit: 200, offset: 0 });
}

/** What the desk shows once a dossier is created: enough to hand over the receipt, no personal record. */
export async function intakeSummary(ctx: AppContext, actor: Actor, code: string) {
  const db = ctx.db.kysely;
  const d = await findDossierByCode(db, code);
  if (!d) throw notFound('dossier.not_found', `no dossier ${code}`);
  await requireRoleOnUnit(db, actor.officer, d.unit_id);
  const [procedure, unit] = await Promise.all([findProcedureById(db, d.procedure_id), findUnitById(db, d.unit_id)]);
  const scans = await db.selectFrom('documents').select((eb) => eb.fn.countAll<string>().as('n')).where('dossier_id', '=', d.id).executeTakeFirst();
  return {
    code: d.code,
    status: d.status,
    channel: d.channel,
    applicantName: d.applicant_name,
    procedure: { code: procedure?.code ?? '', nameVi: procedure?.name_vi ?? '', nameEn: procedure?.name_en ?? '' },
    unitName: unit?.name ?? '',
    receivedAt: d.received_at ? toLocalIso(d.received_at) : null,
    dueAt: d.due_at,
    scanCount: Number(scans?.n ?? 0),
  };
}
