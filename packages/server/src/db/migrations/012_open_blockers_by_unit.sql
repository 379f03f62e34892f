-- A village's open blockers, newest first (the village dashboard and the team page). Without
-- this, the planner walks blockers_open (every open blocker of the province by date) backwards
-- and filters by unit: with 26,000 open blockers and a village holding fewer than the list's
-- limit, that is a scan of them all on every view.
CREATE INDEX blockers_open_by_unit ON blockers (unit_id, created_at DESC, id DESC) WHERE status = 'open';
