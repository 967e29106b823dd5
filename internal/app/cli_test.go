package app

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"dancu/internal/config"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// run calls Main as a terminal would and returns what it printed.
func run(t *testing.T, stdin string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
	})
	return code, out.String(), errb.String()
}

func TestPIDDecode(t *testing.T) {
	code, out, errs := run(t, "", nil, "pid", "decode", "001204012345")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	want := map[string]any{"pid": "001204012345", "province_code": "001", "province_name": "Thành phố Hà Nội",
		"gender": "male", "birth_year": float64(2004), "serial": "012345"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestPIDDecodeStdin(t *testing.T) {
	code, out, errs := run(t, "001204012345\n\n  079301000001  \n", nil, "pid", "decode", "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", out)
	}
	code, _, errs = run(t, "001204012345\n12345\n", nil, "pid", "decode", "-")
	if code != 1 || !strings.Contains(errs, "line 2") {
		t.Fatalf("bad second line: exit %d, stderr %q; want exit 1 naming line 2", code, errs)
	}
}

func TestBadInputFailsWithOneLineReason(t *testing.T) {
	cases := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"11 digits", "", []string{"pid", "decode", "00120401234"}, 1, "12 digits, got 11"},
		{"13 digits", "", []string{"pid", "decode", "0012040123456"}, 1, "12 digits, got 13"},
		{"letters", "", []string{"pid", "decode", "00120401234a"}, 1, "non-digit"},
		{"empty pid", "", []string{"pid", "decode", ""}, 1, "empty"},
		{"no pid", "", []string{"pid", "decode"}, 2, "takes one number"},
		{"empty address", "", []string{"address", "resolve", "   "}, 1, "empty"},
		{"no address", "", []string{"address", "resolve"}, 2, "needs an address"},
		{"1 MB address", "", []string{"address", "resolve", strings.Repeat("Phường 1 ", 1<<20/len("Phường 1 "))}, 1, "long"},
		{"1 MB address on stdin", strings.Repeat("a", 1<<20) + "\n", []string{"address", "resolve", "-"}, 1, "longer than"},
		{"unknown command", "", []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", "", []string{"migrate", "--nope"}, 2, "flag provided but not defined"},
		{"bad db url", "", []string{"migrate", "--db", "mysql://x"}, 1, "--db"},
		{"flags after args", "", []string{"migrate", "extra"}, 2, "takes no arguments"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := run(t, c.stdin, nil, c.args...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.wantCode, errs)
			}
			if !strings.Contains(errs, c.wantErr) {
				t.Fatalf("stderr %q does not contain %q", errs, c.wantErr)
			}
			if c.wantCode == 1 {
				if n := strings.Count(strings.TrimRight(errs, "\n"), "\n"); n != 0 {
					t.Fatalf("reason is %d lines, want one: %q", n+1, errs)
				}
				if out != "" && !strings.Contains(c.name, "stdin") {
					t.Fatalf("failure printed results: %q", out)
				}
			}
			if len(errs) > 2000 {
				t.Fatalf("error message of %d bytes; it must not echo the input", len(errs))
			}
		})
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := run(t, "", nil, "help")
	if code != 0 || !strings.Contains(out, "pid decode") || !strings.Contains(out, "address resolve") {
		t.Fatalf("help: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", nil, "help", "address", "resolve")
	if code != 0 || !strings.Contains(out, "example:") {
		t.Fatalf("help address resolve: exit %d\n%s", code, out)
	}
	code, _, errs := run(t, "", nil, "pid", "decode", "--help")
	if code != 0 || !strings.Contains(errs, "example:") {
		t.Fatalf("pid decode --help: exit %d\n%s", code, errs)
	}
}

func TestAddressResolve(t *testing.T) {
	code, out, errs := run(t, "", nil, "address", "resolve", "Số 12 Ngõ 5, P. Phúc Xá, Q. Ba Đình, TP Hà Nội")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var got struct {
		Street string `json:"street"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if got.Status != "resolved" || !strings.Contains(got.Street, "Số 12") {
		t.Fatalf("got %+v\n%s", got, out)
	}
	// Unquoted words are joined into one address.
	code, out2, _ := run(t, "", nil, "address", "resolve", "Số", "12", "Ngõ", "5,", "P.", "Phúc", "Xá,", "Q.", "Ba", "Đình,", "TP", "Hà", "Nội")
	if code != 0 || out2 != out {
		t.Fatalf("unquoted: exit %d\n%s\nwant\n%s", code, out2, out)
	}
}

// onEngine is a fresh data directory for a test on engine: the
// configuration of a server on it, and the database flags of a command.
func onEngine(t *testing.T, engine store.Engine) (dir string, cfg config.Config, where []string) {
	t.Helper()
	dir = t.TempDir()
	cfg = config.Config{DataDir: filepath.Join(dir, "data"), Addr: freeAddr(t)}
	where = []string{"--data", cfg.DataDir}
	if engine == store.Postgres {
		cfg.DB = storetest.PostgresURL(t)
		where = []string{"--db", cfg.DB, "--data", cfg.DataDir}
	}
	return dir, cfg, where
}
