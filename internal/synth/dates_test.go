package synth

import (
	"testing"
	"time"
)

func TestDaysMatchTheCalendar(t *testing.T) {
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for tm := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC); tm.Year() < 2101; tm = tm.AddDate(0, 0, 1) {
		d := dayOf(tm.Year(), int(tm.Month()), tm.Day())
		if want := day(tm.Sub(epoch).Hours() / 24); d != want {
			t.Fatalf("dayOf(%s) = %d, want %d", tm.Format(time.DateOnly), d, want)
		}
		if y, m, dd := d.civil(); y != tm.Year() || m != int(tm.Month()) || dd != tm.Day() {
			t.Fatalf("civil(%d) = %d-%d-%d, want %s", d, y, m, dd, tm.Format(time.DateOnly))
		}
		if got := string(appendDate(nil, d, precDay)); got != tm.Format(time.DateOnly) {
			t.Fatalf("appendDate = %s, want %s", got, tm.Format(time.DateOnly))
		}
	}
}

func TestAges(t *testing.T) {
	for _, c := range []struct {
		born, on string
		age      int
	}{
		{"2000-02-29", "2001-02-28", 0},
		{"2000-02-29", "2001-03-01", 1},
		{"1990-07-01", "2026-07-01", 36},
		{"1990-07-02", "2026-07-01", 35},
	} {
		b, _ := time.Parse(time.DateOnly, c.born)
		o, _ := time.Parse(time.DateOnly, c.on)
		got := ageOn(dayOf(b.Year(), int(b.Month()), b.Day()), dayOf(o.Year(), int(o.Month()), o.Day()))
		if got != c.age {
			t.Errorf("ageOn(%s, %s) = %d, want %d", c.born, c.on, got, c.age)
		}
	}
	if got := lastDay(dayOf(1990, 2, 10), precMonth); got != dayOf(1990, 2, 28) {
		t.Errorf("lastDay of 1990-02 = %d", got)
	}
	if got := lastDay(dayOf(1990, 2, 10), precYear); got != dayOf(1990, 12, 31) {
		t.Errorf("lastDay of 1990 = %d", got)
	}
}
