package store_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dancu/internal/pid"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// The probe tables stand in for tables later migrations add: every column
// type dancu uses, and a foreign key whose child sorts before its parent
// by name, so the restore must order them.
func createProbeTables(t testing.TB, db *store.DB) {
	t.Helper()
	blob := "BLOB"
	if db.Engine() == store.Postgres {
		blob = "BYTEA"
	}
	for _, q := range []string{
		`CREATE TABLE z_probe (
			id      BIGINT PRIMARY KEY,
			name    TEXT,
			score   REAL,
			ratio   DOUBLE PRECISION,
			photo   ` + blob + `,
			active  BOOLEAN,
			born_on TEXT,
			seen_at BIGINT
		)`,
		`CREATE TABLE a_note (
			id       BIGINT PRIMARY KEY,
			probe_id BIGINT NOT NULL REFERENCES z_probe (id),
			body     TEXT NOT NULL
		)`,
	} {
		if err := db.ExecRaw(context.Background(), q); err != nil {
			t.Fatalf("create probe table: %v", err)
		}
	}
}

// probeRows are the rows of z_probe; the ids and numbers test exactness
// beyond float64's 2^53, the text Vietnamese and JSON's escapes. (REAL is
// 4 bytes on PostgreSQL and 8 on SQLite, so score holds float32 values;
// ratio, DOUBLE PRECISION on both, takes any float64.)
var probeRows = [][]any{
	{int64(1), "Nguyễn Thị Minh Khai", 3.0, 0.1, []byte{0, 1, 2, 0xff, '\n'}, true, "1990-05-17", int64(1767225600123456)},
	{int64(1<<62 + 1), "Trần \"Văn\" \\ Bảy\n\ttab\x01", -1024.5, -1.5e300, []byte("ảnh"), false, "1990", int64(-9007199254740993)},
	{int64(-(1 << 53) - 1), "", nil, nil, nil, nil, nil, nil},
	{int64(4), nil, 2.5, -0.0, []byte{}, true, "", int64(math.MaxInt64)},
}

func fillProbe(t testing.TB, db *store.DB, claims int) {
	t.Helper()
	ctx := context.Background()
	for i := range claims {
		if _, err := db.ClaimPID(ctx, pid.PID(fmt.Sprintf("0790260%05d", i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range probeRows {
		if err := db.ExecRaw(ctx, `INSERT INTO z_probe (id, name, score, ratio, photo, active, born_on, seen_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r...); err != nil {
			t.Fatalf("insert probe row: %v", err)
		}
	}
	for i, body := range []string{"ghi chú một", "ghi chú hai"} {
		if err := db.ExecRaw(ctx, `INSERT INTO a_note (id, probe_id, body) VALUES ($1, $2, $3)`, int64(i+1), probeRows[i][0], body); err != nil {
			t.Fatal(err)
		}
	}
}

// opened is a dancu database and a plain database/sql handle on the same
// data, so that contents are compared without going through the code under
// test.
type opened struct {
	db  *store.DB
	raw *sql.DB
}

func openBoth(t testing.TB, engine store.Engine, migrate bool) opened {
	t.Helper()
	ctx := context.Background()
	var o opened
	var err error
	switch engine {
	case store.SQLite:
		path := filepath.Join(t.TempDir(), "dancu.db")
		if o.db, err = store.OpenSQLite(ctx, path); err == nil {
			o.raw, err = sql.Open("sqlite", "file:"+path)
		}
	case store.Postgres:
		url := storetest.PostgresURL(t)
		if o.db, err = store.OpenPostgres(ctx, url); err == nil {
			o.raw, err = sql.Open("pgx", url)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.raw.Close(); o.db.Close() })
	if migrate {
		if _, err := o.db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// dump reads every table but schema_migrations, rows sorted, values
// normalised across engines (booleans as 0/1, CHAR padding trimmed).
func dump(t testing.TB, engine store.Engine, raw *sql.DB) map[string][][]any {
	t.Helper()
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`
	if engine == store.Postgres {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`
	}
	rows, err := raw.Query(list)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][][]any{}
	for _, table := range tables {
		rows, err := raw.Query(`SELECT * FROM "` + table + `" ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		out[table] = [][]any{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				switch x := v.(type) {
				case bool:
					vals[i] = map[bool]int64{false: 0, true: 1}[x]
				case []byte:
					vals[i] = append([]byte{}, x...)
				}
			}
			out[table] = append(out[table], vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

func backupBytes(t testing.TB, db *store.DB) ([]byte, store.BackupSummary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := db.Backup(context.Background(), &buf, nil)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if sum.Bytes != int64(buf.Len()) {
		t.Fatalf("summary says %d bytes, wrote %d", sum.Bytes, buf.Len())
	}
	return buf.Bytes(), sum
}

// TestBackupRestoreRoundTrip backs up every engine and restores into every
// engine, SQLite to PostgreSQL and back included, comparing the contents
// table by table.
func TestBackupRestoreRoundTrip(t *testing.T) {
	for _, from := range storetest.Engines() {
		for _, to := range storetest.Engines() {
			t.Run(string(from)+"_to_"+string(to), func(t *testing.T) {
				ctx := context.Background()
				src := openBoth(t, from, true)
				createProbeTables(t, src.db)
				fillProbe(t, src.db, 50)
				want := dump(t, from, src.raw)

				var progressed []string
				var buf bytes.Buffer
				bsum, err := src.db.Backup(ctx, &buf, func(table string, rows int64) {
					progressed = append(progressed, fmt.Sprintf("%s=%d", table, rows))
				})
				if err != nil {
					t.Fatalf("backup: %v", err)
				}
				if bsum.Rows != 50+int64(len(probeRows))+2 || len(bsum.Tables) != len(want) {
					t.Fatalf("backup summary %+v, want %d tables", bsum, len(want))
				}
				// Parents before children: z_probe before a_note, though
				// a_note sorts first by name. (Other tables come from the
				// migrations and are empty here.)
				prog := strings.Join(progressed, " ")
				for _, w := range []string{"pid_claims=50", "z_probe=4 a_note=2"} {
					if !strings.Contains(prog, w) {
						t.Fatalf("progress %q lacks %q", prog, w)
					}
				}

				dst := openBoth(t, to, true)
				createProbeTables(t, dst.db)
				rsum, err := dst.db.Restore(ctx, &buf, nil)
				if err != nil {
					t.Fatalf("restore: %v", err)
				}
				if rsum.Rows != bsum.Rows || rsum.SourceEngine != from || len(rsum.Tables) != len(bsum.Tables) {
					t.Fatalf("restore summary %+v, backup %+v", rsum, bsum)
				}
				got := dump(t, to, dst.raw)
				for table, rows := range want {
					if !reflect.DeepEqual(got[table], rows) {
						t.Errorf("table %s differs after the round trip:\n got %v\nwant %v", table, got[table], rows)
					}
				}
				if len(got) != len(want) {
					t.Errorf("tables %d after restore, want %d", len(got), len(want))
				}
				// The restored database works: numbers stay claimed.
				if ok, err := dst.db.ClaimPID(ctx, pid.PID("079026000007")); err != nil || ok {
					t.Fatalf("claim a restored number: %v %v; want false", ok, err)
				}
			})
		}
	}
}

// TestBackupFileFormat checks a file against the documented format.
func TestBackupFileFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		createProbeTables(t, db)
		fillProbe(t, db, 3)
		data, sum := backupBytes(t, db)
		lines := gunzipLines(t, data)
		var head map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &head); err != nil {
			t.Fatal(err)
		}
		version, _ := db.SchemaVersion(ctx)
		if head["format"] != "dancu-backup" || head["format_version"] != 1.0 || head["schema_version"] != float64(version) ||
			head["engine"] != string(db.Engine()) {
			t.Fatalf("header %v", head)
		}
		if _, err := time.Parse(time.RFC3339, head["created_at"].(string)); err != nil {
			t.Fatalf("created_at: %v", err)
		}
		if !slices.Contains(lines, `{"table":"pid_claims","columns":["pid","claimed_at"]}`) {
			t.Fatalf("no table line for pid_claims")
		}
		var trailer struct {
			End    bool   `json:"end"`
			Tables int    `json:"tables"`
			Rows   int64  `json:"rows"`
			SHA256 string `json:"sha256"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &trailer); err != nil || !trailer.End || trailer.Tables != len(sum.Tables) || trailer.Rows != sum.Rows || len(trailer.SHA256) != 64 {
			t.Fatalf("trailer %s (%v)", lines[len(lines)-1], err)
		}
		// Integers beyond 2^53 are written exactly; floats keep a fraction.
		joined := strings.Join(lines, "\n")
		for _, want := range []string{"4611686018427387905", "-9007199254740993", "9223372036854775807", "3.0", `{"b64":"AAEC/wo="}`, "Nguyễn Thị Minh Khai"} {
			if !strings.Contains(joined, want) {
				t.Errorf("backup lacks %s", want)
			}
		}
	})
}

func gunzipLines(t testing.TB, data []byte) []string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(plain), "\n"), "\n")
}

func gzipBytes(t testing.TB, plain string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, plain)
	zw.Close()
	return buf.Bytes()
}

// assertNoData fails unless every table of db is empty.
func assertNoData(t testing.TB, db *store.DB) {
	t.Helper()
	for _, table := range []string{"pid_claims", "z_probe", "a_note"} {
		if n, err := db.QueryIntRaw(context.Background(), `SELECT COUNT(*) FROM `+table); err != nil || n != 0 {
			t.Fatalf("%s holds %d rows (%v) after a failed restore, want 0", table, n, err)
		}
	}
}

// TestRestoreRejectsDamagedFiles cuts the file at several points and
// flips bytes, compressed and not: each restore fails and leaves the
// database empty and restorable.
func TestRestoreRejectsDamagedFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		createProbeTables(t, src)
		fillProbe(t, src, 2000)
		data, _ := backupBytes(t, src)
		dst := storetest.Open(t, src.Engine())
		createProbeTables(t, dst)

		lines := gunzipLines(t, data)
		plain := strings.Join(lines, "\n") + "\n"
		withoutTrailer := strings.Join(lines[:len(lines)-1], "\n") + "\n"
		tampered := strings.Replace(plain, "Nguyễn", "Nguyen", 1)
		cases := map[string][]byte{
			"empty":               {},
			"cut at 10":           data[:10],
			"cut at a quarter":    data[:len(data)/4],
			"cut at half":         data[:len(data)/2],
			"cut 20 from the end": data[:len(data)-20],
			"cut 1 from the end":  data[:len(data)-1],
			"flipped byte":        flip(data, len(data)/2),
			"flipped early byte":  flip(data, 40),
			"no trailer":          gzipBytes(t, withoutTrailer),
			"edited row":          gzipBytes(t, tampered),
			"line cut mid-row":    gzipBytes(t, plain[:len(plain)/2]),
			"data after trailer":  gzipBytes(t, plain+"[1]\n"),
			"not gzip":            []byte(plain),
		}
		names := make([]string, 0, len(cases))
		for n := range cases {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			_, err := dst.Restore(ctx, bytes.NewReader(cases[name]), nil)
			if err == nil {
				t.Fatalf("%s: restore succeeded", name)
			}
			t.Logf("%s: %v", name, err)
			assertNoData(t, dst)
		}
		for name, want := range map[string]string{"no trailer": "trailer", "edited row": "checksum", "cut at half": "truncated"} {
			if _, err := dst.Restore(ctx, bytes.NewReader(cases[name]), nil); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want an error naming %q", name, err, want)
			}
		}
		// After all that, the intact file still restores.
		if _, err := dst.Restore(ctx, bytes.NewReader(data), nil); err != nil {
			t.Fatalf("intact file after failed attempts: %v", err)
		}
		if n, _ := dst.QueryIntRaw(ctx, `SELECT COUNT(*) FROM pid_claims`); n != 2000 {
			t.Fatalf("%d claims restored, want 2000", n)
		}
	})
}

func flip(data []byte, i int) []byte {
	out := append([]byte(nil), data...)
	out[i] ^= 0x10
	return out
}

// TestRestoreRefusesBadInput: headers of other formats or newer schemas,
// tables and columns the schema lacks, and a database with data.
func TestRestoreRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		createProbeTables(t, src)
		fillProbe(t, src, 5)
		data, _ := backupBytes(t, src)
		lines := gunzipLines(t, data)
		body := strings.Join(lines[1:], "\n") + "\n"

		t.Run("non-empty database", func(t *testing.T) {
			dst := storetest.Open(t, src.Engine())
			createProbeTables(t, dst)
			if _, err := dst.ClaimPID(ctx, "001090000001"); err != nil {
				t.Fatal(err)
			}
			_, err := dst.Restore(ctx, bytes.NewReader(data), nil)
			if !errors.Is(err, store.ErrNotEmpty) || !strings.Contains(err.Error(), "pid_claims") {
				t.Fatalf("err %v, want ErrNotEmpty naming pid_claims", err)
			}
			if n, _ := dst.QueryIntRaw(ctx, `SELECT COUNT(*) FROM pid_claims`); n != 1 {
				t.Fatalf("%d claims after a refused restore, want the 1 it had", n)
			}
			if n, _ := dst.QueryIntRaw(ctx, `SELECT COUNT(*) FROM z_probe`); n != 0 {
				t.Fatalf("%d probe rows after a refused restore, want 0", n)
			}
		})
		t.Run("unknown table", func(t *testing.T) {
			dst := storetest.Open(t, src.Engine()) // no probe tables
			_, err := dst.Restore(ctx, bytes.NewReader(data), nil)
			if err == nil || !strings.Contains(err.Error(), `table "z_probe"`) {
				t.Fatalf("err %v, want one naming the unknown table", err)
			}
			if n, _ := dst.QueryIntRaw(ctx, `SELECT COUNT(*) FROM pid_claims`); n != 0 {
				t.Fatalf("%d claims after a failed restore", n)
			}
		})
		t.Run("unknown column", func(t *testing.T) {
			dst := storetest.Open(t, src.Engine())
			createProbeTables(t, dst)
			file := gzipBytes(t, strings.Replace(strings.Join(lines, "\n")+"\n", `"columns":["pid","claimed_at"]`, `"columns":["pid","claimed_on"]`, 1))
			_, err := dst.Restore(ctx, bytes.NewReader(file), nil)
			if err == nil || !strings.Contains(err.Error(), "pid_claims.claimed_on") {
				t.Fatalf("err %v, want one naming the unknown column", err)
			}
		})
		headers := map[string]string{
			"other format":   `{"format":"pg_dump","format_version":1,"schema_version":1}`,
			"newer format":   `{"format":"dancu-backup","format_version":2,"schema_version":1}`,
			"newer schema":   `{"format":"dancu-backup","format_version":1,"schema_version":9999,"dancu_version":"v9"}`,
			"not JSON":       `dancu`,
			"missing schema": `{"format":"dancu-backup","format_version":1}`,
		}
		for name, head := range headers {
			t.Run(name, func(t *testing.T) {
				dst := storetest.Open(t, src.Engine())
				createProbeTables(t, dst)
				if _, err := dst.Restore(ctx, bytes.NewReader(gzipBytes(t, head+"\n"+body)), nil); err == nil {
					t.Fatal("restore succeeded")
				} else {
					t.Log(err)
				}
				assertNoData(t, dst)
			})
		}
	})
}

// TestBackupWhileWriting backs up while a writer keeps inserting. The
// writer appends a ledger row and then claims a number, over and over;
// the backup reads the ledger (sorted first), then pauses in its progress
// callback until the writer has gone well past it, then reads the claims.
// A consistent snapshot sees claims and ledger rows from the same moment.
func TestBackupWhileWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := db.ExecRaw(ctx, `CREATE TABLE a_ledger (n BIGINT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		var written atomic.Int64
		var wg sync.WaitGroup
		werr := make(chan error, 1)
		wg.Go(func() {
			for i := int64(0); ctx.Err() == nil; i++ {
				if err := db.ExecRaw(ctx, `INSERT INTO a_ledger (n) VALUES ($1)`, i); err != nil {
					werr <- err
					return
				}
				if _, err := db.ClaimPID(ctx, pid.PID(fmt.Sprintf("0010900%05d", i))); err != nil {
					werr <- err
					return
				}
				written.Store(i + 1)
			}
		})
		for written.Load() < 100 {
			time.Sleep(time.Millisecond)
		}
		var buf bytes.Buffer
		sum, err := db.Backup(ctx, &buf, func(table string, rows int64) {
			if table != "a_ledger" {
				return
			}
			deadline := time.Now().Add(10 * time.Second)
			for written.Load() < rows+200 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		})
		cancel()
		wg.Wait()
		select {
		case err := <-werr:
			if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "interrupted") {
				t.Fatalf("writer: %v", err)
			}
		default:
		}
		if err != nil {
			t.Fatalf("backup: %v", err)
		}
		counts := map[string]int64{}
		table := ""
		for _, l := range gunzipLines(t, buf.Bytes())[1:] {
			if strings.HasPrefix(l, "[") {
				counts[table]++
				continue
			}
			var tl struct{ Table string }
			json.Unmarshal([]byte(l), &tl)
			table = tl.Table
		}
		var total int64
		for _, tr := range sum.Tables {
			if counts[tr.Table] != tr.Rows {
				t.Errorf("%s: %d rows in the file, %d in the summary", tr.Table, counts[tr.Table], tr.Rows)
			}
			total += tr.Rows
		}
		if total != sum.Rows {
			t.Errorf("summary rows %d, tables add up to %d", sum.Rows, total)
		}
		ledger, claims := counts["a_ledger"], counts["pid_claims"]
		if claims != ledger && claims != ledger-1 {
			t.Fatalf("snapshot not consistent: %d ledger rows but %d claims (writer reached %d)", ledger, claims, written.Load())
		}
		if written.Load() < ledger+200 {
			t.Fatalf("the writer did not run during the backup (%d written, %d in the backup)", written.Load(), ledger)
		}
		t.Logf("backup holds %d ledger rows and %d claims; the writer reached %d", ledger, claims, written.Load())

		// And it restores.
		ctx = context.Background()
		dst := storetest.Open(t, db.Engine())
		if err := dst.ExecRaw(ctx, `CREATE TABLE a_ledger (n BIGINT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		if _, err := dst.Restore(context.Background(), &buf, nil); err != nil {
			t.Fatalf("restore: %v", err)
		}
		if n, _ := dst.QueryIntRaw(context.Background(), `SELECT COUNT(*) FROM pid_claims`); int64(n) != claims {
			t.Fatalf("restored %d claims, want %d", n, claims)
		}
	})
}

// TestBackupNeedsSchema: an unmigrated database has nothing to back up.
func TestBackupNeedsSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e *store.DB) {
		db := storetest.OpenEmpty(t, e.Engine())
		if _, err := db.Backup(context.Background(), io.Discard, nil); err == nil || !strings.Contains(err.Error(), "never migrated") {
			t.Fatalf("err %v, want one saying the database was never migrated", err)
		}
	})
}

// TestRestoreIntoUnmigratedDatabase: restore creates the schema itself.
func TestRestoreIntoUnmigratedDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		fillProbeClaims(t, src, 10)
		data, _ := backupBytes(t, src)
		dst := storetest.OpenEmpty(t, src.Engine())
		if _, err := dst.Restore(ctx, bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
		steps, _ := store.Migrations(dst.Engine())
		if v, _ := dst.SchemaVersion(ctx); v != len(steps) {
			t.Fatalf("schema version %d after restore, want %d", v, len(steps))
		}
		if n, _ := dst.QueryIntRaw(ctx, `SELECT COUNT(*) FROM pid_claims`); n != 10 {
			t.Fatalf("%d claims, want 10", n)
		}
	})
}

func fillProbeClaims(t testing.TB, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		if _, err := db.ClaimPID(context.Background(), pid.PID(fmt.Sprintf("0010900%05d", i))); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkBackupRestore measures rows/s of a backup and of a restore of
// pid_claims (run with -bench BackupRestore -benchtime 1x).
func BenchmarkBackupRestore(b *testing.B) {
	const rows = 200_000
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			src := storetest.Open(b, engine)
			// Bulk-load through SQL: the benchmark is of backup, not of
			// ClaimPID.
			for start := 0; start < rows; start += 1000 {
				var sb strings.Builder
				sb.WriteString(`INSERT INTO pid_claims (pid, claimed_at) VALUES `)
				for i := start; i < start+1000; i++ {
					if i > start {
						sb.WriteByte(',')
					}
					fmt.Fprintf(&sb, "('%012d', %d)", i, int64(1767225600000000)+int64(i))
				}
				if err := src.ExecRaw(ctx, sb.String()); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				var buf bytes.Buffer
				start := time.Now()
				sum, err := src.Backup(ctx, &buf, nil)
				if err != nil {
					b.Fatal(err)
				}
				backupTook := time.Since(start)
				dst := storetest.Open(b, engine)
				start = time.Now()
				if _, err := dst.Restore(ctx, bufio.NewReader(&buf), nil); err != nil {
					b.Fatal(err)
				}
				restoreTook := time.Since(start)
				b.ReportMetric(float64(sum.Rows)/backupTook.Seconds(), "backup-rows/s")
				b.ReportMetric(float64(sum.Rows)/restoreTook.Seconds(), "restore-rows/s")
				b.ReportMetric(float64(sum.Bytes)/float64(sum.Rows), "bytes/row")
			}
		})
	}
}

// TestRestoreMovesSequences: after a restore, a table with a generated key
// (AUTOINCREMENT on SQLite, an identity column on PostgreSQL) hands out
// keys after the restored ones.
func TestRestoreMovesSequences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, src *store.DB) {
		ctx := context.Background()
		ddl := `CREATE TABLE a_seq (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)`
		if src.Engine() == store.Postgres {
			ddl = `CREATE TABLE a_seq (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT)`
		}
		if err := src.ExecRaw(ctx, ddl); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if err := src.ExecRaw(ctx, `INSERT INTO a_seq (v) VALUES ('x')`); err != nil {
				t.Fatal(err)
			}
		}
		data, _ := backupBytes(t, src)
		dst := storetest.Open(t, src.Engine())
		if err := dst.ExecRaw(ctx, ddl); err != nil {
			t.Fatal(err)
		}
		if _, err := dst.Restore(ctx, bytes.NewReader(data), nil); err != nil {
			t.Fatalf("restore: %v", err)
		}
		if err := dst.ExecRaw(ctx, `INSERT INTO a_seq (v) VALUES ('new')`); err != nil {
			t.Fatalf("insert after restore: %v", err)
		}
		if id, err := dst.QueryIntRaw(ctx, `SELECT id FROM a_seq WHERE v = 'new'`); err != nil || id != 6 {
			t.Fatalf("new row got id %d (%v), want 6", id, err)
		}
	})
}
