package verify

import (
	"encoding/json"
	"testing"
)

// FuzzVerify feeds arbitrary requests to Validate and every request it
// accepts to Verify, on an index holding the test citizen: neither may
// panic, a validated request always gets one of the three results, and a
// found citizen's answer names every supplied field with a known verdict.
func FuzzVerify(f *testing.F) {
	c := citizen()
	f.Add(string(c.PID), "", "Nguyễn Thị Hoà", "1990-07-14", "female", "2021-04-01",
		"Số 1 Phố Điện Biên Phủ, Phường Ba Đình, Thành phố Hà Nội", "0912 345 678")
	f.Add("", "012345678", "NGUYEN THI HOA", "1990", "Male", "2021", "P. Quán Thánh, Q. Ba Đình, Hà Nội", "+84912345678")
	f.Add("001090012345", "012345678901", "\u0301\u0300", "1990-13", "x", "0000", ",,,", "+")
	f.Add(" 001090012345", "", "a\x00b", "9999-12-31", "FEMALE", "1800-01-01", "Phường 1, Quận 3, TP HCM", "(+84) 0 912-345-678")
	ix := indexOf(f, c)
	f.Fuzz(func(t *testing.T, number, old, name, dob, gender, card, address, phone string) {
		r := Request{PID: number, OldIDNumber: old, FullName: name, DateOfBirth: dob, Gender: gender,
			IDCardIssueDate: card, PermanentAddress: address, Phone: phone}
		if r.Validate() != nil {
			return
		}
		res := ix.Verify(r)
		switch res.Result {
		case ResultNotFound:
			if len(res.Fields) != 0 || res.PID != "" {
				t.Fatalf("not found with fields: %+v", res)
			}
			return
		case ResultMatch, ResultMismatch:
		default:
			t.Fatalf("result %q", res.Result)
		}
		if res.PID != c.PID {
			t.Fatalf("found %s", res.PID)
		}
		mismatch := false
		for _, field := range r.Fields() {
			fr, ok := res.Fields[field]
			if !ok {
				t.Fatalf("no answer for %s: %+v", field, res)
			}
			switch fr.Verdict {
			case Mismatch:
				mismatch = true
			case Match, NotHeld:
			default:
				t.Fatalf("%s: verdict %q", field, fr.Verdict)
			}
		}
		if len(res.Fields) != len(r.Fields()) || mismatch != (res.Result == ResultMismatch) {
			t.Fatalf("fields %v, result %+v", r.Fields(), res)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzCheckPhone checks that a phone number, once read, reads the same in
// its international form.
func FuzzCheckPhone(f *testing.F) {
	for _, s := range []string{"0912345678", "+84 (0) 912 345 678", "0084912345678", "84912345678", "+1 415 555 0100", "00", "+", "9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := checkPhone(s)
		if err != nil {
			return
		}
		w, err := checkPhone("+" + uitoa(v))
		if err != nil || w != v {
			t.Fatalf("%q → %d → %d, %v", s, v, w, err)
		}
	})
}

func uitoa(v uint64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
