package eid

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"
)

// Store keeps accounts and tokens; internal/store implements it on both
// engines. Lookups of a missing row return an error matching ErrNotFound.
type Store interface {
	// CreateAccount stores a new account together with its first token,
	// both or neither.
	CreateAccount(ctx context.Context, a Account, t Token) error
	// AddAccountToken stores another token of an existing account.
	AddAccountToken(ctx context.Context, t Token) error
	// AccountByTokenHash returns the token whose hash is h and its account.
	AccountByTokenHash(ctx context.Context, h TokenHash) (Account, Token, error)
	// RevokeAccountToken marks a token revoked at the given time; revoking
	// a revoked token keeps the first time.
	RevokeAccountToken(ctx context.Context, tokenID string, at time.Time) error
	// RevokeAllAccountTokens revokes every unrevoked token of an account and
	// returns how many it revoked.
	RevokeAllAccountTokens(ctx context.Context, accountID string, at time.Time) (int, error)
	// DisableAccount marks an account disabled at the given time.
	DisableAccount(ctx context.Context, accountID string, at time.Time) error
}

// Service creates accounts, issues and revokes their tokens, and
// authenticates tokens.
type Service struct {
	store Store
	units Units
	now   func() time.Time
}

// NewService returns a Service on store. units, when not nil, is used to
// check that an officer's area is a real unit of the 2025 map; without it
// only the shape of the code is checked.
func NewService(store Store, units Units) *Service {
	return &Service{store: store, units: units, now: time.Now}
}

// CreateAccount creates an account and its first token, which never
// expires. The token is returned once and cannot be recovered: only its
// hash is stored. Bad input is an *InvalidError.
func (s *Service) CreateAccount(ctx context.Context, name string, role Role, area string) (Account, string, error) {
	name, err := CleanName(name)
	if err != nil {
		return Account{}, "", err
	}
	if err := ValidateRoleArea(role, area); err != nil {
		return Account{}, "", err
	}
	if s.units != nil {
		if err := checkAreaExists(s.units, role, area); err != nil {
			return Account{}, "", err
		}
	}
	now := s.clock()
	a := Account{ID: newID(now), Name: name, Role: role, Area: area, CreatedAt: now}
	t, secret := newToken(a.ID, now, 0)
	if err := s.store.CreateAccount(ctx, a, t); err != nil {
		return Account{}, "", fmt.Errorf("create account: %w", err)
	}
	return a, secret, nil
}

// IssueToken creates another token for an existing account, expiring after
// ttl (never when ttl is 0), for rotation: issue the new token, switch to
// it, revoke the old one.
func (s *Service) IssueToken(ctx context.Context, accountID string, ttl time.Duration) (Token, string, error) {
	if ttl < 0 {
		return Token{}, "", invalid("ttl", "must not be negative")
	}
	t, secret := newToken(accountID, s.clock(), ttl)
	if err := s.store.AddAccountToken(ctx, t); err != nil {
		return Token{}, "", fmt.Errorf("issue token for account %s: %w", accountID, err)
	}
	return t, secret, nil
}

// Authenticate returns the active account token belongs to. Every reason
// to refuse (malformed, unknown, revoked or expired token, disabled
// account) is an error matching ErrUnauthenticated; the message names the
// reason for the log, and must not reach the client. Any other error is a
// failure of the store.
func (s *Service) Authenticate(ctx context.Context, token string) (Account, error) {
	if !wellFormed(token) {
		return Account{}, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	h := HashToken(token)
	a, t, err := s.store.AccountByTokenHash(ctx, h)
	if errors.Is(err, ErrNotFound) {
		return Account{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return Account{}, fmt.Errorf("authenticate: %w", err)
	}
	// The store found the row by this hash; comparing again (in constant
	// time, since it costs nothing) guards against a store that matched
	// loosely, by prefix or ignoring case.
	if subtle.ConstantTimeCompare(t.Hash[:], h[:]) != 1 {
		return Account{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	now := s.clock()
	switch {
	case !t.RevokedAt.IsZero():
		return Account{}, fmt.Errorf("%w: token %s was revoked", ErrUnauthenticated, t.ID)
	case !t.Active(now):
		return Account{}, fmt.Errorf("%w: token %s expired", ErrUnauthenticated, t.ID)
	case a.Disabled:
		return Account{}, fmt.Errorf("%w: account %s is disabled", ErrUnauthenticated, a.ID)
	}
	return a, nil
}

// RevokeToken revokes one token by its ID; it stops working at once.
// Revoking a revoked token is not an error; an unknown ID is ErrNotFound.
func (s *Service) RevokeToken(ctx context.Context, tokenID string) error {
	if err := s.store.RevokeAccountToken(ctx, tokenID, s.clock()); err != nil {
		return fmt.Errorf("revoke token %s: %w", tokenID, err)
	}
	return nil
}

// RevokeAllTokens revokes every token of an account (a lost laptop, a
// leaked token of unknown ID) and returns how many it revoked.
func (s *Service) RevokeAllTokens(ctx context.Context, accountID string) (int, error) {
	n, err := s.store.RevokeAllAccountTokens(ctx, accountID, s.clock())
	if err != nil {
		return 0, fmt.Errorf("revoke tokens of account %s: %w", accountID, err)
	}
	return n, nil
}

// DisableAccount stops an account from authenticating with any
// credential. The account is kept: the audit trail refers to it.
func (s *Service) DisableAccount(ctx context.Context, accountID string) error {
	if err := s.store.DisableAccount(ctx, accountID, s.clock()); err != nil {
		return fmt.Errorf("disable account %s: %w", accountID, err)
	}
	return nil
}

// clock is the current time at the microsecond precision the store keeps,
// so that what a call returns equals what a later read finds.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}
