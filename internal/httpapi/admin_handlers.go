package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"dancu/internal/agency"
	"dancu/internal/eid"
	"dancu/internal/usage"
)

// Administration of connected agencies and their statistics, for admins
// (eid.ManageAgencies, eid.ReadStatistics), and the access history of a
// citizen, for the officers of the citizen's area.

// listAgencies answers GET /v1/admin/agencies.
func (s *server) listAgencies(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, eid.ManageAgencies, eid.Place{}) {
		return
	}
	list, err := s.Agencies.List(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"agencies": nonNil(list)})
}

// getAgency answers GET /v1/admin/agencies/{id}.
func (s *server) getAgency(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, eid.ManageAgencies, eid.Place{}) {
		return
	}
	l, err := s.Agencies.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, l)
}

// newAgencyRequest is the body of POST /v1/admin/agencies, and (without
// name and kind) of POST /v1/admin/agencies/{id}/keys.
type newAgencyRequest struct {
	Name       string             `json:"name"`
	Kind       agency.Kind        `json:"kind"`
	Operations []agency.Operation `json:"operations"`
	Fields     []string           `json:"fields"`
	Purposes   []string           `json:"purposes"`
	RateLimit  *int               `json:"rate_limit"` // default 100 requests/s; 0 = unlimited
	ExpiresAt  *time.Time         `json:"expires_at"`
	// Approved skips the pending state: the security assessment was done
	// before the agency was entered.
	Approved bool `json:"approved"`
}

func (n newAgencyRequest) scope() agency.Scope {
	return agency.Scope{Operations: n.Operations, Fields: n.Fields, Purposes: n.Purposes}
}

func (n newAgencyRequest) limits() (int, time.Time) {
	rate := 100
	if n.RateLimit != nil {
		rate = *n.RateLimit
	}
	var expires time.Time
	if n.ExpiresAt != nil {
		expires = *n.ExpiresAt
	}
	return rate, expires
}

// createdKey answers the creation of an agency or key: the key is shown
// this once.
type createdKey struct {
	AgencyID string        `json:"agency_id"`
	Key      string        `json:"key"`
	KeyID    string        `json:"key_id"`
	Status   agency.Status `json:"status,omitempty"`
}

// addAgency answers POST /v1/admin/agencies (201).
func (s *server) addAgency(w http.ResponseWriter, r *http.Request) {
	s.createKey(w, r, func(ctx context.Context, in newAgencyRequest, rate int, expires time.Time) (createdKey, error) {
		a, k, key, err := s.Agencies.Add(ctx, agency.NewAgency{Name: in.Name, Kind: in.Kind, Scope: in.scope(),
			RateLimit: rate, ExpiresAt: expires, Approved: in.Approved})
		return createdKey{AgencyID: a.ID, Key: key, KeyID: k.ID, Status: a.Status}, err
	})
}

// issueKey answers POST /v1/admin/agencies/{id}/keys (201).
func (s *server) issueKey(w http.ResponseWriter, r *http.Request) {
	s.createKey(w, r, func(ctx context.Context, in newAgencyRequest, rate int, expires time.Time) (createdKey, error) {
		k, key, err := s.Agencies.IssueKey(ctx, r.PathValue("id"), in.scope(), rate, expires)
		return createdKey{AgencyID: k.AgencyID, Key: key, KeyID: k.ID}, err
	})
}

// createKey answers a request that creates a key, for admins: the body is
// a newAgencyRequest, and the answer (201, never cached) shows the key
// this once.
func (s *server) createKey(w http.ResponseWriter, r *http.Request,
	create func(ctx context.Context, in newAgencyRequest, rate int, expires time.Time) (createdKey, error)) {
	if !s.authorize(w, r, eid.ManageAgencies, eid.Place{}) {
		return
	}
	var in newAgencyRequest
	if !s.decodeBody(w, r, &in) {
		return
	}
	rate, expires := in.limits()
	created, err := create(r.Context(), in, rate, expires)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	writeJSON(w, created)
}

// approveAgency answers POST /v1/admin/agencies/{id}/approve: the
// security assessment is passed and the agency's keys work.
func (s *server) approveAgency(w http.ResponseWriter, r *http.Request) {
	s.changeAgency(w, r, s.Agencies.Approve)
}

// suspendAgency answers POST /v1/admin/agencies/{id}/suspend: every key of
// the agency stops working at once.
func (s *server) suspendAgency(w http.ResponseWriter, r *http.Request) {
	s.changeAgency(w, r, s.Agencies.Suspend)
}

func (s *server) changeAgency(w http.ResponseWriter, r *http.Request, change func(context.Context, string) (agency.Agency, error)) {
	if !s.authorize(w, r, eid.ManageAgencies, eid.Place{}) {
		return
	}
	a, err := change(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, a)
}

// revokeKey answers POST /v1/admin/keys/{id}/revoke.
func (s *server) revokeKey(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, eid.ManageAgencies, eid.Place{}) {
		return
	}
	k, err := s.Agencies.RevokeKey(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, k)
}

// stats answers GET /v1/stats?from=&to=&agency=&operation=: requests,
// exact matches, discrepancies by field and not found, per agency,
// operation and day, with their total.
func (s *server) stats(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r, eid.ReadStatistics, eid.Place{}) {
		return
	}
	q := r.URL.Query()
	f := usage.Filter{From: q.Get("from"), To: q.Get("to"), AgencyID: q.Get("agency"), Operation: q.Get("operation")}
	for name, day := range map[string]string{"from": f.From, "to": f.To} {
		if day == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			s.writeError(w, r, badRequest{code: "invalid_date", field: name, detail: name + ": want yyyy-mm-dd"})
			return
		}
	}
	rows, err := s.Usage.Query(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"rows": nonNil(rows), "total": usage.Total(rows)})
}

// getCitizenAccesses answers GET /v1/register/citizens/{pid}/accesses:
// who read or verified the citizen's data, when, which fields, for what
// purpose, newest first (?limit=, default 100, at most 1000).
func (s *server) getCitizenAccesses(w http.ResponseWriter, r *http.Request) {
	v, ok := s.readableCitizen(w, r)
	if !ok {
		return
	}
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(w, r, badRequest{code: "invalid_limit", field: "limit", detail: "limit: a number from 1 to 1000"})
			return
		}
		limit = n
	}
	list, err := s.Audit.Accesses(r.Context(), v.PID, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"pid": v.PID, "accesses": nonNil(list)})
}
