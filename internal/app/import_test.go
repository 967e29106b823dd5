package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"dancu/internal/store"
)

// writeFamilies writes a CSV of n households of three (head, spouse,
// child) in Hà Nội, numbered from 1.
func writeFamilies(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("pid,full_name,date_of_birth,gender,ethnicity,permanent_address,household_id,relation_to_head,marital_status,spouse_pid,father_pid\n")
	for i := 1; i <= n; i++ {
		y := 1950 + i%40
		head := fmt.Sprintf("0010%02d%06d", y%100, i)
		wife := fmt.Sprintf("0011%02d%06d", y%100, i)
		child := fmt.Sprintf("0010%02d%06d", (y+25)%100, i)
		if y+25 >= 2000 {
			child = fmt.Sprintf("0012%02d%06d", (y+25)%100, i)
		}
		fmt.Fprintf(&b, "%s,Nguyễn Văn Hùng,%d-05-01,male,01,\"Số %d, Ngõ 5, Phường Ba Đình, Thành phố Hà Nội\",h%d,head,married,%s,\n", head, y, i, i, wife)
		fmt.Fprintf(&b, "%s,Trần Thị Lan,%d,female,01,,h%d,spouse,married,%s,\n", wife, y, i, head)
		fmt.Fprintf(&b, "%s,Nguyễn Văn Nam,%d-02-03,male,01,,h%d,child,,,%s\n", child, y+25, i, head)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	writeFamilies(t, in, 50)
	data := filepath.Join(dir, "data")
	code, out, errOut := run(t, "", nil, "import", "--data", data, "--json", in)
	if code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	var sum importSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Imported != 150 || sum.Rejected != 0 {
		t.Fatalf("summary %s (%v)", out, err)
	}
	// The load into an empty register claimed its numbers at its end.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "dancu.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	if n := unclaimed(t, db); n != 0 {
		t.Errorf("%d citizens whose number is not claimed", n)
	}
	db.Close()
	for _, format := range []string{"csv", "ndjson"} {
		code, exported, errOut := run(t, "", nil, "export", "--data", data, "--format", format)
		if code != 0 || !strings.Contains(errOut, "150 citizens") {
			t.Fatalf("export: %d %s", code, errOut)
		}
		file := filepath.Join(dir, "out."+format)
		os.WriteFile(file, []byte(exported), 0o600)
		other := filepath.Join(dir, "other-"+format)
		if code, _, errOut := run(t, "", nil, "import", "--data", other, file); code != 0 || !strings.Contains(errOut, "150 imported") {
			t.Fatalf("re-import of the export: %d %s", code, errOut)
		}
		_, again, _ := run(t, "", nil, "export", "--data", other, "--format", format)
		if again != exported {
			t.Errorf("%s: export → import → export changed the file", format)
		}
		// The same file into the same register changes nothing.
		if code, _, errOut := run(t, "", nil, "import", "--data", data, file); code != 0 || !strings.Contains(errOut, "150 unchanged") {
			t.Errorf("rerun: %d %s", code, errOut)
		}
	}
}

func TestImportBadInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bad.csv")
	os.WriteFile(in, []byte("pid,full_name,date_of_birth,gender,ethnicity,permanent_address\n"+
		"001090000001,Nguyễn Văn An,1990,male,01,\"Phường Ba Đình, Thành phố Hà Nội\"\n"+
		"001090000002,Thiếu Cột,1990,male\n"+
		"001299000003,Tương Lai,2099,male,01,\n"+
		"001090000004,Lê Văn Xa,1990,male,01,\"Số 1, Xã Không Có, Tỉnh Không Có\"\n"+
		"001090000001,Nguyễn Văn An,1990,male,01,\"Phường Ba Đình, Thành phố Hà Nội\"\n"+
		"001090000005,Nguyễn Văn Năm,1990,male,01,\n"), 0o600)
	code, _, errOut := run(t, "", nil, "import", "--data", filepath.Join(dir, "d"), in)
	if code != 0 || !strings.Contains(errOut, "6 rows") || !strings.Contains(errOut, "2 imported, 0 unchanged, 4 rejected") {
		t.Fatalf("import: %d %s", code, errOut)
	}
	rejects, err := os.ReadFile(in + ".rejects.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"3,,,,\"the row has 4 columns, the header 6\"",
		"4,001299000003,date_of_birth,future_date,",
		"5,001090000004,permanent_address,unknown_commune,",
		"6,001090000001,,,rejected: pid 001090000001 appears twice in this file (first at line 2)",
	} {
		if !strings.Contains(string(rejects), want) {
			t.Errorf("rejects lack %q:\n%s", want, rejects)
		}
	}
	// NDJSON: a broken line is one reject.
	nd := filepath.Join(dir, "bad.ndjson")
	os.WriteFile(nd, []byte(`{"pid":"001090000007","full_name":"A B","date_of_birth":"1990","gender":"male","ethnicity":"01"}`+"\n{\"pid\":\n"), 0o600)
	if code, _, errOut := run(t, "", nil, "import", "--data", filepath.Join(dir, "d"), nd); code != 0 || !strings.Contains(errOut, "1 imported, 0 unchanged, 1 rejected") {
		t.Fatalf("ndjson: %d %s", code, errOut)
	}
}

// TestImportKilled kills an import with SIGKILL while it commits, checks
// that every citizen on disk is whole, and that running the import again
// finishes the job.
func TestImportKilled(t *testing.T) {
	if args := os.Getenv("DANCU_TEST_IMPORT_CHILD"); args != "" {
		os.Exit(Main(context.Background(), strings.Split(args, "\x1f"), Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: func(string) string { return "" }}))
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	const households = 4000
	writeFamilies(t, in, households)
	data := filepath.Join(dir, "data")
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilled$", "-test.count=1")
	cmd.Env = append(os.Environ(), "DANCU_TEST_IMPORT_CHILD="+strings.Join([]string{"import", "--data", data, "--batch", "200", in}, "\x1f"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Kill it once some batches are in.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if n := countRows(t, filepath.Join(data, "dancu.db"), "citizens"); n >= 1000 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the import did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Skipf("the import finished before it could be killed (%v)", err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "dancu.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	before := countRows(t, filepath.Join(data, "dancu.db"), "citizens")
	for what, q := range map[string]string{
		"citizens without their event":  `SELECT COUNT(*) FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = c.event_id AND e.pid = c.pid)`,
		"citizens without a residence":  `SELECT COUNT(*) FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM residences r WHERE r.pid = c.pid)`,
		"events without a citizen":      `SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM citizens c WHERE c.pid = e.pid)`,
		"households without their head": `SELECT COUNT(*) FROM households h WHERE NOT EXISTS (SELECT 1 FROM citizens c WHERE c.household_id = h.id AND c.relation_to_head = 'head')`,
	} {
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d %s (%v)", n, what, err)
		}
	}
	db.Close()
	if before == 0 || before >= 3*households {
		t.Fatalf("%d citizens before the rerun; the kill proves little", before)
	}
	code, _, errOut := run(t, "", nil, "import", "--data", data, in)
	want := fmt.Sprintf("%d imported, %d unchanged, 0 rejected", 3*households-before, before)
	if code != 0 || !strings.Contains(errOut, want) {
		t.Fatalf("rerun: %d %s, want %q", code, errOut, want)
	}
	// The killed import had set the search indexes aside (the register
	// was empty); opening the database again built them.
	db, err = sql.Open("sqlite", "file:"+filepath.Join(data, "dancu.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var indexes, pending int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN
		('citizens_by_name', 'citizens_by_household', 'citizens_by_commune', 'citizens_one_head', 'events_by_time', 'residences_by_pid')`).Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM bulk_dropped_indexes`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if indexes != 6 || pending != 0 {
		t.Errorf("after the rerun: %d of 6 indexes, %d still set aside", indexes, pending)
	}
	// The killed load had left its numbers' claims to its end; opening
	// the database again made them too.
	if n := unclaimed(t, db); n != 0 {
		t.Errorf("after the rerun: %d citizens whose number is not claimed", n)
	}
}

// unclaimed counts the citizens whose number pid_claims does not hold.
func unclaimed(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM citizens c WHERE NOT EXISTS (SELECT 1 FROM pid_claims p WHERE p.pid = c.pid)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// countRows counts a table's rows in the SQLite database at path, 0 when
// it cannot yet be read.
func countRows(t *testing.T, path, table string) int64 {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		return 0
	}
	defer db.Close()
	n, err := db.RowCount(context.Background(), table)
	if err != nil {
		return 0
	}
	return n
}

// TestGenerateImportExport: a generated population imports without a
// reject, and exports back to the same rows (in the export's order).
func TestGenerateImportExport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "people.csv")
	if code, _, errOut := run(t, "", nil, "generate", "--count", "3000", "--seed", "5", "--out", file); code != 0 {
		t.Fatalf("generate: %d %s", code, errOut)
	}
	data := filepath.Join(dir, "data")
	if code, _, errOut := run(t, "", nil, "import", "--data", data, file); code != 0 || !strings.Contains(errOut, "3000 imported, 0 unchanged, 0 rejected") {
		t.Fatalf("import: %d %s", code, errOut)
	}
	code, exported, errOut := run(t, "", nil, "export", "--data", data, "--format", "csv")
	if code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	in, _ := os.ReadFile(file)
	if a, b := sortedLines(string(in)), sortedLines(exported); a != b {
		t.Error("the export differs from the generated file")
	}
	// generate --data loads the same people straight into a register.
	other := filepath.Join(dir, "other")
	if code, _, errOut := run(t, "", nil, "generate", "--count", "3000", "--seed", "5", "--data", other); code != 0 || !strings.Contains(errOut, "3000 imported") {
		t.Fatalf("generate --data: %d %s", code, errOut)
	}
	if _, again, _ := run(t, "", nil, "export", "--data", other, "--format", "csv"); again != exported {
		t.Error("generate --data and import of the same file give different registers")
	}
}

func sortedLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
