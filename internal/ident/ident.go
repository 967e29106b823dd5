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
