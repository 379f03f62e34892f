/** Kysely's view of the tables in migrations/*.sql. Keep the two in step. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UnitsTable {
  id: Generated<number>;
  code: string;
  name: string;
  type: string;
  level: 'province' | 'district' | 'commune' | 'village';
  parent_id: number | null;
  ancestor_ids: number[];
  province_code: string;
  agency_code: string;
  valid_from: string;
  valid_to: string | null;
  search_name: string;
}

export interface UnitReplacementsTable {
  old_unit_id: number;
  new_unit_id: number;
  kind: 'full' | 'partial';
  effective: string;
}

export interface SectorsTable {
  code: string;
  name_vi: string;
  name_en: string;
}

export interface ProceduresTable {
  id: Generated<number>;
  code: string;
  name_vi: string;
  name_en: string;
  sector_code: string;
  level: string;
  online_level: 'full' | 'partial';
  sla_value: number;
  sla_unit: 'working_days' | 'working_hours';
  fees: Json<unknown>;
  required_documents: Json<unknown>;
  form: Json<unknown>;
  eligibility_vi: string;
  eligibility_en: string;
  life_events: string[];
  search_text: string;
  active: Generated<boolean>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  active: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  created_at: GeneratedTimestamp;
}

export interface UserRolesTable {
  user_id: number;
  role: 'admin' | 'leader' | 'officer' | 'specialist' | 'member';
  unit_id: number;
}

export interface SessionsTable {
  token_hash: string;
  /** Exactly one of user_id (an officer) and citizen_id is set. */
  user_id: number | null;
  citizen_id: ColumnType<number | null, number | null | undefined, number | null>;
  csrf_token: string;
  created_at: GeneratedTimestamp;
  expires_at: Timestamp;
  last_seen_at: GeneratedTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface CitizensTable {
  id: Generated<number>;
  id_hash: string;
  id_sealed: string;
  full_name: string;
  birth_date_sealed: string;
  phone_hash: string;
  phone_sealed: string;
  phone_ownership: Generated<'unknown' | 'matched' | 'mismatched'>;
  password_hash: string | null;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  preferred_lang: Generated<string>;
  created_at: GeneratedTimestamp;
}

export interface DossiersTable {
  id: Generated<number>;
  citizen_id: ColumnType<number | null, number | null | undefined, number | null>;
  code: string;
  province_code: string;
  procedure_id: number;
  sector_code: string;
  unit_id: number;
  channel: number;
  status: number;
  applicant_name: string;
  applicant_search: string;
  applicant_sealed: string | null;
  applicant_phone_hash: string | null;
  applicant_id_hash: string | null;
  form_data: Json<Record<string, unknown>>;
  submitted_at: Timestamp;
  received_at: Timestamp | null;
  due_at: Timestamp | null;
  finished_at: Timestamp | null;
  paused_at: Timestamp | null;
  phases: Json<StoredPhase[]>;
  sla_value: number | null;
  sla_unit: 'working_days' | 'working_hours' | null;
  supplement_count: Generated<number>;
  source: Generated<'platform' | 'import'>;
  version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

/** A phase as stored in dossiers.phases (ISO strings). */
export interface StoredPhase {
  from: string;
  paused: boolean;
  dueAt: string | null;
}

export interface DossierActionsTable {
  id: Generated<number>;
  dossier_id: number;
  seq: number;
  action: string;
  from_status: number | null;
  to_status: number;
  actor_id: number | null;
  actor_role: string;
  citizen_id: ColumnType<number | null, number | null | undefined, number | null>;
  occurred_at: Timestamp;
  received_at: GeneratedTimestamp;
  transaction_id: string;
  payload: Json<Record<string, unknown>>;
}

export interface DossierCodeSequencesTable {
  agency_code: string;
  day: string;
  last_value: number;
}

export interface Ii06aCountersTable {
  unit_id: number;
  sector_code: string;
  day: string;
  /** Rows of one key are split in shards so concurrent writers do not queue on one row lock (014_counter_shards.sql). */
  shard: Generated<number>;
  received_online: Generated<number>;
  received_direct: Generated<number>;
  open_delta: Generated<number>;
  resolved_before: Generated<number>;
  resolved_on: Generated<number>;
  resolved_late: Generated<number>;
  withdrawn: Generated<number>;
  overdue_delta: Generated<number>;
}

export interface CalendarDaysTable {
  date: string;
  kind: 'holiday' | 'workday';
  name_vi: string;
  name_en: string;
  verified: Generated<boolean>;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: GeneratedTimestamp;
  updated_by: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: GeneratedTimestamp;
  actor_id: number | null;
  action: string;
  entity: string;
  entity_id: string | null;
  detail: Json<Record<string, unknown>>;
  ip: string | null;
}

/** One row: moved on by every statement on procedures or units (016_reception_catalog.sql). */
export interface CatalogGenerationTable {
  id: boolean;
  generation: ColumnType<string, never, string>;
}

export interface DB {
  units: UnitsTable;
  unit_replacements: UnitReplacementsTable;
  sectors: SectorsTable;
  procedures: ProceduresTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  citizens: CitizensTable;
  dossiers: DossiersTable;
  dossier_actions: DossierActionsTable;
  dossier_code_sequences: DossierCodeSequencesTable;
  ii06a_counters: Ii06aCountersTable;
  calendar_days: CalendarDaysTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
  catalog_generation: CatalogGenerationTable;
}
