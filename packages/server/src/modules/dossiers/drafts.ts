/**
 * Applications being filled in (drafts), one question per page. Each page's answer is saved
 * on the server before the next page is shown, so a dropped 2G connection loses nothing and
 * the citizen can carry on later from any phone. A draft belongs to one citizen: anyone
 * else's draft id answers "not found", never "forbidden", so ids cannot be probed.
 *
 * Sending a draft makes it a dossier (channel 2, status 1) through `submitOnline`, in one
 * transaction with moving the uploaded papers onto the dossier, marking the draft sent and
 * queueing the confirmation SMS. The draft's own transaction id makes a second "send" (a
 * double tap, a retried request) replay the first instead of creating another dossier.
 */
import { randomUUID } from 'node:crypto';
import {
  checkAnswer,
  isPersonalField,
  localDateOf,
  missingRequired,
  nextQuestion,
  questionsOf,
  receivingAddressKey,
  type AddressAnswer,
  type AddressFieldDef,
  type AnswerCheck,
  type AnswerValue,
  type Answers,
  type DocumentFieldDef,
  type FormFieldDef,
  type RawAnswer,
} from '@causo/domain';
import type { Kysely } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { Problem, conflict, notFound } from '../../http/problem.ts';
import { audit } from '../audit/service.ts';
import { queueSms } from '../notify/outbox.ts';
import { findProcedureByCode, findProcedureById, type ProcedureRecord } from '../procedures/queries.ts';
import { findUnitByCode } from '../units/queries.ts';
import { translator } from '../../web/i18n.ts';
import { addressText, communeOf, pickUnit, pickerStep } from './addressPicker.ts';
import { dossierFormData } from './formData.ts';
import { submitOnline, type CitizenActor } from './citizenDossiers.ts';
import { attachDraftDocuments, listDocuments, prepareUpload, sniffType, storeDocument, type DocumentInfo } from './documents.ts';
import {
  countDraftDocuments,
  countOpenDrafts,
  deleteDraftDocument,
  deleteDraftRow,
  dossierCodeOf,
  findDraft,
  insertDraft,
  listOpenDrafts,
  lockDraft,
  markDraftSubmitted,
  touchDraft,
  updateDraftAnswers,
  type DraftRecord,
} from './draftQueries.ts';

/** Unsent applications one citizen may keep at once (each holds uploaded papers). */
export const MAX_OPEN_DRAFTS = 20;
/** Papers per document question. */
export const MAX_FILES_PER_QUESTION = 10;

export interface DraftState {
  id: number;
  citizenId: number;
  procedure: ProcedureRecord;
  questions: FormFieldDef[];
  /** Every answer, personal ones opened; a document question lists its uploaded file names. */
  answers: Answers;
  documents: DocumentInfo[];
  unitId: number | null;
  currentStep: string | null;
  submittedDossierId: number | null;
  /** Sent with the submission: a repeat of it replays the first. */
  submitTransactionId: string;
  createdAt: Date;
  updatedAt: Date;
}

type Reader = Kysely<DB> | Trx;

export const formOf = (p: Pick<ProcedureRecord, 'form'>): FormFieldDef[] => questionsOf(p.form as FormFieldDef[]);

/** Stored answers (plain and sealed) as one record. */
function openAnswers(ctx: AppContext, row: Pick<DraftRecord, 'answers' | 'answers_sealed'>): Answers {
  const personal = row.answers_sealed ? ctx.vault.open<Answers>(row.answers_sealed) : {};
  return { ...(row.answers as Answers), ...personal };
}

/** Splits answers for storage: personal ones sealed together, the others as plain JSON. */
function storeAnswers(ctx: AppContext, questions: FormFieldDef[], answers: Answers): { plain: Record<string, AnswerValue>; sealed: string | null } {
  const plain: Record<string, AnswerValue> = {};
  const personal: Record<string, AnswerValue> = {};
  for (const q of questions) {
    const v = answers[q.key];
    if (v === undefined) continue;
    (isPersonalField(q) ? personal : plain)[q.key] = v;
  }
  return { plain, sealed: Object.keys(personal).length ? ctx.vault.seal(personal) : null };
}

async function stateOf(ctx: AppContext, db: Reader, row: DraftRecord): Promise<DraftState> {
  const procedure = await findProcedureById(db as Kysely<DB>, row.procedure_id);
  if (!procedure) throw notFound('draft.not_found', `procedure ${row.procedure_id} is gone`);
  const questions = formOf(procedure);
  const documents = await listDocuments(db, { draftId: row.id });
  const answers = openAnswers(ctx, row);
  for (const q of questions) {
    if (q.type !== 'document') continue;
    const names = documents.filter((d) => d.kind === q.key).map((d) => d.filename);
    if (names.length) answers[q.key] = names;
    else if (Array.isArray(answers[q.key])) delete answers[q.key]; // its papers were removed
  }
  return {
    id: row.id,
    citizenId: row.citizen_id,
    procedure,
    questions,
    answers,
    documents,
    unitId: row.unit_id,
    currentStep: row.current_step,
    submittedDossierId: row.submitted_dossier_id,
    submitTransactionId: row.submit_transaction_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function ownOrNotFound(row: DraftRecord | undefined, citizenId: number): DraftRecord {
  if (!row || row.citizen_id !== citizenId) throw notFound('draft.not_found');
  return row;
}

/** A citizen's own draft, or "not found". */
export async function loadOwnDraft(ctx: AppContext, citizenId: number, draftId: number): Promise<DraftState> {
  const row = ownOrNotFound(await findDraft(ctx.db.kysely, draftId), citizenId);
  return stateOf(ctx, ctx.db.kysely, row);
}

/** Locks the citizen's own unsent draft for a change. */
async function ownOpenDraftForUpdate(trx: Trx, citizenId: number, draftId: number): Promise<DraftRecord> {
  const row = ownOrNotFound(await lockDraft(trx, draftId), citizenId);
  if (row.submitted_dossier_id !== null) throw conflict('draft.submitted', `draft ${draftId} was sent`);
  return row;
}

export async function startDraft(ctx: AppContext, citizen: CitizenActor, procedureCode: string): Promise<{ id: number; firstQuestion: string }> {
  return ctx.db.transaction(async (trx) => {
    const procedure = await findProcedureByCode(trx, procedureCode);
    if (!procedure || !procedure.active) throw notFound('procedure.not_found', `no procedure ${procedureCode}`);
    if ((await countOpenDrafts(trx, citizen.citizenId)) >= MAX_OPEN_DRAFTS) throw conflict('draft.too_many');
    const first = formOf(procedure)[0];
    if (!first) throw notFound('procedure.not_found', `procedure ${procedureCode} has no form`);
    const { id } = await insertDraft(trx, { citizenId: citizen.citizenId, procedureId: procedure.id, transactionId: `draft-${randomUUID()}`, at: ctx.now() });
    await audit(trx, { actorId: null, action: 'draft.create', entity: 'draft', entityId: id, ip: citizen.ip, detail: { citizenId: citizen.citizenId, procedure: procedure.code } });
    return { id, firstQuestion: first.key };
  });
}

export interface OpenDraftSummary {
  id: number;
  procedureCode: string;
  nameVi: string;
  nameEn: string;
  answered: number;
  total: number;
  updatedAt: Date;
}

/** "My applications in progress". */
export async function openDraftsOf(ctx: AppContext, citizenId: number): Promise<OpenDraftSummary[]> {
  const rows = await listOpenDrafts(ctx.db.kysely, citizenId);
  return rows.map((r) => {
    const questions = formOf(r);
    const answers = openAnswers(ctx, r);
    return {
      id: r.id,
      procedureCode: r.procedure_code,
      nameVi: r.name_vi,
      nameEn: r.name_en,
      answered: questions.filter((q) => answers[q.key] !== undefined).length,
      total: questions.length,
      updatedAt: r.updated_at,
    };
  });
}

function questionOf(state: DraftState, key: string): FormFieldDef {
  const q = state.questions.find((x) => x.key === key);
  if (!q) throw notFound('request.not_found', `no question ${key}`);
  return q;
}

/** Saves one checked answer, moves the bookmark, and names the commune once the receiving address is known. */
async function saveAnswer(ctx: AppContext, trx: Trx, state: DraftState, q: FormFieldDef, value: AnswerValue): Promise<void> {
  const answers: Answers = { ...state.answers, [q.key]: value };
  const stored = storeAnswers(ctx, state.questions, answers);
  let unitId: number | null | undefined;
  if (q.key === receivingAddressKey(state.questions)) {
    const commune = value && typeof value === 'object' && !Array.isArray(value) ? communeOf(value) : undefined;
    unitId = commune ? ((await findUnitByCode(trx, commune.code, localDateOf(ctx.now())))?.id ?? null) : null;
  }
  const next = nextQuestion(state.questions, q.key);
  await updateDraftAnswers(trx, state.id, { answers: stored.plain, sealed: stored.sealed, currentStep: next?.key ?? 'check', unitId, at: ctx.now() });
}

export type AnswerResult = { ok: true; next: string | null } | { ok: false; error: Extract<AnswerCheck, { ok: false }>['error'] };

/**
 * Checks and saves the answer to one question (not an address: see `pickAddress`). For a
 * document question the answer is what was uploaded already. `next` is the following
 * question's key, or null for "check your answers".
 */
export async function answerQuestion(ctx: AppContext, citizen: CitizenActor, draftId: number, key: string, raw: RawAnswer): Promise<AnswerResult> {
  return ctx.db.transaction(async (trx) => {
    const state = await stateOf(ctx, trx, await ownOpenDraftForUpdate(trx, citizen.citizenId, draftId));
    const q = questionOf(state, key);
    if (q.type === 'address') throw new Problem(400, 'request.invalid', 'addresses are picked level by level');
    const given = q.type === 'document' ? (state.answers[key] as string[] | undefined) : raw;
    const check = checkAnswer(q, given, { today: localDateOf(ctx.now()) });
    if (!check.ok) return check;
    await saveAnswer(ctx, trx, state, q, check.value);
    return { ok: true, next: nextQuestion(state.questions, key)?.key ?? null };
  });
}

/** One level of an address question; `complete` when the address needs nothing finer. */
export async function pickAddress(ctx: AppContext, citizen: CitizenActor, draftId: number, key: string, at: number, unitCode: string): Promise<{ complete: boolean; next: string | null }> {
  return ctx.db.transaction(async (trx) => {
    const state = await stateOf(ctx, trx, await ownOpenDraftForUpdate(trx, citizen.citizenId, draftId));
    const q = questionOf(state, key);
    if (q.type !== 'address') throw new Problem(400, 'request.invalid', `${key} is not an address`);
    const saved = (state.answers[key] as AddressAnswer | null | undefined) ?? null;
    const answer = await pickUnit(trx, q, saved, ctx.now(), at, unitCode);
    await saveAnswer(ctx, trx, state, q, answer);
    return { complete: answer.complete, next: nextQuestion(state.questions, key)?.key ?? null };
  });
}

/** The picker step to show for an address question of this draft. */
export async function addressStep(ctx: AppContext, state: DraftState, field: AddressFieldDef, wantAt?: number) {
  return pickerStep(ctx.db.kysely, field, (state.answers[field.key] as AddressAnswer | null | undefined) ?? null, ctx.now(), wantAt);
}

/** The file types a document question takes, by content: every photo becomes a JPEG on upload. */
function acceptsFile(field: DocumentFieldDef, data: Buffer): boolean {
  const type = sniffType(data);
  if (type === null) return true; // prepareUpload refuses it with its own message
  if (type === 'application/pdf') return field.accept.includes('application/pdf');
  return field.accept.some((a) => a.startsWith('image/'));
}

/**
 * Adds one paper to a document question. The file is checked and downscaled before the
 * transaction (it takes a moment and needs no lock); refusals are `upload.*` problems.
 */
export async function addDraftDocument(ctx: AppContext, citizen: CitizenActor, draftId: number, key: string, file: { filename: string; data: Buffer }): Promise<number> {
  const state = await loadOwnDraft(ctx, citizen.citizenId, draftId);
  const q = questionOf(state, key);
  if (q.type !== 'document') throw new Problem(400, 'request.invalid', `${key} is not a document question`);
  const limit = Math.min(ctx.config.UPLOAD_MAX_BYTES, q.maxSizeMb ? Math.floor(q.maxSizeMb * 1_000_000) : Infinity);
  if (file.data.length > 0 && !acceptsFile(q, file.data)) throw new Problem(415, q.accept.includes('application/pdf') ? 'upload.bad_type' : 'upload.photo_only');
  const prepared = await prepareUpload(file, limit);
  return ctx.db.transaction(async (trx) => {
    const row = await ownOpenDraftForUpdate(trx, citizen.citizenId, draftId);
    if ((await countDraftDocuments(trx, row.id, key)) >= MAX_FILES_PER_QUESTION) throw conflict('upload.too_many');
    const id = await storeDocument(trx, { draftId: row.id }, prepared, { kind: key, label: q.labelVi, citizenId: citizen.citizenId });
    await touchDraft(trx, row.id, ctx.now());
    await audit(trx, { actorId: null, action: 'draft.document_add', entity: 'draft', entityId: row.id, ip: citizen.ip, detail: { citizenId: citizen.citizenId, question: key, documentId: id, bytes: prepared.data.length } });
    return id;
  });
}

export async function removeDraftDocument(ctx: AppContext, citizen: CitizenActor, draftId: number, documentId: number): Promise<{ question: string | null }> {
  return ctx.db.transaction(async (trx) => {
    const row = await ownOpenDraftForUpdate(trx, citizen.citizenId, draftId);
    const doc = await trx.selectFrom('documents').select(['kind']).where('id', '=', documentId).where('draft_id', '=', row.id).executeTakeFirst();
    if (!doc) throw notFound('request.not_found', `no document ${documentId} on draft ${draftId}`);
    await deleteDraftDocument(trx, row.id, documentId);
    await audit(trx, { actorId: null, action: 'draft.document_remove', entity: 'draft', entityId: row.id, ip: citizen.ip, detail: { citizenId: citizen.citizenId, documentId } });
    return { question: doc.kind };
  });
}

/** The bytes of a paper on the citizen's own unsent draft. */
export async function readDraftDocument(ctx: AppContext, citizenId: number, draftId: number, documentId: number) {
  ownOrNotFound(await findDraft(ctx.db.kysely, draftId), citizenId);
  const doc = await ctx.db.kysely
    .selectFrom('documents')
    .select(['id', 'filename', 'content_type', 'data'])
    .where('id', '=', documentId)
    .where('draft_id', '=', draftId)
    .executeTakeFirst();
  if (!doc) throw notFound('request.not_found');
  return doc;
}

export async function deleteDraft(ctx: AppContext, citizen: CitizenActor, draftId: number): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const row = await ownOpenDraftForUpdate(trx, citizen.citizenId, draftId);
    await deleteDraftRow(trx, row.id);
    await audit(trx, { actorId: null, action: 'draft.delete', entity: 'draft', entityId: row.id, ip: citizen.ip, detail: { citizenId: citizen.citizenId } });
  });
}

// ---- sending -------------------------------------------------------------------------------

/** The confirmation SMS, in the citizen's language: short, with the code (fits 2 UCS-2 parts). */
export function submittedSmsText(lang: string, code: string): string {
  return translator(lang)('apply.sms.submitted', { code });
}

/** The citizen's own mobile, offered as the answer to "your phone number". */
export async function citizenPhone(ctx: AppContext, citizenId: number): Promise<string | undefined> {
  const c = await ctx.db.kysely.selectFrom('citizens').select('phone_sealed').where('id', '=', citizenId).executeTakeFirst();
  return c ? ctx.vault.open<{ phone?: string }>(c.phone_sealed).phone : undefined;
}

async function applicantOf(ctx: AppContext, citizenId: number) {
  const c = await ctx.db.kysely
    .selectFrom('citizens')
    .select(['full_name', 'phone_sealed', 'id_sealed', 'preferred_lang'])
    .where('id', '=', citizenId)
    .executeTakeFirstOrThrow();
  return {
    fullName: c.full_name,
    phone: ctx.vault.open<{ phone: string }>(c.phone_sealed).phone,
    idNumber: ctx.vault.open<{ idNumber?: string }>(c.id_sealed).idNumber,
    lang: c.preferred_lang,
  };
}

/**
 * Sends the application. Refuses (409 `draft.incomplete`) while a required answer is
 * missing; a draft already sent answers with its dossier, marked `replayed`.
 */
export async function submitDraft(ctx: AppContext, citizen: CitizenActor, draftId: number): Promise<{ code: string; replayed: boolean }> {
  const state = await loadOwnDraft(ctx, citizen.citizenId, draftId);
  if (state.submittedDossierId !== null) {
    const prior = await dossierCodeOf(ctx.db.kysely, state.submittedDossierId);
    if (prior) return { code: prior.code, replayed: true };
  }
  const missing = missingRequired(state.questions, state.answers, localDateOf(ctx.now()));
  const receiving = state.answers[receivingAddressKey(state.questions)] as AddressAnswer | null | undefined;
  const commune = receiving ? communeOf(receiving) : undefined;
  if (missing.length || !receiving || !commune)
    throw new Problem(409, 'draft.incomplete', `unanswered: ${missing.map((q) => q.key).join(', ')}`, missing.map((q) => ({ path: q.key, message: 'required' })));
  const applicant = await applicantOf(ctx, citizen.citizenId);
  const view = await submitOnline(
    ctx,
    citizen,
    {
      transactionId: state.submitTransactionId,
      procedureCode: state.procedure.code,
      unitCode: commune.code,
      applicant: { fullName: applicant.fullName, phone: applicant.phone, idNumber: applicant.idNumber, address: addressText(receiving) },
      formData: dossierFormData(ctx, state.questions, state.answers),
    },
    async (trx, dossier) => {
      const row = await ownOpenDraftForUpdate(trx, citizen.citizenId, draftId);
      await attachDraftDocuments(trx, row.id, dossier.id);
      await markDraftSubmitted(trx, row.id, dossier.id, ctx.now());
      await queueSms(trx, ctx.vault, {
        to: applicant.phone,
        text: submittedSmsText(applicant.lang, dossier.code),
        purpose: 'dossier_submitted',
        citizenId: citizen.citizenId,
        dossierId: dossier.id,
      });
    },
  );
  return { code: view.code, replayed: view.replayed === true };
}
