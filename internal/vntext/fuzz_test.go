package vntext

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func addSeeds(f *testing.F) {
	for _, s := range sampleNames {
		f.Add(s)
	}
	f.Add(norm.NFD.String("Nguyễn Thị Thuỷ"))
	f.Add("a\u200b\u0301 \u00a0Ð\x00\xff")
	f.Add("Hoà\u0308 W\u030a")
}

func FuzzNormalize(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		checkNormal(t, s, got)
	})
}

func FuzzFold(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Fold(%+q) = %+q: not valid UTF-8", s, got)
		}
		if again := Fold(got); again != got {
			t.Fatalf("Fold not idempotent: %+q → %+q → %+q", s, got, again)
		}
		if want := referenceFold(s); got != want {
			t.Fatalf("Fold(%+q) = %+q, reference %+q", s, got, want)
		}
	})
}

func FuzzNameCase(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got := NameCase(s)
		if !utf8.ValidString(got) {
			t.Fatalf("NameCase(%+q) = %+q: not valid UTF-8", s, got)
		}
		if again := NameCase(got); again != got {
			t.Fatalf("NameCase not idempotent: %+q → %+q → %+q", s, got, again)
		}
		if Normalize(got) != got {
			t.Fatalf("NameCase(%+q) = %+q: not normalised", s, got)
		}
		n := SplitName(s)
		if n.String() != Normalize(s) {
			t.Fatalf("SplitName(%+q) = %+v, joins to %+q", s, n, n.String())
		}
	})
}

func FuzzNameSimilarity(f *testing.F) {
	for i, a := range sampleNames {
		f.Add(a, sampleNames[(i+3)%len(sampleNames)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		s := NameSimilarity(a, b)
		if s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("NameSimilarity(%+q, %+q) = %v", a, b, s)
		}
		if r := NameSimilarity(b, a); r != s {
			t.Fatalf("NameSimilarity(%+q, %+q) = %v, reversed %v", a, b, s, r)
		}
		if NameSimilarity(a, a) != 1 {
			t.Fatalf("NameSimilarity(%+q, itself) = %v", a, NameSimilarity(a, a))
		}
		m := CompareNames(a, b)
		if m.Exact != strings.EqualFold(Normalize(a), Normalize(b)) || (m.Score == 1) != m.Exact {
			t.Fatalf("CompareNames(%+q, %+q) = %+v", a, b, m)
		}
		if m.Folded != (m.Exact || Fold(a) == Fold(b)) {
			t.Fatalf("CompareNames(%+q, %+q).Folded = %v", a, b, m.Folded)
		}
	})
}
