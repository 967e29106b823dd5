-- The population register: households, citizens, residence registrations,
-- life events, and the snapshot every event leaves of each record it
-- changed.
--
-- A record's shape is owned by the registry package and follows the law,
-- so each aggregate is stored whole as JSON text in `data`; the columns
-- beside it are what the database must key, search, filter or constrain.
-- Booleans are INTEGER 0/1 and times BIGINT unix microseconds (UTC) so that
-- the same SQL and the same backup serve both engines. Dates of life are
-- TEXT in the register's yyyy, yyyy-mm or yyyy-mm-dd form.
--
-- Partitioning, when the register outgrows one machine: citizens,
-- citizen_versions and residences by pid; events and household_versions by
-- recorded_at (event ids are time-ordered). No sequences, no triggers.
--
-- Durability: every row below is written in the one transaction that
-- records its event, committed durably before the event is acknowledged.

CREATE TABLE households (
	id           TEXT PRIMARY KEY,
	street       TEXT NOT NULL,
	commune_code TEXT NOT NULL,
	commune_era  TEXT NOT NULL,
	dissolved    INTEGER NOT NULL,
	version      BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	data         TEXT NOT NULL
);

CREATE TABLE citizens (
	pid              CHAR(12) PRIMARY KEY,
	name_key         TEXT NOT NULL,    -- folded full name (no diacritics, lower case), for search
	birth_year       INTEGER NOT NULL,
	gender           TEXT NOT NULL,
	status           TEXT NOT NULL,
	household_id     TEXT REFERENCES households (id),
	relation_to_head TEXT NOT NULL,
	commune_code     TEXT NOT NULL,    -- permanent residence, current (2025) code, '' when none
	version          BIGINT NOT NULL,
	updated_at       BIGINT NOT NULL,
	data             TEXT NOT NULL
);
CREATE INDEX citizens_by_name ON citizens (name_key, birth_year);
CREATE INDEX citizens_by_household ON citizens (household_id);
CREATE INDEX citizens_by_commune ON citizens (commune_code);
-- Exactly one head per household, whatever the application does.
CREATE UNIQUE INDEX citizens_one_head ON citizens (household_id) WHERE relation_to_head = 'head';

CREATE TABLE events (
	id             TEXT PRIMARY KEY,  -- time-ordered (UUIDv7)
	kind           TEXT NOT NULL,
	pid            CHAR(12) NOT NULL, -- the main subject
	effective_date TEXT NOT NULL,
	recorded_at    BIGINT NOT NULL,
	actor          TEXT NOT NULL,
	legal_basis    TEXT NOT NULL,
	data           TEXT NOT NULL      -- subjects, note and the field-by-field changes
);
CREATE INDEX events_by_time ON events (recorded_at);

CREATE TABLE citizen_versions (
	pid         CHAR(12) NOT NULL,
	version     BIGINT NOT NULL,
	event_id    TEXT NOT NULL REFERENCES events (id),
	recorded_at BIGINT NOT NULL,
	data        TEXT NOT NULL,
	PRIMARY KEY (pid, version)
);

CREATE TABLE household_versions (
	id          TEXT NOT NULL,
	version     BIGINT NOT NULL,
	event_id    TEXT NOT NULL REFERENCES events (id),
	recorded_at BIGINT NOT NULL,
	data        TEXT NOT NULL,
	PRIMARY KEY (id, version)
);

CREATE TABLE residences (
	id           TEXT PRIMARY KEY,
	pid          CHAR(12) NOT NULL REFERENCES citizens (pid),
	kind         TEXT NOT NULL,
	active       INTEGER NOT NULL,
	start_date   TEXT NOT NULL,
	end_date     TEXT NOT NULL,
	event_id     TEXT NOT NULL REFERENCES events (id),
	data         TEXT NOT NULL
);
CREATE INDEX residences_by_pid ON residences (pid);
