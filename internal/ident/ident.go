// Package ident makes and checks the identifiers and display names that
// accounts and agencies share: IDs that sort by creation time without a
// sequence, and names fit to show.
package ident

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// IDLen is the length of an ID.
const IDLen = 26

// encoding writes IDs in base32 whose alphabet is in ASCII order, so that
// IDs sort as their bytes do.
var encoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// NewID returns a random, opaque ID that sorts by creation time: 48 bits
// of milliseconds since 1970 then 80 random bits, 26 base32 characters.
// No sequence is involved, so IDs can be made anywhere without
// coordination.
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return encoding.EncodeToString(b[:])
}

// ValidID reports whether id has the shape of an ID (26 of 0-9 and a-v),
// so that input that cannot name anything is refused without a database
// lookup or an echo of it.
func ValidID(id string) bool {
	if len(id) != IDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'v') {
			return false
		}
	}
	return true
}

// CleanName trims name and checks that it is a displayable name: valid
// UTF-8, 1 to maxRunes characters, no control characters. The error says
// what is wrong, without the field's name.
func CleanName(name string, maxRunes int) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", fmt.Errorf("must not be empty")
	case !utf8.ValidString(name):
		return "", fmt.Errorf("is not valid UTF-8")
	case utf8.RuneCountInString(name) > maxRunes:
		return "", fmt.Errorf("is longer than %d characters", maxRunes)
	case strings.ContainsFunc(name, unicode.IsControl):
		return "", fmt.Errorf("contains control characters")
	}
	return name, nil
}

// SecretBytes is the entropy of a secret (an API token or key): 256 bits,
// beyond guessing or enumeration, which is why a secret needs no slow
// key-derivation function (that defends low-entropy passwords) and is
// stored as a plain SHA-256.
const SecretBytes = 32

// SecretChars is the length of a secret's random part: 52 base32
// characters (ceil(256/5)).
const SecretChars = (SecretBytes*8 + 4) / 5

// secretEncoding writes secrets in lowercase base32 without padding: no
// characters that URL, shell or double-click selection treat specially.
var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewSecret draws a fresh secret: prefix, then SecretChars random
// characters.
func NewSecret(prefix string) string {
	var b [SecretBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return prefix + secretEncoding.EncodeToString(b[:])
}

// WellFormedSecret reports whether s could be a secret NewSecret(prefix)
// drew, so that garbage is refused without hashing it or a database
// lookup.
func WellFormedSecret(s, prefix string) bool {
	if len(s) != len(prefix)+SecretChars || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}
