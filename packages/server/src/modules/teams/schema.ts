/** Kysely's view of the tables in migrations/009_field.sql. Keep the two in step. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type MaybeTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

/** Per field: the version that last changed it, its device time, envelope and device. */
export type FieldMeta = Record<string, { v: number; at: string; env: string | null; dev: string | null }>;

export interface TeamsTable {
  id: Generated<number>;
  unit_id: number;
  name: string;
  created_at: Timestamp;
}

export interface DevicesTable {
  id: string;
  user_id: number;
  label: ColumnType<string, string | undefined, string>;
  status: ColumnType<'active' | 'lost' | 'wiped', 'active' | 'lost' | 'wiped' | undefined, 'active' | 'lost' | 'wiped'>;
  registered_at: Timestamp;
  last_seen_at: Timestamp;
  last_sync_at: MaybeTimestamp;
  lost_marked_by: ColumnType<number | null, number | null | undefined, number | null>;
  lost_marked_at: MaybeTimestamp;
  wiped_at: MaybeTimestamp;
}

export interface HouseholdsTable {
  id: string;
  unit_id: number;
  version: number;
  data: Json<Record<string, unknown>>;
  field_meta: Json<FieldMeta>;
  search: string;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResidentsTable {
  id: string;
  household_id: string;
  unit_id: number;
  version: number;
  data: Json<Record<string, unknown>>;
  personal_sealed: string;
  id_hash: string | null;
  phone_hashes: ColumnType<string[], string[] | undefined, string[]>;
  field_meta: Json<FieldMeta>;
  search: string;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FieldFilesTable {
  sha256: string;
  type: string;
  bytes: number;
  data: Buffer;
  uploaded_by: number;
  uploaded_at: Timestamp;
}

export interface VisitsTable {
  id: string;
  unit_id: number;
  household_id: string;
  resident_id: string | null;
  member_id: number;
  actions: string[];
  notes: ColumnType<string, string | undefined, string>;
  photo_sha256: string | null;
  occurred_at: Timestamp;
  received_at: Timestamp;
}

export interface FollowUpsTable {
  id: string;
  unit_id: number;
  household_id: string;
  resident_id: string | null;
  blocker_id: number | null;
  assignee_id: number;
  created_by: number;
  due_date: ColumnType<string, string, string>;
  note: ColumnType<string, string | undefined, string>;
  version: Generated<number>;
  created_at: Timestamp;
  done_at: MaybeTimestamp;
  done_by: ColumnType<number | null, number | null | undefined, number | null>;
  done_note: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SyncEnvelopesTable {
  id: string;
  device_id: string;
  member_id: number;
  entity: string;
  entity_id: string;
  op: 'create' | 'update' | 'append';
  base_version: number | null;
  occurred_at: Timestamp;
  received_at: Timestamp;
  payload_hash: string;
  content_hash: string;
  result: 'accepted' | 'conflict';
  result_version: number | null;
  payload_sealed: string;
}

export interface SyncConflictsTable {
  id: Generated<number>;
  unit_id: number;
  entity: 'household' | 'resident';
  entity_id: string;
  field: string;
  values_sealed: string;
  envelope_id: string;
  member_id: number;
  incoming_won: boolean;
  kept_at: Timestamp;
  kept_envelope: string | null;
  other_at: Timestamp;
  other_envelope: string | null;
  other_member_id: number | null;
  status: ColumnType<'open' | 'resolved', 'open' | 'resolved' | undefined, 'open' | 'resolved'>;
  version: Generated<number>;
  created_at: Timestamp;
  resolved_by: ColumnType<number | null, number | null | undefined, number | null>;
  resolved_at: MaybeTimestamp;
  resolution: ColumnType<'kept' | 'other' | null, 'kept' | 'other' | null | undefined, 'kept' | 'other' | null>;
}

export interface AssistedApplicationsTable {
  id: string;
  envelope_id: string;
  dossier_id: number;
  unit_id: number;
  resident_id: string;
  member_id: number;
  mode: 'on_behalf' | 'alongside';
  consent_sealed: string;
  consent_photo: string | null;
  occurred_at: Timestamp;
  created_at: Timestamp;
}

export interface SyncChangesTable {
  seq: Generated<string>;
  xid: Generated<string>;
  unit_id: number;
  entity: string;
  entity_id: string;
}

declare module '../../db/schema.ts' {
  interface DB {
    teams: TeamsTable;
    devices: DevicesTable;
    households: HouseholdsTable;
    residents: ResidentsTable;
    field_files: FieldFilesTable;
    visits: VisitsTable;
    follow_ups: FollowUpsTable;
    sync_envelopes: SyncEnvelopesTable;
    sync_conflicts: SyncConflictsTable;
    assisted_applications: AssistedApplicationsTable;
    sync_changes: SyncChangesTable;
  }
  interface DossiersTable {
    assisted_by: ColumnType<number | null, number | null | undefined, number | null>;
    assist_mode: ColumnType<'on_behalf' | 'alongside' | null, 'on_behalf' | 'alongside' | null | undefined, 'on_behalf' | 'alongside' | null>;
  }
  interface SessionsTable {
    device_id: ColumnType<string | null, string | null | undefined, string | null>;
  }
}
