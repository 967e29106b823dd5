package web

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/agency"
	"dancu/internal/eid"
	"dancu/internal/usage"
)

// UsageReader reads the usage statistics of connected agencies;
// *usage.Recorder satisfies it (its Query includes the counts not yet
// flushed to the store).
type UsageReader interface {
	Query(ctx context.Context, f usage.Filter) ([]usage.Row, error)
}

// The statistics page: what connected agencies asked of the register, per
// day (Vietnam time), agency and operation, for administrators.

const (
	// statsDefaultDays is the period shown when the form names none: the
	// last 30 days, today included.
	statsDefaultDays = 30
	// statsMaxDays bounds the period one page covers.
	statsMaxDays = 366
	// statsMaxRows bounds the rows of the table; the totals and the chart
	// cover every row.
	statsMaxRows = 1000
	// statsTopFields is how many discrepant fields a row of the table
	// names; the totals name twice as many.
	statsTopFields = 3
	// maxFilterBytes bounds a filter value shown again in the form.
	maxFilterBytes = 100
)

type statsBody struct {
	// The filter as typed (From and To as filled in when left empty).
	From, To, Agency, Operation string
	// Errors of the filter's fields, as message keys.
	FromError, ToError, AgencyError, OperationError string
	// AgencyOptions lists the agencies to choose from; without a list of
	// agencies the field is a text input for an agency's ID.
	AgencyOptions    []option
	OperationOptions []option
	// Period is the period shown, in words, and First and Last its days;
	// Shown is false when the filter was refused.
	Period      string
	First, Last string
	Shown       bool
	Rows        []statsRow
	// Truncated: there were more rows than the table shows.
	Truncated bool
	Total     statsRow
	Summary   []summaryItem
	Chart     *barChart
}

func (b statsBody) hasError() bool {
	return b.FromError != "" || b.ToError != "" || b.AgencyError != "" || b.OperationError != ""
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// statsRow is one line of the table: the counts of one day, agency and
// operation, formatted.
type statsRow struct {
	Day, DayISO       string
	Agency, Operation string
	Requests, Matches string
	Mismatches        string
	NotFound, Found   string
	Deceased, Errors  string
	Fields            []fieldCount
}

// fieldCount is a field that did not match, and in how many requests.
type fieldCount struct {
	Label, Count string
}

// summaryItem is one of the totals above the chart.
type summaryItem struct {
	Label, Count, Share string
}

// stats answers GET /officer/stats?from=&to=&agency=&operation=.
func (s *server) stats(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.Usage == nil {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return
	}
	if !s.allowed(w, r, a, eid.ReadStatistics) {
		return
	}
	ctx := r.Context()
	p := s.newPage(w, r, "stats.title")
	p.Account, p.Nav = &a, "stats"
	q := r.URL.Query()
	b := statsBody{
		From: clipInput(q.Get("from")), To: clipInput(q.Get("to")),
		Agency: clipInput(q.Get("agency")), Operation: clipInput(q.Get("operation")),
	}
	f, days := b.filter(s.today())

	// Agencies' names, for the form and the table; the page works without.
	names := map[string]string{}
	if s.Agencies != nil {
		list, err := s.Agencies.List(ctx)
		if err != nil {
			s.fail(w, r, &a, err)
			return
		}
		b.AgencyOptions = []option{{Value: "", Label: p.T("stats.agency.all"), Selected: b.Agency == ""}}
		for _, l := range list {
			names[l.ID] = l.Name
			b.AgencyOptions = append(b.AgencyOptions, option{Value: l.ID, Label: l.Name, Selected: l.ID == b.Agency})
		}
		if _, known := names[b.Agency]; b.Agency != "" && !known {
			b.AgencyError = "stats.error.agency"
		}
	}
	b.OperationOptions = []option{{Value: "", Label: p.T("stats.operation.all"), Selected: b.Operation == ""}}
	for _, op := range agency.Operations() {
		b.OperationOptions = append(b.OperationOptions, option{Value: string(op), Label: p.T("op." + string(op)), Selected: string(op) == b.Operation})
	}

	status := http.StatusOK
	if b.hasError() {
		status = http.StatusBadRequest
	} else {
		rows, err := s.Usage.Query(ctx, f)
		if err != nil {
			s.fail(w, r, &a, err)
			return
		}
		b.show(p, rows, days, names)
	}
	p.Body = b
	p.HasError = b.hasError()
	s.render(w, r, status, "stats", p)
}

// filter checks the form and returns the filter it asks for, with every
// day of its period; on an error the field's error is set.
func (b *statsBody) filter(today time.Time) (usage.Filter, []string) {
	to, from := today, today.AddDate(0, 0, 1-statsDefaultDays)
	if b.To != "" {
		if d, err := time.Parse(time.DateOnly, b.To); err == nil {
			to = d
		} else {
			b.ToError = "stats.error.date"
		}
	}
	if b.From != "" {
		if d, err := time.Parse(time.DateOnly, b.From); err == nil {
			from = d
		} else {
			b.FromError = "stats.error.date"
		}
	} else if b.To != "" {
		from = to.AddDate(0, 0, 1-statsDefaultDays)
	}
	if b.FromError == "" && b.ToError == "" {
		switch {
		case from.After(to):
			b.FromError = "stats.error.order"
		case to.Sub(from) >= statsMaxDays*24*time.Hour:
			b.FromError = "stats.error.range"
		}
	}
	if b.Operation != "" && !slices.Contains(agency.Operations(), agency.Operation(b.Operation)) {
		b.OperationError = "stats.error.operation"
	}
	if b.FromError != "" || b.ToError != "" {
		return usage.Filter{}, nil
	}
	b.From, b.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	var days []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	return usage.Filter{From: b.From, To: b.To, AgencyID: b.Agency, Operation: b.Operation}, days
}

// show fills in the table, totals and chart of rows.
func (b *statsBody) show(p *page, rows []usage.Row, days []string, names map[string]string) {
	l := p.Lang
	count := func(n int64) string { return formatCount(l, n) }
	agencyName := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	b.Shown = true
	b.First, b.Last = formatDay(l, b.From), formatDay(l, b.To)
	b.Period = p.T("stats.period", b.First, b.Last)
	slices.SortStableFunc(rows, func(x, y usage.Row) int {
		return cmp.Or(cmp.Compare(x.Day, y.Day), cmp.Compare(agencyName(x.AgencyID), agencyName(y.AgencyID)),
			cmp.Compare(x.AgencyID, y.AgencyID), cmp.Compare(x.Operation, y.Operation))
	})
	for i, r := range rows {
		if i == statsMaxRows {
			b.Truncated = true
			break
		}
		row := countsRow(p, r.Counts, statsTopFields)
		row.Day, row.DayISO = formatDay(l, r.Day), r.Day
		row.Agency, row.Operation = agencyName(r.AgencyID), p.textOr("op."+r.Operation, r.Operation)
		b.Rows = append(b.Rows, row)
	}
	if len(rows) == 0 {
		return
	}
	t := usage.Total(rows)
	b.Total = countsRow(p, t, 2*statsTopFields)
	for _, it := range []struct {
		label string
		n     int64
	}{{"col.matches", t.Matches}, {"col.mismatches", t.Mismatches}, {"col.not_found", t.NotFound},
		{"col.found", t.Found}, {"col.deceased", t.Deceased}, {"col.errors", t.Errors}} {
		b.Summary = append(b.Summary, summaryItem{Label: p.T(it.label), Count: count(it.n), Share: formatShare(l, it.n, t.Requests)})
	}
	b.Summary = slices.Insert(b.Summary, 0, summaryItem{Label: p.T("col.requests"), Count: count(t.Requests)})

	b.Chart = newBarChart(chartDays(rows, days),
		func(day string) string { return shortDay(l, day) },
		func(d dayCounts) string {
			return p.T("stats.chart.bar", formatDay(l, d.Day), count(d.Requests), count(d.Match), count(d.Mismatch), count(d.NotFound), count(d.Other))
		}, count)
}

// countsRow formats counts, naming its top most discrepant fields.
func countsRow(p *page, c usage.Counts, top int) statsRow {
	l := p.Lang
	row := statsRow{
		Requests: formatCount(l, c.Requests), Matches: formatCount(l, c.Matches), Mismatches: formatCount(l, c.Mismatches),
		NotFound: formatCount(l, c.NotFound), Found: formatCount(l, c.Found), Deceased: formatCount(l, c.Deceased),
		Errors: formatCount(l, c.Errors),
	}
	type fc struct {
		field string
		n     int64
	}
	var fields []fc
	for f, n := range c.FieldMismatches {
		if n > 0 {
			fields = append(fields, fc{f, n})
		}
	}
	slices.SortFunc(fields, func(x, y fc) int { return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.field, y.field)) })
	for _, f := range fields[:min(top, len(fields))] {
		row.Fields = append(row.Fields, fieldCount{Label: p.textOr("field."+f.field, f.field), Count: formatCount(l, f.n)})
	}
	return row
}

// shortDay writes a day under a bar of the chart: 15/06 in Vietnamese,
// 06-15 in English.
func shortDay(l lang, day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if l == en {
		return d.Format("01-02")
	}
	return d.Format("02/01")
}

// today is the current day in Vietnam, the day usage counts are kept by.
func (s *server) today() time.Time {
	y, m, d := s.now().In(vietnam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// clipInput trims a query value and bounds its length, so that what the
// form shows again stays small.
func clipInput(v string) string {
	v = strings.TrimSpace(v)
	if len(v) <= maxFilterBytes {
		return v
	}
	cut := maxFilterBytes
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut]
}

// refuse logs that a was refused action here and answers the 403 page,
// with the message of key ("" for the page's own).
func (s *server) refuse(w http.ResponseWriter, r *http.Request, a eid.Account, action eid.Action, key string) {
	s.log.InfoContext(r.Context(), "forbidden", slog.String("route", r.Pattern), slog.String("account", a.ID),
		slog.String("role", string(a.Role)), slog.String("area", a.Area), slog.String("action", string(action)))
	if key == "" {
		s.errorPage(w, r, http.StatusForbidden, &a)
		return
	}
	s.errorPageWith(w, r, http.StatusForbidden, &a, key)
}

// allowed reports whether a may take action, an administrator's, and
// answers the 403 page when not.
func (s *server) allowed(w http.ResponseWriter, r *http.Request, a eid.Account, action eid.Action) bool {
	if a.Can(action, eid.Place{}) {
		return true
	}
	s.log.InfoContext(r.Context(), "forbidden", slog.String("route", r.Pattern), slog.String("account", a.ID),
		slog.String("role", string(a.Role)), slog.String("action", string(action)))
	s.errorPageWith(w, r, http.StatusForbidden, &a, "error.admin")
	return false
}

// textOr returns key's text, or fallback when the catalog lacks key (a
// code the catalog does not know yet, such as a new field).
func (p *page) textOr(key, fallback string) string {
	if _, ok := p.msgs[key]; !ok {
		return fallback
	}
	return p.T(key)
}
