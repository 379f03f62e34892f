-- Notifications (issue 8): one outbox for SMS and e-mail, with delivery statuses, delivery
-- receipts, residents' own texts (look-up by SMS) and contact details for team members.
--
-- Statuses: queued (never tried), sending (handed to a worker; a row left here after its
-- lease ran out means the worker died between sending and recording: it is tried again and
-- flagged as a possible duplicate), sent (the provider took it), delivered (the network's
-- receipt says the phone or mailbox has it), failed_temporary (will be tried again),
-- failed_permanent (given up).

ALTER TABLE sms_outbox RENAME TO notify_outbox;
ALTER TABLE notify_outbox RENAME COLUMN phone_sealed TO recipient_sealed;
ALTER TABLE notify_outbox RENAME COLUMN phone_hash TO recipient_hash;
ALTER INDEX sms_outbox_phone RENAME TO notify_outbox_recipient;
DROP INDEX sms_outbox_pending;

ALTER TABLE notify_outbox DROP CONSTRAINT sms_outbox_status_check;
ALTER TABLE notify_outbox ALTER COLUMN status SET DEFAULT 'queued';
UPDATE notify_outbox SET status = CASE WHEN attempts = 0 THEN 'queued' ELSE 'failed_temporary' END WHERE status = 'pending';
UPDATE notify_outbox SET status = 'failed_permanent' WHERE status = 'failed';
ALTER TABLE notify_outbox ADD CONSTRAINT notify_outbox_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed_temporary', 'failed_permanent'));

ALTER TABLE notify_outbox
  ADD COLUMN channel            text NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'email')),
  ADD COLUMN subject            text,
  ADD COLUMN template           text,
  ADD COLUMN user_id            int REFERENCES users(id),
  -- One message per key at most (a reminder per member and day), so a job run twice sends once.
  ADD COLUMN dedupe_key         text UNIQUE,
  ADD COLUMN duplicate_suspected boolean NOT NULL DEFAULT false,
  ADD COLUMN delivered_at       timestamptz,
  ADD COLUMN receipt_detail     text;

-- Due rows, oldest first: what the worker claims.
CREATE INDEX notify_outbox_due ON notify_outbox (next_try_at, id) WHERE status IN ('queued', 'sending', 'failed_temporary');
-- Delivery receipts name the provider's id.
CREATE INDEX notify_outbox_provider_id ON notify_outbox (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX notify_outbox_dossier ON notify_outbox (dossier_id) WHERE dossier_id IS NOT NULL;
CREATE INDEX notify_outbox_status ON notify_outbox (status, id);

-- Texts residents send to the province's number (HS <code>, SIM, VNEID…). The number is sealed
-- and found by keyed hash; the body is kept for the operator view (it holds a dossier code at
-- most, which is what the sender typed).
CREATE TABLE sms_inbound (
  id              bigserial PRIMARY KEY,
  sender_sealed   text NOT NULL,
  sender_hash     text NOT NULL,
  to_number       text NOT NULL,
  body            text NOT NULL,
  command         text NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('answered', 'limited', 'ignored')),
  reply_id        bigint REFERENCES notify_outbox(id),
  received_at     timestamptz NOT NULL
);
CREATE INDEX sms_inbound_sender ON sms_inbound (sender_hash, received_at);
CREATE INDEX sms_inbound_received ON sms_inbound (received_at);

-- Team members' (and officers') contact details for reminders: the phone sealed like every
-- other phone number, found by keyed hash; the work e-mail address in the clear.
ALTER TABLE users
  ADD COLUMN phone_sealed text,
  ADD COLUMN phone_hash   text,
  ADD COLUMN email        text;
CREATE INDEX users_phone_hash ON users (phone_hash) WHERE phone_hash IS NOT NULL;
