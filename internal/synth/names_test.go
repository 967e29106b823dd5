package synth

import (
	"strings"
	"testing"

	"dancu/internal/vntext"
)

func TestNameTables(t *testing.T) {
	tables, err := loadNames(map[string]float64{"08": 0.014, "05": 0.013})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, s := range tables.listed {
		sum += s
	}
	if sum < 85 || sum > 95 {
		t.Errorf("listed surname shares sum to %.1f%%", sum)
	}
	for _, p := range []struct {
		what string
		p    *picker
		min  int
	}{
		{"surnames", &tables.surname, 50}, {"Văn", &tables.van, 5}, {"Thị", &tables.thi, 20},
		{"other male middle names", &tables.otherMale, 50}, {"other female middle names", &tables.otherFem, 50},
		{"male given names", &tables.givenMale, 250}, {"female given names", &tables.givenFem, 150},
	} {
		if len(p.p.names) < p.min {
			t.Errorf("%s: %d names, want at least %d", p.what, len(p.p.names), p.min)
		}
		for _, n := range p.p.names {
			if n != vntext.NameCase(n) || n == "" || !lettersOnly(n) {
				t.Errorf("%s: %q is not a normalised name", p.what, n)
			}
			if strings.Contains(n, "Student") {
				t.Errorf("%s: %q", p.what, n)
			}
		}
	}
	for _, n := range tables.van.names {
		if !strings.HasPrefix(n, "Văn") {
			t.Errorf("Văn table holds %q", n)
		}
	}
	for _, n := range tables.thi.names {
		if !strings.HasPrefix(n, "Thị") {
			t.Errorf("Thị table holds %q", n)
		}
	}
}
