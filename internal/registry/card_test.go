package registry_test

import (
	"testing"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

func TestCardExpiry(t *testing.T) {
	cases := []struct{ born, issued, want string }{
		{"2015-05-10", "2024-01-01", "2029-05-09"}, // at 8: renew at 14
		{"2012-05-10", "2024-09-01", "2037-05-09"}, // at 12, within two years of 14: valid to 25
		{"2000-05-10", "2020-01-01", "2025-05-09"}, // at 19: renew at 25
		{"2000-05-10", "2023-06-01", "2040-05-09"}, // at 23, within two years of 25: valid to 40
		{"1985-02-28", "2024-01-01", "2025-02-27"}, // at 38: within two years of 40 → 60
		{"1970-12-31", "2020-01-01", "2030-12-30"}, // at 49: renew at 60
		{"1966-01-01", "2024-06-01", ""},           // at 58: for life
		{"1950", "2021-03-01", ""},                 // at 70: for life
		{"2008-02-29", "2010-01-01", "2022-02-28"}, // born on 29 February: renew on 28 February at 14 → day before
		{"1990", "2020-01-01", "2029-12-31"},       // year-only birth: 1 January is taken
	}
	cases[4].want = "2045-02-27"
	cases[8].want = "2022-02-27"
	for _, c := range cases {
		got := registry.CardExpiry(registry.MustDate(c.born), registry.MustDate(c.issued))
		if got.String() != c.want {
			t.Errorf("born %s, issued %s: expiry %q, want %q", c.born, c.issued, got, c.want)
		}
	}
}

func TestIDCardIssuance(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		c := f.person("Nguyễn Văn An", pid.Male, "2000-05-10", true)
		if _, err := f.svc.RecordIDCardIssuance(f.ctx, registry.IDCardIssuance{Meta: metaOn("2021-03-01"), PID: c.PID, IssuedBy: "Cục Cảnh sát QLHC về TTXH"}); err != nil {
			t.Fatal(err)
		}
		card := f.get(c.PID).IDCard
		if card == nil || card.Number != string(c.PID) || card.IssueDate.String() != "2021-03-01" || card.ExpiryDate.String() != "2025-05-09" {
			t.Fatalf("card %+v", card)
		}
		before := f.counts()
		_, err := f.svc.RecordIDCardIssuance(f.ctx, registry.IDCardIssuance{Meta: metaOn("1999-01-01"), PID: c.PID})
		f.refused(err, before, registry.ErrRule, "id_card.issue_date", "before_birth")
		if _, err := f.svc.RecordDeath(f.ctx, registry.Death{Meta: meta, PID: c.PID, DateOfDeath: registry.MustDate("2026-01-01")}); err != nil {
			t.Fatal(err)
		}
		before = f.counts()
		_, err = f.svc.RecordIDCardIssuance(f.ctx, registry.IDCardIssuance{Meta: meta, PID: c.PID})
		f.refused(err, before, registry.ErrRule, "pid", "deceased")
	})
}
