package registry_test

import (
	"testing"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

func TestMarriageAndDivorce(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		groom := f.person("Nguyễn Văn An", pid.Male, "1995-01-01", true)
		bride := f.person("Trần Thị Bình", pid.Female, "1997-02-02", true)
		other := f.person("Lê Thị Cúc", pid.Female, "1996-03-03", false)
		boy := f.person("Phạm Văn Dũng", pid.Male, "2007-01-01", false)    // 19 on the day
		girl := f.person("Phạm Thị Em", pid.Female, "2008-06-16", false)   // not yet 18
		man2 := f.person("Hoàng Văn Giang", pid.Male, "1990-01-01", false) // a second man
		sister := f.member("Nguyễn Thị Hà", pid.Female, "1999-01-01", groom.HouseholdID, registry.RelationSibling)
		setParents := func(number pid.PID, father pid.PID) {
			raw := []byte(`"` + string(father) + `"`)
			if _, err := f.svc.RecordDataCorrection(f.ctx, registry.DataCorrection{Meta: meta, PID: number, Field: "father_pid", Value: raw}); err != nil {
				t.Fatal(err)
			}
		}
		dad := f.person("Nguyễn Văn Hùng", pid.Male, "1960", false)
		setParents(groom.PID, dad.PID)
		setParents(sister.PID, dad.PID)

		ev, err := f.svc.RecordMarriage(f.ctx, registry.Marriage{Meta: metaOn("2026-06-01"), PID: groom.PID, SpousePID: bride.PID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Subjects) != 2 || ev.EffectiveDate.String() != "2026-06-01" {
			t.Fatalf("event %+v", ev)
		}
		g, b := f.get(groom.PID), f.get(bride.PID)
		if g.MaritalStatus != registry.Married || g.SpousePID != bride.PID || b.SpousePID != groom.PID {
			t.Fatalf("after marriage: %+v / %+v", g, b)
		}
		cases := []struct {
			name     string
			in       registry.Marriage
			sentinel error
			field    string
			code     string
		}{
			{"already married", registry.Marriage{Meta: meta, PID: groom.PID, SpousePID: other.PID}, registry.ErrRule, "pid", "already_married"},
			{"spouse already married", registry.Marriage{Meta: meta, PID: man2.PID, SpousePID: bride.PID}, registry.ErrRule, "spouse_pid", "already_married"},
			{"man under 20", registry.Marriage{Meta: meta, PID: boy.PID, SpousePID: other.PID}, registry.ErrRule, "pid", "under_age"},
			{"woman under 18", registry.Marriage{Meta: meta, PID: man2.PID, SpousePID: girl.PID}, registry.ErrRule, "spouse_pid", "under_age"},
			{"same sex", registry.Marriage{Meta: meta, PID: other.PID, SpousePID: sister.PID}, registry.ErrRule, "spouse_pid", "same_sex"},
			{"self", registry.Marriage{Meta: meta, PID: man2.PID, SpousePID: man2.PID}, registry.ErrInvalid, "spouse_pid", "self"},
			{"unknown", registry.Marriage{Meta: meta, PID: man2.PID, SpousePID: "001197999999"}, registry.ErrNotFound, "spouse_pid", ""},
			{"parent and child", registry.Marriage{Meta: meta, PID: dad.PID, SpousePID: sister.PID}, registry.ErrRule, "spouse_pid", "close_relatives"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.counts()
				_, err := f.svc.RecordMarriage(f.ctx, c.in)
				f.t = t
				f.refused(err, before, c.sentinel, c.field, c.code)
			})
		}
		f.t = t
		// Siblings may not marry either: a brother of the sister.
		brother := f.person("Nguyễn Văn Khoa", pid.Male, "1998", false)
		setParents(brother.PID, dad.PID)
		before := f.counts()
		_, err = f.svc.RecordMarriage(f.ctx, registry.Marriage{Meta: meta, PID: brother.PID, SpousePID: sister.PID})
		f.refused(err, before, registry.ErrRule, "spouse_pid", "close_relatives")

		before = f.counts()
		_, err = f.svc.RecordDivorce(f.ctx, registry.Divorce{Meta: meta, PID: groom.PID, SpousePID: other.PID})
		f.refused(err, before, registry.ErrRule, "spouse_pid", "not_married")
		if _, err := f.svc.RecordDivorce(f.ctx, registry.Divorce{Meta: meta, PID: bride.PID, SpousePID: groom.PID}); err != nil {
			t.Fatal(err)
		}
		g, b = f.get(groom.PID), f.get(bride.PID)
		if g.MaritalStatus != registry.Divorced || g.SpousePID != "" || b.MaritalStatus != registry.Divorced {
			t.Fatalf("after divorce: %+v / %+v", g, b)
		}
		// Divorced people may marry again.
		if _, err := f.svc.RecordMarriage(f.ctx, registry.Marriage{Meta: meta, PID: groom.PID, SpousePID: other.PID}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNameChange(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		c := f.person("Nguyễn Văn An", pid.Male, "1990", true)
		before := f.counts()
		_, err := f.svc.RecordNameChange(f.ctx, registry.NameChange{Meta: registry.Meta{Actor: "officer-1"}, PID: c.PID, FullName: "Nguyễn Văn Bình"})
		f.refused(err, before, registry.ErrInvalid, "legal_basis", "required")
		_, err = f.svc.RecordNameChange(f.ctx, registry.NameChange{Meta: meta, PID: c.PID, FullName: "NGUYỄN VĂN AN"})
		f.refused(err, before, registry.ErrRule, "full_name", "unchanged")
		ev, err := f.svc.RecordNameChange(f.ctx, registry.NameChange{Meta: meta, PID: c.PID, FullName: "nguyễn văn bình"})
		if err != nil {
			t.Fatal(err)
		}
		got := f.get(c.PID)
		if got.FullName != "Nguyễn Văn Bình" || len(got.OtherNames) != 1 || got.OtherNames[0] != "Nguyễn Văn An" {
			t.Fatalf("%+v", got)
		}
		var sawName bool
		for _, ch := range ev.Changes {
			if ch.Field == "full_name" && string(ch.Before) == `"Nguyễn Văn An"` && string(ch.After) == `"Nguyễn Văn Bình"` {
				sawName = true
			}
		}
		if !sawName {
			t.Fatalf("event changes lack the name, before and after: %+v", ev.Changes)
		}
		// The search finds the citizen under the new name.
		found, err := f.svc.Find(f.ctx, "nguyen van binh", 1990)
		if err != nil || len(found) != 1 || found[0].PID != c.PID {
			t.Fatalf("find by new name: %+v, %v", found, err)
		}
	})
}
