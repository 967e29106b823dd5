package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"dancu/internal/pid"
	"dancu/internal/reconcile"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// The twins of the reconciliation tests: one record names both.
const (
	twinA = pid.PID("036095001111")
	twinB = pid.PID("036095001112")
	other = pid.PID("001090000077")
)

// reviewItem is a pending review item of record key whose candidates are
// cands, best first.
func reviewItem(key string, line int64, cands ...pid.PID) store.ReviewItem {
	it := store.ReviewItem{
		RecordKey: key, Line: line, Fingerprint: "fp-" + key,
		Record: map[string]string{"full_name": "Phạm Minh Tuấn", "date_of_birth": "06/06/1995", "gender": "Nam"},
	}
	for i, c := range cands {
		it.Candidates = append(it.Candidates, store.ReviewCandidate{PID: c, Probability: 0.5 - float64(i)/10, Differing: []string{"phone"}})
	}
	return it
}

func sampleRun(dataset string, finished time.Time) store.ReconcileRun {
	return store.ReconcileRun{
		Dataset: dataset, AgencyID: "", StartedAt: finished.Add(-time.Minute), FinishedAt: finished, Records: 10,
		Statuses: map[string]int64{"match": 7, "ambiguous": 2, "not_found": 1},
		Report:   json.RawMessage(`{"dataset":"` + dataset + `","records":10,"review_share":0.2,"scorecard":{"correct":0.9,"complete":1,"clean":0.8,"live":0.95}}`),
	}
}

// reconcileRows is the row count of the reconciliation tables.
func reconcileRows(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"reconcile_runs", "review_items", "correction_requests"} {
		n, err := db.RowCount(context.Background(), table)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	return b.String()
}

func TestReconcileRunsAndReviewQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 7, 1, 8, 0, 0, 123456000, time.UTC)
		first, err := db.SaveReconcileRun(ctx, sampleRun("subscribers.csv", t0), []store.ReviewItem{
			reviewItem("twins", 4, twinA, twinB), reviewItem("other", 9, other, twinA),
		})
		if err != nil {
			t.Fatal(err)
		}
		run2 := sampleRun("customers.csv", t0.Add(time.Hour))
		run2.AgencyID = "01jz0000000000000000000000"
		second, err := db.SaveReconcileRun(ctx, run2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first == "" || second == "" || first == second {
			t.Fatalf("run IDs %q, %q", first, second)
		}

		runs, err := db.ReconcileRuns(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 2 || runs[0].ID != second || runs[1].ID != first {
			t.Fatalf("runs %+v, want the newest first", runs)
		}
		got := runs[1]
		want := sampleRun("subscribers.csv", t0)
		want.ID, want.Reviews, want.Pending = first, 2, 2
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("run read back\n%+v\nwant\n%+v", got, want)
		}
		if runs[0].AgencyID != run2.AgencyID || runs[0].Reviews != 0 {
			t.Errorf("second run %+v", runs[0])
		}
		if one, err := db.ReconcileRuns(ctx, 1); err != nil || len(one) != 1 || one[0].ID != second {
			t.Errorf("ReconcileRuns(1) = %+v, %v", one, err)
		}
		if r, err := db.ReconcileRun(ctx, first); err != nil || !reflect.DeepEqual(r, want) {
			t.Errorf("ReconcileRun = %+v, %v", r, err)
		}
		if _, err := db.ReconcileRun(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReconcileRun(unknown): %v", err)
		}

		items, err := db.ReviewItems(ctx, first, false, 0, 0)
		if err != nil || len(items) != 2 {
			t.Fatalf("ReviewItems = %+v, %v", items, err)
		}
		twins := items[0]
		wantItem := reviewItem("twins", 4, twinA, twinB)
		wantItem.ID, wantItem.RunID, wantItem.Dataset = twins.ID, first, "subscribers.csv"
		if !reflect.DeepEqual(twins, wantItem) {
			t.Fatalf("item read back\n%+v\nwant\n%+v", twins, wantItem)
		}
		if one, err := db.ReviewItem(ctx, twins.ID); err != nil || !reflect.DeepEqual(one, wantItem) {
			t.Errorf("ReviewItem = %+v, %v", one, err)
		}
		if _, err := db.ReviewItem(ctx, 987654); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReviewItem(unknown): %v", err)
		}

		// Decisions: accept one candidate; the decided item goes after the
		// pending one.
		before := time.Now().Add(-time.Second)
		if err := db.DecideReview(ctx, twins.ID, twinB, "officer-1"); err != nil {
			t.Fatal(err)
		}
		items, _ = db.ReviewItems(ctx, first, false, 0, 0)
		if items[0].RecordKey != "other" || items[1].RecordKey != "twins" {
			t.Fatalf("queue order after a decision: %s, %s; want pending first", items[0].RecordKey, items[1].RecordKey)
		}
		d := items[1]
		if d.Decision != store.DecisionAccepted || d.DecidedPID != twinB || d.DecidedBy != "officer-1" ||
			d.DecidedAt.Before(before) || d.DecidedAt.After(time.Now()) {
			t.Errorf("decided item %+v", d)
		}
		if pending, _ := db.ReviewItems(ctx, first, true, 0, 0); len(pending) != 1 || pending[0].RecordKey != "other" {
			t.Errorf("pending only: %+v", pending)
		}
		if page, _ := db.ReviewItems(ctx, first, false, 1, 1); len(page) != 1 || page[0].RecordKey != "twins" {
			t.Errorf("second page of one: %+v", page)
		}
		if r, _ := db.ReconcileRun(ctx, first); r.Reviews != 2 || r.Pending != 1 {
			t.Errorf("counts after a decision: %d reviews, %d pending", r.Reviews, r.Pending)
		}

		// Refused decisions change nothing.
		for _, c := range []struct {
			id      int64
			pid     pid.PID
			officer string
			want    error
		}{
			{twins.ID, other, "officer-1", store.ErrInvalid}, // not a candidate
			{twins.ID, "", "", store.ErrInvalid},             // nobody decided
			{987654, "", "officer-1", store.ErrNotFound},
		} {
			if err := db.DecideReview(ctx, c.id, c.pid, c.officer); !errors.Is(err, c.want) {
				t.Errorf("DecideReview(%d, %q, %q) = %v, want %v", c.id, c.pid, c.officer, err, c.want)
			}
		}
		if again, _ := db.ReviewItem(ctx, twins.ID); !reflect.DeepEqual(again, d) {
			t.Errorf("a refused decision changed the item: %+v", again)
		}

		// Deciding again replaces the decision.
		if err := db.DecideReview(ctx, twins.ID, "", "officer-2"); err != nil {
			t.Fatal(err)
		}
		if r, _ := db.ReviewItem(ctx, twins.ID); r.Decision != store.DecisionRejected || r.DecidedPID != "" || r.DecidedBy != "officer-2" {
			t.Errorf("decided again: %+v", r)
		}
	})
}

func TestReconcileDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
		run1, err := db.SaveReconcileRun(ctx, sampleRun("subs", t0), []store.ReviewItem{
			reviewItem("twins", 4, twinA, twinB), reviewItem("other", 9, other, twinA), reviewItem("open", 12, twinA, other),
		})
		if err != nil {
			t.Fatal(err)
		}
		// A later run of the same dataset still holds "twins" (decided
		// after it ran), and another dataset the same key.
		run2, err := db.SaveReconcileRun(ctx, sampleRun("subs", t0.Add(24*time.Hour)), []store.ReviewItem{reviewItem("twins", 4, twinA, twinB)})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, err := db.SaveReconcileRun(ctx, sampleRun("bank", t0), []store.ReviewItem{reviewItem("twins", 1, twinA, twinB)})
		if err != nil {
			t.Fatal(err)
		}
		idOf := func(run, key string) int64 {
			t.Helper()
			items, err := db.ReviewItems(ctx, run, false, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.RecordKey == key {
					return it.ID
				}
			}
			t.Fatalf("no item %s in run %s", key, run)
			return 0
		}
		decide := func(run, key string, accepted pid.PID) {
			t.Helper()
			if err := db.DecideReview(ctx, idOf(run, key), accepted, "officer-1"); err != nil {
				t.Fatal(err)
			}
		}
		decide(run2, "twins", twinA) // first accepted in the later run…
		time.Sleep(2 * time.Millisecond)
		decide(run1, "twins", twinB) // …then the officer changed their mind on the first run's item
		decide(run1, "other", "")
		decide(elsewhere, "twins", twinA)

		got, err := db.ReconcileDecisions(ctx, "subs")
		if err != nil {
			t.Fatal(err)
		}
		want := reconcile.DecisionMap{
			"twins": {Fingerprint: "fp-twins", Accepted: twinB},
			"other": {Fingerprint: "fp-other", Rejected: []pid.PID{other, twinA}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ReconcileDecisions =\n%+v\nwant\n%+v", got, want)
		}
		var decisions reconcile.Decisions = got
		if d, ok := decisions.Decision("twins"); !ok || d.Accepted != twinB {
			t.Errorf("Decision(twins) = %+v, %v", d, ok)
		}
		if _, ok := decisions.Decision("open"); ok {
			t.Error("a pending item gave a decision")
		}
		if none, err := db.ReconcileDecisions(ctx, "never-run"); err != nil || len(none) != 0 {
			t.Errorf("decisions of an unknown dataset: %v, %v", none, err)
		}
	})
}

func TestSaveReconcileRunIsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
		var items []store.ReviewItem
		for i := range 250 { // three batches
			items = append(items, reviewItem(fmt.Sprintf("r%03d", i), int64(i+2), twinA, twinB))
		}
		crash := errors.New("crash")
		db.SetFailpoint(func(step string) error {
			if step == "review items inserted" {
				return crash
			}
			return nil
		})
		_, err := db.SaveReconcileRun(ctx, sampleRun("big", t0), items)
		db.SetFailpoint(nil)
		if !errors.Is(err, crash) {
			t.Fatalf("err %v, want the crash", err)
		}
		if got := reconcileRows(t, db); got != "reconcile_runs=0 review_items=0 correction_requests=0 " {
			t.Fatalf("a failed save left rows: %s", got)
		}
		id, err := db.SaveReconcileRun(ctx, sampleRun("big", t0), items)
		if err != nil {
			t.Fatal(err)
		}
		all, err := db.ReviewItems(ctx, id, false, 0, 0)
		if err != nil || len(all) != 250 || all[0].RecordKey != "r000" || all[249].RecordKey != "r249" || all[249].Line != 251 {
			t.Fatalf("%d items read back (%v)", len(all), err)
		}
		page, err := db.ReviewItems(ctx, id, true, 20, 240)
		if err != nil || len(page) != 10 || page[0].RecordKey != "r240" {
			t.Fatalf("last page: %d items (%v)", len(page), err)
		}

		// Refused input stores nothing.
		before := reconcileRows(t, db)
		decided := reviewItem("x", 2, twinA)
		decided.Decision = store.DecisionAccepted
		badReport := sampleRun("big", t0)
		badReport.Report = json.RawMessage(`{"cut`)
		for name, c := range map[string]struct {
			run   store.ReconcileRun
			items []store.ReviewItem
		}{
			"no dataset":     {sampleRun(" ", t0), nil},
			"bad report":     {badReport, nil},
			"decided item":   {sampleRun("big", t0), []store.ReviewItem{decided}},
			"no candidates":  {sampleRun("big", t0), []store.ReviewItem{reviewItem("x", 2)}},
			"no record key":  {sampleRun("big", t0), []store.ReviewItem{reviewItem("", 2, twinA)}},
			"malformed pid":  {sampleRun("big", t0), []store.ReviewItem{reviewItem("x", 2, "12345")}},
			"later bad item": {sampleRun("big", t0), []store.ReviewItem{reviewItem("ok", 2, twinA), reviewItem("x", 3)}},
		} {
			if _, err := db.SaveReconcileRun(ctx, c.run, c.items); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if after := reconcileRows(t, db); after != before {
			t.Errorf("refused saves stored rows: %s, before %s", after, before)
		}
	})
}

func TestCorrectionRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := register(t, db)
		for _, n := range []int{1, 2} {
			if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: citizen(n)}); err != nil {
				t.Fatal(err)
			}
		}
		an, binh := citizen(1).PID, citizen(2).PID
		t0 := time.Date(2026, 7, 2, 9, 30, 0, 0, time.UTC)
		first := store.CorrectionRequest{
			PID: an, Field: "full_name", RegisterValue: "Nguyễn Văn An", ProposedValue: "Nguyễn Văn Ân",
			Source: "reconcile:subs:r1", Note: "Theo hợp đồng thuê bao", CreatedBy: "officer-1", CreatedAt: t0,
			Status: "applied", ID: 99, // ignored
		}
		id1, err := db.AddCorrectionRequest(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		second := first
		second.PID, second.Field, second.RegisterValue, second.ProposedValue, second.CreatedAt = binh, "phone", "", "0912000111", t0.Add(time.Minute)
		id2, err := db.AddCorrectionRequest(ctx, second)
		if err != nil {
			t.Fatal(err)
		}
		if id1 == id2 || id1 <= 0 {
			t.Fatalf("ids %d, %d", id1, id2)
		}
		list, err := db.CorrectionRequests(ctx, store.CorrectionPending, 10)
		if err != nil || len(list) != 2 || list[0].ID != id2 || list[1].ID != id1 {
			t.Fatalf("pending requests %+v, %v; want the newest first", list, err)
		}
		want := first
		want.ID, want.Status = id1, store.CorrectionPending
		if !reflect.DeepEqual(list[1], want) {
			t.Fatalf("request read back\n%+v\nwant\n%+v", list[1], want)
		}
		if one, err := db.CorrectionRequest(ctx, id1); err != nil || !reflect.DeepEqual(one, want) {
			t.Errorf("CorrectionRequest = %+v, %v", one, err)
		}
		if _, err := db.CorrectionRequest(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CorrectionRequest(unknown): %v", err)
		}

		// Refused requests store nothing.
		before := reconcileRows(t, db)
		for name, mutate := range map[string]func(*store.CorrectionRequest){
			"unknown citizen":  func(r *store.CorrectionRequest) { r.PID = "001090999999" },
			"malformed pid":    func(r *store.CorrectionRequest) { r.PID = "123" },
			"not correctable":  func(r *store.CorrectionRequest) { r.Field = "gender" },
			"unknown field":    func(r *store.CorrectionRequest) { r.Field = "shoe_size" },
			"nothing proposed": func(r *store.CorrectionRequest) { r.ProposedValue = "  " },
			"nobody":           func(r *store.CorrectionRequest) { r.CreatedBy = "" },
			"long note":        func(r *store.CorrectionRequest) { r.Note = strings.Repeat("x", 5000) },
			"bad utf-8":        func(r *store.CorrectionRequest) { r.ProposedValue = "Nguy\xe1n" },
		} {
			r := first
			mutate(&r)
			if _, err := db.AddCorrectionRequest(ctx, r); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if after := reconcileRows(t, db); after != before {
			t.Errorf("refused requests stored rows: %s, before %s", after, before)
		}

		// Resolving.
		before2 := time.Now().Add(-time.Second)
		if err := db.ResolveCorrectionRequest(ctx, id1, store.CorrectionApplied, "officer-2"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			id      int64
			status  string
			officer string
			want    error
		}{
			{id1, store.CorrectionDismissed, "officer-2", store.ErrInvalid}, // already applied
			{id2, "done", "officer-2", store.ErrInvalid},
			{id2, store.CorrectionPending, "officer-2", store.ErrInvalid},
			{id2, store.CorrectionDismissed, "", store.ErrInvalid},
			{424242, store.CorrectionDismissed, "officer-2", store.ErrNotFound},
		} {
			if err := db.ResolveCorrectionRequest(ctx, c.id, c.status, c.officer); !errors.Is(err, c.want) {
				t.Errorf("Resolve(%d, %q, %q) = %v, want %v", c.id, c.status, c.officer, err, c.want)
			}
		}
		applied, err := db.CorrectionRequests(ctx, store.CorrectionApplied, 0)
		if err != nil || len(applied) != 1 || applied[0].ID != id1 || applied[0].ResolvedBy != "officer-2" ||
			applied[0].ResolvedAt.Before(before2) {
			t.Fatalf("applied: %+v, %v", applied, err)
		}
		if pending, _ := db.CorrectionRequests(ctx, store.CorrectionPending, 0); len(pending) != 1 || pending[0].ID != id2 {
			t.Errorf("pending after resolving one: %+v", pending)
		}
		if all, _ := db.CorrectionRequests(ctx, "", 1); len(all) != 1 || all[0].ID != id2 {
			t.Errorf("all, limit 1: %+v", all)
		}
		if _, err := db.CorrectionRequests(ctx, "done", 0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("unknown status: %v", err)
		}
	})
}
