/**
 * Assisted applications (hỗ trợ nộp hồ sơ): a team member fills in a procedure's form with a
 * resident, offline, with the resident's consent. When the phone syncs, the application
 * becomes an online dossier (channel 2) of the resident's commune, through the same
 * `insertNewDossier` as the portal (counters, audit, code), flagged as assisted.
 */
import {
  checkAnswer,
  localDateOf,
  missingRequired,
  questionsOf,
  receivingAddressKey,
  type AddressAnswer,
  type Answers,
  type FileRef,
  type FormFieldDef,
  type PickedUnit,
  type RawAnswer,
} from '@causo/domain';
import type { Trx } from '../../../db/database.ts';
import { findProcedureByCode } from '../../procedures/queries.ts';
import { insertNewDossier, unitForReception } from '../../dossiers/service.ts';
import { dossierFormData } from '../../dossiers/formData.ts';
import { addressText, communeOf } from '../../dossiers/addressPicker.ts';
import { submittedSmsText } from '../../dossiers/drafts.ts';
import { queueSms } from '../../notify/outbox.ts';
import { residentFieldsOf } from '../../teams/records.ts';
import { requireFile } from './activity.ts';
import { Rejection, flushEnvelopes, noteChange, villageById, type Applied, type ApplyContext } from './context.ts';

interface ApplicationEnvelope {
  id: string;
  memberId: number;
  entityId: string;
  occurredAt: string;
  payload: {
    residentId: string;
    procedureCode: string;
    answers: Record<string, unknown>;
    consent: { kind: 'checkbox'; agreed: true; name: string } | { kind: 'photo'; photo: FileRef };
    mode: 'on_behalf' | 'alongside';
  };
}

/** The village and everything above it, province first, as an address answer. */
async function villageAddress(trx: Trx, villageId: number): Promise<AddressAnswer> {
  const v = await trx.selectFrom('units').select('ancestor_ids').where('id', '=', villageId).executeTakeFirstOrThrow();
  const rows = await trx.selectFrom('units').select(['id', 'code', 'name', 'level']).where('id', 'in', v.ancestor_ids).execute();
  const order = new Map(v.ancestor_ids.map((id, i) => [id, i]));
  const units: PickedUnit[] = rows.sort((a, b) => (order.get(b.id) ?? 0) - (order.get(a.id) ?? 0)).map((u) => ({ code: u.code, name: u.name, level: u.level }));
  return { units, complete: true };
}

/** Document questions are answered on the phone with photos, uploaded first and named by hash. */
async function checkDocuments(a: ApplyContext, q: FormFieldDef, raw: unknown): Promise<string[] | null> {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return null;
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x))) throw new Rejection('sync.application_invalid', `${q.key}: photos are named by their SHA-256`);
  for (const sha256 of raw as string[]) await requireFile(a, { sha256, type: 'image/jpeg', bytes: 1 });
  return raw as string[];
}

/**
 * The phone sends answers as the form runner stores them (a number as a number, a date as
 * YYYY-MM-DD) or as typed (digits as text); anything else is an error for that question, never
 * a crash.
 */
function checkRaw(q: FormFieldDef, raw: unknown, today: string): ReturnType<typeof checkAnswer> {
  const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  const address = q.type === 'address' && typeof value === 'object' && value !== null && Array.isArray((value as { units?: unknown }).units);
  const plain =
    address ||
    value === undefined ||
    value === null ||
    typeof value === 'string' ||
    (Array.isArray(value) && value.every((v) => typeof v === 'string')) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((v) => typeof v === 'string'));
  if (!plain) return { ok: false, error: { key: 'apply.error.invalid' } };
  try {
    return checkAnswer(q, (value ?? undefined) as RawAnswer, { today });
  } catch {
    return { ok: false, error: { key: 'apply.error.invalid' } };
  }
}

export async function applyApplication(a: ApplyContext, e: ApplicationEnvelope): Promise<Applied> {
  const p = e.payload;
  const resident = await a.trx.selectFrom('residents').select(['unit_id', 'household_id', 'data', 'personal_sealed']).where('id', '=', p.residentId).executeTakeFirst();
  if (!resident) throw new Rejection('sync.not_found', `no resident ${p.residentId}`);
  villageById(a, resident.unit_id);
  if (p.consent.kind === 'photo') await requireFile(a, p.consent.photo);
  const procedure = await findProcedureByCode(a.trx, p.procedureCode);
  if (!procedure || !procedure.active) throw new Rejection('sync.application_invalid', `no procedure ${p.procedureCode} open for applications`);

  const today = localDateOf(a.receivedAt);
  const questions = questionsOf(procedure.form as FormFieldDef[]);
  const home = await villageAddress(a.trx, resident.unit_id);
  const answers: Answers = {};
  const errors: string[] = [];
  for (const q of questions) {
    const raw = p.answers[q.key];
    // An address left blank on the phone is the resident's own village: the member is standing in it.
    if (q.type === 'address' && (raw === undefined || raw === null)) {
      answers[q.key] = home;
      continue;
    }
    if (q.type === 'document') {
      answers[q.key] = await checkDocuments(a, q, raw);
      continue;
    }
    const checked = checkRaw(q, raw, today);
    if (checked.ok) answers[q.key] = checked.value;
    else errors.push(`${q.key}: ${checked.error.key}`);
  }
  const missing = missingRequired(questions, answers, today).filter((q) => q.type !== 'document' || answers[q.key] === null);
  if (errors.length || missing.length) throw new Rejection('sync.application_invalid', [...errors, ...missing.map((q) => `${q.key}: required`)].join('; '));
  const receiving = answers[receivingAddressKey(questions)] as AddressAnswer;
  const commune = communeOf(receiving);
  if (!commune) throw new Rejection('sync.application_invalid', 'the address has no commune to receive the dossier');

  const person = residentFieldsOf(a.ctx.vault, resident);
  const unit = await unitForReception(a.trx, commune.code, a.receivedAt);
  const created = await insertNewDossier(a.ctx, a.trx, a.calendar, {
    procedure,
    unit,
    channel: 2,
    applicant: { fullName: person.fullName, phone: person.phones[0], idNumber: person.idNumber ?? undefined, address: addressText(home) },
    formData: { ...dossierFormData(a.ctx, questions, answers), _assisted: { residentId: p.residentId, mode: p.mode } },
    at: a.receivedAt,
    transactionId: e.id,
    who: { role: 'member', userId: e.memberId, citizenId: null, ip: a.member.ip },
  });
  await a.trx.updateTable('dossiers').set({ assisted_by: e.memberId, assist_mode: p.mode }).where('id', '=', created.id).execute();
  await flushEnvelopes(a); // the row below refers to this envelope's
  await a.trx
    .insertInto('assisted_applications')
    .values({
      id: e.entityId,
      envelope_id: e.id,
      dossier_id: created.id,
      unit_id: resident.unit_id,
      resident_id: p.residentId,
      member_id: e.memberId,
      mode: p.mode,
      consent_sealed: a.ctx.vault.seal(p.consent.kind === 'photo' ? { kind: 'photo', sha256: p.consent.photo.sha256 } : { kind: 'checkbox', name: p.consent.name }),
      consent_photo: p.consent.kind === 'photo' ? p.consent.photo.sha256 : null,
      occurred_at: e.occurredAt,
      created_at: a.receivedAt,
    })
    .execute();
  const phone = person.phones[0];
  if (phone) await queueSms(a.trx, a.ctx.vault, { to: phone, text: submittedSmsText('vi', created.code), purpose: 'dossier_submitted', citizenId: null, dossierId: created.id });
  await noteChange(a, resident.unit_id, 'application', e.entityId);
  return { version: 1, conflictIds: [] };
}
