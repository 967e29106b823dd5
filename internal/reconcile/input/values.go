package input

import (
	"fmt"
	"strings"

	"dancu/internal/pid"
	"dancu/internal/vntext"
)

// numberText trims what exports wrap a number in: white space, and the
// apostrophe Excel users type to keep a number as text.
func numberText(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "'")
	return strings.TrimSpace(s)
}

// isScientific reports whether s is a number in scientific notation, what a
// spreadsheet shows (and exports) for a long number stored as a number:
// "7.90123E+11", "7,90123E+11".
func isScientific(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i <= 0 || i == len(s)-1 {
		return false
	}
	mant, exp := s[:i], strings.TrimPrefix(s[i+1:], "+")
	if j := strings.IndexAny(mant, ".,"); j >= 0 {
		if !allDigits(mant[:j]) || !allDigits(mant[j+1:]) {
			return false
		}
	} else if !allDigits(mant) {
		return false
	}
	return allDigits(exp)
}

// dropFloatZeros removes the ".0" a float conversion appends to a number
// ("79012345678.0" from a script that read the column as floats); a number
// grouped with dots ("079.012.345.678") has more than one dot and is kept.
func dropFloatZeros(s string) string {
	i := strings.IndexByte(s, '.')
	if i <= 0 || i == len(s)-1 || strings.IndexByte(s[i+1:], '.') >= 0 {
		return s
	}
	if allDigits(s[:i]) && strings.Trim(s[i+1:], "0") == "" {
		return s[:i]
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isSeparator reports whether r is one of the characters people put
// between digit groups of ID and phone numbers.
func isSeparator(r rune) bool {
	return r == ' ' || r == '.' || r == '-' || r == '\u00a0' || r == '\u202f' || r == '\u2009'
}

// digitsOf returns the digits of an ID number written with separators; ok
// is false if s holds anything but digits and separators.
func digitsOf(s string) (digits string, ok bool) {
	if allDigits(s) {
		return s, true
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			b.WriteRune(r)
		case isSeparator(r):
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// lostZero is the advice for a number one digit short.
const lostZero = "the spreadsheet probably dropped a leading zero (format the column as text and export again)"

// scientificMsg is the advice for a number in scientific notation.
const scientificMsg = "%q is in scientific notation: the spreadsheet stored the number as a number and lost its last digits; format the column as text and export again"

// parseIDs reads the pid and old_id_number fields into rec: 12 digits in
// the pid column are the PID and 9 are an old ID; 9 digits in the
// old_id_number column are the old ID and 12 are the PID when the pid
// column gives none, else a 12-digit old card number (see pid.OldID).
func parseIDs(rec *Record, rawPID, rawOld string) {
	var fromPID string // an old ID found in the pid column
	if s := numberText(rawPID); s != "" {
		d, reason := idDigits(s, "id number", "12 digits (or 9 for an old ID)", 12, 9)
		switch {
		case reason != "":
			rec.addError(FieldPID, rawPID, KindBadID, reason)
		case len(d) == pid.Length:
			rec.PID = d
		default:
			fromPID = d
		}
	}
	if s := numberText(rawOld); s != "" {
		d, reason := idDigits(s, "old id number", "9 digits (or 12)", 9, 12)
		switch {
		case reason != "":
			rec.addError(FieldOldID, rawOld, KindBadID, reason)
		case len(d) == 9:
			rec.OldID = d
		case rec.PID == "":
			rec.PID = d
		case d != rec.PID:
			rec.OldID = d
		}
	}
	if fromPID != "" {
		switch {
		case rec.OldID == "":
			rec.OldID = fromPID
		case rec.OldID != fromPID:
			rec.addError(FieldPID, rawPID, KindIDConflict, fmt.Sprintf(
				"the id number column holds old ID %s but old_id_number holds %s", fromPID, rec.OldID))
		}
	}
}

// idDigits returns the digits of the ID number s (trimmed by numberText)
// if it has one of the lengths, or says why not.
func idDigits(s, what, want string, lengths ...int) (string, string) {
	if isScientific(s) {
		return "", fmt.Sprintf(scientificMsg, s)
	}
	d, ok := digitsOf(dropFloatZeros(s))
	if !ok {
		return "", fmt.Sprintf("%s must have %s, got %q", what, want, s)
	}
	for _, n := range lengths {
		if len(d) == n {
			return d, ""
		}
	}
	for _, n := range lengths {
		if len(d) == n-1 {
			return "", fmt.Sprintf("%s %q has %d digits: %s", what, s, len(d), lostZero)
		}
	}
	return "", fmt.Sprintf("%s must have %s, got %d digits in %q", what, want, len(d), s)
}

// parseGender reads a gender: Nam or Nữ in any case, with or without
// diacritics, composed or not; M or F; male or female. Digits are refused,
// because agencies code genders 1/0, 1/2 and 0/1 alike.
func parseGender(s string) (pid.Gender, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return pid.GenderUnknown, ""
	}
	switch vntext.Fold(t) {
	case "nam", "m", "male":
		return pid.Male, ""
	case "nu", "f", "female":
		return pid.Female, ""
	}
	if allDigits(t) {
		return pid.GenderUnknown, fmt.Sprintf("gender %q is a code, and agencies code genders differently (1/0, 1/2); write Nam or Nữ", t)
	}
	return pid.GenderUnknown, fmt.Sprintf("gender %q is not Nam, Nữ, M, F, male or female", t)
}

// maxPhoneDigits is the longest number E.164 allows, country code included.
const maxPhoneDigits = 15

// parsePhone reads a phone number and returns a Vietnamese one in national
// form, "0" and 9 digits (mobile) or 10 (landline), and a foreign one as
// "+" and its digits. Spaces, dots, dashes and brackets are separators;
// "+84", "0084" and "84" before a 9- or 10-digit number are Vietnam's
// country code, and a 0 kept after it ("+84 (0) 912…") is dropped; a 9- or
// 10-digit number without any prefix lost its leading 0 in a spreadsheet
// and gets it back (no Vietnamese national number starts with 0, so this is
// not a guess). This follows internal/verify's reading of phone numbers,
// which is not exported and returns E.164 integers.
func parsePhone(s string) (string, string) {
	t := numberText(s)
	if t == "" {
		return "", ""
	}
	if isScientific(t) {
		return "", fmt.Sprintf(scientificMsg, t)
	}
	t = dropFloatZeros(t)
	var buf [maxPhoneDigits + 8]byte
	d := buf[:0]
	plus := false
	for _, r := range t {
		switch {
		case '0' <= r && r <= '9':
			if len(d) == cap(d) {
				return "", fmt.Sprintf("phone number %q has too many digits", t)
			}
			d = append(d, byte(r))
		case r == '+' && len(d) == 0 && !plus:
			plus = true
		case isSeparator(r) || r == '(' || r == ')':
		case r == '/' || r == ',' || r == ';' || r == '|':
			return "", fmt.Sprintf("%q seems to hold more than one phone number; give one", t)
		default:
			return "", fmt.Sprintf("phone number %q may hold only digits, spaces, dots, dashes, brackets and a leading +", t)
		}
	}
	var national []byte
	switch {
	case len(d) < 2:
	case plus || (d[0] == '0' && d[1] == '0'):
		if !plus {
			d = d[2:]
		}
		if len(d) < 2 || d[0] != '8' || d[1] != '4' {
			if len(d) < 7 || len(d) > maxPhoneDigits || (len(d) > 0 && d[0] == '0') {
				return "", fmt.Sprintf("phone number %q is not an international number: a country code and up to 15 digits", t)
			}
			return "+" + string(d), ""
		}
		national = d[2:]
		if len(national) > 0 && national[0] == '0' {
			national = national[1:]
		}
	case d[0] == '0':
		national = d[1:]
	case d[0] == '8' && d[1] == '4' && (len(d) == 11 || len(d) == 12):
		national = d[2:]
	default:
		national = d
	}
	if n := len(national); n < 9 || n > 10 || national[0] == '0' {
		return "", fmt.Sprintf("phone number %q has %d digits: a Vietnamese number is 0 and 9 more digits (10 for a landline)", t, len(d))
	}
	return "0" + string(national), ""
}

// addError records a problem with field f.
func (rec *Record) addError(f, value string, kind Kind, reason string) {
	rec.Errors = append(rec.Errors, FieldError{Field: f, Value: value, Kind: kind, Reason: reason})
}
