package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"dancu/internal/eid"
)

//go:embed templates/*.html static/*
var files embed.FS

// pages holds each page's template, parsed once at start.
type pages struct {
	byName map[string]*template.Template
}

func parsePages() (*pages, error) {
	layout, err := template.ParseFS(files, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	// Each page template is parsed with its own copy of the layout.
	for _, name := range []string{"home", "login", "search", "citizen", "error", "stats", "agencies",
		"reconcile", "reconcile_run", "reconcile_correction", "corrections"} {
		t, err := template.Must(layout.Clone()).ParseFS(files, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// page is what every template gets: the parts of the layout, and the
// page's own data in Body.
type page struct {
	Lang lang
	msgs catalog
	// Title is the message key of the page's title (and its h1, unless
	// the page says otherwise); TitleArgs fill it in.
	Title     string
	TitleArgs []any
	// HasError prefixes the document title with "Error:", so that a screen
	// reader user hears at once that a submitted form was refused.
	HasError bool
	// CSRF is the token every POST form carries in its hidden csrf field.
	CSRF string
	// Account is the signed-in officer, nil on public pages.
	Account *eid.Account
	// Switch is the link to this page in the other language.
	Switch  string
	CSSURL  string
	Version string
	// Nav names the current section for aria-current: "home", "search",
	// "stats", "agencies", "reconcile", "corrections".
	Nav  string
	Body any
	// hasStats and hasAgencies: the server has the administrators' pages;
	// hasReconcile: the reconciliation pages.
	hasStats, hasAgencies, hasReconcile bool
}

// T returns the message key in the page's language, formatted with args.
func (p *page) T(key string, args ...any) string { return p.msgs.text(p.Lang, key, args...) }

// ShowStats reports whether the navigation links to the statistics page:
// the server has it and the signed-in account may read it.
func (p *page) ShowStats() bool {
	return p.hasStats && p.Account != nil && p.Account.Can(eid.ReadStatistics, eid.Place{})
}

// ShowAgencies reports whether the navigation links to the agencies page.
func (p *page) ShowAgencies() bool {
	return p.hasAgencies && p.Account != nil && p.Account.Can(eid.ManageAgencies, eid.Place{})
}

// ShowReconcile reports whether the navigation links to the
// reconciliation pages (every signed-in officer may open them; what each
// shows depends on the officer's area).
func (p *page) ShowReconcile() bool { return p.hasReconcile && p.Account != nil }

// OtherLang is the language the switch link leads to.
func (p *page) OtherLang() lang { return p.Lang.other() }

// newPage starts the data of a page: language (from ?lang, remembered in
// a cookie), CSRF token, language switch link.
func (s *server) newPage(w http.ResponseWriter, r *http.Request, title string) *page {
	l := s.language(w, r)
	return &page{
		Lang: l, msgs: s.msgs, Title: title,
		CSRF:     s.csrfToken(w, r),
		Switch:   switchURL(r, l.other()),
		CSSURL:   s.css.url(),
		Version:  s.Version,
		hasStats: s.Usage != nil, hasAgencies: s.Agencies != nil, hasReconcile: s.Reconcile != nil,
	}
}

// render executes page name into a buffer, so that a template error is a
// clean 500, then writes it with status.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages.byName[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.String("err", redact(err.Error())))
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", string(p.Lang))
	// Pages may hold personal data: never stored by a browser or proxy.
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Cookie")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// digitRuns are runs of digits long enough to be a personal or old ID
// number, a phone number or a card number.
var digitRuns = regexp.MustCompile(`[0-9]{8,}`)

// redact removes what could be personal data from an error message before
// it is logged: numbers long enough to identify someone.
func redact(msg string) string { return digitRuns.ReplaceAllString(msg, "[redacted]") }

// acceptsHTML reports whether the client asked for HTML, as browsers do.
func acceptsHTML(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "text/html") || strings.Contains(a, "application/xhtml+xml")
}

// asset is an embedded static file served with a content hash in its URL,
// so that it can be cached for a year and still change with a release.
type asset struct {
	body        []byte
	contentType string
	hash        string
}

func loadAsset(name, contentType string) (asset, error) {
	b, err := fs.ReadFile(files, name)
	if err != nil {
		return asset{}, fmt.Errorf("web: load %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	return asset{body: b, contentType: contentType, hash: hex.EncodeToString(sum[:6])}, nil
}

func (a asset) url() string { return "/static/dancu.css?v=" + a.hash }

// serve answers the asset. With the current hash in ?v it may be cached
// for a year; otherwise for an hour, revalidated by its ETag.
func (a asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	etag := `"` + a.hash + `"`
	h.Set("ETag", etag)
	if r.URL.Query().Get("v") == a.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	if match := r.Header.Get("If-None-Match"); match == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.contentType)
	_, _ = w.Write(a.body)
}
