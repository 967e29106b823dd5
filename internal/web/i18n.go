package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"dancu/internal/registry"
)

// lang is a language of the pages, as a BCP 47 tag.
type lang string

// The languages: Vietnamese is the default.
const (
	vi lang = "vi"
	en lang = "en"
)

func (l lang) other() lang {
	if l == en {
		return vi
	}
	return en
}

// langCookie remembers the language chosen with ?lang=.
const langCookie = "lang"

// language is the page's language: ?lang= when it names one (and then it
// is remembered in a cookie for a year), else the cookie, else Vietnamese.
func (s *server) language(w http.ResponseWriter, r *http.Request) lang {
	if q := lang(r.URL.Query().Get("lang")); q == vi || q == en {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: string(q), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
		})
		return q
	}
	if c, err := r.Cookie(langCookie); err == nil && lang(c.Value) == en {
		return en
	}
	return vi
}

// switchURL is the current page in language l: the same path and query,
// with lang replaced.
func switchURL(r *http.Request, l lang) string {
	q := r.URL.Query()
	q.Set("lang", string(l))
	return r.URL.Path + "?" + q.Encode()
}

// message is one text of the pages in each language.
type message struct{ vi, en string }

// catalog maps message keys to their texts.
type catalog map[string]message

// text returns key in l, formatted with args. A missing key shows as
// ⟦key⟧, which the tests look for on every page.
func (c catalog) text(l lang, key string, args ...any) string {
	m, ok := c[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	t := m.vi
	if l == en {
		t = m.en
	}
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}

// textOr is key in l, or fallback when the catalog has no such key (a
// value from outside, such as a field name, shown as it is).
func (c catalog) textOr(l lang, key, fallback string) string {
	if _, ok := c[key]; !ok {
		return fallback
	}
	return c.text(l, key)
}

// formatDate writes a possibly partial date the way readers of l expect:
// 04/03/1980, 03/1980 or 1980 in Vietnamese; ISO 8601 in English.
func formatDate(l lang, d registry.Date) string {
	if d.IsZero() {
		return ""
	}
	if l == en {
		return d.String()
	}
	switch {
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%02d/%04d", d.Month, d.Year)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
}

// vietnam is the register's time zone, in which recorded times are shown.
var vietnam = time.FixedZone("UTC+7", 7*3600)

// formatTime writes an instant in Vietnam's time.
func formatTime(l lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(vietnam)
	if l == en {
		return t.Format("2006-01-02 15:04:05") + " (UTC+7)"
	}
	return t.Format("02/01/2006 15:04:05") + " (UTC+7)"
}

// formatCount writes a count with its thousands grouped the way readers
// of l expect: 1.234.567 in Vietnamese, 1,234,567 in English.
func formatCount(l lang, n int64) string {
	sep := byte('.')
	if l == en {
		sep = ','
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// formatShare writes part as a percentage of whole with one decimal:
// 85,7% in Vietnamese, 85.7% in English; empty when whole is 0.
func formatShare(l lang, part, whole int64) string {
	if whole <= 0 {
		return ""
	}
	s := strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 1, 64)
	if l == vi {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + "%"
}

// formatDay writes a day given as yyyy-mm-dd (usage statistics' days) as
// formatDate does; a malformed day is shown as it is.
func formatDay(l lang, day string) string {
	d, err := registry.ParseDate(day)
	if err != nil || !d.Full() {
		return day
	}
	return formatDate(l, d)
}
