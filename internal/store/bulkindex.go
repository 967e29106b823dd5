package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// bulkIndexTables are the tables whose secondary indexes a bulk load into
// an empty register sets aside: inserting into an index in random key
// order costs a page read per row once the index outgrows the cache, while
// building it afterwards sorts once.
var bulkIndexTables = []string{"citizens", "events", "residences"}

// DropIndexes sets aside the secondary indexes of the register's big
// tables (not the primary keys, which the load itself reads and checks)
// and returns the function that builds them again. What it dropped is
// recorded in the same transaction, so that a crash before the rebuild is
// repaired the next time the database is opened (Migrate). Call it only
// on an empty register: searches by name, household or commune have no
// index until the rebuild.
func (db *DB) DropIndexes(ctx context.Context) (rebuild func(context.Context) error, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		defs, err := db.secondaryIndexes(ctx, tx)
		if err != nil {
			return err
		}
		for name, def := range defs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_dropped_indexes (name, sql) VALUES ($1, $2)`, name, def); err != nil {
				return fmt.Errorf("set aside index %s: %w", name, err)
			}
			if _, err := tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
				return fmt.Errorf("set aside index %s: %w", name, err)
			}
		}
		// The claims of the numbers the load registers are made after
		// it, from citizens, in one ordered pass: claimed one batch at a
		// time they were one more B-tree written in random order, a
		// seventh of a load's time. They are made like an index, so that
		// a crash before the end is repaired the same way.
		fill := fmt.Sprintf(`INSERT INTO pid_claims (pid, claimed_at) SELECT pid, %d FROM citizens WHERE true ORDER BY pid
			ON CONFLICT (pid) DO NOTHING`, time.Now().UnixMicro())
		if _, err := tx.ExecContext(ctx, `INSERT INTO bulk_dropped_indexes (name, sql) VALUES ($1, $2)`, deferredClaims, fill); err != nil {
			return fmt.Errorf("defer the claims of the load: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	db.claimsDeferred.Store(true)
	return db.RebuildIndexes, nil
}

// deferredClaims names, in bulk_dropped_indexes, the claims a bulk load
// leaves to its end (see DropIndexes).
const deferredClaims = "pid_claims"

// RebuildIndexes builds every index DropIndexes set aside, and the claims
// it deferred, each in its own transaction with the removal of its
// record. It does nothing when none was.
func (db *DB) RebuildIndexes(ctx context.Context) error {
	defer db.claimsDeferred.Store(false)
	rows, err := db.write.QueryContext(ctx, `SELECT name, sql FROM bulk_dropped_indexes ORDER BY name`)
	if err != nil {
		return fmt.Errorf("list set-aside indexes: %w", err)
	}
	defs := map[string]string{}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		defs[name] = def
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if db.engine == SQLite && len(names) > 0 {
		// CREATE INDEX sorts in memory up to the page cache's size before
		// it spills to temporary files; with a bulk load's large cache on
		// top, that made the build the peak of an import's memory, growing
		// with the register. A small cache for the build keeps the peak
		// where the load put it (1,000,000 citizens: 733 MB peak and a
		// 7.3 s build, against 826 MB and 9.1 s with the load's cache, the
		// latter on a busier machine).
		var prev int64
		if err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&prev); err != nil {
			return fmt.Errorf("read the page cache size: %w", err)
		}
		if _, err := db.write.ExecContext(ctx, `PRAGMA cache_size = -16384`); err != nil {
			return fmt.Errorf("shrink the page cache for the index build: %w", err)
		}
		// The sorts spill to temporary files, whatever a bulk load set.
		var store int64
		if err := db.write.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&store); err != nil {
			return fmt.Errorf("read the temporary store: %w", err)
		}
		if _, err := db.write.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
			return fmt.Errorf("sort the index build in files: %w", err)
		}
		// A helper thread for each sort: 6.2 → 5.3 s for the indexes of
		// 1,000,000 citizens.
		if _, err := db.write.ExecContext(ctx, `PRAGMA threads = 2`); err != nil {
			return fmt.Errorf("sort the index build with helper threads: %w", err)
		}
		defer func() {
			_, _ = db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, prev))
			_, _ = db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA temp_store = %d`, store))
			_, _ = db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA threads = 0`)
		}()
	}
	for _, name := range names {
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, defs[name]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM bulk_dropped_indexes WHERE name = $1`, name)
			return err
		})
		if err != nil {
			return fmt.Errorf("build index %s: %w", name, err)
		}
	}
	return nil
}

// secondaryIndexes returns the name and CREATE statement of each index of
// bulkIndexTables that is not a primary key or unique constraint of the
// table itself.
func (db *DB) secondaryIndexes(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	var q string
	list := "'" + strings.Join(bulkIndexTables, "', '") + "'"
	if db.engine == SQLite {
		// Indexes SQLite makes for constraints have no SQL.
		q = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (` + list + `)`
	} else {
		q = `SELECT i.indexname, i.indexdef FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename IN (` + list + `)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		out[name] = def
	}
	return out, rows.Err()
}
