package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/ident"
	"dancu/internal/pid"
	"dancu/internal/reconcile"
	"dancu/internal/registry"
)

// The reconciliation methods keep what dancu reconcile leaves for
// officers (tables reconcile_runs, review_items and correction_requests,
// migration 0010): each run's summary, the review queue of the records it
// could not decide with the officers' decisions on them, which the next
// run of the same dataset reuses (ReconcileDecisions), and the requests
// to correct the register that officers raise from the queue. None of
// them changes the register.

// Errors of the reconciliation methods, for callers to branch on with
// errors.Is; the wrapping error says what was wrong in words fit to show.
var (
	// ErrNotFound: the run, review item or correction request asked for
	// does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the input is refused (a citizen who is not among an
	// item's candidates, an unknown status, a field that cannot be
	// corrected); nothing was changed.
	ErrInvalid = errors.New("invalid input")
)

// What ReconcileDecisions returns is what a run takes as its officers'
// earlier decisions (reconcile.Config.Decisions).
var (
	_ reconcile.Decisions                                               = reconcile.DecisionMap(nil)
	_ func(*DB, context.Context, string) (reconcile.DecisionMap, error) = (*DB).ReconcileDecisions
)

// ReconcileRun is one run of dancu reconcile on a dataset, as saved when
// it finished.
type ReconcileRun struct {
	// ID is assigned by SaveReconcileRun (an internal/ident ID, sorting by
	// the time it was saved).
	ID         string
	Dataset    string
	AgencyID   string // "" for a run from the command line
	StartedAt  time.Time
	FinishedAt time.Time
	Records    int64
	Statuses   map[string]int64 // status → count
	Report     json.RawMessage  // report.json as written
	// Reviews is how many review items the run left, Pending how many of
	// them no officer has decided yet; filled in by the readers.
	Reviews, Pending int64
}

// ReviewItem is an ambiguous record of a run, for an officer to decide.
type ReviewItem struct {
	ID          int64
	RunID       string
	Dataset     string
	RecordKey   string
	Line        int64
	Fingerprint string
	// Record holds the agency's values as the file had them, by field
	// name (pid, old_id_number, full_name, date_of_birth, gender,
	// permanent_address, phone).
	Record     map[string]string
	Candidates []ReviewCandidate
	Decision   string // DecisionPending, DecisionAccepted or DecisionRejected
	DecidedPID pid.PID
	DecidedBy  string // the officer's account ID
	DecidedAt  time.Time
}

// ReviewCandidate is a citizen a review item's record may be.
type ReviewCandidate struct {
	PID         pid.PID
	Probability float64
	Differing   []string // the record's fields that differ from this citizen's
}

// The decisions on a review item.
const (
	DecisionPending  = ""
	DecisionAccepted = "accepted" // DecidedPID is the record's citizen
	DecisionRejected = "rejected" // none of the candidates is
)

// CorrectionRequest asks the register's officers to check one field of a
// citizen's record and correct it through the correction workflow
// (registry.DataCorrection) if the register is wrong.
type CorrectionRequest struct {
	ID            int64
	PID           pid.PID
	Field         string // a field name as registry.CorrectableFields spells it
	RegisterValue string // the register's value when the request was made
	ProposedValue string
	Source        string // e.g. "reconcile:<dataset>:<record key>"
	Note          string
	Status        string // CorrectionPending, CorrectionApplied or CorrectionDismissed
	CreatedBy     string // account ID
	CreatedAt     time.Time
	ResolvedBy    string // account ID
	ResolvedAt    time.Time
}

// The statuses of a correction request. Applied records that an officer
// made the correction (an event of the register); dismissed that the
// register was right.
const (
	CorrectionPending   = "pending"
	CorrectionApplied   = "applied"
	CorrectionDismissed = "dismissed"
)

// Bounds of a correction request's texts, in bytes.
const (
	maxCorrectionValue = 1000
	maxCorrectionNote  = 4000
	maxCorrectionText  = 1000 // source, officer
)

// reviewItemBatch is how many review items one INSERT writes.
const reviewItemBatch = 100

// storedCandidate is a candidate in review_items.candidates: the stored
// form stays put whatever the Go type becomes.
type storedCandidate struct {
	PID         pid.PID  `json:"pid"`
	Probability float64  `json:"probability"`
	Differing   []string `json:"differing,omitempty"`
}

// SaveReconcileRun stores a finished run and its review items (its
// ambiguous records, all pending) in one transaction, and returns the ID
// it gave the run (run.ID and the items' RunID and Dataset are ignored).
func (db *DB) SaveReconcileRun(ctx context.Context, run ReconcileRun, items []ReviewItem) (string, error) {
	if strings.TrimSpace(run.Dataset) == "" {
		return "", fmt.Errorf("save reconciliation run: %w: the dataset has no name", ErrInvalid)
	}
	statuses, err := json.Marshal(run.Statuses)
	if err != nil {
		return "", fmt.Errorf("save reconciliation run: %w", err)
	}
	if run.Statuses == nil {
		statuses = []byte("{}")
	}
	report := string(run.Report)
	if len(run.Report) == 0 {
		report = "{}"
	} else if !json.Valid(run.Report) {
		return "", fmt.Errorf("save reconciliation run: %w: the report is not JSON", ErrInvalid)
	}
	rows := make([][]any, len(items))
	for i, it := range items {
		if it.RecordKey == "" {
			return "", fmt.Errorf("save reconciliation run: %w: review item %d has no record key", ErrInvalid, i)
		}
		if it.Decision != DecisionPending {
			return "", fmt.Errorf("save reconciliation run: %w: review item %s is already decided", ErrInvalid, it.RecordKey)
		}
		if len(it.Candidates) == 0 {
			return "", fmt.Errorf("save reconciliation run: %w: review item %s has no candidate", ErrInvalid, it.RecordKey)
		}
		cands := make([]storedCandidate, len(it.Candidates))
		for j, c := range it.Candidates {
			if !c.PID.Valid() {
				return "", fmt.Errorf("save reconciliation run: %w: review item %s has a malformed candidate number", ErrInvalid, it.RecordKey)
			}
			cands[j] = storedCandidate(c)
		}
		record, err := json.Marshal(it.Record)
		if err != nil {
			return "", fmt.Errorf("save reconciliation run: %w", err)
		}
		if it.Record == nil {
			record = []byte("{}")
		}
		candidates, err := json.Marshal(cands)
		if err != nil {
			return "", fmt.Errorf("save reconciliation run: %w", err)
		}
		rows[i] = []any{it.RecordKey, it.Line, it.Fingerprint, string(record), string(candidates)}
	}

	id := ident.NewID(time.Now())
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO reconcile_runs (id, dataset, agency_id, started_at, finished_at, records, statuses, report)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, run.Dataset, run.AgencyID, run.StartedAt.UnixMicro(), run.FinishedAt.UnixMicro(), run.Records,
			string(statuses), report); err != nil {
			return fmt.Errorf("insert reconciliation run of %s: %w", run.Dataset, err)
		}
		for len(rows) > 0 {
			n := min(len(rows), reviewItemBatch)
			if err := insertReviewItems(ctx, tx, id, run.Dataset, rows[:n]); err != nil {
				return err
			}
			rows = rows[n:]
			if err := db.step(ctx, "review items inserted"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// insertReviewItems writes pending review items in one statement; each
// row is the item's record key, line, fingerprint, record and candidates.
func insertReviewItems(ctx context.Context, tx *sql.Tx, runID, dataset string, rows [][]any) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO review_items (run_id, dataset, record_key, line, fingerprint, record, candidates, decision, decided_pid, decided_by, decided_at) VALUES `)
	args := []any{runID, dataset}
	for i, row := range rows {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("($1, $2")
		for _, v := range row {
			args = append(args, v)
			q.WriteString(", $" + strconv.Itoa(len(args)))
		}
		q.WriteString(", '', '', '', NULL)")
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("insert review items of run %s: %w", runID, err)
	}
	return nil
}

// runColumns are the columns scanned by runScan, with the run's counts of
// review items.
const runColumns = `r.id, r.dataset, r.agency_id, r.started_at, r.finished_at, r.records, r.statuses, r.report,
	(SELECT COUNT(*) FROM review_items i WHERE i.run_id = r.id),
	(SELECT COUNT(*) FROM review_items i WHERE i.run_id = r.id AND i.decision = '')`

// ReconcileRuns returns the latest runs, newest first; limit ≤ 0 returns
// them all.
func (db *DB) ReconcileRuns(ctx context.Context, limit int) ([]ReconcileRun, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+runColumns+` FROM reconcile_runs r ORDER BY r.finished_at DESC, r.id DESC`+limitClause(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("list reconciliation runs: %w", err)
	}
	defer rows.Close()
	out := []ReconcileRun{}
	for rows.Next() {
		var s runScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, fmt.Errorf("list reconciliation runs: %w", err)
		}
		run, err := s.run()
		if err != nil {
			return nil, err
		}
		out = append(out, run)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reconciliation runs: %w", err)
	}
	return out, nil
}

// ReconcileRun returns one run, or an error matching ErrNotFound.
func (db *DB) ReconcileRun(ctx context.Context, id string) (ReconcileRun, error) {
	var s runScan
	err := db.read.QueryRowContext(ctx, `SELECT `+runColumns+` FROM reconcile_runs r WHERE r.id = $1`, id).Scan(s.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return ReconcileRun{}, fmt.Errorf("reconciliation run %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return ReconcileRun{}, fmt.Errorf("read reconciliation run %s: %w", id, err)
	}
	return s.run()
}

// itemColumns are the columns scanned by itemScan.
const itemColumns = `id, run_id, dataset, record_key, line, fingerprint, record, candidates, decision, decided_pid, decided_by, decided_at`

// ReviewItems returns a page of a run's review items: the pending ones
// first, then the decided ones (or only the pending ones), each in the
// file's order. limit ≤ 0 returns them all.
func (db *DB) ReviewItems(ctx context.Context, runID string, pendingOnly bool, limit, offset int) ([]ReviewItem, error) {
	q := `SELECT ` + itemColumns + ` FROM review_items WHERE run_id = $1 ORDER BY (decision <> ''), id`
	if pendingOnly {
		q = `SELECT ` + itemColumns + ` FROM review_items WHERE run_id = $1 AND decision = '' ORDER BY id`
	}
	rows, err := db.read.QueryContext(ctx, q+limitClause(limit, offset), runID)
	if err != nil {
		return nil, fmt.Errorf("list review items of run %s: %w", runID, err)
	}
	defer rows.Close()
	out := []ReviewItem{}
	for rows.Next() {
		var s itemScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, fmt.Errorf("list review items of run %s: %w", runID, err)
		}
		it, err := s.item()
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list review items of run %s: %w", runID, err)
	}
	return out, nil
}

// ReviewItem returns one review item, or an error matching ErrNotFound.
func (db *DB) ReviewItem(ctx context.Context, id int64) (ReviewItem, error) {
	var s itemScan
	err := db.read.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM review_items WHERE id = $1`, id).Scan(s.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return ReviewItem{}, fmt.Errorf("review item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ReviewItem{}, fmt.Errorf("read review item %d: %w", id, err)
	}
	return s.item()
}

// DecideReview records an officer's decision on a review item: accepted
// is the candidate the record is, or "" when it is none of them. Deciding
// again replaces the decision. A citizen who is not among the item's
// candidates is an error matching ErrInvalid, an unknown item one
// matching ErrNotFound; either way nothing changes.
func (db *DB) DecideReview(ctx context.Context, itemID int64, accepted pid.PID, officer string) error {
	if err := checkOfficer(officer); err != nil {
		return fmt.Errorf("decide review item %d: %w", itemID, err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var raw string
		err := tx.QueryRowContext(ctx, `SELECT candidates FROM review_items WHERE id = $1`, itemID).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("review item %d: %w", itemID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read review item %d: %w", itemID, err)
		}
		var cands []storedCandidate
		if err := json.Unmarshal([]byte(raw), &cands); err != nil {
			return fmt.Errorf("read review item %d: candidates: %w", itemID, err)
		}
		decision := DecisionRejected
		if accepted != "" {
			if !slices.ContainsFunc(cands, func(c storedCandidate) bool { return c.PID == accepted }) {
				return fmt.Errorf("decide review item %d: %w: the citizen accepted is not one of its candidates", itemID, ErrInvalid)
			}
			decision = DecisionAccepted
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE review_items SET decision = $2, decided_pid = $3, decided_by = $4, decided_at = $5 WHERE id = $1`,
			itemID, decision, string(accepted), officer, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("decide review item %d: %w", itemID, err)
		}
		return nil
	})
}

// ReconcileDecisions returns the officers' decisions on the dataset's
// records, for its next run: per record key the latest decision, across
// runs, as the citizen accepted or, for a rejection, every candidate of
// the item. Each holds for the record's fingerprint when it was decided.
func (db *DB) ReconcileDecisions(ctx context.Context, dataset string) (reconcile.DecisionMap, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT record_key, fingerprint, decision, decided_pid, candidates FROM review_items
		  WHERE dataset = $1 AND decision <> ''
		  ORDER BY record_key, decided_at DESC, id DESC`, dataset)
	if err != nil {
		return nil, fmt.Errorf("read decisions on %s: %w", dataset, err)
	}
	defer rows.Close()
	out := reconcile.DecisionMap{}
	for rows.Next() {
		var key, fingerprint, decision, decided, raw string
		if err := rows.Scan(&key, &fingerprint, &decision, &decided, &raw); err != nil {
			return nil, fmt.Errorf("read decisions on %s: %w", dataset, err)
		}
		if _, seen := out[key]; seen {
			continue // an earlier decision on the same record
		}
		d := reconcile.Decision{Fingerprint: fingerprint}
		if decision == DecisionAccepted {
			d.Accepted = pid.PID(decided)
		} else {
			var cands []storedCandidate
			if err := json.Unmarshal([]byte(raw), &cands); err != nil {
				return nil, fmt.Errorf("read decisions on %s: candidates of %s: %w", dataset, key, err)
			}
			d.Rejected = make([]pid.PID, len(cands))
			for i, c := range cands {
				d.Rejected[i] = c.PID
			}
		}
		out[key] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read decisions on %s: %w", dataset, err)
	}
	return out, nil
}

// correctionColumns are the columns scanned by correctionScan.
const correctionColumns = `id, pid, field, register_value, proposed_value, source, note, status, created_by, created_at, resolved_by, resolved_at`

// AddCorrectionRequest stores a new, pending correction request and
// returns its ID (r.ID and r.Status are ignored; a zero r.CreatedAt is
// now). The citizen must be in the register and the field one that
// registry.CorrectableFields lists; a refusal matches ErrInvalid.
func (db *DB) AddCorrectionRequest(ctx context.Context, r CorrectionRequest) (int64, error) {
	if err := checkCorrectionRequest(r); err != nil {
		return 0, fmt.Errorf("add correction request: %w", err)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	var id int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM citizens WHERE pid = $1`, string(r.PID)).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("add correction request: %w: citizen %s is not in the register", ErrInvalid, r.PID)
		}
		if err != nil {
			return fmt.Errorf("add correction request: %w", err)
		}
		err = tx.QueryRowContext(ctx,
			`INSERT INTO correction_requests (pid, field, register_value, proposed_value, source, note, status, created_by, created_at, resolved_by, resolved_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', NULL) RETURNING id`,
			string(r.PID), r.Field, r.RegisterValue, r.ProposedValue, r.Source, r.Note, CorrectionPending, r.CreatedBy,
			r.CreatedAt.UnixMicro()).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert correction request: %w", err)
		}
		return nil
	})
	return id, err
}

func checkCorrectionRequest(r CorrectionRequest) error {
	switch {
	case !r.PID.Valid():
		return fmt.Errorf("%w: the personal ID number is malformed", ErrInvalid)
	case !slices.Contains(registry.CorrectableFields(), r.Field):
		return fmt.Errorf("%w: %q is not a field a correction can change (%s)", ErrInvalid, r.Field, strings.Join(registry.CorrectableFields(), ", "))
	case strings.TrimSpace(r.ProposedValue) == "":
		return fmt.Errorf("%w: no value is proposed", ErrInvalid)
	case len(r.ProposedValue) > maxCorrectionValue || len(r.RegisterValue) > maxCorrectionValue:
		return fmt.Errorf("%w: a value is longer than %d bytes", ErrInvalid, maxCorrectionValue)
	case len(r.Note) > maxCorrectionNote:
		return fmt.Errorf("%w: the note is longer than %d bytes", ErrInvalid, maxCorrectionNote)
	case len(r.Source) > maxCorrectionText:
		return fmt.Errorf("%w: the source is longer than %d bytes", ErrInvalid, maxCorrectionText)
	}
	for _, s := range []string{r.RegisterValue, r.ProposedValue, r.Source, r.Note} {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%w: a text is not valid UTF-8", ErrInvalid)
		}
	}
	return checkOfficer(r.CreatedBy)
}

// checkOfficer checks the account a decision or request is made by.
func checkOfficer(officer string) error {
	if strings.TrimSpace(officer) == "" || len(officer) > maxCorrectionText || !utf8.ValidString(officer) {
		return fmt.Errorf("%w: no officer named", ErrInvalid)
	}
	return nil
}

// CorrectionRequests returns the latest correction requests with status
// ("" for every status), newest first; limit ≤ 0 returns them all.
func (db *DB) CorrectionRequests(ctx context.Context, status string, limit int) ([]CorrectionRequest, error) {
	q, args := `SELECT `+correctionColumns+` FROM correction_requests`, []any{}
	switch status {
	case "":
	case CorrectionPending, CorrectionApplied, CorrectionDismissed:
		q += ` WHERE status = $1`
		args = append(args, status)
	default:
		return nil, fmt.Errorf("list correction requests: %w: unknown status %q", ErrInvalid, status)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC`+limitClause(limit, 0), args...)
	if err != nil {
		return nil, fmt.Errorf("list correction requests: %w", err)
	}
	defer rows.Close()
	out := []CorrectionRequest{}
	for rows.Next() {
		var s correctionScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, fmt.Errorf("list correction requests: %w", err)
		}
		out = append(out, s.request())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list correction requests: %w", err)
	}
	return out, nil
}

// CorrectionRequest returns one correction request, or an error matching
// ErrNotFound.
func (db *DB) CorrectionRequest(ctx context.Context, id int64) (CorrectionRequest, error) {
	var s correctionScan
	err := db.read.QueryRowContext(ctx, `SELECT `+correctionColumns+` FROM correction_requests WHERE id = $1`, id).Scan(s.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return CorrectionRequest{}, fmt.Errorf("correction request %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return CorrectionRequest{}, fmt.Errorf("read correction request %d: %w", id, err)
	}
	return s.request(), nil
}

// ResolveCorrectionRequest records what became of a pending request:
// status is CorrectionApplied or CorrectionDismissed. A request already
// resolved, or another status, is an error matching ErrInvalid; an
// unknown request one matching ErrNotFound.
func (db *DB) ResolveCorrectionRequest(ctx context.Context, id int64, status, officer string) error {
	if status != CorrectionApplied && status != CorrectionDismissed {
		return fmt.Errorf("resolve correction request %d: %w: unknown status %q (applied or dismissed)", id, ErrInvalid, status)
	}
	if err := checkOfficer(officer); err != nil {
		return fmt.Errorf("resolve correction request %d: %w", id, err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var current string
		err := tx.QueryRowContext(ctx, `SELECT status FROM correction_requests WHERE id = $1`, id).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("correction request %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read correction request %d: %w", id, err)
		}
		if current != CorrectionPending {
			return fmt.Errorf("resolve correction request %d: %w: it is already %s", id, ErrInvalid, current)
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE correction_requests SET status = $2, resolved_by = $3, resolved_at = $4 WHERE id = $1`,
			id, status, officer, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("resolve correction request %d: %w", id, err)
		}
		return nil
	})
}

// limitClause is the LIMIT and OFFSET of a list (none for limit ≤ 0);
// both are numbers, written into the statement.
func limitClause(limit, offset int) string {
	s := ""
	if limit > 0 {
		s = " LIMIT " + strconv.Itoa(limit)
		if offset > 0 {
			s += " OFFSET " + strconv.Itoa(offset)
		}
	}
	return s
}

// runScan receives the runColumns of a row.
type runScan struct {
	id, dataset, agency        string
	started, finished, records int64
	statuses, report           string
	reviews, pending           int64
}

func (s *runScan) dest() []any {
	return []any{&s.id, &s.dataset, &s.agency, &s.started, &s.finished, &s.records, &s.statuses, &s.report, &s.reviews, &s.pending}
}

func (s *runScan) run() (ReconcileRun, error) {
	r := ReconcileRun{
		ID: s.id, Dataset: s.dataset, AgencyID: s.agency,
		StartedAt: storedTime(s.started), FinishedAt: storedTime(s.finished), Records: s.records,
		Report: json.RawMessage(s.report), Reviews: s.reviews, Pending: s.pending,
	}
	if err := json.Unmarshal([]byte(s.statuses), &r.Statuses); err != nil {
		return ReconcileRun{}, fmt.Errorf("read reconciliation run %s: statuses: %w", s.id, err)
	}
	return r, nil
}

// itemScan receives the itemColumns of a row.
type itemScan struct {
	id                              int64
	run, dataset, key               string
	line                            int64
	fingerprint, record, candidates string
	decision, decidedPID, decidedBy string
	decidedAt                       sql.NullInt64
}

func (s *itemScan) dest() []any {
	return []any{&s.id, &s.run, &s.dataset, &s.key, &s.line, &s.fingerprint, &s.record, &s.candidates,
		&s.decision, &s.decidedPID, &s.decidedBy, &s.decidedAt}
}

func (s *itemScan) item() (ReviewItem, error) {
	it := ReviewItem{
		ID: s.id, RunID: s.run, Dataset: s.dataset, RecordKey: s.key, Line: s.line, Fingerprint: s.fingerprint,
		Decision: s.decision, DecidedPID: pid.PID(s.decidedPID), DecidedBy: s.decidedBy,
	}
	if s.decidedAt.Valid {
		it.DecidedAt = storedTime(s.decidedAt.Int64)
	}
	if err := json.Unmarshal([]byte(s.record), &it.Record); err != nil {
		return ReviewItem{}, fmt.Errorf("read review item %d: record: %w", s.id, err)
	}
	var cands []storedCandidate
	if err := json.Unmarshal([]byte(s.candidates), &cands); err != nil {
		return ReviewItem{}, fmt.Errorf("read review item %d: candidates: %w", s.id, err)
	}
	it.Candidates = make([]ReviewCandidate, len(cands))
	for i, c := range cands {
		it.Candidates[i] = ReviewCandidate(c)
	}
	return it, nil
}

// correctionScan receives the correctionColumns of a row.
type correctionScan struct {
	id                                          int64
	pid, field, registerValue, proposed, source string
	note, status, createdBy                     string
	createdAt                                   int64
	resolvedBy                                  string
	resolvedAt                                  sql.NullInt64
}

func (s *correctionScan) dest() []any {
	return []any{&s.id, &s.pid, &s.field, &s.registerValue, &s.proposed, &s.source, &s.note, &s.status,
		&s.createdBy, &s.createdAt, &s.resolvedBy, &s.resolvedAt}
}

func (s *correctionScan) request() CorrectionRequest {
	r := CorrectionRequest{
		ID: s.id, PID: pid.PID(s.pid), Field: s.field, RegisterValue: s.registerValue, ProposedValue: s.proposed,
		Source: s.source, Note: s.note, Status: s.status, CreatedBy: s.createdBy, CreatedAt: storedTime(s.createdAt),
		ResolvedBy: s.resolvedBy,
	}
	if s.resolvedAt.Valid {
		r.ResolvedAt = storedTime(s.resolvedAt.Int64)
	}
	return r
}

// storedTime reads a time stored as unix microseconds; the zero time
// round-trips as itself.
func storedTime(us int64) time.Time {
	t := time.UnixMicro(us).UTC()
	if t.IsZero() {
		return time.Time{}
	}
	return t
}
