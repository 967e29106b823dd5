// Package httpapi is dancu's JSON API: every route in routes.go, handlers
// grouped by resource, errors as RFC 9457 problem documents translated in
// one place (problem.go).
package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"dancu/internal/adminunit"
	"dancu/internal/registry"

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
}

type server struct {
	Deps
	log     *slog.Logger
	metrics *httpMetrics
}

// New returns the handler for every API route.
func New(d Deps) http.Handler {
	s := &server{Deps: d, log: d.Log, metrics: newHTTPMetrics(d.Metrics)}
	mux := http.NewServeMux()
	handle := func(pattern, route string, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument(route, h))
	}

	// Operations.
	handle("GET /healthz", "/healthz", s.healthz)
	handle("GET /readyz", "/readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.Metrics, promhttp.HandlerOpts{Registry: d.Metrics}))
	handle("GET /openapi.json", "/openapi.json", s.openapi)

	// Reference data: personal ID numbers and administrative units.
	handle("GET /v1/reference/pid/{pid}", "/v1/reference/pid/{pid}", s.decodePID)
	handle("GET /v1/reference/address", "/v1/reference/address", s.resolveAddress)

	// Accounts.
	handle("GET /v1/me", "/v1/me", s.requireAccount(s.Accounts, s.me))

	// The population register, for officers.
	officer := func(h http.HandlerFunc) http.HandlerFunc { return s.requireAccount(s.Accounts, h) }
	handle("GET /v1/register/citizens", "/v1/register/citizens", officer(s.findCitizens))
	handle("GET /v1/register/citizens/{pid}", "/v1/register/citizens/{pid}", officer(s.getCitizen))
	handle("GET /v1/register/citizens/{pid}/history", "/v1/register/citizens/{pid}/history", officer(s.getCitizenHistory))
	handle("GET /v1/register/citizens/{pid}/as-of/{date}", "/v1/register/citizens/{pid}/as-of/{date}", officer(s.getCitizenAsOf))
	handle("GET /v1/register/citizens/{pid}/residences", "/v1/register/citizens/{pid}/residences", officer(s.getCitizenResidences))
	handle("GET /v1/register/households/{id}", "/v1/register/households/{id}", officer(s.getHousehold))
	handle("POST /v1/register/events/{kind}", "/v1/register/events/{kind}", officer(s.recordEvent))

	handle("/", "other", func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, errNotFound) })
	return secureHeaders(limitBody(mux))
}
