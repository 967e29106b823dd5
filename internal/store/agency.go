package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"dancu/internal/agency"
)

// The agency methods implement agency.Store (tables agencies and
// agency_keys, migration 0006).

// agencyColumns and keyColumns are the columns scanned by scanAgency and
// scanKey, in their order.
const (
	agencyColumns = `a.id, a.name, a.kind, a.status, a.created_at, a.updated_at`
	keyColumns    = `k.id, k.agency_id, k.prefix, k.operations, k.fields, k.purposes, k.rate_limit, k.created_at, k.expires_at, k.revoked_at`
)

// CreateAgency stores a new agency and its first key in one transaction:
// an agency is never left without the key its creator was shown.
func (db *DB) CreateAgency(ctx context.Context, a agency.Agency, k agency.Key, h agency.KeyHash) error {
	if k.AgencyID != a.ID {
		return fmt.Errorf("create agency %s: key belongs to agency %s", a.ID, k.AgencyID)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO agencies (id, name, kind, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			a.ID, a.Name, string(a.Kind), string(a.Status), a.CreatedAt.UnixMicro(), a.UpdatedAt.UnixMicro())
		if err != nil {
			return fmt.Errorf("insert agency %s: %w", a.ID, err)
		}
		if err := db.step(ctx, "agency inserted"); err != nil {
			return err
		}
		return insertAgencyKey(ctx, tx, k, h)
	})
}

// AddAgencyKey stores another key of an existing agency; an unknown agency
// is agency.ErrNotFound.
func (db *DB) AddAgencyKey(ctx context.Context, k agency.Key, h agency.KeyHash) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM agencies WHERE id = $1`, k.AgencyID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("agency %s: %w", k.AgencyID, agency.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read agency %s: %w", k.AgencyID, err)
		}
		return insertAgencyKey(ctx, tx, k, h)
	})
}

func insertAgencyKey(ctx context.Context, tx *sql.Tx, k agency.Key, h agency.KeyHash) error {
	ops := make([]string, len(k.Scope.Operations))
	for i, op := range k.Scope.Operations {
		ops[i] = string(op)
	}
	_, err := tx.ExecContext(ctx,
		`INSERT INTO agency_keys (id, agency_id, key_hash, prefix, operations, fields, purposes, rate_limit, created_at, expires_at, revoked_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		k.ID, k.AgencyID, h.String(), k.Prefix, joinScopeList(ops), joinScopeList(k.Scope.Fields), joinScopeList(k.Scope.Purposes),
		k.RateLimit, k.CreatedAt.UnixMicro(), nullAgencyMicros(k.ExpiresAt), nullAgencyMicros(k.RevokedAt))
	if err != nil {
		return fmt.Errorf("insert key %s: %w", k.ID, err)
	}
	return nil
}

// AgencyKeyByHash returns the key whose hash is h and its agency, or
// agency.ErrNotFound: one indexed read (key_hash is UNIQUE), on the
// reader pool. The agency service caches what it returns.
func (db *DB) AgencyKeyByHash(ctx context.Context, h agency.KeyHash) (agency.Agency, agency.Key, error) {
	row := db.read.QueryRowContext(ctx,
		`SELECT `+agencyColumns+`, `+keyColumns+`
		   FROM agency_keys k JOIN agencies a ON a.id = k.agency_id
		  WHERE k.key_hash = $1`, h.String())
	var (
		a  agency.Agency
		k  agency.Key
		sa agencyScan
		sk keyScan
	)
	err := row.Scan(append(sa.dest(), sk.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return agency.Agency{}, agency.Key{}, agency.ErrNotFound
	}
	if err != nil {
		// The hash is not secret, but it is not useful in a log either.
		return agency.Agency{}, agency.Key{}, fmt.Errorf("read agency key: %w", err)
	}
	a, k = sa.agency(), sk.key()
	return a, k, nil
}

// Agencies returns every agency with all its keys, agencies and keys
// oldest first. There are thousands of agencies at most, so the list is
// not paged.
func (db *DB) Agencies(ctx context.Context) ([]agency.Listing, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+agencyColumns+` FROM agencies a ORDER BY a.created_at, a.id`)
	if err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	defer rows.Close()
	var (
		out   []agency.Listing
		index = map[string]int{}
	)
	for rows.Next() {
		var sa agencyScan
		if err := rows.Scan(sa.dest()...); err != nil {
			return nil, fmt.Errorf("list agencies: %w", err)
		}
		index[sa.id] = len(out)
		out = append(out, agency.Listing{Agency: sa.agency(), Keys: []agency.Key{}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	keys, err := db.agencyKeys(ctx, "", nil)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		// A key is read after its agency, so its agency is listed unless
		// it was created between the two reads.
		if i, ok := index[k.AgencyID]; ok {
			out[i].Keys = append(out[i].Keys, k)
		}
	}
	return out, nil
}

// AgencyByID returns one agency with all its keys, oldest first, or
// agency.ErrNotFound.
func (db *DB) AgencyByID(ctx context.Context, id string) (agency.Listing, error) {
	var sa agencyScan
	err := db.read.QueryRowContext(ctx,
		`SELECT `+agencyColumns+` FROM agencies a WHERE a.id = $1`, id).Scan(sa.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return agency.Listing{}, fmt.Errorf("agency %s: %w", id, agency.ErrNotFound)
	}
	if err != nil {
		return agency.Listing{}, fmt.Errorf("read agency %s: %w", id, err)
	}
	keys, err := db.agencyKeys(ctx, `WHERE k.agency_id = $1`, []any{id})
	if err != nil {
		return agency.Listing{}, err
	}
	return agency.Listing{Agency: sa.agency(), Keys: keys}, nil
}

// agencyKeys reads the keys where selects, oldest first.
func (db *DB) agencyKeys(ctx context.Context, where string, args []any) ([]agency.Key, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+keyColumns+` FROM agency_keys k `+where+` ORDER BY k.created_at, k.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list agency keys: %w", err)
	}
	defer rows.Close()
	keys := []agency.Key{}
	for rows.Next() {
		var sk keyScan
		if err := rows.Scan(sk.dest()...); err != nil {
			return nil, fmt.Errorf("list agency keys: %w", err)
		}
		keys = append(keys, sk.key())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list agency keys: %w", err)
	}
	return keys, nil
}

// SetAgencyStatus sets an agency's status and returns the agency as
// stored. updated_at changes only when the status does, so approving an
// approved agency keeps the time it was approved. An unknown agency is
// agency.ErrNotFound.
func (db *DB) SetAgencyStatus(ctx context.Context, id string, s agency.Status, at time.Time) (agency.Agency, error) {
	var sa agencyScan
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`UPDATE agencies SET status = $2, updated_at = $3 WHERE id = $1 AND status <> $2`,
			id, string(s), at.UnixMicro()); err != nil {
			return fmt.Errorf("set status of agency %s: %w", id, err)
		}
		err := tx.QueryRowContext(ctx, `SELECT `+agencyColumns+` FROM agencies a WHERE a.id = $1`, id).Scan(sa.dest()...)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("agency %s: %w", id, agency.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read agency %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return agency.Agency{}, err
	}
	return sa.agency(), nil
}

// RevokeAgencyKey stamps a key revoked at at and returns it as stored; a
// key already revoked keeps its first time. An unknown key is
// agency.ErrNotFound.
func (db *DB) RevokeAgencyKey(ctx context.Context, keyID string, at time.Time) (agency.Key, error) {
	var sk keyScan
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`UPDATE agency_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`, keyID, at.UnixMicro()); err != nil {
			return fmt.Errorf("revoke key %s: %w", keyID, err)
		}
		err := tx.QueryRowContext(ctx, `SELECT `+keyColumns+` FROM agency_keys k WHERE k.id = $1`, keyID).Scan(sk.dest()...)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("key %s: %w", keyID, agency.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read key %s: %w", keyID, err)
		}
		return nil
	})
	if err != nil {
		return agency.Key{}, err
	}
	return sk.key(), nil
}

// agencyScan receives the agencyColumns of a row.
type agencyScan struct {
	id, name, kind, status string
	created, updated       int64
}

func (s *agencyScan) dest() []any {
	return []any{&s.id, &s.name, &s.kind, &s.status, &s.created, &s.updated}
}

func (s *agencyScan) agency() agency.Agency {
	return agency.Agency{
		ID: s.id, Name: s.name, Kind: agency.Kind(s.kind), Status: agency.Status(s.status),
		CreatedAt: agencyTime(s.created), UpdatedAt: agencyTime(s.updated),
	}
}

// keyScan receives the keyColumns of a row.
type keyScan struct {
	id, agencyID, prefix        string
	operations, fields, purpose string
	rateLimit                   int64
	created                     int64
	expires, revoked            sql.NullInt64
}

func (s *keyScan) dest() []any {
	return []any{&s.id, &s.agencyID, &s.prefix, &s.operations, &s.fields, &s.purpose,
		&s.rateLimit, &s.created, &s.expires, &s.revoked}
}

func (s *keyScan) key() agency.Key {
	k := agency.Key{
		ID: s.id, AgencyID: s.agencyID, Prefix: s.prefix,
		Scope: agency.Scope{
			Fields:   splitScopeList(s.fields),
			Purposes: splitScopeList(s.purpose),
		},
		RateLimit: int(s.rateLimit),
		CreatedAt: agencyTime(s.created),
		ExpiresAt: agencyNullTime(s.expires),
		RevokedAt: agencyNullTime(s.revoked),
	}
	for _, op := range splitScopeList(s.operations) {
		k.Scope.Operations = append(k.Scope.Operations, agency.Operation(op))
	}
	return k
}

// A scope's lists are stored as comma-separated text: operations, field
// names and purposes never contain commas (the agency package checks
// them before they reach the store).
func joinScopeList(list []string) string { return strings.Join(list, ",") }

func splitScopeList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// nullAgencyMicros stores the zero time as NULL, other times as unix
// microseconds.
func nullAgencyMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func agencyTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

func agencyNullTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return agencyTime(v.Int64)
}
