package vntext

import (
	"math"
	"testing"
)

func TestNameSimilarity(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"Nguyễn Văn An", "Nguyễn Văn An", 1, 1},
		{"Nguyễn Văn An", "NGUYỄN VĂN AN", 1, 1},
		{"Nguyễn Văn An", "  nguyễn  văn an ", 1, 1},
		{"Lê Thị Thủy", "Lê Thị Thuỷ", 1, 1},
		{"", "", 1, 1},
		{"", "Nguyễn Văn An", 0, 0},
		{"Nguyễn Văn An", "Nguyen Van An", 0.9, 0.99},
		{"Đặng Văn Lâm", "Dang Van Lam", 0.9, 0.99},
		{"Nguyễn Văn An", "Nguyễn An", 0.85, 0.95},
		{"Nguyễn Thị Minh Khai", "Nguyễn Minh Khai", 0.9, 0.99},
		{"Nguyễn Văn An", "Văn An Nguyễn", 0.85, 0.9},
		{"Nguyễn An", "An Nguyễn", 0.85, 0.9},
		{"Nguyễn Văn An", "Nguyễn Văn Ann", 0.7, 0.9},
		{"Nguyễn Văn Phương", "Nguyễn Văn Phuong", 0.9, 0.99},
		{"Nguyễn Văn An", "Nguyễn Văn Bình", 0.4, 0.6},
		{"Nguyễn Văn An", "Trần Văn An", 0.6, 0.75},
		{"Nguyễn Văn An", "Trần Thị Bích", 0, 0.05},
		{"Nguyễn Văn An", "Phạm Thị Hồng Nhung", 0, 0.05},
		{"An", "Bình", 0, 0},
		{"Y-Moan Ênuôl", "Y Moan Ênuôl", 0.98, 0.99},
		{"😀", "阮文安", 0, 0},
	}
	for _, tt := range tests {
		got := NameSimilarity(tt.a, tt.b)
		if got < tt.min || got > tt.max {
			t.Errorf("NameSimilarity(%q, %q) = %.4f, want in [%.2f, %.2f]", tt.a, tt.b, got, tt.min, tt.max)
		}
	}
}

func TestCompareNames(t *testing.T) {
	tests := []struct {
		a, b          string
		exact, folded bool
	}{
		{"Nguyễn Văn An", "NGUYỄN VĂN AN", true, true},
		{"Nguyễn Thị Hoà", "Nguyễn Thị Hòa", true, true},
		{"Nguyễn Văn An", "Nguyen Van An", false, true},
		{"Nguyễn Văn An", "NGUYEN VAN AN", false, true},
		{"Đặng Văn Lâm", "Dang Van Lam", false, true},
		{"Nguyễn Văn An", "Nguyễn An", false, false},
		{"Nguyễn Văn An", "Trần Văn An", false, false},
	}
	for _, tt := range tests {
		m := CompareNames(tt.a, tt.b)
		if m.Exact != tt.exact || m.Folded != tt.folded {
			t.Errorf("CompareNames(%q, %q) = %+v, want Exact %v Folded %v", tt.a, tt.b, m, tt.exact, tt.folded)
		}
		if (m.Score == 1) != m.Exact {
			t.Errorf("CompareNames(%q, %q) = %+v: Score 1 must mean Exact", tt.a, tt.b, m)
		}
		if m.Score != NameSimilarity(tt.a, tt.b) {
			t.Errorf("CompareNames(%q, %q).Score = %v, NameSimilarity = %v", tt.a, tt.b, m.Score, NameSimilarity(tt.a, tt.b))
		}
	}
}

func TestSimilarityProperties(t *testing.T) {
	for _, a := range sampleNames {
		if s := NameSimilarity(a, a); s != 1 {
			t.Errorf("NameSimilarity(%q, itself) = %v", a, s)
		}
		for _, b := range sampleNames {
			s, r := NameSimilarity(a, b), NameSimilarity(b, a)
			if s != r {
				t.Errorf("NameSimilarity not symmetric: (%q, %q) = %v, reversed %v", a, b, s, r)
			}
			if s < 0 || s > 1 || math.IsNaN(s) {
				t.Errorf("NameSimilarity(%q, %q) = %v, out of [0, 1]", a, b, s)
			}
			m := CompareNames(a, b)
			if m.Exact && !m.Folded {
				t.Errorf("CompareNames(%q, %q) = %+v: Exact without Folded", a, b, m)
			}
			if m.Folded != (Fold(a) == Fold(b)) {
				t.Errorf("CompareNames(%q, %q).Folded = %v, Fold says %v", a, b, m.Folded, Fold(a) == Fold(b))
			}
		}
	}
}

func TestSimilarityNoAlloc(t *testing.T) {
	pairs := [][2]string{
		{"Nguyễn Văn An", "Nguyen Van An"},
		{"Nguyễn Thị Minh Khai", "Nguyễn Minh Khai"},
		{"Nguyễn Văn An", "Văn An Nguyễn"},
	}
	for _, p := range pairs {
		if n := testing.AllocsPerRun(100, func() { _ = CompareNames(p[0], p[1]) }); n != 0 {
			t.Errorf("CompareNames(%q, %q): %v allocs, want 0", p[0], p[1], n)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"an", "an", 0}, {"an", "anh", 1}, {"nguyen", "nguyne", 1},
		{"lan", "lam", 1}, {"an", "", 2}, {"kitten", "sitting", 3}, {"hoa", "hòa", 1},
	}
	for _, tt := range tests {
		if d, _ := editDistance([]byte(tt.a), []byte(tt.b)); d != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, d, tt.d)
		}
	}
}
