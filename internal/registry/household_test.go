package registry_test

import (
	"testing"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

func TestHouseholdSplitAndMerge(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		head := f.person("Nguyễn Văn An", pid.Male, "1950", true)
		hid := head.HouseholdID
		son := f.member("Nguyễn Văn Bình", pid.Male, "1980", hid, registry.RelationChild)
		daughterInLaw := f.member("Trần Thị Cúc", pid.Female, "1982", hid, registry.RelationInLaw)
		grandchild := f.member("Nguyễn Văn Dũng", pid.Male, "2010", hid, registry.RelationGrandchild)

		split := func(members []registry.Member) registry.HouseholdSplit {
			return registry.HouseholdSplit{Meta: meta, HouseholdID: hid, Members: members, Address: tanDinh}
		}
		cases := []struct {
			name     string
			in       registry.HouseholdSplit
			sentinel error
			field    string
			code     string
		}{
			{"no head", split([]registry.Member{{PID: son.PID, Relation: registry.RelationChild}}), registry.ErrRule, "members", "no_head"},
			{"two heads", split([]registry.Member{{PID: son.PID, Relation: registry.RelationHead}, {PID: daughterInLaw.PID, Relation: registry.RelationHead}}), registry.ErrRule, "members", "two_heads"},
			{"not a member", split([]registry.Member{{PID: f.person("Lê Văn Em", pid.Male, "1990", false).PID, Relation: registry.RelationHead}}), registry.ErrRule, "members", "not_member"},
			{"everyone", split([]registry.Member{{PID: head.PID, Relation: registry.RelationHead}, {PID: son.PID, Relation: registry.RelationChild},
				{PID: daughterInLaw.PID, Relation: registry.RelationInLaw}, {PID: grandchild.PID, Relation: registry.RelationGrandchild}}), registry.ErrRule, "members", "everyone"},
			{"old head leaves without successor", split([]registry.Member{{PID: head.PID, Relation: registry.RelationHead}}), registry.ErrRule, "new_head_pid", "head_required"},
			{"unknown household", registry.HouseholdSplit{Meta: meta, HouseholdID: "nope", Members: []registry.Member{{PID: son.PID, Relation: registry.RelationHead}}}, registry.ErrNotFound, "household_id", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.counts()
				_, err := f.svc.RecordHouseholdSplit(f.ctx, c.in)
				f.t = t
				f.refused(err, before, c.sentinel, c.field, c.code)
			})
		}
		f.t = t
		ev, err := f.svc.RecordHouseholdSplit(f.ctx, split([]registry.Member{
			{PID: son.PID, Relation: registry.RelationHead}, {PID: daughterInLaw.PID, Relation: registry.RelationSpouse},
			{PID: grandchild.PID, Relation: registry.RelationChild}}))
		if err != nil {
			t.Fatal(err)
		}
		s := f.get(son.PID)
		if s.HouseholdID == hid || s.RelationToHead != registry.RelationHead || s.PermanentAddress != tanDinh {
			t.Fatalf("son after split %+v", s)
		}
		newH := f.household(s.HouseholdID)
		oldH := f.household(hid)
		if len(newH.Members) != 3 || newH.HeadPID != son.PID || len(oldH.Members) != 1 || oldH.HeadPID != head.PID {
			t.Fatalf("after split: new %+v old %+v", newH, oldH)
		}
		if len(ev.Households) != 2 || len(ev.Subjects) != 3 {
			t.Fatalf("split event %+v", ev)
		}

		// The old household merges into the new one.
		before := f.counts()
		_, err = f.svc.RecordHouseholdMerge(f.ctx, registry.HouseholdMerge{Meta: meta, HouseholdID: hid, IntoHouseholdID: newH.ID})
		f.refused(err, before, registry.ErrInvalid, "members", "incomplete")
		_, err = f.svc.RecordHouseholdMerge(f.ctx, registry.HouseholdMerge{Meta: meta, HouseholdID: hid, IntoHouseholdID: newH.ID,
			Members: []registry.Member{{PID: head.PID, Relation: registry.RelationHead}}})
		f.refused(err, before, registry.ErrRule, "relation_to_head", "head_exists")
		if _, err := f.svc.RecordHouseholdMerge(f.ctx, registry.HouseholdMerge{Meta: meta, HouseholdID: hid, IntoHouseholdID: newH.ID,
			Members: []registry.Member{{PID: head.PID, Relation: registry.RelationParent}}}); err != nil {
			t.Fatal(err)
		}
		if h := f.household(newH.ID); len(h.Members) != 4 || h.HeadPID != son.PID {
			t.Fatalf("after merge %+v", h)
		}
		if h, _ := f.db.Household(f.ctx, hid); !h.Dissolved {
			t.Fatalf("merged household not dissolved: %+v", h)
		}
		if got := f.get(head.PID); got.PermanentAddress != tanDinh || got.RelationToHead != registry.RelationParent {
			t.Fatalf("grandfather after merge %+v", got)
		}
	})
}
