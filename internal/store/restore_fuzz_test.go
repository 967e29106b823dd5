package store_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// FuzzRestore feeds arbitrary bytes to Restore, the parser of backup
// files, which may come from anywhere: it must never panic, and a refused
// file must leave the database empty.
func FuzzRestore(f *testing.F) {
	ctx := context.Background()
	src := storetest.Open(f, store.SQLite)
	for i := 1; i <= 3; i++ {
		if _, err := src.ClaimPID(ctx, "001090000001"); err != nil {
			f.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := src.Backup(ctx, &buf, nil); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	dir := f.TempDir()
	opened := 0
	fresh := func(t testing.TB) *store.DB {
		opened++
		db, err := store.OpenSQLite(ctx, filepath.Join(dir, fmt.Sprintf("fuzz%d.db", opened)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := fresh(f)
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := db.Restore(ctx, bytes.NewReader(data), nil)
		if err == nil {
			// A valid backup went in: the next input gets a fresh database.
			db.Close()
			db = fresh(t)
			return
		}
		if n, cerr := db.RowCount(ctx, "pid_claims"); cerr != nil || n != 0 {
			t.Fatalf("a refused restore (%v) left %d rows (%v)", err, n, cerr)
		}
	})
}
