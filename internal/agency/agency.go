// Package agency is dancu's register of connected agencies — ministries,
// localities, state enterprises, telecoms, banks, hospitals, insurers —
// and of the API keys they verify and look up citizens with.
//
// An agency is onboarded pending its security assessment, then approved
// (and possibly suspended later); only an approved agency's keys work. A
// key carries a scope, operation × field × purpose (Scope), and a rate
// limit; Service.Authenticate turns a key into a Principal, Principal.Check
// decides whether a request is inside the scope, and Service.Allow applies
// the rate limit. See docs/agencies.md.
//
// The package holds the rules only: storage goes through the small Store
// interface declared here and implemented in internal/store, and HTTP
// lives in internal/httpapi.
package agency

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/ident"
)

// Kind is what sort of body an agency is; it does not change what a key
// may do (the scope does) but tells people and reports apart.
type Kind string

// The kinds of agency.
const (
	KindMinistry        Kind = "ministry"         // a ministry or central agency
	KindLocality        Kind = "locality"         // a province's or commune's people's committee (ủy ban nhân dân)
	KindStateEnterprise Kind = "state_enterprise" // electricity, water, post
	KindTelecom         Kind = "telecom"          // mobile operators (SIM registration)
	KindBank            Kind = "bank"             // banks and payment providers (KYC)
	KindHealth          Kind = "health"           // hospitals and clinics
	KindInsurance       Kind = "insurance"        // social and health insurance
	KindOther           Kind = "other"
)

// Kinds lists every kind, for help texts and validation messages.
func Kinds() []Kind {
	return []Kind{KindMinistry, KindLocality, KindStateEnterprise, KindTelecom, KindBank, KindHealth, KindInsurance, KindOther}
}

// Status is where an agency is in onboarding. Only an approved agency's
// keys authenticate.
type Status string

// The statuses.
const (
	// StatusPending is a new agency whose security assessment is not yet
	// done: its keys exist but do not work.
	StatusPending Status = "pending"
	// StatusApproved is an agency that passed its assessment.
	StatusApproved Status = "approved"
	// StatusSuspended is an agency whose access is stopped (a breach, a
	// lapsed agreement); approving it again restores its keys.
	StatusSuspended Status = "suspended"
)

// Operation is a kind of request a key may make.
type Operation string

// The operations.
const (
	// OpVerify answers match/mismatch per field of data the agency holds.
	OpVerify Operation = "verify"
	// OpLookup returns the fields the scope allows for one citizen.
	OpLookup Operation = "lookup"
	// OpBatch verifies a stream of records.
	OpBatch Operation = "batch"
	// OpSync delivers changes to citizens the agency is linked to.
	OpSync Operation = "sync"
	// OpReconcile uploads a sectoral dataset to be cleaned against the
	// register.
	OpReconcile Operation = "reconcile"
)

// Operations lists every operation, in the order scopes are kept in.
func Operations() []Operation { return []Operation{OpVerify, OpLookup, OpBatch, OpSync, OpReconcile} }

// Scope is what a key may do: which operations, on which fields, for which
// declared purposes. A request must fit all three.
type Scope struct {
	Operations []Operation `json:"operations"`
	// Fields are the register's field names the key may verify or read
	// (registry.RecordFields).
	Fields []string `json:"fields"`
	// Purposes are the purposes the agency declared, e.g. kyc,
	// sim-registration, health-insurance, civil-servant-records:
	// [a-z0-9-]{1,64}. Every request states one of them.
	Purposes []string `json:"purposes"`
}

// Agency is a connected agency.
type Agency struct {
	// ID is random and opaque (26 characters, sortable by creation time).
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Status    Status    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the status last changed (CreatedAt until then).
	UpdatedAt time.Time `json:"updated_at"`
}

// Key is what is kept of an agency's API key: never the key itself nor
// its hash.
type Key struct {
	// ID names the key for listing and revocation; it is not secret.
	ID       string `json:"id"`
	AgencyID string `json:"agency_id"`
	// Prefix is the start of the key ("dancu_key_k3xa"), for people to
	// recognise it in a list.
	Prefix string `json:"prefix"`
	Scope  Scope  `json:"scope"`
	// RateLimit is the most requests per second the key may make; 0 is
	// unlimited.
	RateLimit int       `json:"rate_limit"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the key stops working; zero for never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// RevokedAt is when the key was revoked; zero while it is not.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Active reports whether k can authenticate at now, whatever its agency's
// status: not revoked and not expired.
func (k Key) Active(now time.Time) bool {
	return k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// Listing is an agency with all its keys, revoked and expired ones
// included, oldest first.
type Listing struct {
	Agency
	Keys []Key `json:"keys"`
}

// Principal is what a request authenticated as: an approved agency and
// one of its active keys. Its slices are shared with the service's cache
// and must not be modified.
type Principal struct {
	Agency Agency `json:"agency"`
	Key    Key    `json:"key"`
}

// Check reports whether the key may perform op for purpose on fields: nil,
// or a *ScopeError naming everything that is outside the scope. A request
// must always state a purpose; an empty one is never declared. fields may
// be empty (a request that names no field, such as sync).
func (p Principal) Check(op Operation, purpose string, fields []string) error {
	var e ScopeError
	refused := false
	if !slices.Contains(p.Key.Scope.Operations, op) {
		e.Operation, refused = op, true
	}
	if purpose == "" {
		e.NoPurpose, refused = true, true
	} else if !slices.Contains(p.Key.Scope.Purposes, purpose) {
		e.Purpose, refused = purpose, true
	}
	for i, f := range fields {
		if !slices.Contains(p.Key.Scope.Fields, f) && !slices.Contains(fields[:i], f) {
			e.Fields = append(e.Fields, f)
			refused = true
		}
	}
	if refused {
		out := e // e itself stays on the stack of a request that passes
		return &out
	}
	return nil
}

// ScopeError is a request outside its key's scope. Each part is set only
// when it is refused.
type ScopeError struct {
	// Operation is the operation the key may not perform.
	Operation Operation
	// Purpose is the stated purpose the key did not declare.
	Purpose string
	// NoPurpose is set when the request stated no purpose.
	NoPurpose bool
	// Fields are the requested fields outside the scope, each once, in
	// request order.
	Fields []string
}

// maxErrorFields bounds how many refused fields Error lists, so that a
// request naming thousands of fields does not make a message as long.
const maxErrorFields = 10

// Error names exactly what is outside the scope.
func (e *ScopeError) Error() string {
	var parts []string
	if e.Operation != "" {
		parts = append(parts, fmt.Sprintf("operation %q is not in the key's scope", clip(string(e.Operation))))
	}
	if e.NoPurpose {
		parts = append(parts, "no purpose was stated")
	}
	if e.Purpose != "" {
		parts = append(parts, fmt.Sprintf("purpose %q is not declared for the key", clip(e.Purpose)))
	}
	if len(e.Fields) > 0 {
		shown := make([]string, 0, min(len(e.Fields), maxErrorFields))
		for _, f := range e.Fields[:min(len(e.Fields), maxErrorFields)] {
			shown = append(shown, showField(f))
		}
		s := "fields outside the key's scope: " + strings.Join(shown, ", ")
		if n := len(e.Fields) - len(shown); n > 0 {
			s += fmt.Sprintf(" and %d more", n)
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "outside the key's scope"
	}
	return strings.Join(parts, "; ")
}

// showField writes a requested field name for a message: as is when it
// looks like one, quoted (so that no control character or broken UTF-8
// reaches a log) when it does not.
func showField(f string) string {
	for i := 0; i < len(f); i++ {
		if c := f[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return strconv.Quote(clip(f))
		}
	}
	if f == "" {
		return `""`
	}
	return clip(f)
}

// clip shortens a value echoed from a request to a readable length.
func clip(s string) string {
	const most = 64
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Errors callers branch on.
var (
	// ErrUnauthenticated means the key does not identify an active key of
	// an approved agency: malformed, unknown, revoked or expired key, or an
	// agency pending or suspended. Callers must not tell a client which;
	// the wrapped message says, for the log.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrNotFound means no agency or key has the given ID.
	ErrNotFound = errors.New("not found")
	// ErrInvalid is matched by every *InvalidError.
	ErrInvalid = errors.New("invalid")
)

// InvalidError is a rejected input: which field, and why, in words safe to
// show the person who typed it.
type InvalidError struct {
	Field string // "name", "kind", "operations", "fields", "purposes", "rate_limit", "expires_at"
	Msg   string
}

func (e *InvalidError) Error() string { return "invalid " + e.Field + ": " + e.Msg }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, a ...any) error {
	return &InvalidError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Limits on what an agency and a key may hold.
const (
	// MaxNameRunes bounds an agency's name.
	MaxNameRunes = 200
	// MaxRateLimit is the highest rate limit a key may have, in requests
	// per second.
	MaxRateLimit = 1_000_000
	// MaxPurposes bounds how many purposes one key declares.
	MaxPurposes = 64
	// maxPurposeLen is the longest purpose.
	maxPurposeLen = 64
)

// CleanName trims name and checks that it can name an agency: valid UTF-8,
// 1 to 200 characters, no control characters.
func CleanName(name string) (string, error) {
	name, err := ident.CleanName(name, MaxNameRunes)
	if err != nil {
		return "", invalid("name", "%v", err)
	}
	return name, nil
}

// ValidateKind checks that k is one of Kinds.
func ValidateKind(k Kind) error {
	if !slices.Contains(Kinds(), k) {
		return invalid("kind", "%q is not one of %s", clip(string(k)), joinKinds())
	}
	return nil
}

func joinKinds() string {
	s := make([]string, 0, 8)
	for _, k := range Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// ValidateRateLimit checks that n is a rate limit a key may have:
// 0 (unlimited) to MaxRateLimit requests per second.
func ValidateRateLimit(n int) error {
	if n < 0 || n > MaxRateLimit {
		return invalid("rate_limit", "%d is not between 0 (unlimited) and %d requests per second", n, MaxRateLimit)
	}
	return nil
}

// ValidPurpose reports whether p has the shape of a purpose:
// 1 to 64 of a–z, 0–9 and '-'.
func ValidPurpose(p string) bool {
	if p == "" || len(p) > maxPurposeLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// CleanScope checks s against the field names known (in their canonical
// order) and returns it in canonical form: every list non-empty and free
// of duplicates, operations in Operations order, fields in the order of
// known, purposes sorted. An unknown operation or field or a malformed
// purpose is an *InvalidError.
func CleanScope(s Scope, known []string) (Scope, error) {
	var out Scope
	if len(s.Operations) == 0 {
		return Scope{}, invalid("operations", "name at least one of %s", joinOperations())
	}
	for _, op := range s.Operations {
		if !slices.Contains(Operations(), op) {
			return Scope{}, invalid("operations", "%q is not one of %s", clip(string(op)), joinOperations())
		}
	}
	for _, op := range Operations() {
		if slices.Contains(s.Operations, op) {
			out.Operations = append(out.Operations, op)
		}
	}

	if len(s.Fields) == 0 {
		return Scope{}, invalid("fields", "name at least one field")
	}
	for _, f := range s.Fields {
		if !slices.Contains(known, f) {
			return Scope{}, invalid("fields", "%q is not a field of the register", clip(f))
		}
	}
	for _, f := range known {
		if slices.Contains(s.Fields, f) && !slices.Contains(out.Fields, f) {
			out.Fields = append(out.Fields, f)
		}
	}

	if len(s.Purposes) == 0 {
		return Scope{}, invalid("purposes", "declare at least one purpose")
	}
	for _, p := range s.Purposes {
		if !ValidPurpose(p) {
			return Scope{}, invalid("purposes", "%q is not 1 to %d of a-z, 0-9 and -", clip(p), maxPurposeLen)
		}
	}
	out.Purposes = slices.Clone(s.Purposes)
	slices.Sort(out.Purposes)
	out.Purposes = slices.Compact(out.Purposes)
	if len(out.Purposes) > MaxPurposes {
		return Scope{}, invalid("purposes", "%d purposes, at most %d", len(out.Purposes), MaxPurposes)
	}
	return out, nil
}

func joinOperations() string {
	s := make([]string, 0, 5)
	for _, op := range Operations() {
		s = append(s, string(op))
	}
	return strings.Join(s, ", ")
}
