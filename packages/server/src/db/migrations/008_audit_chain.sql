-- The audit trail becomes append-only and hash-chained.
--
-- Writers only INSERT (cheap, no lock shared between transactions). Ids come from a sequence
-- and are not in commit order, so entries are chained after they commit: a sealer takes the
-- unsealed entries under an advisory lock and gives each the next chain_seq, the previous
-- entry's hash and its own hash = sha256(prev_hash || canonical JSON of the entry)
-- (modules/audit/chain.ts). `causo audit verify` recomputes the chain.
--
-- The trigger refuses UPDATE and DELETE (and TRUNCATE); the one update it lets through is
-- sealing: filling the three chain columns of an unsealed entry, nothing else changed. A
-- superuser can still disable the trigger; the chain is what makes that visible.

ALTER TABLE audit_log ADD COLUMN user_agent text;
ALTER TABLE audit_log ADD COLUMN chain_seq bigint UNIQUE;
ALTER TABLE audit_log ADD COLUMN prev_hash text;
ALTER TABLE audit_log ADD COLUMN hash text;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
  CHECK ((chain_seq IS NULL) = (hash IS NULL) AND (chain_seq IS NULL) = (prev_hash IS NULL));

CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE chain_seq IS NULL;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.chain_seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL THEN
      RAISE EXCEPTION 'audit_log: new entries are sealed by the sealer, not by the writer' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE'
     AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
     AND (NEW.id, NEW.at, NEW.actor_id, NEW.action, NEW.entity, NEW.entity_id, NEW.detail, NEW.ip, NEW.user_agent)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor_id, OLD.action, OLD.entity, OLD.entity_id, OLD.detail, OLD.ip, OLD.user_agent)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE INSERT OR UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
