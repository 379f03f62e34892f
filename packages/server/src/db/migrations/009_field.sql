-- The field app of the community digital technology teams (tổ công nghệ số cộng đồng) and its
-- sync protocol (docs/sync.md).
--
-- A team member is a user with the role `member` on a village (or on a commune: all its
-- villages). Households, residents, visits, blockers and follow-ups carry the village they
-- belong to, which is what a phone downloads and what authorization checks.
-- Times come from the application's clock (never now()), so tests can stand at any moment.

ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('admin', 'leader', 'officer', 'specialist', 'member'));

-- One team per village; its members are the users holding `member` on the village.
CREATE TABLE teams (
  id          serial PRIMARY KEY,
  unit_id     int NOT NULL UNIQUE REFERENCES units(id),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL
);

-- A phone that signed in. An admin can mark it lost: at its next contact it is told to wipe
-- itself and its sessions end.
CREATE TABLE devices (
  id              uuid PRIMARY KEY,
  user_id         int NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label           text NOT NULL DEFAULT '',
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lost', 'wiped')),
  registered_at   timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  last_sync_at    timestamptz,
  lost_marked_by  int REFERENCES users(id),
  lost_marked_at  timestamptz,
  wiped_at        timestamptz,
  CHECK ((status = 'active') = (lost_marked_at IS NULL))
);
CREATE INDEX devices_user ON devices (user_id);
ALTER TABLE sessions ADD COLUMN device_id uuid REFERENCES devices(id) ON DELETE CASCADE;

-- Editable records keep, per field, the version that last changed it, the device time and the
-- envelope: {"headName": {"v": 3, "at": "...", "env": "...", "dev": "..."}}. That is what tells
-- a stale edit of an untouched field (applied) from a stale edit of a changed one (a conflict).
CREATE TABLE households (
  id          uuid PRIMARY KEY,
  unit_id     int NOT NULL REFERENCES units(id),
  version     int NOT NULL CHECK (version >= 1),
  data        jsonb NOT NULL,
  field_meta  jsonb NOT NULL,
  search      text NOT NULL,
  created_by  int REFERENCES users(id),
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX households_unit ON households (unit_id);

-- Personal fields (ID number, phones, date of birth) are sealed; looked up by keyed hash only.
CREATE TABLE residents (
  id               uuid PRIMARY KEY,
  household_id     uuid NOT NULL REFERENCES households(id),
  unit_id          int NOT NULL REFERENCES units(id),
  version          int NOT NULL CHECK (version >= 1),
  data             jsonb NOT NULL,
  personal_sealed  text NOT NULL,
  id_hash          text,
  phone_hashes     text[] NOT NULL DEFAULT '{}',
  field_meta       jsonb NOT NULL,
  search           text NOT NULL,
  created_by       int REFERENCES users(id),
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX residents_household ON residents (household_id);
CREATE INDEX residents_unit ON residents (unit_id);
CREATE INDEX residents_id_hash ON residents (id_hash) WHERE id_hash IS NOT NULL;
CREATE INDEX residents_phone_hashes ON residents USING gin (phone_hashes);

-- Photos from phones, addressed by their SHA-256 (uploading twice stores once).
CREATE TABLE field_files (
  sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  type         text NOT NULL,
  bytes        int NOT NULL,
  data         bytea NOT NULL,
  uploaded_by  int NOT NULL REFERENCES users(id),
  uploaded_at  timestamptz NOT NULL
);

CREATE TABLE visits (
  id            uuid PRIMARY KEY,
  unit_id       int NOT NULL REFERENCES units(id),
  household_id  uuid NOT NULL REFERENCES households(id),
  resident_id   uuid REFERENCES residents(id),
  member_id     int NOT NULL REFERENCES users(id),
  actions       text[] NOT NULL,
  notes         text NOT NULL DEFAULT '',
  photo_sha256  text REFERENCES field_files(sha256),
  occurred_at   timestamptz NOT NULL,
  received_at   timestamptz NOT NULL
);
CREATE INDEX visits_unit_at ON visits (unit_id, occurred_at);
CREATE INDEX visits_member_at ON visits (member_id, occurred_at);

-- Blockers from the field join the portal's. A portal blocker finds its village when a
-- resident with the same ID number or phone is in a team's register.
ALTER TABLE blockers ADD COLUMN client_id uuid UNIQUE;
ALTER TABLE blockers ADD COLUMN household_id uuid REFERENCES households(id);
ALTER TABLE blockers ADD COLUMN resident_id uuid REFERENCES residents(id);
ALTER TABLE blockers ADD COLUMN created_by int REFERENCES users(id);
CREATE INDEX blockers_unit ON blockers (unit_id);
CREATE INDEX blockers_unlinked ON blockers (id_hash) WHERE unit_id IS NULL;

CREATE TABLE follow_ups (
  id            uuid PRIMARY KEY,
  unit_id       int NOT NULL REFERENCES units(id),
  household_id  uuid NOT NULL REFERENCES households(id),
  resident_id   uuid REFERENCES residents(id),
  blocker_id    bigint REFERENCES blockers(id),
  assignee_id   int NOT NULL REFERENCES users(id),
  created_by    int NOT NULL REFERENCES users(id),
  due_date      date NOT NULL,
  note          text NOT NULL DEFAULT '',
  version       int NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL,
  done_at       timestamptz,
  done_by       int REFERENCES users(id),
  done_note     text
);
CREATE INDEX follow_ups_unit_due ON follow_ups (unit_id, due_date) WHERE done_at IS NULL;
CREATE INDEX follow_ups_assignee_due ON follow_ups (assignee_id, due_date) WHERE done_at IS NULL;

-- Every envelope the server has applied, with the hash of its content: the same id again with
-- the same content is a harmless duplicate; with other content it is refused. Rejected
-- envelopes are not stored: nothing of them was applied, and the phone keeps them.
CREATE TABLE sync_envelopes (
  id              uuid PRIMARY KEY,
  device_id       uuid NOT NULL REFERENCES devices(id),
  member_id       int NOT NULL REFERENCES users(id),
  entity          text NOT NULL,
  entity_id       uuid NOT NULL,
  op              text NOT NULL CHECK (op IN ('create', 'update', 'append')),
  base_version    int,
  occurred_at     timestamptz NOT NULL,
  received_at     timestamptz NOT NULL,
  payload_hash    text NOT NULL,
  content_hash    text NOT NULL,
  result          text NOT NULL CHECK (result IN ('accepted', 'conflict')),
  result_version  int,
  payload_sealed  text NOT NULL
);
CREATE INDEX sync_envelopes_entity ON sync_envelopes (entity_id);
CREATE INDEX sync_envelopes_device ON sync_envelopes (device_id, received_at);

-- A field edited from two phones: both values kept; the later device time wins, the other is
-- listed here for the member and a supervisor to settle.
CREATE TABLE sync_conflicts (
  id               bigserial PRIMARY KEY,
  unit_id          int NOT NULL REFERENCES units(id),
  entity           text NOT NULL CHECK (entity IN ('household', 'resident')),
  entity_id        uuid NOT NULL,
  field            text NOT NULL,
  -- {kept, other}: may hold personal fields, so sealed
  values_sealed    text NOT NULL,
  -- the envelope that met the conflict, its member, and whether its value is the one kept
  envelope_id      uuid NOT NULL REFERENCES sync_envelopes(id),
  member_id        int NOT NULL REFERENCES users(id),
  incoming_won     boolean NOT NULL,
  kept_at          timestamptz NOT NULL,
  kept_envelope    uuid,
  other_at         timestamptz NOT NULL,
  other_envelope   uuid,
  -- who wrote the value that was not kept (null when it came from the office or the seed)
  other_member_id  int REFERENCES users(id),
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  version          int NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL,
  resolved_by      int REFERENCES users(id),
  resolved_at      timestamptz,
  resolution       text CHECK (resolution IN ('kept', 'other')),
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE INDEX sync_conflicts_open ON sync_conflicts (unit_id) WHERE status = 'open';

-- Assisted applications (hỗ trợ nộp hồ sơ): who helped, how, and the resident's consent.
ALTER TABLE dossiers ADD COLUMN assisted_by int REFERENCES users(id);
ALTER TABLE dossiers ADD COLUMN assist_mode text CHECK (assist_mode IN ('on_behalf', 'alongside'));
ALTER TABLE dossiers ADD CONSTRAINT dossiers_assisted_whole CHECK ((assisted_by IS NULL) = (assist_mode IS NULL));
CREATE TABLE assisted_applications (
  id              uuid PRIMARY KEY,
  envelope_id     uuid NOT NULL UNIQUE REFERENCES sync_envelopes(id),
  dossier_id      bigint NOT NULL UNIQUE REFERENCES dossiers(id),
  unit_id         int NOT NULL REFERENCES units(id),
  resident_id     uuid NOT NULL REFERENCES residents(id),
  member_id       int NOT NULL REFERENCES users(id),
  mode            text NOT NULL CHECK (mode IN ('on_behalf', 'alongside')),
  -- {kind: 'checkbox', name} or {kind: 'photo', sha256}
  consent_sealed  text NOT NULL,
  consent_photo   text REFERENCES field_files(sha256),
  occurred_at     timestamptz NOT NULL,
  created_at      timestamptz NOT NULL
);

-- What each village's phones must download. Sequence numbers are handed out in the order
-- transactions *start* writing, not the order they commit, so a reader that remembered "the
-- highest seq I saw" could skip a row committed later with a lower seq. Each row therefore
-- records its transaction id; a pull returns only rows of transactions older than every
-- transaction still running (pg_snapshot_xmin), in (xid, seq) order, so nothing that commits
-- later can sort before the cursor.
CREATE TABLE sync_changes (
  seq        bigserial PRIMARY KEY,
  xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  unit_id    int NOT NULL REFERENCES units(id),
  entity     text NOT NULL,
  entity_id  text NOT NULL
);
CREATE INDEX sync_changes_cursor ON sync_changes (unit_id, xid, seq);
