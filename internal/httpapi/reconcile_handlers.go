package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"dancu/internal/agency"
	"dancu/internal/reconcile"
	"dancu/internal/reconcile/input"
)

// reconcilePath is the reconciliation upload's route: like a batch, it
// sets its own body bound.
const reconcilePath = "/v1/reconcile"

// maxReconcileBody bounds a dataset upload (it is spooled to disk, since a
// run reads it twice).
const maxReconcileBody = 4 << 30

// Reconciler runs a reconciliation for an agency (app's reconcileService).
type Reconciler interface {
	// Reconcile checks p's scope, reads the dataset from body, and calls
	// emit with each record's row in the file's order; it returns the
	// run's report. ErrReconcileBusy when another run holds the
	// reconciler.
	Reconcile(ctx context.Context, p agency.Principal, req ReconcileRequest, body io.Reader, emit func(reconcile.Row) error) (*reconcile.Report, error)
}

// ReconcileRequest is what a reconciliation upload asks for.
type ReconcileRequest struct {
	Purpose       string
	Dataset       string
	Input         input.Options
	MaxPerCitizen int
}

// ErrReconcileBusy: another reconciliation is running; try again later.
var ErrReconcileBusy = errors.New("another reconciliation is running")

// reconcileUpload answers POST /v1/reconcile: a dataset (CSV or NDJSON)
// in, one NDJSON line per record out, in the file's order, as records.csv
// has them, then a line {"summary": report}. Query: purpose (required),
// columns (field=column,…), dataset, date_format, max_per_citizen,
// format.
func (s *server) reconcileUpload(w http.ResponseWriter, r *http.Request, p agency.Principal) {
	if s.Reconcile == nil {
		s.writeError(w, r, errors.New("reconcile: no reconciler configured"))
		return
	}
	q := r.URL.Query()
	req := ReconcileRequest{Purpose: q.Get("purpose"), Dataset: q.Get("dataset")}
	if req.Purpose == "" {
		s.writeError(w, r, badRequest{code: "missing_purpose", field: "purpose", detail: "state the purpose of the reconciliation (?purpose=)"})
		return
	}
	if err := p.Check(agency.OpReconcile, req.Purpose, nil); err != nil {
		s.writeError(w, r, err)
		return
	}
	if c := q.Get("columns"); c != "" {
		cols, err := input.ParseColumns(c)
		if err != nil {
			s.writeError(w, r, badRequest{code: "invalid_columns", field: "columns", detail: err.Error()})
			return
		}
		req.Input.Columns = cols
	}
	req.Input.DateFormat = q.Get("date_format")
	req.Input.Format = input.Format(strings.ToLower(q.Get("format")))
	if req.Input.Format == "" {
		req.Input.Format = input.Format(contentFormat(r)) // "" lets the reader tell from the contents
	}
	if v := q.Get("max_per_citizen"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.writeError(w, r, badRequest{code: "invalid_parameter", field: "max_per_citizen", detail: "max_per_citizen must be a whole number, 0 or more"})
			return
		}
		req.MaxPerCitizen = n
	}
	if req.Dataset == "" {
		req.Dataset = "upload"
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxReconcileBody)
	defer r.Body.Close()
	started := false
	rc := http.NewResponseController(w)
	var line []byte
	n := 0
	emit := func(row reconcile.Row) error {
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Cache-Control", "no-store")
		}
		var err error
		if line, err = appendJSONLine(line[:0], row); err != nil {
			return err
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		if n++; n%4096 == 0 {
			_ = rc.Flush()
		}
		return nil
	}
	rep, err := s.Reconcile.Reconcile(r.Context(), p, req, r.Body, emit)
	if err != nil {
		if !started {
			var fe *input.FileError
			var mbe *http.MaxBytesError
			switch {
			case errors.Is(err, ErrReconcileBusy):
				w.Header().Set("Retry-After", "60")
				s.writeError(w, r, errReconcileBusy)
			case errors.As(err, &fe):
				s.writeError(w, r, badRequest{code: "invalid_dataset", detail: fe.Error()})
			case errors.As(err, &mbe):
				s.writeError(w, r, errTooLarge)
			default:
				s.writeError(w, r, err)
			}
			return
		}
		s.log.WarnContext(r.Context(), "reconciliation ended early", slog.String("agency", p.Agency.ID), slog.Any("err", err))
		line, _ = appendJSONLine(line[:0], map[string]string{"error": "the reconciliation ended early; the rows above are complete, the rest are missing"})
		_, _ = w.Write(line)
		return
	}
	if !started {
		w.Header().Set("Content-Type", "application/x-ndjson")
	}
	line, _ = appendJSONLine(line[:0], map[string]any{"summary": rep})
	_, _ = w.Write(line)
}

// errReconcileBusy is answered 503 with Retry-After.
var errReconcileBusy = errors.New("reconcile busy")

func appendJSONLine(b []byte, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(append(b, data...), '\n'), nil
}
