package web

import (
	"strconv"
	"testing"

	"dancu/internal/usage"
)

func TestNiceScale(t *testing.T) {
	for _, c := range []struct{ most, top, step int64 }{
		{0, 4, 1}, {3, 4, 1}, {5, 5, 1}, {7, 8, 2}, {100, 100, 20}, {101, 150, 50}, {1284, 1500, 500}, {99999, 100000, 20000},
	} {
		top, step := niceScale(c.most)
		if top != c.top || step != c.step {
			t.Errorf("niceScale(%d) = %d, %d; want %d, %d", c.most, top, step, c.top, c.step)
		}
		if top < c.most || top/step > 6 {
			t.Errorf("niceScale(%d): top %d, %d lines", c.most, top, top/step+1)
		}
	}
}

func TestBarChart(t *testing.T) {
	rows := []usage.Row{
		{Day: "2026-06-01", AgencyID: "a", Operation: "verify", Counts: usage.Counts{Requests: 10, Matches: 6, Mismatches: 2, NotFound: 1, Errors: 1}},
		{Day: "2026-06-01", AgencyID: "b", Operation: "lookup", Counts: usage.Counts{Requests: 10, Found: 10}},
		{Day: "2026-06-03", AgencyID: "a", Operation: "verify", Counts: usage.Counts{Requests: 4, Matches: 4}},
		{Day: "2026-05-31", AgencyID: "a", Operation: "verify", Counts: usage.Counts{Requests: 99, Matches: 99}}, // outside
	}
	days := chartDays(rows, []string{"2026-06-01", "2026-06-02", "2026-06-03"})
	want := []dayCounts{
		{Day: "2026-06-01", Requests: 20, Match: 6, Mismatch: 2, NotFound: 1, Other: 11},
		{Day: "2026-06-02"},
		{Day: "2026-06-03", Requests: 4, Match: 4},
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("day %d: %+v, want %+v", i, days[i], want[i])
		}
	}
	c := newBarChart(days, func(d string) string { return d }, func(d dayCounts) string { return d.Day },
		func(n int64) string { return strconv.FormatInt(n, 10) })
	if len(c.Bars) != 3 || len(c.Bars[1].Segments) != 0 || len(c.Bars[0].Segments) != 4 || len(c.Labels) != 3 {
		t.Fatalf("chart %+v", c)
	}
	// The tallest bar reaches the top of the scale (20 of 20): its
	// segments add up to the plot's height.
	var h float64
	for _, s := range c.Bars[0].Segments {
		f, _ := strconv.ParseFloat(s.H, 64)
		h += f
	}
	if h < chartPlot-0.5 || h > chartPlot+0.5 {
		t.Errorf("tallest bar %v high, want %d", h, chartPlot)
	}
	if c.Bars[0].Segments[0].Kind != "match" || c.Bars[0].Segments[1].Kind != "mismatch" || c.Bars[0].Total != "20" {
		t.Errorf("first bar %+v", c.Bars[0])
	}

	// A year of days fits, with fewer labels than bars.
	var many []string
	for i := range 366 {
		many = append(many, strconv.Itoa(i))
	}
	c = newBarChart(chartDays(nil, many), func(d string) string { return d }, func(dayCounts) string { return "" },
		func(n int64) string { return strconv.FormatInt(n, 10) })
	if len(c.Bars) != 366 || len(c.Labels) > 366/8 || c.Width > 2000 {
		t.Errorf("a year: %d bars, %d labels, %d wide", len(c.Bars), len(c.Labels), c.Width)
	}
	if newBarChart(nil, nil, nil, nil) != nil {
		t.Error("a chart of no days")
	}
}
