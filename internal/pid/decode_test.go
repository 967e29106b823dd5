package pid

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		pid     PID
		century int
		gender  Gender
		year    int
	}{
		{"001085000001", 20, Male, 1985},
		{"001185000001", 20, Female, 1985},
		{"001200000001", 21, Male, 2000},
		{"001324000001", 21, Female, 2024},
		{"001499000001", 22, Male, 2199},
		{"001501000001", 22, Female, 2101},
		{"001600000001", 23, Male, 2200},
		{"001750000001", 23, Female, 2250},
		{"001899000001", 24, Male, 2399},
		{"001900000001", 24, Female, 2300},
	}
	for _, tt := range tests {
		d := tt.pid.Decode()
		if d.Century != tt.century || d.Gender != tt.gender || d.BirthYear != tt.year {
			t.Errorf("%s: century %d gender %v year %d; want %d %v %d",
				tt.pid, d.Century, d.Gender, d.BirthYear, tt.century, tt.gender, tt.year)
		}
		if d.ProvinceCode != "001" || !d.ProvinceKnown || d.ProvinceName != "Thành phố Hà Nội" ||
			d.Province2025Code != "01" || d.Serial != "000001" || len(d.Notes) != 0 {
			t.Errorf("%s: decoded %+v", tt.pid, d)
		}
		if g, y := tt.pid.Gender(), tt.pid.BirthYear(); g != tt.gender || y != tt.year {
			t.Errorf("%s: Gender() %v BirthYear() %d", tt.pid, g, y)
		}
	}
}

func TestDecodeProvinces(t *testing.T) {
	tests := []struct {
		pid           PID
		code          string
		known         bool
		name, code25  string
		noteSubstring string
	}{
		{pid: "002090000001", code: "002", known: true, name: "Tỉnh Hà Giang", code25: "08"},
		{pid: "079201123456", code: "079", known: true, name: "Thành phố Hồ Chí Minh", code25: "79"},
		{pid: "077201123456", code: "077", known: true, name: "Tỉnh Bà Rịa - Vũng Tàu", code25: "79"},
		{pid: "096201123456", code: "096", known: true, name: "Tỉnh Cà Mau", code25: "96"},
		{pid: "000090000001", code: "000", noteSubstring: "prefix 000 is not one of the 63"},
		{pid: "099090000001", code: "099", noteSubstring: "prefix 099 is not one of the 63"},
		{pid: "999090000001", code: "999", noteSubstring: "prefix 999 is not one of the 63"},
		{pid: "003090000001", code: "003", noteSubstring: "prefix 003"},
		{pid: "101090000001", code: "101", noteSubstring: "prefix 101"},
	}
	for _, tt := range tests {
		d := tt.pid.Decode()
		if d.ProvinceCode != tt.code || d.ProvinceKnown != tt.known ||
			d.ProvinceName != tt.name || d.Province2025Code != tt.code25 {
			t.Errorf("%s: decoded province %q %v %q %q", tt.pid, d.ProvinceCode, d.ProvinceKnown,
				d.ProvinceName, d.Province2025Code)
		}
		// Everything else is still decoded for an unknown prefix.
		if d.Gender != Male || d.BirthYear == 0 || d.Serial == "" {
			t.Errorf("%s: partial decode lost fields: %+v", tt.pid, d)
		}
		if tt.noteSubstring == "" {
			if len(d.Notes) != 0 {
				t.Errorf("%s: unexpected notes %q", tt.pid, d.Notes)
			}
		} else if len(d.Notes) != 1 || !strings.Contains(d.Notes[0], tt.noteSubstring) {
			t.Errorf("%s: notes %q, want one containing %q", tt.pid, d.Notes, tt.noteSubstring)
		}
		if _, err := Parse(string(tt.pid)); err != nil {
			t.Errorf("%s: Parse rejected it: %v", tt.pid, err)
		}
	}
}

func TestDecodeMalformedDoesNotPanic(t *testing.T) {
	for _, p := range []PID{"", "1", "00108500000", "0010850000011", "00108500000x", "０"} {
		d := p.Decode()
		if d.PID != p || d.ProvinceCode != "" || d.BirthYear != 0 || d.Gender != GenderUnknown || len(d.Notes) != 1 {
			t.Errorf("PID(%q).Decode() = %+v", p, d)
		}
		if p.Province() != "" || p.Gender() != GenderUnknown || p.BirthYear() != 0 {
			t.Errorf("PID(%q) accessors decoded something", p)
		}
	}
}

func TestDecodedJSON(t *testing.T) {
	got, err := json.Marshal(PID("002090000001").Decode())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"pid":"002090000001","province_code":"002","province_name":"Tỉnh Hà Giang",` +
		`"province_known":true,"province_2025_code":"08","century":20,"gender":"male",` +
		`"birth_year":1990,"serial":"000001"}`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}

	got, err = json.Marshal(PID("999301000001").Decode())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["province_name"]; ok {
		t.Errorf("unknown province has a name: %s", got)
	}
	if m["province_known"] != false || m["gender"] != "female" || m["birth_year"] != 2001.0 {
		t.Errorf("unknown prefix JSON: %s", got)
	}
	if notes, _ := m["notes"].([]any); len(notes) != 1 {
		t.Errorf("unknown prefix JSON lacks a note: %s", got)
	}

	var back Decoded
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, PID("999301000001").Decode()) {
		t.Errorf("JSON round trip: %+v", back)
	}
}

func TestCheckBirthYear(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 1, 1, 0, 30, 0, 0, ict)
	if err := CheckBirthYear("001326000001", now); err != nil {
		t.Errorf("born 2026, checked in 2026: %v", err)
	}
	if err := CheckBirthYear("001085000001", now); err != nil {
		t.Errorf("born 1985: %v", err)
	}
	err := CheckBirthYear("001327000001", now)
	if !errors.Is(err, ErrBirthYearInFuture) {
		t.Errorf("born 2027, checked in 2026: %v", err)
	}
	if err := CheckBirthYear("001400000001", now); !errors.Is(err, ErrBirthYearInFuture) {
		t.Errorf("born 2100: %v", err)
	}
	// The same instant in UTC is still 2025: the caller's zone decides.
	if err := CheckBirthYear("001326000001", now.UTC()); !errors.Is(err, ErrBirthYearInFuture) {
		t.Errorf("born 2026, checked in UTC 2025: %v", err)
	}
	if err := CheckBirthYear("0013260000x1", now); !errors.Is(err, ErrNonDigit) {
		t.Errorf("malformed: %v", err)
	}
}

func TestGenderText(t *testing.T) {
	for _, g := range []Gender{Male, Female, GenderUnknown} {
		b, err := g.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Gender
		if err := back.UnmarshalText(b); err != nil || back != g {
			t.Errorf("%v: round trip %v, %v", g, back, err)
		}
	}
	var g Gender
	if err := g.UnmarshalText([]byte("nam")); err == nil {
		t.Error("accepted \"nam\"")
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	p := PID("079301123456")
	for b.Loop() {
		if d := p.Decode(); !d.ProvinceKnown {
			b.Fatal("unknown")
		}
	}
}

func BenchmarkDecodeUnknownPrefix(b *testing.B) {
	b.ReportAllocs()
	p := PID("999301123456")
	for b.Loop() {
		if d := p.Decode(); d.ProvinceKnown {
			b.Fatal("known")
		}
	}
}
