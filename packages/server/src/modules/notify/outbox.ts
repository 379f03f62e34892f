/**
 * The SMS outbox: `queueSms` is called inside the transaction of the change the message tells
 * about; the sender (`notify/sender.ts`) delivers pending rows through `ctx.adapters.sms`.
 */
import type { ColumnType, Generated } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { Vault } from '../../security/vault.ts';

export interface SmsOutboxTable {
  id: Generated<number>;
  phone_sealed: string;
  phone_hash: string;
  body: string;
  purpose: string;
  citizen_id: number | null;
  dossier_id: number | null;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | 'sent' | 'failed' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_try_at: ColumnType<Date, Date | string | undefined, Date | string>;
  provider: string | null;
  provider_id: string | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  sent_at: Date | null;
}

declare module '../../db/schema.ts' {
  interface DB {
    sms_outbox: SmsOutboxTable;
  }
}

export type SmsPurpose = 'otp' | 'dossier_submitted' | 'dossier_status' | 'supplement_requested' | 'fees_due' | 'payment_received' | 'sign_in_code' | 'other';

export interface QueuedSms {
  to: string;
  text: string;
  purpose: SmsPurpose;
  citizenId?: number | null;
  dossierId?: number | null;
}

/** Normalises a Vietnamese mobile number to 0xxxxxxxxx (the form stored and shown). */
export function normalisePhone(phone: string): string {
  const digits = phone.replace(/[\s.-]/g, '');
  if (digits.startsWith('+84')) return `0${digits.slice(3)}`;
  if (digits.startsWith('84') && digits.length === 11) return `0${digits.slice(2)}`;
  return digits;
}

export async function queueSms(trx: Trx, vault: Vault, sms: QueuedSms): Promise<number> {
  const to = normalisePhone(sms.to);
  const { id } = await trx
    .insertInto('sms_outbox')
    .values({
      phone_sealed: vault.seal({ phone: to }),
      phone_hash: vault.lookupHash('phone', to),
      body: sms.text.normalize('NFC'),
      purpose: sms.purpose,
      citizen_id: sms.citizenId ?? null,
      dossier_id: sms.dossierId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
