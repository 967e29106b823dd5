package verify

import (
	"encoding/json"
	"strings"
	"testing"

	"dancu/internal/adminunit"
	"dancu/internal/registry"
	"golang.org/x/text/unicode/norm"
)

// verifyOne puts c and answers a request for c's number with one field
// set by set.
func verifyOne(t *testing.T, c registry.Citizen, set func(*Request)) Result {
	t.Helper()
	ix := indexOf(t, c)
	req := Request{PID: string(c.PID)}
	set(&req)
	if err := req.Validate(); err != nil {
		t.Fatalf("Validate(%+v): %v", req, err)
	}
	return ix.Verify(req)
}

func TestVerifyName(t *testing.T) {
	tests := []struct {
		held, given                  string
		verdict                      Verdict
		exact, folded, highScoreOnly bool
	}{
		{"Nguyễn Thị Hòa", "Nguyễn Thị Hòa", Match, true, true, false},
		{"Nguyễn Thị Hòa", "NGUYỄN THỊ HÒA", Match, true, true, false},
		{"Nguyễn Thị Hòa", "  Nguyễn   Thị\tHòa ", Match, true, true, false},
		// Decomposed input (NFD, as macOS writes it).
		{"Nguyễn Thị Hòa", norm.NFD.String("Nguyễn Thị Hòa"), Match, true, true, false},
		// The tone mark on another vowel is the same spelling.
		{"Nguyễn Thị Hòa", "Nguyễn Thị Hoà", Match, true, true, false},
		{"Nguyễn Thị Thủy", "NGUYỄN THỊ THUỶ", Match, true, true, false},
		// Only equal without diacritics: a mismatch, folded.
		{"Nguyễn Thị Hòa", "Nguyen Thi Hoa", Mismatch, false, true, true},
		{"Nguyễn Thị Hòa", "Nguyễn Thị Hoa", Mismatch, false, true, true},
		// Swapped middle names: a mismatch with a high score.
		{"Nguyễn Văn Minh Đức", "Nguyễn Minh Văn Đức", Mismatch, false, false, true},
		{"Nguyễn Thị Hòa", "Trần Văn Bình", Mismatch, false, false, false},
	}
	for _, tt := range tests {
		c := citizen()
		c.FullName = tt.held
		res := verifyOne(t, c, func(r *Request) { r.FullName = tt.given })
		f := res.Fields[FieldFullName]
		if f.Verdict != tt.verdict || f.Exact == nil || f.Folded == nil || f.Score == nil {
			t.Errorf("%q vs %q: %+v, want %s", tt.held, tt.given, f, tt.verdict)
			continue
		}
		if *f.Exact != tt.exact || *f.Folded != tt.folded {
			t.Errorf("%q vs %q: exact %v folded %v, want %v %v", tt.held, tt.given, *f.Exact, *f.Folded, tt.exact, tt.folded)
		}
		switch {
		case tt.exact && *f.Score != 1:
			t.Errorf("%q vs %q: score %v, want 1", tt.held, tt.given, *f.Score)
		case !tt.exact && tt.highScoreOnly && (*f.Score < 0.8 || *f.Score >= 1):
			t.Errorf("%q vs %q: score %v, want high but below 1", tt.held, tt.given, *f.Score)
		case !tt.exact && !tt.highScoreOnly && *f.Score >= 0.5:
			t.Errorf("%q vs %q: score %v, want low", tt.held, tt.given, *f.Score)
		}
		wantResult := ResultMatch
		if tt.verdict != Match {
			wantResult = ResultMismatch
		}
		if res.Result != wantResult {
			t.Errorf("%q vs %q: result %s, want %s", tt.held, tt.given, res.Result, wantResult)
		}
	}
}

func TestVerifyDates(t *testing.T) {
	tests := []struct {
		held, given string
		want        Verdict
	}{
		{"1990-07-14", "1990-07-14", Match},
		{"1990-07-14", "1990-07-15", Mismatch},
		{"1990-07-14", "1991-07-14", Mismatch},
		// A partial date in the request matches on the parts given.
		{"1990-07-14", "1990", Match},
		{"1990-07-14", "1990-07", Match},
		{"1990-07-14", "1990-08", Mismatch},
		{"1990-07-14", "1989", Mismatch},
		// A partial date in the register matches on the parts it holds.
		{"1990", "1990-07-14", Match},
		{"1990", "1991-07-14", Mismatch},
		{"1990-07", "1990-07-14", Match},
		{"1990-07", "1990-06-14", Mismatch},
		{"1990-07", "1990", Match},
		{"", "1990-07-14", NotHeld},
	}
	for _, tt := range tests {
		c := citizen()
		c.DateOfBirth = registry.Date{}
		if tt.held != "" {
			c.DateOfBirth = registry.MustDate(tt.held)
		}
		res := verifyOne(t, c, func(r *Request) { r.DateOfBirth = tt.given })
		if got := res.Fields[FieldDateOfBirth].Verdict; got != tt.want {
			t.Errorf("date of birth %q vs %q: %s, want %s", tt.held, tt.given, got, tt.want)
		}
		// The ID card's issue date follows the same rules.
		c = citizen()
		c.IDCard = nil
		if tt.held != "" {
			c.IDCard = &registry.IDCard{IssueDate: registry.MustDate(tt.held)}
		}
		res = verifyOne(t, c, func(r *Request) { r.IDCardIssueDate = tt.given })
		if got := res.Fields[FieldIDCardIssueDate].Verdict; got != tt.want {
			t.Errorf("card issue date %q vs %q: %s, want %s", tt.held, tt.given, got, tt.want)
		}
	}
}

func TestVerifyPhone(t *testing.T) {
	same := []string{"0912345678", "0912 345 678", "091.234.5678", "0912-345-678", "+84912345678",
		"+84 912 345 678", "84912345678", "0084912345678", "912345678", "+84 (0) 912 345 678", "(+84) 912345678"}
	for _, held := range []string{"0912345678", "+84912345678"} {
		for _, g := range same {
			c := citizen()
			c.Phone = held
			if got := verifyOne(t, c, func(r *Request) { r.Phone = g }).Fields[FieldPhone].Verdict; got != Match {
				t.Errorf("phone %q vs %q: %s, want match", held, g, got)
			}
		}
	}
	for _, g := range []string{"0912345679", "+1 912 345 678", "0812345678", "091234567"} {
		c := citizen()
		if got := verifyOne(t, c, func(r *Request) { r.Phone = g }).Fields[FieldPhone].Verdict; got != Mismatch {
			t.Errorf("phone %q vs %q: %s, want mismatch", c.Phone, g, got)
		}
	}
	// An international number in the register.
	c := citizen()
	c.Phone = "+1 415 555 0100"
	for g, want := range map[string]Verdict{"+14155550100": Match, "001 415 555 0100": Match, "4155550100": Mismatch} {
		if got := verifyOne(t, c, func(r *Request) { r.Phone = g }).Fields[FieldPhone].Verdict; got != want {
			t.Errorf("phone %q vs %q: %s, want %s", c.Phone, g, got, want)
		}
	}
	c.Phone = ""
	if got := verifyOne(t, c, func(r *Request) { r.Phone = "0912345678" }).Fields[FieldPhone].Verdict; got != NotHeld {
		t.Errorf("no phone held: %s, want not_held", got)
	}
}

func TestVerifyAddress(t *testing.T) {
	units := testUnits(t)
	format := func(a registry.Address) string {
		s, ok := units.Format(a.Era, a.CommuneCode)
		if !ok {
			t.Fatalf("no commune %s %s", a.Era, a.CommuneCode)
		}
		if a.Street == "" {
			return s
		}
		return a.Street + ", " + s
	}
	in := func(era adminunit.Era, code, street string) string {
		return format(registry.Address{Street: street, CommuneCode: code, Era: era})
	}
	tests := []struct {
		name  string
		held  registry.Address
		given string
		want  Verdict
	}{
		{"same, 2025", baDinh, format(baDinh), Match},
		{"street case and commas", baDinh, "số 1, phố điện biên phủ, phường ba đình, thành phố hà nội", Match},
		{"NFD", baDinh, norm.NFD.String(format(baDinh)), Match},
		{"other street", baDinh, in(adminunit.Era2025, "00004", "Số 2 Phố Điện Biên Phủ"), Mismatch},
		{"no street given", baDinh, in(adminunit.Era2025, "00004", ""), Match},
		{"other commune", baDinh, in(adminunit.Era2025, "00008", baDinh.Street), Mismatch},
		// A pre-2025 commune and the 2025 commune it became agree, in
		// either direction.
		{"old-era request", baDinh, format(quanThanh), Match},
		{"old-era register", quanThanh, format(baDinh), Match},
		{"old commune split, one part", baDinh, in(adminunit.EraPre2025, "00016", baDinh.Street), Match},
		{"old commune split elsewhere", baDinh, in(adminunit.EraPre2025, "00007", baDinh.Street), Mismatch},
		// Two old communes that merged into one are still two places.
		{"old, merged sibling", quanThanh, in(adminunit.EraPre2025, "00004", quanThanh.Street), Mismatch},
		// Same code, other era: Trúc Bạch (pre-2025 00004) became Ba Đình
		// (2025 00004), so they agree; Ba Đình is not Quán Thánh's 00013.
		{"reused code", baDinh, in(adminunit.EraPre2025, "00004", baDinh.Street), Match},
		// Free text goes to the resolver.
		{"free text", baDinh, "Số 1 Phố Điện Biên Phủ, P. Quán Thánh, Q. Ba Đình, Hà Nội", Match},
		{"free text, other street", baDinh, "Số 9 Phố Điện Biên Phủ, P. Quán Thánh, Q. Ba Đình, Hà Nội", Mismatch},
		{"unreadable", baDinh, "somewhere", Mismatch},
		{"not held", registry.Address{}, format(baDinh), NotHeld},
	}
	for _, tt := range tests {
		c := citizen()
		c.PermanentAddress = tt.held
		res := verifyOne(t, c, func(r *Request) { r.PermanentAddress = tt.given })
		if got := res.Fields[FieldPermanentAddress].Verdict; got != tt.want {
			t.Errorf("%s: %+v vs %q: %s, want %s", tt.name, tt.held, tt.given, got, tt.want)
		}
	}
	// A register address without a street matches on the commune.
	c := citizen()
	c.PermanentAddress.Street = ""
	if got := verifyOne(t, c, func(r *Request) { r.PermanentAddress = format(baDinh) }).Fields[FieldPermanentAddress].Verdict; got != Match {
		t.Errorf("register without street: %s, want match", got)
	}
}

func TestVerifyOtherFields(t *testing.T) {
	tests := []struct {
		name  string
		set   func(*Request)
		field string
		want  Verdict
	}{
		{"gender", func(r *Request) { r.Gender = "female" }, FieldGender, Match},
		{"gender case", func(r *Request) { r.Gender = "Female" }, FieldGender, Match},
		{"gender other", func(r *Request) { r.Gender = "male" }, FieldGender, Mismatch},
		{"old id", func(r *Request) { r.OldIDNumber = "012345678" }, FieldOldIDNumber, Match},
		{"old id other", func(r *Request) { r.OldIDNumber = "012345679" }, FieldOldIDNumber, Mismatch},
		{"old id leading zero lost", func(r *Request) { r.OldIDNumber = "123456789" }, FieldOldIDNumber, Mismatch},
		{"pid", func(r *Request) {}, FieldPID, Match},
	}
	for _, tt := range tests {
		res := verifyOne(t, citizen(), tt.set)
		if got := res.Fields[tt.field].Verdict; got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	c := citizen()
	c.OldIDNumber = ""
	if got := verifyOne(t, c, func(r *Request) { r.OldIDNumber = "012345678" }).Fields[FieldOldIDNumber].Verdict; got != NotHeld {
		t.Errorf("old id not held: %s", got)
	}
}

func TestVerifyResult(t *testing.T) {
	c := citizen()
	c.Phone = ""
	ix := indexOf(t, c)
	full := Request{
		Purpose: "account opening", PID: string(c.PID), OldIDNumber: c.OldIDNumber, FullName: "Nguyễn Thị Hoà",
		DateOfBirth: "1990-07-14", Gender: "female", IDCardIssueDate: "2021-04-01",
		PermanentAddress: "Số 1 Phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội", Phone: "0912345678",
	}
	res := ix.Verify(full)
	// The phone is not held: it does not make the result a mismatch.
	if res.Result != ResultMatch || res.PID != c.PID || res.Deceased || len(res.Fields) != 8 || res.Fields[FieldPhone].Verdict != NotHeld {
		t.Fatalf("full request: %+v", res)
	}
	wrong := full
	wrong.DateOfBirth = "1990-07-15"
	if res := ix.Verify(wrong); res.Result != ResultMismatch || res.Fields[FieldDateOfBirth].Verdict != Mismatch {
		t.Fatalf("wrong date: %+v", res)
	}
	// Found by the old ID number alone.
	byOld := full
	byOld.PID = ""
	if res := ix.Verify(byOld); res.Result != ResultMatch || res.PID != c.PID || len(res.Fields) != 7 {
		t.Fatalf("by old ID: %+v", res)
	}
	// Not found: no fields, and nothing of the register.
	for _, r := range []Request{{PID: "001090099999", FullName: "x"}, {OldIDNumber: "099999999"}} {
		res := ix.Verify(r)
		b, _ := json.Marshal(res)
		if res.Result != ResultNotFound || res.PID != "" || string(b) != `{"result":"not_found","fields":{},"deceased":false}` {
			t.Errorf("%+v: %s", r, b)
		}
	}
	// A deceased citizen is reported as such.
	c.Status = registry.StatusDeceased
	c.Version = 2
	ix.Put(c)
	if res := ix.Verify(full); !res.Deceased || res.Result != ResultMatch {
		t.Errorf("deceased: %+v", res)
	}
	// The answer never carries register values.
	b, _ := json.Marshal(ix.Verify(wrong))
	for _, v := range []string{"1990-07-14", "Hòa", "Hoà", "012345678", "Điện Biên"} {
		if strings.Contains(string(b), v) {
			t.Errorf("result %s holds %q", b, v)
		}
	}
	// A merged record is not found: the number is no longer the person's.
	c.Status = registry.StatusMerged
	c.Version = 3
	ix.Put(c)
	if res := ix.Verify(full); res.Result != ResultNotFound {
		t.Errorf("merged: %+v", res)
	}
}

func TestVerifyOldIDAmbiguous(t *testing.T) {
	a, b := citizen(), citizen()
	b.PID = "001090054321"
	ix := indexOf(t, a, b)
	if res := ix.Verify(Request{OldIDNumber: a.OldIDNumber}); res.Result != ResultNotFound {
		t.Fatalf("old ID held by two citizens: %+v", res)
	}
	// By PID, the old ID number is still compared.
	if res := ix.Verify(Request{PID: string(b.PID), OldIDNumber: a.OldIDNumber}); res.Result != ResultMatch {
		t.Fatalf("by PID: %+v", res)
	}
	// Once b's number is corrected, a is found by it again.
	b.OldIDNumber, b.Version = "087654321", 2
	ix.Put(b)
	if res := ix.Verify(Request{OldIDNumber: a.OldIDNumber}); res.PID != a.PID {
		t.Fatalf("after correction: %+v", res)
	}
	if res := ix.Verify(Request{OldIDNumber: "087654321"}); res.PID != b.PID {
		t.Fatalf("b's new number: %+v", res)
	}
}
