package web

import (
	"math"
	"strconv"

	"dancu/internal/usage"
)

// The statistics page's chart: requests per day as stacked bars, drawn by
// the template as inline SVG. No script draws it and no inline style
// colours it (the Content-Security-Policy allows neither): the geometry is
// computed here, the colours are classes of the stylesheet, and the
// mismatch segments are hatched as well as coloured, so that they are told
// apart without colour. The chart is a picture of the table under it,
// which has every number; its text alternative says so.

// barChart is the chart's geometry in SVG user units; the template scales
// it to the page with its viewBox.
type barChart struct {
	Width, Height int
	// Left, Right, Top and Bottom bound the plot area (formatted).
	Left, Right, Top, Bottom string
	Bars                     []chartBar
	Ticks                    []chartTick
	Labels                   []chartLabel
}

// chartBar is one day's bar: its segments bottom up, its total above it
// when there is room, and a tooltip (the SVG title) for pointer users.
type chartBar struct {
	Title          string
	Segments       []chartSegment
	Total          string
	TotalX, TotalY string
}

// chartSegment is one part of a bar; Kind names its stylesheet class:
// match, mismatch, not-found or other.
type chartSegment struct {
	Kind       string
	X, Y, W, H string
}

// chartTick is a line of the value axis with its label.
type chartTick struct {
	Y, Label string
}

// chartLabel is a day's label under the bars.
type chartLabel struct {
	X, Y, Text string
}

// dayCounts are the counts one bar stacks.
type dayCounts struct {
	Day                                 string // yyyy-mm-dd
	Requests, Match, Mismatch, NotFound int64
	Other                               int64 // lookups answered, errors
}

// chartDays sums rows by day over every day from first to last (both
// yyyy-mm-dd, first ≤ last), so that a day without requests is an empty
// bar rather than a missing one.
func chartDays(rows []usage.Row, days []string) []dayCounts {
	index := make(map[string]int, len(days))
	out := make([]dayCounts, len(days))
	for i, d := range days {
		index[d] = i
		out[i].Day = d
	}
	for _, r := range rows {
		i, ok := index[r.Day]
		if !ok {
			continue
		}
		c := &out[i]
		c.Requests += r.Requests
		c.Match += r.Matches
		c.Mismatch += r.Mismatches
		c.NotFound += r.NotFound
	}
	for i := range out {
		c := &out[i]
		c.Other = max(0, c.Requests-c.Match-c.Mismatch-c.NotFound)
	}
	return out
}

// The chart's layout, in SVG user units (CSS pixels at full size).
const (
	chartLeft      = 72  // room for the value axis' labels (9.999.999)
	chartRight     = 16  //
	chartTop       = 28  // room for the axis title and the tallest total
	chartPlot      = 180 // height of the plot area
	chartBottom    = 36  // room for the days' labels
	chartMinPlotW  = 720 // the plot's width when the bars fit in it
	chartMinSlot   = 4   // the narrowest a day's slot gets
	chartMaxBar    = 40  // the widest a bar gets
	chartLabelRoom = 48  // the width a day's label needs
	chartTotalRoom = 24  // the slot width from which totals are written
)

// newBarChart lays out days as bars. label writes a day under its bar;
// title writes a bar's tooltip; count writes a number.
func newBarChart(days []dayCounts, label func(day string) string, title func(dayCounts) string, count func(int64) string) *barChart {
	n := len(days)
	if n == 0 {
		return nil
	}
	plotW := float64(chartMinPlotW)
	if float64(n*chartMinSlot) > plotW {
		plotW = float64(n * chartMinSlot)
	}
	slot := plotW / float64(n)
	barW := math.Min(slot*0.7, chartMaxBar)
	if slot < 6 {
		barW = slot - 1
	}
	var most int64
	for _, d := range days {
		most = max(most, d.Requests)
	}
	top, step := niceScale(most)
	scale := float64(chartPlot) / float64(top)
	bottom := float64(chartTop + chartPlot)

	c := &barChart{
		Width:  chartLeft + int(math.Ceil(plotW)) + chartRight,
		Height: chartTop + chartPlot + chartBottom,
		Left:   coord(chartLeft), Right: coord(chartLeft + plotW),
		Top: coord(chartTop), Bottom: coord(bottom),
	}
	for v := int64(0); v <= top; v += step {
		c.Ticks = append(c.Ticks, chartTick{Y: coord(bottom - float64(v)*scale), Label: count(v)})
	}
	every := int(math.Ceil(chartLabelRoom / slot))
	for i, d := range days {
		x := chartLeft + float64(i)*slot + (slot-barW)/2
		b := chartBar{Title: title(d)}
		y := bottom
		for _, part := range []struct {
			kind string
			n    int64
		}{{"match", d.Match}, {"mismatch", d.Mismatch}, {"not-found", d.NotFound}, {"other", d.Other}} {
			if part.n == 0 {
				continue
			}
			// A segment of a few requests on a tall scale stays visible.
			h := math.Max(float64(part.n)*scale, 1.5)
			y -= h
			b.Segments = append(b.Segments, chartSegment{Kind: part.kind, X: coord(x), Y: coord(y), W: coord(barW), H: coord(h)})
		}
		if d.Requests > 0 && slot >= chartTotalRoom {
			b.Total, b.TotalX, b.TotalY = count(d.Requests), coord(x+barW/2), coord(y-4)
		}
		c.Bars = append(c.Bars, b)
		if i%every == 0 {
			c.Labels = append(c.Labels, chartLabel{X: coord(x + barW/2), Y: coord(bottom + 18), Text: label(d.Day)})
		}
	}
	return c
}

// niceScale returns the top of the value axis for values up to most, and
// the step between its lines: 1, 2 or 5 times a power of ten, three to
// six lines in all, zero included.
func niceScale(most int64) (top, step int64) {
	if most <= 4 {
		return 4, 1
	}
	raw := float64(most) / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			step = int64(m * pow)
			break
		}
	}
	top = (most + step - 1) / step * step
	return top, step
}

// coord formats an SVG coordinate to a tenth of a unit.
func coord(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
