package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dancu/internal/audit"
	"dancu/internal/config"
	"dancu/internal/pid"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// auditFixture is a database with a few audit entries, written by a log
// signing with the key in the data directory, and the flags naming it.
func auditFixture(t *testing.T, engine store.Engine, entries int) (config.Config, []string) {
	t.Helper()
	cfg := config.Config{DataDir: filepath.Join(t.TempDir(), "data")}
	where := []string{"--data", cfg.DataDir}
	if engine == store.Postgres {
		cfg.DB = storetest.PostgresURL(t)
		where = append(where, "--db", cfg.DB)
	}
	ctx := context.Background()
	db, err := openStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := audit.LoadOrCreateKey(auditKeyPath(cfg))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, db, key, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= entries; i++ {
		p, _ := pid.FromUint64(1_204_000_000 + uint64(i))
		err := l.Append(ctx, audit.Record{AgencyID: "agency-bank", KeyID: "key-1", Purpose: "kyc", Operation: "verify",
			Accesses: []audit.Access{{PID: p, Fields: []string{"full_name"}, Result: "match"}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return cfg, where
}

// rawDB opens the fixture's database behind dancu's back, to tamper.
func rawDB(t *testing.T, cfg config.Config) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if cfg.DB != "" {
		db, err = sql.Open("pgx", cfg.DB)
	} else {
		db, err = sql.Open("sqlite", "file:"+cfg.SQLitePath()+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAuditCommands(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			cfg, where := auditFixture(t, engine, 6)
			witness := t.TempDir()
			cpFile, pubFile := filepath.Join(witness, "checkpoint.json"), filepath.Join(witness, "audit.pub")
			args := func(a ...string) []string { return append(a, where...) }

			code, out, errs := run(t, "", nil, args("audit", "public-key")...)
			if code != 0 || !strings.HasPrefix(out, "-----BEGIN PUBLIC KEY-----") {
				t.Fatalf("public-key: exit %d, stdout %q, stderr %q", code, out, errs)
			}

			code, out, errs = run(t, "", nil, args("audit", "checkpoint", "--json", "--out", cpFile, "--public-key-out", pubFile)...)
			if code != 0 {
				t.Fatalf("checkpoint: exit %d, stderr %q", code, errs)
			}
			var sum struct {
				Chains  int   `json:"chains"`
				Entries int64 `json:"entries"`
			}
			if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Chains != 1 || sum.Entries != 6 {
				t.Fatalf("checkpoint summary %s (%v)", out, err)
			}
			if strings.Contains(errs, "warning") {
				t.Fatalf("warned about a file outside the data directory: %s", errs)
			}
			data, err := os.ReadFile(cpFile)
			if err != nil {
				t.Fatal(err)
			}
			c, err := audit.ParseCheckpoint(data)
			if err != nil || c.Entries() != 6 {
				t.Fatalf("checkpoint file: %+v, %v", c, err)
			}
			pubPEM, err := os.ReadFile(pubFile)
			if err != nil || string(pubPEM) != out0(t, args("audit", "public-key")...) {
				t.Fatalf("public key file %q differs from audit public-key (%v)", pubPEM, err)
			}

			code, out, errs = run(t, "", nil, args("audit", "verify")...)
			if code != 0 || !strings.Contains(out, "ok: every chain") || !strings.Contains(out, "1 chains, 6 entries") {
				t.Fatalf("verify: exit %d, stdout %q, stderr %q", code, out, errs)
			}
			code, out, errs = run(t, "", nil, args("audit", "verify", "--json", "--against", cpFile, "--public-key", pubFile)...)
			var rep struct {
				OK          bool `json:"ok"`
				Against     int  `json:"against"`
				Checkpoints int  `json:"checkpoints"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || !rep.OK || rep.Against != 1 || rep.Checkpoints != 1 {
				t.Fatalf("verify --against: exit %d, stdout %s, stderr %q", code, out, errs)
			}

			// Someone edits entry 3: the key of its one record.
			raw := rawDB(t, cfg)
			var blob []byte
			if err := raw.QueryRow(`SELECT records FROM audit_groups WHERE chain = 0 AND seq = 3`).Scan(&blob); err != nil {
				t.Fatal(err)
			}
			records, err := audit.DecodeRecords(blob)
			if err != nil || len(records) != 1 {
				t.Fatalf("entry 3 holds %+v, %v", records, err)
			}
			records[0].KeyID = "key-2"
			if _, err := raw.Exec(`UPDATE audit_groups SET records = $1 WHERE chain = 0 AND seq = 3`, audit.EncodeRecords(records)); err != nil {
				t.Fatal(err)
			}
			code, out, errs = run(t, "", nil, args("audit", "verify", "--against", cpFile, "--public-key", pubFile)...)
			if code != 1 || !strings.Contains(errs, "chain 0 entry 3:") || !strings.Contains(out, "PROBLEM chain 0 entry 3:") {
				t.Fatalf("verify of a tampered log: exit %d, stdout %q, stderr %q", code, out, errs)
			}
		})
	}
}

// out0 runs a command that must succeed and returns its stdout.
func out0(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := run(t, "", nil, args...)
	if code != 0 {
		t.Fatalf("%s: exit %d, stderr %q", strings.Join(args, " "), code, errs)
	}
	return out
}

func TestAuditCommandUsage(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"audit", "checkpoint", "--data", data}, "--out is required"},
		{[]string{"audit", "checkpoint", "--data", data, "--out", "-", "--json"}, "use one or the other"},
		{[]string{"audit", "verify", "--data", data, "--against", "cp.json"}, "--against needs --public-key"},
		{[]string{"audit", "verify", "--data", data, "extra"}, "takes no arguments"},
	}
	for _, tc := range cases {
		code, _, errs := run(t, "", nil, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	// A data directory without a database is not created by verify.
	code, _, errs := run(t, "", nil, "audit", "verify", "--data", data)
	if code != 1 || !strings.Contains(errs, "no dancu database") {
		t.Errorf("verify without a database: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(data); err == nil {
		t.Errorf("verify created %s", data)
	}
}

func TestAuditCheckpointWarnsInsideDataDir(t *testing.T) {
	cfg, where := auditFixture(t, store.SQLite, 1)
	inside := filepath.Join(cfg.DataDir, "checkpoint.json")
	code, _, errs := run(t, "", nil, append([]string{"audit", "checkpoint", "--out", inside}, where...)...)
	if code != 0 || !strings.Contains(errs, "warning") || !strings.Contains(errs, fmt.Sprintf("inside the data directory %s", cfg.DataDir)) {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}
