package fellegi_test

import (
	"errors"
	"flag"
	"io"
	"math"
	"testing"

	"dancu/internal/reconcile/fellegi"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		th   fellegi.Thresholds
		prob float64
		want fellegi.Decision
	}{
		{fellegi.DefaultThresholds(), 0.99995, fellegi.Link},
		{fellegi.DefaultThresholds(), 0.9999, fellegi.Link},
		{fellegi.DefaultThresholds(), 0.9998, fellegi.Review},
		{fellegi.DefaultThresholds(), 0.9, fellegi.Review},
		{fellegi.DefaultThresholds(), 0.89, fellegi.NonLink},
		{fellegi.DefaultThresholds(), math.NaN(), fellegi.NonLink},
		{fellegi.Thresholds{}, 0.5, fellegi.NonLink}, // zero thresholds are the defaults
		{fellegi.Thresholds{}, 0.95, fellegi.Review},
		{fellegi.Thresholds{}, 1, fellegi.Link},
		{fellegi.Thresholds{Link: 0.99, Review: 0.5}, 0.995, fellegi.Link},
		{fellegi.Thresholds{Link: 0.99, Review: 0.5}, 0.6, fellegi.Review},
		{fellegi.Thresholds{Link: 0.99, Review: 0.99}, 0.98, fellegi.NonLink},
	}
	for _, tt := range tests {
		if got := tt.th.Classify(tt.prob); got != tt.want {
			t.Errorf("%v: %v is %v, want %v", tt.th, tt.prob, got, tt.want)
		}
	}
	for d, want := range map[fellegi.Decision]string{fellegi.NonLink: "non-link", fellegi.Review: "review", fellegi.Link: "link", 7: "Decision(7)"} {
		if d.String() != want {
			t.Errorf("%d is %q", int(d), d.String())
		}
	}
}

func TestParseThresholds(t *testing.T) {
	tests := []struct {
		in   string
		want fellegi.Thresholds
		ok   bool
	}{
		{"", fellegi.DefaultThresholds(), true},
		{"link=0.999,review=0.8", fellegi.Thresholds{Link: 0.999, Review: 0.8}, true},
		{" review = 0.5 , link = 1 ", fellegi.Thresholds{Link: 1, Review: 0.5}, true},
		{"link=0.99999", fellegi.Thresholds{Link: 0.99999, Review: fellegi.DefaultReview}, true},
		{"review=0.95", fellegi.Thresholds{Link: fellegi.DefaultLink, Review: 0.95}, true},
		{"link=0.9", fellegi.Thresholds{}, true},  // review 0.9 ≤ link 0.9
		{"link=0.8", fellegi.Thresholds{}, false}, // review 0.9 above link
		{"link=0", fellegi.Thresholds{}, false},
		{"link=1.5", fellegi.Thresholds{}, false},
		{"link=NaN", fellegi.Thresholds{}, false},
		{"link=Inf", fellegi.Thresholds{}, false},
		{"link=abc", fellegi.Thresholds{}, false},
		{"link", fellegi.Thresholds{}, false},
		{"link=0.999,link=0.99", fellegi.Thresholds{}, false},
		{"match=0.99", fellegi.Thresholds{}, false},
		{"link=0.999,", fellegi.Thresholds{}, false},
	}
	for _, tt := range tests {
		got, err := fellegi.ParseThresholds(tt.in)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, fellegi.ErrInvalidThresholds)) {
			t.Errorf("%q: error %v", tt.in, err)
			continue
		}
		if tt.ok && tt.want != (fellegi.Thresholds{}) && got != tt.want {
			t.Errorf("%q: %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// *Thresholds is a flag.Value.
func TestThresholdsFlag(t *testing.T) {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	th := fellegi.DefaultThresholds()
	fs.Var(&th, "thresholds", "match probability thresholds")
	if err := fs.Parse([]string{"-thresholds", "link=0.99999,review=0.99"}); err != nil {
		t.Fatal(err)
	}
	if th != (fellegi.Thresholds{Link: 0.99999, Review: 0.99}) || th.String() != "link=0.99999,review=0.99" {
		t.Errorf("%+v", th)
	}
	if err := fs.Parse([]string{"-thresholds", "link=2"}); err == nil {
		t.Error("link=2 accepted")
	}
}

// ParseThresholds never panics, accepts only valid thresholds, and reads
// back what String writes.
func FuzzParseThresholds(f *testing.F) {
	for _, s := range []string{"", "link=0.9999,review=0.9", "review=0.5", "link=1e-3,review=1e-4", "link=0x1p-1", "link==", ",", "link=0.9,review=0.95"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := fellegi.ParseThresholds(s)
		if err != nil {
			if th != (fellegi.Thresholds{}) {
				t.Fatalf("%q: %+v with error %v", s, th, err)
			}
			return
		}
		if err := th.Validate(); err != nil {
			t.Fatalf("%q parsed to invalid %+v: %v", s, th, err)
		}
		again, err := fellegi.ParseThresholds(th.String())
		if err != nil || again != th {
			t.Fatalf("%q: %+v wrote %q, read back %+v, %v", s, th, th.String(), again, err)
		}
	})
}
