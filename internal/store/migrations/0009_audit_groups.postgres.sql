-- The access log's entries hold groups (internal/audit; formats in
-- docs/audit.md). The same table as 0009_audit_groups.sqlite.sql, in
-- PostgreSQL's types.
--
-- audit_groups holds one row per entry: records is the canonical encoding
-- of the entry's records (each with its own time, agency, key, purpose,
-- operation, request ID and accesses), exactly the bytes that were hashed,
-- with the previous entry's hash, into hash. A chain's sequence numbers
-- run on from its audit_entries rows, if it has any: a chain is its
-- audit_entries rows then its audit_groups rows, in seq order.
-- audit_groups distributes by chain, as audit_entries does.
--
-- audit_entries (0007) keeps the entries of one record each that dancu
-- wrote before this migration. They are read, indexed and verified with
-- the first format's hash, and no longer written.
--
-- audit_accesses (0007) is unchanged: a row's idx is the access's
-- position among the accesses of all its entry's records, in order (for
-- an audit_entries row, among its one record's, as before), and at is the
-- time of the access's record. audit_heads too: seq and hash are those of
-- the newest entry of either table.
CREATE TABLE audit_groups (
	chain   INTEGER NOT NULL,
	seq     BIGINT NOT NULL,
	records BYTEA NOT NULL,
	hash    BYTEA NOT NULL,
	PRIMARY KEY (chain, seq)
);
