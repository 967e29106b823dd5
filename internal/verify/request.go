package verify

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

// Verdict is the answer for one field of a request.
type Verdict string

// Verdicts.
const (
	// Match: the value agrees with the register.
	Match Verdict = "match"
	// Mismatch: the value disagrees with the register.
	Mismatch Verdict = "mismatch"
	// NotHeld: the register holds no value for the field (no phone, no ID
	// card, an unknown date of birth), so it can neither confirm nor deny.
	NotHeld Verdict = "not_held"
)

// Overall results of a verification.
const (
	ResultMatch    = "match"
	ResultMismatch = "mismatch"
	// ResultNotFound: no citizen has the number given (or the old ID
	// number given names no citizen, or more than one).
	ResultNotFound = "not_found"
)

// The names of the request's fields, as the wire format and Result.Fields
// spell them.
const (
	FieldPID              = "pid"
	FieldOldIDNumber      = "old_id_number"
	FieldFullName         = "full_name"
	FieldDateOfBirth      = "date_of_birth"
	FieldGender           = "gender"
	FieldIDCardIssueDate  = "id_card_issue_date"
	FieldPermanentAddress = "permanent_address"
	FieldPhone            = "phone"
)

// Limits on the length of request values, in bytes. They are generous
// next to what the register accepts (a name of 150 bytes, a street of
// 300) and bound the work one request can cause.
const (
	MaxNameBytes    = 300
	MaxAddressBytes = adminunit.MaxAddressLen
	MaxPurposeBytes = 200
	maxShortBytes   = 64 // pid, old ID, dates, gender, phone
)

// FieldResult is the answer for one field. Exact, Folded and Score are set
// for full_name only, so that an agency can apply its own policy to names
// that are not an exact match.
type FieldResult struct {
	Verdict Verdict `json:"verdict"`
	// Exact: the names are equal after normalisation (Unicode NFC, tone
	// marks on their canonical vowel, letter case, white space).
	Exact *bool `json:"exact,omitempty"`
	// Folded: the names are equal once diacritics are removed as well.
	Folded *bool `json:"folded,omitempty"`
	// Score is the names' similarity, 0 to 1 (vntext.NameSimilarity).
	Score *float64 `json:"score,omitempty"`
}

// Request is what a connected agency holds about one person and asks the
// register to confirm: the wire format of the verification API. PID or
// OldIDNumber names the person; every other non-empty field is compared.
// A field of white space only counts as not given.
type Request struct {
	// Purpose is the purpose the agency states for the check; it is for
	// the audit log and the agency's scope, and is not compared.
	Purpose          string `json:"purpose"`
	PID              string `json:"pid"`
	OldIDNumber      string `json:"old_id_number"`
	FullName         string `json:"full_name"`
	DateOfBirth      string `json:"date_of_birth"`
	Gender           string `json:"gender"`
	IDCardIssueDate  string `json:"id_card_issue_date"`
	PermanentAddress string `json:"permanent_address"`
	Phone            string `json:"phone"`
}

// Result is the register's answer to a Request. It never holds register
// data: only a verdict per field.
type Result struct {
	// Result is ResultMatch when no supplied field is a mismatch (fields
	// the register does not hold do not count against it),
	// ResultMismatch when one is, ResultNotFound when no citizen was
	// found.
	Result string `json:"result"`
	// Fields has a FieldResult for every supplied field, pid and
	// old_id_number included; it is empty when the citizen was not found.
	Fields map[string]FieldResult `json:"fields"`
	// Deceased reports that the register records the citizen's death.
	Deceased bool `json:"deceased"`
	// PID is the citizen the request matched, for the audit log; empty
	// when none was found.
	PID pid.PID `json:"-"`
}

// given reports whether a field was supplied: anything but white space.
func given(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
		default:
			return true
		}
	}
	return false
}

// Fields lists the names of the fields r supplies, pid and old_id_number
// included, in the order of the wire format (for the audit log).
func (r Request) Fields() []string {
	out := make([]string, 0, 8)
	for _, f := range r.fields() {
		if given(f.value) {
			out = append(out, f.name)
		}
	}
	return out
}

type namedValue struct{ name, value string }

func (r *Request) fields() [8]namedValue {
	return [8]namedValue{
		{FieldPID, r.PID}, {FieldOldIDNumber, r.OldIDNumber}, {FieldFullName, r.FullName},
		{FieldDateOfBirth, r.DateOfBirth}, {FieldGender, r.Gender}, {FieldIDCardIssueDate, r.IDCardIssueDate},
		{FieldPermanentAddress, r.PermanentAddress}, {FieldPhone, r.Phone},
	}
}

// ErrInvalid matches every *FieldError, for errors.Is.
var ErrInvalid = errors.New("invalid verification request")

// FieldError says which field of a Request is malformed and why. Code is
// stable and machine readable; Msg is safe to show the agency and never
// repeats the value, which is personal data.
type FieldError struct {
	Field string
	Code  string
	Msg   string
}

// Error returns the field and the message.
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldError(field, code, format string, a ...any) *FieldError {
	return &FieldError{Field: field, Code: code, Msg: fmt.Sprintf(format, a...)}
}

// Validate checks that r is well formed, returning a *FieldError for the
// first problem: no pid and no old_id_number, a pid that is not 12 digits,
// an old ID number that is not 9 or 12 digits, a date that is not yyyy,
// yyyy-mm or yyyy-mm-dd, a gender other than male or female, a phone
// number with letters or the wrong number of digits, a value longer than
// its limit, or text that is not valid UTF-8. Verify expects a validated
// request.
func (r Request) Validate() error {
	limits := [8]int{maxShortBytes, maxShortBytes, MaxNameBytes, maxShortBytes, maxShortBytes,
		maxShortBytes, MaxAddressBytes, maxShortBytes}
	for i, f := range r.fields() {
		if len(f.value) > limits[i] {
			return fieldError(f.name, "too_long", "is %d bytes long, the limit is %d", len(f.value), limits[i])
		}
		if !utf8.ValidString(f.value) {
			return fieldError(f.name, "bad_utf8", "is not valid UTF-8")
		}
	}
	if len(r.Purpose) > MaxPurposeBytes {
		return fieldError("purpose", "too_long", "is %d bytes long, the limit is %d", len(r.Purpose), MaxPurposeBytes)
	}
	if !utf8.ValidString(r.Purpose) {
		return fieldError("purpose", "bad_utf8", "is not valid UTF-8")
	}
	if !given(r.PID) && !given(r.OldIDNumber) {
		return fieldError(FieldPID, "required", "a pid or an old_id_number is required")
	}
	if given(r.PID) {
		if _, err := pid.Parse(r.PID); err != nil {
			return fieldError(FieldPID, "bad_pid", "%v", err)
		}
	}
	if given(r.OldIDNumber) {
		if _, err := pid.ParseOldID(r.OldIDNumber); err != nil {
			return fieldError(FieldOldIDNumber, "bad_old_id", "%v", err)
		}
	}
	for _, d := range [2]namedValue{{FieldDateOfBirth, r.DateOfBirth}, {FieldIDCardIssueDate, r.IDCardIssueDate}} {
		if !given(d.value) {
			continue
		}
		if _, err := registry.ParseDate(strings.TrimSpace(d.value)); err != nil {
			return fieldError(d.name, "bad_date", "%v", err)
		}
	}
	if given(r.Gender) {
		if _, ok := parseGender(r.Gender); !ok {
			return fieldError(FieldGender, "bad_gender", "gender must be male or female")
		}
	}
	if given(r.Phone) {
		if _, err := checkPhone(r.Phone); err != nil {
			return fieldError(FieldPhone, "bad_phone", "%v", err)
		}
	}
	return nil
}

// parseGender reads "male" or "female", in any letter case.
func parseGender(s string) (pid.Gender, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.EqualFold(s, "male"):
		return pid.Male, true
	case strings.EqualFold(s, "female"):
		return pid.Female, true
	}
	return pid.GenderUnknown, false
}
