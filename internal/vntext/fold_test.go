package vntext

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"nguyen van an", "nguyen van an"},
		{"Nguyễn Văn An", "nguyen van an"},
		{"NGUYỄN   VĂN\tAN ", "nguyen van an"},
		{norm.NFD.String("Đặng Thị Thuỷ"), "dang thi thuy"},
		{"Đ đ Ð ð", "d d d d"},
		{"Hòa hoà HÒA Hoa", "hoa hoa hoa hoa"},
		{"Lê\u00a0Văn\u200bTám", "le vantam"},
		{"H’Hen Niê", "h'hen nie"},
		{"Françoise Müller", "francoise muller"},
		{"Øster Straße", "øster straße"},
		{"😀 Hoà", "😀 hoa"},
		{"Số 12/3, đường Hoà Bình", "so 12/3, duong hoa binh"},
		{"\u0301a", "a"},
		{"L\xffê", "l\uFFFDe"},
		{"阮文安", "阮文安"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}

// referenceFold is the plain definition of Fold, by Unicode decomposition;
// the table-driven Fold must agree with it.
func referenceFold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(mapLookalikes(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func TestFoldAgreesWithReference(t *testing.T) {
	// Every rune of the tables, alone and inside a word.
	for r := rune(0); r < 0x2100; r++ {
		for _, s := range []string{string(r), "A" + string(r) + "b c", " " + string(r) + " "} {
			if got, want := Fold(s), referenceFold(s); got != want {
				t.Fatalf("Fold(%+q) = %+q, reference %+q", s, got, want)
			}
		}
	}
}

func TestFoldProperties(t *testing.T) {
	for _, s := range sampleNames {
		f := Fold(s)
		if Fold(f) != f {
			t.Errorf("Fold not idempotent on %q: %q → %q", s, f, Fold(f))
		}
		if Fold(Normalize(s)) != f {
			t.Errorf("Fold(Normalize(%q)) = %q, Fold = %q", s, Fold(Normalize(s)), f)
		}
		if Fold(strings.ToUpper(s)) != f {
			t.Errorf("Fold(ToUpper(%q)) = %q, Fold = %q", s, Fold(strings.ToUpper(s)), f)
		}
	}
}

func TestFoldNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = Fold("nguyen van an") }); n != 0 {
		t.Errorf("Fold of folded ASCII: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Fold("Nguyễn Thị Minh Khai") }); n > 1 {
		t.Errorf("Fold: %v allocs, want ≤ 1", n)
	}
}

// sampleNames are names and addresses used by several tests.
var sampleNames = []string{
	"", " ", "An", "Nguyễn Văn An", "NGUYỄN VĂN AN", "nguyen van an",
	"Nguyễn Thị Thuỷ", "Nguyễn Thị Thủy", "Trần Thị Bích Ngọc", "Lê Hoàng Quý",
	"Đặng Văn Lâm", "Ðặng Văn Lâm", "Tôn Nữ Thị Ninh", "Âu Dương Phong",
	"H'Hen Niê", "H’Hen Niê", "Y-Moan Ênuôl", "Ksor Phước Hà", "Hoàng Thị Khoẻ",
	"Nguyễn Phúc Vĩnh San", "Phạm  Minh\tChính", "Võ Nguyên Giáp", "Zoé Dupont",
	"Lò Văn Giàng", "Giàng A Páo", "Đinh Quý Quyết", "😀", "阮文安",
	norm.NFD.String("Phan Huy Hoà"), "Số 12/3, đường Hoà Bình, phường Quán Thánh",
}
