// Package vntext normalises, folds, cases and compares Vietnamese text.
//
// It imports nothing of dancu: every other package that reads names or
// addresses goes through it, so that "Hòa", "Hoà", "HOA" and "Hoa" are
// compared by the same rules everywhere. The functions sit on the hot path of
// verification and address resolution: they use lookup tables for the Latin
// and Vietnamese letters, fall back to the Unicode tables only for other
// scripts, and do not allocate when their input is already in the form they
// return. The rules are described in docs/vntext.md.
package vntext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s lower-cased, stripped of every diacritic (đ becomes d) and
// with runs of white space collapsed to one space, trimmed. It is the key
// used for diacritic-insensitive comparison and for search indexes. Like
// Normalize it drops zero-width and control characters and maps look-alike
// characters first, so Fold(Normalize(s)) == Fold(s).
func Fold(s string) string {
	if isFoldedASCII(s) {
		return s
	}
	var buf [128]byte
	return string(appendFold(buf[:0], s))
}

// isFoldedASCII reports whether s is ASCII that Fold returns unchanged.
func isFoldedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c < ' ' || c == 0x7F || ('A' <= c && c <= 'Z') {
			return false
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// appendFold appends Fold(s) to dst.
func appendFold(dst []byte, s string) []byte {
	start := len(dst)
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == ' ' || ('\t' <= c && c <= '\r'):
				space = true
				continue
			case c < ' ' || c == 0x7F:
				continue
			}
			if space && len(dst) > start {
				dst = append(dst, ' ')
			}
			space = false
			dst = append(dst, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return appendFoldSlow(dst[:start], s)
		}
		i += size
		m := lookalike(r)
		switch {
		case m < 0 || (0x300 <= m && m < 0x370): // dropped, combining diacritic
			continue
		case m == ' ':
			space = true
			continue
		case m < utf8.RuneSelf: // ' and - from look-alikes
		default:
			ri := info(m)
			if ri.flags&known == 0 {
				return appendFoldSlow(dst[:start], s)
			}
			m = ri.fold
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, m)
	}
	return dst
}

// appendFoldSlow is appendFold for text outside the tables: the Unicode
// decomposition does the work the tables do for Latin letters.
func appendFoldSlow(dst []byte, s string) []byte {
	start := len(dst)
	space := false
	for _, r := range norm.NFD.String(mapLookalikes(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}
