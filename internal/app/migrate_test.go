package app

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// TestMigrateCommand runs 'dancu migrate' twice on each engine: the first
// run applies every step, the second none.
func TestMigrateCommand(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			args := []string{"migrate", "--json", "--data", filepath.Join(t.TempDir(), "data")}
			if engine == store.Postgres {
				args = []string{"migrate", "--json", "--db", storetest.PostgresURL(t)}
			}
			steps, err := store.Migrations(engine)
			if err != nil {
				t.Fatal(err)
			}
			for i, wantApplied := range []int{len(steps), 0} {
				code, out, errs := run(t, "", nil, args...)
				if code != 0 {
					t.Fatalf("run %d: exit %d, stderr %q", i+1, code, errs)
				}
				var got struct {
					Engine  string `json:"engine"`
					Version int    `json:"schema_version"`
					Applied []any  `json:"applied"`
				}
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("run %d: not JSON: %v\n%s", i+1, err, out)
				}
				if got.Engine != string(engine) || got.Version != len(steps) || len(got.Applied) != wantApplied {
					t.Fatalf("run %d: %+v, want engine %s, version %d, %d applied", i+1, got, engine, len(steps), wantApplied)
				}
			}
		})
	}
}
