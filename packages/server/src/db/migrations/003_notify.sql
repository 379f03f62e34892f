-- SMS waiting to be sent: written in the same transaction as the change they tell about, so a
-- message goes out only for a write that committed. The phone number is sealed.
CREATE TABLE sms_outbox (
  id            bigserial PRIMARY KEY,
  phone_sealed  text NOT NULL,
  phone_hash    text NOT NULL,
  body          text NOT NULL,
  purpose       text NOT NULL,
  citizen_id    int REFERENCES citizens(id),
  dossier_id    bigint REFERENCES dossiers(id),
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts      int NOT NULL DEFAULT 0,
  next_try_at   timestamptz NOT NULL DEFAULT now(),
  provider      text,
  provider_id   text,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz
);
CREATE INDEX sms_outbox_pending ON sms_outbox (next_try_at) WHERE status = 'pending';
CREATE INDEX sms_outbox_phone ON sms_outbox (phone_hash, created_at);
