// Package pid parses, decodes and allocates personal identification numbers
// (số định danh cá nhân), the 12-digit numbers that identify every Vietnamese
// citizen in the population register, and parses the old 9- and 12-digit
// identity card numbers (chứng minh nhân dân) kept for matching legacy data.
//
// The structure is set by Decree 137/2015/NĐ-CP, Art. 13, and Circular
// 07/2016/TT-BCA: three digits for the province (or country) where the birth
// was registered, one digit for century and gender, two digits for the year of
// birth and six random digits. A number is an identifier first: one whose
// prefix this package does not recognise is still valid, and decoding reports
// what it can. See docs/pid.md.
package pid

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length is the number of digits in a personal identification number.
const Length = 12

// PID is a personal identification number (số định danh cá nhân): exactly 12
// ASCII digits once it has come through Parse. Leading zeros are significant
// (every province prefix starts with 0), so a PID is text, not an integer; use
// Uint64 for a compact key.
//
// The zero value is the empty string and means "no number".
type PID string

// String returns the 12 digits.
func (p PID) String() string { return string(p) }

// IsZero reports whether p is the empty value.
func (p PID) IsZero() bool { return p == "" }

// Errors that Parse and Validate return, wrapped in a *SyntaxError that says
// exactly what is wrong. Branch on them with errors.Is; every one of them also
// matches ErrMalformed.
var (
	// ErrMalformed matches any error saying that a string is not a
	// well-formed personal identification number.
	ErrMalformed = errors.New("malformed personal ID number")
	// ErrEmpty is returned for empty or all-space input.
	ErrEmpty = errors.New("personal ID number is empty")
	// ErrLength is returned when the input is all digits but not 12 of them.
	ErrLength = errors.New("personal ID number has the wrong number of digits")
	// ErrNonDigit is returned when the input contains anything but ASCII 0–9.
	ErrNonDigit = errors.New("personal ID number contains a non-digit character")
)

// SyntaxError describes why a string is not a well-formed number. It never
// carries the input itself, which is personal data and may end up in logs.
type SyntaxError struct {
	// What names the kind of number: "personal ID number" or "old ID number".
	What string
	// Err is ErrEmpty, ErrLength or ErrNonDigit.
	Err error
	// Digits is the number of digits found (for ErrLength).
	Digits int
	// Want describes the accepted lengths (for ErrLength), such as "12".
	Want string
	// Char is the offending character and Pos its 1-based position, counted
	// in characters after surrounding space is trimmed (for ErrNonDigit).
	Char rune
	Pos  int
}

// Error returns a message naming the problem precisely, for example
// "personal ID number must have 12 digits, got 11".
func (e *SyntaxError) Error() string {
	switch e.Err {
	case ErrEmpty:
		return e.What + " is empty"
	case ErrLength:
		return e.What + " must have " + e.Want + " digits, got " + strconv.Itoa(e.Digits)
	case ErrNonDigit:
		kind := "a non-digit character"
		switch {
		case e.Char == utf8.RuneError:
			kind = "an invalid UTF-8 byte"
		case unicode.IsDigit(e.Char):
			kind = "a non-ASCII digit"
		case unicode.IsSpace(e.Char):
			kind = "a space"
		}
		return e.What + " contains " + kind + " " + strconv.QuoteRune(e.Char) +
			" at position " + strconv.Itoa(e.Pos)
	}
	return e.What + " is malformed"
}

// Unwrap returns the sentinel error (ErrEmpty, ErrLength or ErrNonDigit).
func (e *SyntaxError) Unwrap() error { return e.Err }

// Is makes every SyntaxError match ErrMalformed.
func (e *SyntaxError) Is(target error) bool { return target == ErrMalformed }

const whatPID = "personal ID number"

// Parse returns the personal identification number in s. Surrounding white
// space is trimmed; what remains must be exactly 12 ASCII digits. Full-width
// or other non-ASCII digits, inner spaces, dots and dashes are rejected rather
// than repaired, because a number that needed repair should be looked at.
//
// The province prefix is not checked: a number whose prefix is unknown is
// still a valid identifier. The result shares memory with s.
func Parse(s string) (PID, error) {
	s = strings.TrimSpace(s)
	if err := checkDigits(whatPID, s, "12", Length); err != nil {
		return "", err
	}
	return PID(s), nil
}

// Validate reports whether s (after trimming surrounding space) is a
// well-formed personal identification number, returning the error Parse
// would return.
func Validate(s string) error {
	_, err := Parse(s)
	return err
}

// Valid reports whether p is exactly 12 ASCII digits. A PID that came from
// Parse or FromUint64 is always valid; one converted directly from a string
// may not be.
func (p PID) Valid() bool {
	if len(p) != Length {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// checkDigits reports the first problem with s: empty, a non-digit, or a
// length not in lengths. It reports a non-digit before a wrong length because
// that is the more precise message ("contains 'a' at position 5" rather than
// "got 13 characters").
func checkDigits(what, s, want string, lengths ...int) error {
	if s == "" {
		return &SyntaxError{What: what, Err: ErrEmpty}
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return &SyntaxError{What: what, Err: ErrNonDigit, Char: r,
				Pos: utf8.RuneCountInString(s[:i]) + 1}
		}
	}
	for _, n := range lengths {
		if len(s) == n {
			return nil
		}
	}
	return &SyntaxError{What: what, Err: ErrLength, Digits: len(s), Want: want}
}

// InvalidUint64 is what Uint64 returns for a PID that is not 12 digits. It is
// outside the range of valid numbers, so FromUint64 rejects it.
const InvalidUint64 uint64 = math.MaxUint64

// maxNumber is one more than the largest 12-digit number.
const maxNumber = 1_000_000_000_000

// Uint64 returns the number as an integer in [0, 10¹²), a compact key for
// in-memory indexes (8 bytes against 28 for a string header and its digits).
// Leading zeros are implied by the fixed width, so FromUint64 restores the
// exact digits. It returns InvalidUint64 if p is not 12 ASCII digits.
func (p PID) Uint64() uint64 {
	if len(p) != Length {
		return InvalidUint64
	}
	var n uint64
	for i := 0; i < Length; i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return InvalidUint64
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

// ErrOutOfRange is returned by FromUint64 for a value of 10¹² or more.
var ErrOutOfRange = errors.New("personal ID number out of range: more than 12 digits")

// FromUint64 returns the PID whose Uint64 is n, zero-padded to 12 digits.
func FromUint64(n uint64) (PID, error) {
	if n >= maxNumber {
		return "", ErrOutOfRange
	}
	var b [Length]byte
	for i := Length - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return PID(b[:]), nil
}

// MarshalText implements encoding.TextMarshaler.
func (p PID) MarshalText() ([]byte, error) { return []byte(p), nil }

// UnmarshalText implements encoding.TextUnmarshaler with the rules of Parse,
// so a malformed number in JSON input is rejected with a precise error.
// Empty text gives the zero PID.
func (p *PID) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*p = ""
		return nil
	}
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
