-- A record's current version lives only in its own row, with the event
-- that made it; citizen_versions and household_versions keep the versions
-- that later events replaced, copied there by the write that replaces them.
-- Most citizens are never changed after they are registered, so this
-- halves what the register stores of them.
--
-- Rows written before this step have their current version in the
-- versions table as well (and event_id ''); readers take a version from
-- either place, the versions table first.
ALTER TABLE citizens ADD COLUMN event_id TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN event_id TEXT NOT NULL DEFAULT '';
