-- Indexes for the back-office pages of the field teams.
--
-- The II.06a page's line "Trong đó hồ sơ trực tuyến được tổ CNSCĐ hỗ trợ nộp" counts assisted
-- dossiers received in the period under a unit. Assisted dossiers are a small share of all, so
-- a partial index holds only them: the count reads a few index entries however many dossiers
-- there are (the speed targets are set at 1M dossiers).
CREATE INDEX dossiers_assisted_received ON dossiers (unit_id, received_at) WHERE assisted_by IS NOT NULL;
