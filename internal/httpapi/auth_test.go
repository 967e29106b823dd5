package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dancu/internal/eid"
)

// fakeAuth knows one token per account, and fails on "dancu_broken".
type fakeAuth map[string]eid.Account

func (f fakeAuth) Authenticate(_ context.Context, token string) (eid.Account, error) {
	if token == "dancu_broken" {
		return eid.Account{}, errors.New("database unavailable")
	}
	a, ok := f[token]
	if !ok {
		return eid.Account{}, fmt.Errorf("%w: unknown token", eid.ErrUnauthenticated)
	}
	return a, nil
}

func testServer(log *bytes.Buffer) *server {
	return &server{log: slog.New(slog.NewTextHandler(log, nil))}
}

func TestRequireAccount(t *testing.T) {
	officer := eid.Account{ID: "acc1", Name: "Trần Thị Bình", Role: eid.RoleCommuneOfficer, Area: "26737"}
	auth := fakeAuth{"dancu_good": officer}
	var logs bytes.Buffer
	s := testServer(&logs)
	h := s.requireAccount(auth, func(w http.ResponseWriter, r *http.Request) {
		a, ok := AccountFrom(r.Context())
		if !ok {
			t.Error("no account in the context")
		}
		writeJSON(w, map[string]string{"id": a.ID})
	})

	cases := []struct {
		name       string
		header     []string
		wantStatus int
		wantError  bool // WWW-Authenticate names error="invalid_token"
	}{
		{"good token", []string{"Bearer dancu_good"}, 200, false},
		{"scheme in lower case", []string{"bearer dancu_good"}, 200, false},
		{"extra spaces", []string{"  Bearer   dancu_good  "}, 200, false},
		{"no header", nil, 401, false},
		{"unknown token", []string{"Bearer dancu_nope"}, 401, true},
		{"basic scheme", []string{"Basic ZGFuY3U6eA=="}, 401, true},
		{"scheme only", []string{"Bearer"}, 401, true},
		{"empty token", []string{"Bearer   "}, 401, true},
		{"token with inner space", []string{"Bearer dancu_good x"}, 401, true},
		{"two headers", []string{"Bearer dancu_good", "Bearer dancu_good"}, 401, true},
		{"huge token", []string{"Bearer " + strings.Repeat("a", 10000)}, 401, true},
		{"store failure", []string{"Bearer dancu_broken"}, 500, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v1/citizens/001204012345", nil)
			for _, v := range c.header {
				r.Header.Add("Authorization", v)
			}
			w := httptest.NewRecorder()
			h(w, r)
			if w.Code != c.wantStatus {
				t.Fatalf("status %d, want %d; body %s", w.Code, c.wantStatus, w.Body)
			}
			switch c.wantStatus {
			case 200:
				if !strings.Contains(w.Body.String(), `"acc1"`) {
					t.Fatalf("body %s", w.Body)
				}
				return
			case 500:
				p := decodeProblem(t, w)
				if p.Code != "internal" || strings.Contains(w.Body.String(), "database") {
					t.Fatalf("problem %+v leaks the cause or has the wrong code", p)
				}
				return
			}
			p := decodeProblem(t, w)
			if p.Status != 401 || p.Code != "unauthenticated" || p.Type != problemTypeBase+"unauthenticated" ||
				p.Title != "Unauthorized" || p.Instance != "/v1/citizens/001204012345" {
				t.Fatalf("problem %+v", p)
			}
			challenge := w.Header().Get("WWW-Authenticate")
			if !strings.HasPrefix(challenge, "Bearer ") || strings.Contains(challenge, "invalid_token") != c.wantError {
				t.Fatalf("WWW-Authenticate %q", challenge)
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Fatal("a 401 may be cached")
			}
		})
	}

	// Every refusal reads the same to the client.
	bodies := map[string]bool{}
	for _, hdr := range []string{"", "Bearer dancu_nope", "Basic x"} {
		r := httptest.NewRequest("GET", "/x", nil)
		if hdr != "" {
			r.Header.Set("Authorization", hdr)
		}
		w := httptest.NewRecorder()
		h(w, r)
		bodies[w.Body.String()] = true
	}
	if len(bodies) != 1 {
		t.Fatalf("refusals differ: %v", bodies)
	}
	// The log says why, and never holds a token.
	if !strings.Contains(logs.String(), "unknown token") || strings.Contains(logs.String(), "dancu_nope") || strings.Contains(logs.String(), "dancu_good") {
		t.Fatalf("log:\n%s", logs.String())
	}
}

func TestRequireAccountFailsClosedWithoutAuthenticator(t *testing.T) {
	var logs bytes.Buffer
	h := testServer(&logs).requireAccount(nil, func(w http.ResponseWriter, r *http.Request) {
		t.Fatal("reached the handler")
	})
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("Authorization", "Bearer dancu_good")
	w := httptest.NewRecorder()
	h(w, r)
	if w.Code != 500 {
		t.Fatalf("status %d, want 500", w.Code)
	}
}

func TestAuthorize(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(&logs)
	inTanDinh := eid.Place{Province: "79", Commune: "26737"}
	handler := func(w http.ResponseWriter, r *http.Request) {
		if !s.authorize(w, r, eid.ReadCitizen, inTanDinh) {
			return
		}
		writeJSON(w, "ok")
	}
	cases := []struct {
		name       string
		account    *eid.Account
		wantStatus int
		wantCode   string
	}{
		{"admin", &eid.Account{ID: "a", Role: eid.RoleAdmin}, 200, ""},
		{"officer of the province", &eid.Account{ID: "p", Role: eid.RoleProvinceOfficer, Area: "79"}, 200, ""},
		{"officer of the commune", &eid.Account{ID: "c", Role: eid.RoleCommuneOfficer, Area: "26737"}, 200, ""},
		{"officer of another province", &eid.Account{ID: "p2", Role: eid.RoleProvinceOfficer, Area: "01"}, 403, "forbidden"},
		{"officer of another commune", &eid.Account{ID: "c2", Role: eid.RoleCommuneOfficer, Area: "00004"}, 403, "forbidden"},
		{"no account", nil, 401, "unauthenticated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v1/citizens/079301000001", nil)
			if c.account != nil {
				r = r.WithContext(withAccount(r.Context(), *c.account))
			}
			w := httptest.NewRecorder()
			handler(w, r)
			if w.Code != c.wantStatus {
				t.Fatalf("status %d, want %d", w.Code, c.wantStatus)
			}
			if c.wantCode != "" {
				if p := decodeProblem(t, w); p.Code != c.wantCode || p.Status != c.wantStatus {
					t.Fatalf("problem %+v", p)
				}
			}
		})
	}
}

func decodeProblem(t *testing.T, w *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("not a problem document: %v\n%s", err, w.Body)
	}
	return p
}

func TestMe(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(&logs)
	officer := eid.Account{ID: "acc1", Name: "Trần Thị Bình", Role: eid.RoleCommuneOfficer, Area: "26737"}
	h := s.requireAccount(fakeAuth{"dancu_good": officer}, s.me)
	r := httptest.NewRequest("GET", "/v1/me", nil)
	r.Header.Set("Authorization", "Bearer dancu_good")
	w := httptest.NewRecorder()
	h(w, r)
	var got eid.Account
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 || got != officer {
		t.Fatalf("%d %s: %+v, %v", w.Code, w.Body, got, err)
	}
	w = httptest.NewRecorder()
	s.me(w, httptest.NewRequest("GET", "/v1/me", nil))
	if w.Code != 401 {
		t.Fatalf("without requireAccount: %d", w.Code)
	}
}
