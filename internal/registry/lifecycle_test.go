package registry_test

import (
	"strings"
	"testing"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

func TestInitialRegistration(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		head := f.person("nguyễn  văn AN", pid.Male, "1970-03-04", true)
		if head.FullName != "Nguyễn Văn An" || head.Status != registry.StatusAlive || head.MaritalStatus != registry.Single {
			t.Fatalf("record not normalised: %+v", head)
		}
		if head.HouseholdID == "" || head.RelationToHead != registry.RelationHead || head.Version != 1 {
			t.Fatalf("head not in a new household: %+v", head)
		}
		h := f.household(head.HouseholdID)
		if h.HeadPID != head.PID || len(h.Members) != 1 || h.Address != baDinh {
			t.Fatalf("household %+v", h)
		}
		wife := f.member("Trần Thị Bình", pid.Female, "1972", h.ID, registry.RelationSpouse)
		if wife.PermanentAddress != baDinh || wife.DateOfBirth.String() != "1972" {
			t.Fatalf("member %+v", wife)
		}
		if h := f.household(h.ID); len(h.Members) != 2 || h.Version != 2 {
			t.Fatalf("household after join %+v", h)
		}
		res, err := f.svc.Residences(f.ctx, wife.PID)
		if err != nil || len(res) != 1 || res[0].Kind != registry.ResidencePermanent || !res[0].Active {
			t.Fatalf("residences %+v, %v", res, err)
		}
		// Old-era addresses are kept with their era and read in today's units.
		old := registry.Citizen{PID: f.number(pid.Female, 1990), FullName: "Lê Thị Cúc", Gender: pid.Female,
			DateOfBirth: registry.MustDate("1990-01"), Ethnicity: "02",
			PermanentAddress: registry.Address{Street: "Số 12 Ngõ 5", CommuneCode: "00001", Era: adminunit.EraPre2025}}
		if _, err := f.svc.RegisterInitial(f.ctx, registry.InitialRegistration{Meta: meta, Citizen: old}); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.Citizen(f.ctx, old.PID)
		if err != nil {
			t.Fatal(err)
		}
		p := v.Places["permanent_address"]
		if p.Era != adminunit.EraPre2025 || len(p.Current) != 1 || p.Current[0].Code != "00097" || !strings.Contains(p.Text, "Phường Hồng Hà") {
			t.Fatalf("old address read as %+v", p)
		}
		if v.EthnicityName != "Tày" {
			t.Fatalf("ethnicity name %q", v.EthnicityName)
		}
	})
}

func TestInitialRegistrationRefusesBadInput(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		head := f.person("Nguyễn Văn An", pid.Male, "1970-03-04", true)
		good := func() registry.InitialRegistration {
			return registry.InitialRegistration{Meta: meta, Citizen: registry.Citizen{
				PID: f.number(pid.Female, 1995), FullName: "Phạm Thị Dung", Gender: pid.Female,
				DateOfBirth: registry.MustDate("1995-07-08"), Ethnicity: "01", PermanentAddress: baDinh}}
		}
		cases := []struct {
			name     string
			edit     func(*registry.InitialRegistration)
			sentinel error
			field    string
			code     string
		}{
			{"malformed pid", func(r *registry.InitialRegistration) { r.Citizen.PID = "12345" }, registry.ErrInvalid, "citizen.pid", "bad_pid"},
			{"letters in pid", func(r *registry.InitialRegistration) { r.Citizen.PID = "00119500000a" }, registry.ErrInvalid, "citizen.pid", "bad_pid"},
			{"already registered", func(r *registry.InitialRegistration) {
				r.Citizen.PID, r.Citizen.Gender, r.Citizen.DateOfBirth = head.PID, pid.Male, head.DateOfBirth
			}, registry.ErrRule, "citizen.pid", "already_registered"},
			{"gender against pid", func(r *registry.InitialRegistration) { r.Citizen.Gender = pid.Male }, registry.ErrInvalid, "citizen.gender", "pid_mismatch"},
			{"year against pid", func(r *registry.InitialRegistration) { r.Citizen.DateOfBirth = registry.MustDate("1996") }, registry.ErrInvalid, "citizen.date_of_birth", "pid_mismatch"},
			{"future birth", func(r *registry.InitialRegistration) {
				r.Citizen.PID = f.number(pid.Female, 2027)
				r.Citizen.DateOfBirth = registry.MustDate("2027-01-01")
			}, registry.ErrInvalid, "citizen.date_of_birth", "future_date"},
			{"unknown commune", func(r *registry.InitialRegistration) { r.Citizen.PermanentAddress.CommuneCode = "99999" }, registry.ErrInvalid, "citizen.permanent_address.commune_code", "unknown_commune"},
			{"code of the wrong era", func(r *registry.InitialRegistration) {
				r.Citizen.PermanentAddress = registry.Address{CommuneCode: "00001", Era: adminunit.Era2025}
			}, registry.ErrInvalid, "citizen.permanent_address.commune_code", "unknown_commune"},
			{"bad era", func(r *registry.InitialRegistration) { r.Citizen.PermanentAddress.Era = "1999" }, registry.ErrInvalid, "citizen.permanent_address.era", "bad_era"},
			{"no name", func(r *registry.InitialRegistration) { r.Citizen.FullName = "  " }, registry.ErrInvalid, "citizen.full_name", "required"},
			{"digits in name", func(r *registry.InitialRegistration) { r.Citizen.FullName = "Dung 2" }, registry.ErrInvalid, "citizen.full_name", "bad_name"},
			{"unknown ethnicity", func(r *registry.InitialRegistration) { r.Citizen.Ethnicity = "55" }, registry.ErrInvalid, "citizen.ethnicity", "unknown_ethnicity"},
			{"bad phone", func(r *registry.InitialRegistration) { r.Citizen.Phone = "12ab" }, registry.ErrInvalid, "citizen.phone", "bad_phone"},
			{"bad email", func(r *registry.InitialRegistration) { r.Citizen.Email = "dung@" }, registry.ErrInvalid, "citizen.email", "bad_email"},
			{"bad old id", func(r *registry.InitialRegistration) { r.Citizen.OldIDNumber = "1234" }, registry.ErrInvalid, "citizen.old_id_number", "bad_old_id"},
			{"no actor", func(r *registry.InitialRegistration) { r.Actor = "" }, registry.ErrInvalid, "actor", "required"},
			{"future effective date", func(r *registry.InitialRegistration) { r.EffectiveDate = registry.MustDate("2030-01-01") }, registry.ErrInvalid, "effective_date", "future_date"},
			{"unknown household", func(r *registry.InitialRegistration) { r.HouseholdID, r.Relation = "nope", registry.RelationChild }, registry.ErrNotFound, "household_id", ""},
			{"second head", func(r *registry.InitialRegistration) {
				r.HouseholdID, r.Relation = head.HouseholdID, registry.RelationHead
			}, registry.ErrRule, "relation_to_head", "head_exists"},
			{"no relation", func(r *registry.InitialRegistration) { r.HouseholdID = head.HouseholdID }, registry.ErrInvalid, "relation_to_head", "required"},
			{"mother is a man", func(r *registry.InitialRegistration) { r.Citizen.MotherPID = head.PID }, registry.ErrRule, "citizen.mother_pid", "wrong_gender"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := good()
				c.edit(&in)
				before := f.counts()
				_, err := f.svc.RegisterInitial(f.ctx, in)
				f.t = t
				f.refused(err, before, c.sentinel, c.field, c.code)
			})
		}
	})
}

func TestBirth(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		father := f.person("Nguyễn Văn An", pid.Male, "1990-03-04", true)
		mother := f.member("Trần Thị Bình", pid.Female, "1992-05-06", father.HouseholdID, registry.RelationSpouse)
		ev, err := f.svc.RecordBirth(f.ctx, registry.Birth{
			Meta: metaOn("2026-06-01"), FullName: "nguyễn minh khang", Gender: pid.Male,
			DateOfBirth:       registry.MustDate("2026-05-30"),
			BirthRegistration: registry.Address{CommuneCode: "26737", Era: adminunit.Era2025},
			Ethnicity:         "01", MotherPID: mother.PID, FatherPID: father.PID,
		})
		if err != nil {
			t.Fatal(err)
		}
		child := f.get(ev.PID)
		// Registered in Phường Tân Định (2025), formed from communes of the
		// old Hồ Chí Minh City: prefix 079; male born 2026: digit 2, year 26.
		if !strings.HasPrefix(string(child.PID), "079226") {
			t.Fatalf("child's number %s, want prefix 079226", child.PID)
		}
		if child.FullName != "Nguyễn Minh Khang" || child.MotherPID != mother.PID || child.FatherPID != father.PID {
			t.Fatalf("child %+v", child)
		}
		if child.HouseholdID != father.HouseholdID || child.RelationToHead != registry.RelationChild || child.PermanentAddress != baDinh {
			t.Fatalf("child not in the parents' household as a child: %+v", child)
		}
		if len(ev.Subjects) != 1 || ev.Subjects[0] != child.PID || len(ev.Households) != 1 {
			t.Fatalf("event %+v", ev)
		}
		// A grandchild: the child of a child of the head.
		son := f.member("Nguyễn Văn Cường", pid.Male, "1990-01-01", f.person("Nguyễn Văn Đức", pid.Male, "1960", true).HouseholdID, registry.RelationChild)
		ev, err = f.svc.RecordBirth(f.ctx, registry.Birth{Meta: meta, FullName: "Nguyễn Văn Em", Gender: pid.Male,
			DateOfBirth: registry.MustDate("2026-06-10"), BirthRegistration: baDinh, Ethnicity: "01", FatherPID: son.PID})
		if err != nil {
			t.Fatal(err)
		}
		if g := f.get(ev.PID); g.RelationToHead != registry.RelationGrandchild || !strings.HasPrefix(string(g.PID), "001226") {
			t.Fatalf("grandchild %+v", g)
		}
	})
}

func TestBirthRules(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		mother := f.person("Trần Thị Bình", pid.Female, "1992-05-06", true)
		young := f.person("Lê Thị Hoa", pid.Female, "2026-01-01", false)
		father := f.person("Nguyễn Văn An", pid.Male, "1980-01-01", false)
		deadMother := f.person("Phạm Thị Cúc", pid.Female, "1985", true)
		if _, err := f.svc.RecordDeath(f.ctx, registry.Death{Meta: metaOn("2026-01-10"), PID: deadMother.PID, DateOfDeath: registry.MustDate("2026-01-10")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordDeath(f.ctx, registry.Death{Meta: metaOn("2025-01-10"), PID: father.PID, DateOfDeath: registry.MustDate("2025-01-10")}); err != nil {
			t.Fatal(err)
		}
		birth := func(edit func(*registry.Birth)) registry.Birth {
			b := registry.Birth{Meta: meta, FullName: "Nguyễn Thị Mai", Gender: pid.Female,
				DateOfBirth: registry.MustDate("2026-06-01"), BirthRegistration: baDinh, Ethnicity: "01", MotherPID: mother.PID}
			edit(&b)
			return b
		}
		cases := []struct {
			name     string
			in       registry.Birth
			sentinel error
			field    string
			code     string
		}{
			{"partial date", birth(func(b *registry.Birth) { b.DateOfBirth = registry.MustDate("2026-06") }), registry.ErrInvalid, "date_of_birth", "required"},
			{"future", birth(func(b *registry.Birth) { b.DateOfBirth = registry.MustDate("2026-07-01") }), registry.ErrInvalid, "date_of_birth", "future_date"},
			{"no commune", birth(func(b *registry.Birth) { b.BirthRegistration = registry.Address{} }), registry.ErrInvalid, "birth_registration_place.commune_code", "required"},
			{"mother born after the child", birth(func(b *registry.Birth) { b.MotherPID = young.PID; b.DateOfBirth = registry.MustDate("2025-12-01") }), registry.ErrRule, "mother_pid", "parent_younger"},
			{"after the mother's death", birth(func(b *registry.Birth) { b.MotherPID = deadMother.PID }), registry.ErrRule, "mother_pid", "parent_deceased"},
			{"over 300 days after the father's death", birth(func(b *registry.Birth) { b.FatherPID = father.PID }), registry.ErrRule, "father_pid", "parent_deceased"},
			{"mother is unknown", birth(func(b *registry.Birth) { b.MotherPID = "001192999999" }), registry.ErrNotFound, "mother_pid", ""},
			{"father is a woman", birth(func(b *registry.Birth) { b.FatherPID = mother.PID }), registry.ErrRule, "father_pid", "wrong_gender"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.counts()
				_, err := f.svc.RecordBirth(f.ctx, c.in)
				f.t = t
				// A refused birth may have claimed its number (numbers are
				// never reused), but must store nothing else.
				delete(before, "pid_claims")
				f.refused(err, before, c.sentinel, c.field, c.code)
			})
		}
		// A child born within 300 days of the father's death is his.
		f.t = t
		if _, err := f.svc.RecordBirth(f.ctx, birth(func(b *registry.Birth) {
			b.FatherPID = father.PID
			b.DateOfBirth = registry.MustDate("2025-06-01")
		})); err != nil {
			t.Fatalf("posthumous child: %v", err)
		}
	})
}

func TestDeath(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		head := f.person("Nguyễn Văn An", pid.Male, "1950-03-04", true)
		wife := f.member("Trần Thị Bình", pid.Female, "1952", head.HouseholdID, registry.RelationSpouse)
		if _, err := f.svc.RecordMarriage(f.ctx, registry.Marriage{Meta: metaOn("2000-01-01"), PID: head.PID, SpousePID: wife.PID}); err != nil {
			t.Fatal(err)
		}
		death := registry.Death{Meta: meta, PID: head.PID, DateOfDeath: registry.MustDate("2026-06-01")}
		before := f.counts()
		_, err := f.svc.RecordDeath(f.ctx, death)
		f.refused(err, before, registry.ErrRule, "new_head_pid", "head_required")

		cases := []struct {
			name     string
			in       registry.Death
			sentinel error
			field    string
			code     string
		}{
			{"unknown citizen", registry.Death{Meta: meta, PID: "001050999999", DateOfDeath: registry.MustDate("2026-06-01")}, registry.ErrNotFound, "pid", ""},
			{"malformed", registry.Death{Meta: meta, PID: "00105099999", DateOfDeath: registry.MustDate("2026-06-01")}, registry.ErrInvalid, "pid", "bad_pid"},
			{"no date", registry.Death{Meta: meta, PID: head.PID, NewHeadPID: wife.PID}, registry.ErrInvalid, "date_of_death", "required"},
			{"future", registry.Death{Meta: meta, PID: head.PID, NewHeadPID: wife.PID, DateOfDeath: registry.MustDate("2026-12-01")}, registry.ErrInvalid, "date_of_death", "future_date"},
			{"before birth", registry.Death{Meta: meta, PID: head.PID, NewHeadPID: wife.PID, DateOfDeath: registry.MustDate("1949")}, registry.ErrRule, "date_of_death", "before_birth"},
			{"new head not a member", registry.Death{Meta: meta, PID: head.PID, NewHeadPID: f.person("Lê Văn Cường", pid.Male, "1980", false).PID, DateOfDeath: registry.MustDate("2026-06-01")}, registry.ErrRule, "new_head_pid", "not_member"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.counts()
				_, err := f.svc.RecordDeath(f.ctx, c.in)
				f.t = t
				f.refused(err, before, c.sentinel, c.field, c.code)
			})
		}
		f.t = t
		death.NewHeadPID = wife.PID
		if _, err := f.svc.RecordDeath(f.ctx, death); err != nil {
			t.Fatal(err)
		}
		dead, widow := f.get(head.PID), f.get(wife.PID)
		if dead.Status != registry.StatusDeceased || dead.DateOfDeath.String() != "2026-06-01" || dead.HouseholdID != "" {
			t.Fatalf("deceased %+v", dead)
		}
		if widow.MaritalStatus != registry.Widowed || widow.SpousePID != "" || widow.RelationToHead != registry.RelationHead {
			t.Fatalf("widow %+v", widow)
		}
		if h := f.household(widow.HouseholdID); h.HeadPID != wife.PID || len(h.Members) != 1 {
			t.Fatalf("household %+v", h)
		}
		res, _ := f.svc.Residences(f.ctx, head.PID)
		for _, r := range res {
			if r.Active {
				t.Fatalf("residence still active after death: %+v", r)
			}
		}
		// A death recorded twice is refused, and so is marrying the dead.
		before = f.counts()
		_, err = f.svc.RecordDeath(f.ctx, death)
		f.refused(err, before, registry.ErrRule, "pid", "already_deceased")
		_, err = f.svc.RecordMarriage(f.ctx, registry.Marriage{Meta: meta, PID: head.PID, SpousePID: f.person("Đỗ Thị Lan", pid.Female, "1960", false).PID})
		before = f.counts()
		f.refused(err, before, registry.ErrRule, "pid", "not_alive")
		// The last member's death dissolves the household.
		if _, err := f.svc.RecordDeath(f.ctx, registry.Death{Meta: meta, PID: wife.PID, DateOfDeath: registry.MustDate("2026-06-10")}); err != nil {
			t.Fatal(err)
		}
		if h, err := f.db.Household(f.ctx, widow.HouseholdID); err != nil || !h.Dissolved || len(h.Members) != 0 {
			t.Fatalf("household after the last death: %+v, %v", h, err)
		}
	})
}

func TestMissing(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		c := f.person("Nguyễn Văn An", pid.Male, "1980", true)
		if _, err := f.svc.RecordMissing(f.ctx, registry.Missing{Meta: meta, PID: c.PID, MissingSince: registry.MustDate("2024-01-01")}); err != nil {
			t.Fatal(err)
		}
		if got := f.get(c.PID); got.Status != registry.StatusMissing || got.MissingSince.String() != "2024-01-01" {
			t.Fatalf("%+v", got)
		}
		before := f.counts()
		_, err := f.svc.RecordMissing(f.ctx, registry.Missing{Meta: meta, PID: c.PID, MissingSince: registry.MustDate("2024-01-01")})
		f.refused(err, before, registry.ErrRule, "pid", "already_missing")
		// A missing person can later be recorded dead.
		if _, err := f.svc.RecordDeath(f.ctx, registry.Death{Meta: meta, PID: c.PID, DateOfDeath: registry.MustDate("2025")}); err != nil {
			t.Fatal(err)
		}
	})
}
