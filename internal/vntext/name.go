package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameCase returns the personal name s normalised (see Normalize) and cased
// for display: the first letter of every syllable upper-case, the others
// lower-case ("NGUYỄN văn  an" → "Nguyễn Văn An"). Syllables are separated
// by spaces, hyphens and apostrophes (the first letter or digit after one
// is the first of its syllable), so minority names keep their shape:
// "y-moan ênuôl" → "Y-Moan Ênuôl", "h'hen niê" → "H'Hen Niê".
func NameCase(s string) string {
	n := Normalize(s)
	b := lazyString{src: n}
	start, composes := true, false
	for i := 0; i < len(n); {
		c := n[i]
		if c < utf8.RuneSelf {
			want := c
			switch {
			case c == ' ' || c == '-' || c == '\'':
				start = true
				b.keep(i, i+1)
				i++
				continue
			case start && 'a' <= c && c <= 'z':
				want = c - ('a' - 'A')
			case !start && 'A' <= c && c <= 'Z':
				want = c + ('a' - 'A')
			}
			if isASCIILetter(c) || ('0' <= c && c <= '9') {
				start = false
			}
			if want == c {
				b.keep(i, i+1)
			} else {
				b.writeByte(want)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(n[i:])
		if info(r).flags&known == 0 {
			composes = true
		}
		want := caseRune(r, start)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			start = false
		}
		if want == r {
			b.keep(i, i+size)
		} else {
			b.writeRune(want)
		}
		i += size
	}
	out := b.String()
	if composes && out != n {
		// Changing case can, for a few letters outside the tables, create a
		// letter that composes with a following mark.
		out = Normalize(out)
	}
	return out
}

// caseRune returns r in title case when first is set, else in lower case,
// using the tables for Vietnamese letters.
func caseRune(r rune, first bool) rune {
	ri := info(r)
	if ri.vowel != 0 {
		up := 0
		if first {
			up = 1
		}
		return tab.composed[ri.vowel-1][ri.tone][up]
	}
	if first {
		return unicode.ToTitle(r)
	}
	return unicode.ToLower(r)
}

// Name is a personal name split into its parts. Vietnamese names are written
// surname (họ) first, then middle names (tên đệm), then the given name (tên).
type Name struct {
	Surname string // họ: "Nguyễn"
	Middle  string // tên đệm, possibly several syllables or none: "Thị Minh"
	Given   string // tên: "Khai"
}

// SplitName splits a full name, normalised (see Normalize), into its parts:
// the first syllable is the surname, the last is the given name and those
// in between are the middle names. A name of one syllable is a given name
// only. Hyphenated and apostrophe syllables ("Y-Moan", "H'Hen") stay whole.
//
// The rule is deliberately simple and wrong for some names, which a caller
// holding the parts separately should not re-derive: compound surnames
// ("Tôn Thất", "Tôn Nữ", "Nguyễn Phúc", "Âu Dương") lose their second
// syllable to Middle, two-syllable given names ("Nguyễn Văn Minh Hoàng"
// called "Minh Hoàng") keep their first syllable in Middle, and names of
// peoples that write the clan name last (Ê Đê "H'Hen Niê") are split the
// Kinh way. Name matching does not depend on the split being right.
func SplitName(full string) Name {
	n := Normalize(full)
	i := strings.IndexByte(n, ' ')
	if i < 0 {
		return Name{Given: n}
	}
	j := strings.LastIndexByte(n, ' ')
	name := Name{Surname: n[:i], Given: n[j+1:]}
	if j > i {
		name.Middle = n[i+1 : j]
	}
	return name
}

// String returns the parts joined by single spaces, empty parts left out.
func (n Name) String() string {
	var b strings.Builder
	for _, p := range [3]string{n.Surname, n.Middle, n.Given} {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}
