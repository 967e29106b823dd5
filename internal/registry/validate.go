package registry

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/vntext"
)

// Limits on free text, in bytes.
const (
	maxNameBytes   = 150
	maxStreetBytes = 300
	maxShortText   = 100
)

func (s *Service) notFuture(field string, d Date) error {
	if d.IsZero() {
		return nil
	}
	if err := d.Validate(); err != nil {
		return invalid(field, "bad_date", "%v", err)
	}
	if today := s.today(); d.First().After(today.First()) {
		return invalid(field, "future_date", "%s is in the future (today is %s)", d, today)
	}
	return nil
}

// checkPID parses a number given in the input.
func checkPID(field string, p pid.PID) (pid.PID, error) {
	if p == "" {
		return "", invalid(field, "required", "a personal ID number is required")
	}
	n, err := pid.Parse(string(p))
	if err != nil {
		return "", invalid(field, "bad_pid", "%v", err)
	}
	return n, nil
}

// optionalPID parses a number that may be absent.
func optionalPID(field string, p pid.PID) (pid.PID, error) {
	if p == "" {
		return "", nil
	}
	return checkPID(field, p)
}

// checkName normalises a personal name: NFC with canonical tone marks,
// single spaces, each syllable capitalised.
func checkName(field, name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", invalid(field, "bad_text", "not valid UTF-8")
	}
	if len(name) > maxNameBytes {
		return "", invalid(field, "too_long", "at most %d bytes", maxNameBytes)
	}
	n := vntext.NameCase(vntext.Normalize(name))
	if n == "" {
		return "", invalid(field, "required", "a name is required")
	}
	letters := 0
	for _, r := range n {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsMark(r), r == ' ', r == '-', r == '\'', r == '.':
		default:
			return "", invalid(field, "bad_name", "a name may hold only letters, spaces, hyphens and apostrophes, not %q", r)
		}
	}
	if letters == 0 {
		return "", invalid(field, "bad_name", "a name needs letters")
	}
	return n, nil
}

// checkText normalises free text of bounded length.
func checkText(field, s string, limit int) (string, error) {
	if !utf8.ValidString(s) {
		return "", invalid(field, "bad_text", "not valid UTF-8")
	}
	if len(s) > limit {
		return "", invalid(field, "too_long", "at most %d bytes", limit)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalid(field, "bad_text", "control characters are not allowed")
		}
	}
	return vntext.Normalize(s), nil
}

// checkAddress normalises an address and checks that its commune exists in
// its era (2025 when unset). required: a commune must be given.
func (s *Service) checkAddress(field string, a *Address, required bool) error {
	if a.Street != "" { // most addresses have none: spare naming the field
		street, err := checkText(field+".street", a.Street, maxStreetBytes)
		if err != nil {
			return err
		}
		a.Street = street
	}
	a.CommuneCode = strings.TrimSpace(a.CommuneCode)
	if a.CommuneCode == "" {
		if required {
			return invalid(field+".commune_code", "required", "a commune is required")
		}
		if a.Street != "" {
			return invalid(field+".commune_code", "required", "an address with a street needs its commune")
		}
		a.Era = ""
		return nil
	}
	if a.Era == "" {
		a.Era = adminunit.Era2025
	}
	switch a.Era {
	case adminunit.Era2025, adminunit.EraPre2025, adminunit.Era2023:
	default:
		return invalid(field+".era", "bad_era", "era must be %q, %q or %q, got %q", adminunit.Era2025, adminunit.EraPre2025, adminunit.Era2023, a.Era)
	}
	if _, ok := s.units.Commune(a.Era, a.CommuneCode); !ok {
		return invalid(field+".commune_code", "unknown_commune", "no commune %s in the %s map", a.CommuneCode, a.Era)
	}
	return nil
}

// CurrentCommune is the 2025 commune code an address converts to, or ""
// when it has none or the old commune was split (the street decides, and
// an officer must review it).
func (s *Service) CurrentCommune(a Address) string {
	if a.CommuneCode == "" {
		return ""
	}
	if a.Era == adminunit.Era2025 {
		return a.CommuneCode
	}
	units := s.units.NewUnitsFor(a.CommuneCode)
	if len(units) == 1 {
		return units[0].Code
	}
	return ""
}

var bloodTypes = map[string]bool{"": true, "A": true, "B": true, "AB": true, "O": true,
	"A+": true, "A-": true, "B+": true, "B-": true, "AB+": true, "AB-": true, "O+": true, "O-": true}

// checkDetails validates and normalises the descriptive fields of c.
func (s *Service) checkDetails(c *Citizen) error {
	var err error
	if c.FullName, err = checkName("full_name", c.FullName); err != nil {
		return err
	}
	for i := range c.OtherNames {
		if c.OtherNames[i], err = checkName("other_names", c.OtherNames[i]); err != nil {
			return err
		}
	}
	if c.Gender != pid.Male && c.Gender != pid.Female {
		return invalid("gender", "required", "gender must be male or female")
	}
	if c.Ethnicity == "" {
		return invalid("ethnicity", "required", "an ethnicity code (01–54) is required")
	}
	if _, ok := EthnicityName(c.Ethnicity); !ok {
		return invalid("ethnicity", "unknown_ethnicity", "%q is not one of the 54 ethnicity codes (01–54)", c.Ethnicity)
	}
	if c.Religion, err = checkText("religion", c.Religion, maxShortText); err != nil {
		return err
	}
	if c.Nationality == "" {
		c.Nationality = "VN"
	}
	if len(c.Nationality) != 2 || strings.ToUpper(c.Nationality) != c.Nationality || !isASCIIUpper(c.Nationality) {
		return invalid("nationality", "bad_nationality", "nationality must be an ISO 3166 two-letter code such as VN, got %q", c.Nationality)
	}
	c.BloodType = strings.ToUpper(strings.TrimSpace(c.BloodType))
	if !bloodTypes[c.BloodType] {
		return invalid("blood_type", "bad_blood_type", "blood type must be A, B, AB or O, optionally with + or -")
	}
	if c.OldIDNumber != "" {
		old, err := pid.ParseOldID(c.OldIDNumber)
		if err != nil {
			return invalid("old_id_number", "bad_old_id", "%v", err)
		}
		c.OldIDNumber = string(old)
	}
	if c.Phone, err = checkPhone(c.Phone); err != nil {
		return err
	}
	if c.Email = strings.TrimSpace(c.Email); c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != c.Email || len(c.Email) > 254 {
			return invalid("email", "bad_email", "not an email address")
		}
	}
	if err := s.checkAddress("birth_registration_place", &c.BirthRegistration, false); err != nil {
		return err
	}
	return s.checkAddress("hometown", &c.Hometown, false)
}

func isASCIIUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// checkPhone accepts a Vietnamese or international number and returns its
// digits (with a leading + when international).
func checkPhone(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", nil
	}
	out := p
	if !isPhoneDigits(p) {
		var err error
		if out, err = phoneDigits(p); err != nil {
			return "", err
		}
	}
	digits := len(strings.TrimPrefix(out, "+"))
	if digits < 9 || digits > 15 {
		return "", invalid("phone", "bad_phone", "a phone number has 9 to 15 digits, got %d", digits)
	}
	return out, nil
}

// isPhoneDigits reports whether p is digits with perhaps a leading +,
// which phoneDigits returns as it is.
func isPhoneDigits(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; !(c >= '0' && c <= '9' || c == '+' && i == 0) {
			return false
		}
	}
	return true
}

// phoneDigits drops the spaces, dots, dashes and brackets of a phone
// number, keeping its digits and a leading +.
func phoneDigits(p string) (string, error) {
	var b strings.Builder
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", invalid("phone", "bad_phone", "a phone number holds digits, spaces, dots, dashes and a leading +, not %q", r)
		}
	}
	return b.String(), nil
}

// checkPIDAgrees checks that what a number encodes agrees with the record:
// the century-and-gender digit and the two digits of the birth year.
func checkPIDAgrees(c *Citizen) error {
	if c.PID.Gender() != c.Gender {
		return invalid("gender", "pid_mismatch", "the personal ID number %s encodes gender %s", c.PID, c.PID.Gender())
	}
	if y := c.PID.BirthYear(); y != c.DateOfBirth.Year {
		return invalid("date_of_birth", "pid_mismatch", "the personal ID number %s encodes birth year %d", c.PID, y)
	}
	return nil
}
