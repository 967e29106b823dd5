package app

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"dancu/internal/config"
	"dancu/internal/eid"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// TestUserAdd bootstraps an admin and an officer on each engine and
// checks that the printed tokens authenticate as those accounts.
func TestUserAdd(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			cfg := config.Config{DataDir: filepath.Join(t.TempDir(), "data")}
			where := []string{"--data", cfg.DataDir}
			if engine == store.Postgres {
				cfg.DB = storetest.PostgresURL(t)
				where = []string{"--db", cfg.DB}
			}
			// The first command runs on a database never migrated.
			code, out, errs := run(t, "", nil, append([]string{"user", "add", "--json", "--role", "admin", "--name", "Nguyễn Văn An"}, where...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
			var admin struct {
				UserID string   `json:"user_id"`
				Token  string   `json:"token"`
				Role   eid.Role `json:"role"`
				Area   string   `json:"area"`
			}
			if err := json.Unmarshal([]byte(out), &admin); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if admin.UserID == "" || !strings.HasPrefix(admin.Token, eid.TokenPrefix) || admin.Role != eid.RoleAdmin || admin.Area != "" {
				t.Fatalf("got %+v", admin)
			}

			code, out, errs = run(t, "", nil, append([]string{"user", "add", "--role", "commune_officer", "--area", "26737", "--name", "Trần Thị Bình"}, where...)...)
			if code != 0 {
				t.Fatalf("officer: exit %d, stderr %q", code, errs)
			}
			if !strings.Contains(out, "shown only this once") || !strings.Contains(out, "commune_officer") {
				t.Fatalf("human output lacks the warning or the role:\n%s", out)
			}
			i := strings.Index(out, eid.TokenPrefix)
			if i < 0 {
				t.Fatalf("no token in\n%s", out)
			}
			officerToken := strings.Fields(out[i:])[0]

			ctx := context.Background()
			db, err := openStore(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			svc := eid.NewService(db, nil)
			a, err := svc.Authenticate(ctx, admin.Token)
			if err != nil || a.ID != admin.UserID || a.Role != eid.RoleAdmin || a.Name != "Nguyễn Văn An" {
				t.Fatalf("admin token authenticates as %+v, %v", a, err)
			}
			o, err := svc.Authenticate(ctx, officerToken)
			if err != nil || o.Role != eid.RoleCommuneOfficer || o.Area != "26737" {
				t.Fatalf("officer token authenticates as %+v, %v", o, err)
			}
		})
	}
}

func TestUserAddRefusesBadInput(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no name", []string{"--role", "admin"}, 1, "invalid name"},
		{"blank name", []string{"--role", "admin", "--name", "  "}, 1, "invalid name"},
		{"no role", []string{"--name", "X"}, 1, "invalid role"},
		{"unknown role", []string{"--role", "root", "--name", "X"}, 1, "invalid role"},
		{"admin with area", []string{"--role", "admin", "--area", "79", "--name", "X"}, 1, "invalid area"},
		{"province without area", []string{"--role", "province_officer", "--name", "X"}, 1, "invalid area"},
		{"province with commune code", []string{"--role", "province_officer", "--area", "26737", "--name", "X"}, 1, "invalid area"},
		{"pre-2025 province", []string{"--role", "province_officer", "--area", "02", "--name", "X"}, 1, "no province"},
		{"unknown commune", []string{"--role", "commune_officer", "--area", "99999", "--name", "X"}, 1, "no commune"},
		{"long area", []string{"--role", "commune_officer", "--area", strings.Repeat("1", 10000), "--name", "X"}, 1, "invalid area"},
		{"argument", []string{"--role", "admin", "--name", "X", "extra"}, 2, "takes no arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			code, out, errs := run(t, "", nil, append(append([]string{"user", "add"}, c.args...), "--data", dir)...)
			if code != c.wantCode || !strings.Contains(errs, c.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d containing %q", code, errs, c.wantCode, c.wantErr)
			}
			if out != "" {
				t.Fatalf("printed %q on failure", out)
			}
			if c.wantCode == 1 && strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 {
				t.Fatalf("reason is not one line: %q", errs)
			}
			if len(errs) > 500 {
				t.Fatalf("error of %d bytes echoes the input", len(errs))
			}
		})
	}
}
