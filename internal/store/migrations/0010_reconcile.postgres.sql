-- Reconciliation runs, their review queues and correction requests. The
-- same tables as 0010_reconcile.sqlite.sql, in PostgreSQL's types; the
-- comments there describe them.
--
-- The ids of review_items and correction_requests are identity columns
-- where SQLite has its rowid: short numbers, for the console's addresses,
-- of rows that are written by a run's save or an officer's form, never in
-- bulk from many places. A restore moves the sequences past the restored
-- ids.
--
-- Durability: a row is committed (synchronous_commit on) before the call
-- that wrote it returns; a run and its review items are one transaction.
-- Rows are never deleted.
CREATE TABLE reconcile_runs (
	id          TEXT PRIMARY KEY,
	dataset     TEXT NOT NULL,
	agency_id   TEXT NOT NULL,   -- '' for a run from the command line
	started_at  BIGINT NOT NULL, -- unix microseconds, UTC
	finished_at BIGINT NOT NULL, -- unix microseconds, UTC
	records     BIGINT NOT NULL,
	statuses    TEXT NOT NULL,
	report      TEXT NOT NULL
);

CREATE INDEX reconcile_runs_by_time ON reconcile_runs (finished_at);

CREATE TABLE review_items (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	run_id      TEXT NOT NULL REFERENCES reconcile_runs (id),
	dataset     TEXT NOT NULL,
	record_key  TEXT NOT NULL,
	line        BIGINT NOT NULL,
	fingerprint TEXT NOT NULL,
	record      TEXT NOT NULL,
	candidates  TEXT NOT NULL,
	decision    TEXT NOT NULL, -- '' (pending) | accepted | rejected
	decided_pid TEXT NOT NULL, -- the accepted citizen; '' otherwise
	decided_by  TEXT NOT NULL, -- the officer's account ID; '' while pending
	decided_at  BIGINT         -- unix microseconds, UTC; NULL while pending
);

CREATE INDEX review_items_by_run ON review_items (run_id, decision, id);
CREATE INDEX review_items_by_record ON review_items (dataset, record_key);

CREATE TABLE correction_requests (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	pid            CHAR(12) NOT NULL REFERENCES citizens (pid),
	field          TEXT NOT NULL,   -- as registry.CorrectableFields names it
	register_value TEXT NOT NULL,
	proposed_value TEXT NOT NULL,
	source         TEXT NOT NULL,   -- where it came from: 'reconcile:<dataset>:<record key>'
	note           TEXT NOT NULL,
	status         TEXT NOT NULL,   -- pending | applied | dismissed
	created_by     TEXT NOT NULL,   -- account ID
	created_at     BIGINT NOT NULL, -- unix microseconds, UTC
	resolved_by    TEXT NOT NULL,   -- account ID; '' while pending
	resolved_at    BIGINT           -- unix microseconds, UTC; NULL while pending
);

CREATE INDEX correction_requests_by_status ON correction_requests (status, created_at);
