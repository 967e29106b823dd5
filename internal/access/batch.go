package access

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"dancu/internal/agency"
	"dancu/internal/audit"
	"dancu/internal/rowfile"
	"dancu/internal/usage"
	"dancu/internal/verify"
)

// A batch verification reads records (NDJSON or CSV) and writes one NDJSON
// result line per record, in order, then a summary line. Memory stays
// constant whatever the size: rows are verified as they arrive and their
// results leave a chunk at a time, each chunk recorded in the audit log as
// one entry listing every citizen it touched — durably, before any of its
// results is written.

// BatchChunk is the rows one audit entry covers.
const BatchChunk = 1000

// batchFields are the columns (CSV) or keys (NDJSON) of a batch row: the
// verify request's fields and record_key, a client's own reference,
// echoed in the result.
var batchFields = []string{"record_key", "purpose", "pid", "old_id_number", "full_name", "date_of_birth", "gender",
	"id_card_issue_date", "permanent_address", "phone"}

type batchRow struct {
	RecordKey        string `json:"record_key"`
	Purpose          string `json:"purpose"`
	PID              string `json:"pid"`
	OldIDNumber      string `json:"old_id_number"`
	FullName         string `json:"full_name"`
	DateOfBirth      string `json:"date_of_birth"`
	Gender           string `json:"gender"`
	IDCardIssueDate  string `json:"id_card_issue_date"`
	PermanentAddress string `json:"permanent_address"`
	Phone            string `json:"phone"`
}

func (r *batchRow) Fields() []*string {
	return []*string{&r.RecordKey, &r.Purpose, &r.PID, &r.OldIDNumber, &r.FullName, &r.DateOfBirth, &r.Gender,
		&r.IDCardIssueDate, &r.PermanentAddress, &r.Phone}
}

// BatchLine is one result line.
type BatchLine struct {
	Line      int64                         `json:"line"`
	RecordKey string                        `json:"record_key,omitempty"`
	PID       string                        `json:"pid,omitempty"`
	Result    string                        `json:"result"` // match, mismatch, not_found, error
	Fields    map[string]verify.FieldResult `json:"fields,omitempty"`
	Deceased  bool                          `json:"deceased"`
	Error     *RowProblem                   `json:"error,omitempty"`
}

// AppendJSON appends l as JSON, as encoding/json writes it, with a
// newline.
func (l *BatchLine) AppendJSON(b []byte) []byte {
	b = append(b, `{"line":`...)
	b = strconv.AppendInt(b, l.Line, 10)
	if l.RecordKey != "" {
		b = append(b, `,"record_key":`...)
		b = appendString(b, l.RecordKey)
	}
	if l.PID != "" {
		b = append(b, `,"pid":`...)
		b = appendString(b, l.PID)
	}
	b = append(b, `,"result":`...)
	b = strconv.AppendQuote(b, l.Result)
	if len(l.Fields) > 0 {
		b = append(b, `,"fields":`...)
		b = appendFields(b, l.Fields)
	}
	b = append(b, `,"deceased":`...)
	b = strconv.AppendBool(b, l.Deceased)
	if l.Error != nil {
		// Rare, and its detail may hold anything: encoding/json.
		b = append(b, `,"error":`...)
		b = appendJSON(b, l.Error)
	}
	return append(b, "}\n"...)
}

// appendString appends s as a JSON string; text from the client goes
// through encoding/json unless it is plain printable ASCII.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return appendJSON(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSON appends v as encoding/json writes it without HTML escaping.
func appendJSON(b []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// RowProblem says why a row was not verified.
type RowProblem struct {
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

// BatchSummary closes a batch's output.
type BatchSummary struct {
	RequestID       string           `json:"request_id"`
	Total           int64            `json:"total"`
	ExactMatch      int64            `json:"exact_match"`
	Mismatch        int64            `json:"mismatch"`
	MismatchByField map[string]int64 `json:"mismatch_by_field"`
	NotFound        int64            `json:"not_found"`
	Deceased        int64            `json:"deceased"`
	Errors          int64            `json:"errors"`
}

// BatchOptions describe a batch.
type BatchOptions struct {
	Purpose string // the purpose of every row that names none
	Format  rowfile.Format
	// Flush, when set, is called after each chunk's lines are written (an
	// HTTP response flushes them to the client).
	Flush func() error
	// Progress, when set, is called after each chunk with the rows done.
	Progress func(rows int64)
}

// ErrBatchStream means the input could not be read on (not a bad row: a
// broken stream or a bad CSV header); the summary covers the rows before.
var ErrBatchStream = errors.New("the batch input cannot be read")

// Batch verifies every record of in for p and writes the results to out.
// Each row names its purpose or takes opts.Purpose; the key must allow the
// batch operation, the purpose and the row's fields, or the row gets an
// error line. A malformed row gets an error line and the batch goes on.
func (s *Service) Batch(ctx context.Context, p agency.Principal, in io.Reader, out io.Writer, opts BatchOptions) (BatchSummary, error) {
	sum := BatchSummary{RequestID: newRequestID(), MismatchByField: map[string]int64{}}
	if err := s.CanBatch(p); err != nil {
		return sum, err
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	rd := rowfile.NewRowReader[batchRow](in, opts.Format, batchFields)
	b := &batchRun{s: s, p: p, sum: &sum, out: bw}
	flush := func() error {
		if err := b.flush(ctx); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		if opts.Flush != nil {
			if err := opts.Flush(); err != nil {
				return fmt.Errorf("write results: %w", err)
			}
		}
		if opts.Progress != nil {
			opts.Progress(sum.Total)
		}
		return nil
	}
	// Reading and parsing the upload runs on a goroutine of its own, a
	// chunk ahead of verifying, auditing and writing: the two halves of
	// the work use both cores, and the reader goes on while a chunk's
	// audit entry is committed.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []parsedRow, 2)
	var streamErr error
	go func() {
		defer close(chunks)
		for {
			chunk := make([]parsedRow, 0, BatchChunk)
			for len(chunk) < BatchChunk {
				line, row, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var rowErr *rowfile.RowError
				if err != nil && !errors.As(err, &rowErr) {
					streamErr = fmt.Errorf("%w: %w", ErrBatchStream, err)
					break
				}
				chunk = append(chunk, parsedRow{line: line, row: row, err: rowErr})
			}
			if len(chunk) > 0 {
				select {
				case chunks <- chunk:
				case <-ctx.Done():
					return
				}
			}
			if len(chunk) < BatchChunk {
				return
			}
		}
	}()
	for chunk := range chunks {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		for _, r := range chunk {
			if r.err != nil {
				b.fail(r.line, "", &RowProblem{Code: "invalid_row", Detail: r.err.Msg})
			} else {
				b.verify(r.line, r.row, opts.Purpose)
			}
		}
		if err := flush(); err != nil {
			return sum, err
		}
	}
	// The reader set streamErr before closing chunks.
	if err := flush(); err != nil {
		return sum, err
	}
	if err := enc.Encode(struct {
		Summary BatchSummary `json:"summary"`
	}{sum}); err != nil {
		return sum, fmt.Errorf("write results: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return sum, fmt.Errorf("write results: %w", err)
	}
	if opts.Flush != nil {
		if err := opts.Flush(); err != nil {
			return sum, fmt.Errorf("write results: %w", err)
		}
	}
	return sum, streamErr
}

// parsedRow is a row of a batch as read: its line, and the row or why it
// could not be read.
type parsedRow struct {
	line int64
	row  batchRow
	err  *rowfile.RowError
}

// CanBatch reports whether p may run a batch now: the index is ready and
// the key has the batch operation (purposes and fields are checked per
// row).
func (s *Service) CanBatch(p agency.Principal) error {
	if err := s.Ready(); err != nil {
		return err
	}
	if !slices.Contains(p.Key.Scope.Operations, agency.OpBatch) {
		return &agency.ScopeError{Operation: agency.OpBatch}
	}
	return nil
}

// batchRun is the chunk being built.
type batchRun struct {
	s        *Service
	p        agency.Principal
	sum      *BatchSummary
	counts   usage.Counts // of every row so far: the summary's source
	out      io.Writer
	buf      []byte
	lines    []BatchLine
	accesses map[string][]audit.Access // by purpose
	outcomes []usage.Outcome
}

func (b *batchRun) fail(line int64, key string, problem *RowProblem) {
	b.lines = append(b.lines, BatchLine{Line: line, RecordKey: key, Result: usage.ResultError, Error: problem})
	b.outcomes = append(b.outcomes, usage.Outcome{Result: usage.ResultError})
}

func (b *batchRun) verify(line int64, row batchRow, purpose string) {
	if row.Purpose != "" {
		purpose = row.Purpose
	}
	req := verify.Request{Purpose: purpose, PID: row.PID, OldIDNumber: row.OldIDNumber, FullName: row.FullName,
		DateOfBirth: row.DateOfBirth, Gender: row.Gender, IDCardIssueDate: row.IDCardIssueDate,
		PermanentAddress: row.PermanentAddress, Phone: row.Phone}
	if err := req.Validate(); err != nil {
		b.fail(line, row.RecordKey, problemOf(err))
		return
	}
	if purpose == "" {
		b.fail(line, row.RecordKey, &RowProblem{Code: "missing_purpose", Field: "purpose", Detail: "state the purpose in the row or for the whole batch"})
		return
	}
	fields := req.Fields()
	if err := b.p.Check(agency.OpBatch, purpose, fields); err != nil {
		b.fail(line, row.RecordKey, problemOf(err))
		return
	}
	res := b.s.index.Verify(req)
	b.lines = append(b.lines, BatchLine{Line: line, RecordKey: row.RecordKey, PID: string(subject(res, req)),
		Result: res.Result, Fields: res.Fields, Deceased: res.Deceased})
	if b.accesses == nil {
		b.accesses = map[string][]audit.Access{}
	}
	b.accesses[purpose] = append(b.accesses[purpose], audit.Access{PID: subject(res, req), Fields: fields, Result: res.Result})
	b.outcomes = append(b.outcomes, outcome(res))
}

// flush records the chunk in the audit log (one entry per purpose), then
// writes its lines.
func (b *batchRun) flush(ctx context.Context) error {
	for purpose, list := range b.accesses {
		rec := audit.Record{At: b.s.now(), AgencyID: b.p.Agency.ID, KeyID: b.p.Key.ID, Purpose: purpose, Operation: opBatch,
			RequestID: b.sum.RequestID, Accesses: list}
		if err := b.s.audit.Append(ctx, rec); err != nil {
			return fmt.Errorf("%w: %w", ErrAudit, err)
		}
	}
	clear(b.accesses)
	if b.s.usage != nil {
		b.s.usage.RecordMany(b.p.Agency.ID, opBatch, b.outcomes)
	}
	// The summary counts the outcomes as the statistics do.
	for _, o := range b.outcomes {
		b.counts.Count(o)
	}
	b.outcomes = b.outcomes[:0]
	c := &b.counts
	b.sum.Total, b.sum.ExactMatch, b.sum.Mismatch, b.sum.NotFound, b.sum.Deceased, b.sum.Errors =
		c.Requests, c.Matches, c.Mismatches, c.NotFound, c.Deceased, c.Errors
	maps.Copy(b.sum.MismatchByField, c.FieldMismatches)
	for i := range b.lines {
		l := &b.lines[i]
		b.buf = l.AppendJSON(b.buf[:0])
		if _, err := b.out.Write(b.buf); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	b.lines = b.lines[:0]
	return nil
}

// problemOf describes a refused row.
func problemOf(err error) *RowProblem {
	var fe *verify.FieldError
	var se *agency.ScopeError
	switch {
	case errors.As(err, &fe):
		return &RowProblem{Code: fe.Code, Field: fe.Field, Detail: fe.Error()}
	case errors.As(err, &se):
		return &RowProblem{Code: "out_of_scope", Detail: se.Error()}
	}
	return &RowProblem{Code: "invalid_row", Detail: err.Error()}
}
