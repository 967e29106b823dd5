-- Secondary indexes set aside while a bulk load fills an empty register
-- (store.DB.DropIndexes), with the statement that builds each again. A row
-- here after a crash means the load did not finish: opening the database
-- (Migrate) builds the indexes again before anything else.
CREATE TABLE bulk_dropped_indexes (
	name TEXT PRIMARY KEY,
	sql  TEXT NOT NULL
);
