package pid

import "strings"

// OldID is the number of an old identity card (chứng minh nhân dân, CMND):
// 9 digits, or 12 digits for the cards some provinces issued from 2012 under
// Circular 27/2012/TT-BCA. The register keeps it as an attribute of the
// citizen so that legacy datasets keyed by it can be matched; it is never an
// identifier in dancu. See docs/pid.md.
type OldID string

// String returns the digits.
func (o OldID) String() string { return string(o) }

const whatOldID = "old ID number"

// ParseOldID returns the old identity card number in s. Surrounding white
// space is trimmed; what remains must be 9 or 12 ASCII digits. Leading zeros
// are kept (legacy spreadsheets that stored the number as an integer and lost
// them must be repaired by the importer, which knows its source). Errors are
// *SyntaxError values matching ErrEmpty, ErrLength or ErrNonDigit.
func ParseOldID(s string) (OldID, error) {
	s = strings.TrimSpace(s)
	if err := checkDigits(whatOldID, s, "9 or 12", 9, 12); err != nil {
		return "", err
	}
	return OldID(s), nil
}

// Twelve reports whether o is a 12-digit card number.
func (o OldID) Twelve() bool { return len(o) == Length }

// AsPID returns a 12-digit old card number as a PID. Those cards used the
// structure of the personal identification number and the number was carried
// over when the citizen was issued a citizen identity card, so it is usually
// the same person's PID; treat the result as a candidate for matching, not as
// proof. It returns false for a 9-digit number.
func (o OldID) AsPID() (PID, bool) {
	p := PID(o)
	if !p.Valid() {
		return "", false
	}
	return p, true
}
