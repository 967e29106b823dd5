// Package usage counts what connected agencies ask of the register: per
// agency, per operation and per day (Vietnam time), the requests, exact
// matches, discrepancies by field, citizens not found and deceased. It
// keeps the counts of the moment in memory, adds them to the store every
// few seconds (Run), and exports them to Prometheus as they happen.
//
// The counts are statistics, not evidence: the audit log is the record
// of every access. A crash loses at most the counts of the last flush
// interval, never an audit entry.
package usage

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Results an operation can have, as counted.
const (
	ResultMatch    = "match"
	ResultMismatch = "mismatch"
	ResultNotFound = "not_found"
	ResultFound    = "found" // a lookup that returned data
	ResultError    = "error" // a row or request refused as malformed
)

// Counts are the numbers of one agency, operation and day.
type Counts struct {
	Requests   int64 `json:"requests"`
	Matches    int64 `json:"exact_matches"`
	Mismatches int64 `json:"mismatches"`
	NotFound   int64 `json:"not_found"`
	Found      int64 `json:"found"`
	Deceased   int64 `json:"deceased"`
	Errors     int64 `json:"errors"`
	// FieldMismatches counts, per field, the requests in which that field
	// did not match.
	FieldMismatches map[string]int64 `json:"field_mismatches"`
}

func (c *Counts) add(o *Counts) {
	c.Requests += o.Requests
	c.Matches += o.Matches
	c.Mismatches += o.Mismatches
	c.NotFound += o.NotFound
	c.Found += o.Found
	c.Deceased += o.Deceased
	c.Errors += o.Errors
	for f, n := range o.FieldMismatches {
		if c.FieldMismatches == nil {
			c.FieldMismatches = map[string]int64{}
		}
		c.FieldMismatches[f] += n
	}
}

// Count adds one outcome.
func (c *Counts) Count(o Outcome) {
	c.Requests++
	switch o.Result {
	case ResultMatch:
		c.Matches++
	case ResultMismatch:
		c.Mismatches++
	case ResultNotFound:
		c.NotFound++
	case ResultFound:
		c.Found++
	default:
		c.Errors++
	}
	if o.Deceased {
		c.Deceased++
	}
	for _, f := range o.Fields {
		if c.FieldMismatches == nil {
			c.FieldMismatches = map[string]int64{}
		}
		c.FieldMismatches[f]++
	}
}

// Row is the counts of one agency, operation and day.
type Row struct {
	Day       string `json:"day"` // yyyy-mm-dd, Vietnam time
	AgencyID  string `json:"agency_id"`
	Operation string `json:"operation"`
	Counts
}

// Filter selects rows; empty fields select everything.
type Filter struct {
	From, To  string // yyyy-mm-dd, inclusive
	AgencyID  string
	Operation string
}

// Store keeps the counts (implemented by *store.DB).
type Store interface {
	// AddUsage adds rows to the stored counts, in one transaction.
	AddUsage(ctx context.Context, rows []Row) error
	// Usage returns the stored rows f selects, by day, agency, operation.
	Usage(ctx context.Context, f Filter) ([]Row, error)
}

// Outcome is what one request (or one batch row) came to.
type Outcome struct {
	Result   string   // one of the Result constants
	Deceased bool     // the citizen found is dead
	Fields   []string // the fields that did not match
}

// Recorder counts outcomes.
type Recorder struct {
	store Store
	now   func() time.Time

	mu      sync.Mutex
	pending map[key]*Counts
	day     string    // the current day, yyyy-mm-dd
	dayEnds time.Time // when day ends

	requests *prometheus.CounterVec
	fields   *prometheus.CounterVec
	// counters caches requests' children by labels: looking one up by
	// its label values hashes them on every request.
	counters sync.Map // [3]string -> prometheus.Counter
}

// counter is the requests counter of agency, operation and result.
func (r *Recorder) counter(agency, operation, result string) prometheus.Counter {
	k := [3]string{agency, operation, result}
	if c, ok := r.counters.Load(k); ok {
		return c.(prometheus.Counter)
	}
	c := r.requests.WithLabelValues(agency, operation, result)
	r.counters.Store(k, c)
	return c
}

type key struct{ day, agency, operation string }

var vietnam = time.FixedZone("ICT", 7*60*60)

// Option configures a Recorder.
type Option func(*Recorder)

// WithClock makes the Recorder take the time from now (tests).
func WithClock(now func() time.Time) Option { return func(r *Recorder) { r.now = now } }

// New returns a Recorder adding to store and registering its metrics on
// reg (none when reg is nil).
func New(store Store, reg prometheus.Registerer, opts ...Option) *Recorder {
	r := &Recorder{
		store:   store,
		now:     time.Now,
		pending: map[key]*Counts{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dancu_agency_requests_total",
			Help: "Verify, lookup and batch rows answered for connected agencies, by agency, operation and result.",
		}, []string{"agency", "operation", "result"}),
		fields: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dancu_agency_field_mismatches_total",
			Help: "Fields that did not match the register, by agency, operation and field.",
		}, []string{"agency", "operation", "field"}),
	}
	for _, o := range opts {
		o(r)
	}
	if reg != nil {
		reg.MustRegister(r.requests, r.fields)
	}
	return r
}

// Record counts one outcome of agency's operation.
func (r *Recorder) Record(agency, operation string, o Outcome) {
	r.RecordMany(agency, operation, []Outcome{o})
}

// RecordMany counts several outcomes of one agency's operation at once (a
// chunk of a batch).
func (r *Recorder) RecordMany(agency, operation string, outcomes []Outcome) {
	if len(outcomes) == 0 {
		return
	}
	var sum Counts
	for _, o := range outcomes {
		sum.Count(o)
	}
	now := r.now()
	r.mu.Lock()
	if !now.Before(r.dayEnds) || now.Before(r.dayEnds.AddDate(0, 0, -1)) {
		local := now.In(vietnam)
		r.day = local.Format(time.DateOnly)
		r.dayEnds = time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, vietnam)
	}
	k := key{r.day, agency, operation}
	c := r.pending[k]
	if c == nil {
		c = &Counts{}
		r.pending[k] = c
	}
	c.add(&sum)
	r.mu.Unlock()
	for _, rc := range [...]struct {
		result string
		n      int64
	}{{ResultMatch, sum.Matches}, {ResultMismatch, sum.Mismatches}, {ResultNotFound, sum.NotFound},
		{ResultFound, sum.Found}, {ResultError, sum.Errors}} {
		if rc.n > 0 {
			r.counter(agency, operation, rc.result).Add(float64(rc.n))
		}
	}
	for f, n := range sum.FieldMismatches {
		r.fields.WithLabelValues(agency, operation, f).Add(float64(n))
	}
}

// Flush adds the pending counts to the store. Counts that fail to be
// stored are kept for the next flush.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	pending := r.pending
	r.pending = map[key]*Counts{}
	r.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	rows := make([]Row, 0, len(pending))
	for k, c := range pending {
		rows = append(rows, Row{Day: k.day, AgencyID: k.agency, Operation: k.operation, Counts: *c})
	}
	sortRows(rows)
	if err := r.store.AddUsage(ctx, rows); err != nil {
		r.mu.Lock()
		for k, c := range pending {
			if p := r.pending[k]; p != nil {
				c.add(p)
			}
			r.pending[k] = c
		}
		r.mu.Unlock()
		return fmt.Errorf("store usage counts: %w", err)
	}
	return nil
}

// Run flushes every interval until ctx ends, then once more.
func (r *Recorder) Run(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := r.Flush(context.WithoutCancel(ctx)); err != nil && onError != nil {
				onError(err)
			}
			return
		case <-t.C:
			if err := r.Flush(ctx); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

// Query returns the counts f selects, the pending ones included.
func (r *Recorder) Query(ctx context.Context, f Filter) ([]Row, error) {
	if err := r.Flush(ctx); err != nil {
		return nil, err
	}
	return r.store.Usage(ctx, f)
}

// Total sums rows.
func Total(rows []Row) Counts {
	var c Counts
	for i := range rows {
		c.add(&rows[i].Counts)
	}
	return c
}

func sortRows(rows []Row) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.AgencyID != b.AgencyID {
			return a.AgencyID < b.AgencyID
		}
		return a.Operation < b.Operation
	})
}
