package store

import "context"

// ExecRaw runs a statement on the writer, for tests that must reach past
// the store's API (to tamper with the database, say).
func (db *DB) ExecRaw(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// QueryIntRaw runs a query returning one integer.
func (db *DB) QueryIntRaw(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// LoadMigrations exposes the migration loader for tests on fake trees.
var LoadMigrations = loadMigrations

// MigrateSteps runs the given steps instead of the embedded ones.
func (db *DB) MigrateSteps(ctx context.Context, steps []Migration) ([]Applied, error) {
	return db.migrate(ctx, steps)
}

// SetFailpoint makes every multi-statement write call fn between its
// statements; an error from fn aborts the write.
func (db *DB) SetFailpoint(fn func(step string) error) { db.failpoint = fn }
