// Package eid is dancu's electronic identity: accounts, the roles officers
// hold and the areas those roles are bound to, and the credentials an
// account signs in with.
//
// Today the only credential is a bearer token (Token), created with the
// account by an administrator and sent in the Authorization header of API
// calls. e-ID login (assurance levels, passwords, TOTP, passkeys, sessions,
// OpenID Connect) will add credentials beside tokens; whatever the
// credential, it ends in the same Account, which is what the surfaces and
// the register authorise against (Account.Can). See docs/accounts.md.
//
// The package holds the rules only: storage goes through the small Store
// interface declared here and implemented in internal/store, and HTTP
// lives in internal/httpapi.
package eid

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/adminunit"
	"dancu/internal/ident"
)

// Role is what an officer's account may do; it is bound to an area.
type Role string

// The roles.
const (
	// RoleAdmin administers dancu nationally: accounts, agencies, and every
	// action officers can take, anywhere. An admin has no area.
	RoleAdmin Role = "admin"
	// RoleProvinceOfficer is a register officer of a province's police
	// (công an tỉnh): citizens whose record is in that province. Its area
	// is a 2-digit 2025 province code.
	RoleProvinceOfficer Role = "province_officer"
	// RoleCommuneOfficer is a register officer of a commune's police
	// (công an xã): citizens whose record is in that commune. Its area is a
	// 5-digit 2025 commune code.
	RoleCommuneOfficer Role = "commune_officer"
)

// Roles lists every role, for help texts and validation messages.
func Roles() []Role { return []Role{RoleAdmin, RoleProvinceOfficer, RoleCommuneOfficer} }

// Account is a person who signs in to dancu. Today every account is an
// officer's; citizens' e-ID accounts will share the type.
type Account struct {
	// ID is random and opaque (26 characters, sortable by creation time);
	// it never changes and is never reused.
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Area is the administrative unit the role is bound to, as a code of
	// the 2025 map: "" for national (admin), a 2-digit province code for a
	// province officer ("79"), a 5-digit commune code for a commune officer
	// ("26737").
	Area      string    `json:"area"`
	CreatedAt time.Time `json:"created_at"`
	// Disabled accounts cannot authenticate; they are kept, never deleted,
	// so that the audit log's references to them stay meaningful.
	Disabled bool `json:"disabled"`
}

// Errors callers branch on.
var (
	// ErrUnauthenticated means the credential does not identify an active
	// account: unknown, malformed, revoked or expired token, or disabled
	// account. Callers must not tell a client which; the wrapped message
	// says, for the log.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrNotFound means no account or token has the given ID.
	ErrNotFound = errors.New("not found")
	// ErrInvalid is matched by every *InvalidError.
	ErrInvalid = errors.New("invalid")
)

// InvalidError is a rejected input: which field, and why, in words safe to
// show the person who typed it.
type InvalidError struct {
	Field  string // "name", "role", "area"
	Reason string
}

func (e *InvalidError) Error() string { return "invalid " + e.Field + ": " + e.Reason }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, a ...any) error {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, a...)}
}

// maxNameRunes bounds an account's display name.
const maxNameRunes = 200

// CleanName trims name and checks that it is a displayable name: valid
// UTF-8, 1 to 200 characters, no control characters.
func CleanName(name string) (string, error) {
	name, err := ident.CleanName(name, maxNameRunes)
	if err != nil {
		return "", invalid("name", "%v", err)
	}
	return name, nil
}

// ValidateRoleArea checks that role exists and that area has the shape the
// role needs: none for an admin, 2 digits for a province officer, 5 for a
// commune officer. It does not check that the unit exists (Service does,
// when it has a directory of units).
func ValidateRoleArea(role Role, area string) error {
	want := 0
	switch role {
	case RoleAdmin:
		if area != "" {
			return invalid("area", "an admin is national and has no area, got %q", clip(area))
		}
		return nil
	case RoleProvinceOfficer:
		want = 2
	case RoleCommuneOfficer:
		want = 5
	default:
		return invalid("role", "%q is not a role; want one of %s", clip(string(role)), joinRoles())
	}
	if len(area) != want || !allDigits(area) {
		return invalid("area", "a %s needs a %d-digit 2025 %s code, got %q", role, want, unitWord(role), clip(area))
	}
	return nil
}

// Units looks up administrative units; *adminunit.Directory satisfies it.
type Units interface {
	Province(era adminunit.Era, code string) (adminunit.Unit, bool)
	Commune(era adminunit.Era, code string) (adminunit.Unit, bool)
}

// checkAreaExists checks that area names a unit of the 2025 map.
func checkAreaExists(units Units, role Role, area string) error {
	var ok bool
	switch role {
	case RoleProvinceOfficer:
		_, ok = units.Province(adminunit.Era2025, area)
	case RoleCommuneOfficer:
		_, ok = units.Commune(adminunit.Era2025, area)
	default:
		return nil
	}
	if !ok {
		return invalid("area", "no %s has the 2025 code %q", unitWord(role), area)
	}
	return nil
}

func unitWord(role Role) string {
	if role == RoleProvinceOfficer {
		return "province"
	}
	return "commune"
}

func joinRoles() string {
	var b strings.Builder
	for i, r := range Roles() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(r))
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens s for an error message, so a message never echoes a large
// input back.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	for i := n; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
