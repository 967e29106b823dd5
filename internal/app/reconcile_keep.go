package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"dancu/internal/access"
	"dancu/internal/adminunit"
	"dancu/internal/agency"
	"dancu/internal/audit"
	"dancu/internal/httpapi"
	"dancu/internal/reconcile"
	"dancu/internal/store"
)

// runAndKeep runs a reconciliation and keeps what officers need of it:
// the decisions made on the dataset's records in earlier runs are applied,
// and the run's report and ambiguous records (the review queue) are saved.
// The register itself is only read.
func runAndKeep(ctx context.Context, db *store.DB, snapshot *reconcile.Register, cfg reconcile.Config, agencyID string) (*reconcile.Report, string, error) {
	decisions, err := db.ReconcileDecisions(ctx, cfg.Dataset)
	if err != nil {
		return nil, "", err
	}
	cfg.Decisions = decisions
	var items []store.ReviewItem
	sink := cfg.Sink
	cfg.Sink = func(o *reconcile.Outcome) error {
		if o.Status == reconcile.StatusAmbiguous {
			items = append(items, reviewItemOf(o))
		}
		if sink != nil {
			return sink(o)
		}
		return nil
	}
	rep, err := reconcile.Run(ctx, snapshot, cfg)
	if err != nil {
		return nil, "", err
	}
	data, err := json.Marshal(rep)
	if err != nil {
		return nil, "", err
	}
	statuses := map[string]int64{}
	for s, n := range rep.Statuses {
		statuses[string(s)] = n
	}
	id, err := db.SaveReconcileRun(ctx, store.ReconcileRun{Dataset: cfg.Dataset, AgencyID: agencyID,
		StartedAt: rep.StartedAt, FinishedAt: rep.FinishedAt, Records: rep.Records, Statuses: statuses, Report: data}, items)
	if err != nil {
		return nil, "", fmt.Errorf("save the run for review: %w", err)
	}
	return rep, id, nil
}

// reviewItemOf is an ambiguous record as the review queue keeps it.
func reviewItemOf(o *reconcile.Outcome) store.ReviewItem {
	raw := o.Record.Raw
	record := map[string]string{}
	for k, v := range map[string]string{"pid": raw.PID, "old_id_number": raw.OldID, "full_name": raw.FullName,
		"date_of_birth": raw.DateOfBirth, "gender": raw.Gender, "permanent_address": raw.Address, "phone": raw.Phone} {
		if v != "" {
			record[k] = v
		}
	}
	item := store.ReviewItem{RecordKey: o.Record.Key, Line: o.Record.Line, Fingerprint: reconcile.Fingerprint(&o.Record), Record: record}
	for _, c := range o.Candidates {
		item.Candidates = append(item.Candidates, store.ReviewCandidate{PID: c.PID, Probability: c.Probability, Differing: c.Differing()})
	}
	return item
}

// reconcileService runs agencies' reconciliations for the API, one at a
// time: a run holds a snapshot of the register in memory.
type reconcileService struct {
	db    *store.DB
	units *adminunit.Directory
	audit *audit.Log
	busy  sync.Mutex
}

// auditChunk is how many records' rows go out at a time, their accesses
// recorded in one audit record first.
const auditChunk = 1000

// Reconcile implements httpapi.Reconciler.
func (s *reconcileService) Reconcile(ctx context.Context, p agency.Principal, req httpapi.ReconcileRequest, body io.Reader, emit func(reconcile.Row) error) (*reconcile.Report, error) {
	if err := p.Check(agency.OpReconcile, req.Purpose, nil); err != nil {
		return nil, err
	}
	if !s.busy.TryLock() {
		return nil, httpapi.ErrReconcileBusy
	}
	defer s.busy.Unlock()
	// A run reads the dataset twice: keep the upload on disk meanwhile.
	spool, err := os.CreateTemp("", "dancu-reconcile-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	if _, err := io.Copy(spool, body); err != nil {
		return nil, err
	}
	snapshot, err := reconcile.Load(ctx, s.units, s.db.EachCitizenBrief, nil)
	if err != nil {
		return nil, err
	}
	var reveal []string
	for _, f := range []string{"full_name", "date_of_birth", "gender", "permanent_address", "phone"} {
		if slices.Contains(p.Key.Scope.Fields, f) {
			reveal = append(reveal, f)
		}
	}
	// The rows go out a chunk at a time, after the chunk's accesses are
	// durable in the audit log: the agency learns who its records are only
	// once that is recorded.
	var accesses []audit.Access
	var rows []reconcile.Row
	flush := func() error {
		if len(accesses) > 0 {
			err := s.audit.Append(ctx, audit.Record{At: time.Now(), AgencyID: p.Agency.ID, KeyID: p.Key.ID, Purpose: req.Purpose,
				Operation: string(agency.OpReconcile), RequestID: uuid.NewString(), Accesses: accesses})
			if err != nil {
				return fmt.Errorf("%w: %w", access.ErrAudit, err)
			}
			accesses = accesses[:0]
		}
		for _, row := range rows {
			if err := emit(row); err != nil {
				return err
			}
		}
		rows = rows[:0]
		return nil
	}
	cfg := reconcile.Config{
		Dataset: req.Dataset, Input: req.Input, MaxPerCitizen: req.MaxPerCitizen, Reveal: reveal,
		Open: func() (io.ReadCloser, error) { return os.Open(spool.Name()) },
		Sink: func(o *reconcile.Outcome) error {
			row := reconcile.RowOf(snapshot, o, reveal)
			if row.PID != "" {
				accesses = append(accesses, audit.Access{PID: o.PID, Fields: o.Fields(), Result: string(o.Status)})
			}
			rows = append(rows, row)
			if len(rows) == auditChunk {
				return flush()
			}
			return nil
		},
	}
	rep, _, err := runAndKeep(ctx, s.db, snapshot, cfg, p.Agency.ID)
	if err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return rep, nil
}
