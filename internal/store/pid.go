package store

import (
	"context"
	"fmt"
	"time"

	"dancu/internal/pid"
)

// ClaimPID records number as allocated and reports whether this call was
// the one that claimed it. A number is claimed at most once, ever: the
// primary key of pid_claims decides between concurrent claimers on both
// engines, and the row is durable before ClaimPID returns true. A number
// a citizen holds is never claimed, even before its own claim is written
// (a bulk load claims its numbers at its end).
func (db *DB) ClaimPID(ctx context.Context, number pid.PID) (bool, error) {
	res, err := db.write.ExecContext(ctx,
		`INSERT INTO pid_claims (pid, claimed_at)
		SELECT CAST($1 AS CHAR(12)), CAST($2 AS BIGINT)
		WHERE NOT EXISTS (SELECT 1 FROM citizens WHERE pid = CAST($1 AS CHAR(12)))
		ON CONFLICT (pid) DO NOTHING`,
		string(number), time.Now().UnixMicro())
	if err != nil {
		return false, fmt.Errorf("claim pid %s: %w", number, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim pid %s: %w", number, err)
	}
	return n == 1, nil
}
