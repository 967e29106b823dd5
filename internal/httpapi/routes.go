// Package httpapi is dancu's JSON API: every route in routes.go, handlers
// grouped by resource, errors as RFC 9457 problem documents translated in
// one place (problem.go).
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"dancu/internal/access"
	"dancu/internal/adminunit"
	"dancu/internal/agency"
	"dancu/internal/audit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/usage"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// AddressResolver turns free-text addresses into administrative units.
type AddressResolver interface {
	Resolve(text string) (adminunit.Resolution, error)
}

// Deps is what the API needs from the rest of dancu.
type Deps struct {
	Log *slog.Logger
	// Ready reports whether the server can take traffic (database reachable).
	Ready     func(ctx context.Context) error
	Addresses AddressResolver
	// Metrics is the registry /metrics serves; the API adds its own
	// request metrics to it.
	Metrics *prometheus.Registry
	Version string
	// Register is the population register.
	Register *registry.Service
	// Accounts authenticates the bearer tokens of API calls
	// (requireAccount); nil refuses every protected route.
	Accounts Authenticator
	// Agencies authenticates connected agencies' API keys and manages
	// them; nil refuses the agencies' routes.
	Agencies *agency.Service
	// Access is the agencies' access path: verify, lookup, batch.
	Access *access.Service
	// Audit serves a citizen's access history.
	Audit AccessLog
	// Usage counts what agencies ask, for GET /v1/stats.
	Usage *usage.Recorder
	// Reconcile runs agencies' dataset reconciliations (POST
	// /v1/reconcile); nil refuses them.
	Reconcile Reconciler
}

// AccessLog reads the audit log's per-citizen view (*audit.Log).
type AccessLog interface {
	Accesses(ctx context.Context, number pid.PID, limit int) ([]audit.AccessView, error)
}

type server struct {
	Deps
	log      *slog.Logger
	metrics  *httpMetrics
	patterns []string // every route, as declared in routes
}

// New returns the handler for every API route.
func New(d Deps) http.Handler {
	s := &server{Deps: d, log: d.Log, metrics: newHTTPMetrics(d.Metrics)}
	return secureHeaders(limitBody(s.routes()))
}

// routes declares every route of the API.
func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		s.patterns = append(s.patterns, pattern)
		_, route, _ := strings.Cut(pattern, " ")
		mux.Handle(pattern, s.instrument(route, h))
	}
	officer := func(h http.HandlerFunc) http.HandlerFunc { return s.requireAccount(s.Accounts, h) }

	// Operations.
	handle("GET /healthz", s.healthz)
	handle("GET /readyz", s.readyz)
	handle("GET /metrics", promhttp.HandlerFor(s.Metrics, promhttp.HandlerOpts{Registry: s.Metrics}).ServeHTTP)
	handle("GET /openapi.json", s.openapi)

	// Reference data: personal ID numbers and administrative units.
	handle("GET /v1/reference/pid/{pid}", s.decodePID)
	handle("GET /v1/reference/address", s.resolveAddress)

	// Accounts.
	handle("GET /v1/me", officer(s.me))

	// The population register, for officers.
	handle("GET /v1/register/citizens", officer(s.findCitizens))
	handle("GET /v1/register/citizens/{pid}", officer(s.getCitizen))
	handle("GET /v1/register/citizens/{pid}/history", officer(s.getCitizenHistory))
	handle("GET /v1/register/citizens/{pid}/as-of/{date}", officer(s.getCitizenAsOf))
	handle("GET /v1/register/citizens/{pid}/residences", officer(s.getCitizenResidences))
	handle("GET /v1/register/households/{id}", officer(s.getHousehold))
	handle("POST /v1/register/events/{kind}", officer(s.recordEvent))
	handle("GET /v1/register/citizens/{pid}/accesses", officer(s.getCitizenAccesses))

	// Connected agencies.
	handle("POST /v1/verify", s.requireAgency(s.verify))
	handle("POST /v1/verify/batch", s.requireAgency(s.verifyBatch))
	handle("POST /v1/lookup", s.requireAgency(s.lookup))
	handle("POST "+reconcilePath, s.requireAgency(s.reconcileUpload))

	// Administration of agencies, and their statistics.
	handle("GET /v1/admin/agencies", officer(s.listAgencies))
	handle("POST /v1/admin/agencies", officer(s.addAgency))
	handle("GET /v1/admin/agencies/{id}", officer(s.getAgency))
	handle("POST /v1/admin/agencies/{id}/approve", officer(s.approveAgency))
	handle("POST /v1/admin/agencies/{id}/suspend", officer(s.suspendAgency))
	handle("POST /v1/admin/agencies/{id}/keys", officer(s.issueKey))
	handle("POST /v1/admin/keys/{id}/revoke", officer(s.revokeKey))
	handle("GET /v1/stats", officer(s.stats))

	mux.Handle("/", s.instrument("other", func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, errNotFound) }))
	return mux
}
