package vntext

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	nfd := norm.NFD.String
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"ascii unchanged", "Nguyen Van An", "Nguyen Van An"},
		{"already canonical", "Nguyễn Thị Thủy", "Nguyễn Thị Thủy"},
		{"NFD from macOS", nfd("Nguyễn Thị Thủy"), "Nguyễn Thị Thủy"},
		{"NFD new-style tone", nfd("Nguyễn Thị Thuỷ"), "Nguyễn Thị Thủy"},
		{"combining marks in odd order", "e\u0323\u0302", "ệ"},
		{"base plus combining tone", "Nguye\u0302\u0303n", "Nguyễn"},
		{"oa new style", "hoà", "hòa"},
		{"oa upper", "HOÀ", "HÒA"},
		{"oa acute", "Hoá", "Hóa"},
		{"uy new style", "thuỷ", "thủy"},
		{"uy alone", "uỷ ban", "ủy ban"},
		{"oe new style", "khoẻ", "khỏe"},
		{"oa old style kept", "hòa", "hòa"},
		{"ia", "mía", "mía"},
		{"ua", "múa", "múa"},
		{"qu onset", "quý", "quý"},
		{"qu onset tone on u", "qúy", "quý"},
		{"qu a", "quả", "quả"},
		{"qu wrong", "qủa", "quả"},
		{"qui", "quí", "quí"},
		{"gi onset", "giữ", "giữ"},
		{"gi onset wrong", "gìa", "già"},
		{"gi a", "già", "già"},
		{"gi vowel", "gìn", "gìn"},
		{"gì", "gì", "gì"},
		{"final consonant", "hoàng", "hoàng"},
		{"final consonant wrong", "hòang", "hoàng"},
		{"final consonant upper", "HÒANG", "HOÀNG"},
		{"uy with final", "huỳnh", "huỳnh"},
		{"uy with final wrong", "hủynh", "huỷnh"},
		{"shaped vowel", "thuyết", "thuyết"},
		{"shaped vowel 2", "khuyến", "khuyến"},
		{"shaped vowel wrong", "khúyên", "khuyến"},
		{"uo horn", "người", "người"},
		{"uo horn wrong", "ngừơi", "người"},
		{"thuở", "thuở", "thuở"},
		{"three vowels", "khoái", "khoái"},
		{"three vowels wrong", "khóai", "khoái"},
		{"uyu", "khuỷu", "khuỷu"},
		{"mixed case kept", "hOà", "hÒa"},
		{"two tone marks left", "hòà", "hòà"},
		{"foreign onset left", "Zoé", "Zoé"},
		{"non-Vietnamese letter left", "Françoisé", "Françoisé"},
		{"two vowel groups left", "Maríe", "Maríe"},
		{"Đắk Lắk", "Đắk Lắk", "Đắk Lắk"},
		{"Icelandic eth", "ÐẶNG Văn Ðức", "ĐẶNG Văn Đức"},
		{"lower eth", "ðoàn", "đoàn"},
		{"African D", "\u0189inh", "Đinh"},
		{"NBSP", "Lê\u00a0Văn\u00a0Tám", "Lê Văn Tám"},
		{"zero width", "Lê\u200bVăn\u200c \u200dTám\ufeff", "LêVăn Tám"},
		{"zero width between letter and mark", "a\u200b\u0301", "á"},
		{"soft hyphen", "Hoà\u00adBình", "HoàBình"},
		{"control inside a word joins it", "ị\x03AA", "iẠA"},
		{"zero width inside a word joins it", "ho\u200bà", "hòa"},
		{"control inside a long word", "Ðoàààààààà\x01àààà", "Đoàààààààààààà"},
		{"tabs and newlines", "\tNguyễn\t\tVăn\r\nAn\n", "Nguyễn Văn An"},
		{"extra spaces", "  Nguyễn   Văn  An  ", "Nguyễn Văn An"},
		{"ideographic space", "Lê\u3000An", "Lê An"},
		{"curly apostrophe", "H’Hen Niê", "H'Hen Niê"},
		{"modifier apostrophe", "Hʼ Mông", "H' Mông"},
		{"non-breaking hyphen", "Y\u2011Moan", "Y-Moan"},
		{"hyphenated words", "Hoà-Bình", "Hòa-Bình"},
		{"control characters", "Lê\x00\x07 An\x7f\u0085B", "Lê An B"},
		{"invalid utf-8", "L\xffê", "L\uFFFDê"},
		{"emoji", "😀 hoà 👨‍👩‍👧", "😀 hòa 👨👩👧"},
		{"CJK", "阮 hoà", "阮 hòa"},
		{"mark after word keeps placement", "Hoà\u0308", "Hoà\u0308"},
		{"digits and punctuation", "Số 12/3, đường Hoà Bình", "Số 12/3, đường Hòa Bình"},
		{"case kept", "NGUYỄN văn AN", "NGUYỄN văn AN"},
		{"long word", "Ðoàààààààààààààà", "Đoàààààààààààààà"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
			checkNormal(t, tt.in, got)
		})
	}
}

// checkNormal asserts the properties every Normalize result has.
func checkNormal(t *testing.T, in, got string) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Errorf("Normalize(%+q) = %+q: not valid UTF-8", in, got)
	}
	if !norm.NFC.IsNormalString(got) {
		t.Errorf("Normalize(%+q) = %+q: not NFC", in, got)
	}
	if again := Normalize(got); again != got {
		t.Errorf("Normalize not idempotent: %+q → %+q → %+q", in, got, again)
	}
	if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
		t.Errorf("Normalize(%+q) = %+q: spaces not collapsed", in, got)
	}
	if Fold(got) != Fold(in) {
		t.Errorf("Fold(Normalize(%+q)) = %+q, Fold = %+q", in, Fold(got), Fold(in))
	}
}

// TestToneStylesAgree checks that every old-style and new-style spelling of
// every toned oa, oe, uy syllable normalises to the same string.
func TestToneStylesAgree(t *testing.T) {
	pairs := [][2]string{
		{"òa", "oà"}, {"ỏa", "oả"}, {"õa", "oã"}, {"óa", "oá"}, {"ọa", "oạ"},
		{"òe", "oè"}, {"ỏe", "oẻ"}, {"õe", "oẽ"}, {"óe", "oé"}, {"ọe", "oẹ"},
		{"ùy", "uỳ"}, {"ủy", "uỷ"}, {"ũy", "uỹ"}, {"úy", "uý"}, {"ụy", "uỵ"},
	}
	for _, onset := range []string{"", "h", "kh", "th", "t", "x", "H", "TH"} {
		for _, p := range pairs {
			old, nu := onset+p[0], onset+p[1]
			if Normalize(old) != old {
				t.Errorf("Normalize(%q) = %q, want it unchanged", old, Normalize(old))
			}
			if Normalize(nu) != old {
				t.Errorf("Normalize(%q) = %q, want %q", nu, Normalize(nu), old)
			}
		}
	}
}

// TestNormalizeKeepsDictionarySyllables checks correctly spelled syllables
// of every kind are left alone.
func TestNormalizeKeepsDictionarySyllables(t *testing.T) {
	words := strings.Fields(`
		quý quả quyết quỳnh quốc quạ quãng quẹo quỹ qua
		già giữ giếng giường giặc gìn gì giỏi giày
		hoàng hoạch thuyết khuyến huỳnh toán xoắn hoằng luyện
		người thuở cừu mưa cửa lửa gửi bưởi rượu hươu
		khoái xoáy ngoài khuỷu tuổi muối cuối chuối
		mía múa tài cháo cháu máy mèo níu tối túi
		nghiêng nghĩa nghệ nhặt chuyện truyện
		yến yêu ỷ ý
		Đắk Lắk Búk Krông
		NGUYỄN TRẦN LÊ PHẠM HOÀNG HUỲNH PHAN VŨ VÕ ĐẶNG BÙI ĐỖ HỒ NGÔ DƯƠNG LÝ`)
	for _, w := range words {
		if got := Normalize(w); got != w {
			t.Errorf("Normalize(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestNormalizeNoAllocWhenNormal(t *testing.T) {
	for _, s := range []string{"Nguyen Van An", "Nguyễn Thị Thủy", "Đặng Văn Lâm", "阮 hòa"} {
		if n := testing.AllocsPerRun(100, func() { _ = Normalize(s) }); n != 0 {
			t.Errorf("Normalize(%q): %v allocs, want 0", s, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Normalize("Nguyễn Thị Thuỷ") }); n > 1 {
		t.Errorf("Normalize with a tone move: %v allocs, want ≤ 1", n)
	}
}

func TestIsVietnameseLetter(t *testing.T) {
	for _, r := range "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯYạẶỹỸ" {
		if !IsVietnameseLetter(r) {
			t.Errorf("IsVietnameseLetter(%q) = false", r)
		}
	}
	for _, r := range "fjwzFJWZçñüÐ0 -'😀阮\u0301" {
		if IsVietnameseLetter(r) {
			t.Errorf("IsVietnameseLetter(%q) = true", r)
		}
	}
}

func TestVowelTables(t *testing.T) {
	for _, row := range vowelRows {
		if n := utf8.RuneCountInString(row); n != 6 {
			t.Errorf("vowel row %q has %d runes, want 6", row, n)
		}
		if !norm.NFC.IsNormalString(row) {
			t.Errorf("vowel row %q is not NFC", row)
		}
	}
	for v := range vowelCount {
		for tone := range 6 {
			for up := range 2 {
				r := tab.composed[v][tone][up]
				ri := info(r)
				if int(ri.vowel) != v+1 || int(ri.tone) != tone || upperIndex(ri) != up || ri.flags&known == 0 {
					t.Errorf("composed[%d][%d][%d] = %q: info %+v", v, tone, up, r, ri)
				}
			}
		}
	}
}

func TestSyllables(t *testing.T) {
	got := slices.Collect(Syllables("  Hoà-Bình  H’Hen -- Niê "))
	want := []string{"Hòa", "Bình", "H'Hen", "Niê"}
	if !slices.Equal(got, want) {
		t.Errorf("Syllables = %q, want %q", got, want)
	}
	for range Syllables("a b c") {
		break // stopping early must not panic
	}
	if got := slices.Collect(Syllables("")); len(got) != 0 {
		t.Errorf("Syllables(\"\") = %q", got)
	}
}
