package registry_test

import (
	"testing"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

var tanDinh = registry.Address{Street: "12 Hai Bà Trưng", CommuneCode: "26737", Era: adminunit.Era2025}

func TestPermanentResidence(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		head := f.person("Nguyễn Văn An", pid.Male, "1960", true)
		son := f.member("Nguyễn Văn Bình", pid.Male, "1990", head.HouseholdID, registry.RelationChild)
		other := f.person("Trần Văn Cường", pid.Male, "1970", true)

		// The head cannot leave without naming a new head.
		before := f.counts()
		_, err := f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: head.PID, Address: tanDinh})
		f.refused(err, before, registry.ErrRule, "new_head_pid", "head_required")
		_, err = f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: son.PID, Address: registry.Address{CommuneCode: "00000"}})
		f.refused(err, before, registry.ErrInvalid, "address.commune_code", "unknown_commune")
		_, err = f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: son.PID})
		f.refused(err, before, registry.ErrInvalid, "address.commune_code", "required")

		// The son moves to a new place and heads a new household.
		if _, err := f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: son.PID, Address: tanDinh}); err != nil {
			t.Fatal(err)
		}
		s := f.get(son.PID)
		if s.HouseholdID == head.HouseholdID || s.RelationToHead != registry.RelationHead || s.PermanentAddress != tanDinh || s.CurrentAddress != tanDinh {
			t.Fatalf("son after move %+v", s)
		}
		if h := f.household(head.HouseholdID); len(h.Members) != 1 {
			t.Fatalf("old household %+v", h)
		}
		res, _ := f.svc.Residences(f.ctx, son.PID)
		if len(res) != 2 || !res[0].Active || res[0].Address != tanDinh || res[1].Active || res[1].EndDate.IsZero() {
			t.Fatalf("residences %+v", res)
		}
		// He joins another household; his own, now empty, is dissolved.
		if _, err := f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: son.PID, HouseholdID: other.HouseholdID, Relation: registry.RelationOther}); err != nil {
			t.Fatal(err)
		}
		if h, _ := f.db.Household(f.ctx, s.HouseholdID); !h.Dissolved {
			t.Fatalf("emptied household not dissolved: %+v", h)
		}
		before = f.counts()
		_, err = f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: son.PID, HouseholdID: s.HouseholdID, Relation: registry.RelationOther})
		f.refused(err, before, registry.ErrRule, "household_id", "dissolved")
		// The head leaves, naming a new one... who must be a member.
		_, err = f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: other.PID, Address: baDinh, NewHeadPID: head.PID})
		f.refused(err, before, registry.ErrRule, "new_head_pid", "not_member")
		if _, err := f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: other.PID, Address: baDinh, NewHeadPID: son.PID}); err != nil {
			t.Fatal(err)
		}
		if s := f.get(son.PID); s.RelationToHead != registry.RelationHead {
			t.Fatalf("new head %+v", s)
		}
	})
}

func TestStays(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		c := f.person("Nguyễn Văn An", pid.Male, "1990", true)
		stay := func(start, end string) registry.Stay {
			return registry.Stay{Meta: meta, PID: c.PID, Address: tanDinh, StartDate: registry.MustDate(start), EndDate: registry.MustDate(end)}
		}
		cases := []struct {
			name     string
			in       registry.Stay
			sentinel error
			field    string
			code     string
		}{
			{"over two years", stay("2026-01-01", "2028-01-02"), registry.ErrRule, "end_date", "too_long"},
			{"end before start", stay("2026-05-01", "2026-04-01"), registry.ErrInvalid, "end_date", "before_start"},
			{"no end", registry.Stay{Meta: meta, PID: c.PID, Address: tanDinh}, registry.ErrInvalid, "end_date", "required"},
			{"no address", registry.Stay{Meta: meta, PID: c.PID, EndDate: registry.MustDate("2027-01-01")}, registry.ErrInvalid, "address.commune_code", "required"},
			{"at the permanent address", registry.Stay{Meta: meta, PID: c.PID, Address: baDinh, EndDate: registry.MustDate("2027-01-01")}, registry.ErrRule, "address", "same_as_permanent"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.counts()
				_, err := f.svc.RecordTemporaryResidence(f.ctx, tc.in)
				f.t = t
				f.refused(err, before, tc.sentinel, tc.field, tc.code)
			})
		}
		f.t = t
		if _, err := f.svc.RecordTemporaryResidence(f.ctx, stay("2026-01-01", "2028-01-01")); err != nil {
			t.Fatal(err)
		}
		got := f.get(c.PID)
		if got.TemporaryAddress != tanDinh || got.CurrentAddress != tanDinh || got.PermanentAddress != baDinh {
			t.Fatalf("%+v", got)
		}
		// A renewal supersedes the active registration.
		if _, err := f.svc.RecordTemporaryResidence(f.ctx, stay("2026-06-01", "2027-06-01")); err != nil {
			t.Fatal(err)
		}
		res, _ := f.svc.Residences(f.ctx, c.PID)
		active := 0
		for _, r := range res {
			if r.Kind == registry.ResidenceTemporary && r.Active {
				active++
			}
		}
		if active != 1 {
			t.Fatalf("%d active temporary residences, want 1: %+v", active, res)
		}
		if _, err := f.svc.RecordTemporaryAbsence(f.ctx, registry.Stay{Meta: meta, PID: c.PID, StartDate: registry.MustDate("2026-06-10"), EndDate: registry.MustDate("2027-06-10")}); err != nil {
			t.Fatal(err)
		}
		if !f.get(c.PID).TemporarilyAbsent {
			t.Fatal("absence not recorded")
		}
		v := f.get(c.PID).Version
		if _, err := f.svc.RecordOvernightStay(f.ctx, registry.Stay{Meta: meta, PID: c.PID, Address: tanDinh, StartDate: registry.MustDate("2026-06-14"), EndDate: registry.MustDate("2026-06-16")}); err != nil {
			t.Fatal(err)
		}
		if got := f.get(c.PID); got.Version != v+1 || got.CurrentAddress != tanDinh {
			t.Fatalf("overnight stay: version %d (was %d), %+v", got.Version, v, got)
		}
		before := f.counts()
		_, err := f.svc.RecordOvernightStay(f.ctx, registry.Stay{Meta: meta, PID: c.PID, Address: tanDinh, StartDate: registry.MustDate("2026-01-01"), EndDate: registry.MustDate("2027-06-16")})
		f.refused(err, before, registry.ErrRule, "end_date", "too_long")
	})
}
