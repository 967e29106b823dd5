package web

import (
	"io/fs"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"dancu/internal/agency"
	"dancu/internal/registry"
)

// TestCatalogComplete checks that every message has both languages with
// the same format verbs, and that every key the pages use exists.
func TestCatalogComplete(t *testing.T) {
	msgs := messages()
	verbs := regexp.MustCompile(`%[a-z]`)
	for key, m := range msgs {
		if strings.TrimSpace(m.vi) == "" || strings.TrimSpace(m.en) == "" {
			t.Errorf("message %q lacks a language: vi %q, en %q", key, m.vi, m.en)
		}
		if v, e := verbs.FindAllString(m.vi, -1), verbs.FindAllString(m.en, -1); !reflect.DeepEqual(v, e) {
			t.Errorf("message %q: verbs %v in vi, %v in en", key, v, e)
		}
	}

	// Keys in templates: {{.T "key"}} and {{$.T "key"}}.
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	err := fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, path)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := msgs[m[1]]; !ok {
				t.Errorf("%s uses missing message %q", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Keys built in Go from the register's codes.
	want := []string{"role.admin", "role.province_officer", "role.commune_officer",
		"error.403.title", "error.403.message", "error.404.title", "error.404.message",
		"error.500.title", "error.500.message", "error.other.title", "error.other.message"}
	for _, k := range registry.Kinds() {
		want = append(want, "event."+string(k))
	}
	for _, s := range []registry.Status{registry.StatusAlive, registry.StatusDeceased, registry.StatusMissing, registry.StatusMerged} {
		want = append(want, "status."+string(s))
	}
	for _, m := range []registry.MaritalStatus{registry.Single, registry.Married, registry.Divorced, registry.Widowed} {
		want = append(want, "marital."+string(m))
	}
	for _, r := range []registry.Relation{registry.RelationHead, registry.RelationSpouse, registry.RelationChild, registry.RelationParent,
		registry.RelationGrandchild, registry.RelationGrandparent, registry.RelationSibling, registry.RelationInLaw, registry.RelationOther} {
		want = append(want, "relation."+string(r))
	}
	for _, k := range []registry.ResidenceKind{registry.ResidencePermanent, registry.ResidenceTemporary, registry.ResidenceAbsence, registry.ResidenceOvernight} {
		want = append(want, "residence."+string(k))
	}
	// The agencies' pages: operations, kinds, statuses, the flash
	// messages, and every field a key's scope may name.
	for _, op := range agency.Operations() {
		want = append(want, "op."+string(op))
	}
	for _, k := range agency.Kinds() {
		want = append(want, "kind."+string(k))
	}
	for _, st := range []agency.Status{agency.StatusPending, agency.StatusApproved, agency.StatusSuspended} {
		want = append(want, "agency_status."+string(st))
	}
	want = append(want, "error.admin.title", "error.admin.message", "agencies.flash.approved", "agencies.flash.suspended",
		"agencies.flash.revoked", "agencies.flash.not_found", "stats.period", "stats.chart.bar", "key.rate", "key.unlimited",
		"key.active", "key.expired", "key.revoked", "stats.agency.all", "stats.operation.all")
	for _, f := range registry.RecordFields {
		want = append(want, "field."+f)
	}
	// Every field of a record has a label, for the record and its history.
	ct := reflect.TypeFor[registry.Citizen]()
	for i := range ct.NumField() {
		name, _, _ := strings.Cut(ct.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			want = append(want, "field."+name)
		}
	}
	for _, k := range want {
		if _, ok := msgs[k]; !ok {
			t.Errorf("message %q is missing", k)
		}
	}
}

// TestTextMissingKey shows a missing key so that page tests catch it.
func TestTextMissingKey(t *testing.T) {
	if got := messages().text(en, "no.such.key"); got != "⟦no.such.key⟧" {
		t.Errorf("missing key shows %q", got)
	}
	if got := messages().text(en, "history.version", 3); got != "Version 3" {
		t.Errorf("formatted: %q", got)
	}
}

func TestFormatDate(t *testing.T) {
	for _, c := range []struct {
		d      string
		vi, en string
	}{
		{"1980-03-04", "04/03/1980", "1980-03-04"},
		{"1980-03", "03/1980", "1980-03"},
		{"1980", "1980", "1980"},
	} {
		d := registry.MustDate(c.d)
		if got := formatDate(vi, d); got != c.vi {
			t.Errorf("vi %s: %q", c.d, got)
		}
		if got := formatDate(en, d); got != c.en {
			t.Errorf("en %s: %q", c.d, got)
		}
	}
	if formatDate(vi, registry.Date{}) != "" {
		t.Error("zero date not empty")
	}
}

func TestRedact(t *testing.T) {
	if got := redact("citizen 001080000001 as of 2026: phone 0912345678"); strings.Contains(got, "001080000001") || strings.Contains(got, "0912345678") {
		t.Errorf("redact left a number: %q", got)
	}
}

func TestFormatCount(t *testing.T) {
	for _, c := range []struct {
		n      int64
		vi, en string
	}{
		{0, "0", "0"}, {999, "999", "999"}, {1000, "1.000", "1,000"}, {1234567, "1.234.567", "1,234,567"}, {-12345, "-12.345", "-12,345"},
	} {
		if got := formatCount(vi, c.n); got != c.vi {
			t.Errorf("vi %d: %q", c.n, got)
		}
		if got := formatCount(en, c.n); got != c.en {
			t.Errorf("en %d: %q", c.n, got)
		}
	}
	if got := formatShare(vi, 1, 3); got != "33,3%" {
		t.Errorf("share vi %q", got)
	}
	if got := formatShare(en, 2, 3); got != "66.7%" {
		t.Errorf("share en %q", got)
	}
	if got := formatShare(en, 2, 0); got != "" {
		t.Errorf("share of nothing %q", got)
	}
}
