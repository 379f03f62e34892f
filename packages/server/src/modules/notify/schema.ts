/** Tables of the notification module beyond the outbox (`outbox.ts`): residents' texts and users' contact details. */
import type { ColumnType, Generated } from 'kysely';

export interface SmsInboundTable {
  id: Generated<number>;
  sender_sealed: string;
  sender_hash: string;
  to_number: string;
  body: string;
  command: string;
  outcome: 'answered' | 'limited' | 'ignored';
  reply_id: number | null;
  received_at: ColumnType<Date, Date | string, Date | string>;
}

/** Signed SMS callbacks already accepted, until their timestamp leaves the window (015_callback_signatures.sql). */
export interface NotifyCallbackSignaturesTable {
  signature: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

declare module '../../db/schema.ts' {
  interface DB {
    sms_inbound: SmsInboundTable;
    notify_callback_signatures: NotifyCallbackSignaturesTable;
  }
  interface UsersTable {
    /** The member's mobile, sealed (reminders by SMS); found by `phone_hash`. */
    phone_sealed: ColumnType<string | null, string | null | undefined, string | null>;
    phone_hash: ColumnType<string | null, string | null | undefined, string | null>;
    /** Work e-mail address (reminders by e-mail). */
    email: ColumnType<string | null, string | null | undefined, string | null>;
  }
}
