package pid

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Store records which numbers have ever been issued. ClaimPID atomically
// claims number and reports whether this call claimed it (false: it was
// already taken). A number is claimed once ever: a claim is never released,
// even if the registration that asked for it fails afterwards, so a number is
// never reused.
//
// internal/store implements it with INSERT … ON CONFLICT DO NOTHING into a
// table keyed by the number, which is safe under concurrent writers on both
// SQLite and PostgreSQL.
type Store interface {
	ClaimPID(ctx context.Context, number PID) (claimed bool, err error)
}

// Request describes the holder of a new number.
type Request struct {
	// ProvinceCode is the three-digit PID prefix of the province where the
	// birth was registered, in the pre-2025 coding ("001" … "096"). For a
	// birth registered after the 2025 merger, it is the code of the
	// pre-2025 province that the registering commune belonged to; see
	// docs/pid.md.
	ProvinceCode string
	// Gender is Male or Female.
	Gender Gender
	// BirthYear is the full year of birth, 1900–2399.
	BirthYear int
}

// Errors from Allocate, for errors.Is.
var (
	// ErrInvalidRequest is returned for a request that cannot be encoded.
	ErrInvalidRequest = errors.New("invalid personal ID number request")
	// ErrBlockFull is returned when no free number was found in the block
	// of one (province, century and gender, year) prefix within the retry
	// bound: the block's million numbers are exhausted or nearly so.
	ErrBlockFull = errors.New("personal ID number block is full")
)

// DefaultMaxAttempts bounds the draws Allocate makes for one number. A block
// holds 10⁶ numbers; if it is a fraction f full, all attempts collide with
// probability f^64 — about 10⁻¹⁰ at f = 0.7 — so hitting the bound means the
// block is nearly exhausted, not unlucky.
const DefaultMaxAttempts = 64

// Allocator issues new personal identification numbers. It is safe for
// concurrent use if its Store and random source are; uniqueness is
// guaranteed by the Store, not by the Allocator.
type Allocator struct {
	store       Store
	random      io.Reader
	maxAttempts int
	prefixes    map[string]bool
}

// Option configures an Allocator.
type Option func(*Allocator)

// WithRandom sets the source of random bytes for serials (default
// crypto/rand.Reader). Tests use it to force collisions; production code
// should not need it. The reader must be safe for concurrent use if the
// Allocator is used concurrently.
func WithRandom(r io.Reader) Option { return func(a *Allocator) { a.random = r } }

// WithMaxAttempts sets how many serials Allocate draws before returning
// ErrBlockFull (default DefaultMaxAttempts). Values below 1 are ignored.
func WithMaxAttempts(n int) Option {
	return func(a *Allocator) {
		if n >= 1 {
			a.maxAttempts = n
		}
	}
}

// WithExtraPrefixes allows three-digit prefixes besides the 63 province
// codes, such as a country code for births registered abroad once the
// register has established which codes those are (see docs/pid.md). Prefixes
// that are not three ASCII digits are ignored.
func WithExtraPrefixes(prefixes ...string) Option {
	return func(a *Allocator) {
		for _, p := range prefixes {
			if checkDigits(whatPID, p, "3", 3) == nil {
				if a.prefixes == nil {
					a.prefixes = make(map[string]bool)
				}
				a.prefixes[p] = true
			}
		}
	}
}

// NewAllocator returns an Allocator that claims numbers in store.
func NewAllocator(store Store, opts ...Option) *Allocator {
	a := &Allocator{store: store, random: rand.Reader, maxAttempts: DefaultMaxAttempts}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Allocate issues a new number for req: it composes the six-digit prefix,
// draws a serial uniformly at random, and claims the number in the Store,
// drawing again on collision up to the retry bound. It returns
// ErrInvalidRequest (wrapping ErrUnknownProvince for an unknown province) for
// a request it cannot encode, ErrBlockFull when the block has no free number
// within the bound, and the Store's error, wrapped, as soon as the Store
// fails; a failed claim is not retried, because the caller cannot know
// whether it took effect.
func (a *Allocator) Allocate(ctx context.Context, req Request) (PID, error) {
	if err := a.checkProvince(req.ProvinceCode); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	prefix, ok := prefixFor(req.ProvinceCode, req.Gender, req.BirthYear)
	if !ok {
		if req.Gender != Male && req.Gender != Female {
			return "", fmt.Errorf("%w: gender must be male or female", ErrInvalidRequest)
		}
		return "", fmt.Errorf("%w: birth year %d outside %d–%d", ErrInvalidRequest,
			req.BirthYear, MinBirthYear, MaxBirthYear)
	}
	for range a.maxAttempts {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		serial, err := a.drawSerial()
		if err != nil {
			return "", fmt.Errorf("draw personal ID number serial: %w", err)
		}
		number := PID(prefix + itoa6(serial))
		claimed, err := a.store.ClaimPID(ctx, number)
		if err != nil {
			return "", fmt.Errorf("claim personal ID number: %w", err)
		}
		if claimed {
			return number, nil
		}
	}
	return "", fmt.Errorf("%w: no free number with prefix %s after %d attempts",
		ErrBlockFull, prefix, a.maxAttempts)
}

func (a *Allocator) checkProvince(code string) error {
	if a.prefixes[code] {
		return nil
	}
	return ValidateProvinceCode(code)
}

// serialSpace is the number of distinct serials; serialLimit is the largest
// multiple of it that fits in 32 bits. Draws at or above the limit are
// rejected so that every serial is equally likely (no modulo bias); that
// happens with probability 0.02 %.
const (
	serialSpace = 1_000_000
	serialLimit = (1 << 32) / serialSpace * serialSpace
)

// maxRejections bounds redraws in drawSerial so that a broken random source
// (one returning only high values) gives an error instead of a hang.
const maxRejections = 100

// drawSerial returns a uniformly random integer in [0, 10⁶).
func (a *Allocator) drawSerial() (uint32, error) {
	var b [4]byte
	for range maxRejections {
		if _, err := io.ReadFull(a.random, b[:]); err != nil {
			return 0, err
		}
		if v := binary.BigEndian.Uint32(b[:]); v < serialLimit {
			return v % serialSpace, nil
		}
	}
	return 0, errors.New("random source keeps returning out-of-range values")
}
