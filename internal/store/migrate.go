package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds the schema, one numbered file per step.
//
// A step is NNNN_name.sql when the same SQL runs on both engines, or the
// pair NNNN_name.sqlite.sql and NNNN_name.postgres.sql when the dialects
// differ. Steps are forward-only: a released file never changes (its
// checksum is recorded and checked) and the schema is never rolled back.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one step of the schema.
type Migration struct {
	Version  int
	Name     string
	SQL      string
	Checksum string
}

// Applied describes a migration that Migrate ran.
type Applied struct {
	Version int
	Name    string
	Took    time.Duration
}

// ErrSchemaNewer means the database was migrated by a newer dancu.
var ErrSchemaNewer = errors.New("database schema is newer than this dancu")

// Migrations lists the schema steps for engine, in order.
func Migrations(engine Engine) ([]Migration, error) {
	return loadMigrations(migrationFiles, "migrations", engine)
}

func loadMigrations(fsys fs.FS, dir string, engine Engine) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	byVersion := map[int]Migration{}
	for _, e := range entries {
		name := e.Name()
		base, ok := strings.CutSuffix(name, ".sql")
		if !ok {
			continue
		}
		if stem, dialect, ok := strings.Cut(base, "."); ok {
			if dialect != string(SQLite) && dialect != string(Postgres) {
				return nil, fmt.Errorf("migration %s: unknown engine %q", name, dialect)
			}
			if dialect != string(engine) {
				continue
			}
			base = stem
		}
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name[.engine].sql", name)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		if prev, dup := byVersion[v]; dup {
			return nil, fmt.Errorf("migration %04d defined twice (%s and %s)", v, prev.Name, label)
		}
		sum := sha256.Sum256(body)
		byVersion[v] = Migration{Version: v, Name: label, SQL: string(body), Checksum: hex.EncodeToString(sum[:])}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %04d is missing (found %04d_%s)", i+1, m.Version, m.Name)
		}
	}
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// Migrate brings the schema up to date, one transaction per step, and
// returns the steps it ran. It is safe to run from several processes at
// once: PostgreSQL serialises them with an advisory lock, SQLite with its
// write lock. It refuses a database whose schema is newer than this
// binary, or whose applied steps differ from the embedded ones.
func (db *DB) Migrate(ctx context.Context) ([]Applied, error) {
	steps, err := Migrations(db.engine)
	if err != nil {
		return nil, err
	}
	return db.migrate(ctx, steps)
}

func (db *DB) migrate(ctx context.Context, steps []Migration) ([]Applied, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, createMigrationsTable)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	// A bulk load that stopped before rebuilding its indexes left them in
	// bulk_dropped_indexes (migration 4): build them before anything else,
	// so that later steps find the schema they were written for.
	var bulkTable int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = 4`).Scan(&bulkTable); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	if bulkTable == 1 {
		if err := db.RebuildIndexes(ctx); err != nil {
			return nil, err
		}
	}
	var applied []Applied
	for _, m := range steps {
		start := time.Now()
		ran := false
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if err := db.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var sum string
			err := tx.QueryRowContext(ctx, `SELECT checksum FROM schema_migrations WHERE version = $1`, m.Version).Scan(&sum)
			switch {
			case err == nil:
				if sum != m.Checksum {
					return fmt.Errorf("migration %04d_%s was changed after it was applied (checksum %s in the database, %s in this binary)",
						m.Version, m.Name, short(sum), short(m.Checksum))
				}
				return nil
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply migration %04d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
				m.Version, m.Name, m.Checksum, time.Now().UTC()); err != nil {
				return fmt.Errorf("record migration %04d_%s: %w", m.Version, m.Name, err)
			}
			ran = true
			return nil
		})
		if err != nil {
			return applied, err
		}
		if ran {
			applied = append(applied, Applied{Version: m.Version, Name: m.Name, Took: time.Since(start)})
		}
	}
	newest, err := db.SchemaVersion(ctx)
	if err != nil {
		return applied, err
	}
	if known := len(steps); newest > known {
		return applied, fmt.Errorf("%w: the database is at version %d, this binary knows up to %d; run a newer dancu", ErrSchemaNewer, newest, known)
	}
	return applied, nil
}

// lockMigrations serialises migrators on PostgreSQL for the rest of tx;
// on SQLite the write transaction already holds the only write lock.
func (db *DB) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	if db.engine != Postgres {
		return nil
	}
	// One lock key for every dancu migrator on this database.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(4470617563750001)`); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	return nil
}

// SchemaVersion is the newest migration applied to the database, 0 for a
// database that was never migrated.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		if isMissingTable(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// isMissingTable recognises "no such table" on both engines.
func isMissingTable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "SQLSTATE 42P01")
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
