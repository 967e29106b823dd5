-- Every personal identification number ever allocated, so that a number is
-- handed out once and never again, even if the citizen it went to is later
-- merged away. The primary key makes a claim atomic on both engines
-- (INSERT ... ON CONFLICT DO NOTHING).
--
-- Times in dancu's tables are BIGINT unix microseconds (UTC): the same type,
-- the same bytes and the same ordering on both engines, and a backup moves
-- them between engines unchanged.
--
-- Durability: a row is committed (WAL fsynced on SQLite, WAL flushed on
-- PostgreSQL) before the allocator returns the number.
CREATE TABLE pid_claims (
	pid        CHAR(12) PRIMARY KEY,
	claimed_at BIGINT NOT NULL -- unix microseconds, UTC
);
