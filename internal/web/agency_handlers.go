package web

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"dancu/internal/agency"
	"dancu/internal/eid"
)

// AgencyAdmin lists connected agencies and changes their access;
// *agency.Service satisfies it. An unknown ID is an error matching
// agency.ErrNotFound.
type AgencyAdmin interface {
	List(ctx context.Context) ([]agency.Listing, error)
	Approve(ctx context.Context, id string) (agency.Agency, error)
	Suspend(ctx context.Context, id string) (agency.Agency, error)
	RevokeKey(ctx context.Context, keyID string) (agency.Key, error)
}

// The agencies page: every connected agency with its API keys, and the
// forms that approve or suspend an agency and revoke a key. Each form is
// a POST with the console's CSRF token; it redirects back to the page
// (303), which shows what was done once (a flash message kept in a
// short-lived cookie, so that reloading the page does not show it again).
// Onboarding an agency and issuing keys stay with the CLI (dancu agency
// add), which prints the key once.

type agenciesBody struct {
	Flash    *flash
	Agencies []agencyView
}

type agencyView struct {
	ID, Name, Kind         string
	Status, StatusCode     string
	Created, CreatedISO    string
	Updated, UpdatedISO    string
	CanApprove, CanSuspend bool
	// Restore: approving ends a suspension rather than a pending state.
	Restore bool
	Keys    []keyView
}

type keyView struct {
	ID, Prefix                 string
	Operations, Purposes       []string
	Fields                     []string
	RateLimit                  string
	Created, CreatedISO        string
	Expires, ExpiresISO        string
	Revoked, RevokedISO        string
	State                      string
	Active, Expired, IsRevoked bool
	// Blocked: the key is valid but its agency is not approved, so it is
	// refused all the same.
	Blocked bool
}

// agencies answers GET /officer/agencies.
func (s *server) agencies(w http.ResponseWriter, r *http.Request, a eid.Account) {
	if s.Agencies == nil {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return
	}
	if !s.allowed(w, r, a, eid.ManageAgencies) {
		return
	}
	list, err := s.Agencies.List(r.Context())
	if err != nil {
		s.fail(w, r, &a, err)
		return
	}
	p := s.newPage(w, r, "agencies.title")
	p.Account, p.Nav = &a, "agencies"
	b := agenciesBody{Flash: s.takeFlash(w, r)}
	now := s.now()
	for _, l := range list {
		b.Agencies = append(b.Agencies, agencyViewOf(p, l, now))
	}
	p.Body = b
	s.render(w, r, http.StatusOK, "agencies", p)
}

func agencyViewOf(p *page, l agency.Listing, now time.Time) agencyView {
	lg := p.Lang
	v := agencyView{
		ID: l.ID, Name: l.Name, Kind: p.textOr("kind."+string(l.Kind), string(l.Kind)),
		Status: p.textOr("agency_status."+string(l.Status), string(l.Status)), StatusCode: string(l.Status),
		Created: formatTime(lg, l.CreatedAt), CreatedISO: isoTime(l.CreatedAt),
		CanApprove: l.Status != agency.StatusApproved, CanSuspend: l.Status == agency.StatusApproved,
		Restore: l.Status == agency.StatusSuspended,
	}
	if !l.UpdatedAt.Equal(l.CreatedAt) {
		v.Updated, v.UpdatedISO = formatTime(lg, l.UpdatedAt), isoTime(l.UpdatedAt)
	}
	for _, k := range l.Keys {
		kv := keyView{
			ID: k.ID, Prefix: k.Prefix,
			Purposes: k.Scope.Purposes,
			Created:  formatTime(lg, k.CreatedAt), CreatedISO: isoTime(k.CreatedAt),
			RateLimit: p.T("key.unlimited"),
		}
		for _, op := range k.Scope.Operations {
			kv.Operations = append(kv.Operations, p.textOr("op."+string(op), string(op)))
		}
		for _, f := range k.Scope.Fields {
			kv.Fields = append(kv.Fields, p.textOr("field."+f, f))
		}
		if k.RateLimit > 0 {
			kv.RateLimit = p.T("key.rate", formatCount(lg, int64(k.RateLimit)))
		}
		if !k.ExpiresAt.IsZero() {
			kv.Expires, kv.ExpiresISO = formatTime(lg, k.ExpiresAt), isoTime(k.ExpiresAt)
		}
		switch {
		case !k.RevokedAt.IsZero():
			kv.IsRevoked, kv.State = true, p.T("key.revoked")
			kv.Revoked, kv.RevokedISO = formatTime(lg, k.RevokedAt), isoTime(k.RevokedAt)
		case !k.Active(now):
			kv.Expired, kv.State = true, p.T("key.expired")
		default:
			kv.Active, kv.State = true, p.T("key.active")
			kv.Blocked = l.Status != agency.StatusApproved
		}
		v.Keys = append(v.Keys, kv)
	}
	return v
}

// approveAgency answers POST /officer/agencies/{id}/approve.
func (s *server) approveAgency(w http.ResponseWriter, r *http.Request, a eid.Account) {
	s.agencyAction(w, r, a, "approve", "agencies.flash.approved", func(ctx context.Context, id string) (string, error) {
		ag, err := s.Agencies.Approve(ctx, id)
		return ag.Name, err
	})
}

// suspendAgency answers POST /officer/agencies/{id}/suspend.
func (s *server) suspendAgency(w http.ResponseWriter, r *http.Request, a eid.Account) {
	s.agencyAction(w, r, a, "suspend", "agencies.flash.suspended", func(ctx context.Context, id string) (string, error) {
		ag, err := s.Agencies.Suspend(ctx, id)
		return ag.Name, err
	})
}

// revokeKey answers POST /officer/agencies/keys/{id}/revoke.
func (s *server) revokeKey(w http.ResponseWriter, r *http.Request, a eid.Account) {
	s.agencyAction(w, r, a, "revoke key", "agencies.flash.revoked", func(ctx context.Context, id string) (string, error) {
		k, err := s.Agencies.RevokeKey(ctx, id)
		return k.Prefix, err
	})
}

// agencyAction runs one of the agencies page's forms: the CSRF token and
// the account's role are checked before do runs on the {id} of the path,
// and the browser is sent back to the page with done's message naming
// what do returns.
func (s *server) agencyAction(w http.ResponseWriter, r *http.Request, a eid.Account, verb, done string,
	do func(ctx context.Context, id string) (string, error)) {
	if s.Agencies == nil {
		s.errorPage(w, r, http.StatusNotFound, &a)
		return
	}
	if !s.checkCSRF(w, r) || !s.allowed(w, r, a, eid.ManageAgencies) {
		return
	}
	id := r.PathValue("id")
	name, err := do(r.Context(), id)
	switch {
	case errors.Is(err, agency.ErrNotFound):
		s.setFlash(w, r, flash{Key: "agencies.flash.not_found", Error: true})
	case err != nil:
		s.fail(w, r, &a, err)
		return
	default:
		s.log.InfoContext(r.Context(), "agency "+verb, slog.String("id", id), slog.String("account", a.ID))
		s.setFlash(w, r, flash{Key: done, Arg: name})
	}
	http.Redirect(w, r, "/officer/agencies", http.StatusSeeOther)
}

// flash is a message shown once, on the page a form redirected to.
type flash struct {
	// Key is the message; Arg fills it in (an agency's name, a key's
	// prefix).
	Key, Arg string
	// Error: the action was not done.
	Error bool
}

// flashKeys are the messages a flash cookie may name: the cookie is the
// browser's, so its key is checked before it is shown.
var flashKeys = map[string]bool{
	"agencies.flash.approved":  true,
	"agencies.flash.suspended": true,
	"agencies.flash.revoked":   true,
	"agencies.flash.not_found": true,
}

const (
	flashCookie = "dancu_flash"
	flashPath   = "/officer/agencies"
	// maxFlashArg bounds the name a flash carries (an agency's name is at
	// most 200 characters).
	maxFlashArg = 1024
)

// setFlash keeps f for the next request to the agencies page.
func (s *server) setFlash(w http.ResponseWriter, r *http.Request, f flash) {
	arg := f.Arg
	if len(arg) > maxFlashArg {
		arg = ""
	}
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: f.Key + "." + base64.RawURLEncoding.EncodeToString([]byte(arg)),
		Path: flashPath, MaxAge: 60, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}

// takeFlash returns the flash message the browser carries, if any, and
// clears it so that it is shown once.
func (s *server) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: "", Path: flashPath, MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
	// The key has dots, the base64 of the argument none.
	i := strings.LastIndexByte(c.Value, '.')
	if i < 0 {
		return nil
	}
	key, enc := c.Value[:i], c.Value[i+1:]
	arg, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !flashKeys[key] || len(arg) > maxFlashArg {
		return nil
	}
	return &flash{Key: key, Arg: string(arg), Error: key == "agencies.flash.not_found"}
}

// isoTime writes an instant for a <time datetime>, in UTC as the
// record's history does.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
