-- Campaigns (chiến dịch), their targets (chỉ tiêu), and what the dashboards read.
-- Indicators are defined in code (packages/domain/src/indicators.ts); the database keeps which
-- of them a campaign follows and a target per unit and indicator.

CREATE TABLE campaigns (
  id           serial PRIMARY KEY,
  name         text NOT NULL CHECK (length(name) BETWEEN 3 AND 200),
  description  text NOT NULL DEFAULT '',
  starts_on    date NOT NULL,
  ends_on      date NOT NULL,
  -- the unit that owns the campaign (its subtree is what it covers, unless narrowed below)
  unit_id      int NOT NULL REFERENCES units(id),
  indicators   text[] NOT NULL CHECK (cardinality(indicators) >= 1),
  version      int NOT NULL DEFAULT 1,
  created_by   int NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  CHECK (ends_on >= starts_on)
);
CREATE INDEX campaigns_unit ON campaigns (unit_id);

-- The units a campaign covers, each with its subtree (empty: the owner's whole subtree).
CREATE TABLE campaign_units (
  campaign_id  int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  unit_id      int NOT NULL REFERENCES units(id),
  PRIMARY KEY (campaign_id, unit_id)
);

CREATE TABLE campaign_targets (
  campaign_id  int NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  unit_id      int NOT NULL REFERENCES units(id),
  indicator    text NOT NULL,
  target       numeric(12, 1) NOT NULL CHECK (target >= 0),
  set_by       int NOT NULL REFERENCES users(id),
  set_at       timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, unit_id, indicator)
);

-- The household register in figures, as signed daily changes per village: the register of a
-- village at the end of day D is the sum of its rows with day <= D. Adding rows makes a parent
-- unit's figures the sum of its villages' by construction, and a week-by-week trend one scan.
CREATE TABLE register_days (
  unit_id           int NOT NULL REFERENCES units(id),
  day               date NOT NULL,
  households        int NOT NULL DEFAULT 0,
  residents         int NOT NULL DEFAULT 0,
  adults            int NOT NULL DEFAULT 0,
  smartphone        int NOT NULL DEFAULT 0,
  sim_matched       int NOT NULL DEFAULT 0,
  vneid2            int NOT NULL DEFAULT 0,
  service_accounts  int NOT NULL DEFAULT 0,
  wallet_or_bank    int NOT NULL DEFAULT 0,
  PRIMARY KEY (unit_id, day)
);

-- Villages whose register changed since their figures were last brought up to date. An append-
-- only log without a unique key, so writers never wait on each other here (sync pushes run
-- concurrently); the refresher takes the distinct villages and deletes what it took.
CREATE TABLE register_dirty (
  id       bigserial PRIMARY KEY,
  unit_id  int NOT NULL
);

CREATE FUNCTION register_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO register_dirty (unit_id) SELECT DISTINCT unit_id FROM new_rows;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO register_dirty (unit_id) SELECT DISTINCT unit_id FROM old_rows;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER residents_dirty_ins AFTER INSERT ON residents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mark_dirty();
CREATE TRIGGER residents_dirty_upd AFTER UPDATE ON residents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mark_dirty();
CREATE TRIGGER residents_dirty_del AFTER DELETE ON residents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mark_dirty();
CREATE TRIGGER households_dirty_ins AFTER INSERT ON households REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mark_dirty();
CREATE TRIGGER households_dirty_upd AFTER UPDATE ON households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mark_dirty();
CREATE TRIGGER households_dirty_del AFTER DELETE ON households REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION register_mark_dirty();

-- Field activity read by period and village.
DROP INDEX visits_unit_at;
CREATE INDEX visits_unit_at_household ON visits (unit_id, occurred_at) INCLUDE (household_id, member_id);
CREATE INDEX blockers_unit_created ON blockers (unit_id, created_at) INCLUDE (kind, status, resolved_at) WHERE unit_id IS NOT NULL;
CREATE INDEX assisted_applications_unit_at ON assisted_applications (unit_id, created_at);
