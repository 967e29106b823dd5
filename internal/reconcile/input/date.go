package input

import (
	"fmt"
	"strings"
	"time"

	"dancu/internal/registry"
)

// MinYear is the earliest year of birth accepted: nobody born before it is
// alive, so an earlier year is a typing or export error.
const MinYear = 1880

// dateOrder is the order of day and month in a date written with the year
// last.
type dateOrder uint8

const (
	orderAuto dateOrder = iota // day/month unless only month/day is possible
	orderDMY
	orderMDY
	orderYMD // year last is an error
)

// parseDateFormat reads Options.DateFormat.
func parseDateFormat(s string) (dateOrder, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return orderAuto, nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == ' ' })
	if len(parts) == 3 {
		var order [3]byte
		for i, p := range parts {
			switch p {
			case "d", "dd":
				order[i] = 'd'
			case "m", "mm":
				order[i] = 'm'
			case "yy", "yyyy":
				order[i] = 'y'
			}
		}
		switch string(order[:]) {
		case "dmy":
			return orderDMY, nil
		case "mdy":
			return orderMDY, nil
		case "ymd":
			return orderYMD, nil
		}
	}
	return 0, fmt.Errorf("unknown date format %q: use dd/mm/yyyy, mm/dd/yyyy or yyyy-mm-dd", s)
}

// dateError is what parseDate returns for a bad value.
type dateError struct {
	kind   Kind
	reason string
}

func badDate(s, format string, args ...any) *dateError {
	return &dateError{KindBadDate, fmt.Sprintf("%q is not a date: ", s) + fmt.Sprintf(format, args...)}
}

// parseDate reads a date of birth as agencies write it:
//
//   - dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy (day and month in the
//     order given by order; see below) and the same with a two-digit year,
//     which is taken in the latest century that does not put the date after
//     today (01/02/03 is 2003, 01/02/99 is 1999);
//   - yyyy-mm-dd (also with / or .), never ambiguous;
//   - mm/yyyy and yyyy-mm, a year and month; yyyy alone, a year;
//   - any of these followed by a time of midnight, as Excel and databases
//     export dates: "1990-05-12 00:00:00", "1990-05-12T00:00:00Z",
//     "5/12/1990 12:00:00 AM". Another time is an error, because
//     "1990-05-11T17:00:00Z" is midnight in Vietnam shifted to UTC and
//     guessing the day would be wrong one time in two.
//
// With orderAuto a date with the year last is day/month, the Vietnamese
// convention, unless the second number is over 12 and the first is not,
// which can only be month/day (a US export): it is then read so. With
// orderDMY or orderMDY the order is fixed and 13/05/1990 in a month/day file
// is an error; with orderYMD a full date with the year last is an error.
//
// An empty s is no date and no error. swappable reports a full date whose
// day and month are both 12 or less and differ.
func parseDate(s string, order dateOrder, today registry.Date) (d registry.Date, swappable bool, bad *dateError) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return registry.Date{}, false, nil
	}
	if i := strings.IndexAny(s, "T "); i > 0 && strings.IndexByte(s[i:], ':') >= 0 {
		if !isMidnight(s[i+1:]) {
			return d, false, badDate(orig, "it has a time of day %q; a date of birth must be a date alone (a time such as 17:00 is often midnight in Vietnam converted to UTC, and the day cannot be trusted)", strings.TrimSpace(s[i+1:]))
		}
		s = s[:i]
	}
	var parts [3]string
	n, sep := 0, byte(0)
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			c := s[i]
			if '0' <= c && c <= '9' {
				continue
			}
			if c != '/' && c != '-' && c != '.' {
				return d, false, badDate(orig, "it is not in a known layout (dd/mm/yyyy, yyyy-mm-dd, mm/yyyy, yyyy-mm or yyyy)")
			}
			if sep != 0 && c != sep {
				return d, false, badDate(orig, "it mixes separators %q and %q", sep, c)
			}
			sep = c
		}
		if n == len(parts) || i == start {
			return d, false, badDate(orig, "it is not in a known layout (dd/mm/yyyy, yyyy-mm-dd, mm/yyyy, yyyy-mm or yyyy)")
		}
		parts[n] = s[start:i]
		n++
		start = i + 1
	}
	num := func(p string) int {
		v := 0
		for i := 0; i < len(p); i++ {
			v = v*10 + int(p[i]-'0')
		}
		return v
	}
	short := func(p string) bool { return len(p) <= 2 }
	twoDigitYear := false
	switch {
	case n == 1 && len(parts[0]) == 4:
		d.Year = num(parts[0])
	case n == 1 && len(parts[0]) == 5:
		serial := num(parts[0])
		day := time.Date(1899, 12, 30+serial, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		return d, false, badDate(orig, "it looks like an Excel date serial number (%d is %s); format the column as a date (dd/mm/yyyy) and export again", serial, day)
	case n == 1 && len(parts[0]) == 8:
		return d, false, badDate(orig, "it has no separators; write dd/mm/yyyy or yyyy-mm-dd")
	case n == 2 && len(parts[0]) == 4 && short(parts[1]):
		d.Year, d.Month = num(parts[0]), num(parts[1])
	case n == 2 && short(parts[0]) && len(parts[1]) == 4:
		d.Month, d.Year = num(parts[0]), num(parts[1])
	case n == 3 && len(parts[0]) == 4 && short(parts[1]) && short(parts[2]):
		d.Year, d.Month, d.Day = num(parts[0]), num(parts[1]), num(parts[2])
	case n == 3 && short(parts[0]) && short(parts[1]) && (len(parts[2]) == 4 || len(parts[2]) == 2):
		a, b := num(parts[0]), num(parts[1])
		switch order {
		case orderYMD:
			return d, false, badDate(orig, "the file's dates are declared yyyy-mm-dd")
		case orderMDY:
			d.Month, d.Day = a, b
		case orderAuto:
			if b > 12 && a <= 12 {
				d.Month, d.Day = a, b
			} else {
				d.Day, d.Month = a, b
			}
		default:
			d.Day, d.Month = a, b
		}
		d.Year = num(parts[2])
		if len(parts[2]) == 2 {
			twoDigitYear = true
			d.Year += 2000
			if after(d, today) {
				d.Year -= 100
			}
		}
	default:
		return d, false, badDate(orig, "it is not in a known layout (dd/mm/yyyy, yyyy-mm-dd, mm/yyyy, yyyy-mm or yyyy)")
	}
	if d.Year < MinYear {
		return registry.Date{}, false, badDate(orig, "year %d is before %d", d.Year, MinYear)
	}
	if n >= 2 && (d.Month < 1 || d.Month > 12) {
		return registry.Date{}, false, badDate(orig, "there is no month %d", d.Month)
	}
	if n == 3 {
		if last := daysIn(d.Year, d.Month); d.Day < 1 || d.Day > last {
			if d.Day < 1 {
				return registry.Date{}, false, badDate(orig, "there is no day 0")
			}
			what := fmt.Sprintf("%s %d", time.Month(d.Month), d.Year)
			if twoDigitYear {
				what = time.Month(d.Month).String()
			}
			return registry.Date{}, false, badDate(orig, "%s has %d days", what, last)
		}
	}
	if after(d, today) {
		return registry.Date{}, false, &dateError{KindFutureDate,
			fmt.Sprintf("date of birth %q (%s) is after today (%s)", orig, d, today)}
	}
	swappable = d.Day != 0 && d.Day <= 12 && d.Month <= 12 && d.Day != d.Month
	return d, swappable, nil
}

// after reports whether the first day d may stand for is after today.
func after(d, today registry.Date) bool {
	if d.Year != today.Year {
		return d.Year > today.Year
	}
	if m := max(d.Month, 1); m != today.Month {
		return m > today.Month
	}
	return max(d.Day, 1) > today.Day
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isMidnight reports whether t is a time of midnight: h:mm, h:mm:ss or
// h:mm:ss.fff, hour 0 (or 12 followed by AM), optionally followed by Z or
// an offset such as +07:00.
func isMidnight(t string) bool {
	t = strings.TrimSpace(t)
	hour := 0
	if u := strings.ToUpper(t); strings.HasSuffix(u, "AM") {
		t, hour = strings.TrimSpace(t[:len(t)-2]), 12
	}
	if strings.HasSuffix(t, "Z") {
		t = t[:len(t)-1]
	} else if i := strings.LastIndexAny(t, "+-"); i > 0 {
		t = t[:i]
	}
	h, rest, ok := strings.Cut(t, ":")
	if !ok || len(h) == 0 || len(h) > 2 {
		return false
	}
	v := 0
	for i := 0; i < len(h); i++ {
		if h[i] < '0' || h[i] > '9' {
			return false
		}
		v = v*10 + int(h[i]-'0')
	}
	if v != hour {
		return false
	}
	// Minutes, seconds and fraction: all zeros, shaped mm[:ss[.fff]].
	if len(rest) < 2 || rest[0] != '0' || rest[1] != '0' {
		return false
	}
	rest = rest[2:]
	if rest == "" {
		return true
	}
	if len(rest) < 3 || rest[0] != ':' || rest[1] != '0' || rest[2] != '0' {
		return false
	}
	rest = rest[3:]
	if rest == "" {
		return true
	}
	if rest[0] != '.' || len(rest) == 1 {
		return false
	}
	return strings.Trim(rest[1:], "0") == ""
}
