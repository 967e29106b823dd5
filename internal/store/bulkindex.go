package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.RebuildIndexes, nil
}

// RebuildIndexes builds every index DropIndexes set aside, each in its
// own transaction with the removal of its record. It does nothing when
// none was.
func (db *DB) RebuildIndexes(ctx context.Context) error {
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
		defer func() {
			_, _ = db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, prev))
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
