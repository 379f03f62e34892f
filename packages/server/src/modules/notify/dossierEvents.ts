/**
 * The SMS a dossier's applicant gets when the dossier moves: received (with the due date),
 * papers missing, fees due, refused, result ready. Written in the action's own transaction
 * (called from `applyAction`), in the applicant's language, to the phone given on the dossier
 * or, failing that, the account's. Back-dated entries (an officer typing in yesterday's
 * counter work) send nothing: the news is old and the resident has the paper receipt.
 */
import { localDateOf, type Action } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { Trx } from '../../db/database.ts';
import type { DossierRecord } from '../dossiers/queries.ts';
import { feeQuote } from '../payments/fees.ts';
import { findProcedureById } from '../procedures/queries.ts';
import { normalisePhone, queueMessage, type Purpose } from './outbox.ts';
import { renderSms } from './templates.ts';
import { audit } from '../audit/service.ts';

/** Actions older than this when recorded are history, not news. */
const STALE_MS = 24 * 3_600_000;

const MESSAGES: Partial<Record<Action, { key: string; purpose: Purpose }>> = {
  receive: { key: 'notify.sms.dossier_received', purpose: 'dossier_received' },
  refuse: { key: 'notify.sms.dossier_refused', purpose: 'dossier_refused' },
  request_supplement: { key: 'notify.sms.supplement_requested', purpose: 'supplement_requested' },
  request_fees: { key: 'notify.sms.fees_due', purpose: 'fees_due' },
  finish: { key: 'notify.sms.result_ready', purpose: 'result_ready' },
};

/** `2026-12-05` → `05/12/2026`, as Vietnamese readers write dates. */
export function vnDate(at: Date): string {
  const [y, m, d] = localDateOf(at).split('-');
  return `${d}/${m}/${y}`;
}

/** Where a receipt rendered before its dossier has a code carries it; the dossier's statement puts the code in. */
export const CODE_MARK = 'CAUSO-CODE-MARK';

export interface ReceiptSms {
  recipientSealed: string;
  recipientHash: string;
  body: string;
  purpose: Purpose;
  template: string;
  at: Date;
}

/**
 * The receipt SMS of a dossier received on the spot for an applicant without an account (to
 * the phone given, in Vietnamese), as notifyDossierAction would queue it, with CODE_MARK for the
 * code; null when none goes out (no phone, or a back-dated entry).
 */
export function receiptSms(ctx: AppContext, phone: string | undefined, at: Date, dueAt: Date | null): ReceiptSms | null {
  const message = MESSAGES.receive;
  if (!message || !phone || ctx.now().getTime() - at.getTime() > STALE_MS) return null;
  const to = normalisePhone(phone);
  return {
    recipientSealed: ctx.vault.seal({ phone: to }),
    recipientHash: ctx.vault.lookupHash('phone', to),
    body: renderSms('vi', message.key, { code: CODE_MARK, due: dueAt ? vnDate(dueAt) : '', count: '0', amount: 0 }),
    purpose: message.purpose,
    template: message.key,
    at: ctx.now(),
  };
}

export interface ApplicantContact {
  phone: string | null;
  lang: string;
}

/** The phone given on the dossier, or the account's; the account's language, or Vietnamese. */
export async function applicantContact(ctx: AppContext, trx: Trx, d: DossierRecord): Promise<ApplicantContact> {
  const personal = d.applicant_sealed ? ctx.vault.open<{ phone?: string }>(d.applicant_sealed) : {};
  const citizen = d.citizen_id ? await trx.selectFrom('citizens').select(['phone_sealed', 'preferred_lang']).where('id', '=', d.citizen_id).executeTakeFirst() : undefined;
  const phone = personal.phone ?? (citizen ? ctx.vault.open<{ phone: string }>(citizen.phone_sealed).phone : null);
  return { phone: phone || null, lang: citizen?.preferred_lang ?? 'vi' };
}

async function feeAmount(trx: Trx, d: DossierRecord): Promise<number> {
  const procedure = await findProcedureById(trx, d.procedure_id);
  return feeQuote(procedure?.fees ?? [], { channel: d.channel, formData: (d.form_data ?? {}) as Record<string, unknown> }).total;
}

export interface ActionFacts {
  action: Action;
  at: Date;
  dueAt: Date | null;
  missingDocuments?: string[] | undefined;
}

export async function notifyDossierAction(ctx: AppContext, trx: Trx, d: DossierRecord, facts: ActionFacts): Promise<number | null> {
  const message = MESSAGES[facts.action];
  if (!message || ctx.now().getTime() - facts.at.getTime() > STALE_MS) return null;
  const contact = await applicantContact(ctx, trx, d);
  if (!contact.phone) return null;
  const params = {
    code: d.code,
    due: facts.dueAt ? vnDate(facts.dueAt) : '',
    count: String(facts.missingDocuments?.length ?? 0),
    amount: facts.action === 'request_fees' ? await feeAmount(trx, d) : 0,
  };
  return queueMessage(trx, ctx.vault, {
    to: contact.phone,
    text: renderSms(contact.lang, message.key, params),
    template: message.key,
    purpose: message.purpose,
    citizenId: d.citizen_id,
    dossierId: d.id,
    at: ctx.now(),
  });
}

/** "Sorry, dossier X is late; new date D", written with the audit entry of who sent it. Null without a phone. */
export async function queueApologySms(ctx: AppContext, code: string, newDate: string, officerId: number | null, ip: string | null): Promise<number | null> {
  return ctx.db.transaction(async (trx) => {
    const d = await trx.selectFrom('dossiers').selectAll().where('code', '=', code).executeTakeFirst();
    if (!d) return null;
    const contact = await applicantContact(ctx, trx, d);
    if (!contact.phone) return null;
    const id = await queueMessage(trx, ctx.vault, {
      to: contact.phone,
      text: renderSms(contact.lang, 'notify.sms.late_apology', { code: d.code, date: `${newDate.slice(8, 10)}/${newDate.slice(5, 7)}/${newDate.slice(0, 4)}` }),
      template: 'notify.sms.late_apology',
      purpose: 'late_apology',
      citizenId: d.citizen_id,
      dossierId: d.id,
      at: ctx.now(),
    });
    await audit(trx, { actorId: officerId, action: 'dossier.apology_sms', entity: 'dossier', entityId: d.code, ip, detail: { newDate } });
    return id;
  });
}
