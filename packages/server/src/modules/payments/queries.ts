/** The payments table (migration 006) and the SQL the payments service needs. */
import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Trx } from '../../db/database.ts';

export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'cancelled';
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface PaymentsTable {
  id: Generated<number>;
  dossier_id: number;
  fee_request_seq: number;
  reference: string;
  amount: number;
  status: ColumnType<PaymentStatus, PaymentStatus | undefined, PaymentStatus>;
  method: 'online' | 'counter';
  gateway: string | null;
  provider_txn: string | null;
  redirect_url: string | null;
  receipt_no: string | null;
  citizen_id: number | null;
  recorded_by: number | null;
  refund_due: ColumnType<boolean, boolean | undefined, boolean>;
  callback: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  paid_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

declare module '../../db/schema.ts' {
  interface DB {
    payments: PaymentsTable;
  }
}

export type PaymentRecord = Selectable<PaymentsTable>;

export function lockPaymentByReference(trx: Trx, reference: string) {
  return trx.selectFrom('payments').selectAll().where('reference', '=', reference).forUpdate().executeTakeFirst();
}

export function findPaymentByReference(db: Kysely<DB>, reference: string) {
  return db.selectFrom('payments').selectAll().where('reference', '=', reference).executeTakeFirst();
}

export function paymentsOfDossier(db: Kysely<DB>, dossierId: number) {
  return db.selectFrom('payments').selectAll().where('dossier_id', '=', dossierId).orderBy('id', 'desc').execute();
}

export function pendingOnlinePayment(db: Kysely<DB>, dossierId: number) {
  return db.selectFrom('payments').selectAll().where('dossier_id', '=', dossierId).where('method', '=', 'online').where('status', '=', 'pending').executeTakeFirst();
}

/** Online payments still waiting for the gateway, created before `before`, oldest first. */
export function stalePendingPayments(db: Kysely<DB>, before: Date, limit: number) {
  return db
    .selectFrom('payments')
    .selectAll()
    .where('status', '=', 'pending')
    .where('method', '=', 'online')
    .where('created_at', '<=', before)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/** The seq of the latest request_fees action: the request a payment now answers. */
export async function currentFeeRequestSeq(db: Kysely<DB>, dossierId: number): Promise<number | null> {
  const row = await db
    .selectFrom('dossier_actions')
    .select('seq')
    .where('dossier_id', '=', dossierId)
    .where('action', '=', 'request_fees')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.seq ?? null;
}
