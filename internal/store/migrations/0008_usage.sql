-- What connected agencies asked of the register, per agency, operation and
-- day (Vietnam time): statistics, added to every few seconds by the server
-- (usage.Recorder). The audit log, not these counts, is the evidence of
-- each access.
CREATE TABLE usage_daily (
	day        TEXT NOT NULL, -- yyyy-mm-dd
	agency_id  TEXT NOT NULL,
	operation  TEXT NOT NULL,
	requests   BIGINT NOT NULL,
	matches    BIGINT NOT NULL,
	mismatches BIGINT NOT NULL,
	not_found  BIGINT NOT NULL,
	found      BIGINT NOT NULL,
	deceased   BIGINT NOT NULL,
	errors     BIGINT NOT NULL,
	PRIMARY KEY (day, agency_id, operation)
);

-- Per field, the requests in which that field did not match.
CREATE TABLE usage_field_mismatches (
	day       TEXT NOT NULL,
	agency_id TEXT NOT NULL,
	operation TEXT NOT NULL,
	field     TEXT NOT NULL,
	n         BIGINT NOT NULL,
	PRIMARY KEY (day, agency_id, operation, field)
);
