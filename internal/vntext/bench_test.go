package vntext

import "testing"

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

func BenchmarkNameSimilarity(b *testing.B) {
	pairs := []struct{ name, a, b string }{
		{"equal", "Nguyễn Thị Minh Khai", "NGUYỄN THỊ MINH KHAI"},
		{"ascii", "Nguyen Van An", "Nguyen Van Anh"},
		{"folded", "Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai"},
		{"missing-middle", "Nguyễn Thị Minh Khai", "Nguyễn Minh Khai"},
		{"different", "Nguyễn Văn An", "Trần Thị Bích Ngọc"},
	}
	for _, p := range pairs {
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
