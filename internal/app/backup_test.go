package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dancu/internal/pid"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// seedDataDir creates a migrated SQLite data directory holding n claimed
// numbers.
func seedDataDir(t *testing.T, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, "", nil, "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: exit %d, %s", code, errs)
	}
	db, err := store.OpenSQLite(context.Background(), filepath.Join(dir, "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		if _, err := db.ClaimPID(context.Background(), pid.PID(fmt.Sprintf("0010900%05d", i))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func countClaims(t *testing.T, path string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM pid_claims`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupRestoreCommands backs up a data directory while another
// connection holds an open write transaction on it (as a serving dancu
// would), restores the file into a new directory, and checks that restore
// refuses a directory with data.
func TestBackupRestoreCommands(t *testing.T) {
	src := seedDataDir(t, 25)
	dbPath := filepath.Join(src, "dancu.db")

	// A writer in the middle of a transaction: the backup must neither
	// wait for it nor see its row.
	writer, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	tx, err := writer.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO pid_claims (pid, claimed_at) VALUES ('079300099999', 1)`); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "dancu.dancu.gz")
	code, stdout, errs := run(t, "", nil, "backup", "--json", "--data", src, "--out", out)
	if code != 0 {
		t.Fatalf("backup: exit %d, %s", code, errs)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var got struct {
		File   string `json:"file"`
		Engine string `json:"engine"`
		Rows   int64  `json:"rows"`
		Bytes  int64  `json:"bytes"`
		Tables []struct {
			Table string `json:"table"`
			Rows  int64  `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if got.Engine != "sqlite" || got.Rows != 25 || got.File != out {
		t.Fatalf("summary %+v, want 25 rows from sqlite (the open transaction's row not included)", got)
	}
	if st, err := os.Stat(out); err != nil || st.Size() != got.Bytes || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want %d bytes, mode 0600", st, err, got.Bytes)
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("%s.tmp left behind: %v", out, err)
	}
	if !strings.Contains(errs, "pid_claims") || !strings.Contains(errs, "rows/s") {
		t.Fatalf("stderr lacks progress: %q", errs)
	}

	dst := filepath.Join(t.TempDir(), "restored")
	code, stdout, errs = run(t, "", nil, "restore", "--json", "--data", dst, out)
	if code != 0 {
		t.Fatalf("restore: exit %d, %s", code, errs)
	}
	if !strings.Contains(stdout, `"rows": 25`) {
		t.Fatalf("restore summary %s", stdout)
	}
	if n := countClaims(t, filepath.Join(dst, "dancu.db")); n != 25 {
		t.Fatalf("restored %d claims, want 25", n)
	}

	// The restored directory now holds data: a second restore is refused
	// and changes nothing.
	code, _, errs = run(t, "", nil, "restore", "--data", dst, out)
	if code != 1 || !strings.Contains(errs, "already holds data") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("restore into a directory with data: exit %d, stderr %q; want exit 1 and one line", code, errs)
	}
	if n := countClaims(t, filepath.Join(dst, "dancu.db")); n != 25 {
		t.Fatalf("%d claims after a refused restore, want 25", n)
	}
}

// TestBackupToStdout: --out - writes the gzip stream to stdout and restore
// reads it from stdin.
func TestBackupToStdout(t *testing.T) {
	src := seedDataDir(t, 3)
	code, stdout, errs := run(t, "", nil, "backup", "--data", src, "--out", "-")
	if code != 0 || !strings.HasPrefix(stdout, "\x1f\x8b") {
		t.Fatalf("backup to stdout: exit %d, stderr %q, stdout starts %q", code, errs, stdout[:min(len(stdout), 4)])
	}
	dst := filepath.Join(t.TempDir(), "restored")
	if code, _, errs := run(t, stdout, nil, "restore", "--data", dst, "-"); code != 0 {
		t.Fatalf("restore from stdin: exit %d, %s", code, errs)
	}
	if n := countClaims(t, filepath.Join(dst, "dancu.db")); n != 3 {
		t.Fatalf("restored %d claims, want 3", n)
	}
}

// TestBackupFailureLeavesNoFile: a failed backup leaves neither the file
// nor its .tmp, and a previous backup under the name stays intact.
func TestBackupFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "b.gz")
	if err := os.WriteFile(out, []byte("previous backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A data directory whose database was never migrated.
	empty := filepath.Join(dir, "empty")
	db, err := store.OpenSQLite(context.Background(), filepath.Join(empty, "dancu.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, _, errs := run(t, "", nil, "backup", "--data", empty, "--out", out)
	if code != 1 || !strings.Contains(errs, "never migrated") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if b, _ := os.ReadFile(out); string(b) != "previous backup" {
		t.Fatalf("previous backup overwritten: %q", b)
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf(".tmp left behind: %v", err)
	}
	// No database at all: an error, and no directory created.
	missing := filepath.Join(dir, "missing")
	code, _, errs = run(t, "", nil, "backup", "--data", missing, "--out", out)
	if code != 1 || !strings.Contains(errs, "no dancu database") {
		t.Fatalf("missing data directory: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("backup created %s", missing)
	}
}

func TestBackupRestoreUsage(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"backup"}, "--out is required"},
		{[]string{"backup", "--out", "x", "extra"}, "takes no arguments"},
		{[]string{"backup", "--out", "-", "--json"}, "use one or the other"},
		{[]string{"restore"}, "takes one backup file"},
	}
	for _, c := range cases {
		if code, _, errs := run(t, "", nil, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q", c.args, code, errs, c.want)
		}
	}
	code, _, errs := run(t, "", nil, "restore", "--data", t.TempDir(), filepath.Join(t.TempDir(), "nope.gz"))
	if code != 1 || !strings.Contains(errs, "open backup") {
		t.Fatalf("missing file: exit %d, stderr %q", code, errs)
	}
}

// TestBackupSQLiteRestorePostgres moves a data directory to PostgreSQL
// through the CLI, as an operator would.
func TestBackupSQLiteRestorePostgres(t *testing.T) {
	if !slices.Contains(storetest.Engines(), store.Postgres) {
		t.Skip("PostgreSQL is not among the test engines")
	}
	src := seedDataDir(t, 10)
	out := filepath.Join(t.TempDir(), "b.gz")
	if code, _, errs := run(t, "", nil, "backup", "--data", src, "--out", out); code != 0 {
		t.Fatalf("backup: exit %d, %s", code, errs)
	}
	url := storetest.PostgresURL(t)
	code, stdout, errs := run(t, "", nil, "restore", "--json", "--db", url, out)
	if code != 0 {
		t.Fatalf("restore into postgres: exit %d, %s", code, errs)
	}
	if !strings.Contains(stdout, `"source_engine": "sqlite"`) || !strings.Contains(stdout, `"rows": 10`) {
		t.Fatalf("summary %s", stdout)
	}
	// And back again.
	out2 := filepath.Join(t.TempDir(), "b2.gz")
	if code, _, errs := run(t, "", nil, "backup", "--db", url, "--out", out2); code != 0 {
		t.Fatalf("backup postgres: exit %d, %s", code, errs)
	}
	dst := filepath.Join(t.TempDir(), "back")
	if code, _, errs := run(t, "", nil, "restore", "--data", dst, out2); code != 0 {
		t.Fatalf("restore into sqlite: exit %d, %s", code, errs)
	}
	if n := countClaims(t, filepath.Join(dst, "dancu.db")); n != 10 {
		t.Fatalf("%d claims after SQLite → PostgreSQL → SQLite, want 10", n)
	}
}
