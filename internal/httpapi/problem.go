package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"dancu/internal/access"
	"dancu/internal/adminunit"
	"dancu/internal/agency"
	"dancu/internal/eid"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/verify"
)

// Problem is an RFC 9457 problem document. Code is a stable, machine
// readable error code that clients branch on; Title and Detail are for
// people and may change.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// problemTypeBase prefixes every problem type; the docs list the codes.
const problemTypeBase = "https://dancu.invalid/problems/"

// badRequest is a client mistake with a safe message to show.
type badRequest struct {
	code, field, detail string
}

func (e badRequest) Error() string { return e.detail }

// writeError translates err into a problem response. It is the only place
// that maps errors to HTTP: the client sees a safe message and a stable
// code, the log sees the cause.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := Problem{Instance: r.URL.Path}
	var br badRequest
	var fe *registry.FieldError
	var vfe *verify.FieldError
	var are *access.RequestError
	var aie *agency.InvalidError
	var scope *agency.ScopeError
	switch {
	case errors.As(err, &br):
		p.Status, p.Code, p.Field, p.Detail = http.StatusBadRequest, br.code, br.field, br.detail
	case errors.As(err, &fe):
		p.Code, p.Field, p.Detail = fe.Code, fe.Field, fe.Error()
		switch {
		case errors.Is(err, registry.ErrNotFound):
			p.Status = http.StatusNotFound
		case errors.Is(err, registry.ErrRule):
			p.Status = http.StatusUnprocessableEntity
		default:
			p.Status = http.StatusBadRequest
		}
	case errors.As(err, &vfe):
		p.Status, p.Code, p.Field, p.Detail = http.StatusBadRequest, vfe.Code, vfe.Field, vfe.Error()
	case errors.As(err, &are):
		p.Status, p.Code, p.Field, p.Detail = http.StatusBadRequest, are.Code, are.Field, are.Error()
	case errors.As(err, &aie):
		p.Status, p.Code, p.Field, p.Detail = http.StatusBadRequest, "invalid_"+aie.Field, aie.Field, aie.Error()
	case errors.As(err, &scope):
		p.Status, p.Code, p.Detail = http.StatusForbidden, "out_of_scope", scope.Error()
	case errors.Is(err, agency.ErrNotFound):
		p.Status, p.Code, p.Detail = http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, errRateLimited):
		p.Status, p.Code, p.Detail = http.StatusTooManyRequests, "rate_limited", "The key's rate limit is exceeded; retry after the time in Retry-After."
	case errors.Is(err, access.ErrAudit):
		s.log.ErrorContext(r.Context(), "audit append failed", slog.String("route", r.Pattern), slog.Any("err", err))
		p.Status, p.Code, p.Detail = http.StatusServiceUnavailable, "audit_unavailable", "The access could not be recorded, so it was not answered; retry later."
	case errors.Is(err, access.ErrNotReady):
		w.Header().Set("Retry-After", "5")
		p.Status, p.Code, p.Detail = http.StatusServiceUnavailable, "not_ready", err.Error()
	case errors.Is(err, errReconcileBusy):
		p.Status, p.Code, p.Detail = http.StatusServiceUnavailable, "reconcile_busy", "Another reconciliation is running; retry after the time in Retry-After."
	case errors.Is(err, access.ErrBatchStream):
		p.Status, p.Code, p.Detail = http.StatusBadRequest, "invalid_batch", err.Error()
	case errors.Is(err, registry.ErrConflict):
		p.Status, p.Code, p.Detail = http.StatusConflict, "conflict", "the records changed under a concurrent event; try again"
	case errors.Is(err, errTooLarge):
		p.Status, p.Code, p.Detail = http.StatusRequestEntityTooLarge, "too_large", "the request body is too large"
	case errors.Is(err, pid.ErrMalformed):
		p.Status, p.Code, p.Field, p.Detail = http.StatusBadRequest, "invalid_pid", "pid", err.Error()
	case errors.Is(err, adminunit.ErrEmptyAddress), errors.Is(err, adminunit.ErrAddressTooLong), errors.Is(err, adminunit.ErrInvalidUTF8):
		p.Status, p.Code, p.Field, p.Detail = http.StatusBadRequest, "invalid_address", "q", err.Error()
	case errors.Is(err, eid.ErrUnauthenticated):
		p.Status, p.Code, p.Detail = http.StatusUnauthorized, "unauthenticated", "A valid bearer token is required in the Authorization header."
	case errors.Is(err, errForbidden):
		p.Status, p.Code, p.Detail = http.StatusForbidden, "forbidden", "Your role or area does not allow this action on this resource."
	case errors.Is(err, errNotFound):
		p.Status, p.Code = http.StatusNotFound, "not_found"
		if err != errNotFound {
			p.Detail = err.Error()
		}
	case errors.Is(err, errMethod):
		p.Status, p.Code = http.StatusMethodNotAllowed, "method_not_allowed"
	case errors.Is(err, errNotReady):
		p.Status, p.Code, p.Detail = http.StatusServiceUnavailable, "not_ready", err.Error()
	default:
		s.log.ErrorContext(r.Context(), "request failed", slog.String("route", r.Pattern), slog.Any("err", err))
		p.Status, p.Code = http.StatusInternalServerError, "internal"
	}
	p.Title = http.StatusText(p.Status)
	p.Type = problemTypeBase + p.Code
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

var (
	errNotFound = errors.New("no such resource")
	errMethod   = errors.New("method not allowed")
	errTooLarge = errors.New("request body too large")
	errNotReady = errors.New("not ready")
	// errForbidden: the account is known but its role or area does not
	// allow the action. The detail never says where the resource is,
	// which could itself be personal data.
	errForbidden = errors.New("forbidden")
)

// writeJSON sends v as a 200 JSON response.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
