package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

func TestMigrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *store.DB) {
		ctx := context.Background()
		db := storetest.OpenEmpty(t, e.Engine())
		steps, err := store.Migrations(db.Engine())
		if err != nil {
			t.Fatal(err)
		}
		if v, err := db.SchemaVersion(ctx); err != nil || v != 0 {
			t.Fatalf("fresh database: version %d, %v; want 0", v, err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("first migrate: %v", err)
		}
		if len(applied) != len(steps) {
			t.Fatalf("first migrate applied %d steps, want %d", len(applied), len(steps))
		}
		again, err := db.Migrate(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate: applied %v, err %v; want nothing", again, err)
		}
		if v, err := db.SchemaVersion(ctx); err != nil || v != len(steps) {
			t.Fatalf("version %d, %v; want %d", v, err, len(steps))
		}
	})
}

func TestMigrateConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *store.DB) {
		ctx := context.Background()
		db := storetest.OpenEmpty(t, e.Engine())
		var wg sync.WaitGroup
		errs := make([]error, 4)
		total := make([]int, 4)
		for i := range errs {
			wg.Go(func() {
				a, err := db.Migrate(ctx)
				errs[i], total[i] = err, len(a)
			})
		}
		wg.Wait()
		sum := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("migrator %d: %v", i, err)
			}
			sum += total[i]
		}
		steps, _ := store.Migrations(db.Engine())
		if sum != len(steps) {
			t.Fatalf("migrators applied %d steps together, want each of %d once", sum, len(steps))
		}
	})
}

func TestMigrateRefusesTamperedOrNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.ExecRaw(ctx, `UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 1`); err != nil {
			t.Fatal(err)
		}
		_, err := db.Migrate(ctx)
		if err == nil || !strings.Contains(err.Error(), "changed after it was applied") {
			t.Fatalf("tampered migration: err %v, want a checksum error", err)
		}
		steps, _ := store.Migrations(db.Engine())
		if err := db.ExecRaw(ctx, `UPDATE schema_migrations SET checksum = $1 WHERE version = 1`, steps[0].Checksum); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'x', CURRENT_TIMESTAMP)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); !errors.Is(err, store.ErrSchemaNewer) {
			t.Fatalf("newer schema: err %v, want ErrSchemaNewer", err)
		}
	})
}

func TestMigrationFailureLeavesNothingHalfApplied(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *store.DB) {
		ctx := context.Background()
		db := storetest.OpenEmpty(t, e.Engine())
		steps := []store.Migration{
			{Version: 1, Name: "good", SQL: "CREATE TABLE good (x INTEGER);", Checksum: "a"},
			// The first statement succeeds, the second fails: the step must
			// leave neither behind.
			{Version: 2, Name: "bad", SQL: "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);", Checksum: "b"},
		}
		applied, err := db.MigrateSteps(ctx, steps)
		if err == nil || !strings.Contains(err.Error(), "0002_bad") {
			t.Fatalf("err %v, want the failing step named", err)
		}
		if len(applied) != 1 {
			t.Fatalf("applied %v, want only step 1", applied)
		}
		if v, _ := db.SchemaVersion(ctx); v != 1 {
			t.Fatalf("version %d after a failed step, want 1", v)
		}
		if _, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM half`); err == nil {
			t.Fatal("table half exists: the failed step was half applied")
		}
		if n, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM good`); err != nil || n != 0 {
			t.Fatalf("table good: %d, %v", n, err)
		}
	})
}

func TestLoadMigrations(t *testing.T) {
	sqlOK := &fstest.MapFile{Data: []byte("SELECT 1;")}
	cases := []struct {
		name    string
		files   fstest.MapFS
		engine  store.Engine
		want    []string
		wantErr string
	}{
		{"common and dialect files", fstest.MapFS{
			"m/0001_a.sql":          sqlOK,
			"m/0002_b.sqlite.sql":   sqlOK,
			"m/0002_b.postgres.sql": sqlOK,
			"m/README.md":           sqlOK,
		}, store.SQLite, []string{"a", "b"}, ""},
		{"gap", fstest.MapFS{"m/0001_a.sql": sqlOK, "m/0003_c.sql": sqlOK}, store.SQLite, nil, "0002 is missing"},
		{"bad name", fstest.MapFS{"m/1_a.sql": sqlOK}, store.SQLite, nil, "NNNN_name"},
		{"unknown engine", fstest.MapFS{"m/0001_a.mysql.sql": sqlOK}, store.SQLite, nil, "unknown engine"},
		{"twice", fstest.MapFS{"m/0001_a.sql": sqlOK, "m/0001_b.sql": sqlOK}, store.Postgres, nil, "defined twice"},
		{"missing dialect half", fstest.MapFS{"m/0001_a.sql": sqlOK, "m/0002_b.sqlite.sql": sqlOK}, store.Postgres, []string{"a"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := store.LoadMigrations(c.files, "m", c.engine)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, m := range got {
				names = append(names, m.Name)
			}
			if strings.Join(names, ",") != strings.Join(c.want, ",") {
				t.Fatalf("got %v, want %v", names, c.want)
			}
		})
	}
}

func TestPlaceholdersBindByPosition(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Both drivers must bind $2 before $1 by number, not by order of
		// appearance, or the shared SQL silently swaps values.
		n, err := db.QueryIntRaw(context.Background(), `SELECT CAST($2 AS INTEGER) * 10 + CAST($1 AS INTEGER)`, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n != 21 {
			t.Fatalf("got %d, want 21", n)
		}
	})
}
