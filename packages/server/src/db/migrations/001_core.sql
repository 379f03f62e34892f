-- Cầu Số core schema: units, procedures, dossiers with their action log, II.06a counters,
-- the working-time calendar, officers, sessions and the audit trail.
-- The database repeats the rules that matter (NOT NULL, CHECK, UNIQUE, foreign keys) so a bug
-- in TypeScript cannot store an impossible dossier.

CREATE TABLE units (
  id            serial PRIMARY KEY,
  code          text NOT NULL,
  name          text NOT NULL,
  type          text NOT NULL,
  level         text NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
  parent_id     int REFERENCES units(id),
  -- the unit itself and every ancestor, so "is X inside Y's subtree" is Y = ANY(ancestor_ids)
  ancestor_ids  int[] NOT NULL,
  province_code text NOT NULL,
  agency_code   text NOT NULL,
  valid_from    date NOT NULL,
  valid_to      date,
  search_name   text NOT NULL,
  UNIQUE (code, valid_from),
  UNIQUE (agency_code, valid_from),
  CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CHECK ((level = 'province') = (parent_id IS NULL))
);
CREATE INDEX units_parent ON units (parent_id);
CREATE INDEX units_ancestors ON units USING gin (ancestor_ids);

CREATE TABLE unit_replacements (
  old_unit_id   int NOT NULL REFERENCES units(id),
  new_unit_id   int NOT NULL REFERENCES units(id),
  kind          text NOT NULL CHECK (kind IN ('full', 'partial')),
  effective     date NOT NULL,
  PRIMARY KEY (old_unit_id, new_unit_id)
);

CREATE TABLE sectors (
  code     text PRIMARY KEY,
  name_vi  text NOT NULL,
  name_en  text NOT NULL
);

CREATE TABLE procedures (
  id                  serial PRIMARY KEY,
  code                text NOT NULL UNIQUE,
  name_vi             text NOT NULL,
  name_en             text NOT NULL,
  sector_code         text NOT NULL REFERENCES sectors(code),
  level               text NOT NULL,
  online_level        text NOT NULL CHECK (online_level IN ('full', 'partial')),
  sla_value           numeric NOT NULL CHECK (sla_value > 0),
  sla_unit            text NOT NULL CHECK (sla_unit IN ('working_days', 'working_hours')),
  fees                jsonb NOT NULL DEFAULT '[]',
  required_documents  jsonb NOT NULL DEFAULT '[]',
  form                jsonb NOT NULL DEFAULT '[]',
  eligibility_vi      text NOT NULL DEFAULT '',
  eligibility_en      text NOT NULL DEFAULT '',
  life_events         text[] NOT NULL DEFAULT '{}',
  search_text         text NOT NULL,
  active              boolean NOT NULL DEFAULT true
);

CREATE TABLE users (
  id             serial PRIMARY KEY,
  username       text NOT NULL UNIQUE,
  display_name   text NOT NULL,
  password_hash  text NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  failed_logins  int NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
  user_id  int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role     text NOT NULL CHECK (role IN ('admin', 'leader', 'officer', 'specialist')),
  unit_id  int NOT NULL REFERENCES units(id),
  PRIMARY KEY (user_id, role, unit_id)
);

CREATE TABLE sessions (
  token_hash    text PRIMARY KEY,
  user_id       int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  ip            text,
  user_agent    text
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE dossiers (
  id                    bigserial PRIMARY KEY,
  code                  text NOT NULL UNIQUE,
  province_code         text NOT NULL,
  procedure_id          int NOT NULL REFERENCES procedures(id),
  sector_code           text NOT NULL REFERENCES sectors(code),
  -- the unit the dossier was received under, as it was then (units are dated)
  unit_id               int NOT NULL REFERENCES units(id),
  channel               smallint NOT NULL CHECK (channel IN (1, 2, 3)),
  status                smallint NOT NULL CHECK (status BETWEEN 1 AND 10),
  applicant_name        text NOT NULL,
  applicant_search      text NOT NULL,
  -- phone, ID number and address, AES-256-GCM sealed; looked up by keyed hash only
  applicant_sealed      text,
  applicant_phone_hash  text,
  applicant_id_hash     text,
  form_data             jsonb NOT NULL DEFAULT '{}',
  submitted_at          timestamptz NOT NULL,
  received_at           timestamptz,
  due_at                timestamptz,
  finished_at           timestamptz,
  paused_at             timestamptz,
  -- the stretches of the dossier's life with their due instant, running or paused (II.06a)
  phases                jsonb NOT NULL DEFAULT '[]',
  sla_value             numeric,
  sla_unit              text CHECK (sla_unit IN ('working_days', 'working_hours')),
  supplement_count      int NOT NULL DEFAULT 0,
  source                text NOT NULL DEFAULT 'platform' CHECK (source IN ('platform', 'import')),
  version               int NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK ((status IN (1, 3)) = (received_at IS NULL)),
  CHECK ((status IN (7, 8, 9, 10)) = (finished_at IS NOT NULL)),
  CHECK (received_at IS NULL OR due_at IS NOT NULL),
  CHECK ((status = 5) = (paused_at IS NOT NULL))
);
CREATE INDEX dossiers_unit_status ON dossiers (unit_id, status);
CREATE INDEX dossiers_procedure ON dossiers (procedure_id);
CREATE INDEX dossiers_received ON dossiers (received_at);
CREATE INDEX dossiers_phone_hash ON dossiers (applicant_phone_hash);

-- Append-only: every action on a dossier, with the client's transaction id for idempotency.
CREATE TABLE dossier_actions (
  id              bigserial PRIMARY KEY,
  dossier_id      bigint NOT NULL REFERENCES dossiers(id),
  seq             int NOT NULL,
  action          text NOT NULL,
  from_status     smallint CHECK (from_status BETWEEN 1 AND 10),
  to_status       smallint NOT NULL CHECK (to_status BETWEEN 1 AND 10),
  actor_id        int REFERENCES users(id),
  actor_role      text NOT NULL,
  occurred_at     timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  transaction_id  text NOT NULL UNIQUE,
  payload         jsonb NOT NULL DEFAULT '{}',
  UNIQUE (dossier_id, seq)
);

-- Daily sequence per agency for dossier codes {agencyCode}-{yyMMdd}-{NNNN}.
CREATE TABLE dossier_code_sequences (
  agency_code  text NOT NULL,
  day          date NOT NULL,
  last_value   int NOT NULL,
  PRIMARY KEY (agency_code, day)
);

-- II.06a counters: signed per-day deltas per unit (the dossier's unit and every ancestor) and
-- sector ('*' = all sectors), kept in the same transaction as each action. See domain/ii06a.ts.
CREATE TABLE ii06a_counters (
  unit_id          int NOT NULL REFERENCES units(id),
  sector_code      text NOT NULL,
  day              date NOT NULL,
  received_online  int NOT NULL DEFAULT 0,
  received_direct  int NOT NULL DEFAULT 0,
  open_delta       int NOT NULL DEFAULT 0,
  resolved_before  int NOT NULL DEFAULT 0,
  resolved_on      int NOT NULL DEFAULT 0,
  resolved_late    int NOT NULL DEFAULT 0,
  withdrawn        int NOT NULL DEFAULT 0,
  overdue_delta    int NOT NULL DEFAULT 0,
  PRIMARY KEY (unit_id, sector_code, day)
);

-- Public-sector days off and make-up working Saturdays; editable by an admin for later years.
CREATE TABLE calendar_days (
  date      date PRIMARY KEY,
  kind      text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name_vi   text NOT NULL,
  name_en   text NOT NULL,
  verified  boolean NOT NULL DEFAULT true
);

CREATE TABLE settings (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  int REFERENCES users(id)
);

CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor_id   int REFERENCES users(id),
  action     text NOT NULL,
  entity     text NOT NULL,
  entity_id  text,
  detail     jsonb NOT NULL DEFAULT '{}',
  ip         text
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
