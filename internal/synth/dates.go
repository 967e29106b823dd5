package synth

import "dancu/internal/registry"

// day is a civil date as a count of days since 1970-01-01. The generator
// reckons every date as a day, which makes ages and intervals additions,
// and writes the text only for the record.
type day int32

const daysPerYear = 365.2425

// dayOf returns the day of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
func dayOf(y, m, d int) day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

// civil returns the year, month and day of d (civil_from_days).
func (d day) civil() (y, m, dd int) {
	z := int(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, dd
}

func (d day) year() int {
	y, _, _ := d.civil()
	return y
}

// addYears is the same calendar day n years later (29 February becomes
// 28 February).
func (d day) addYears(n int) day {
	y, m, dd := d.civil()
	if m == 2 && dd == 29 && !leap(y+n) {
		dd = 28
	}
	return dayOf(y+n, m, dd)
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// yearsDays converts a duration in years to days.
func yearsDays(years float64) day { return day(years * daysPerYear) }

// ageOn is the age in whole years of someone born on born, on day on.
func ageOn(born, on day) int {
	by, bm, bd := born.civil()
	oy, om, od := on.civil()
	age := oy - by
	if om < bm || (om == bm && od < bd) {
		age--
	}
	return age
}

// precision of a written date.
type precision uint8

const (
	precDay precision = iota // yyyy-mm-dd
	precMonth
	precYear
)

// appendDate writes d as yyyy-mm-dd, yyyy-mm or yyyy.
func appendDate(b []byte, d day, p precision) []byte {
	y, m, dd := d.civil()
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	if p == precYear {
		return b
	}
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10))
	if p == precMonth {
		return b
	}
	return append(b, '-', byte('0'+dd/10), byte('0'+dd%10))
}

// lastDay is the last day a date written at precision p may stand for,
// the day the register's rules compare with (registry.Date.Last).
func lastDay(d day, p precision) day {
	y, m, _ := d.civil()
	switch p {
	case precYear:
		return dayOf(y, 12, 31)
	case precMonth:
		return dayOf(y, m+1, 1) - 1
	}
	return d
}

// dayOfDate converts a full or partial registry date to its first day.
func dayOfDate(d registry.Date) day {
	return dayOf(d.Year, max(d.Month, 1), max(d.Day, 1))
}
