package usage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"dancu/internal/store"
	"dancu/internal/store/storetest"
	"dancu/internal/usage"

	"github.com/prometheus/client_golang/prometheus"
)

// Counts add up across flushes, per agency, operation and Vietnam day,
// with the discrepancies by field, on both engines.
func TestRecorder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 16, 59, 0, 0, time.UTC) // 23:59 in Vietnam
		reg := prometheus.NewRegistry()
		r := usage.New(db, reg, usage.WithClock(func() time.Time { return now }))
		r.Record("bank-1", "verify", usage.Outcome{Result: usage.ResultMatch})
		r.Record("bank-1", "verify", usage.Outcome{Result: usage.ResultMismatch, Fields: []string{"full_name", "phone"}})
		if err := r.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		r.RecordMany("bank-1", "verify", []usage.Outcome{
			{Result: usage.ResultMismatch, Fields: []string{"phone"}, Deceased: true},
			{Result: usage.ResultNotFound},
			{Result: usage.ResultError},
		})
		now = now.Add(2 * time.Minute) // the next day in Vietnam
		r.Record("bank-1", "verify", usage.Outcome{Result: usage.ResultMatch})
		r.Record("telco-1", "lookup", usage.Outcome{Result: usage.ResultFound})

		rows, err := r.Query(ctx, usage.Filter{AgencyID: "bank-1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Day != "2026-11-23" || rows[1].Day != "2026-11-24" {
			t.Fatalf("rows %+v", rows)
		}
		first := rows[0].Counts
		if first.Requests != 5 || first.Matches != 1 || first.Mismatches != 2 || first.NotFound != 1 || first.Errors != 1 ||
			first.Deceased != 1 || first.FieldMismatches["phone"] != 2 || first.FieldMismatches["full_name"] != 1 {
			t.Fatalf("first day %+v", first)
		}
		all, err := r.Query(ctx, usage.Filter{From: "2026-11-24", To: "2026-11-24"})
		if err != nil || len(all) != 2 || usage.Total(all).Requests != 2 {
			t.Fatalf("second day %+v, %v", all, err)
		}
		if got := counter(t, reg, "dancu_agency_requests_total", "bank-1", "verify", "mismatch"); got != 2 {
			t.Fatalf("mismatch counter %v", got)
		}
	})
}

// counter is the value of the counter name with labels (in order).
func counter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			match := true
			for i, l := range m.GetLabel() {
				if i >= len(labels) || l.GetValue() != labels[i] {
					match = false
				}
			}
			if match {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no %s%v", name, labels)
	return 0
}

// A store that fails keeps the counts for the next flush.
func TestFlushFailureKeepsCounts(t *testing.T) {
	s := &flaky{fail: true}
	r := usage.New(s, nil)
	r.Record("a", "verify", usage.Outcome{Result: usage.ResultMatch})
	if err := r.Flush(context.Background()); err == nil {
		t.Fatal("no error from a failing store")
	}
	r.Record("a", "verify", usage.Outcome{Result: usage.ResultMatch})
	s.fail = false
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(s.rows) != 1 || s.rows[0].Requests != 2 {
		t.Fatalf("stored %+v", s.rows)
	}
}

type flaky struct {
	fail bool
	rows []usage.Row
}

func (f *flaky) AddUsage(_ context.Context, rows []usage.Row) error {
	if f.fail {
		return errors.New("disk full")
	}
	f.rows = append(f.rows, rows...)
	return nil
}

func (f *flaky) Usage(context.Context, usage.Filter) ([]usage.Row, error) { return f.rows, nil }
