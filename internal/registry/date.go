package registry

import (
	"errors"
	"fmt"
	"time"
)

// Date is a calendar date that may be partial: the register often knows
// only the year of birth of older citizens, or the year and month. Month
// and Day are 0 when unknown; a known Day implies a known Month. The zero
// Date means "no date".
//
// Dates are civil dates with no time zone: 2001-02-03 is the same day
// everywhere.
type Date struct {
	Year  int
	Month int
	Day   int
}

// Errors from ParseDate, for errors.Is.
var (
	ErrDateSyntax = errors.New("date must be yyyy, yyyy-mm or yyyy-mm-dd")
	ErrDateRange  = errors.New("date is out of range")
)

// MinYear is the earliest year the register accepts in a date.
const MinYear = 1800

// ParseDate reads "yyyy", "yyyy-mm" or "yyyy-mm-dd".
func ParseDate(s string) (Date, error) {
	var d Date
	switch len(s) {
	case 4, 7, 10:
	default:
		return Date{}, ErrDateSyntax
	}
	num := func(part string) (int, bool) {
		n := 0
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var ok bool
	if d.Year, ok = num(s[:4]); !ok {
		return Date{}, ErrDateSyntax
	}
	if len(s) >= 7 {
		if s[4] != '-' {
			return Date{}, ErrDateSyntax
		}
		if d.Month, ok = num(s[5:7]); !ok {
			return Date{}, ErrDateSyntax
		}
	}
	if len(s) == 10 {
		if s[7] != '-' {
			return Date{}, ErrDateSyntax
		}
		if d.Day, ok = num(s[8:10]); !ok {
			return Date{}, ErrDateSyntax
		}
	}
	// Every part written must be known: "1990-07-00" is not "1990-07".
	if d.Year == 0 || (len(s) >= 7 && d.Month == 0) || (len(s) == 10 && d.Day == 0) {
		return Date{}, fmt.Errorf("%w: %s has a zero part", ErrDateRange, s)
	}
	if err := d.Validate(); err != nil {
		return Date{}, err
	}
	return d, nil
}

// MustDate is ParseDate for literals in code and tests; it panics on error.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(fmt.Sprintf("registry.MustDate(%q): %v", s, err))
	}
	return d
}

// DateOf is the full date of t in its location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: int(m), Day: d}
}

// Validate checks that d is a real (possibly partial) date.
func (d Date) Validate() error {
	if d.IsZero() {
		return nil
	}
	if d.Year < MinYear || d.Year > 9999 {
		return fmt.Errorf("%w: year %d", ErrDateRange, d.Year)
	}
	if d.Month < 0 || d.Month > 12 || (d.Month == 0 && d.Day != 0) {
		return fmt.Errorf("%w: month %d", ErrDateRange, d.Month)
	}
	if d.Day != 0 {
		last := time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if d.Day < 1 || d.Day > last {
			return fmt.Errorf("%w: day %d of %04d-%02d", ErrDateRange, d.Day, d.Year, d.Month)
		}
	}
	return nil
}

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d == Date{} }

// Full reports whether year, month and day are all known.
func (d Date) Full() bool { return d.Day != 0 }

// String formats d as yyyy, yyyy-mm or yyyy-mm-dd, or "" for no date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	var b [10]byte
	return string(d.appendText(b[:0]))
}

// appendText appends d as String formats it.
func (d Date) appendText(b []byte) []byte {
	if d.IsZero() {
		return b
	}
	if d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		// Not a date validation lets through; formatted all the same.
		switch {
		case d.Month == 0:
			return fmt.Appendf(b, "%04d", d.Year)
		case d.Day == 0:
			return fmt.Appendf(b, "%04d-%02d", d.Year, d.Month)
		}
		return fmt.Appendf(b, "%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	y := d.Year
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	if d.Month == 0 {
		return b
	}
	b = append(b, '-', byte('0'+d.Month/10), byte('0'+d.Month%10))
	if d.Day == 0 {
		return b
	}
	return append(b, '-', byte('0'+d.Day/10), byte('0'+d.Day%10))
}

// MarshalText formats d as String does.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return d.appendText(make([]byte, 0, 10)), nil
}

// UnmarshalText parses what MarshalText writes; "" is no date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// First is the first day d may stand for (1 January for a year-only date).
func (d Date) First() time.Time {
	m, day := max(d.Month, 1), max(d.Day, 1)
	return time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, time.UTC)
}

// Last is the last day d may stand for (31 December for a year-only date).
func (d Date) Last() time.Time {
	switch {
	case d.Month == 0:
		return time.Date(d.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	case d.Day == 0:
		return time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return d.First()
}

// SurelyBefore reports whether every day d may stand for is before every
// day e may stand for. Rules use it so that a partial date only breaks a
// rule when it certainly does.
func (d Date) SurelyBefore(e Date) bool { return d.Last().Before(e.First()) }

// SurelyAfter reports whether every day d may stand for is after every day
// e may stand for.
func (d Date) SurelyAfter(e Date) bool { return d.First().After(e.Last()) }

// AgeOn is the age in whole years of someone born on d, on day on (a full
// date), taking the youngest age a partial d allows.
func (d Date) AgeOn(on Date) int {
	born := d.Last()
	at := on.First()
	age := at.Year() - born.Year()
	if at.Month() < born.Month() || (at.Month() == born.Month() && at.Day() < born.Day()) {
		age--
	}
	return age
}

// AddYears is the date n years after d (29 February becomes 28 February
// in a year that lacks it).
func (d Date) AddYears(n int) Date {
	out := Date{Year: d.Year + n, Month: d.Month, Day: d.Day}
	if d.Month == 2 && d.Day == 29 && out.Validate() != nil {
		out.Day = 28
	}
	return out
}

// Compare orders dates by their first possible day, then by precision.
func (d Date) Compare(e Date) int {
	if c := d.First().Compare(e.First()); c != 0 {
		return c
	}
	return precision(d) - precision(e)
}

func precision(d Date) int {
	switch {
	case d.Day != 0:
		return 3
	case d.Month != 0:
		return 2
	case d.Year != 0:
		return 1
	}
	return 0
}
