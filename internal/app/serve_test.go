package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dancu/internal/config"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// TestServe starts the real server on a loopback port and calls it as an
// operator and an integrator would, on each engine.
func TestServe(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			cfg := config.Config{DataDir: filepath.Join(t.TempDir(), "data"), Addr: freeAddr(t)}
			if engine == store.Postgres {
				cfg.DB = storetest.PostgresURL(t)
			}
			base := startServer(t, cfg)

			get := func(path string) (int, string, string) {
				t.Helper()
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
			}
			cases := []struct {
				path, wantType, wantBody string
				wantStatus               int
			}{
				{"/healthz", "application/json", `"ok"`, 200},
				{"/readyz", "application/json", `"ready"`, 200},
				{"/metrics", "text/plain", "dancu_http_requests_total", 200},
				{"/openapi.json", "application/json", `"openapi"`, 200},
				{"/v1/reference/pid/079301000001", "application/json", `"birth_year":2001`, 200},
				{"/v1/reference/pid/07930100000", "application/problem+json", `"code":"invalid_pid"`, 400},
				{"/v1/reference/address?q=" + url.QueryEscape("Phường 1, Quận 3, TP.HCM"), "application/json", `"status"`, 200},
				{"/v1/reference/address?q=", "application/problem+json", `"code":"invalid_address"`, 400},
				{"/v1/reference/address", "application/problem+json", `"code":"missing_parameter"`, 400},
				{"/nowhere", "application/problem+json", `"code":"not_found"`, 404},
			}
			for _, c := range cases {
				status, ctype, body := get(c.path)
				if status != c.wantStatus || !strings.HasPrefix(ctype, c.wantType) || !strings.Contains(body, c.wantBody) {
					t.Errorf("GET %s: %d %s %.200s; want %d %s containing %s", c.path, status, ctype, body, c.wantStatus, c.wantType, c.wantBody)
				}
			}
			// A problem document carries the RFC 9457 members.
			_, _, body := get("/v1/reference/pid/abc")
			var p map[string]any
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"type", "title", "status", "detail", "code"} {
				if _, ok := p[k]; !ok {
					t.Errorf("problem lacks %q: %s", k, body)
				}
			}
		})
	}
}

func TestServeRefusesBadAddr(t *testing.T) {
	code, _, errs := run(t, "", nil, "serve", "--data", t.TempDir(), "--addr", "nonsense")
	if code != 1 || !strings.Contains(errs, "--addr") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// startServer runs serve until the test ends and returns its base URL.
func startServer(t *testing.T, cfg config.Config) string {
	t.Helper()
	base, _ := startStoppableServer(t, cfg)
	return base
}

// startStoppableServer runs serve until stop is called or the test ends
// and returns its base URL; stop waits until serve has returned.
func startStoppableServer(t *testing.T, cfg config.Config) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- serve(ctx, cfg, -1, Env{Stdout: io.Discard, Stderr: &syncWriter{w: &logs}, Getenv: func(string) string { return "" }})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Error("serve did not stop within 20s of cancellation")
			}
		})
	}
	t.Cleanup(stop)
	base = "http://" + cfg.Addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return base, stop
		}
	}
	t.Fatal("server did not come up within 20s")
	return "", stop
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
