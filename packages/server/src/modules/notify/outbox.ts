/**
 * The notification outbox: one row per message (SMS or e-mail), written inside the
 * transaction of the change the message tells about, so a message goes out only for a write
 * that committed. The worker (`notify/worker.ts`) delivers due rows through the configured
 * gateways and records what the provider and, later, the network said.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { Vault } from '../../security/vault.ts';

export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed_temporary', 'failed_permanent'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export type Channel = 'sms' | 'email';

export interface NotifyOutboxTable {
  id: Generated<number>;
  channel: ColumnType<Channel, Channel | undefined, Channel>;
  recipient_sealed: string;
  recipient_hash: string;
  subject: string | null;
  body: string;
  purpose: string;
  template: string | null;
  citizen_id: number | null;
  dossier_id: number | null;
  user_id: number | null;
  dedupe_key: string | null;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: Generated<number>;
  next_try_at: ColumnType<Date, Date | string | undefined, Date | string>;
  provider: string | null;
  provider_id: string | null;
  last_error: string | null;
  duplicate_suspected: Generated<boolean>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  sent_at: Date | null;
  delivered_at: Date | null;
  receipt_detail: string | null;
}

declare module '../../db/schema.ts' {
  interface DB {
    notify_outbox: NotifyOutboxTable;
  }
}

export const PURPOSES = [
  'otp',
  'sign_in_code',
  'dossier_submitted',
  'dossier_received',
  'dossier_status',
  'supplement_requested',
  'fees_due',
  'payment_received',
  'result_ready',
  'dossier_refused',
  'late_apology',
  'lookup_reply',
  'follow_up_reminder',
  'other',
] as const;
export type Purpose = (typeof PURPOSES)[number];
/** @deprecated name kept for the callers written before e-mail: every purpose can go by SMS. */
export type SmsPurpose = Purpose;

export interface QueuedMessage {
  channel?: Channel;
  /** A phone number (SMS) or an e-mail address. */
  to: string;
  subject?: string | null;
  text: string;
  purpose: Purpose;
  template?: string | null;
  citizenId?: number | null;
  dossierId?: number | null;
  userId?: number | null;
  dedupeKey?: string | null;
  /** When the row was written, from the application's clock (so lag is measured on one clock). */
  at?: Date;
}
export type QueuedSms = Omit<QueuedMessage, 'channel' | 'subject'>;

/** Normalises a Vietnamese mobile number to 0xxxxxxxxx (the form stored and shown). */
export function normalisePhone(phone: string): string {
  const digits = phone.replace(/[\s.-]/g, '');
  if (digits.startsWith('+84')) return `0${digits.slice(3)}`;
  if (digits.startsWith('84') && digits.length === 11) return `0${digits.slice(2)}`;
  return digits;
}

/** The sealed form of a recipient: `{ phone }` or `{ email }`. */
export type SealedRecipient = { phone: string } | { email: string };

export function recipientOf(vault: Vault, sealed: string): string {
  const r = vault.open<Partial<{ phone: string; email: string }>>(sealed);
  return r.phone ?? r.email ?? '';
}

/**
 * Writes one message. With a `dedupeKey` already used, nothing is written and null comes back
 * (a reminder job run twice sends once).
 */
export async function queueMessage(trx: Trx, vault: Vault, m: QueuedMessage): Promise<number | null> {
  const channel = m.channel ?? 'sms';
  const to = channel === 'sms' ? normalisePhone(m.to) : m.to.trim();
  const sealed: SealedRecipient = channel === 'sms' ? { phone: to } : { email: to };
  const row = await trx
    .insertInto('notify_outbox')
    .values({
      channel,
      recipient_sealed: vault.seal(sealed),
      recipient_hash: vault.lookupHash(channel === 'sms' ? 'phone' : 'email', to),
      subject: m.subject ?? null,
      body: m.text.normalize('NFC'),
      purpose: m.purpose,
      template: m.template ?? null,
      citizen_id: m.citizenId ?? null,
      dossier_id: m.dossierId ?? null,
      user_id: m.userId ?? null,
      dedupe_key: m.dedupeKey ?? null,
      ...(m.at ? { created_at: m.at, next_try_at: m.at } : {}),
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** An SMS whose text the caller has already rendered (OTP codes and receipts). */
export async function queueSms(trx: Trx, vault: Vault, sms: QueuedSms): Promise<number> {
  const id = await queueMessage(trx, vault, { ...sms, channel: 'sms' });
  if (id === null) throw new Error('an SMS without a dedupe key was not queued');
  return id;
}
