package vntext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tone marks (thanh điệu), in the order of the columns of vowelRows. The
// level tone (thanh ngang) has no mark.
const (
	toneNone  = iota
	toneGrave // huyền
	toneHook  // hỏi
	toneTilde // ngã
	toneAcute // sắc
	toneDot   // nặng
)

// Vowel letters, in the order of the rows of vowelRows.
const (
	vowelA = iota
	vowelABreve
	vowelACircumflex
	vowelE
	vowelECircumflex
	vowelI
	vowelO
	vowelOCircumflex
	vowelOHorn
	vowelU
	vowelUHorn
	vowelY
	vowelCount
)

// vowelRows lists the twelve Vietnamese vowel letters, each followed by its
// five toned forms (precomposed, NFC).
var vowelRows = [vowelCount]string{
	"aàảãáạ",
	"ăằẳẵắặ",
	"âầẩẫấậ",
	"eèẻẽéẹ",
	"êềểễếệ",
	"iìỉĩíị",
	"oòỏõóọ",
	"ôồổỗốộ",
	"ơờởỡớợ",
	"uùủũúụ",
	"ưừửữứự",
	"yỳỷỹýỵ",
}

// vietConsonants are the consonant letters of the 29-letter alphabet.
const vietConsonants = "bcdđghklmnpqrstvx"

// shaped reports whether a vowel carries a shape mark (ă â ê ô ơ ư). Such a
// vowel is the main vowel of its syllable and always takes the tone mark.
func shaped(v uint8) bool {
	switch v {
	case vowelABreve, vowelACircumflex, vowelECircumflex, vowelOCircumflex, vowelOHorn, vowelUHorn:
		return true
	}
	return false
}

// runeInfo is what the hot paths need to know about one rune without
// consulting the Unicode tables.
type runeInfo struct {
	fold  rune  // lower-case letter without diacritics (đ → d); valid if flags&known
	flags uint8 // see the flag constants
	vowel uint8 // 1 + vowel index for a Vietnamese vowel, 0 otherwise
	tone  uint8 // tone mark of a Vietnamese vowel
}

const (
	// known runes are NFC-stable starters that decompose into one base rune
	// and non-spacing marks only, and are not look-alikes: Normalize keeps
	// them as they are and Fold folds them with the table.
	known = 1 << iota
	letter
	vietLetter
	upper
)

// latinEnd and extStart/extEnd delimit the runes the tables cover: Basic
// Latin to Latin Extended-B, and Latin Extended Additional, where all
// precomposed Vietnamese letters live.
const (
	latinEnd = 0x250
	extStart = 0x1E00
	extEnd   = 0x1F00
)

// letterTables holds the lookup tables. It is built once at start and only
// read afterwards.
type letterTables struct {
	latin    [latinEnd]runeInfo
	ext      [extEnd - extStart]runeInfo
	composed [vowelCount][6][2]rune // vowel, tone, upper → rune
}

var tab = buildTables()

func buildTables() *letterTables {
	t := new(letterTables)
	set := func(r rune, ri runeInfo) {
		if r < latinEnd {
			t.latin[r] = ri
		} else {
			t.ext[r-extStart] = ri
		}
	}
	for r := rune(0x20); r < latinEnd; r++ {
		if r >= 0x7F && r < 0xA0 {
			continue // C0/C1 controls are dropped by lookalike
		}
		set(r, classify(r))
	}
	for r := rune(extStart); r < extEnd; r++ {
		set(r, classify(r))
	}
	for v, row := range vowelRows {
		tone := 0
		for _, lower := range row {
			for up, r := range [2]rune{lower, unicode.ToUpper(lower)} {
				ri := lookup(t, r)
				ri.vowel = uint8(v) + 1
				ri.tone = uint8(tone)
				ri.flags |= vietLetter
				t.composed[v][tone][up] = r
				set(r, ri)
			}
			tone++
		}
	}
	for _, lower := range vietConsonants {
		for _, r := range [2]rune{lower, unicode.ToUpper(lower)} {
			ri := lookup(t, r)
			ri.flags |= vietLetter
			set(r, ri)
		}
	}
	// Look-alikes (Ð, NBSP, soft hyphen …) are in the tables' ranges but
	// never kept as they are.
	for r := rune(0); r < extEnd; r++ {
		if (r < latinEnd || r >= extStart) && lookalike(r) != r {
			ri := lookup(t, r)
			ri.flags &^= known
			set(r, ri)
		}
	}
	return t
}

func classify(r rune) runeInfo {
	var buf [utf8.UTFMax]byte
	s := buf[:utf8.EncodeRune(buf[:], r)]
	p := norm.NFC.Properties(s)
	if !norm.NFC.IsNormal(s) || p.CCC() != 0 || !p.BoundaryBefore() {
		return runeInfo{}
	}
	d := norm.NFD.Bytes(s)
	base, n := utf8.DecodeRune(d)
	for _, m := range string(d[n:]) {
		if !unicode.Is(unicode.Mn, m) {
			return runeInfo{}
		}
	}
	ri := runeInfo{fold: unicode.ToLower(base), flags: known}
	if ri.fold == 'đ' {
		ri.fold = 'd'
	}
	if unicode.IsLetter(r) {
		ri.flags |= letter
	}
	if unicode.IsUpper(r) {
		ri.flags |= upper
	}
	return ri
}

func lookup(t *letterTables, r rune) runeInfo {
	switch {
	case r >= 0 && r < latinEnd:
		return t.latin[r]
	case r >= extStart && r < extEnd:
		return t.ext[r-extStart]
	}
	return runeInfo{}
}

func info(r rune) runeInfo { return lookup(tab, r) }

// IsVietnameseLetter reports whether r is one of the 29 letters of the
// Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v
// x y), in either case, with or without a tone mark. The letters f, j, w and
// z, found in loanwords and minority names, are not.
func IsVietnameseLetter(r rune) bool { return info(r).flags&vietLetter != 0 }

// lookalike maps a rune found in real data to the rune normalised text uses
// in its place: -1 to drop it, ' ' for any white space. Runes that need no
// mapping are returned unchanged.
func lookalike(r rune) rune {
	switch r {
	case 0x00D0, 0x0189: // Ð (Icelandic eth), Ɖ (African D) typed for Đ
		return 'Đ'
	case 0x00F0, 0x0256: // ð, ɖ typed for đ
		return 'đ'
	case 0x2018, 0x2019, 0x201B, 0x02BC, 0x2032: // ‘ ’ ‛ ʼ ′
		return '\''
	case 0x2010, 0x2011, 0x2012, 0x2013, 0x2212: // hyphens, figure and en dash, minus
		return '-'
	case 0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF: // soft hyphen, zero-width characters, BOM
		return -1
	}
	if unicode.IsSpace(r) {
		return ' '
	}
	if r < 0x20 || (r >= 0x7F && r < 0xA0) {
		return -1
	}
	return r
}
