package agency

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Store keeps agencies and their keys; internal/store implements it on
// both engines. Lookups of a missing row return an error matching
// ErrNotFound.
type Store interface {
	// CreateAgency stores a new agency together with its first key, both
	// or neither.
	CreateAgency(ctx context.Context, a Agency, k Key, h KeyHash) error
	// AddAgencyKey stores another key of an existing agency.
	AddAgencyKey(ctx context.Context, k Key, h KeyHash) error
	// AgencyKeyByHash returns the key whose hash is h and its agency.
	AgencyKeyByHash(ctx context.Context, h KeyHash) (Agency, Key, error)
	// Agencies returns every agency with its keys, oldest first.
	Agencies(ctx context.Context) ([]Listing, error)
	// AgencyByID returns one agency with its keys.
	AgencyByID(ctx context.Context, id string) (Listing, error)
	// SetAgencyStatus sets an agency's status, stamping updated_at with at
	// when the status changes, and returns the agency as stored.
	SetAgencyStatus(ctx context.Context, id string, s Status, at time.Time) (Agency, error)
	// RevokeAgencyKey marks a key revoked at the given time (revoking a
	// revoked key keeps the first time) and returns the key as stored.
	RevokeAgencyKey(ctx context.Context, keyID string, at time.Time) (Key, error)
}

// Options configure a Service.
type Options struct {
	// Fields are the field names a scope may name, in canonical order; the
	// app passes registry.RecordFields. A scope naming another is invalid.
	Fields []string
	// Now is the clock; time.Now when nil. It must be safe for concurrent
	// use.
	Now func() time.Time
	// CacheTTL is how long Authenticate trusts what it read of a key,
	// which bounds how late a change made by another process (the CLI)
	// takes effect. 0 means DefaultCacheTTL; a negative value turns the
	// cache off.
	CacheTTL time.Duration
}

// DefaultCacheTTL is the CacheTTL when Options leave it zero.
const DefaultCacheTTL = time.Second

// maxCacheEntries bounds the cache. Only keys that exist are cached, so
// the bound is reached only with that many keys in use within one TTL.
const maxCacheEntries = 1 << 16

// Service onboards agencies, issues and revokes their keys, authenticates
// keys and applies their rate limits. It is safe for concurrent use; one
// Service serves a whole process.
type Service struct {
	store  Store
	fields []string
	now    func() time.Time
	ttl    time.Duration

	// mu guards the cache: what was read of each key, by hash, and the
	// reads under way, so that many requests with one key whose entry
	// expired wait for one database read. gen counts invalidations: a read
	// that started before one does not fill the cache after it.
	mu       sync.RWMutex
	cache    map[KeyHash]cached
	inflight map[KeyHash]*lookup
	gen      uint64

	// limiters holds a token bucket per key ID (*rate.Limiter).
	limiters sync.Map
}

// cached is an agency and key as read from the store at fetched. The
// status, revocation and expiry are judged at each use, so an entry can
// be kept whatever they were.
type cached struct {
	agency  Agency
	key     Key
	fetched time.Time
}

// lookup is one store read that several requests wait for.
type lookup struct {
	done chan struct{}
	c    cached
	err  error
}

// NewService returns a Service on store.
func NewService(store Store, opts Options) *Service {
	s := &Service{
		store:    store,
		fields:   slices.Clone(opts.Fields),
		now:      opts.Now,
		ttl:      opts.CacheTTL,
		cache:    map[KeyHash]cached{},
		inflight: map[KeyHash]*lookup{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl == 0 {
		s.ttl = DefaultCacheTTL
	}
	return s
}

// Fields returns the field names a scope may name.
func (s *Service) Fields() []string { return slices.Clone(s.fields) }

// NewAgency is what Add needs to onboard an agency and issue its first key.
type NewAgency struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Scope, RateLimit (requests per second, 0 = unlimited) and ExpiresAt
	// (zero = never) are the first key's.
	Scope     Scope     `json:"scope"`
	RateLimit int       `json:"rate_limit"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Approved skips the pending state, for an agency whose assessment was
	// done before it was entered (the CLI's agencies are).
	Approved bool `json:"approved"`
}

// Add onboards an agency and issues its first key. The agency is pending
// its security assessment unless in.Approved. The key is returned once and
// cannot be recovered: only its hash is stored. Bad input is an
// *InvalidError.
func (s *Service) Add(ctx context.Context, in NewAgency) (Agency, Key, string, error) {
	name, err := CleanName(in.Name)
	if err != nil {
		return Agency{}, Key{}, "", err
	}
	if err := ValidateKind(in.Kind); err != nil {
		return Agency{}, Key{}, "", err
	}
	now := s.clock()
	scope, expires, err := s.checkKey(in.Scope, in.RateLimit, in.ExpiresAt, now)
	if err != nil {
		return Agency{}, Key{}, "", err
	}
	a := Agency{ID: newID(now), Name: name, Kind: in.Kind, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
	if in.Approved {
		a.Status = StatusApproved
	}
	k, h, secret := newKey(a.ID, scope, in.RateLimit, now, expires)
	if err := s.store.CreateAgency(ctx, a, k, h); err != nil {
		return Agency{}, Key{}, "", fmt.Errorf("add agency %q: %w", name, err)
	}
	return a, k, secret, nil
}

// IssueKey issues another key for an existing agency, for a further
// scope or for rotation: issue the new key, switch to it, revoke the old
// one. expires is when the key stops working, zero for never. An unknown
// agency is ErrNotFound; bad input is an *InvalidError.
func (s *Service) IssueKey(ctx context.Context, agencyID string, scope Scope, rateLimit int, expires time.Time) (Key, string, error) {
	now := s.clock()
	scope, expires, err := s.checkKey(scope, rateLimit, expires, now)
	if err != nil {
		return Key{}, "", err
	}
	k, h, secret := newKey(agencyID, scope, rateLimit, now, expires)
	if err := s.store.AddAgencyKey(ctx, k, h); err != nil {
		return Key{}, "", fmt.Errorf("issue key for agency %s: %w", agencyID, err)
	}
	return k, secret, nil
}

// checkKey validates what a new key is given and returns its scope in
// canonical form and its expiry at the precision stored.
func (s *Service) checkKey(scope Scope, rateLimit int, expires, now time.Time) (Scope, time.Time, error) {
	scope, err := CleanScope(scope, s.fields)
	if err != nil {
		return Scope{}, time.Time{}, err
	}
	if err := ValidateRateLimit(rateLimit); err != nil {
		return Scope{}, time.Time{}, err
	}
	if !expires.IsZero() {
		expires = expires.UTC().Truncate(time.Microsecond)
		if !expires.After(now) {
			return Scope{}, time.Time{}, invalid("expires_at", "%s is not in the future", expires.Format(time.RFC3339))
		}
	}
	return scope, expires, nil
}

// List returns every agency with its keys, oldest first.
func (s *Service) List(ctx context.Context) ([]Listing, error) {
	l, err := s.store.Agencies(ctx)
	if err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	return l, nil
}

// Get returns one agency with its keys, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Listing, error) {
	l, err := s.store.AgencyByID(ctx, id)
	if err != nil {
		return Listing{}, fmt.Errorf("get agency %s: %w", id, err)
	}
	return l, nil
}

// Approve records that an agency passed its security assessment (or ends
// its suspension): its keys work from the next request. Approving an
// approved agency changes nothing. An unknown ID is ErrNotFound.
func (s *Service) Approve(ctx context.Context, id string) (Agency, error) {
	return s.setStatus(ctx, id, StatusApproved, "approve")
}

// Suspend stops an agency's access: its keys fail from the next request
// made through this Service, and within CacheTTL in other processes.
// Suspending a suspended agency changes nothing. An unknown ID is
// ErrNotFound.
func (s *Service) Suspend(ctx context.Context, id string) (Agency, error) {
	return s.setStatus(ctx, id, StatusSuspended, "suspend")
}

func (s *Service) setStatus(ctx context.Context, id string, st Status, verb string) (Agency, error) {
	a, err := s.store.SetAgencyStatus(ctx, id, st, s.clock())
	// Invalidate even on error: the write may have happened.
	s.invalidate(func(c cached) bool { return c.agency.ID == id })
	if err != nil {
		return Agency{}, fmt.Errorf("%s agency %s: %w", verb, id, err)
	}
	return a, nil
}

// RevokeKey revokes one key by its ID: it fails from the next request made
// through this Service, and within CacheTTL in other processes. Revoking a
// revoked key keeps its first time; an unknown ID is ErrNotFound.
func (s *Service) RevokeKey(ctx context.Context, keyID string) (Key, error) {
	k, err := s.store.RevokeAgencyKey(ctx, keyID, s.clock())
	s.invalidate(func(c cached) bool { return c.key.ID == keyID })
	if err != nil {
		return Key{}, fmt.Errorf("revoke key %s: %w", keyID, err)
	}
	s.limiters.Delete(keyID)
	return k, nil
}

// Authenticate returns what key authenticates as: an active key of an
// approved agency. Every reason to refuse (malformed, unknown, revoked or
// expired key, agency pending or suspended) is an error matching
// ErrUnauthenticated; the message names the reason for the log and must
// not reach the client. Any other error is a failure of the store.
//
// It is on the path of every API call: what was read of a key is kept in
// memory for CacheTTL, so that most calls cost a hash and a map lookup.
func (s *Service) Authenticate(ctx context.Context, key string) (Principal, error) {
	if !WellFormed(key) {
		return Principal{}, fmt.Errorf("%w: malformed key", ErrUnauthenticated)
	}
	h := HashKey(key)
	now := s.now()
	c, err := s.read(ctx, h, now)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, fmt.Errorf("%w: unknown key", ErrUnauthenticated)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	switch {
	case !c.key.RevokedAt.IsZero():
		return Principal{}, fmt.Errorf("%w: key %s was revoked", ErrUnauthenticated, c.key.ID)
	case !c.key.Active(now):
		return Principal{}, fmt.Errorf("%w: key %s expired", ErrUnauthenticated, c.key.ID)
	case c.agency.Status == StatusPending:
		return Principal{}, fmt.Errorf("%w: agency %s is pending its security assessment", ErrUnauthenticated, c.agency.ID)
	case c.agency.Status != StatusApproved:
		return Principal{}, fmt.Errorf("%w: agency %s is %s", ErrUnauthenticated, c.agency.ID, c.agency.Status)
	}
	return Principal{Agency: c.agency, Key: c.key}, nil
}

// read returns the agency and key whose hash is h, from the cache while
// the entry is younger than the TTL, else from the store.
func (s *Service) read(ctx context.Context, h KeyHash, now time.Time) (cached, error) {
	if s.ttl < 0 {
		a, k, err := s.store.AgencyKeyByHash(ctx, h)
		return cached{agency: a, key: k, fetched: now}, err
	}
	s.mu.RLock()
	c, ok := s.cache[h]
	s.mu.RUnlock()
	if ok && s.fresh(c, now) {
		return c, nil
	}

	s.mu.Lock()
	if c, ok := s.cache[h]; ok && s.fresh(c, now) {
		s.mu.Unlock()
		return c, nil
	}
	if l, ok := s.inflight[h]; ok {
		s.mu.Unlock()
		select {
		case <-l.done:
		case <-ctx.Done():
			return cached{}, ctx.Err()
		}
		if l.err == nil || errors.Is(l.err, ErrNotFound) {
			return l.c, l.err
		}
		// The read we waited for failed, perhaps only because its caller
		// gave up: try once on our own.
		a, k, err := s.store.AgencyKeyByHash(ctx, h)
		return cached{agency: a, key: k, fetched: now}, err
	}
	l := &lookup{done: make(chan struct{})}
	s.inflight[h] = l
	gen := s.gen
	s.mu.Unlock()

	a, k, err := s.store.AgencyKeyByHash(ctx, h)
	l.c, l.err = cached{agency: a, key: k, fetched: now}, err

	s.mu.Lock()
	if s.inflight[h] == l {
		delete(s.inflight, h)
	}
	if err == nil && s.gen == gen {
		if len(s.cache) >= maxCacheEntries {
			s.sweep(now)
		}
		s.cache[h] = l.c
	}
	s.mu.Unlock()
	close(l.done)
	return l.c, l.err
}

// fresh reports whether c may still be used at now. An entry from the
// future (the clock went back) is not trusted.
func (s *Service) fresh(c cached, now time.Time) bool {
	age := now.Sub(c.fetched)
	return age >= 0 && age < s.ttl
}

// sweep drops expired entries, or every entry if none has expired, so that
// the cache stays within maxCacheEntries. s.mu must be held.
func (s *Service) sweep(now time.Time) {
	for h, c := range s.cache {
		if !s.fresh(c, now) {
			delete(s.cache, h)
		}
	}
	if len(s.cache) >= maxCacheEntries {
		clear(s.cache)
	}
}

// invalidate drops the cache entries drop selects, and makes reads under
// way neither fill the cache nor be joined by new requests.
func (s *Service) invalidate(drop func(cached) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	clear(s.inflight)
	for h, c := range s.cache {
		if drop(c) {
			delete(s.cache, h)
		}
	}
}

// Allow takes one request from p's key's token bucket: the bucket refills
// at the key's RateLimit per second and holds up to max(1, RateLimit), so
// a key may burst one second's worth. When the bucket is empty, Allow
// returns false and how long until a request would be allowed. A
// RateLimit of 0 always allows.
//
// Buckets live in this process's memory: with several processes behind a
// load balancer each allows the full rate.
func (s *Service) Allow(p Principal) (bool, time.Duration) {
	n := p.Key.RateLimit
	if n <= 0 {
		return true, 0
	}
	burst := max(1, n)
	var lim *rate.Limiter
	if v, ok := s.limiters.Load(p.Key.ID); ok {
		lim = v.(*rate.Limiter)
	} else {
		v, _ := s.limiters.LoadOrStore(p.Key.ID, rate.NewLimiter(rate.Limit(n), burst))
		lim = v.(*rate.Limiter)
	}
	now := s.now()
	if lim.Burst() != burst {
		// Keys' limits do not change today; if one ever does, follow it.
		lim.SetBurstAt(now, burst)
		lim.SetLimitAt(now, rate.Limit(n))
	}
	if lim.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - lim.TokensAt(now)
	wait := time.Duration(missing / float64(n) * float64(time.Second))
	return false, max(wait, time.Nanosecond)
}

// clock is the current time at the microsecond precision the store keeps,
// so that what a call returns equals what a later read finds.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}
