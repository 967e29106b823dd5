package agency

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testFields stands in for registry.RecordFields.
var testFields = []string{"pid", "full_name", "date_of_birth", "gender", "permanent_address", "phone"}

// memStore is an in-memory Store for the service's rules; internal/store
// tests the real one on both engines.
type memStore struct {
	mu       sync.Mutex
	agencies map[string]Agency
	keys     map[KeyHash]Key
	reads    atomic.Int64 // calls of AgencyKeyByHash
}

func newMemStore() *memStore {
	return &memStore{agencies: map[string]Agency{}, keys: map[KeyHash]Key{}}
}

func (m *memStore) CreateAgency(_ context.Context, a Agency, k Key, h KeyHash) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.agencies[a.ID] = a
	m.keys[h] = k
	return nil
}

func (m *memStore) AddAgencyKey(_ context.Context, k Key, h KeyHash) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.agencies[k.AgencyID]; !ok {
		return ErrNotFound
	}
	m.keys[h] = k
	return nil
}

func (m *memStore) AgencyKeyByHash(_ context.Context, h KeyHash) (Agency, Key, error) {
	m.reads.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[h]
	if !ok {
		return Agency{}, Key{}, ErrNotFound
	}
	return m.agencies[k.AgencyID], k, nil
}

func (m *memStore) listing(id string) Listing {
	l := Listing{Agency: m.agencies[id], Keys: []Key{}}
	for _, k := range m.keys {
		if k.AgencyID == id {
			l.Keys = append(l.Keys, k)
		}
	}
	slices.SortFunc(l.Keys, func(a, b Key) int { return strings.Compare(a.ID, b.ID) })
	return l
}

func (m *memStore) Agencies(_ context.Context) ([]Listing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Listing
	for id := range m.agencies {
		out = append(out, m.listing(id))
	}
	slices.SortFunc(out, func(a, b Listing) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *memStore) AgencyByID(_ context.Context, id string) (Listing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.agencies[id]; !ok {
		return Listing{}, ErrNotFound
	}
	return m.listing(id), nil
}

func (m *memStore) SetAgencyStatus(_ context.Context, id string, s Status, at time.Time) (Agency, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.agencies[id]
	if !ok {
		return Agency{}, ErrNotFound
	}
	if a.Status != s {
		a.Status, a.UpdatedAt = s, at
		m.agencies[id] = a
	}
	return a, nil
}

func (m *memStore) RevokeAgencyKey(_ context.Context, keyID string, at time.Time) (Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, k := range m.keys {
		if k.ID == keyID {
			if k.RevokedAt.IsZero() {
				k.RevokedAt = at
				m.keys[h] = k
			}
			return k, nil
		}
	}
	return Key{}, ErrNotFound
}

// behindTheBack changes an agency's status as another process would,
// without telling the service.
func (m *memStore) behindTheBack(id string, s Status) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.agencies[id]
	a.Status = s
	m.agencies[id] = a
}

// clock is a settable clock, so that no test waits for time to pass.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func newTestService(t testing.TB) (*Service, *memStore, *clock) {
	t.Helper()
	m, c := newMemStore(), newClock()
	return NewService(m, Options{Fields: testFields, Now: c.Now}), m, c
}

var bankScope = Scope{
	Operations: []Operation{OpVerify, OpLookup},
	Fields:     []string{"pid", "full_name", "date_of_birth"},
	Purposes:   []string{"kyc"},
}

func addBank(t testing.TB, s *Service, approved bool) (Agency, Key, string) {
	t.Helper()
	a, k, secret, err := s.Add(context.Background(), NewAgency{
		Name: "  Ngân hàng Thương mại A ", Kind: KindBank, Scope: bankScope, RateLimit: 100, Approved: approved,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, k, secret
}

var keyPattern = regexp.MustCompile(`^dancu_key_[a-z2-7]{52}$`)

func TestAgencyAddAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	s, m, c := newTestService(t)
	a, k, secret := addBank(t, s, true)

	if !keyPattern.MatchString(secret) || len(secret) != KeyLen || !WellFormed(secret) {
		t.Fatalf("key %q has the wrong shape", secret)
	}
	if a.Name != "Ngân hàng Thương mại A" || a.Status != StatusApproved || a.Kind != KindBank ||
		!a.CreatedAt.Equal(c.Now()) || !a.UpdatedAt.Equal(a.CreatedAt) || !ValidID(a.ID) {
		t.Fatalf("agency %+v", a)
	}
	if k.AgencyID != a.ID || k.Prefix != secret[:14] || k.RateLimit != 100 || !k.ExpiresAt.IsZero() || !ValidID(k.ID) || k.ID == a.ID {
		t.Fatalf("key %+v", k)
	}
	if _, ok := m.keys[HashKey(secret)]; !ok || len(m.keys) != 1 {
		t.Fatal("the key is not stored under its hash")
	}
	// The key is never in what is kept, nor in its JSON.
	if strings.Contains(fmt.Sprintf("%+v", k), secret[len(KeyPrefix):]) {
		t.Fatal("Key holds the secret")
	}

	p, err := s.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if p.Agency != a || !keysEqual(p.Key, k) {
		t.Fatalf("principal %+v, want agency %+v and key %+v", p, a, k)
	}

	// A second key, then a listing of both.
	k2, secret2, err := s.IssueKey(ctx, a.ID, Scope{Operations: []Operation{OpBatch}, Fields: []string{"pid"}, Purposes: []string{"kyc"}}, 0, c.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if secret2 == secret || k2.ID == k.ID || !k2.ExpiresAt.Equal(c.Now().Add(time.Hour)) {
		t.Fatalf("second key %+v", k2)
	}
	if p2, err := s.Authenticate(ctx, secret2); err != nil || p2.Key.ID != k2.ID {
		t.Fatalf("second key authenticates as %+v, %v", p2, err)
	}
	l, err := s.Get(ctx, a.ID)
	if err != nil || l.Agency != a || len(l.Keys) != 2 {
		t.Fatalf("Get = %+v, %v", l, err)
	}
	all, err := s.List(ctx)
	if err != nil || len(all) != 1 || len(all[0].Keys) != 2 {
		t.Fatalf("List = %+v, %v", all, err)
	}
	if _, _, err := s.IssueKey(ctx, "nope", bankScope, 0, time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("IssueKey for an unknown agency: %v", err)
	}
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(unknown): %v", err)
	}
}

func keysEqual(a, b Key) bool {
	return a.ID == b.ID && a.AgencyID == b.AgencyID && a.Prefix == b.Prefix && a.RateLimit == b.RateLimit &&
		slices.Equal(a.Scope.Operations, b.Scope.Operations) && slices.Equal(a.Scope.Fields, b.Scope.Fields) &&
		slices.Equal(a.Scope.Purposes, b.Scope.Purposes) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.ExpiresAt.Equal(b.ExpiresAt) && a.RevokedAt.Equal(b.RevokedAt)
}

func TestAgencyAuthenticateRefuses(t *testing.T) {
	ctx := context.Background()
	s, _, c := newTestService(t)
	_, _, pending := addBank(t, s, false)
	approved, key, secret := addBank(t, s, true)
	_, expiring, err := s.IssueKey(ctx, approved.ID, bankScope, 10, c.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(secret)
	flipped[20] = map[bool]byte{true: 'b', false: 'a'}[flipped[20] == 'a']

	check := func(name, key, reason string) {
		t.Helper()
		_, err := s.Authenticate(ctx, key)
		if !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: %v, want unauthenticated because %q", name, err, reason)
		}
	}
	check("empty", "", "malformed")
	check("officer token", "dancu_"+strings.Repeat("a", 52), "malformed")
	check("upper case", strings.ToUpper(secret), "malformed")
	check("trailing newline", secret+"\n", "malformed")
	check("unknown", string(flipped), "unknown key")
	check("pending", pending, "pending its security assessment")

	if _, err := s.Authenticate(ctx, expiring); err != nil {
		t.Fatalf("expiring key before its time: %v", err)
	}
	c.Advance(time.Minute)
	check("expired", expiring, "expired")

	if _, err := s.Suspend(ctx, approved.ID); err != nil {
		t.Fatal(err)
	}
	check("suspended", secret, "is suspended")
	if a, err := s.Approve(ctx, approved.ID); err != nil || a.Status != StatusApproved || !a.UpdatedAt.Equal(c.Now()) {
		t.Fatalf("Approve = %+v, %v", a, err)
	}
	if _, err := s.Authenticate(ctx, secret); err != nil {
		t.Fatalf("approved again: %v", err)
	}
	rk, err := s.RevokeKey(ctx, key.ID)
	if err != nil || !rk.RevokedAt.Equal(c.Now()) {
		t.Fatalf("RevokeKey = %+v, %v", rk, err)
	}
	check("revoked", secret, "was revoked")
	c.Advance(time.Hour)
	if again, err := s.RevokeKey(ctx, key.ID); err != nil || !again.RevokedAt.Equal(rk.RevokedAt) {
		t.Fatalf("revoking again moved the time: %+v, %v", again, err)
	}

	for name, err := range map[string]error{
		"approve":    second(s.Approve(ctx, "nope")),
		"suspend":    second(s.Suspend(ctx, "nope")),
		"revoke key": second(s.RevokeKey(ctx, "nope")),
	} {
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "nope") {
			t.Errorf("%s of an unknown ID: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestCache checks that a cached key costs no store read, that changes
// made through the service apply at once, and that changes made by
// another process apply once the TTL has passed.
func TestAgencyCache(t *testing.T) {
	ctx := context.Background()
	s, m, c := newTestService(t)
	a, _, secret := addBank(t, s, true)

	for range 100 {
		if _, err := s.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.reads.Load(); n != 1 {
		t.Fatalf("100 authentications read the store %d times, want 1", n)
	}

	// Suspension through the service: at once.
	if _, err := s.Suspend(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("suspended through the service, still authenticates: %v", err)
	}
	if _, err := s.Approve(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret); err != nil {
		t.Fatalf("approved through the service, refused: %v", err)
	}

	// Suspension by another process: within the TTL.
	m.behindTheBack(a.ID, StatusSuspended)
	c.Advance(DefaultCacheTTL - time.Millisecond)
	if _, err := s.Authenticate(ctx, secret); err != nil {
		t.Fatalf("within the TTL the cached approval should still hold: %v", err)
	}
	c.Advance(time.Millisecond)
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("suspended elsewhere, still authenticates after the TTL: %v", err)
	}

	// Unknown keys are not cached: each is a store read.
	before := m.reads.Load()
	unknown := KeyPrefix + strings.Repeat("a", KeyLen-len(KeyPrefix))
	for range 3 {
		_, _ = s.Authenticate(ctx, unknown)
	}
	if n := m.reads.Load() - before; n != 3 {
		t.Fatalf("3 unknown-key lookups read the store %d times", n)
	}
	// Malformed keys never reach the store.
	before = m.reads.Load()
	_, _ = s.Authenticate(ctx, "Bearer nonsense")
	if m.reads.Load() != before {
		t.Fatal("a malformed key reached the store")
	}

	// A negative TTL turns the cache off.
	off := NewService(m, Options{Fields: testFields, Now: c.Now, CacheTTL: -1})
	m.behindTheBack(a.ID, StatusApproved)
	before = m.reads.Load()
	for range 3 {
		if _, err := off.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.reads.Load() - before; n != 3 {
		t.Fatalf("without a cache 3 authentications read the store %d times", n)
	}
}

// TestAuthenticateConcurrently runs authentications beside suspensions and
// revocations, for the race detector.
func TestAgencyAuthenticateConcurrently(t *testing.T) {
	ctx := context.Background()
	s, _, c := newTestService(t)
	a, k, secret := addBank(t, s, true)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				p, err := s.Authenticate(ctx, secret)
				if err == nil {
					s.Allow(p)
				} else if !errors.Is(err, ErrUnauthenticated) {
					t.Error(err)
					return
				}
				c.Advance(time.Millisecond)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			_, _ = s.Suspend(ctx, a.ID)
			_, _ = s.Approve(ctx, a.ID)
		}
		_, _ = s.RevokeKey(ctx, k.ID)
	})
	wg.Wait()
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("revoked key authenticates: %v", err)
	}
}

func TestAgencyAddRefusesBadInput(t *testing.T) {
	s, m, c := newTestService(t)
	good := NewAgency{Name: "Nhà mạng B", Kind: KindTelecom, Scope: bankScope, RateLimit: 10}
	cases := []struct {
		name  string
		edit  func(*NewAgency)
		field string
	}{
		{"empty name", func(n *NewAgency) { n.Name = " \t" }, "name"},
		{"long name", func(n *NewAgency) { n.Name = strings.Repeat("ạ", MaxNameRunes+1) }, "name"},
		{"bad UTF-8", func(n *NewAgency) { n.Name = "Nhà mạng B\xff" }, "name"},
		{"control", func(n *NewAgency) { n.Name = "Viet\ntel" }, "name"},
		{"no kind", func(n *NewAgency) { n.Kind = "" }, "kind"},
		{"unknown kind", func(n *NewAgency) { n.Kind = "church" }, "kind"},
		{"no operations", func(n *NewAgency) { n.Scope.Operations = nil }, "operations"},
		{"unknown operation", func(n *NewAgency) { n.Scope.Operations = []Operation{"delete"} }, "operations"},
		{"no fields", func(n *NewAgency) { n.Scope.Fields = []string{} }, "fields"},
		{"unknown field", func(n *NewAgency) { n.Scope.Fields = []string{"pid", "salary"} }, "fields"},
		{"no purposes", func(n *NewAgency) { n.Scope.Purposes = nil }, "purposes"},
		{"upper-case purpose", func(n *NewAgency) { n.Scope.Purposes = []string{"KYC"} }, "purposes"},
		{"purpose with space", func(n *NewAgency) { n.Scope.Purposes = []string{"kyc check"} }, "purposes"},
		{"purpose with comma", func(n *NewAgency) { n.Scope.Purposes = []string{"kyc,aml"} }, "purposes"},
		{"empty purpose", func(n *NewAgency) { n.Scope.Purposes = []string{""} }, "purposes"},
		{"long purpose", func(n *NewAgency) { n.Scope.Purposes = []string{strings.Repeat("a", 65)} }, "purposes"},
		{"negative rate", func(n *NewAgency) { n.RateLimit = -1 }, "rate_limit"},
		{"huge rate", func(n *NewAgency) { n.RateLimit = MaxRateLimit + 1 }, "rate_limit"},
		{"expired", func(n *NewAgency) { n.ExpiresAt = c.Now() }, "expires_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			in.Scope = Scope{
				Operations: slices.Clone(good.Scope.Operations),
				Fields:     slices.Clone(good.Scope.Fields),
				Purposes:   slices.Clone(good.Scope.Purposes),
			}
			tc.edit(&in)
			_, _, secret, err := s.Add(context.Background(), in)
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Field != tc.field || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want an invalid %s", err, tc.field)
			}
			if secret != "" {
				t.Fatal("a key was returned with the error")
			}
			if len(err.Error()) > 300 {
				t.Fatalf("message of %d bytes", len(err.Error()))
			}
		})
	}
	if len(m.agencies) != 0 {
		t.Fatalf("%d agencies stored from bad input", len(m.agencies))
	}
	if _, _, _, err := s.Add(context.Background(), good); err != nil {
		t.Fatalf("the good input is refused: %v", err)
	}
}

func TestAgencyCleanScopeCanonical(t *testing.T) {
	got, err := CleanScope(Scope{
		Operations: []Operation{OpLookup, OpVerify, OpLookup},
		Fields:     []string{"phone", "pid", "phone"},
		Purposes:   []string{"sim-registration", "kyc", "kyc"},
	}, testFields)
	if err != nil {
		t.Fatal(err)
	}
	want := Scope{
		Operations: []Operation{OpVerify, OpLookup},
		Fields:     []string{"pid", "phone"},
		Purposes:   []string{"kyc", "sim-registration"},
	}
	if !slices.Equal(got.Operations, want.Operations) || !slices.Equal(got.Fields, want.Fields) || !slices.Equal(got.Purposes, want.Purposes) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestAgencyCheck(t *testing.T) {
	p := Principal{Key: Key{Scope: bankScope}}
	cases := []struct {
		name    string
		op      Operation
		purpose string
		fields  []string
		want    *ScopeError
		msg     string
	}{
		{"inside", OpVerify, "kyc", []string{"pid", "full_name"}, nil, ""},
		{"no fields", OpLookup, "kyc", nil, nil, ""},
		{"operation", OpBatch, "kyc", []string{"pid"}, &ScopeError{Operation: OpBatch}, `operation "batch" is not in the key's scope`},
		{"purpose", OpVerify, "marketing", []string{"pid"}, &ScopeError{Purpose: "marketing"}, `purpose "marketing" is not declared`},
		{"no purpose", OpVerify, "", []string{"pid"}, &ScopeError{NoPurpose: true}, "no purpose was stated"},
		{"fields", OpLookup, "kyc", []string{"pid", "phone", "gender", "phone"}, &ScopeError{Fields: []string{"phone", "gender"}},
			"fields outside the key's scope: phone, gender"},
		{"everything", OpSync, "ads", []string{"email"}, &ScopeError{Operation: OpSync, Purpose: "ads", Fields: []string{"email"}},
			`operation "sync" is not in the key's scope; purpose "ads" is not declared for the key; fields outside the key's scope: email`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Check(tc.op, tc.purpose, tc.fields)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var se *ScopeError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *ScopeError", err)
			}
			if se.Operation != tc.want.Operation || se.Purpose != tc.want.Purpose || se.NoPurpose != tc.want.NoPurpose || !slices.Equal(se.Fields, tc.want.Fields) {
				t.Fatalf("got %+v, want %+v", se, tc.want)
			}
			if !strings.Contains(se.Error(), tc.msg) {
				t.Fatalf("message %q lacks %q", se.Error(), tc.msg)
			}
		})
	}

	// Many refused fields make a message of bounded length.
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("field_%d_%s", i, strings.Repeat("x", 100))
	}
	err := p.Check(OpVerify, "kyc", many)
	if se := (*ScopeError)(nil); !errors.As(err, &se) || len(se.Fields) != 1000 || len(err.Error()) > 1000 || !strings.Contains(err.Error(), "and 990 more") {
		t.Fatalf("message of %d bytes: %.200s", len(err.Error()), err)
	}
}

func TestAgencyAllow(t *testing.T) {
	s, _, c := newTestService(t)
	p := Principal{Key: Key{ID: "k1", RateLimit: 2}}
	for i := range 2 {
		if ok, _ := s.Allow(p); !ok {
			t.Fatalf("request %d of a burst of 2 refused", i+1)
		}
	}
	ok, retry := s.Allow(p)
	if ok || retry != 500*time.Millisecond {
		t.Fatalf("third request: ok %v, retry after %v; want refused, 500ms", ok, retry)
	}
	c.Advance(250 * time.Millisecond)
	if ok, retry := s.Allow(p); ok || retry != 250*time.Millisecond {
		t.Fatalf("after 250ms: ok %v, retry after %v; want refused, 250ms", ok, retry)
	}
	c.Advance(250 * time.Millisecond)
	if ok, _ := s.Allow(p); !ok {
		t.Fatal("refused after the bucket refilled")
	}

	// Keys have buckets of their own.
	if ok, _ := s.Allow(Principal{Key: Key{ID: "k2", RateLimit: 1}}); !ok {
		t.Fatal("another key is limited by the first's bucket")
	}
	// 0 is unlimited.
	for range 1000 {
		if ok, _ := s.Allow(Principal{Key: Key{ID: "k3"}}); !ok {
			t.Fatal("an unlimited key was refused")
		}
	}
}
