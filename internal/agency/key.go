package agency

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"dancu/internal/ident"
)

// KeyPrefix starts every agency API key, so that a leaked key is
// recognisable (by people and by secret scanners) and cannot be mistaken
// for an officer's token, which starts "dancu_" but not "dancu_key_".
const KeyPrefix = "dancu_key_"

// KeyLen is the length of a key: the prefix and a 256-bit secret of 52
// base32 characters (ident.NewSecret). 256 bits are beyond guessing or
// enumeration, which is why a key is stored as a plain SHA-256.
const KeyLen = len(KeyPrefix) + ident.SecretChars

// displayChars is how many characters of a key's secret part its display
// prefix keeps (20 of its 256 bits): enough to tell keys apart in a list,
// far too few to help guess one.
const displayChars = 4

// KeyHash is the SHA-256 of a key, the only form in which a key is stored
// and looked up. Looking a key up by its hash makes a constant-time
// comparison moot: timing can at most reveal how much of a stored hash a
// guess's hash shares, and that gives no path back to a key.
type KeyHash [sha256.Size]byte

// HashKey returns the hash a key is stored and looked up by.
func HashKey(key string) KeyHash {
	// A key fits a buffer on the stack; converting it to a []byte would
	// allocate on every request.
	var buf [KeyLen]byte
	if len(key) <= len(buf) {
		n := copy(buf[:], key)
		return sha256.Sum256(buf[:n])
	}
	return sha256.Sum256([]byte(key))
}

// String is the hash in lowercase hex, as stored.
func (h KeyHash) String() string { return hex.EncodeToString(h[:]) }

// WellFormed reports whether key could be one dancu issued, so that
// garbage is refused without hashing it or asking the database.
func WellFormed(key string) bool { return ident.WellFormedSecret(key, KeyPrefix) }

// newKey draws a fresh key for agencyID and returns what is stored of it,
// its hash, and the key itself.
func newKey(agencyID string, scope Scope, rateLimit int, now, expires time.Time) (Key, KeyHash, string) {
	secret := ident.NewSecret(KeyPrefix)
	k := Key{
		ID:        newID(now),
		AgencyID:  agencyID,
		Prefix:    secret[:len(KeyPrefix)+displayChars],
		Scope:     scope,
		RateLimit: rateLimit,
		CreatedAt: now,
		ExpiresAt: expires,
	}
	return k, HashKey(secret), secret
}

// idLen is the length of an agency's or a key's ID.
const idLen = 26

// ValidID reports whether id has the shape of an agency's or a key's ID
// (ident.ValidID).
func ValidID(id string) bool { return ident.ValidID(id) }

func newID(now time.Time) string { return ident.NewID(now) }
