package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dancu/internal/eid"
)

// The account methods implement eid.Store (tables accounts and
// account_tokens, migration 0003).

// CreateAccount stores a new account and its first token in one
// transaction: an account is never left without the token its creator
// was shown.
func (db *DB) CreateAccount(ctx context.Context, a eid.Account, t eid.Token) error {
	if t.AccountID != a.ID {
		return fmt.Errorf("create account %s: token belongs to account %s", a.ID, t.AccountID)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO accounts (id, name, role, area, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			a.ID, a.Name, string(a.Role), a.Area, accountMicros(a.CreatedAt), accountDisabledAt(a))
		if err != nil {
			return fmt.Errorf("insert account %s: %w", a.ID, err)
		}
		return insertAccountToken(ctx, tx, t)
	})
}

// AddAccountToken stores another token of an existing account; an unknown
// account is eid.ErrNotFound.
func (db *DB) AddAccountToken(ctx context.Context, t eid.Token) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, t.AccountID); err != nil {
			return err
		}
		return insertAccountToken(ctx, tx, t)
	})
}

func insertAccountToken(ctx context.Context, tx *sql.Tx, t eid.Token) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO account_tokens (id, account_id, token_hash, prefix, created_at, expires_at, revoked_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.ID, t.AccountID, t.Hash.String(), t.Prefix, accountMicros(t.CreatedAt), nullAccountMicros(t.ExpiresAt), nullAccountMicros(t.RevokedAt))
	if err != nil {
		return fmt.Errorf("insert token %s: %w", t.ID, err)
	}
	return nil
}

// AccountByID returns the account with the given ID, or eid.ErrNotFound.
func (db *DB) AccountByID(ctx context.Context, id string) (eid.Account, error) {
	var (
		a        eid.Account
		role     string
		created  int64
		disabled sql.NullInt64
	)
	err := db.read.QueryRowContext(ctx,
		`SELECT id, name, role, area, created_at, disabled_at FROM accounts WHERE id = $1`, id).
		Scan(&a.ID, &a.Name, &role, &a.Area, &created, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return eid.Account{}, fmt.Errorf("account %s: %w", id, eid.ErrNotFound)
	}
	if err != nil {
		return eid.Account{}, fmt.Errorf("read account %s: %w", id, err)
	}
	a.Role, a.CreatedAt, a.Disabled = eid.Role(role), accountTime(created), disabled.Valid
	return a, nil
}

// AccountByTokenHash returns the token whose hash is h and its account, or
// eid.ErrNotFound. It is on the path of every authenticated request: one
// indexed read (token_hash is UNIQUE), on the reader pool.
func (db *DB) AccountByTokenHash(ctx context.Context, h eid.TokenHash) (eid.Account, eid.Token, error) {
	var (
		a                 eid.Account
		t                 eid.Token
		role, hash        string
		aCreated, created int64
		disabled          sql.NullInt64
		expires, revoked  sql.NullInt64
	)
	err := db.read.QueryRowContext(ctx,
		`SELECT a.id, a.name, a.role, a.area, a.created_at, a.disabled_at,
		        t.id, t.token_hash, t.prefix, t.created_at, t.expires_at, t.revoked_at
		   FROM account_tokens t JOIN accounts a ON a.id = t.account_id
		  WHERE t.token_hash = $1`, h.String()).
		Scan(&a.ID, &a.Name, &role, &a.Area, &aCreated, &disabled,
			&t.ID, &hash, &t.Prefix, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return eid.Account{}, eid.Token{}, eid.ErrNotFound
	}
	if err != nil {
		// The hash is not secret, but it is not useful in a log either.
		return eid.Account{}, eid.Token{}, fmt.Errorf("read token: %w", err)
	}
	if t.Hash, err = eid.ParseTokenHash(hash); err != nil {
		return eid.Account{}, eid.Token{}, fmt.Errorf("read token %s: %w", t.ID, err)
	}
	a.Role, a.CreatedAt, a.Disabled = eid.Role(role), accountTime(aCreated), disabled.Valid
	t.AccountID = a.ID
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = accountTime(created), accountNullTime(expires), accountNullTime(revoked)
	return a, t, nil
}

// RevokeAccountToken stamps a token revoked at at; a token already revoked
// keeps its first time. An unknown token is eid.ErrNotFound.
func (db *DB) RevokeAccountToken(ctx context.Context, tokenID string, at time.Time) error {
	res, err := db.write.ExecContext(ctx,
		`UPDATE account_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`, tokenID, accountMicros(at))
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", tokenID, err)
	}
	return accountRowUpdated(res, "token "+tokenID)
}

// RevokeAllAccountTokens stamps every unrevoked token of an account revoked
// at at and returns how many. An unknown account is eid.ErrNotFound.
func (db *DB) RevokeAllAccountTokens(ctx context.Context, accountID string, at time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := accountExists(ctx, tx, accountID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx,
			`UPDATE account_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL`, accountID, accountMicros(at))
		if err != nil {
			return fmt.Errorf("revoke tokens of account %s: %w", accountID, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// DisableAccount stamps an account disabled at at; an account already
// disabled keeps its first time. An unknown account is eid.ErrNotFound.
func (db *DB) DisableAccount(ctx context.Context, accountID string, at time.Time) error {
	res, err := db.write.ExecContext(ctx,
		`UPDATE accounts SET disabled_at = COALESCE(disabled_at, $2) WHERE id = $1`, accountID, accountMicros(at))
	if err != nil {
		return fmt.Errorf("disable account %s: %w", accountID, err)
	}
	return accountRowUpdated(res, "account "+accountID)
}

func accountExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("account %s: %w", id, eid.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read account %s: %w", id, err)
	}
	return nil
}

// accountRowUpdated turns an UPDATE that matched no row into eid.ErrNotFound. Both
// engines count matched rows, even when the new value equals the old.
func accountRowUpdated(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, eid.ErrNotFound)
	}
	return nil
}

func accountDisabledAt(a eid.Account) sql.NullInt64 {
	if !a.Disabled {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: accountMicros(a.CreatedAt), Valid: true}
}

// micros is t as stored: unix microseconds, UTC.
func accountMicros(t time.Time) int64 { return t.UnixMicro() }

// nullAccountMicros stores the zero time as NULL.
func nullAccountMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func accountTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

func accountNullTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return accountTime(v.Int64)
}
