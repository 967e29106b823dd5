package app

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"dancu/internal/agency"
	"dancu/internal/config"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// TestAgencyCommands connects agencies through the CLI on each engine and
// checks what the printed keys authenticate as after each command.
func TestAgencyCommands(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			cfg := config.Config{DataDir: filepath.Join(t.TempDir(), "data")}
			where := []string{"--data", cfg.DataDir}
			if engine == store.Postgres {
				cfg.DB = storetest.PostgresURL(t)
				where = []string{"--db", cfg.DB}
			}
			// cli runs "dancu agency ARGS…" on this test's database; the
			// storage flags go first, as flags come before the positional
			// arguments.
			cli := func(args ...string) string {
				t.Helper()
				full := append(append([]string{"agency", args[0]}, where...), args[1:]...)
				code, out, errs := run(t, "", nil, full...)
				if code != 0 {
					t.Fatalf("dancu %s: exit %d, stderr %q", strings.Join(full, " "), code, errs)
				}
				return out
			}
			// authenticate uses a fresh service, as a server started now
			// would: no cache carries over between steps.
			authenticate := func(key string) (agency.Principal, error) {
				db, err := openStore(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				return agency.NewService(db, agency.Options{Fields: registry.RecordFields}).Authenticate(ctx, key)
			}

			// The first command runs on a database never migrated.
			out := cli("add", "--json", "--name", "Ngân hàng Thương mại A", "--kind", "bank",
				"--operations", "verify, lookup", "--fields", "pid,full_name,date_of_birth", "--purposes", "kyc", "--rate-limit", "250")
			var bank struct {
				AgencyID  string        `json:"agency_id"`
				KeyID     string        `json:"key_id"`
				Key       string        `json:"key"`
				Prefix    string        `json:"prefix"`
				Status    agency.Status `json:"status"`
				RateLimit int           `json:"rate_limit"`
				Scope     agency.Scope  `json:"scope"`
			}
			if err := json.Unmarshal([]byte(out), &bank); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if !agency.ValidID(bank.AgencyID) || !agency.WellFormed(bank.Key) || bank.Status != agency.StatusApproved ||
				bank.RateLimit != 250 || !strings.HasPrefix(bank.Key, bank.Prefix) {
				t.Fatalf("got %+v", bank)
			}
			p, err := authenticate(bank.Key)
			if err != nil || p.Agency.ID != bank.AgencyID || p.Key.ID != bank.KeyID || p.Agency.Name != "Ngân hàng Thương mại A" {
				t.Fatalf("the key authenticates as %+v, %v", p, err)
			}
			if err := p.Check(agency.OpLookup, "kyc", []string{"pid", "date_of_birth"}); err != nil {
				t.Fatal(err)
			}
			if err := p.Check(agency.OpLookup, "kyc", []string{"phone"}); err == nil {
				t.Fatal("a field outside the scope is allowed")
			}

			// Without --json: readable, with the warning.
			out = cli("add", "--name", "Nhà mạng B", "--kind", "telecom", "--operations", "verify,batch",
				"--fields", "pid,full_name,phone", "--purposes", "sim-registration", "--expires", "2099-12-31")
			if !strings.Contains(out, "shown only this once") || !strings.Contains(out, "telecom") || !strings.Contains(out, "expires 2099-12-31 00:00 +07:00") {
				t.Fatalf("human output lacks the warning, kind or expiry:\n%s", out)
			}
			i := strings.Index(out, "this once")
			telecomKey := ""
			for _, f := range strings.Fields(out[i:]) {
				if agency.WellFormed(f) {
					telecomKey = f
				}
			}
			if tp, err := authenticate(telecomKey); err != nil || tp.Key.RateLimit != 100 ||
				!tp.Key.ExpiresAt.Equal(time.Date(2099, 12, 30, 17, 0, 0, 0, time.UTC)) {
				t.Fatalf("the telecom key %q authenticates as %+v, %v", telecomKey, tp, err)
			}

			// Another key for the bank, then the list.
			out = cli("issue-key", "--json", "--operations", "batch", "--fields", "pid", "--purposes", "kyc,aml", "--rate-limit", "0", bank.AgencyID)
			var second struct {
				KeyID string `json:"key_id"`
				Key   string `json:"key"`
			}
			if err := json.Unmarshal([]byte(out), &second); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if sp, err := authenticate(second.Key); err != nil || sp.Key.RateLimit != 0 || !slices.Equal(sp.Key.Scope.Purposes, []string{"aml", "kyc"}) {
				t.Fatalf("the second key authenticates as %+v, %v", sp, err)
			}
			out = cli("list", "--json")
			var list []agency.Listing
			if err := json.Unmarshal([]byte(out), &list); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if len(list) != 2 || list[0].ID != bank.AgencyID || len(list[0].Keys) != 2 || list[1].Name != "Nhà mạng B" {
				t.Fatalf("list %+v", list)
			}
			for _, secret := range []string{bank.Key, second.Key, telecomKey} {
				if strings.Contains(out, secret[len(agency.KeyPrefix):]) {
					t.Fatal("the list shows a key")
				}
			}

			// Suspend, approve again, revoke.
			cli("suspend", bank.AgencyID)
			if _, err := authenticate(bank.Key); !errors.Is(err, agency.ErrUnauthenticated) {
				t.Fatalf("suspended agency's key: %v", err)
			}
			out = cli("approve", "--json", bank.AgencyID)
			var approved agency.Agency
			if err := json.Unmarshal([]byte(out), &approved); err != nil || approved.Status != agency.StatusApproved {
				t.Fatalf("approve printed %s (%v)", out, err)
			}
			if _, err := authenticate(bank.Key); err != nil {
				t.Fatalf("approved again: %v", err)
			}
			out = cli("revoke-key", bank.KeyID)
			if !strings.Contains(out, "revoked") {
				t.Fatalf("revoke-key printed %q", out)
			}
			if _, err := authenticate(bank.Key); !errors.Is(err, agency.ErrUnauthenticated) {
				t.Fatalf("revoked key: %v", err)
			}
			if _, err := authenticate(second.Key); err != nil {
				t.Fatalf("revoking one key stopped another: %v", err)
			}
			out = cli("list")
			if !strings.Contains(out, "(revoked)") || !strings.Contains(out, "(active)") || !strings.Contains(out, "Nhà mạng B") {
				t.Fatalf("list:\n%s", out)
			}
		})
	}
}

func TestAgencyCommandsRefuseBadInput(t *testing.T) {
	key := []string{"--operations", "verify", "--fields", "pid", "--purposes", "kyc"}
	add := func(extra ...string) []string {
		return append(append([]string{"agency", "add", "--name", "Bộ Y tế", "--kind", "ministry"}, key...), extra...)
	}
	unknownID := strings.Repeat("0", 26)
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no name", []string{"agency", "add", "--kind", "bank", "--operations", "verify", "--fields", "pid", "--purposes", "kyc"}, 1, "invalid name"},
		{"unknown kind", add("--kind", "church"), 1, "invalid kind"},
		{"no operations", add("--operations", " , "), 1, "invalid operations"},
		{"unknown operation", add("--operations", "verify,delete"), 1, `"delete" is not one of`},
		{"unknown field", add("--fields", "pid,salary"), 1, `"salary" is not a field`},
		{"no purposes", add("--purposes", ""), 1, "invalid purposes"},
		{"bad purpose", add("--purposes", "KYC"), 1, "invalid purposes"},
		{"negative rate", add("--rate-limit", "-1"), 1, "invalid rate_limit"},
		{"huge rate", add("--rate-limit", "1000001"), 1, "invalid rate_limit"},
		{"bad date", add("--expires", "31/12/2026"), 1, "--expires"},
		{"past date", add("--expires", "2020-01-01"), 1, "not in the future"},
		{"long field", add("--fields", strings.Repeat("x", 10000)), 1, "invalid fields"},
		{"argument", add("extra"), 2, "takes no arguments"},
		{"approve without ID", []string{"agency", "approve"}, 2, "needs the agency ID"},
		{"approve bad ID", []string{"agency", "approve", strings.Repeat("Z", 5000)}, 1, "is not a valid agency ID"},
		{"approve unknown", []string{"agency", "approve", unknownID}, 1, "no agency has ID"},
		{"suspend unknown", []string{"agency", "suspend", unknownID}, 1, "no agency has ID"},
		{"flag after ID", []string{"agency", "suspend", unknownID, "--json"}, 2, "flags come before"},
		{"revoke unknown", []string{"agency", "revoke-key", unknownID}, 1, "no key has ID"},
		{"issue for unknown", append(append([]string{"agency", "issue-key"}, key...), unknownID), 1, "no agency has ID"},
		{"issue without scope", []string{"agency", "issue-key", unknownID}, 1, "invalid operations"},
		{"list argument", []string{"agency", "list", "x"}, 2, "takes no arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			// --data goes first: flags come before the positional arguments.
			args := slices.Insert(slices.Clone(c.args), 2, "--data", dir)
			code, out, errs := run(t, "", nil, args...)
			if code != c.wantCode || !strings.Contains(errs, c.wantErr) {
				t.Fatalf("dancu %s: exit %d, stderr %q; want %d containing %q", strings.Join(args, " "), code, errs, c.wantCode, c.wantErr)
			}
			if out != "" {
				t.Fatalf("printed %q on failure", out)
			}
			if c.wantCode == 1 && strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 {
				t.Fatalf("reason is not one line: %q", errs)
			}
			if len(errs) > 600 {
				t.Fatalf("error of %d bytes echoes the input", len(errs))
			}
		})
	}
}

// FuzzAgencyKeyFlags feeds arbitrary text to the parser of --operations,
// --fields, --purposes and --expires: it refuses or returns a valid scope
// and a future expiry, and its messages stay short and valid UTF-8.
func FuzzAgencyKeyFlags(f *testing.F) {
	f.Add("verify,lookup", "pid,full_name", "kyc", "")
	f.Add(" verify , , batch ", "pid", "sim-registration,kyc", "2099-01-31")
	f.Add("verify", "pid", "kyc", "2020-01-01")
	f.Add("verify", "pid", "kyc", "2099-02-30")
	f.Add("", "", "", "x")
	f.Add("reconcile", "salary", "civil-servant-records", "")
	f.Add("verify", "pid", "kyc", strings.Repeat("é", 50))
	now := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ops, fields, purposes, expires string) {
		scope, at, err := parseKeyFlags(ops, fields, purposes, expires, now)
		if err != nil {
			if len(err.Error()) > 400 {
				t.Fatalf("message of %d bytes", len(err.Error()))
			}
			if utf8.ValidString(ops+fields+purposes+expires) && !utf8.ValidString(err.Error()) {
				t.Fatalf("message is not UTF-8: %q", err)
			}
			return
		}
		if _, err := agency.CleanScope(scope, registry.RecordFields); err != nil {
			t.Fatalf("accepted a scope the service refuses: %+v: %v", scope, err)
		}
		if !at.IsZero() && !at.After(now) {
			t.Fatalf("accepted expiry %v", at)
		}
		if at.IsZero() && strings.TrimSpace(expires) != "" {
			t.Fatalf("--expires %q ignored", expires)
		}
	})
}
