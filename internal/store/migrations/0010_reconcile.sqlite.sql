-- Reconciliation runs (dancu reconcile, internal/reconcile), the review
-- queue of the records they could not decide, and the correction requests
-- officers raise when a discrepancy looks like an error of the register.
-- A reconciliation never changes the register: these tables are all it
-- writes. Decisions and requests are checked by the store (internal/store,
-- reconcile.go) rather than by CHECK constraints, so that adding a state
-- needs no table rebuild on SQLite.
--
-- reconcile_runs holds one row per run: statuses is the JSON object of
-- counts per status, report the run's report.json as it was written.
-- IDs are internal/ident IDs (time-sortable, no sequence).
--
-- review_items holds one row per ambiguous record of a run: record is the
-- JSON object of the agency's values, as the file had them, by field
-- name; candidates the JSON array of the citizens it could be
-- ({pid, probability, differing}), best first. An officer's decision
-- (decision 'accepted' with decided_pid, or 'rejected': none of them)
-- replaces the previous one. dataset repeats the run's, so that the next
-- run of the dataset reads its decisions by (dataset, record_key) in one
-- index range; a decision holds only while the record's fingerprint is
-- unchanged (reconcile.Decision). review_items_by_run makes a run's
-- pending items (decision '') one index range, and its counts cheap. The
-- ids are the rowid (INTEGER PRIMARY KEY): never reused, as rows are
-- never deleted.
--
-- correction_requests holds what an officer asks the register's officers
-- to check and correct through the correction workflow (data_correction
-- events): one field of one citizen, the register's value when it was
-- asked and the value proposed. Resolving it (applied or dismissed) only
-- records what was done; the correction itself is an event of the
-- register.
--
-- record, candidates and the requests' values are personal data, as the
-- register's own tables are: backups carry them, and only signed-in
-- officers read them (the officer console).
--
-- Durability: a row is committed before the call that wrote it returns;
-- a run and its review items are one transaction. Rows are never deleted.
CREATE TABLE reconcile_runs (
	id          TEXT PRIMARY KEY,
	dataset     TEXT NOT NULL,
	agency_id   TEXT NOT NULL,    -- '' for a run from the command line
	started_at  INTEGER NOT NULL, -- unix microseconds, UTC
	finished_at INTEGER NOT NULL, -- unix microseconds, UTC
	records     INTEGER NOT NULL,
	statuses    TEXT NOT NULL,
	report      TEXT NOT NULL
);

CREATE INDEX reconcile_runs_by_time ON reconcile_runs (finished_at);

CREATE TABLE review_items (
	id          INTEGER PRIMARY KEY,
	run_id      TEXT NOT NULL REFERENCES reconcile_runs (id),
	dataset     TEXT NOT NULL,
	record_key  TEXT NOT NULL,
	line        INTEGER NOT NULL,
	fingerprint TEXT NOT NULL,
	record      TEXT NOT NULL,
	candidates  TEXT NOT NULL,
	decision    TEXT NOT NULL, -- '' (pending) | accepted | rejected
	decided_pid TEXT NOT NULL, -- the accepted citizen; '' otherwise
	decided_by  TEXT NOT NULL, -- the officer's account ID; '' while pending
	decided_at  INTEGER        -- unix microseconds, UTC; NULL while pending
);

CREATE INDEX review_items_by_run ON review_items (run_id, decision, id);
CREATE INDEX review_items_by_record ON review_items (dataset, record_key);

CREATE TABLE correction_requests (
	id             INTEGER PRIMARY KEY,
	pid            CHAR(12) NOT NULL REFERENCES citizens (pid),
	field          TEXT NOT NULL,    -- as registry.CorrectableFields names it
	register_value TEXT NOT NULL,
	proposed_value TEXT NOT NULL,
	source         TEXT NOT NULL,    -- where it came from: 'reconcile:<dataset>:<record key>'
	note           TEXT NOT NULL,
	status         TEXT NOT NULL,    -- pending | applied | dismissed
	created_by     TEXT NOT NULL,    -- account ID
	created_at     INTEGER NOT NULL, -- unix microseconds, UTC
	resolved_by    TEXT NOT NULL,    -- account ID; '' while pending
	resolved_at    INTEGER           -- unix microseconds, UTC; NULL while pending
);

CREATE INDEX correction_requests_by_status ON correction_requests (status, created_at);
