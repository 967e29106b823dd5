package store

import (
	"context"
	"fmt"
)

// RowCount is the number of rows in one of dancu's tables, for operators'
// status checks and for tests proving that a refused write stored nothing.
func (db *DB) RowCount(ctx context.Context, table string) (int64, error) {
	for _, r := range table {
		if (r < 'a' || r > 'z') && r != '_' {
			return 0, fmt.Errorf("row count: %q is not a table name", table)
		}
	}
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}
