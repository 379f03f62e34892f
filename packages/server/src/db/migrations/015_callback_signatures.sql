-- Signed SMS callbacks already accepted (modules/notify/callbackRoutes.ts), until their timestamp
-- leaves the 5-minute window. Kept in the database, not in each process: with several app
-- processes behind a balancer, a replay sent to another process is refused as well.
CREATE TABLE notify_callback_signatures (
  signature   text PRIMARY KEY,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX notify_callback_signatures_expiry ON notify_callback_signatures (expires_at);
