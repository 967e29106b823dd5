-- Accounts of the people who sign in to dancu (today officers; citizens'
-- e-ID accounts later) and the API tokens they authenticate with.
--
-- IDs are random 26-character strings made by internal/eid (time-sortable,
-- no sequence), so rows can be created anywhere without coordination.
-- Roles are checked by internal/eid rather than by a CHECK constraint,
-- so that adding a role needs no table rebuild on SQLite.
--
-- Durability: a row is committed before the call that wrote it returns.
-- Accounts and tokens are never deleted: disabling and revoking stamp a
-- time, so the audit log's references to an account stay meaningful.
CREATE TABLE accounts (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	role        TEXT NOT NULL,
	area        TEXT NOT NULL, -- 2025 unit code the role is bound to; '' = national
	created_at  BIGINT NOT NULL, -- unix microseconds, UTC
	disabled_at BIGINT           -- unix microseconds, UTC; NULL while active
);

-- A token is kept only as the SHA-256 of its text (lowercase hex): a
-- copy of the database does not let anyone authenticate. prefix is the
-- token's first characters ('dancu_k3xa'), for people to tell tokens apart.
CREATE TABLE account_tokens (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	token_hash CHAR(64) NOT NULL UNIQUE,
	prefix     TEXT NOT NULL,
	created_at BIGINT NOT NULL, -- unix microseconds, UTC
	expires_at BIGINT,          -- unix microseconds, UTC; NULL = never
	revoked_at BIGINT           -- unix microseconds, UTC; NULL while usable
);

CREATE INDEX account_tokens_by_account ON account_tokens (account_id);
