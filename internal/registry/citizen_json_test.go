package registry

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
)

// checkAppendJSON fails t unless v's AppendJSON writes what json.Marshal
// does.
func checkAppendJSON[T any, P interface {
	*T
	AppendJSON([]byte) ([]byte, error)
}](t *testing.T, v T) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := P(&v).AppendJSON([]byte("prefix"))
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("error %v, json.Marshal's %v", err, wantErr)
	}
	if err == nil && string(got) != "prefix"+string(want) {
		t.Fatalf("AppendJSON\n%s\njson.Marshal\nprefix%s", got, want)
	}
}

func TestHouseholdAppendJSON(t *testing.T) {
	var full Household
	fillEvery(t, reflect.ValueOf(&full).Elem())
	full.Members = []Member{{PID: "001090000001", Relation: RelationHead}, {PID: "x<&>", Relation: "spouse "}}
	checkAppendJSON(t, full)
	checkAppendJSON(t, Household{})
	checkAppendJSON(t, Household{ID: "h1", Members: []Member{}, UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC)})
	checkAppendJSON(t, Household{ID: "h1", UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))})
}

// everyField is a citizen with every field set, found by reflection, so
// that a field added to Citizen (or to Address or IDCard) without
// AppendJSON writing it fails the test.
func everyField(t *testing.T) Citizen {
	var c Citizen
	fillEvery(t, reflect.ValueOf(&c).Elem())
	return c
}

// fillEvery sets every field of v, recursively, to a value that is not
// zero.
func fillEvery(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x<&>\"\u2028é")
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint8:
		v.SetUint(uint64(pid.Female))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for i := range 2 {
				fillEvery(t, v.Index(i))
			}
			return
		}
		v.Set(reflect.ValueOf([]string{"a", "b\x01"}))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEvery(t, v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 23, 18, 21, 8, 878428000, time.UTC)))
			return
		}
		if v.Type() == reflect.TypeOf(Date{}) {
			v.Set(reflect.ValueOf(Date{2001, 2, 3}))
			return
		}
		for i := range v.NumField() {
			fillEvery(t, v.Field(i))
		}
	default:
		t.Fatalf("a field of kind %s: teach fillEvery and AppendJSON", v.Kind())
	}
}

func TestCitizenAppendJSON(t *testing.T) {
	full := everyField(t)
	checkAppendJSON(t, full)
	checkAppendJSON(t, Citizen{})
	partial := Citizen{PID: "001090000001", FullName: "Nguyễn Văn An", DateOfBirth: Date{Year: 1990}, Gender: pid.Male,
		PermanentAddress: Address{CommuneCode: "00004", Era: adminunit.Era2025}, Hometown: Address{Era: adminunit.EraPre2025},
		IDCard: &IDCard{Number: "001090000001", IssueDate: Date{2021, 5, 1}}, Version: 1,
		UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	checkAppendJSON(t, partial)
	odd := partial
	odd.UpdatedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	checkAppendJSON(t, odd)
	odd.UpdatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	checkAppendJSON(t, odd)
	odd.UpdatedAt = time.Time{}
	odd.DateOfBirth = Date{-4, 13, 100}
	checkAppendJSON(t, odd)
}

// FuzzCitizenAppendJSON: any text in the record's strings is escaped as
// json.Marshal escapes it.
func FuzzCitizenAppendJSON(f *testing.F) {
	for _, s := range []string{"", "Nguyễn Thị Mai", "<script>&amp;", "\x00\x1f\x7f", "\xff\xfe", "\u2028\u2029", `"\`, "a\tb\nc\rd\be\ff"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		c := Citizen{PID: pid.PID(a), FullName: b, OtherNames: []string{a, b}, Ethnicity: a, Religion: b,
			PermanentAddress: Address{Street: a, CommuneCode: b, Era: adminunit.Era(a)}, HouseholdID: b, Phone: a, Email: b,
			IDCard: &IDCard{Number: b, IssuedBy: a}, UpdatedAt: time.Unix(int64(len(a))*1e8, int64(len(b))).UTC()}
		checkAppendJSON(t, c)
	})
}
