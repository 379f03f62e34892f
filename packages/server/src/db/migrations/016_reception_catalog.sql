-- Every new dossier needs its procedure and its unit (with the unit's agency). Reception keeps
-- them in memory (modules/dossiers/receptionCatalog.ts) instead of reading them each time, and
-- each new dossier's insert checks that nothing in these tables has changed since they were read:
-- any statement on procedures or units moves the generation on, and a dossier written against
-- an older generation fails with SQLSTATE CS001 and is written again after reading them afresh.
-- At most one row, in the database rather than in each process, so several app processes stay
-- exact. No row means generation 0: a fresh database stays empty for `causo restore`.
CREATE TABLE catalog_generation (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  generation  bigint NOT NULL
);

CREATE FUNCTION bump_catalog_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_generation (id, generation) VALUES (true, 1)
    ON CONFLICT (id) DO UPDATE SET generation = catalog_generation.generation + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER procedures_catalog_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON procedures
  FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER units_catalog_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
  FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_generation();

-- 1 when the generation is still `expected`; otherwise the statement fails with CS001.
CREATE FUNCTION assert_catalog_generation(expected bigint) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce((SELECT generation FROM catalog_generation), 0) <> expected THEN
    RAISE EXCEPTION 'procedures or units changed since they were read' USING ERRCODE = 'CS001';
  END IF;
  RETURN 1;
END $$;

-- A prefix of dossiers_q_submitted (007_office.sql), which serves the same look-ups: one index
-- fewer to maintain on every dossier written.
DROP INDEX dossiers_unit_status;

-- Most dossiers written at a counter carry no phone; a partial index skips them. Look-ups by a
-- phone's hash (`= $1`) use it as before.
DROP INDEX dossiers_phone_hash;
CREATE INDEX dossiers_phone_hash ON dossiers (applicant_phone_hash) WHERE applicant_phone_hash IS NOT NULL;
