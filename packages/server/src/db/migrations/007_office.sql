-- The back office: a TOTP second factor for officers, their sign-in log, who a dossier is
-- assigned to, the office's internal comments on a dossier, and indexes for the work queues.

-- TOTP (RFC 6238). Secrets are sealed (AES-256-GCM) like personal data; `totp_pending_sealed`
-- holds a secret being set up until the officer confirms it with a code; `totp_last_step` is
-- the last time step accepted, so a code cannot be used twice.
ALTER TABLE users ADD COLUMN totp_secret_sealed text;
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE users ADD COLUMN totp_pending_sealed text;
ALTER TABLE users ADD COLUMN totp_last_step bigint;
ALTER TABLE users ADD CONSTRAINT users_totp_enabled CHECK ((totp_enabled_at IS NULL) = (totp_secret_sealed IS NULL));

-- Every sign-in attempt on a known account, shown to the officer on their account page.
CREATE TABLE officer_sign_ins (
  id          bigserial PRIMARY KEY,
  user_id     int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  at          timestamptz NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('success', 'bad_password', 'bad_code', 'locked')),
  ip          text,
  user_agent  text
);
CREATE INDEX officer_sign_ins_user ON officer_sign_ins (user_id, at DESC);

-- Who processes a dossier. Append-only history; the open row (ended_at IS NULL) is the current one.
CREATE TABLE dossier_assignments (
  id           bigserial PRIMARY KEY,
  dossier_id   bigint NOT NULL REFERENCES dossiers(id),
  assignee_id  int NOT NULL REFERENCES users(id),
  assigned_by  int NOT NULL REFERENCES users(id),
  assigned_at  timestamptz NOT NULL,
  ended_at     timestamptz,
  CHECK (ended_at IS NULL OR ended_at >= assigned_at)
);
CREATE UNIQUE INDEX dossier_assignments_current ON dossier_assignments (dossier_id) WHERE ended_at IS NULL;
CREATE INDEX dossier_assignments_assignee ON dossier_assignments (assignee_id, dossier_id) WHERE ended_at IS NULL;
CREATE INDEX dossier_assignments_dossier ON dossier_assignments (dossier_id, id);

-- Notes between officers about a dossier; never shown to the citizen.
CREATE TABLE dossier_comments (
  id          bigserial PRIMARY KEY,
  dossier_id  bigint NOT NULL REFERENCES dossiers(id),
  author_id   int NOT NULL REFERENCES users(id),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  created_at  timestamptz NOT NULL
);
CREATE INDEX dossier_comments_dossier ON dossier_comments (dossier_id, id);

-- Work queues. Each tab is a set of statuses read in one order; a list is a top-N per
-- (unit, status) pair walked along one of these indexes (a LATERAL join), so a page reads a few
-- dozen rows however many dossiers the commune holds. Partial where only some statuses are read.
CREATE INDEX dossiers_q_submitted ON dossiers (unit_id, status, submitted_at, id);
CREATE INDEX dossiers_q_due ON dossiers (unit_id, status, due_at, id) WHERE status IN (2, 4, 5, 6);
CREATE INDEX dossiers_q_finished ON dossiers (unit_id, status, finished_at, id) WHERE finished_at IS NOT NULL;
