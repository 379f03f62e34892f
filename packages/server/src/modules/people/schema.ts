/** Kysely's view of the tables in migrations/004_accounts.sql. Keep the two in step. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type MaybeTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface SignupsTable {
  id: Generated<number>;
  token_hash: string;
  id_hash: string;
  phone_hash: string;
  person_sealed: string;
  register: string;
  duplicate: Generated<boolean>;
  lang: Generated<string>;
  next_path: string | null;
  verified_at: MaybeTimestamp;
  completed_at: MaybeTimestamp;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface OtpChallengesTable {
  id: Generated<number>;
  purpose: 'sign_up' | 'sign_in';
  token_hash: string | null;
  signup_id: number | null;
  citizen_id: number | null;
  phone_hash: string;
  phone_sealed: string;
  code_hash: string;
  expires_at: Timestamp;
  tries_left: Generated<number>;
  sends: Generated<number>;
  resend_limit: Generated<number>;
  last_sent_at: Timestamp;
  used_at: MaybeTimestamp;
  created_at: Timestamp;
}

export interface OtpSendsTable {
  id: Generated<number>;
  phone_hash: string;
  ip: string | null;
  purpose: 'sign_up' | 'sign_in';
  sent_at: Timestamp;
}

export interface SignInFailuresTable {
  phone_hash: string;
  failures: number;
  locked_until: MaybeTimestamp;
  updated_at: Timestamp;
}

export type BlockerKind = 'sim_not_owner' | 'no_smartphone' | 'no_coverage' | 'no_id_card' | 'language' | 'other';

export interface BlockersTable {
  id: Generated<number>;
  id_hash: string | null;
  phone_hash: string | null;
  person_sealed: string;
  kind: BlockerKind;
  source: 'portal' | 'field' | 'counter';
  status: ColumnType<'open' | 'resolved', 'open' | 'resolved' | undefined, 'open' | 'resolved'>;
  note: ColumnType<string, string | undefined, string>;
  register: string | null;
  unit_id: number | null;
  occurrences: Generated<number>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: MaybeTimestamp;
  resolved_by: number | null;
  resolution: string | null;
  // 009_field.sql: blockers recorded in the field, or linked to a resident of a team's register
  client_id: ColumnType<string | null, string | null | undefined, string | null>;
  household_id: ColumnType<string | null, string | null | undefined, string | null>;
  resident_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_by: ColumnType<number | null, number | null | undefined, number | null>;
}

declare module '../../db/schema.ts' {
  interface DB {
    signups: SignupsTable;
    otp_challenges: OtpChallengesTable;
    otp_sends: OtpSendsTable;
    sign_in_failures: SignInFailuresTable;
    blockers: BlockersTable;
  }
  interface CitizensTable {
    phone_checked_by: ColumnType<string | null, string | null | undefined, string | null>;
    phone_checked_at: MaybeTimestamp;
  }
}
