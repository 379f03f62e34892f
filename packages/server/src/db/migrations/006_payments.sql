-- Fees paid for dossiers: online through a payment gateway (VNPay protocol, or the local
-- sandbox that speaks it) or at the one-stop counter. Amounts are whole đồng. The gateway's
-- callback is kept as a summary without secrets (no signature, no card data).
CREATE TABLE payments (
  id               bigserial PRIMARY KEY,
  dossier_id       bigint NOT NULL REFERENCES dossiers(id),
  -- The request_fees action (its seq in the dossier's log) this payment answers: a late
  -- payment for an older request is never counted against a newer one.
  fee_request_seq  int NOT NULL,
  reference        text NOT NULL UNIQUE CHECK (reference ~ '^[A-Za-z0-9._:-]{6,100}$'),
  amount           bigint NOT NULL CHECK (amount > 0),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed', 'cancelled')),
  method           text NOT NULL CHECK (method IN ('online', 'counter')),
  gateway          text,
  provider_txn     text,
  redirect_url     text,
  receipt_no       text,
  citizen_id       int REFERENCES citizens(id),
  recorded_by      int REFERENCES users(id),
  -- Money taken by the gateway after the fee was settled some other way: to be paid back.
  refund_due       boolean NOT NULL DEFAULT false,
  callback         jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  paid_at          timestamptz,
  CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
  CHECK (method = 'counter' OR gateway IS NOT NULL),
  CHECK (method = 'online' OR recorded_by IS NOT NULL)
);
-- A dossier has at most one online payment waiting for the gateway at a time.
CREATE UNIQUE INDEX payments_one_pending_online ON payments (dossier_id) WHERE status = 'pending' AND method = 'online';
CREATE INDEX payments_dossier ON payments (dossier_id);
CREATE INDEX payments_pending ON payments (created_at) WHERE status = 'pending';

-- Public look-ups (tracking by dossier code) counted per fixed window, so the limit holds
-- across app servers. Keys are keyed hashes (of the IP address, of the dossier code).
CREATE TABLE lookup_attempts (
  scope         text NOT NULL,
  key_hash      text NOT NULL,
  window_start  timestamptz NOT NULL,
  hits          int NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, key_hash, window_start)
);
CREATE INDEX lookup_attempts_window ON lookup_attempts (window_start);
