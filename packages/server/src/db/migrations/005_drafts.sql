-- Applications a citizen is still filling in (bản nháp hồ sơ), one question per page: answers
-- are saved after every page so a dropped connection loses nothing. ID numbers, phone numbers
-- and dates of birth among the answers are sealed (answers_sealed); the rest stays readable.
CREATE TABLE drafts (
  id                     bigserial PRIMARY KEY,
  citizen_id             int NOT NULL REFERENCES citizens(id),
  procedure_id           int NOT NULL REFERENCES procedures(id),
  -- the commune that will receive the dossier, once the address (or "where to submit") is known
  unit_id                int REFERENCES units(id),
  answers                jsonb NOT NULL DEFAULT '{}',
  answers_sealed         text,
  -- the question the citizen reached last, for "carry on where you left off"
  current_step           text,
  -- the client transaction id of the submission: a second "send" replays the first
  submit_transaction_id  text NOT NULL UNIQUE,
  submitted_dossier_id   bigint UNIQUE REFERENCES dossiers(id),
  submitted_at           timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK ((submitted_dossier_id IS NULL) = (submitted_at IS NULL)),
  CHECK (jsonb_typeof(answers) = 'object')
);
CREATE INDEX drafts_citizen_open ON drafts (citizen_id, updated_at) WHERE submitted_dossier_id IS NULL;

-- Papers uploaded while filling in belong to the draft until it becomes a dossier.
ALTER TABLE documents ADD CONSTRAINT documents_draft_fk FOREIGN KEY (draft_id) REFERENCES drafts(id);
