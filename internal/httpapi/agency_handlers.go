package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"dancu/internal/access"
	"dancu/internal/agency"
	"dancu/internal/rowfile"
	"dancu/internal/verify"
)

// The endpoints of connected agencies: verify, lookup and batch verify.
// Each sits behind requireAgency, which authenticates the API key and
// applies its rate limit; the access path (package access) checks the
// scope, answers and records the access in the audit log.

// maxVerifyBody bounds a single verify or lookup request: a real one is
// under 1 KiB.
const maxVerifyBody = 16 << 10

// maxBatchBody bounds a batch upload; it streams in constant memory, so
// the bound is only against a runaway client.
const maxBatchBody = 64 << 30

// requireAgency lets a request through with an approved agency's valid
// key within its rate limit. Refusals: 401 (as for accounts, the same
// whatever the reason), 429 with Retry-After.
func (s *server) requireAgency(next func(http.ResponseWriter, *http.Request, agency.Principal)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.Agencies == nil || s.Access == nil {
			s.writeError(w, r, errors.New("requireAgency: agencies or the access path not configured"))
			return
		}
		token, present := bearerToken(r)
		if token == "" {
			s.writeUnauthenticated(w, r, present, "no bearer token")
			return
		}
		p, err := s.Agencies.Authenticate(r.Context(), token)
		if errors.Is(err, agency.ErrUnauthenticated) {
			s.writeUnauthenticated(w, r, true, err.Error())
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if ok, wait := s.Agencies.Allow(p); !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			s.log.InfoContext(r.Context(), "rate limited", slog.String("agency", p.Agency.ID), slog.String("key", p.Key.ID))
			s.writeError(w, r, errRateLimited)
			return
		}
		next(w, r, p)
	}
}

var errRateLimited = errors.New("rate limited")

// readSmallBody reads a verify or lookup body.
func readSmallBody(r *http.Request) ([]byte, error) { return readSmallBodyInto(nil, r) }

// readSmallBodyInto reads a verify or lookup body, appending it to buf.
func readSmallBodyInto(buf []byte, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(nil, r.Body, maxVerifyBody)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return buf, errTooLarge
		}
		if err != nil {
			return buf, err
		}
	}
}

// bodyBuffers hold verify requests being read: the values decoded from
// them are copies, so a buffer goes back to the pool with the answer.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// decodeBody reads a small JSON body into v, or answers the problem and
// returns false.
func (s *server) decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := readSmallBody(r)
	if err == nil {
		err = decodeStrict(body, v)
	}
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}

// verify answers POST /v1/verify.
func (s *server) verify(w http.ResponseWriter, r *http.Request, p agency.Principal) {
	var req verify.Request
	body := bodyBuffers.Get().(*[]byte)
	defer bodyBuffers.Put(body)
	var err error
	*body, err = readSmallBodyInto((*body)[:0], r)
	if err == nil && !verify.DecodeRequest(*body, &req) {
		err = decodeStrict(*body, &req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Access.Verify(r.Context(), p, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	buf := responseBuffers.Get().(*[]byte)
	*buf = res.AppendJSON((*buf)[:0])
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(*buf)
	responseBuffers.Put(buf)
}

// responseBuffers hold verify answers being written.
var responseBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// lookup answers POST /v1/lookup.
func (s *server) lookup(w http.ResponseWriter, r *http.Request, p agency.Principal) {
	var req access.LookupRequest
	if !s.decodeBody(w, r, &req) {
		return
	}
	res, err := s.Access.Lookup(r.Context(), p, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, res)
}

// verifyBatch answers POST /v1/verify/batch: NDJSON (application/x-ndjson)
// or CSV (text/csv) in, NDJSON results out as they are ready, a summary
// line last. ?purpose= applies to rows that name none.
func (s *server) verifyBatch(w http.ResponseWriter, r *http.Request, p agency.Principal) {
	format, err := batchFormat(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Access.CanBatch(p); err != nil {
		s.writeError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBatchBody)
	rc := http.NewResponseController(w)
	// Stream results while the upload goes on (HTTP/1.1). A handler that
	// returns with the body unread then makes the server panic
	// (golang/go#68560): close it first.
	_ = rc.EnableFullDuplex()
	defer r.Body.Close()
	started := false
	out := writerFunc(func(b []byte) (int, error) {
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Cache-Control", "no-store")
		}
		return w.Write(b)
	})
	sum, err := s.Access.Batch(r.Context(), p, r.Body, out, access.BatchOptions{
		Purpose: r.URL.Query().Get("purpose"),
		Format:  format,
		Flush:   rc.Flush,
	})
	if err == nil {
		return
	}
	if !started {
		s.writeError(w, r, err)
		return
	}
	// The results have started: the summary line already closes the
	// output; the log says why it ended early.
	s.log.WarnContext(r.Context(), "batch ended early", slog.String("agency", p.Agency.ID),
		slog.String("request_id", sum.RequestID), slog.Int64("rows", sum.Total), slog.Any("err", err))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// batchFormat is the upload's format, from ?format= or Content-Type.
func batchFormat(r *http.Request) (rowfile.Format, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		format, err := rowfile.FormatOf("", f)
		if err != nil {
			return "", badRequest{code: "invalid_format", field: "format", detail: err.Error()}
		}
		return format, nil
	}
	if f := contentFormat(r); f != "" {
		return rowfile.Format(f), nil
	}
	return "", badRequest{code: "invalid_format", detail: "send Content-Type text/csv or application/x-ndjson (or ?format=csv|ndjson)"}
}

// contentFormat is the upload format an upload's Content-Type names,
// "csv" or "ndjson", or "" for any other.
func contentFormat(r *http.Request) string {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "text/csv":
		return "csv"
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-lines":
		return "ndjson"
	}
	return ""
}

// retryAfter is how long a refused client should wait, in whole seconds.
func retryAfter(d time.Duration) string { return strconv.Itoa(int(math.Ceil(max(d.Seconds(), 1)))) }
