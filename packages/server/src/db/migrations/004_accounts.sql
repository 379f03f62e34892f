-- Opening a citizen account and signing in: the sign-up in progress, one-time codes sent by
-- SMS, a log of codes sent (rate limits per phone and per address), the per-phone sign-in
-- throttle, and blockers that a community team member follows up. Times come from the
-- application's clock (never now()), so tests can stand at any moment.

-- Which telecom register confirmed the phone, and when ("simulator" in the demo).
ALTER TABLE citizens ADD COLUMN phone_checked_by text;
ALTER TABLE citizens ADD COLUMN phone_checked_at timestamptz;
-- One account per phone number: citizens sign in with it.
CREATE UNIQUE INDEX citizens_phone_hash_unique ON citizens (phone_hash);

-- A sign-up between "details checked" and "account created". The browser holds only a random
-- token (cookie causo_signup); the answers stay here, sealed, so they cannot be tampered with.
CREATE TABLE signups (
  id             bigserial PRIMARY KEY,
  token_hash     text NOT NULL UNIQUE,
  id_hash        text NOT NULL,
  phone_hash     text NOT NULL,
  -- {idNumber, fullName, birthDate, phone}
  person_sealed  text NOT NULL,
  register       text NOT NULL,
  -- An account already exists for this ID number or phone: the citizen is told by SMS, the
  -- page looks the same, and this sign-up can never complete (no enumeration).
  duplicate      boolean NOT NULL DEFAULT false,
  lang           text NOT NULL DEFAULT 'vi',
  next_path      text,
  verified_at    timestamptz,
  completed_at   timestamptz,
  created_at     timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  CHECK (expires_at > created_at),
  CHECK (completed_at IS NULL OR verified_at IS NOT NULL)
);

-- A one-time code: 6 digits, kept only as a keyed hash, valid 5 minutes, 5 tries, a few resends.
CREATE TABLE otp_challenges (
  id             bigserial PRIMARY KEY,
  purpose        text NOT NULL CHECK (purpose IN ('sign_up', 'sign_in')),
  -- Sign-in codes are found by the browser's token (cookie causo_signin); sign-up codes by their sign-up.
  token_hash     text UNIQUE,
  signup_id      bigint REFERENCES signups(id) ON DELETE CASCADE,
  -- NULL for a sign-in code asked for a number with no account: it can never succeed.
  citizen_id     int REFERENCES citizens(id) ON DELETE CASCADE,
  phone_hash     text NOT NULL,
  phone_sealed   text NOT NULL,
  code_hash      text NOT NULL,
  expires_at     timestamptz NOT NULL,
  tries_left     int NOT NULL DEFAULT 5 CHECK (tries_left >= 0),
  sends          int NOT NULL DEFAULT 1 CHECK (sends >= 1),
  resend_limit   int NOT NULL DEFAULT 3 CHECK (resend_limit >= 0),
  last_sent_at   timestamptz NOT NULL,
  used_at        timestamptz,
  created_at     timestamptz NOT NULL,
  CHECK ((purpose = 'sign_up') = (signup_id IS NOT NULL)),
  CHECK ((purpose = 'sign_in') = (token_hash IS NOT NULL)),
  CHECK (sends <= resend_limit + 1)
);
CREATE INDEX otp_challenges_signup ON otp_challenges (signup_id) WHERE signup_id IS NOT NULL;

-- Every code sent (or that would have been sent), for limits per phone and per address.
CREATE TABLE otp_sends (
  id          bigserial PRIMARY KEY,
  phone_hash  text NOT NULL,
  ip          text,
  purpose     text NOT NULL CHECK (purpose IN ('sign_up', 'sign_in')),
  sent_at     timestamptz NOT NULL
);
CREATE INDEX otp_sends_phone ON otp_sends (phone_hash, sent_at);
CREATE INDEX otp_sends_ip ON otp_sends (ip, sent_at);

-- Wrong passwords per phone number, whether or not an account uses it, so a lock looks the
-- same for every number and never tells that an account exists.
CREATE TABLE sign_in_failures (
  phone_hash    text PRIMARY KEY,
  failures      int NOT NULL DEFAULT 0 CHECK (failures >= 0),
  locked_until  timestamptz,
  updated_at    timestamptz NOT NULL
);

-- Vướng mắc: why a person could not use the online services, for a team member to follow up.
-- The portal records `sim_not_owner` when the phone is not registered in the person's name;
-- the field app records the other kinds. One open blocker per person and kind: a new attempt
-- bumps `occurrences`.
CREATE TABLE blockers (
  id             bigserial PRIMARY KEY,
  id_hash        text,
  phone_hash     text,
  -- {idNumber, fullName, birthDate, phone}, whatever is known
  person_sealed  text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('sim_not_owner', 'no_smartphone', 'no_coverage', 'no_id_card', 'language', 'other')),
  source         text NOT NULL CHECK (source IN ('portal', 'field', 'counter')),
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  note           text NOT NULL DEFAULT '',
  -- which telecom register gave the answer behind a portal blocker
  register       text,
  unit_id        int REFERENCES units(id),
  occurrences    int NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
  created_at     timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  resolved_at    timestamptz,
  resolved_by    int REFERENCES users(id),
  resolution     text,
  CHECK (source <> 'portal' OR id_hash IS NOT NULL),
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE UNIQUE INDEX blockers_one_open_per_person ON blockers (id_hash, kind) WHERE status = 'open';
CREATE INDEX blockers_open ON blockers (created_at) WHERE status = 'open';
