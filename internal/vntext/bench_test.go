package vntext

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

var benchNames = []struct{ name, s string }{
	{"ascii", "Nguyen Van An"},
	{"accented", "Nguyễn Thị Minh Khai"},
	{"new-style", "NGUYỄN THỊ THUỶ"},
}

var sinkString string
var sinkFloat float64

func BenchmarkNormalize(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = Normalize(bn.s)
			}
		})
	}
}

func BenchmarkFold(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = Fold(bn.s)
			}
		})
	}
}

func BenchmarkNameCase(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = NameCase(bn.s)
			}
		})
	}
}

var similarityPairs = []struct{ name, a, b string }{
	{"equal", "Nguyễn Thị Minh Khai", "NGUYỄN THỊ MINH KHAI"},
	{"ascii", "Nguyen Van An", "Nguyen Van Anh"},
	{"folded", "Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai"},
	{"missing-middle", "Nguyễn Thị Minh Khai", "Nguyễn Minh Khai"},
	{"different", "Nguyễn Văn An", "Trần Thị Bích Ngọc"},
}

func BenchmarkNameSimilarity(b *testing.B) {
	for _, p := range similarityPairs {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkFloat = NameSimilarity(p.a, p.b)
			}
		})
	}
}

func BenchmarkCompareNames(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m := CompareNames("Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai")
		sinkFloat = m.Score
	}
}

// Baselines for scripts/bench.sh: the standard library doing the nearest
// thing on the same inputs, measured in the same run.

// BenchmarkBaselineNormalize is golang.org/x/text's NFC alone (Normalize
// also fixes tone placement, spaces and look-alike characters).
func BenchmarkBaselineNormalize(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = norm.NFC.String(bn.s)
			}
		})
	}
}

// BenchmarkBaselineFold is strings.ToLower (Fold also strips diacritics and
// collapses spaces).
func BenchmarkBaselineFold(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = strings.ToLower(bn.s)
			}
		})
	}
}

// BenchmarkBaselineNameCase is strings.ToLower too: one pass over the name.
func BenchmarkBaselineNameCase(b *testing.B) {
	for _, bn := range benchNames {
		b.Run(bn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = strings.ToLower(bn.s)
			}
		})
	}
}

// BenchmarkBaselineNameSimilarity is strings.EqualFold on the same pairs:
// the cheapest comparison a matcher could make.
func BenchmarkBaselineNameSimilarity(b *testing.B) {
	for _, p := range similarityPairs {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if strings.EqualFold(p.a, p.b) {
					sinkFloat = 1
				}
			}
		})
	}
}
