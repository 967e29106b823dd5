package pid

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"001085000001", " 079301123456 ", "999999999999", "000000000000",
		"", "00108500000", "0010850000011", "0010a5000001", "001 085 000001",
		"００１０８５０００００１", "\xff", "\ufeff001085000001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q) error %v does not match ErrMalformed", s, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			_ = PID(s).Decode() // must not panic on unchecked input either
			return
		}
		if !p.Valid() || len(p.String()) != Length {
			t.Fatalf("Parse(%q) = %q, not 12 digits", s, p)
		}
		again, err := Parse(p.String())
		if err != nil || again != p {
			t.Fatalf("round trip of %q: %q, %v", p, again, err)
		}
		back, err := FromUint64(p.Uint64())
		if err != nil || back != p {
			t.Fatalf("Uint64 round trip of %q: %q, %v", p, back, err)
		}
		d := p.Decode()
		if d.PID != p || d.Serial != string(p[6:]) || d.BirthYear < MinBirthYear || d.BirthYear > MaxBirthYear {
			t.Fatalf("Decode(%q) = %+v", p, d)
		}
		if d.ProvinceKnown != (ValidateProvinceCode(d.ProvinceCode) == nil) {
			t.Fatalf("Decode(%q): province_known %v disagrees with ValidateProvinceCode", p, d.ProvinceKnown)
		}
		if c, ok := centuryDigit(d.BirthYear, d.Gender); !ok || c != p[3] {
			t.Fatalf("Decode(%q): year %d gender %v does not re-encode to digit 4", p, d.BirthYear, d.Gender)
		}
	})
}

func FuzzParseOldID(f *testing.F) {
	for _, s := range []string{"012345678", "001085000001", "", "12345678", "01234567x", "０１２３４５６７８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOldID(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseOldID(%q) error %v does not match ErrMalformed", s, err)
			}
			return
		}
		if n := len(o.String()); n != 9 && n != 12 {
			t.Fatalf("ParseOldID(%q) = %q", s, o)
		}
		if again, err := ParseOldID(o.String()); err != nil || again != o {
			t.Fatalf("round trip of %q: %q, %v", o, again, err)
		}
		if _, ok := o.AsPID(); ok != o.Twelve() {
			t.Fatalf("%q: AsPID ok %v, Twelve %v", o, ok, o.Twelve())
		}
	})
}
