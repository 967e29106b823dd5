package pid

import (
	"errors"
	"testing"
)

func TestProvinceTable(t *testing.T) {
	all := Provinces()
	if len(all) != 63 {
		t.Fatalf("%d provinces, want 63", len(all))
	}
	successors := map[string]bool{}
	for i, p := range all {
		if i > 0 && all[i-1].Prefix >= p.Prefix {
			t.Errorf("not in prefix order at %s", p.Prefix)
		}
		if len(p.Prefix) != 3 || p.Prefix[0] != '0' || p.Name == "" {
			t.Errorf("bad row %+v", p)
		}
		successors[p.Code2025] = true
	}
	// The 34 provinces of 2025 each kept the code of one pre-2025 province.
	if len(successors) != 34 {
		t.Errorf("%d distinct 2025 codes, want 34", len(successors))
	}
	for code := range successors {
		succ, ok := LookupProvince("0" + code)
		if !ok {
			t.Errorf("2025 code %s is not a pre-2025 code", code)
			continue
		}
		if succ.Code2025 != code {
			t.Errorf("province %s kept its code in 2025 but maps to %s", code, succ.Code2025)
		}
	}
	first, last := all[0], all[len(all)-1]
	if first.Prefix != "001" || first.Name != "Thành phố Hà Nội" || last.Prefix != "096" || last.Name != "Tỉnh Cà Mau" {
		t.Errorf("first %+v last %+v", first, last)
	}
}

func TestValidateProvinceCode(t *testing.T) {
	for _, ok := range []string{"001", "079", "096", "046"} {
		if err := ValidateProvinceCode(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1", "01", "000", "003", "099", "100", "179", "0a1", "0001"} {
		if err := ValidateProvinceCode(bad); !errors.Is(err, ErrUnknownProvince) {
			t.Errorf("%q: %v, want ErrUnknownProvince", bad, err)
		}
	}
	if p, err := ProvincePrefix("79"); err != nil || p != "079" {
		t.Errorf("ProvincePrefix(79) = %q, %v", p, err)
	}
	for _, bad := range []string{"", "7", "079", "03", "xx"} {
		if _, err := ProvincePrefix(bad); !errors.Is(err, ErrUnknownProvince) {
			t.Errorf("ProvincePrefix(%q) error %v", bad, err)
		}
	}
}
