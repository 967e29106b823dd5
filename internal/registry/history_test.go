package registry_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

func TestHistoryAndAsOf(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		f.clock.Set(time.Date(2024, 3, 1, 10, 0, 0, 0, ict))
		c := f.person("Nguyễn Văn An", pid.Male, "1990", true)
		f.clock.Set(time.Date(2025, 5, 1, 10, 0, 0, 0, ict))
		if _, err := f.svc.RecordNameChange(f.ctx, registry.NameChange{Meta: meta, PID: c.PID, FullName: "Nguyễn Văn Bình"}); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(time.Date(2026, 6, 1, 23, 59, 0, 0, ict))
		if _, err := f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: c.PID, Address: tanDinh}); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(time.Date(2026, 6, 15, 9, 0, 0, 0, ict))

		hist, err := f.svc.History(f.ctx, c.PID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := []registry.Kind{registry.KindInitialRegistration, registry.KindNameChange, registry.KindPermanentResidence}
		if len(hist) != len(kinds) {
			t.Fatalf("history has %d versions, want %d", len(hist), len(kinds))
		}
		for i, v := range hist {
			if v.Version != int64(i+1) || v.Event.Kind != kinds[i] || v.Event.Actor != "officer-1" || v.Event.LegalBasis != "test" {
				t.Fatalf("version %d: %+v", i+1, v.Event)
			}
		}
		// Who changed the name, when, and from what to what.
		var nameChange *registry.Change
		for i, ch := range hist[1].Event.Changes {
			if ch.Field == "full_name" {
				nameChange = &hist[1].Event.Changes[i]
			}
		}
		if nameChange == nil || string(nameChange.Before) != `"Nguyễn Văn An"` || string(nameChange.After) != `"Nguyễn Văn Bình"` {
			t.Fatalf("name change %+v", hist[1].Event.Changes)
		}

		asOf := func(day string) (registry.CitizenView, error) {
			return f.svc.AsOf(f.ctx, c.PID, registry.MustDate(day))
		}
		if _, err := asOf("2024-02-29"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("before registration: %v, want ErrNotFound", err)
		}
		for day, want := range map[string]string{"2024-03-01": "Nguyễn Văn An", "2025-04-30": "Nguyễn Văn An", "2025-05-01": "Nguyễn Văn Bình", "2026-06-15": "Nguyễn Văn Bình"} {
			v, err := asOf(day)
			if err != nil || v.FullName != want {
				t.Fatalf("as of %s: %q, %v; want %q", day, v.FullName, err, want)
			}
		}
		// The move was recorded at 23:59 on 1 June, Vietnam time: as of
		// that day it is there, as of the day before it is not.
		if v, _ := asOf("2026-06-01"); v.PermanentAddress != tanDinh {
			t.Fatalf("as of 2026-06-01: %+v", v.PermanentAddress)
		}
		if v, _ := asOf("2026-05-31"); v.PermanentAddress != baDinh {
			t.Fatalf("as of 2026-05-31: %+v", v.PermanentAddress)
		}
		if _, err := f.svc.AsOf(f.ctx, c.PID, registry.MustDate("2026")); !errors.Is(err, registry.ErrInvalid) {
			t.Fatalf("partial as-of date: %v", err)
		}
		if _, err := f.svc.History(f.ctx, "001090999999"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("history of nobody: %v", err)
		}
	})
}

// TestConcurrentEventsOnOneHousehold has many officers add members to, and
// take members out of, one household at once: every event must land
// exactly once, and the household must end up consistent with its
// members' records.
func TestConcurrentEventsOnOneHousehold(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		head := f.person("Nguyễn Văn An", pid.Male, "1950", true)
		hid := head.HouseholdID
		const joiners = 12
		people := make([]registry.Citizen, joiners)
		for i := range people {
			people[i] = f.person("Trần Văn Bình", pid.Male, "1990", false)
		}
		var wg sync.WaitGroup
		errs := make(chan error, joiners*2)
		for i := range people {
			wg.Go(func() {
				_, err := f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: people[i].PID, HouseholdID: hid, Relation: registry.RelationOther})
				errs <- err
			})
		}
		wg.Wait()
		// Half of them leave again, concurrently, while births join.
		mother := f.member("Lê Thị Cúc", pid.Female, "1992", hid, registry.RelationInLaw)
		for i := range joiners / 2 {
			wg.Go(func() {
				_, err := f.svc.RecordPermanentResidence(f.ctx, registry.PermanentResidence{Meta: meta, PID: people[i].PID, Address: tanDinh})
				errs <- err
			})
			wg.Go(func() {
				_, err := f.svc.RecordBirth(f.ctx, registry.Birth{Meta: meta, FullName: "Nguyễn Thị Mai", Gender: pid.Female,
					DateOfBirth: registry.MustDate("2026-06-01"), BirthRegistration: baDinh, Ethnicity: "01", MotherPID: mother.PID})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		h := f.household(hid)
		want := 1 + joiners - joiners/2 + 1 + joiners/2 // head, stayers, mother, babies
		if len(h.Members) != want {
			t.Fatalf("household has %d members, want %d", len(h.Members), want)
		}
		heads := 0
		for _, m := range h.Members {
			c := f.get(m.PID)
			if c.HouseholdID != hid || c.RelationToHead != m.Relation {
				t.Fatalf("member %s: record says household %s as %s, household says %s", m.PID, c.HouseholdID, c.RelationToHead, m.Relation)
			}
			if m.Relation == registry.RelationHead {
				heads++
			}
		}
		if heads != 1 {
			t.Fatalf("%d heads", heads)
		}
		if h.Version != int64(1+joiners+1+joiners) {
			t.Fatalf("household version %d, want one per event that changed it (%d)", h.Version, 1+joiners+1+joiners)
		}
	})
}
