package eid

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"dancu/internal/ident"
)

// TokenPrefix starts every API token, so that a leaked token is
// recognisable (by people and by secret scanners) and a token cannot be
// mistaken for another credential.
const TokenPrefix = "dancu_"

// A token is TokenPrefix and a 256-bit secret of 52 base32 characters
// (ident.NewSecret): beyond guessing or enumeration, which is why a token
// needs no slow key-derivation function (that defends low-entropy
// passwords) and is stored as a plain SHA-256.

// displayChars is how many characters of a token's secret part its display
// prefix keeps (20 of its 256 bits): enough for a person to tell their
// tokens apart in a list, far too few to help guess one.
const displayChars = 4

// TokenHash is the SHA-256 of a token, the only form in which a token is
// stored. Looking a token up by its hash makes a constant-time comparison
// moot: timing can at most reveal how much of a stored hash a guess's hash
// shares, and that gives no path back to a token.
type TokenHash [sha256.Size]byte

// HashToken returns the hash a token is stored and looked up by.
func HashToken(token string) TokenHash { return sha256.Sum256([]byte(token)) }

// String is the hash in lowercase hex, as stored.
func (h TokenHash) String() string { return hex.EncodeToString(h[:]) }

// ParseTokenHash reads the hex form written by String.
func ParseTokenHash(s string) (TokenHash, error) {
	var h TokenHash
	if len(s) != hex.EncodedLen(len(h)) {
		return h, invalid("token hash", "want %d hex digits, got %d", hex.EncodedLen(len(h)), len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, invalid("token hash", "not hex")
	}
	return h, nil
}

// Token is what is kept of an API token: never the token itself.
type Token struct {
	// ID names the token for listing and revocation; it is not secret.
	ID        string
	AccountID string
	Hash      TokenHash
	// Prefix is the start of the token ("dancu_k3xa"), for people to
	// recognise it in a list.
	Prefix    string
	CreatedAt time.Time
	// ExpiresAt is when the token stops working; zero for never.
	ExpiresAt time.Time
	// RevokedAt is when the token was revoked; zero while it is not.
	RevokedAt time.Time
}

// Active reports whether t can authenticate at now: not revoked and not
// expired.
func (t Token) Active(now time.Time) bool {
	if !t.RevokedAt.IsZero() {
		return false
	}
	return t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)
}

// newToken draws a fresh token for accountID and returns it with what is
// stored of it.
func newToken(accountID string, now time.Time, ttl time.Duration) (Token, string) {
	secret := ident.NewSecret(TokenPrefix)
	t := Token{
		ID:        newID(now),
		AccountID: accountID,
		Hash:      HashToken(secret),
		Prefix:    secret[:len(TokenPrefix)+displayChars],
		CreatedAt: now,
	}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	return t, secret
}

// wellFormed reports whether token could be one dancu issued, so that
// garbage is refused without a database lookup.
func wellFormed(token string) bool { return ident.WellFormedSecret(token, TokenPrefix) }

// newID returns a random, opaque ID that sorts by creation time
// (ident.NewID).
func newID(now time.Time) string { return ident.NewID(now) }
