-- The tamper-evident access log (internal/audit; formats in docs/audit.md).
-- The same tables as 0007_audit.sqlite.sql, in PostgreSQL's types.
--
-- audit_entries holds one row per entry: one verify or lookup, or one
-- chunk of batch rows. Each chain (one per writing process) counts seq
-- from 1; hash is SHA-256 over the entry's canonical encoding and the
-- previous entry's hash, and accesses is the canonical encoding of the
-- entry's access list, exactly the bytes that were hashed.
--
-- audit_accesses is the per-citizen index behind the access view: one row
-- per access to a well-formed PID (pid is the 12-digit number as an
-- integer, pid.PID.Uint64), its primary key ordered so that a citizen's
-- accesses, newest first, are one backward range scan. pid is the
-- distribution key when the table is sharded; audit_entries distributes by
-- chain. The rows are derived from the entries and written behind them, by
-- the log's writer while it has no appends to commit, sorted by citizen
-- over a whole pass so that they land together rather than each on a page
-- of its own. audit_heads.indexed_seq is the watermark: the index is
-- complete for the chain's entries 1..indexed_seq, and the access view
-- reads the (few) entries past it directly. audit verify checks the index
-- against the entries up to the watermark.
--
-- audit_heads holds the newest entry of each chain, updated in the
-- transaction that appends: writers lock and read it, checkpoints sign it.
--
-- audit_checkpoints holds signed checkpoints, keyed by their signature
-- (Ed25519 signatures are deterministic, so the same checkpoint is stored
-- once); data is the checkpoint's JSON.
--
-- Durability: an entry is committed (synchronous_commit on) before Append
-- returns. Index rows are rebuilt from the entries after a crash. Rows
-- are never updated or deleted by dancu, but for the head and watermark.
CREATE TABLE audit_entries (
	chain      INTEGER NOT NULL,
	seq        BIGINT NOT NULL,
	at         BIGINT NOT NULL, -- unix microseconds, UTC
	agency_id  TEXT NOT NULL,
	key_id     TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	operation  TEXT NOT NULL,
	request_id TEXT NOT NULL,
	accesses   BYTEA NOT NULL,
	hash       BYTEA NOT NULL,
	PRIMARY KEY (chain, seq)
);

CREATE TABLE audit_accesses (
	pid   BIGINT NOT NULL,
	at    BIGINT NOT NULL, -- unix microseconds, UTC, of the entry
	chain INTEGER NOT NULL,
	seq   BIGINT NOT NULL,
	idx   INTEGER NOT NULL, -- the access's position in the entry, from 0
	PRIMARY KEY (pid, at, chain, seq, idx)
);

CREATE TABLE audit_heads (
	chain       INTEGER PRIMARY KEY,
	seq         BIGINT NOT NULL,
	hash        BYTEA NOT NULL,
	indexed_seq BIGINT NOT NULL DEFAULT 0 -- audit_accesses is complete for entries 1..indexed_seq
);

CREATE TABLE audit_checkpoints (
	signature TEXT PRIMARY KEY, -- hex
	at        BIGINT NOT NULL,  -- unix microseconds, UTC
	data      TEXT NOT NULL
);

CREATE INDEX audit_checkpoints_by_at ON audit_checkpoints (at);
