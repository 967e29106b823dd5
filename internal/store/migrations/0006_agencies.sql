-- Connected agencies (ministries, localities, telecoms, banks, hospitals,
-- insurers) and the API keys they verify and look up citizens with.
--
-- IDs are random 26-character strings made by internal/agency
-- (time-sortable, no sequence), so rows can be created anywhere without
-- coordination. Kinds, statuses, operations and field names are checked
-- by internal/agency rather than by CHECK constraints, so that adding one
-- needs no table rebuild on SQLite.
--
-- Durability: a row is committed before the call that wrote it returns.
-- Agencies and keys are never deleted: suspending and revoking change a
-- status or stamp a time, so the audit log's references stay meaningful.
CREATE TABLE agencies (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	status     TEXT NOT NULL,   -- pending | approved | suspended
	created_at BIGINT NOT NULL, -- unix microseconds, UTC
	updated_at BIGINT NOT NULL  -- unix microseconds, UTC; when the status last changed
);

-- A key is kept only as the SHA-256 of its text (lowercase hex): a copy of
-- the database does not let anyone authenticate. prefix is the key's first
-- characters ('dancu_key_k3xa'), for people to tell keys apart.
--
-- The scope is three comma-separated lists: operations (verify, lookup,
-- batch, sync, reconcile), field names of the register, and declared
-- purposes ([a-z0-9-]); none of their items can contain a comma.
CREATE TABLE agency_keys (
	id         TEXT PRIMARY KEY,
	agency_id  TEXT NOT NULL REFERENCES agencies (id),
	key_hash   CHAR(64) NOT NULL UNIQUE,
	prefix     TEXT NOT NULL,
	operations TEXT NOT NULL,
	fields     TEXT NOT NULL,
	purposes   TEXT NOT NULL,
	rate_limit INTEGER NOT NULL, -- requests per second; 0 = unlimited
	created_at BIGINT NOT NULL,  -- unix microseconds, UTC
	expires_at BIGINT,           -- unix microseconds, UTC; NULL = never
	revoked_at BIGINT            -- unix microseconds, UTC; NULL while usable
);

CREATE INDEX agency_keys_by_agency ON agency_keys (agency_id);
