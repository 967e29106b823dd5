package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"dancu/internal/usage"
)

// The usage methods implement usage.Store (tables usage_daily and
// usage_field_mismatches, migration 0008).

// AddUsage adds rows to the stored counts in one transaction.
func (db *DB) AddUsage(ctx context.Context, rows []usage.Row) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO usage_daily (day, agency_id, operation, requests, matches, mismatches, not_found, found, deceased, errors)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				ON CONFLICT (day, agency_id, operation) DO UPDATE SET
					requests = usage_daily.requests + excluded.requests,
					matches = usage_daily.matches + excluded.matches,
					mismatches = usage_daily.mismatches + excluded.mismatches,
					not_found = usage_daily.not_found + excluded.not_found,
					found = usage_daily.found + excluded.found,
					deceased = usage_daily.deceased + excluded.deceased,
					errors = usage_daily.errors + excluded.errors`,
				r.Day, r.AgencyID, r.Operation, r.Requests, r.Matches, r.Mismatches, r.NotFound, r.Found, r.Deceased, r.Errors); err != nil {
				return fmt.Errorf("add usage of %s on %s: %w", r.AgencyID, r.Day, err)
			}
			for field, n := range r.FieldMismatches {
				if _, err := tx.ExecContext(ctx, `
					INSERT INTO usage_field_mismatches (day, agency_id, operation, field, n) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (day, agency_id, operation, field) DO UPDATE SET n = usage_field_mismatches.n + excluded.n`,
					r.Day, r.AgencyID, r.Operation, field, n); err != nil {
					return fmt.Errorf("add field usage of %s on %s: %w", r.AgencyID, r.Day, err)
				}
			}
		}
		return nil
	})
}

// Usage returns the stored rows f selects, by day, agency and operation.
func (db *DB) Usage(ctx context.Context, f usage.Filter) ([]usage.Row, error) {
	where, args := usageWhere(f)
	rows, err := db.read.QueryContext(ctx, `
		SELECT day, agency_id, operation, requests, matches, mismatches, not_found, found, deceased, errors
		FROM usage_daily`+where+` ORDER BY day, agency_id, operation`, args...)
	if err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	var out []usage.Row
	index := map[[3]string]int{}
	for rows.Next() {
		var r usage.Row
		if err := rows.Scan(&r.Day, &r.AgencyID, &r.Operation, &r.Requests, &r.Matches, &r.Mismatches, &r.NotFound, &r.Found, &r.Deceased, &r.Errors); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read usage: %w", err)
		}
		index[[3]string{r.Day, r.AgencyID, r.Operation}] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	frows, err := db.read.QueryContext(ctx, `SELECT day, agency_id, operation, field, n FROM usage_field_mismatches`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read field usage: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var day, agency, op, field string
		var n int64
		if err := frows.Scan(&day, &agency, &op, &field, &n); err != nil {
			return nil, fmt.Errorf("read field usage: %w", err)
		}
		if i, ok := index[[3]string{day, agency, op}]; ok {
			if out[i].FieldMismatches == nil {
				out[i].FieldMismatches = map[string]int64{}
			}
			out[i].FieldMismatches[field] = n
		}
	}
	return out, frows.Err()
}

func usageWhere(f usage.Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond, v string) {
		if v != "" {
			args = append(args, v)
			conds = append(conds, fmt.Sprintf(cond, len(args)))
		}
	}
	add("day >= $%d", f.From)
	add("day <= $%d", f.To)
	add("agency_id = $%d", f.AgencyID)
	add("operation = $%d", f.Operation)
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}
