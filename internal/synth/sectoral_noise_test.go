package synth

import (
	"strings"
	"testing"
)

func TestParseNoise(t *testing.T) {
	telecom := DefaultNoise(Telecom)
	for _, tc := range []struct {
		in   string
		want map[string]float64 // rates that must hold; others as the base
		base Noise
		err  string
	}{
		{in: "", want: map[string]float64{"id_old": 0.25}, base: telecom},
		{in: "id_typo=0.1", want: map[string]float64{"id_typo": 0.1, "id_old": 0.25}, base: telecom},
		{in: " none , id_typo = 0.5 ", want: map[string]float64{"id_typo": 0.5, "id_old": 0, "repeat": 0}, base: telecom},
		{in: "none", want: map[string]float64{"repeat": 0, "name_upper": 0}, base: telecom},
		{in: "repeat=1,nonexistent=0", want: map[string]float64{"repeat": 1}},
		{in: "id_typo=0.1,none", err: `"none" must come first`},
		{in: "typo=0.1", err: `unknown noise "typo" (known: repeat, nonexistent, deceased, id_missing`},
		{in: "id_typo=1.5", err: "outside [0, 1]"},
		{in: "id_typo=-0.1", err: "outside [0, 1]"},
		{in: "id_typo=NaN", err: "outside [0, 1]"},
		{in: "id_typo=abc", err: "not a number"},
		{in: "id_typo", err: "not name=rate"},
		{in: "id_typo=0.1,id_typo=0.2", err: "given twice"},
		{in: "id_old=0.5,id_typo=0.6", err: "sum to"},
		{in: "repeat=0.5,nonexistent=0.6", err: "sum to"},
		{in: ",", err: "not name=rate"},
	} {
		got, err := ParseNoise(tc.in, tc.base)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseNoise(%q) = %v, want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseNoise(%q): %v", tc.in, err)
			continue
		}
		for name, want := range tc.want {
			if r, _ := got.Rate(name); r != want {
				t.Errorf("ParseNoise(%q): %s = %v, want %v", tc.in, name, r, want)
			}
		}
		back, err := ParseNoise(got.String(), telecom)
		if err != nil || back != got {
			t.Errorf("ParseNoise(%q).String() = %q reads back as %v, %v", tc.in, got.String(), back, err)
		}
	}
}

func TestDefaultNoise(t *testing.T) {
	for _, k := range DatasetKinds() {
		n := DefaultNoise(k)
		if err := n.Validate(); err != nil {
			t.Errorf("%s: %v", k, err)
		}
		if n == (Noise{}) {
			t.Errorf("%s: no default noise", k)
		}
	}
	if len(NoiseNames()) != int(noiseCount) || NoiseNames()[noiseIDOld] != "id_old" {
		t.Errorf("NoiseNames() = %v", NoiseNames())
	}
}

// FuzzParseNoise: any --noise text either fails or gives valid rates that
// String writes back the same.
func FuzzParseNoise(f *testing.F) {
	for _, s := range []string{"", "none", "none,id_typo=0.1", "id_old=0.5,id_typo=0.6", "repeat=1e-3", "x=", "=1", ",,,", "name_upper=0x1p-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNoise(s, DefaultNoise(Bank))
		if err != nil {
			return
		}
		if err := n.Validate(); err != nil {
			t.Fatalf("ParseNoise(%q) accepted invalid rates: %v", s, err)
		}
		back, err := ParseNoise(n.String(), Noise{})
		if err != nil || back != n {
			t.Fatalf("ParseNoise(%q).String() = %q reads back as %v, %v", s, n.String(), back, err)
		}
	})
}
