package input

import (
	"strings"
	"testing"

	"dancu/internal/registry"
)

func TestParseDate(t *testing.T) {
	today := registry.DateOf(testToday) // 2026-03-15
	tests := []struct {
		in        string
		order     dateOrder
		want      string // registry.Date.String
		swappable bool
		kind      Kind   // of the error, "" for none
		reason    string // part of the reason
	}{
		{in: "", want: ""},
		{in: "   ", want: ""},
		{in: "12/05/1990", want: "1990-05-12", swappable: true},
		{in: "2/5/1990", want: "1990-05-02", swappable: true},
		{in: "25/12/1990", want: "1990-12-25"},
		{in: "05/05/1990", want: "1990-05-05"},
		{in: "12-05-1990", want: "1990-05-12", swappable: true},
		{in: "12.05.1990", want: "1990-05-12", swappable: true},
		{in: "1990-05-12", want: "1990-05-12", swappable: true},
		{in: "1990/5/2", want: "1990-05-02", swappable: true},
		{in: "1990-12-25", want: "1990-12-25"},
		{in: "05/1990", want: "1990-05"},
		{in: "5/1990", want: "1990-05"},
		{in: "1990-05", want: "1990-05"},
		{in: "1990", want: "1990"},
		{in: " 1990 ", want: "1990"},
		{in: "1990-05-12T00:00:00", want: "1990-05-12", swappable: true},
		{in: "1990-05-12T00:00:00.000Z", want: "1990-05-12", swappable: true},
		{in: "1990-05-12T00:00:00+07:00", want: "1990-05-12", swappable: true},
		{in: "1990-05-12 00:00:00", want: "1990-05-12", swappable: true},
		{in: "1990-05-12 00:00", want: "1990-05-12", swappable: true},
		{in: "5/12/1990 12:00:00 AM", order: orderMDY, want: "1990-05-12", swappable: true},
		{in: "12/05/1990 0:00", want: "1990-05-12", swappable: true},
		{in: "1990-05-11T17:00:00.000Z", kind: KindBadDate, reason: "time of day"},
		{in: "1990-05-12 12:00:00 PM", kind: KindBadDate, reason: "time of day"},
		{in: "1990-05-12 00:00:01", kind: KindBadDate, reason: "time of day"},

		// Day/month unless only month/day is possible.
		{in: "05/13/1990", want: "1990-05-13"},
		{in: "13/05/1990", want: "1990-05-13"},
		{in: "13/13/1990", kind: KindBadDate, reason: "no month 13"},
		// A fixed order.
		{in: "05/12/1990", order: orderDMY, want: "1990-12-05", swappable: true},
		{in: "05/12/1990", order: orderMDY, want: "1990-05-12", swappable: true},
		{in: "05/13/1990", order: orderDMY, kind: KindBadDate, reason: "no month 13"},
		{in: "13/05/1990", order: orderMDY, kind: KindBadDate, reason: "no month 13"},
		{in: "1990-05-12", order: orderMDY, want: "1990-05-12", swappable: true},
		{in: "12/05/1990", order: orderYMD, kind: KindBadDate, reason: "declared yyyy-mm-dd"},
		{in: "05/1990", order: orderYMD, want: "1990-05"},

		// Two-digit years: the latest century not in the future.
		{in: "12-05-90", want: "1990-05-12", swappable: true},
		{in: "12-05-03", want: "2003-05-12", swappable: true},
		{in: "15-03-26", want: "2026-03-15"},
		{in: "16-03-26", want: "1926-03-16"},
		{in: "01/01/00", want: "2000-01-01"},
		{in: "29/02/28", want: "1928-02-29"},
		{in: "29/02/27", kind: KindBadDate, reason: "February has 28 days"},

		// Impossible dates.
		{in: "31/02/1990", kind: KindBadDate, reason: "February 1990 has 28 days"},
		{in: "29/02/1900", kind: KindBadDate, reason: "February 1900 has 28 days"},
		{in: "29/02/2000", want: "2000-02-29"},
		{in: "31/04/1990", kind: KindBadDate, reason: "April 1990 has 30 days"},
		{in: "00/05/1990", kind: KindBadDate, reason: "no day 0"},
		{in: "1990-00", kind: KindBadDate, reason: "no month 0"},
		{in: "0000", kind: KindBadDate, reason: "year 0 is before 1880"},
		{in: "12/05/1850", kind: KindBadDate, reason: "year 1850 is before 1880"},
		{in: "1880", want: "1880"},
		{in: "16/03/2026", kind: KindFutureDate, reason: "after today (2026-03-15)"},
		{in: "2026-04", kind: KindFutureDate, reason: "after today"},
		{in: "2027", kind: KindFutureDate, reason: "after today"},
		{in: "15/03/2026", want: "2026-03-15"},
		{in: "2026", want: "2026"},

		// Not dates.
		{in: "32874", kind: KindBadDate, reason: "Excel date serial number (32874 is 1990-01-01)"},
		{in: "19900512", kind: KindBadDate, reason: "no separators"},
		{in: "12/05-1990", kind: KindBadDate, reason: "mixes separators"},
		{in: "12//1990", kind: KindBadDate, reason: "known layout"},
		{in: "12/05/1990/1", kind: KindBadDate, reason: "known layout"},
		{in: "/05/1990", kind: KindBadDate, reason: "known layout"},
		{in: "12/05/", kind: KindBadDate, reason: "known layout"},
		{in: "12/05/199", kind: KindBadDate, reason: "known layout"},
		{in: "05/90", kind: KindBadDate, reason: "known layout"},
		{in: "123/05/1990", kind: KindBadDate, reason: "known layout"},
		{in: "May 12, 1990", kind: KindBadDate, reason: "known layout"},
		{in: "１２/05/1990", kind: KindBadDate, reason: "known layout"},
		{in: "T00:00", kind: KindBadDate, reason: "known layout"},
	}
	for _, tt := range tests {
		d, swappable, bad := parseDate(tt.in, tt.order, today)
		switch {
		case tt.kind == "" && bad != nil:
			t.Errorf("parseDate(%q) error %s: %s", tt.in, bad.kind, bad.reason)
		case tt.kind != "" && bad == nil:
			t.Errorf("parseDate(%q) = %s, want error %s", tt.in, d, tt.kind)
		case bad != nil && (bad.kind != tt.kind || !strings.Contains(bad.reason, tt.reason) || !strings.Contains(bad.reason, tt.in)):
			t.Errorf("parseDate(%q) error %s %q, want %s containing %q and the value", tt.in, bad.kind, bad.reason, tt.kind, tt.reason)
		case bad == nil && (d.String() != tt.want || swappable != tt.swappable):
			t.Errorf("parseDate(%q) = %s swappable %v, want %s %v", tt.in, d, swappable, tt.want, tt.swappable)
		case bad != nil && !d.IsZero():
			t.Errorf("parseDate(%q) = %s with an error", tt.in, d)
		}
	}
}

func TestParseDateFormat(t *testing.T) {
	tests := []struct {
		in   string
		want dateOrder
		ok   bool
	}{
		{"", orderAuto, true},
		{"dd/mm/yyyy", orderDMY, true},
		{"d/m/yyyy", orderDMY, true},
		{"DD-MM-YY", orderDMY, true},
		{"dd.mm.yyyy", orderDMY, true},
		{"mm/dd/yyyy", orderMDY, true},
		{"m/d/yy", orderMDY, true},
		{"yyyy-mm-dd", orderYMD, true},
		{"yyyy-dd-mm", 0, false},
		{"dd/mm", 0, false},
		{"dd/dd/yyyy", 0, false},
		{"ddmmyyyy", 0, false},
		{"%d/%m/%Y", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDateFormat(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDateFormat(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
