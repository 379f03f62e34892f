/**
 * Look-up by SMS, for residents with a feature phone and no data: a text to the province's
 * number is answered by SMS.
 *
 *   HS <code>            the dossier's status, due date and what to do; from the phone on the
 *                        dossier (or its account). From another phone the answer asks for the
 *                        last 4 digits of that phone, as public tracking on the web does.
 *   HS <code> <4 digits> the same, from any phone.
 *   HS                   the newest dossier of the sending phone.
 *   SIM, VNEID           the short steps for the two most common blockers.
 *   anything else        the list of commands.
 *
 * A wrong code and wrong digits get the same answer, and wrong guesses per code are counted
 * with the web's limits, so codes cannot be probed by SMS either. Each sender has an hourly
 * allowance (smaller for a number the platform does not know); texts over it are recorded and
 * not answered, so nobody can make the province pay for a flood of replies.
 */
import { toGsm7Text, type Status } from '@causo/domain';
import type { AppContext } from '../../context.ts';
import type { InboundSms } from '../../adapters/sms/port.ts';
import { audit } from '../audit/service.ts';
import { citizenViewOf } from '../dossiers/citizenDossiers.ts';
import { findDossierByCode, type DossierRecord } from '../dossiers/queries.ts';
import { attemptsSoFar, countAttempt, limitKey } from '../dossiers/pages/track/lookupLimits.ts';
import { TRACK_LIMITS } from '../dossiers/pages/track/lookup.ts';
import { feeQuote } from '../payments/fees.ts';
import { findProcedureById } from '../procedures/queries.ts';
import { applicantContact, vnDate } from './dossierEvents.ts';
import { normalisePhone, queueMessage } from './outbox.ts';
import './schema.ts';
import { LOOKUP_MISSING_MAX, onePartIfPossible, renderSms } from './templates.ts';

export type Command = { kind: 'lookup'; code: string | null; last4: string | null } | { kind: 'help'; topic: 'sim' | 'vneid' | null };

/** Reads a text the way people type on a keypad: any case, marks or not, extra spaces, `HS:123`. */
export function parseCommand(text: string): Command {
  const plain = toGsm7Text(text).trim().replace(/\s+/g, ' ');
  // `HS`, `HS 123`, `HS:123`, `HS123` (no space, as typed on a keypad), but not a word such as `HSSV`.
  const m = /^H\s?S(?=$|[\s:.,-]|\d)[\s:.,-]*(\S+)?(?:\s+(\d{4}))?/i.exec(plain);
  if (m) return { kind: 'lookup', code: m[1] ? m[1].toUpperCase() : null, last4: m[2] ?? null };
  const word = plain.split(' ')[0]?.toUpperCase() ?? '';
  if (word === 'SIM' || word === 'TTTB') return { kind: 'help', topic: 'sim' };
  if (word === 'VNEID') return { kind: 'help', topic: 'vneid' };
  return { kind: 'help', topic: null };
}

async function senderIsKnown(ctx: AppContext, hash: string): Promise<boolean> {
  const db = ctx.db.kysely;
  const [citizen, dossier] = await Promise.all([
    db.selectFrom('citizens').select('id').where('phone_hash', '=', hash).executeTakeFirst(),
    db.selectFrom('dossiers').select('id').where('applicant_phone_hash', '=', hash).limit(1).executeTakeFirst(),
  ]);
  return Boolean(citizen || dossier);
}

async function overAllowance(ctx: AppContext, hash: string): Promise<boolean> {
  const since = new Date(ctx.now().getTime() - 3_600_000);
  const row = await ctx.db.kysely
    .selectFrom('sms_inbound')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sender_hash', '=', hash)
    .where('received_at', '>=', since)
    .where('outcome', '=', 'answered')
    .executeTakeFirstOrThrow();
  const allowance = ctx.config.SMS_INBOUND_PER_SENDER_PER_HOUR;
  const limit = (await senderIsKnown(ctx, hash)) ? allowance : Math.min(3, allowance);
  return Number(row.n) >= limit;
}

/** The phone on the dossier (or its account) is the sender's. */
async function sentFromDossierPhone(ctx: AppContext, d: DossierRecord, hash: string): Promise<boolean> {
  if (d.applicant_phone_hash === hash) return true;
  if (!d.citizen_id) return false;
  const c = await ctx.db.kysely.selectFrom('citizens').select('phone_hash').where('id', '=', d.citizen_id).executeTakeFirst();
  return c?.phone_hash === hash;
}

async function lastDigitsMatch(ctx: AppContext, d: DossierRecord, last4: string): Promise<boolean> {
  const { phone } = await ctx.db.transaction((trx) => applicantContact(ctx, trx, d));
  return phone !== null && phone.replace(/\D/g, '').endsWith(last4);
}

/** One-line status of a dossier, in the resident's words. */
export async function statusReply(ctx: AppContext, d: DossierRecord, lang: string): Promise<string> {
  const status = d.status as Status;
  const code = d.code;
  const due = d.due_at ? vnDate(d.due_at) : '';
  if ((status === 2 || status === 4) && d.due_at && d.due_at < ctx.now()) return renderSms(lang, 'notify.sms.lookup.late', { code, due });
  let missing = '';
  let amount = 0;
  if (status === 5) {
    const view = await citizenViewOf(ctx, d);
    missing = view.missingDocuments.join(', ');
    if ([...missing].length > LOOKUP_MISSING_MAX) missing = `${[...missing].slice(0, LOOKUP_MISSING_MAX - 3).join('')}...`;
  }
  if (status === 6) {
    const procedure = await findProcedureById(ctx.db.kysely, d.procedure_id);
    amount = feeQuote(procedure?.fees ?? [], { channel: d.channel, formData: (d.form_data ?? {}) as Record<string, unknown> }).total;
  }
  return renderSms(lang, `notify.sms.lookup.status.${status}`, { code, due, missing, amount });
}

async function newestDossierOf(ctx: AppContext, hash: string): Promise<DossierRecord | undefined> {
  const citizenIds = (await ctx.db.kysely.selectFrom('citizens').select('id').where('phone_hash', '=', hash).execute()).map((c) => c.id);
  return ctx.db.kysely
    .selectFrom('dossiers')
    .selectAll()
    .where((eb) => eb.or([eb('applicant_phone_hash', '=', hash), ...(citizenIds.length ? [eb('citizen_id', 'in', citizenIds)] : [])]))
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

async function lookupReply(ctx: AppContext, cmd: Extract<Command, { kind: 'lookup' }>, hash: string, lang: string): Promise<string> {
  if (!cmd.code) {
    const d = await newestDossierOf(ctx, hash);
    return d ? statusReply(ctx, d, lang) : renderSms(lang, 'notify.sms.lookup.none_for_phone');
  }
  const codeKey = limitKey(ctx, 'code', cmd.code);
  if ((await attemptsSoFar(ctx, TRACK_LIMITS.perCode, codeKey)) >= TRACK_LIMITS.perCode.max) return renderSms(lang, 'notify.sms.lookup.not_found', { code: cmd.code });
  const d = await findDossierByCode(ctx.db.kysely, cmd.code);
  if (d && (await sentFromDossierPhone(ctx, d, hash))) return statusReply(ctx, d, lang);
  // From another phone: the same answer whether the code exists or not.
  if (!cmd.last4) return renderSms(lang, 'notify.sms.lookup.need_digits', { code: cmd.code });
  if (d && (await lastDigitsMatch(ctx, d, cmd.last4))) return statusReply(ctx, d, lang);
  await countAttempt(ctx, TRACK_LIMITS.perCode, codeKey);
  return renderSms(lang, 'notify.sms.lookup.not_found', { code: cmd.code });
}

function helpReply(cmd: Extract<Command, { kind: 'help' }>, lang: string): string {
  return renderSms(lang, cmd.topic ? `notify.sms.help.${cmd.topic}` : 'notify.sms.help');
}

export type InboundOutcome = 'answered' | 'limited';

/** Records a resident's text and queues the answer, in one transaction. */
export async function handleInboundSms(ctx: AppContext, m: InboundSms): Promise<InboundOutcome> {
  const from = normalisePhone(m.from.startsWith('84') && m.from.length === 11 ? `+${m.from}` : m.from);
  const hash = ctx.vault.lookupHash('phone', from);
  const cmd = parseCommand(m.text);
  const limited = await overAllowance(ctx, hash);
  const citizen = await ctx.db.kysely.selectFrom('citizens').select('preferred_lang').where('phone_hash', '=', hash).executeTakeFirst();
  const lang = citizen?.preferred_lang ?? 'vi';
  const reply = limited ? null : onePartIfPossible(cmd.kind === 'lookup' ? await lookupReply(ctx, cmd, hash, lang) : helpReply(cmd, lang));
  await ctx.db.transaction(async (trx) => {
    const replyId = reply ? await queueMessage(trx, ctx.vault, { to: from, text: reply, purpose: 'lookup_reply', template: cmd.kind === 'lookup' ? 'notify.sms.lookup' : 'notify.sms.help', at: ctx.now() }) : null;
    await trx
      .insertInto('sms_inbound')
      .values({
        sender_sealed: ctx.vault.seal({ phone: from }),
        sender_hash: hash,
        to_number: m.to.slice(0, 20),
        body: m.text.normalize('NFC').slice(0, 500),
        command: cmd.kind === 'lookup' ? (cmd.code ? 'HS code' : 'HS') : (cmd.topic ?? 'help').toUpperCase(),
        outcome: limited ? 'limited' : 'answered',
        reply_id: replyId,
        received_at: m.receivedAt,
      })
      .execute();
    if (cmd.kind === 'lookup' && cmd.code) await audit(trx, { actorId: null, action: 'dossier.track_sms', entity: 'dossier', entityId: cmd.code.slice(0, 40), detail: { answered: !limited } });
  });
  if (limited) ctx.log.warn({ command: cmd.kind }, 'inbound SMS over the sender allowance: not answered');
  return limited ? 'limited' : 'answered';
}
