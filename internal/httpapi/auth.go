package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"dancu/internal/eid"
)

// Authenticator turns a bearer token into the account it belongs to;
// *eid.Service satisfies it. A refusal is an error matching
// eid.ErrUnauthenticated, any other error a failure. e-ID sessions will
// come through the same interface, so handlers only ever see an account.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (eid.Account, error)
}

// accountKey is the context key of the authenticated account.
type accountKey struct{}

// AccountFrom returns the account requireAccount authenticated for this
// request; ok is false outside requireAccount.
func AccountFrom(ctx context.Context) (a eid.Account, ok bool) {
	a, ok = ctx.Value(accountKey{}).(eid.Account)
	return a, ok
}

// withAccount returns ctx carrying a, for requireAccount and for tests of
// handlers behind it.
func withAccount(ctx context.Context, a eid.Account) context.Context {
	return context.WithValue(ctx, accountKey{}, a)
}

// maxTokenBytes bounds the Authorization header's token before it is
// hashed or looked up; dancu's tokens are 58 bytes.
const maxTokenBytes = 512

// requireAccount lets a request through to next only with an
// "Authorization: Bearer <token>" header that auth accepts, and puts the
// account in the request's context (AccountFrom). Every refusal is the
// same 401, whatever its reason (missing header, another scheme, unknown,
// revoked or expired token, disabled account), so that a client learns
// nothing about which tokens exist; the reason goes to the log at info
// level, never the token. A failure of auth itself is a 500. A nil auth
// refuses everything: an unwired server fails closed.
func (s *server) requireAccount(auth Authenticator, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if auth == nil {
			s.writeError(w, r, errors.New("requireAccount: no authenticator configured"))
			return
		}
		token, present := bearerToken(r)
		if token == "" {
			s.writeUnauthenticated(w, r, present, "no bearer token")
			return
		}
		a, err := auth.Authenticate(r.Context(), token)
		if errors.Is(err, eid.ErrUnauthenticated) {
			s.writeUnauthenticated(w, r, true, err.Error())
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next(w, r.WithContext(withAccount(r.Context(), a)))
	}
}

// bearerToken extracts the token of the request's one Authorization
// header in the Bearer scheme (RFC 6750 §2.1; the scheme name is
// case-insensitive). present reports whether a credential was offered at
// all, malformed or not, which decides the error the challenge names.
// Tokens in query strings or bodies are not accepted: they end up in logs.
func bearerToken(r *http.Request) (token string, present bool) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return "", false
	}
	if len(values) > 1 {
		return "", true
	}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	token = strings.TrimSpace(rest)
	if len(token) > maxTokenBytes || strings.ContainsAny(token, " \t") {
		return "", true
	}
	return token, true
}

// writeUnauthenticated answers 401 with a problem document (code
// "unauthenticated") and the challenge RFC 6750 asks for. The detail is
// the same for every reason; reason goes to the log only.
func (s *server) writeUnauthenticated(w http.ResponseWriter, r *http.Request, credentialOffered bool, reason string) {
	s.log.InfoContext(r.Context(), "unauthenticated request",
		slog.String("route", r.Pattern), slog.String("reason", reason), slog.String("remote", r.RemoteAddr))
	challenge := `Bearer realm="dancu"`
	if credentialOffered {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	s.writeError(w, r, eid.ErrUnauthenticated)
}

// authorize reports whether the request's account may take action at
// place (eid.Account.Can), and answers 403 when it may not; a handler
// returns at once on false. Outside requireAccount it answers 401.
func (s *server) authorize(w http.ResponseWriter, r *http.Request, action eid.Action, place eid.Place) bool {
	a, ok := AccountFrom(r.Context())
	if !ok {
		s.writeUnauthenticated(w, r, false, "authorize called without requireAccount")
		return false
	}
	if !a.Can(action, place) {
		s.writeForbidden(w, r, a, action)
		return false
	}
	return true
}

// writeForbidden answers 403 (code "forbidden"): the account is known but
// its role or area does not allow the action. The detail does not say
// where the resource is, which could itself be personal data.
func (s *server) writeForbidden(w http.ResponseWriter, r *http.Request, a eid.Account, action eid.Action) {
	s.log.InfoContext(r.Context(), "forbidden",
		slog.String("route", r.Pattern), slog.String("account", a.ID), slog.String("role", string(a.Role)),
		slog.String("area", a.Area), slog.String("action", string(action)))
	s.writeError(w, r, errForbidden)
}

// me answers the account the request authenticated as (GET /v1/me, behind
// requireAccount): a client's way to check its token and see its role and
// area.
func (s *server) me(w http.ResponseWriter, r *http.Request) {
	a, ok := AccountFrom(r.Context())
	if !ok {
		s.writeUnauthenticated(w, r, false, "me called without requireAccount")
		return
	}
	writeJSON(w, a)
}
