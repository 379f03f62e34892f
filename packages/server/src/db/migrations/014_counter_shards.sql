-- II.06a counters in shards. Every dossier written in a province adds to the same few rows (the
-- province's, for its sector and for '*', today), and each writer held their row locks until it
-- committed: under load the submissions queued one behind another on those rows. Each
-- connection now adds to its own shard of the row (pg_backend_pid() modulo 16, see
-- reports/counters.ts), and every reader sums the shards as it already summed the days.
ALTER TABLE ii06a_counters ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard >= 0 AND shard < 16);
ALTER TABLE ii06a_counters DROP CONSTRAINT ii06a_counters_pkey;
ALTER TABLE ii06a_counters ADD PRIMARY KEY (unit_id, sector_code, day, shard);
