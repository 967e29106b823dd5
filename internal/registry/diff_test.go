package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"dancu/internal/pid"
)

// mapDiff is diff as it was first written, on json.Unmarshal into maps:
// the reference the scanner must agree with.
func mapDiff(record string, before, after []byte) ([]Change, error) {
	var b, a map[string]json.RawMessage
	if before != nil {
		if err := json.Unmarshal(before, &b); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(after, &a); err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []Change
	for _, k := range names {
		if bytes.Equal(b[k], a[k]) {
			continue
		}
		out = append(out, Change{Record: record, Field: k, Before: emptyToNil(b[k]), After: emptyToNil(a[k])})
	}
	return out, nil
}

// diffSeeds are pairs of records as the register writes them, and JSON
// that only a hand could write.
func diffSeeds(t testing.TB) [][2][]byte {
	t.Helper()
	enc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	at := time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)
	h := Household{ID: "hh-1", HeadPID: "001080000001", Address: Address{Street: "Số 8, Ngõ 12", CommuneCode: "00004", Era: "2025"},
		Members: []Member{{PID: "001080000001", Relation: RelationHead}}}
	h2 := h
	h2.Members = append(append([]Member{}, h.Members...), Member{PID: "001182000002", Relation: RelationSpouse})
	h3 := h2
	h3.HeadPID, h3.Members, h3.Dissolved, h3.Version, h3.UpdatedAt = "", nil, true, 4, at
	c := Citizen{PID: "001080000001", FullName: "Nguyễn Văn Hùng", OtherNames: []string{"Hùng <Tí> & \"Tèo\""},
		DateOfBirth: MustDate("1980-02-11"), Gender: 1, Ethnicity: "01", Nationality: "VN",
		PermanentAddress: h.Address, MaritalStatus: Single, Status: StatusAlive}
	c2 := c
	c2.MaritalStatus, c2.SpousePID, c2.IDCard = Married, "001182000002", &IDCard{Number: "001080000001", IssueDate: MustDate("2021-05-01")}
	return [][2][]byte{
		{enc(h), enc(h2)},
		{enc(h2), enc(h3)},
		{nil, enc(h)},
		{enc(c), enc(c2)},
		{enc(c2), enc(c)},
		{enc(c), enc(c)},
		{nil, enc(Residence{ID: "r-1", PID: c.PID, Kind: ResidencePermanent, Address: h.Address})},
		{[]byte(`{}`), []byte(` { } `)},
		{[]byte(`null`), []byte(`{"a":null,"b":0,"c":false,"d":"","e":[],"f":{}}`)},
		{[]byte(`{"a" : 1 , "b":[1, {"x":"}"}] ,"a":2}`), []byte("{\"a\":2,\"b\":[1,{\"x\":\"}\"}]}\n")},
		{[]byte(`{"\u0061":"\"\\\/\b\f\n\r\t\u00e9","é":-0.5e+10,"z":[[[]]]}`), []byte(`{"a":"x","\u00e9":-0.5E+10,"z":[[[true]]]}`)},
		{[]byte("{\"\xff\":1}"), []byte("{\"\xef\xbf\xbd\":2,\"k\":\"\xff\"}")},
		{[]byte(`{"a":1}`), []byte(`{"a":01}`)},
		{[]byte(`{"a":1}`), []byte(`[1]`)},
		{[]byte(``), []byte(`{}`)},
		{[]byte(`{"a":1,}`), []byte(`{"a":tru}`)},
		{[]byte(`{"a":"\u12"}`), []byte(`{"a":1.}`)},
		{[]byte(`{"a":[1,]}`), []byte(`{"a" 1}`)},
		{[]byte(`{"a":1} x`), []byte(`nul`)},
		{[]byte(strings.Repeat("[", 10001)), []byte(`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`)},
		{[]byte(`{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`), []byte(`{"a":"` + "\x01" + `"}`)},
	}
}

// sameDiff fails t unless diff and mapDiff agree on before and after:
// the same changes, or both an error.
func sameDiff(t *testing.T, before, after []byte) {
	t.Helper()
	want, werr := mapDiff("r", before, after)
	got, err := diff("r", before, after)
	if (err != nil) != (werr != nil) {
		t.Fatalf("diff(%q, %q): error %v, want %v", before, after, err, werr)
	}
	if err != nil && err.Error() != werr.Error() {
		t.Errorf("diff(%q, %q): error %q, want %q", before, after, err, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("diff(%q, %q)\n got %q\nwant %q", before, after, got, want)
	}
}

func TestDiff(t *testing.T) {
	for _, s := range diffSeeds(t) {
		sameDiff(t, s[0], s[1])
		if s[0] != nil {
			sameDiff(t, s[1], s[0])
		}
	}
}

// FuzzDiff: the scanner finds the same changes as json.Unmarshal into
// maps did, and refuses the same text, for any pair of inputs.
func FuzzDiff(f *testing.F) {
	for _, s := range diffSeeds(f) {
		f.Add(s[0] == nil, s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, create bool, before, after []byte) {
		if create {
			before = nil
		} else if before == nil {
			before = []byte{}
		}
		sameDiff(t, before, after)
		if !create {
			sameDiff(t, after, before)
		}
	})
}

// BenchmarkDiffHousehold diffs a household as a member joins it, with
// the scanner and with the maps it replaced.
func BenchmarkDiffHousehold(b *testing.B) {
	h := Household{ID: "0a7f00df-03a7-4eab-9663-78723ab67e47", HeadPID: "001080000001",
		Address: Address{Street: "Số 8, Ngõ 12", CommuneCode: "00004", Era: "2025"}}
	for i, rel := range []Relation{RelationHead, RelationSpouse, RelationChild, RelationChild} {
		h.Members = append(h.Members, Member{PID: pid.PID(fmt.Sprintf("0012100000%02d", i)), Relation: rel})
	}
	before, _ := json.Marshal(h)
	h.Members = append(h.Members, Member{PID: "001210000005", Relation: RelationChild})
	after, _ := json.Marshal(h)
	for _, impl := range []struct {
		name string
		diff func(string, []byte, []byte) ([]Change, error)
	}{{"scanner", diff}, {"maps", mapDiff}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.diff("household:"+h.ID, before, after); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
