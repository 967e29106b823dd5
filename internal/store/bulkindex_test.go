package store_test

import (
	"context"
	"testing"

	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// indexCount counts the register's secondary indexes that DropIndexes
// sets aside.
func indexCount(t *testing.T, db *store.DB) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('citizens', 'events', 'residences')`
	if db.Engine() == store.Postgres {
		q = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('citizens', 'events', 'residences') AND indexname NOT LIKE '%_pkey'`
	}
	n, err := db.QueryIntRaw(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Indexes set aside for a bulk load come back when it ends, and when the
// load died before that, the next Migrate builds them.
func TestDropIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all := indexCount(t, db)
		if all < 6 {
			t.Fatalf("%d secondary indexes, want the register's 6", all)
		}
		rebuild, err := db.DropIndexes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := indexCount(t, db); n != 0 {
			t.Fatalf("%d indexes left after DropIndexes", n)
		}
		if err := rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		if n := indexCount(t, db); n != all {
			t.Fatalf("%d indexes after the rebuild, want %d", n, all)
		}
		// A load that dies before its rebuild: Migrate repairs it.
		if _, err := db.DropIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := indexCount(t, db); n != all {
			t.Fatalf("%d indexes after Migrate, want %d", n, all)
		}
		if n, _ := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM bulk_dropped_indexes`); n != 0 {
			t.Fatalf("%d indexes still recorded as set aside", n)
		}
	})
}
