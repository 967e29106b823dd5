package eid

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"dancu/internal/adminunit"
)

// memStore is an in-memory Store for the service's rules; internal/store
// tests the real one on both engines.
type memStore struct {
	mu       sync.Mutex
	accounts map[string]Account
	tokens   map[TokenHash]Token
}

func newMemStore() *memStore {
	return &memStore{accounts: map[string]Account{}, tokens: map[TokenHash]Token{}}
}

func (m *memStore) CreateAccount(_ context.Context, a Account, t Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.accounts[a.ID] = a
	m.tokens[t.Hash] = t
	return nil
}

func (m *memStore) AddAccountToken(_ context.Context, t Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.accounts[t.AccountID]; !ok {
		return ErrNotFound
	}
	m.tokens[t.Hash] = t
	return nil
}

func (m *memStore) AccountByTokenHash(_ context.Context, h TokenHash) (Account, Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[h]
	if !ok {
		return Account{}, Token{}, ErrNotFound
	}
	return m.accounts[t.AccountID], t, nil
}

func (m *memStore) RevokeAccountToken(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, t := range m.tokens {
		if t.ID == id {
			if t.RevokedAt.IsZero() {
				t.RevokedAt = at
				m.tokens[h] = t
			}
			return nil
		}
	}
	return ErrNotFound
}

func (m *memStore) RevokeAllAccountTokens(_ context.Context, accountID string, at time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for h, t := range m.tokens {
		if t.AccountID == accountID && t.RevokedAt.IsZero() {
			t.RevokedAt = at
			m.tokens[h] = t
			n++
		}
	}
	return n, nil
}

func (m *memStore) DisableAccount(_ context.Context, id string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.accounts[id]
	if !ok {
		return ErrNotFound
	}
	a.Disabled = true
	m.accounts[id] = a
	return nil
}

// fakeUnits knows province 79 and commune 26734.
type fakeUnits struct{}

func (fakeUnits) Province(era adminunit.Era, code string) (adminunit.Unit, bool) {
	return adminunit.Unit{Code: code}, era == adminunit.Era2025 && code == "79"
}

func (fakeUnits) Commune(era adminunit.Era, code string) (adminunit.Unit, bool) {
	return adminunit.Unit{Code: code}, era == adminunit.Era2025 && code == "26734"
}

func TestCreateAccountValidates(t *testing.T) {
	cases := []struct {
		name, accName string
		role          Role
		area          string
		wantField     string // "" when valid
	}{
		{"admin", "Nguyễn Văn An", RoleAdmin, "", ""},
		{"province officer", "Trần Thị Bình", RoleProvinceOfficer, "79", ""},
		{"commune officer", "Lê Văn Cường", RoleCommuneOfficer, "26734", ""},
		{"name trimmed", "  Phạm Dũng \n", RoleAdmin, "", ""},
		{"empty name", "   ", RoleAdmin, "", "name"},
		{"control in name", "a\x00b", RoleAdmin, "", "name"},
		{"bad utf-8 name", "a\xffb", RoleAdmin, "", "name"},
		{"long name", strings.Repeat("ă", 201), RoleAdmin, "", "name"},
		{"unknown role", "x", Role("superuser"), "", "role"},
		{"empty role", "x", Role(""), "", "role"},
		{"admin with area", "x", RoleAdmin, "79", "area"},
		{"province without area", "x", RoleProvinceOfficer, "", "area"},
		{"province with commune code", "x", RoleProvinceOfficer, "26734", "area"},
		{"province with letters", "x", RoleProvinceOfficer, "7a", "area"},
		{"province with 3-digit PID code", "x", RoleProvinceOfficer, "079", "area"},
		{"unknown province", "x", RoleProvinceOfficer, "99", "area"},
		{"commune with province code", "x", RoleCommuneOfficer, "79", "area"},
		{"unknown commune", "x", RoleCommuneOfficer, "99999", "area"},
		{"commune with spaces", "x", RoleCommuneOfficer, " 2673", "area"},
	}
	svc := NewService(newMemStore(), fakeUnits{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, token, err := svc.CreateAccount(context.Background(), c.accName, c.role, c.area)
			if c.wantField == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				if a.Name != strings.TrimSpace(c.accName) || a.Role != c.role || a.Area != c.area || a.ID == "" || a.CreatedAt.IsZero() || a.Disabled {
					t.Fatalf("account %+v", a)
				}
				if !wellFormed(token) {
					t.Fatalf("token %q is not well formed", token)
				}
				return
			}
			var ie *InvalidError
			if !errors.As(err, &ie) || !errors.Is(err, ErrInvalid) || ie.Field != c.wantField {
				t.Fatalf("got %v, want an invalid %s", err, c.wantField)
			}
			if token != "" {
				t.Fatal("a token was returned with an error")
			}
			if len(err.Error()) > 200 {
				t.Fatalf("message of %d bytes echoes the input", len(err.Error()))
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	svc := NewService(st, nil)
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	svc.now = func() time.Time { return now }

	a, token, err := svc.CreateAccount(ctx, "Nguyễn Văn An", RoleAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Authenticate(ctx, token)
	if err != nil || got != a {
		t.Fatalf("Authenticate = %+v, %v; want %+v", got, err, a)
	}

	// Refusals are all ErrUnauthenticated, whatever the reason.
	refuse := func(what, token string) {
		t.Helper()
		if _, err := svc.Authenticate(ctx, token); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: got %v, want ErrUnauthenticated", what, err)
		}
	}
	refuse("empty", "")
	refuse("no prefix", token[len(TokenPrefix):])
	refuse("upper case", strings.ToUpper(token))
	refuse("truncated", token[:len(token)-1])
	refuse("extended", token+"a")
	refuse("with space", " "+token[1:])
	_, unknown := newToken(a.ID, now, 0) // well formed, never stored
	refuse("unknown", unknown)

	// An expiring token works until its expiry, not at it.
	tok, expiring, err := svc.IssueToken(ctx, a.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.ExpiresAt.Equal(now.Add(time.Hour)) || !strings.HasPrefix(expiring, tok.Prefix) || len(tok.Prefix) != len(TokenPrefix)+displayChars {
		t.Fatalf("issued %+v for %q", tok, expiring)
	}
	if _, err := svc.Authenticate(ctx, expiring); err != nil {
		t.Fatalf("fresh expiring token: %v", err)
	}
	now = now.Add(time.Hour)
	refuse("expired", expiring)
	if _, err := svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("the token without expiry stopped working: %v", err)
	}
	if _, _, err := svc.IssueToken(ctx, a.ID, -time.Second); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative ttl: %v", err)
	}
	if _, _, err := svc.IssueToken(ctx, "nobody", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("token for unknown account: %v", err)
	}

	// Revoking one token leaves the others working.
	t2, second, err := svc.IssueToken(ctx, a.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RevokeToken(ctx, t2.ID); err != nil {
		t.Fatal(err)
	}
	refuse("revoked", second)
	if err := svc.RevokeToken(ctx, t2.ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if err := svc.RevokeToken(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking an unknown token: %v", err)
	}
	if _, err := svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("revoking another token revoked this one: %v", err)
	}

	// Disabling the account stops every token.
	_, third, _ := svc.IssueToken(ctx, a.ID, 0)
	if err := svc.DisableAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	refuse("disabled account", token)
	refuse("disabled account, other token", third)

	// Revoking all tokens of an account.
	b, tb, _ := svc.CreateAccount(ctx, "Trần Bình", RoleProvinceOfficer, "79")
	_, tb2, _ := svc.IssueToken(ctx, b.ID, 0)
	if n, err := svc.RevokeAllTokens(ctx, b.ID); err != nil || n != 2 {
		t.Fatalf("RevokeAllTokens = %d, %v; want 2", n, err)
	}
	refuse("all revoked", tb)
	refuse("all revoked", tb2)
}

// failingStore fails every lookup, as a database that went away would.
type failingStore struct{ memStore }

func (*failingStore) AccountByTokenHash(context.Context, TokenHash) (Account, Token, error) {
	return Account{}, Token{}, fmt.Errorf("connection refused")
}

func TestAuthenticateStoreFailureIsNotUnauthenticated(t *testing.T) {
	svc := NewService(&failingStore{}, nil)
	_, token := newToken("x", time.Now(), 0)
	_, err := svc.Authenticate(context.Background(), token)
	if err == nil || errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("got %v; a store failure must not look like a bad token", err)
	}
}

func TestTokenFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, secret := newToken("acc", time.Now(), 0)
		if len(secret) != 58 || !strings.HasPrefix(secret, "dancu_") || !wellFormed(secret) {
			t.Fatalf("token %q", secret)
		}
		if seen[secret] {
			t.Fatal("token repeated")
		}
		seen[secret] = true
		if tok.Hash != HashToken(secret) || strings.Contains(tok.Hash.String(), secret[6:]) {
			t.Fatal("hash")
		}
		h, err := ParseTokenHash(tok.Hash.String())
		if err != nil || h != tok.Hash {
			t.Fatalf("hash round trip: %v", err)
		}
	}
	for _, bad := range []string{"", "zz", strings.Repeat("g", 64), strings.Repeat("a", 63)} {
		if _, err := ParseTokenHash(bad); err == nil {
			t.Errorf("ParseTokenHash(%q) accepted", bad)
		}
	}
}

func TestIDsSortByTime(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 50 {
		id := newID(base.Add(time.Duration(i) * time.Millisecond))
		if len(id) != 26 || strings.ToLower(id) != id {
			t.Fatalf("id %q", id)
		}
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatalf("ids not in time order: %v", ids)
	}
	if newID(base) == newID(base) {
		t.Fatal("two IDs of the same millisecond are equal")
	}
}

func TestCan(t *testing.T) {
	admin := Account{Role: RoleAdmin}
	prov := Account{Role: RoleProvinceOfficer, Area: "79"}
	comm := Account{Role: RoleCommuneOfficer, Area: "26734"}
	inComm := Place{Province: "79", Commune: "26734"}
	inProv := Place{Province: "79", Commune: "26740"}
	elsewhere := Place{Province: "01", Commune: "00004"}
	cases := []struct {
		who    Account
		action Action
		place  Place
		want   bool
	}{
		{admin, ReadCitizen, elsewhere, true},
		{admin, ManageAccounts, Place{}, true},
		{admin, Action("anything.new"), Place{}, true},
		{prov, ReadCitizen, inComm, true},
		{prov, RecordEvent, inProv, true},
		{prov, ReadCitizen, elsewhere, false},
		{prov, ReadCitizen, Place{Commune: "26734"}, false}, // province not supplied
		{prov, ManageAccounts, inProv, false},
		{prov, Action("anything.new"), inProv, false},
		{comm, ReadCitizen, inComm, true},
		{comm, RecordEvent, inComm, true},
		{comm, ReadCitizen, inProv, false},
		{comm, ReadCitizen, elsewhere, false},
		{comm, ManageAccounts, inComm, false},
		{Account{Role: RoleProvinceOfficer}, ReadCitizen, Place{}, false}, // no area matches nothing
		{Account{Role: Role("auditor"), Area: "79"}, ReadCitizen, inComm, false},
		{Account{Role: RoleAdmin, Disabled: true}, ReadCitizen, inComm, false},
		{Account{Role: RoleCommuneOfficer, Area: "26734", Disabled: true}, ReadCitizen, inComm, false},
	}
	for _, c := range cases {
		if got := c.who.Can(c.action, c.place); got != c.want {
			t.Errorf("%s %q Can(%s, %+v) = %v, want %v", c.who.Role, c.who.Area, c.action, c.place, got, c.want)
		}
	}
}
