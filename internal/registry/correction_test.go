package registry_test

import (
	"encoding/json"
	"testing"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

func TestDataCorrection(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		c := f.person("Nguyễn Văn An", pid.Male, "1990", true)
		correct := func(field, value string) error {
			_, err := f.svc.RecordDataCorrection(f.ctx, registry.DataCorrection{Meta: meta, PID: c.PID, Field: field, Value: json.RawMessage(value)})
			return err
		}
		for _, ok := range []struct{ field, value string }{
			{"ethnicity", `"06"`}, {"date_of_birth", `"1990-04-05"`}, {"blood_type", `"o+"`},
			{"phone", `"0912 345 678"`}, {"hometown", `{"commune_code":"00001","era":"pre2025"}`},
		} {
			if err := correct(ok.field, ok.value); err != nil {
				t.Fatalf("correct %s: %v", ok.field, err)
			}
		}
		got := f.get(c.PID)
		if got.Ethnicity != "06" || got.DateOfBirth.String() != "1990-04-05" || got.BloodType != "O+" || got.Phone != "0912345678" || got.Hometown.CommuneCode != "00001" {
			t.Fatalf("%+v", got)
		}
		cases := []struct {
			name, field, value string
			sentinel           error
			errField, code     string
		}{
			{"gender is in the number", "gender", `"female"`, registry.ErrInvalid, "field", "not_correctable"},
			{"status has its own events", "status", `"deceased"`, registry.ErrInvalid, "field", "not_correctable"},
			{"birth year is in the number", "date_of_birth", `"1991-04-05"`, registry.ErrRule, "value", "needs_new_number"},
			{"wrong type", "ethnicity", `6`, registry.ErrInvalid, "value", "bad_value"},
			{"bad date", "date_of_birth", `"1990-13-01"`, registry.ErrInvalid, "value", "bad_value"},
			{"malformed father", "father_pid", `"12"`, registry.ErrInvalid, "value", "bad_value"},
			{"unknown ethnicity", "ethnicity", `"99"`, registry.ErrInvalid, "ethnicity", "unknown_ethnicity"},
			{"no value", "phone", ``, registry.ErrInvalid, "value", "bad_value"},
			{"unknown commune", "hometown", `{"commune_code":"12345","era":"2025"}`, registry.ErrInvalid, "hometown.commune_code", "unknown_commune"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.counts()
				err := correct(tc.field, tc.value)
				f.t = t
				f.refused(err, before, tc.sentinel, tc.errField, tc.code)
			})
		}
	})
}

func TestRecordMerge(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		keep := f.person("Nguyễn Văn An", pid.Male, "1990-01-02", true)
		dupIn := registry.Citizen{PID: f.number(pid.Male, 1990), FullName: "Nguyen Van An", Gender: pid.Male,
			DateOfBirth: registry.MustDate("1990"), Ethnicity: "01", OldIDNumber: "012345678", Phone: "0987654321"}
		if _, err := f.svc.RegisterInitial(f.ctx, registry.InitialRegistration{Meta: meta, Citizen: dupIn}); err != nil {
			t.Fatal(err)
		}
		before := f.counts()
		_, err := f.svc.RecordRecordMerge(f.ctx, registry.RecordMerge{Meta: registry.Meta{Actor: "x"}, PID: keep.PID, DuplicatePID: dupIn.PID})
		f.refused(err, before, registry.ErrInvalid, "legal_basis", "required")
		woman := f.person("Nguyễn Thị An", pid.Female, "1990", false)
		before = f.counts()
		_, err = f.svc.RecordRecordMerge(f.ctx, registry.RecordMerge{Meta: meta, PID: keep.PID, DuplicatePID: woman.PID})
		f.refused(err, before, registry.ErrRule, "duplicate_pid", "different_gender")

		if _, err := f.svc.RecordRecordMerge(f.ctx, registry.RecordMerge{Meta: meta, PID: keep.PID, DuplicatePID: dupIn.PID}); err != nil {
			t.Fatal(err)
		}
		k, d := f.get(keep.PID), f.get(dupIn.PID)
		if k.OldIDNumber != "012345678" || k.Phone != "0987654321" {
			t.Fatalf("kept record did not gain the duplicate's data: %+v", k)
		}
		if d.Status != registry.StatusMerged || d.MergedInto != keep.PID {
			t.Fatalf("duplicate %+v", d)
		}
		// The merged number is never reused, and takes no further events.
		before = f.counts()
		_, err = f.svc.RecordDeath(f.ctx, registry.Death{Meta: meta, PID: dupIn.PID, DateOfDeath: registry.MustDate("2026-01-01")})
		f.refused(err, before, registry.ErrRule, "pid", "merged")
		if ok, err := f.db.ClaimPID(f.ctx, dupIn.PID); err != nil || ok {
			t.Fatalf("merged number claimable again: %v, %v", ok, err)
		}
	})
}
