package pid

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Gender is the gender (giới tính) encoded in digit 4 of a number: even
// digits are male, odd digits female. The zero value is unknown.
type Gender uint8

// Genders. GenderUnknown is never encoded in a number; it is what Decode
// reports for a malformed one and what an empty request holds.
const (
	GenderUnknown Gender = iota
	Male
	Female
)

// String returns "male", "female" or "unknown".
func (g Gender) String() string {
	switch g {
	case Male:
		return "male"
	case Female:
		return "female"
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler: "male", "female" or "".
func (g Gender) MarshalText() ([]byte, error) {
	if g != Male && g != Female {
		return []byte{}, nil
	}
	return []byte(g.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler for "male" and "female".
func (g *Gender) UnmarshalText(text []byte) error {
	switch string(text) {
	case "male":
		*g = Male
	case "female":
		*g = Female
	case "", "unknown":
		*g = GenderUnknown
	default:
		return fmt.Errorf("unknown gender %q: want \"male\" or \"female\"", text)
	}
	return nil
}

// Years that digit 4 can encode: 1900 (code 0/1) to 2399 (code 8/9).
const (
	MinBirthYear = 1900
	MaxBirthYear = 2399
)

// centuryDigit returns digit 4 for a birth year and gender (Circular
// 07/2016/TT-BCA, Annex: 0/1 for 1900–1999 male/female, 2/3 for 2000–2099,
// and so on up to 8/9 for 2300–2399).
func centuryDigit(year int, g Gender) (byte, bool) {
	if year < MinBirthYear || year > MaxBirthYear || (g != Male && g != Female) {
		return 0, false
	}
	d := byte((year-MinBirthYear)/100) * 2
	if g == Female {
		d++
	}
	return '0' + d, true
}

// Decoded is what a number says about its holder. It is derived from the
// number alone, so it reflects the facts at birth registration: the province
// is where the birth was registered, in the coding in force before the 2025
// merger of provinces.
type Decoded struct {
	// PID is the number itself.
	PID PID `json:"pid"`
	// ProvinceCode is digits 1–3: "0" plus the pre-2025 two-digit
	// statistical province code ("001" Hà Nội), or an unrecognised prefix.
	ProvinceCode string `json:"province_code"`
	// ProvinceName is the pre-2025 province name; empty when unknown.
	ProvinceName string `json:"province_name,omitempty"`
	// ProvinceKnown reports whether ProvinceCode is one of the 63 pre-2025
	// province codes.
	ProvinceKnown bool `json:"province_known"`
	// Province2025Code is the two-digit statistical code of the province
	// (in force since 1 July 2025) that the birth province merged into;
	// empty when the prefix is unknown. It is a 2025-era unit code, not a
	// PID prefix.
	Province2025Code string `json:"province_2025_code,omitempty"`
	// Century is the century of birth as the Circular counts it: 20 for
	// 1900–1999, 21 for 2000–2099, up to 24 for 2300–2399.
	Century int `json:"century"`
	// Gender is "male" or "female".
	Gender Gender `json:"gender"`
	// BirthYear is the full year of birth, from digits 4–6.
	BirthYear int `json:"birth_year"`
	// Serial is digits 7–12, the random part.
	Serial string `json:"serial"`
	// Notes lists anything unusual, in plain English.
	Notes []string `json:"notes,omitempty"`
}

// Decode returns what p says about its holder. It never fails and never
// panics: an unknown prefix is decoded as far as possible with a note, and a
// malformed p (one not built by Parse) gives a Decoded with only PID and a
// note. Decode reads no clock; see CheckBirthYear.
func (p PID) Decode() Decoded {
	d := Decoded{PID: p}
	if !p.Valid() {
		d.Notes = []string{"not a well-formed personal ID number (12 ASCII digits); nothing decoded"}
		return d
	}
	s := string(p)
	d.ProvinceCode = s[0:3]
	if pr, ok := lookupProvince(d.ProvinceCode); ok {
		d.ProvinceName = pr.name
		d.ProvinceKnown = true
		d.Province2025Code = pr.code2025
	} else {
		d.Notes = append(d.Notes, "province prefix "+d.ProvinceCode+
			" is not one of the 63 pre-2025 province codes (possibly a country code for a birth registered abroad); the number is still valid")
	}
	c := int(s[3] - '0')
	d.Century = 20 + c/2
	d.Gender = Male
	if c%2 == 1 {
		d.Gender = Female
	}
	d.BirthYear = MinBirthYear + (c/2)*100 + int(s[4]-'0')*10 + int(s[5]-'0')
	d.Serial = s[6:12]
	return d
}

// Province returns digits 1–3, the province (or country) prefix, or "" if p
// is not well formed.
func (p PID) Province() string {
	if !p.Valid() {
		return ""
	}
	return string(p[:3])
}

// Gender returns the gender encoded in digit 4, or GenderUnknown if p is not
// well formed.
func (p PID) Gender() Gender {
	if !p.Valid() {
		return GenderUnknown
	}
	if (p[3]-'0')%2 == 1 {
		return Female
	}
	return Male
}

// BirthYear returns the full year of birth encoded in digits 4–6, or 0 if p
// is not well formed.
func (p PID) BirthYear() int {
	if !p.Valid() {
		return 0
	}
	return MinBirthYear + int(p[3]-'0')/2*100 + int(p[4]-'0')*10 + int(p[5]-'0')
}

// ErrBirthYearInFuture is returned by CheckBirthYear for a number whose
// encoded year of birth is after the current year.
var ErrBirthYearInFuture = errors.New("birth year encoded in personal ID number is in the future")

// CheckBirthYear reports whether the year of birth encoded in p is possible
// at time now: not after now's year, in now's location (pass a time in
// Vietnam's zone, UTC+7, so that a birth just after midnight on 1 January
// counts). A number with a future year is still an identifier; this check is
// for flagging data, not for rejecting it.
func CheckBirthYear(p PID, now time.Time) error {
	if err := checkDigits(whatPID, string(p), "12", Length); err != nil {
		return err
	}
	if y := p.BirthYear(); y > now.Year() {
		return fmt.Errorf("%w: %d is after %d", ErrBirthYearInFuture, y, now.Year())
	}
	return nil
}

// prefixFor composes digits 1–6 of a number.
func prefixFor(province string, g Gender, year int) (string, bool) {
	c, ok := centuryDigit(year, g)
	if !ok || len(province) != 3 {
		return "", false
	}
	yy := year % 100
	return province + string([]byte{c, byte('0' + yy/10), byte('0' + yy%10)}), true
}

// itoa6 formats n in [0, 10⁶) as six digits.
func itoa6(n uint32) string {
	s := strconv.FormatUint(uint64(n)+1_000_000, 10)
	return s[1:]
}
