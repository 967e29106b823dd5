-- Every personal identification number ever allocated, so that a number is
-- handed out once and never again, even if the citizen it went to is later
-- merged away. The primary key makes a claim atomic on both engines
-- (INSERT ... ON CONFLICT DO NOTHING).
--
-- Durability: a row is committed (WAL fsynced on SQLite, WAL flushed on
-- PostgreSQL) before the allocator returns the number.
CREATE TABLE pid_claims (
	pid        CHAR(12) PRIMARY KEY,
	claimed_at TIMESTAMP NOT NULL
);
