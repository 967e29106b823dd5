package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"dancu/internal/eid"
	"dancu/internal/ident"
	"dancu/internal/pid"
	"dancu/internal/reconcile"
	"dancu/internal/registry"
	"dancu/internal/store"
)

// ReconcileStore keeps the runs of dancu reconcile, the review queue of
// the records each could not decide, and the correction requests officers
// raise from it; *store.DB satisfies it. An unknown run, item or request
// is an error matching store.ErrNotFound, refused input one matching
// store.ErrInvalid.
type ReconcileStore interface {
	ReconcileRuns(ctx context.Context, limit int) ([]store.ReconcileRun, error)
	ReconcileRun(ctx context.Context, id string) (store.ReconcileRun, error)
	ReviewItems(ctx context.Context, runID string, pendingOnly bool, limit, offset int) ([]store.ReviewItem, error)
	ReviewItem(ctx context.Context, id int64) (store.ReviewItem, error)
	DecideReview(ctx context.Context, itemID int64, accepted pid.PID, officer string) error
	AddCorrectionRequest(ctx context.Context, r store.CorrectionRequest) (int64, error)
	CorrectionRequests(ctx context.Context, status string, limit int) ([]store.CorrectionRequest, error)
	CorrectionRequest(ctx context.Context, id int64) (store.CorrectionRequest, error)
	ResolveCorrectionRequest(ctx context.Context, id int64, status, officer string) error
}

// The reconciliation pages. A run of dancu reconcile (or of the API's
// reconcile operation) is saved with the records it could not decide;
// here officers read the runs, decide those records (one candidate is the
// record's citizen, or none is) and raise correction requests where the
// register, not the agency, looks wrong. The next run of the dataset
// reuses the decisions. Nothing here changes the register: a correction
// is made through the register's own correction workflow, from the
// citizen's page.
//
// Who sees what. Every signed-in officer may open the pages, and each
// item shows only what the officer may see: a candidate's register values
// to an officer who may read that citizen (eid.ReadCitizen at the
// citizen's place, as the citizen page checks); an item none of whose
// candidates the officer may read shows neither the agency's values nor
// the candidates. Deciding says who the record is among the candidates,
// so it needs eid.RecordEvent at every candidate's place; resolving a
// correction request needs it at the citizen's.

// Sizes of the pages' lists.
const (
	runsShown        = 100
	reviewPageSize   = 20
	correctionsShown = 200
	// correctionsRead is how many of the latest requests are read to find
	// those an officer of an area may see.
	correctionsRead = 1000
	// Bounds of a correction request's proposed value and note, in
	// characters (as the form's maxlength counts them): within the
	// store's bounds in bytes, and URL-encoded within maxFormBytes.
	maxProposedRunes = 300
	maxNoteRunes     = 1000
)

// reconcileDown answers 404 when the server has no reconciliation store,
// reporting whether it did.
func (s *server) reconcileDown(w http.ResponseWriter, r *http.Request, a eid.Account) bool {
	if s.Reconcile == nil {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return true
	}
	return false
}

// citizens reads the candidates of one request's items once each.
type citizens struct {
	s   *server
	ctx context.Context
	m   map[pid.PID]registry.CitizenView
}

func (s *server) citizens(ctx context.Context) *citizens {
	return &citizens{s: s, ctx: ctx, m: map[pid.PID]registry.CitizenView{}}
}

// view returns the citizen numbered n and where the citizen belongs; a
// number no longer in the register gives the zero view, whose place no
// officer of an area matches.
func (c *citizens) view(n pid.PID) (registry.CitizenView, eid.Place, error) {
	v, ok := c.m[n]
	if !ok {
		var err error
		v, err = c.s.Register.Citizen(c.ctx, n)
		if errors.Is(err, registry.ErrNotFound) || errors.Is(err, registry.ErrInvalid) || errors.Is(err, pid.ErrMalformed) {
			v, err = registry.CitizenView{}, nil
		}
		if err != nil {
			return registry.CitizenView{}, eid.Place{}, err
		}
		c.m[n] = v
	}
	if v.PID == "" {
		return v, eid.Place{}, nil
	}
	return v, PlaceOf(v), nil
}

// mayDecide reports whether a may decide the item: record events at
// every candidate's place.
func (c *citizens) mayDecide(a eid.Account, it store.ReviewItem) (bool, error) {
	for _, cand := range it.Candidates {
		_, place, err := c.view(cand.PID)
		if err != nil {
			return false, err
		}
		if !a.Can(eid.RecordEvent, place) {
			return false, nil
		}
	}
	return true, nil
}

// The runs page.

type reconcileRunsBody struct {
	Runs      []runRow
	Truncated bool
}

type runRow struct {
	ID, Href, Dataset, Source string
	FromCLI                   bool
	Started, StartedISO       string
	Finished, FinishedISO     string
	Records                   string
	Statuses                  []statusCount
	Reviews, Pending          string
	HasReviews, HasPending    bool
}

type statusCount struct {
	Code, Label, Count, Share string
}

// reconcileRuns answers GET /officer/reconcile.
func (s *server) reconcileRuns(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.reconcileDown(w, r, a) {
		return
	}
	runs, err := s.Reconcile.ReconcileRuns(r.Context(), runsShown)
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	names, err := s.agencyNames(r.Context())
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	p := s.newPage(w, r, "reconcile.title")
	p.Account, p.Nav = &a, "reconcile"
	b := reconcileRunsBody{Truncated: len(runs) == runsShown}
	for _, run := range runs {
		b.Runs = append(b.Runs, runRowOf(p, run, names))
	}
	p.Body = b
	s.render(w, r, http.StatusOK, "reconcile", p)
}

// agencyNames maps agencies' IDs to their names, when the console knows
// the agencies.
func (s *server) agencyNames(ctx context.Context) (map[string]string, error) {
	names := map[string]string{}
	if s.Agencies == nil {
		return names, nil
	}
	list, err := s.Agencies.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range list {
		names[l.ID] = l.Name
	}
	return names, nil
}

func runRowOf(p *page, run store.ReconcileRun, names map[string]string) runRow {
	l := p.Lang
	row := runRow{
		ID: run.ID, Href: runURL(run.ID), Dataset: run.Dataset, Source: names[run.AgencyID], FromCLI: run.AgencyID == "",
		Started: formatTime(l, run.StartedAt), StartedISO: isoTime(run.StartedAt),
		Finished: formatTime(l, run.FinishedAt), FinishedISO: isoTime(run.FinishedAt),
		Records: formatCount(l, run.Records), Reviews: formatCount(l, run.Reviews), Pending: formatCount(l, run.Pending),
		HasReviews: run.Reviews > 0, HasPending: run.Pending > 0,
	}
	if row.Source == "" {
		row.Source = run.AgencyID
	}
	row.Statuses = statusCounts(p, run.Statuses, run.Records, false)
	return row
}

// statusCounts lists a run's counts in the reports' order, then any
// status this dancu does not know; all of them, or only those not zero.
func statusCounts(p *page, counts map[string]int64, records int64, all bool) []statusCount {
	var out []statusCount
	add := func(code string, n int64) {
		if n == 0 && !all {
			return
		}
		out = append(out, statusCount{Code: code, Label: p.textOr("rstatus."+code, code),
			Count: formatCount(p.Lang, n), Share: formatShare(p.Lang, n, records)})
	}
	known := map[string]bool{}
	for _, st := range reconcile.Statuses {
		known[string(st)] = true
		add(string(st), counts[string(st)])
	}
	var other []string
	for code := range counts {
		if !known[code] {
			other = append(other, code)
		}
	}
	slices.Sort(other)
	for _, code := range other {
		add(code, counts[code])
	}
	return out
}

func runURL(id string) string { return "/officer/reconcile/" + url.PathEscape(id) }

// The run's page: its summary and its review queue.

type reconcileRunBody struct {
	Run      runRow
	Statuses []statusCount
	// Score is the scorecard; empty when the report has none.
	Score []scoreItem
	// Provinces is the scorecard by 2025 province.
	Provinces   []provinceRow
	ReviewShare string
	Items       []reviewView
	// PendingOnly: the queue shows the items still to decide.
	PendingOnly bool
	// AllHref and PendingHref switch between the whole queue and the
	// pending items.
	AllHref, PendingHref string
	Page, Pages          int
	PrevHref, NextHref   string
	// Done is the decision just recorded, shown once at the top.
	Done *doneDecision
}

type scoreItem struct {
	Label, Value, About string
}

type doneDecision struct {
	Anchor, Key, Text string
}

// reviewView is one item of the queue.
type reviewView struct {
	ID         int64
	Anchor     string
	Key, Line  string
	Status     string // the decision's code: "" (pending), "accepted", "rejected"
	StatusText string
	// Decided says who decided what, and when.
	Decided, DecidedBy, DecidedAt, DecidedISO string
	// Hidden: none of the candidates is within the officer's area.
	Hidden bool
	// CanDecide: the officer may record events at every candidate's
	// place.
	CanDecide  bool
	Candidates []candidateView
	Rows       []compareRow
	// CorrectionHref is the correction request form, when the record
	// gives a field a correction can change.
	CorrectionHref string
	// Page and PendingOnly bring the officer back to the same page of
	// the queue after a decision.
	Page        int
	PendingOnly bool
}

type candidateView struct {
	N                int
	PID, Name, Href  string
	Probability      string
	Visible, Missing bool
	Chosen           bool
	// Who names the candidate for a screen reader's list of buttons.
	Who string
}

type compareRow struct {
	Label       string
	Record      string
	RecordEmpty bool
	Cells       []compareCell
}

type compareCell struct {
	Value  string
	Notes  []note
	Empty  bool
	Hidden bool
	// Differs: the run found the record's value different from this
	// citizen's.
	Differs bool
}

// reportSummary is what the run's page shows of report.json.
type reportSummary struct {
	ReviewShare *float64       `json:"review_share"`
	Scorecard   *reportScore   `json:"scorecard"`
	Provinces   []reportRegion `json:"provinces"`
}

type reportScore struct {
	Correct  *float64 `json:"correct"`
	Complete *float64 `json:"complete"`
	Clean    *float64 `json:"clean"`
	Live     *float64 `json:"live"`
	Records  int64    `json:"records"`
	Linked   int64    `json:"linked"`
}

type reportRegion struct {
	Name      string           `json:"name"`
	Statuses  map[string]int64 `json:"statuses"`
	Scorecard reportScore      `json:"scorecard"`
}

// provinceRow is a province's line of the run's scorecard by province.
type provinceRow struct {
	Name                           string
	Records, Linked, Review        int64
	Correct, Complete, Clean, Live string
}

func provinceRows(p *page, regions []reportRegion) []provinceRow {
	ratio := func(f *float64) string {
		if f == nil {
			return ""
		}
		return formatRatio(p.Lang, *f)
	}
	rows := make([]provinceRow, 0, len(regions))
	for _, r := range regions {
		rows = append(rows, provinceRow{Name: r.Name, Records: r.Scorecard.Records, Linked: r.Scorecard.Linked,
			Review: r.Statuses["ambiguous"], Correct: ratio(r.Scorecard.Correct), Complete: ratio(r.Scorecard.Complete),
			Clean: ratio(r.Scorecard.Clean), Live: ratio(r.Scorecard.Live)})
	}
	return rows
}

// reconcileRun answers GET /officer/reconcile/{run}: ?pending=1 shows only
// the items still to decide, ?page=N the queue's Nth page, ?done=ID the
// decision just recorded on item ID.
func (s *server) reconcileRun(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.reconcileDown(w, r, a) {
		return
	}
	ctx := r.Context()
	id := r.PathValue("run")
	if !ident.ValidID(id) {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return
	}
	run, err := s.Reconcile.ReconcileRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return
	}
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	names, err := s.agencyNames(ctx)
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	p := s.newPage(w, r, "reconcile.run.title")
	p.TitleArgs = []any{run.Dataset}
	p.Account, p.Nav = &a, "reconcile"
	q := r.URL.Query()
	b := reconcileRunBody{Run: runRowOf(p, run, names), PendingOnly: q.Get("pending") == "1",
		Statuses: statusCounts(p, run.Statuses, run.Records, true)}
	b.AllHref, b.PendingHref = runURL(run.ID)+"#queue", runURL(run.ID)+"?pending=1#queue"

	var rep reportSummary
	if json.Unmarshal(run.Report, &rep) == nil {
		if rep.ReviewShare != nil {
			b.ReviewShare = formatRatio(p.Lang, *rep.ReviewShare)
		}
		b.Provinces = provinceRows(p, rep.Provinces)
		if sc := rep.Scorecard; sc != nil {
			for _, item := range []struct {
				key   string
				value *float64
			}{{"correct", sc.Correct}, {"complete", sc.Complete}, {"clean", sc.Clean}, {"live", sc.Live}} {
				if item.value != nil {
					b.Score = append(b.Score, scoreItem{Label: p.T("score." + item.key), About: p.T("score." + item.key + ".about"),
						Value: formatRatio(p.Lang, *item.value)})
				}
			}
		}
	}

	total := run.Reviews
	if b.PendingOnly {
		total = run.Pending
	}
	b.Pages = max(1, int((total+reviewPageSize-1)/reviewPageSize))
	b.Page = 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil {
		b.Page = min(max(n, 1), b.Pages)
	}
	pageURL := func(n int) string {
		v := url.Values{}
		if b.PendingOnly {
			v.Set("pending", "1")
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return runURL(run.ID) + "#queue"
		}
		return runURL(run.ID) + "?" + v.Encode() + "#queue"
	}
	if b.Page > 1 {
		b.PrevHref = pageURL(b.Page - 1)
	}
	if b.Page < b.Pages {
		b.NextHref = pageURL(b.Page + 1)
	}
	items, err := s.Reconcile.ReviewItems(ctx, run.ID, b.PendingOnly, reviewPageSize, (b.Page-1)*reviewPageSize)
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	cs := s.citizens(ctx)
	rb := recordBuilder{s: s, r: r, p: p, a: a}
	for _, it := range items {
		v, err := rb.review(cs, it)
		if err != nil {
			s.fail(w, r, &a, err)
			return
		}
		v.Page, v.PendingOnly = b.Page, b.PendingOnly
		b.Items = append(b.Items, v)
	}
	if done, err := strconv.ParseInt(q.Get("done"), 10, 64); err == nil {
		it, err := s.Reconcile.ReviewItem(ctx, done)
		if err == nil && it.RunID == run.ID && it.Decision != store.DecisionPending {
			if v, err := rb.review(cs, it); err == nil && !v.Hidden {
				b.Done = &doneDecision{Anchor: v.Anchor, Key: v.Key, Text: v.Decided}
			}
		}
	}
	p.Body = b
	s.render(w, r, http.StatusOK, "reconcile_run", p)
}

// comparedFields are the rows of an item's comparison: the record's
// fields (reconcile's input names). pid and full_name to
// permanent_address are always shown, the others when the record gives
// them.
var comparedFields = []struct {
	name   string
	always bool
	// label is the row's heading in the comparison, short (or with soft
	// hyphens) for a phone's narrow column.
	label string
}{
	{"pid", true, "review.row.pid"}, {"old_id_number", false, "review.row.old_id_number"},
	{"full_name", true, "review.row.full_name"}, {"date_of_birth", true, "review.row.date_of_birth"},
	{"gender", true, "review.row.gender"}, {"permanent_address", true, "review.row.permanent_address"},
	{"phone", false, "review.row.phone"},
}

// review builds an item's view: the agency's record beside each
// candidate the officer may read.
func (b recordBuilder) review(cs *citizens, it store.ReviewItem) (reviewView, error) {
	l := b.p.Lang
	v := reviewView{ID: it.ID, Anchor: "item-" + strconv.FormatInt(it.ID, 10), Key: it.RecordKey,
		Line: formatCount(l, it.Line), Status: it.Decision, StatusText: b.t("review.status.pending")}
	views := make([]registry.CitizenView, len(it.Candidates))
	visible := 0
	for i, c := range it.Candidates {
		cv, place, err := cs.view(c.PID)
		if err != nil {
			return v, err
		}
		views[i] = cv
		cand := candidateView{N: i + 1, Probability: formatRatio(l, c.Probability),
			Visible: b.a.Can(eid.ReadCitizen, place), Missing: cv.PID == "", Chosen: it.Decision == store.DecisionAccepted && it.DecidedPID == c.PID}
		if cand.Visible {
			visible++
			cand.PID = string(c.PID)
			cand.Name = cv.FullName
			if !cand.Missing {
				cand.Href = citizenURL(c.PID)
			}
			cand.Who = b.t("review.who", i+1, cv.FullName, string(c.PID))
			if cand.Missing {
				cand.Who = b.t("review.who_missing", i+1, string(c.PID))
			}
		}
		v.Candidates = append(v.Candidates, cand)
	}
	v.Hidden = visible == 0
	if v.Hidden {
		return v, nil
	}
	var err error
	if v.CanDecide, err = cs.mayDecide(b.a, it); err != nil {
		return v, err
	}
	switch it.Decision {
	case store.DecisionAccepted:
		v.StatusText = b.t("review.status.accepted")
		who := string(it.DecidedPID)
		for i, c := range it.Candidates {
			if c.PID == it.DecidedPID && v.Candidates[i].Visible && views[i].FullName != "" {
				who = views[i].FullName + " (" + who + ")"
			}
		}
		v.Decided = b.t("review.decided.accepted", who)
	case store.DecisionRejected:
		v.StatusText = b.t("review.status.rejected")
		v.Decided = b.t("review.decided.rejected")
	}
	if it.Decision != store.DecisionPending {
		v.DecidedBy = it.DecidedBy
		if it.DecidedBy == b.a.ID {
			v.DecidedBy = b.t("review.decided.you")
		}
		v.DecidedAt, v.DecidedISO = formatTime(l, it.DecidedAt), isoTime(it.DecidedAt)
	}

	for _, f := range comparedFields {
		value := it.Record[f.name]
		if value == "" && !f.always {
			continue
		}
		row := compareRow{Label: b.t(f.label), Record: value, RecordEmpty: value == ""}
		for i, c := range it.Candidates {
			cell := compareCell{Hidden: !v.Candidates[i].Visible}
			if !cell.Hidden {
				fv := b.candidateValue(views[i], f.name)
				cell.Value, cell.Notes, cell.Empty = fv.Value, fv.Notes, fv.Empty
				// The run compares a number given as pid or as
				// old_id_number under one name, "pid".
				differs := f.name
				if f.name == "old_id_number" {
					differs = "pid"
				}
				cell.Differs = value != "" && slices.Contains(c.Differing, differs)
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	if len(correctableFrom(it)) > 0 {
		v.CorrectionHref = "/officer/reconcile/items/" + strconv.FormatInt(it.ID, 10) + "/correction"
	}
	return v, nil
}

// candidateValue is a candidate's register value of a compared field,
// shown as the citizen's page shows it.
func (b recordBuilder) candidateValue(v registry.CitizenView, name string) field {
	if v.PID == "" {
		return field{Empty: true}
	}
	switch name {
	case "pid":
		return b.text("field.pid", string(v.PID))
	case "old_id_number":
		return b.text("field.old_id_number", v.OldIDNumber)
	case "full_name":
		return b.text("field.full_name", v.FullName)
	case "date_of_birth":
		return b.text("field.date_of_birth", formatDate(b.p.Lang, v.DateOfBirth))
	case "gender":
		return b.text("field.gender", b.enum("gender", v.Gender.String()))
	case "permanent_address":
		return b.address("field.permanent_address", v, "permanent_address")
	case "phone":
		return b.text("field.phone", v.Phone)
	}
	return field{Empty: true}
}

// refusedWrite answers the error of a review decision or a correction's
// resolution, if any, and reports whether it did: the store's ErrInvalid
// with status and the page of message, ErrNotFound with 404, any other as
// a failure.
func (s *server) refusedWrite(w http.ResponseWriter, r *http.Request, a eid.Account, err error, status int, message string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrInvalid):
		s.errorPageWith(w, r, status, &a, message)
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, &a)
	default:
		s.fail(w, r, &a, err)
	}
	return true
}

// decideReview answers POST /officer/reconcile/items/{item}/decision: the
// form's decision is "accept" with the candidate's pid, or "reject".
func (s *server) decideReview(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.reconcileDown(w, r, a) {
		return
	}
	if !s.checkCSRF(w, r) {
		return
	}
	ctx := r.Context()
	it, ok := byPathID(s, w, r, a, "item", s.Reconcile.ReviewItem)
	if !ok {
		return
	}
	var accepted pid.PID
	switch r.PostFormValue("decision") {
	case "accept":
		accepted = pid.PID(r.PostFormValue("pid"))
		if accepted == "" {
			s.errorPageWith(w, r, http.StatusBadRequest, &a, "error.review_candidate")
			return
		}
	case "reject":
	default:
		s.errorPageWith(w, r, http.StatusBadRequest, &a, "error.review_decision")
		return
	}
	ok, err := s.citizens(ctx).mayDecide(a, it)
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	if !ok {
		s.refuse(w, r, a, eid.RecordEvent, "error.review_area")
		return
	}
	err = s.Reconcile.DecideReview(ctx, it.ID, accepted, a.ID)
	if s.refusedWrite(w, r, a, err, http.StatusBadRequest, "error.review_candidate") {
		return
	}
	decision := store.DecisionAccepted
	if accepted == "" {
		decision = store.DecisionRejected
	}
	s.log.InfoContext(ctx, "review decided", slog.Int64("item", it.ID), slog.String("run", it.RunID),
		slog.String("decision", decision), slog.String("account", a.ID))
	back := url.Values{"done": {strconv.FormatInt(it.ID, 10)}}
	if r.PostFormValue("pending") == "1" {
		back.Set("pending", "1")
	}
	if n, err := strconv.Atoi(r.PostFormValue("page")); err == nil && n > 1 {
		back.Set("page", strconv.Itoa(n))
	}
	http.Redirect(w, r, runURL(it.RunID)+"?"+back.Encode()+"#item-"+strconv.FormatInt(it.ID, 10), http.StatusSeeOther)
}

// Correction requests from a review item.

type correctionFormBody struct {
	ItemID           int64
	Action, BackHref string
	Dataset, Key     string
	Line             string
	// Record is the agency's values, for the officer to copy from.
	Record     []field
	Candidates []option
	Fields     []option
	Value      string
	Note       string
	// The fields' errors, as message keys.
	PIDError, FieldError, ValueError, NoteError string
}

// correctableFrom lists the fields of the item's record that a
// correction can change, in registry.CorrectableFields' order.
func correctableFrom(it store.ReviewItem) []string {
	var out []string
	for _, f := range registry.CorrectableFields() {
		if it.Record[f] != "" {
			out = append(out, f)
		}
	}
	return out
}

// byPathID reads what the path's numeric wildcard name identifies with
// get, answering the request itself (404 for a malformed or unknown ID)
// and returning false when there is nothing to go on with.
func byPathID[T any](s *server, w http.ResponseWriter, r *http.Request, a eid.Account, name string,
	get func(context.Context, int64) (T, error)) (T, bool) {
	var zero T
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return zero, false
	}
	v, err := get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return zero, false
	}
	if err != nil {
		s.fail(w, r, &a, err)
		return zero, false
	}
	return v, true
}

// correctionItem reads the item of a correction request's form and the
// candidates the officer may read, answering the request itself (and
// returning false) when there is none.
func (s *server) correctionItem(w http.ResponseWriter, r *http.Request, a eid.Account, cs *citizens) (store.ReviewItem, []pid.PID, bool) {
	it, ok := byPathID(s, w, r, a, "item", s.Reconcile.ReviewItem)
	if !ok {
		return it, nil, false
	}
	var readable []pid.PID
	for _, c := range it.Candidates {
		v, place, err := cs.view(c.PID)
		if err != nil {
			s.fail(w, r, &a, err)
			return it, nil, false
		}
		if v.PID != "" && a.Can(eid.ReadCitizen, place) {
			readable = append(readable, c.PID)
		}
	}
	if len(readable) == 0 {
		s.errorPageWith(w, r, http.StatusForbidden, &a, "error.review_area")
		return it, nil, false
	}
	return it, readable, true
}

// correctionForm answers GET /officer/reconcile/items/{item}/correction;
// ?pid= and ?field= choose the citizen and the field.
func (s *server) correctionForm(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.reconcileDown(w, r, a) {
		return
	}
	cs := s.citizens(r.Context())
	it, readable, ok := s.correctionItem(w, r, a, cs)
	if !ok {
		return
	}
	q := r.URL.Query()
	who := pid.PID(q.Get("pid"))
	if !slices.Contains(readable, who) {
		who = readable[0]
		if slices.Contains(readable, it.DecidedPID) {
			who = it.DecidedPID
		}
	}
	fields := correctableFrom(it)
	chosen := q.Get("field")
	if !slices.Contains(fields, chosen) && len(fields) > 0 {
		chosen = fields[0]
		// The first field the run found different, if a correction can
		// change it.
		for _, c := range it.Candidates {
			if c.PID != who {
				continue
			}
			for _, f := range c.Differing {
				if f == "pid" {
					f = "old_id_number"
				}
				if slices.Contains(fields, f) {
					chosen = f
					break
				}
			}
		}
	}
	p := s.newPage(w, r, "correction.title")
	p.Account, p.Nav = &a, "reconcile"
	b := s.correctionFormBody(p, cs, it, readable, who, chosen)
	b.Value = proposedValue(chosen, it.Record[chosen])
	p.Body = b
	s.render(w, r, http.StatusOK, "reconcile_correction", p)
}

func (s *server) correctionFormBody(p *page, cs *citizens, it store.ReviewItem, readable []pid.PID, who pid.PID, chosen string) correctionFormBody {
	id := strconv.FormatInt(it.ID, 10)
	b := correctionFormBody{ItemID: it.ID, Action: "/officer/reconcile/items/" + id + "/correction",
		BackHref: runURL(it.RunID) + "#item-" + id, Dataset: it.Dataset, Key: it.RecordKey, Line: formatCount(p.Lang, it.Line)}
	correctable := correctableFrom(it)
	for _, f := range comparedFields {
		value := it.Record[f.name]
		if value == "" {
			continue
		}
		fv := field{Label: p.T("field." + f.name), Value: value}
		if slices.Contains(correctable, f.name) && slices.Contains(readable, who) {
			// The form again, with this field and its value filled in.
			fv.Href = b.Action + "?" + url.Values{"pid": {string(who)}, "field": {f.name}}.Encode()
		}
		b.Record = append(b.Record, fv)
	}
	for _, n := range readable {
		v, _, _ := cs.view(n) // read by correctionItem
		b.Candidates = append(b.Candidates, option{Value: string(n), Label: v.FullName + " (" + string(n) + ")", Selected: n == who})
	}
	for _, f := range correctable {
		b.Fields = append(b.Fields, option{Value: f, Label: p.T("field." + f), Selected: f == chosen})
	}
	return b
}

// dayMonthYear is a date as Vietnamese files write it, 06/06/1995.
var dayMonthYear = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$`)

// proposedValue is the agency's value of field as the register writes
// it, where that is plain: a date day first becomes yyyy-mm-dd.
func proposedValue(field, value string) string {
	value = strings.TrimSpace(value)
	if field != "date_of_birth" {
		return value
	}
	if m := dayMonthYear.FindStringSubmatch(value); m != nil {
		day, _ := strconv.Atoi(m[1])
		month, _ := strconv.Atoi(m[2])
		year, _ := strconv.Atoi(m[3])
		if d := (registry.Date{Year: year, Month: month, Day: day}); d.Validate() == nil {
			return d.String()
		}
	}
	return value
}

// requestCorrection answers POST /officer/reconcile/items/{item}/correction.
func (s *server) requestCorrection(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.reconcileDown(w, r, a) {
		return
	}
	if !s.checkCSRF(w, r) {
		return
	}
	ctx := r.Context()
	cs := s.citizens(ctx)
	it, readable, ok := s.correctionItem(w, r, a, cs)
	if !ok {
		return
	}
	who := pid.PID(r.PostFormValue("pid"))
	chosen := r.PostFormValue("field")
	value := strings.TrimSpace(r.PostFormValue("value"))
	note := strings.TrimSpace(r.PostFormValue("note"))
	p := s.newPage(w, r, "correction.title")
	p.Account, p.Nav = &a, "reconcile"
	b := s.correctionFormBody(p, cs, it, readable, who, chosen)
	b.Value, b.Note = value, note
	if !slices.Contains(readable, who) {
		b.PIDError = "correction.error.pid"
	}
	if !slices.Contains(correctableFrom(it), chosen) {
		b.FieldError = "correction.error.field"
	}
	switch {
	case value == "":
		b.ValueError = "correction.error.value"
	case !utf8.ValidString(value) || utf8.RuneCountInString(value) > maxProposedRunes:
		b.ValueError = "correction.error.value_long"
	}
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > maxNoteRunes {
		b.NoteError = "correction.error.note_long"
	}
	if b.PIDError != "" || b.FieldError != "" || b.ValueError != "" || b.NoteError != "" {
		if b.ValueError == "correction.error.value_long" {
			b.Value = ""
		}
		if b.NoteError != "" {
			b.Note = ""
		}
		p.Body, p.HasError = b, true
		s.render(w, r, http.StatusBadRequest, "reconcile_correction", p)
		return
	}
	v, _, _ := cs.view(who) // read by correctionItem
	id, err := s.Reconcile.AddCorrectionRequest(ctx, store.CorrectionRequest{
		PID: who, Field: chosen, RegisterValue: registerValue(v, chosen), ProposedValue: value,
		Source: "reconcile:" + it.Dataset + ":" + it.RecordKey, Note: note, CreatedBy: a.ID,
	})
	if errors.Is(err, store.ErrInvalid) {
		s.errorPageWith(w, r, http.StatusBadRequest, &a, "error.correction_refused")
		return
	}
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	s.log.InfoContext(ctx, "correction requested", slog.Int64("request", id), slog.Int64("item", it.ID),
		slog.String("field", chosen), slog.String("account", a.ID))
	ref := strconv.FormatInt(id, 10)
	http.Redirect(w, r, "/officer/corrections?done="+ref+"#request-"+ref, http.StatusSeeOther)
}

// registerValue is the register's value of a field a review item's
// record gives and a correction can change, as the correction workflow
// writes it.
func registerValue(v registry.CitizenView, field string) string {
	switch field {
	case "full_name":
		return v.FullName
	case "date_of_birth":
		return v.DateOfBirth.String()
	case "old_id_number":
		return v.OldIDNumber
	case "phone":
		return v.Phone
	}
	return ""
}

// The correction requests page.

type correctionsBody struct {
	Filters   []option
	Status    string
	Requests  []correctionRow
	Truncated bool
	Done      *correctionDone
}

type correctionRow struct {
	ID, Anchor                 string
	PID, Name, Href            string
	Field                      string
	RegisterValue, Proposed    string
	Source, Note               string
	CreatedBy                  string
	Created, CreatedISO        string
	Status, StatusCode         string
	ResolvedBy                 string
	Resolved, ResolvedISO      string
	Pending, CanResolve, Known bool
}

type correctionDone struct {
	Anchor, Text string
}

// corrections answers GET /officer/corrections: ?status= is pending (the
// default), applied, dismissed or all; ?done=ID the request just made or
// resolved.
func (s *server) corrections(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.reconcileDown(w, r, a) {
		return
	}
	ctx := r.Context()
	status := r.URL.Query().Get("status")
	switch status {
	case store.CorrectionApplied, store.CorrectionDismissed, "all":
	default:
		status = store.CorrectionPending
	}
	asked := status
	if status == "all" {
		asked = ""
	}
	list, err := s.Reconcile.CorrectionRequests(ctx, asked, correctionsRead)
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	p := s.newPage(w, r, "corrections.title")
	p.Account, p.Nav = &a, "corrections"
	b := correctionsBody{Status: status}
	for _, st := range []string{store.CorrectionPending, store.CorrectionApplied, store.CorrectionDismissed, "all"} {
		href := "/officer/corrections"
		if st != store.CorrectionPending {
			href += "?status=" + st
		}
		b.Filters = append(b.Filters, option{Value: href, Label: p.T("corrections.filter." + st), Selected: st == status})
	}
	cs := s.citizens(ctx)
	for _, c := range list {
		row, ok, err := s.correctionRowOf(p, cs, a, c)
		if err != nil {
			s.fail(w, r, &a, err)
			return
		}
		if !ok {
			continue
		}
		if len(b.Requests) == correctionsShown {
			b.Truncated = true
			break
		}
		b.Requests = append(b.Requests, row)
	}
	if done, err := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64); err == nil {
		if c, err := s.Reconcile.CorrectionRequest(ctx, done); err == nil {
			if row, ok, err := s.correctionRowOf(p, cs, a, c); err == nil && ok {
				b.Done = &correctionDone{Anchor: row.Anchor, Text: p.T("corrections.done."+c.Status, row.ID, row.Field, row.Name)}
			}
		}
	}
	p.Body = b
	s.render(w, r, http.StatusOK, "corrections", p)
}

// correctionRowOf is a request as the page lists it, and whether the
// officer may see it (read its citizen).
func (s *server) correctionRowOf(p *page, cs *citizens, a eid.Account, c store.CorrectionRequest) (correctionRow, bool, error) {
	v, place, err := cs.view(c.PID)
	if err != nil || !a.Can(eid.ReadCitizen, place) {
		return correctionRow{}, false, err
	}
	l := p.Lang
	id := strconv.FormatInt(c.ID, 10)
	row := correctionRow{
		ID: id, Anchor: "request-" + id, PID: string(c.PID), Name: v.FullName, Known: v.PID != "",
		Field: p.textOr("field."+c.Field, c.Field), RegisterValue: c.RegisterValue, Proposed: c.ProposedValue,
		Source: c.Source, Note: c.Note, CreatedBy: c.CreatedBy,
		Created: formatTime(l, c.CreatedAt), CreatedISO: isoTime(c.CreatedAt),
		Status: p.textOr("correction.status."+c.Status, c.Status), StatusCode: c.Status,
		ResolvedBy: c.ResolvedBy, Resolved: formatTime(l, c.ResolvedAt), ResolvedISO: isoTime(c.ResolvedAt),
		Pending: c.Status == store.CorrectionPending,
	}
	if row.Known {
		row.Href = citizenURL(c.PID)
	} else {
		row.Name = string(c.PID)
	}
	for _, by := range []*string{&row.CreatedBy, &row.ResolvedBy} {
		if *by == a.ID {
			*by = p.T("review.decided.you")
		}
	}
	row.CanResolve = row.Pending && a.Can(eid.RecordEvent, place)
	return row, true, nil
}

// resolveCorrection answers POST /officer/corrections/{id}/resolve: the
// form's status is applied or dismissed.
func (s *server) resolveCorrection(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.reconcileDown(w, r, a) {
		return
	}
	if !s.checkCSRF(w, r) {
		return
	}
	ctx := r.Context()
	c, ok := byPathID(s, w, r, a, "id", s.Reconcile.CorrectionRequest)
	if !ok {
		return
	}
	status := r.PostFormValue("status")
	if status != store.CorrectionApplied && status != store.CorrectionDismissed {
		s.errorPageWith(w, r, http.StatusBadRequest, &a, "error.correction_status")
		return
	}
	_, place, err := s.citizens(ctx).view(c.PID)
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	if !a.Can(eid.RecordEvent, place) {
		s.refuse(w, r, a, eid.RecordEvent, "error.correction_area")
		return
	}
	err = s.Reconcile.ResolveCorrectionRequest(ctx, c.ID, status, a.ID)
	if s.refusedWrite(w, r, a, err, http.StatusConflict, "error.correction_resolved") {
		return
	}
	s.log.InfoContext(ctx, "correction request resolved", slog.Int64("request", c.ID), slog.String("status", status), slog.String("account", a.ID))
	ref := strconv.FormatInt(c.ID, 10)
	http.Redirect(w, r, "/officer/corrections?done="+ref, http.StatusSeeOther)
}

// formatRatio writes a share from 0 to 1 as a percentage with one
// decimal, as formatShare does.
func formatRatio(l lang, f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	if l == vi {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "%"
}
