// Package access is the one path by which connected agencies reach
// citizens' data: it checks the key's scope for the operation, purpose and
// fields, answers from the verification index (verify, batch) or the
// register (lookup), records every access in the audit log — durably,
// before the answer leaves — and counts the outcome for the statistics.
// The HTTP API and the CLI both go through it; there is no side door.
package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"dancu/internal/agency"
	"dancu/internal/audit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/usage"
	"dancu/internal/verify"

	"github.com/google/uuid"
)

// Auditor records accesses (*audit.Log); Append returns once the record is
// durable.
type Auditor interface {
	Append(ctx context.Context, r audit.Record) error
}

// Register reads citizens for lookups (*registry.Service).
type Register interface {
	Citizen(ctx context.Context, number pid.PID) (registry.CitizenView, error)
	RecordOf(c registry.Citizen) registry.Record
}

// Service answers agencies.
type Service struct {
	ready    atomic.Bool // the index holds the whole register
	index    *verify.Index
	audit    Auditor
	usage    *usage.Recorder
	register Register
	now      func() time.Time
	fields   map[string]int // lookup field name -> index in registry.RecordFields
}

// New returns the access path over the verification index, the audit log,
// the usage counts (nil: none) and the register.
func New(index *verify.Index, log Auditor, counts *usage.Recorder, register Register) *Service {
	fields := map[string]int{}
	for i, f := range registry.RecordFields {
		fields[f] = i
	}
	return &Service{index: index, audit: log, usage: counts, register: register, now: time.Now, fields: fields}
}

// Errors the service returns besides *verify.FieldError (a malformed
// request) and *agency.ScopeError (outside the key's scope).
var (
	// ErrAudit wraps a failure to record an access: the answer is
	// withheld, since every answer must be on the record first.
	ErrAudit = errors.New("the access could not be recorded in the audit log")
	// ErrNotReady: the verification index is still being built at start;
	// answering from part of it would say "not found" of citizens who
	// exist.
	ErrNotReady = errors.New("the verification index is still being built")
)

// SetReady marks the index as holding the whole register: verification
// and batches are answered from then on.
func (s *Service) SetReady() { s.ready.Store(true) }

// Ready reports whether SetReady was called, as ErrNotReady if not.
func (s *Service) Ready() error {
	if !s.ready.Load() {
		return ErrNotReady
	}
	return nil
}

// RequestError is a malformed request outside the verify fields (say, a
// lookup naming an unknown field).
type RequestError struct {
	Field, Code, Msg string
}

func (e *RequestError) Error() string { return e.Field + ": " + e.Msg }

// The operations, as audited and counted.
const (
	opVerify = string(agency.OpVerify)
	opLookup = string(agency.OpLookup)
	opBatch  = string(agency.OpBatch)
)

// VerifyResponse is the answer to one verification.
type VerifyResponse struct {
	verify.Result
	RequestID string `json:"request_id"`
}

// Verify answers one verification for p.
func (s *Service) Verify(ctx context.Context, p agency.Principal, req verify.Request) (VerifyResponse, error) {
	if err := s.Ready(); err != nil {
		return VerifyResponse{}, err
	}
	if err := req.Validate(); err != nil {
		return VerifyResponse{}, err
	}
	if req.Purpose == "" {
		return VerifyResponse{}, &verify.FieldError{Field: "purpose", Code: "missing_purpose", Msg: "state the purpose of the request"}
	}
	fields := req.Fields()
	if err := p.Check(agency.OpVerify, req.Purpose, fields); err != nil {
		return VerifyResponse{}, err
	}
	res := s.index.Verify(req)
	id := newRequestID()
	rec := audit.Record{At: s.now(), AgencyID: p.Agency.ID, KeyID: p.Key.ID, Purpose: req.Purpose, Operation: opVerify,
		RequestID: id, Accesses: []audit.Access{{PID: subject(res, req), Fields: fields, Result: res.Result}}}
	if err := s.audit.Append(ctx, rec); err != nil {
		return VerifyResponse{}, fmt.Errorf("%w: %w", ErrAudit, err)
	}
	if s.usage != nil {
		s.usage.Record(p.Agency.ID, opVerify, outcome(res))
	}
	return VerifyResponse{Result: res, RequestID: id}, nil
}

// subject is the citizen an access concerns: the one found, else the
// number asked about.
func subject(res verify.Result, req verify.Request) pid.PID {
	if res.PID != "" {
		return res.PID
	}
	return pid.PID(req.PID)
}

func outcome(res verify.Result) usage.Outcome {
	o := usage.Outcome{Result: res.Result, Deceased: res.Deceased}
	if res.Result == "mismatch" {
		for f, fr := range res.Fields {
			if fr.Verdict == verify.Mismatch {
				o.Fields = append(o.Fields, f)
			}
		}
	}
	return o
}

// LookupRequest asks for some fields of one citizen.
type LookupRequest struct {
	Purpose string   `json:"purpose"`
	PID     string   `json:"pid"`
	Fields  []string `json:"fields"`
}

// LookupResponse is the fields asked for, as the register holds them.
type LookupResponse struct {
	Result    string            `json:"result"` // "found" or "not_found"
	PID       string            `json:"pid"`
	Record    map[string]string `json:"record,omitempty"`
	Deceased  bool              `json:"deceased"`
	RequestID string            `json:"request_id"`
}

// maxLookupFields bounds the field list of a lookup.
const maxLookupFields = 64

// Lookup returns the fields of one citizen that p's scope allows for the
// purpose; asking for any other is refused whole (*agency.ScopeError).
func (s *Service) Lookup(ctx context.Context, p agency.Principal, req LookupRequest) (LookupResponse, error) {
	if req.Purpose == "" {
		return LookupResponse{}, &RequestError{Field: "purpose", Code: "missing_purpose", Msg: "state the purpose of the request"}
	}
	number, err := pid.Parse(req.PID)
	if err != nil {
		return LookupResponse{}, &RequestError{Field: "pid", Code: "invalid_pid", Msg: err.Error()}
	}
	if len(req.Fields) == 0 {
		return LookupResponse{}, &RequestError{Field: "fields", Code: "missing_fields", Msg: "name the fields wanted"}
	}
	if len(req.Fields) > maxLookupFields {
		return LookupResponse{}, &RequestError{Field: "fields", Code: "too_many_fields", Msg: fmt.Sprintf("at most %d fields", maxLookupFields)}
	}
	for _, f := range req.Fields {
		if _, ok := s.fields[f]; !ok {
			return LookupResponse{}, &RequestError{Field: "fields", Code: "unknown_field", Msg: fmt.Sprintf("unknown field %q", f)}
		}
	}
	if err := p.Check(agency.OpLookup, req.Purpose, req.Fields); err != nil {
		return LookupResponse{}, err
	}
	out := LookupResponse{Result: usage.ResultNotFound, PID: number.String(), RequestID: newRequestID()}
	view, err := s.register.Citizen(ctx, number)
	switch {
	case err == nil:
		rec := s.register.RecordOf(view.Citizen)
		values := rec.Fields()
		out.Result, out.Record = usage.ResultFound, make(map[string]string, len(req.Fields))
		for _, f := range req.Fields {
			out.Record[f] = *values[s.fields[f]]
		}
		out.Deceased = view.Status == registry.StatusDeceased
	case errors.Is(err, registry.ErrNotFound):
	default:
		return LookupResponse{}, err
	}
	rec := audit.Record{At: s.now(), AgencyID: p.Agency.ID, KeyID: p.Key.ID, Purpose: req.Purpose, Operation: opLookup,
		RequestID: out.RequestID, Accesses: []audit.Access{{PID: number, Fields: req.Fields, Result: out.Result}}}
	if err := s.audit.Append(ctx, rec); err != nil {
		return LookupResponse{}, fmt.Errorf("%w: %w", ErrAudit, err)
	}
	if s.usage != nil {
		s.usage.Record(p.Agency.ID, opLookup, usage.Outcome{Result: out.Result, Deceased: out.Deceased})
	}
	return out, nil
}

func newRequestID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

// AppendJSON appends r as JSON, byte for byte as encoding/json writes it
// (map keys sorted), without reflection: the verify endpoint's answer is
// on the hot path.
func (r VerifyResponse) AppendJSON(b []byte) []byte {
	b = append(b, `{"result":`...)
	b = strconv.AppendQuote(b, r.Result.Result)
	b = append(b, `,"fields":`...)
	b = appendFields(b, r.Fields)
	b = append(b, `,"deceased":`...)
	b = strconv.AppendBool(b, r.Deceased)
	b = append(b, `,"request_id":`...)
	b = strconv.AppendQuote(b, r.RequestID)
	return append(b, "}\n"...)
}

// appendFields appends the field verdicts as encoding/json writes the map.
func appendFields(b []byte, fields map[string]verify.FieldResult) []byte {
	var keys [16]string
	list := keys[:0]
	for k := range fields {
		list = append(list, k)
	}
	slices.Sort(list)
	b = append(b, '{')
	for i, k := range list {
		if i > 0 {
			b = append(b, ',')
		}
		f := fields[k]
		b = strconv.AppendQuote(b, k)
		b = append(b, `:{"verdict":`...)
		b = strconv.AppendQuote(b, string(f.Verdict))
		if f.Exact != nil {
			b = append(b, `,"exact":`...)
			b = strconv.AppendBool(b, *f.Exact)
		}
		if f.Folded != nil {
			b = append(b, `,"folded":`...)
			b = strconv.AppendBool(b, *f.Folded)
		}
		if f.Score != nil {
			b = append(b, `,"score":`...)
			b = strconv.AppendFloat(b, *f.Score, 'f', -1, 64)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}
