package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"dancu/internal/registry"
)

// importRecords runs an import of recs (line numbers from 2, as under a
// CSV header) and returns the results by line.
func (f *fixture) importRecords(batch int, recs ...registry.Record) map[int64]registry.RowResult {
	f.t.Helper()
	out := map[int64]registry.RowResult{}
	im := f.svc.NewImporter(registry.ImportOptions{Source: "test.csv", BatchSize: batch, Result: func(r registry.RowResult) {
		if _, dup := out[r.Line]; dup {
			f.t.Errorf("line %d reported twice", r.Line)
		}
		out[r.Line] = r
	}})
	for i, r := range recs {
		if err := im.Add(f.ctx, int64(i+2), r); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := im.Close(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	if len(out) != len(recs) {
		f.t.Fatalf("%d results for %d rows", len(out), len(recs))
	}
	return out
}

const home = "Số 8, Ngõ 12, Phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội"

func family() []registry.Record {
	return []registry.Record{
		{PID: "001080000001", FullName: "Nguyễn Văn Hùng", DateOfBirth: "1980-02-11", Gender: "male", Ethnicity: "01",
			PermanentAddress: home, HouseholdID: "hh-1", RelationToHead: "head", MaritalStatus: "married", SpousePID: "001182000002"},
		{PID: "001182000002", FullName: "Trần Thị Lan", DateOfBirth: "1982", Gender: "female", Ethnicity: "01",
			HouseholdID: "hh-1", RelationToHead: "spouse", MaritalStatus: "married", SpousePID: "001080000001",
			Hometown: "Xã Hải Hậu, Tỉnh Ninh Bình"},
		{PID: "001210000003", FullName: "Nguyễn Minh An", DateOfBirth: "2010-09-01", Gender: "male", Ethnicity: "01",
			HouseholdID: "hh-1", RelationToHead: "child", FatherPID: "001080000001", MotherPID: "001182000002",
			PermanentAddress: home},
		{PID: "001030000004", FullName: "Nguyễn Văn Tư", DateOfBirth: "1930", Gender: "male", Ethnicity: "01",
			Status: "deceased", DateOfDeath: "2001-03", MaritalStatus: "widowed"},
	}
}

func TestImportFamilyAndRerun(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		for _, batch := range []int{1, 2, 1000} {
			res := f.importRecords(batch, family()...)
			want := registry.Imported
			if batch != 1 {
				want = registry.Unchanged // the first pass registered them
			}
			for line, r := range res {
				if r.Outcome != want {
					t.Fatalf("batch %d line %d: %+v, want %s", batch, line, r, want)
				}
			}
		}
		c, err := f.svc.Citizen(f.ctx, "001210000003")
		if err != nil {
			t.Fatal(err)
		}
		if c.HouseholdID != "hh-1" || c.RelationToHead != registry.RelationChild || c.PermanentAddress.Street != "Số 8, Ngõ 12, Phố Đội Cấn" {
			t.Errorf("child: %+v", c.Citizen)
		}
		h, err := f.svc.Household(f.ctx, "hh-1")
		if err != nil || h.HeadPID != "001080000001" || len(h.Members) != 3 {
			t.Fatalf("household %+v, %v", h, err)
		}
		hist, err := f.svc.History(f.ctx, "001080000001")
		if err != nil || len(hist) != 1 || hist[0].Event.Kind != registry.KindInitialRegistration {
			t.Fatalf("history %+v, %v", hist, err)
		}
		// What RecordOf writes reads back to the same record.
		spouse, err := f.svc.Citizen(f.ctx, "001182000002")
		if err != nil {
			t.Fatal(err)
		}
		got := f.svc.RecordOf(spouse.Citizen)
		if got.PermanentAddress != home || got.Hometown != "Xã Hải Hậu, Tỉnh Ninh Bình" || got.HouseholdID != "hh-1" {
			t.Errorf("record of the spouse: %+v", got)
		}
	})
}

func TestImportRejects(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		f.importRecords(100, family()...)
		changed := family()[0]
		changed.FullName = "Nguyễn Văn Hưng"
		future := registry.Record{PID: "001099000010", FullName: "Lê Văn Mới", DateOfBirth: "2099", Gender: "male", Ethnicity: "01"}
		future.PID = "001299000010"
		good := registry.Record{PID: "001095000011", FullName: "Lê Văn Tốt", DateOfBirth: "1995", Gender: "male", Ethnicity: "01",
			PermanentAddress: "Thôn Đông, Xã Hải Hậu, Tỉnh Ninh Bình", HouseholdID: "hh-2", RelationToHead: "head"}
		unknownCommune := registry.Record{PID: "001095000012", FullName: "Lê Văn Xa", DateOfBirth: "1995", Gender: "male", Ethnicity: "01",
			PermanentAddress: "Số 1, Phường Không Có, Tỉnh Không Có"}
		twice := good
		twice.FullName = "Lê Văn Khác"
		orphan := registry.Record{PID: "001097000013", FullName: "Lê Văn Con", DateOfBirth: "1997", Gender: "male", Ethnicity: "01",
			HouseholdID: "hh-9", RelationToHead: "child"}
		secondHead := registry.Record{PID: "001197000014", FullName: "Lê Thị Hai", DateOfBirth: "1997", Gender: "female", Ethnicity: "01",
			PermanentAddress: "Thôn Đông, Xã Hải Hậu, Tỉnh Ninh Bình", HouseholdID: "hh-2", RelationToHead: "head"}
		elsewhere := registry.Record{PID: "001197000015", FullName: "Lê Thị Ba", DateOfBirth: "1997", Gender: "female", Ethnicity: "01",
			PermanentAddress: home, HouseholdID: "hh-2", RelationToHead: "sibling"}
		badGender := registry.Record{PID: "001097000016", FullName: "Lê Văn Sáu", DateOfBirth: "1997", Gender: "nam", Ethnicity: "01"}
		after := registry.Record{PID: "001197000017", FullName: "Lê Thị Bảy", DateOfBirth: "1997", Gender: "female", Ethnicity: "01",
			HouseholdID: "hh-2", RelationToHead: "sibling"}
		res := f.importRecords(3, changed, future, good, unknownCommune, twice, orphan, secondHead, elsewhere, badGender, after)
		want := map[int64]string{
			2:  "different full_name",
			3:  "future_date",
			4:  "",
			5:  "unknown_commune",
			6:  "appears twice in this file (first at line 4)",
			7:  "no_head",
			8:  "head_exists",
			9:  "not_household_address",
			10: "bad_gender",
			11: "",
		}
		for line, msg := range want {
			r := res[line]
			if msg == "" {
				if r.Outcome != registry.Imported {
					t.Errorf("line %d: %+v, want imported", line, r)
				}
				continue
			}
			text := ""
			if r.Err != nil {
				text = r.Err.Error()
				var fe *registry.FieldError
				if errors.As(r.Err, &fe) {
					text += " " + fe.Code
				}
			}
			if r.Outcome != registry.Rejected || !strings.Contains(text, msg) {
				t.Errorf("line %d: %v %q, want rejected with %q", line, r.Outcome, text, msg)
			}
		}
		// Nothing else was lost or changed.
		c, err := f.svc.Citizen(f.ctx, "001080000001")
		if err != nil || c.FullName != "Nguyễn Văn Hùng" {
			t.Errorf("the stored citizen changed: %+v %v", c.Citizen, err)
		}
		h, err := f.svc.Household(context.Background(), "hh-2")
		if err != nil || len(h.Members) != 2 {
			t.Errorf("hh-2: %+v %v", h, err)
		}
	})
}

// A number given again batches after its first row, once that row is
// committed, is still rejected as given twice, with the first line, the
// same data or not; rerunning the file finds each row unchanged.
func TestImportTwiceAcrossBatches(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		rows := family()
		again := rows[3]
		changed := rows[3]
		changed.FullName = "Nguyễn Văn Bốn"
		res := f.importRecords(1, append(rows, again, changed)...)
		for line, want := range map[int64]string{6: "appears twice in this file (first at line 5)", 7: "appears twice in this file (first at line 5)"} {
			if r := res[line]; r.Outcome != registry.Rejected || r.Err == nil || !strings.Contains(r.Err.Error(), want) {
				t.Errorf("line %d: %+v, want rejected with %q", line, r, want)
			}
		}
		res = f.importRecords(2, rows...)
		for line, r := range res {
			if r.Outcome != registry.Unchanged {
				t.Errorf("rerun, line %d: %+v, want unchanged", line, r)
			}
		}
	})
}
