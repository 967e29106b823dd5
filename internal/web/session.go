package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"

	"dancu/internal/eid"
)

// Sessions. An officer signs in by pasting the API token `dancu user add`
// printed; the token is checked with the e-ID service and kept in the
// session cookie (HttpOnly, so no script can read it; SameSite=Strict, so
// no other site's link or form sends it; Secure over TLS). Every request
// behind officer() checks it again, so a revoked token or a disabled
// account ends the session at once. Signing out clears the cookie; it
// does not revoke the token, which the officer may also use with the API.
//
// CSRF: every POST form carries a random token in a hidden field that must
// equal the one in the dancu_csrf cookie (compared in constant time), the
// "double submit" pattern; another site can neither read the cookie nor
// set it. Browsers' Sec-Fetch-Site and Origin headers are checked as well
// (http.CrossOriginProtection), and SameSite=Strict keeps the session
// cookie off cross-site requests in the first place.
const (
	sessionCookie = "dancu_session"
	csrfCookie    = "dancu_csrf"
	csrfField     = "csrf"
	// sessionMaxAge bounds a session on a shared computer: a working day.
	sessionMaxAge = 12 * 3600
	// maxTokenBytes bounds a pasted token before it is looked up; dancu's
	// tokens are 58 bytes.
	maxTokenBytes = 512
)

// officer wraps a console page: without a valid session the browser is
// sent to the login page, which brings it back here afterwards.
func (s *server) officer(next officerHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			s.toLogin(w, r)
			return
		}
		a, err := s.Accounts.Authenticate(r.Context(), c.Value)
		if errors.Is(err, eid.ErrUnauthenticated) {
			s.log.InfoContext(r.Context(), "officer session refused", slog.String("route", r.Pattern), slog.String("reason", redact(err.Error())))
			s.clearSession(w, r)
			s.toLogin(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		next(w, r, a)
	}
}

// toLogin redirects to the login page, remembering where the officer was
// going: a page, not a form's action (a POST is not repeated after
// signing in; the officer submits the form again).
func (s *server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/officer/login"
	if next := r.URL.RequestURI(); next != "/officer" && r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext returns next if it is a console path on this site, else the
// console's start page: the login form must not redirect anywhere else.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.Scheme != "" || u.Host != "" || u.User != nil ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") || path.Clean(u.Path) != u.Path ||
		(u.Path != "/officer" && !strings.HasPrefix(u.Path, "/officer/")) ||
		strings.HasPrefix(u.Path, "/officer/log") {
		return "/officer"
	}
	return next
}

type loginBody struct {
	Next string
	// Error is set when a token was refused; the message is the same
	// whatever the reason.
	Error bool
}

// loginForm answers GET /officer/login.
func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if _, err := s.Accounts.Authenticate(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
	}
	p := s.newPage(w, r, "login.title")
	p.Body = loginBody{Next: next}
	s.render(w, r, http.StatusOK, "login", p)
}

// login answers POST /officer/login: a valid token starts a session.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if !s.checkCSRF(w, r) {
		return
	}
	next := safeNext(r.PostFormValue("next"))
	token := strings.TrimSpace(r.PostFormValue("token"))
	a, err := eid.Account{}, eid.ErrUnauthenticated
	if token != "" && len(token) <= maxTokenBytes {
		a, err = s.Accounts.Authenticate(r.Context(), token)
	}
	if err != nil && !errors.Is(err, eid.ErrUnauthenticated) {
		s.fail(w, r, nil, err)
		return
	}
	if err != nil {
		s.log.InfoContext(r.Context(), "officer login refused", slog.String("reason", redact(err.Error())), slog.String("remote", r.RemoteAddr))
		p := s.newPage(w, r, "login.title")
		p.HasError = true
		p.Body = loginBody{Next: next, Error: true}
		s.render(w, r, http.StatusUnauthorized, "login", p)
		return
	}
	s.log.InfoContext(r.Context(), "officer signed in", slog.String("account", a.ID), slog.String("role", string(a.Role)))
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: sessionMaxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	// A new session gets a new CSRF token.
	s.setCSRF(w, r, newCSRFToken())
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout answers POST /officer/logout.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if !s.checkCSRF(w, r) {
		return
	}
	s.clearSession(w, r)
	s.setCSRF(w, r, newCSRFToken())
	http.Redirect(w, r, "/officer/login", http.StatusSeeOther)
}

func (s *server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// csrfToken returns the request's CSRF token, setting a new cookie when
// the browser has none (or a malformed one).
func (s *server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && wellFormedCSRF(c.Value) {
		return c.Value
	}
	t := newCSRFToken()
	s.setCSRF(w, r, t)
	return t
}

func (s *server) setCSRF(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: csrfCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// checkCSRF reports whether a POST carries the form token matching its
// cookie; on false the refusal has been written.
func (s *server) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	field := r.PostFormValue(csrfField)
	if err == nil && wellFormedCSRF(c.Value) && len(field) == len(c.Value) &&
		subtle.ConstantTimeCompare([]byte(field), []byte(c.Value)) == 1 {
		return true
	}
	s.csrfRefused(w, r)
	return false
}

// csrfRefused answers a POST that failed the CSRF checks: 403 with the
// error page telling the officer to reload the form.
func (s *server) csrfRefused(w http.ResponseWriter, r *http.Request) {
	s.log.InfoContext(r.Context(), "form refused: CSRF check failed", slog.String("route", r.Pattern), slog.String("remote", r.RemoteAddr))
	p := s.newPage(w, r, "error.csrf.title")
	p.Body = errorBody{Heading: "error.csrf.title", Message: "error.csrf.message", Status: http.StatusForbidden}
	s.render(w, r, http.StatusForbidden, "error", p)
}

// csrfBytes is the entropy of a CSRF token.
const csrfBytes = 32

func newCSRFToken() string {
	b := make([]byte, csrfBytes)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func wellFormedCSRF(t string) bool {
	if len(t) != base64.RawURLEncoding.EncodedLen(csrfBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil
}
