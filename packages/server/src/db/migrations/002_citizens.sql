-- Citizens (người dân) with portal accounts, and sessions that belong to an officer or a citizen.
-- The ID number and phone are sealed (AES-256-GCM) and found by keyed hash only.
CREATE TABLE citizens (
  id              serial PRIMARY KEY,
  id_hash         text NOT NULL UNIQUE,
  id_sealed       text NOT NULL,
  full_name       text NOT NULL,
  birth_date_sealed text NOT NULL,
  phone_hash      text NOT NULL,
  phone_sealed    text NOT NULL,
  phone_ownership text NOT NULL DEFAULT 'unknown' CHECK (phone_ownership IN ('unknown', 'matched', 'mismatched')),
  -- NULL: passwordless (signs in with a code sent by SMS)
  password_hash   text,
  failed_logins   int NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  preferred_lang  text NOT NULL DEFAULT 'vi',
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX citizens_phone_hash ON citizens (phone_hash);

ALTER TABLE sessions ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE sessions ADD COLUMN citizen_id int REFERENCES citizens(id) ON DELETE CASCADE;
ALTER TABLE sessions ADD CONSTRAINT sessions_one_principal CHECK ((user_id IS NULL) <> (citizen_id IS NULL));
CREATE INDEX sessions_citizen ON sessions (citizen_id);

-- Online dossiers belong to the citizen who submitted them; actions taken by a citizen name them.
ALTER TABLE dossiers ADD COLUMN citizen_id int REFERENCES citizens(id);
CREATE INDEX dossiers_citizen ON dossiers (citizen_id) WHERE citizen_id IS NOT NULL;
ALTER TABLE dossier_actions ADD COLUMN citizen_id int REFERENCES citizens(id);

-- Papers attached to a dossier (or to an application still being filled in, `draft_id`, which
-- the apply flow's migration links up): photos downscaled on upload, PDFs as sent.
CREATE TABLE documents (
  id            bigserial PRIMARY KEY,
  dossier_id    bigint REFERENCES dossiers(id),
  draft_id      bigint,
  kind          text NOT NULL,
  label         text NOT NULL DEFAULT '',
  filename      text NOT NULL,
  content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  byte_size     int NOT NULL CHECK (byte_size > 0),
  sha256        text NOT NULL,
  data          bytea NOT NULL,
  uploaded_by_user     int REFERENCES users(id),
  uploaded_by_citizen  int REFERENCES citizens(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (dossier_id IS NOT NULL OR draft_id IS NOT NULL)
);
CREATE INDEX documents_dossier ON documents (dossier_id) WHERE dossier_id IS NOT NULL;
CREATE INDEX documents_draft ON documents (draft_id) WHERE draft_id IS NOT NULL;
