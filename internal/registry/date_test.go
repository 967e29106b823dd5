package registry

import (
	"fmt"
	"testing"
	"unicode/utf8"
)

func TestParseDate(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"1990", "1990", true}, {"1990-07", "1990-07", true}, {"1990-07-14", "1990-07-14", true},
		{"2024-02-29", "2024-02-29", true}, {"2023-02-29", "", false}, {"1990-13", "", false},
		{"1990-00-01", "", false}, {"1990-7-14", "", false}, {"90", "", false}, {"", "", false},
		{"1799", "", false}, {"1990-07-14T00:00:00Z", "", false}, {"1990/07/14", "", false},
		{"１９９０", "", false}, {"1990-07-00", "", false}, {"abcd", "", false},
	}
	for _, c := range cases {
		d, err := ParseDate(c.in)
		if (err == nil) != c.ok || (c.ok && d.String() != c.want) {
			t.Errorf("ParseDate(%q) = %q, %v; want %q ok=%v", c.in, d, err, c.want, c.ok)
		}
	}
}

func TestPartialDateComparisons(t *testing.T) {
	y, ym, ymd := MustDate("1990"), MustDate("1990-07"), MustDate("1990-07-14")
	if y.SurelyBefore(ymd) || ymd.SurelyBefore(y) || ym.SurelyBefore(ymd) {
		t.Fatal("overlapping dates are not surely ordered")
	}
	if !MustDate("1989").SurelyBefore(ym) || !MustDate("1990-08-01").SurelyAfter(ym) {
		t.Fatal("disjoint dates must be ordered")
	}
	for _, c := range []struct {
		born, on string
		age      int
	}{{"1990-07-14", "2020-07-13", 29}, {"1990-07-14", "2020-07-14", 30}, {"1990", "2020-06-01", 29}, {"1990-07", "2020-07-31", 30}, {"1990-07", "2020-07-30", 29}} {
		if got := MustDate(c.born).AgeOn(MustDate(c.on)); got != c.age {
			t.Errorf("age of someone born %s on %s: %d, want %d (the youngest possible)", c.born, c.on, got, c.age)
		}
	}
}

// FuzzParseDate: dates arrive from agencies, imports and forms.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1990", "1990-07", "1990-07-14", "2024-02-29", "0000-00-00", "9999-12-31", "1990-1-1", "\xff\xfe\xfd\xfc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("error %v with a non-zero date %v", err, d)
			}
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if !utf8.ValidString(d.String()) || d.Validate() != nil || d.First().After(d.Last()) {
			t.Fatalf("inconsistent date %+v", d)
		}
	})
}

// String formats every date as fmt's %04d-%02d-%02d would, partial ones
// too, and the odd values validation refuses.
func TestDateString(t *testing.T) {
	ref := func(d Date) string {
		switch {
		case d.IsZero():
			return ""
		case d.Month == 0:
			return fmt.Sprintf("%04d", d.Year)
		case d.Day == 0:
			return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
		}
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	for _, y := range []int{0, 7, 99, 1900, 2026, 9999, 10000, -5, 123456} {
		for _, m := range []int{0, 1, 9, 12, 13, 99, 100, -1} {
			for _, dd := range []int{0, 1, 9, 31, 99, 100, -3} {
				d := Date{y, m, dd}
				if got, want := d.String(), ref(d); got != want {
					t.Errorf("%#v: %q, want %q", d, got, want)
				}
				text, _ := d.MarshalText()
				if string(text) != ref(d) {
					t.Errorf("%#v: MarshalText %q, want %q", d, text, ref(d))
				}
			}
		}
	}
}
