// Package storetest opens throwaway databases on every engine the test run
// asks for, so that one suite runs against SQLite and PostgreSQL alike.
//
// The engines come from DANCU_TEST_ENGINES, a comma-separated list of
// "sqlite" and "postgres" (default: sqlite, plus postgres when
// DANCU_TEST_POSTGRES is set). PostgreSQL tests need DANCU_TEST_POSTGRES, a
// URL of a database the tests may create schemas in; each test gets a
// schema of its own, dropped when the test ends. Asking for postgres
// without a URL fails the test rather than skipping it, so that a CI run
// cannot pass without really exercising PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dancu/internal/store"
)

// Environment variables read by the helpers.
const (
	EnvEngines  = "DANCU_TEST_ENGINES"
	EnvPostgres = "DANCU_TEST_POSTGRES"
)

// Engines lists the engines this test run covers.
func Engines() []store.Engine {
	list := os.Getenv(EnvEngines)
	if list == "" {
		list = "sqlite"
		if os.Getenv(EnvPostgres) != "" {
			list += ",postgres"
		}
	}
	var out []store.Engine
	for _, e := range strings.Split(list, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, store.Engine(e))
		}
	}
	return out
}

// Each runs fn as a subtest once per engine, on a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh, migrated database on engine, closed and removed
// when the test ends.
func Open(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	db := OpenEmpty(t, engine)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}

// OpenEmpty is Open without the migrations.
func OpenEmpty(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	ctx := context.Background()
	switch engine {
	case store.SQLite:
		db, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "dancu.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	case store.Postgres:
		return openPostgres(t)
	default:
		t.Fatalf("%s: unknown engine %q", EnvEngines, engine)
		return nil
	}
}

// PostgresURL is a URL of a fresh schema of its own for this test, for
// tests that open the database themselves (as a command does).
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Fatalf("PostgreSQL tests were asked for but %s is not set", EnvPostgres)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s does not parse", EnvPostgres)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openPostgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.OpenPostgres(context.Background(), PostgresURL(t))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
