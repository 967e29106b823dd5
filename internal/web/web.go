// Package web is dancu's HTML surface: server-rendered pages with no
// build step and no script. Today it holds the landing page and the
// officer console (sign in with an API token, search the register, read a
// citizen's record, household, residence registrations and history, and
// see the record as it stood on a past day; decide the records a
// reconciliation left for review and raise correction requests), and, for
// administrators, the usage statistics of connected agencies and the
// agencies with their API keys (approve, suspend, revoke).
//
// Every route is in routes (this file). Pages are html/template files
// parsed once at start from an embedded file system, with one embedded
// stylesheet; every visible string comes from the message catalog
// (messages.go) in Vietnamese, the default, and English. Sessions and CSRF
// protection are in session.go. See docs/web.md.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"dancu/internal/audit"
	"dancu/internal/eid"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

// Authenticator turns an officer's token into the account it belongs to;
// *eid.Service satisfies it. A refusal is an error matching
// eid.ErrUnauthenticated, any other error a failure.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (eid.Account, error)
}

// Deps is what the pages need from the rest of dancu.
type Deps struct {
	Log *slog.Logger
	// Register is the population register the console reads.
	Register *registry.Service
	// Accounts checks the token an officer signs in with, and the session
	// cookie on every later request.
	Accounts Authenticator
	// Version is shown in the footer.
	Version string
	// NotFound, when set, answers requests for unknown paths from clients
	// that do not accept HTML (API clients that mistyped a path get the
	// API's problem document); browsers get the HTML 404 page.
	NotFound http.Handler
	// Usage, when set, feeds the statistics page (/officer/stats); without
	// it the page is not found and the console does not link to it.
	Usage UsageReader
	// Agencies, when set, feeds the agencies page (/officer/agencies) and
	// its actions; without it they are not found and the console does not
	// link to them.
	Agencies AgencyAdmin
	// Accesses, when set, lists on a citizen's page who verified or read
	// the citizen's data (the audit log's per-citizen view).
	Accesses AccessReader
	// Reconcile, when set, feeds the reconciliation pages: the runs of
	// dancu reconcile, the review queue of their ambiguous records
	// (/officer/reconcile) and the correction requests raised from it
	// (/officer/corrections); without it they are not found and the
	// console does not link to them.
	Reconcile ReconcileStore
}

// AccessReader reads the audit log's per-citizen view (*audit.Log).
type AccessReader interface {
	Accesses(ctx context.Context, number pid.PID, limit int) ([]audit.AccessView, error)
}

type server struct {
	Deps
	log   *slog.Logger
	pages *pages
	msgs  catalog
	css   asset
	// fieldOrder sorts the fields a history entry changed.
	fieldOrder map[string]int
	// now is the clock: the statistics' default period ends today.
	now func() time.Time
}

// New returns the handler for every page. It fails if the embedded
// templates or stylesheet do not parse, or a dependency is missing.
func New(d Deps) (http.Handler, error) {
	if d.Register == nil || d.Accounts == nil {
		return nil, errors.New("web: Register and Accounts are required")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{Deps: d, log: d.Log, msgs: messages(), fieldOrder: citizenFieldOrder(), now: time.Now}
	var err error
	if s.css, err = loadAsset("static/dancu.css", "text/css; charset=utf-8"); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	return s.routes(), nil
}

// routes declares every page of the web surface.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /static/dancu.css", s.css.serve)

	// The officer console.
	mux.HandleFunc("GET /officer/login", s.loginForm)
	mux.HandleFunc("POST /officer/login", s.login)
	mux.HandleFunc("POST /officer/logout", s.logout)
	mux.HandleFunc("GET /officer", s.officer(s.search))
	mux.HandleFunc("GET /officer/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/officer", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /officer/citizens/{pid}", s.officer(s.citizen))

	// Administrators: connected agencies' usage, the agencies and their keys.
	mux.HandleFunc("GET /officer/stats", s.officer(s.stats))
	mux.HandleFunc("GET /officer/agencies", s.officer(s.agencies))
	mux.HandleFunc("POST /officer/agencies/{id}/approve", s.officer(s.approveAgency))
	mux.HandleFunc("POST /officer/agencies/{id}/suspend", s.officer(s.suspendAgency))
	mux.HandleFunc("POST /officer/agencies/keys/{id}/revoke", s.officer(s.revokeKey))

	// Reconciliation: the runs, the review queue of each, and the
	// correction requests officers raise from it.
	mux.HandleFunc("GET /officer/reconcile", s.officer(s.reconcileRuns))
	mux.HandleFunc("GET /officer/reconcile/{run}", s.officer(s.reconcileRun))
	mux.HandleFunc("POST /officer/reconcile/items/{item}/decision", s.officer(s.decideReview))
	mux.HandleFunc("GET /officer/reconcile/items/{item}/correction", s.officer(s.correctionForm))
	mux.HandleFunc("POST /officer/reconcile/items/{item}/correction", s.officer(s.requestCorrection))
	mux.HandleFunc("GET /officer/corrections", s.officer(s.corrections))
	mux.HandleFunc("POST /officer/corrections/{id}/resolve", s.officer(s.resolveCorrection))

	mux.HandleFunc("/", s.notFound)

	// Browsers send Sec-Fetch-Site and Origin: a cross-site POST is refused
	// before the form's CSRF token is even looked at.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.csrfRefused))
	return secureHeaders(limitBody(cop.Handler(mux)))
}

// maxFormBytes bounds a form's body; the largest form is the correction
// request's, whose value and note (at most 300 and 1,000 characters, of
// at most 3 bytes each in Vietnamese) take at most three times their
// bytes URL-encoded, about 12 KiB. The login form's token is 58 bytes;
// the agencies' forms hold only the CSRF token.
const maxFormBytes = 16 << 10

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only this origin's stylesheet and forms: no
// script at all, no inline style, no framing.
const contentSecurityPolicy = "default-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// home answers GET /: what dancu is, and where to go.
func (s *server) home(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "home.title")
	s.render(w, r, http.StatusOK, "home", p)
}

// notFound answers every path no page has: the HTML 404 page for browsers,
// Deps.NotFound for other clients.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	if s.NotFound != nil && !acceptsHTML(r) {
		s.NotFound.ServeHTTP(w, r)
		return
	}
	s.errorPage(w, r, http.StatusNotFound, nil)
}

// officerHandler is a page behind a signed-in session.
type officerHandler func(w http.ResponseWriter, r *http.Request, a eid.Account)

// errorPage renders the error page for status (403, 404, 500 …) in the
// site's look; a is the signed-in officer, if any, for the header.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, a *eid.Account) {
	key := "error.other"
	switch status {
	case http.StatusForbidden, http.StatusNotFound, http.StatusInternalServerError:
		key = fmt.Sprintf("error.%d", status)
	}
	s.errorPageWith(w, r, status, a, key)
}

// errorPageWith renders the error page for status with the messages
// key.title and key.message, such as the 403 page of the administrators'
// pages ("error.admin").
func (s *server) errorPageWith(w http.ResponseWriter, r *http.Request, status int, a *eid.Account, key string) {
	p := s.newPage(w, r, key+".title")
	p.Account = a
	p.Body = errorBody{Heading: key + ".title", Message: key + ".message", Status: status}
	s.render(w, r, status, "error", p)
}

type errorBody struct {
	Heading, Message string
	Status           int
}

// fail logs an unexpected error (without personal data: the route
// pattern, never the path, which may hold a personal ID number) and
// answers 500.
func (s *server) fail(w http.ResponseWriter, r *http.Request, a *eid.Account, err error) {
	s.log.ErrorContext(r.Context(), "web request failed", slog.String("route", r.Pattern), slog.String("err", err.Error()))
	s.errorPage(w, r, http.StatusInternalServerError, a)
}
