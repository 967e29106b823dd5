package vntext

import (
	"iter"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxSyllableRunes bounds the words whose tone mark Normalize places: the
// longest Vietnamese syllable, "nghiêng", has seven letters.
const maxSyllableRunes = 8

// Normalize returns s in the canonical form the register stores and
// compares:
//
//   - Unicode NFC, whatever the input used (NFD from macOS, combining tone
//     marks from Windows-1258 era converters);
//   - the tone mark of every Vietnamese syllable on its canonical vowel, in
//     the classic convention: "hoà" and "hòa", "thuỷ" and "thủy", "khoẻ"
//     and "khỏe" all become the second form. The u of "qu" and the i of
//     "gi" never take the tone (quý, già); a vowel with a shape mark (ă â ê
//     ô ơ ư) always does (thuyết, người); otherwise the last vowel before a
//     final consonant (hoàng), the middle of three vowels (khoái), the
//     first of two (hòa, mía). Words that are not one Vietnamese syllable
//     are left as they are;
//   - look-alike characters folded: Icelandic Ð/ð and African Ɖ/ɖ become
//     Đ/đ, typographic apostrophes become ', hyphen and dash variants
//     become -, zero-width characters, soft hyphens, byte-order marks and
//     control characters are dropped, invalid UTF-8 becomes U+FFFD;
//   - every run of white space (including tabs, newlines and non-breaking
//     spaces) replaced by one space, and leading and trailing space trimmed.
//
// Letter case is kept. Normalize is idempotent and, for text that is
// already normal, returns s without allocating.
func Normalize(s string) string {
	if isCleanASCII(s) {
		return s
	}
	if out, ok := normalizePass(s, false); ok {
		return out
	}
	// Combining marks or characters outside the tables: map look-alikes
	// first (a zero-width space between a letter and its mark must not stop
	// them composing), then compose, then the same pass again.
	out, _ := normalizePass(norm.NFC.String(mapLookalikes(s)), true)
	return out
}

// isCleanASCII reports whether s is printable ASCII with single inner
// spaces only, which Normalize returns unchanged.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c < ' ' || c == 0x7F {
			return false
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// mapLookalikes applies lookalike to every rune of s and replaces invalid
// UTF-8 with U+FFFD.
func mapLookalikes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r = lookalike(r); r >= 0 {
			b.WriteRune(r) // RuneError is written as U+FFFD
		}
	}
	return b.String()
}

// normalizePass does the work of Normalize on s. Unless composed is set (s
// is already NFC and mapped), it gives up with ok == false at the first rune
// that needs Unicode composition or is outside the tables.
func normalizePass(s string, composed bool) (out string, ok bool) {
	b := lazyString{src: s}
	spaceAt := -1 // start of a white-space run not yet written
	flushSpace := func(i int) {
		if spaceAt < 0 {
			return
		}
		if b.len() > 0 {
			if i-spaceAt == 1 && s[spaceAt] == ' ' {
				b.keep(spaceAt, i)
			} else {
				b.writeByte(' ')
			}
		}
		spaceAt = -1
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || ('\t' <= c && c <= '\r'):
				if spaceAt < 0 {
					spaceAt = i
				}
				i++
			case c < ' ' || c == 0x7F:
				i++ // dropped
			case isASCIILetter(c):
				flushSpace(i)
				j, ok := normalizeWord(&b, s, i, composed)
				if !ok {
					return "", false
				}
				i = j
			default:
				flushSpace(i)
				b.keep(i, i+1)
				i++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if ri := info(r); ri.flags&known != 0 {
			flushSpace(i)
			if ri.flags&letter != 0 {
				j, ok := normalizeWord(&b, s, i, composed)
				if !ok {
					return "", false
				}
				i = j
			} else {
				b.keep(i, i+size)
				i += size
			}
			continue
		}
		if r == utf8.RuneError && size == 1 && !composed {
			return "", false
		}
		m := lookalike(r)
		switch {
		case m < 0:
			i += size
			continue
		case m == ' ':
			if spaceAt < 0 {
				spaceAt = i
			}
			i += size
			continue
		}
		flushSpace(i)
		if _, isLetter := wordRune(m); isLetter {
			j, ok := normalizeWord(&b, s, i, composed)
			if !ok {
				return "", false
			}
			i = j
			continue
		}
		if m == r {
			if !composed && !standsAlone(s[i:i+size]) {
				return "", false
			}
			b.keep(i, i+size)
		} else {
			b.writeRune(m)
		}
		i += size
	}
	return b.String(), true
}

// standsAlone reports whether the character r (one rune, outside the
// tables) has no decomposition and never composes with its neighbours, as
// CJK ideographs and most emoji, so that the fast pass may keep it.
func standsAlone(r string) bool {
	p := norm.NFC.PropertiesString(r)
	return p.BoundaryBefore() && p.BoundaryAfter() && len(p.Decomposition()) == 0
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// wordRune maps r through lookalike and reports whether the result is a
// letter of the tables (a letter Normalize can place a tone on or around).
func wordRune(r rune) (rune, bool) {
	if r < utf8.RuneSelf {
		if isASCIILetter(byte(r)) {
			return r, true
		}
		return lookalike(r), false
	}
	if ri := info(r); ri.flags&known != 0 {
		return r, ri.flags&letter != 0
	}
	m := lookalike(r)
	return m, info(m).flags&(known|letter) == known|letter
}

// normalizeWord writes the word (maximal run of table letters, ignoring the
// zero-width and control characters Normalize drops) starting at s[i] to b,
// with its tone mark placed and look-alikes mapped, and returns
// the index after it. ok is false when a rune in the word needs the slow
// path.
func normalizeWord(b *lazyString, s string, i int, composed bool) (end int, ok bool) {
	var w [maxSyllableRunes]rune
	var inf [maxSyllableRunes]runeInfo
	n, mapped, ascii, toned := 0, false, true, false
	j := i
	for j < len(s) {
		r, size := rune(s[j]), 1
		var ri runeInfo
		if r < utf8.RuneSelf {
			if !isASCIILetter(byte(r)) {
				if lookalike(r) < 0 { // a control character inside the word
					mapped = true
					j++
					continue
				}
				break
			}
			ri = tab.latin[r]
		} else {
			r, size = utf8.DecodeRuneInString(s[j:])
			ascii = false
			ri = info(r)
			if ri.flags&known == 0 {
				m := lookalike(r)
				if m < 0 { // a zero-width character inside the word
					mapped = true
					j += size
					continue
				}
				if ri = info(m); ri.flags&(known|letter) != known|letter {
					break
				}
				r, mapped = m, true
			} else if ri.flags&letter == 0 {
				break
			}
		}
		if n < len(w) {
			w[n], inf[n] = r, ri
			toned = toned || ri.tone != toneNone
		}
		n++
		j += size
	}
	if ascii && !mapped {
		b.keep(i, j)
		return j, true
	}
	// A combining mark after the word (possible only on the composed path)
	// belongs to its last letter: moving a tone there would leave the text
	// not NFC, so such a word is left as it is.
	placeable := toned && n <= len(w)
	if j < len(s) && s[j] >= utf8.RuneSelf {
		if !composed {
			r, size := utf8.DecodeRuneInString(s[j:])
			if m := lookalike(r); m >= utf8.RuneSelf && info(m).flags&known == 0 && !standsAlone(s[j:j+size]) {
				return 0, false
			}
		} else if !norm.NFC.PropertiesString(s[j:]).BoundaryBefore() {
			placeable = false
		}
	}
	if placeable && placeTone(w[:n], inf[:n]) || (mapped && n <= len(w)) {
		for _, r := range w[:n] {
			b.writeRune(r)
		}
		return j, true
	}
	if !mapped {
		b.keep(i, j)
		return j, true
	}
	for _, r := range s[i:j] { // a long word with a look-alike in it
		if m, _ := wordRune(r); m >= 0 {
			b.writeRune(m)
		}
	}
	return j, true
}

// placeTone moves the tone mark of the syllable w (inf holding the
// information of its runes) to its canonical vowel and
// reports whether it changed w. The canonical place, in the classic
// ("old-style") convention:
//
//  1. "qu" and "gi" before another vowel are onsets: the u and i never
//     take the tone (quý, quả, già, giữ).
//  2. A vowel with a shape mark (ă â ê ô ơ ư) takes the tone; in ươ the ơ
//     (người, thuyết, khuyến, thuở).
//  3. Otherwise, if a final consonant follows, the last vowel (hoàng, toán,
//     huỳnh).
//  4. Otherwise, of three vowels the middle one (khoái, khuỷu), of two the
//     first (hòa, thủy, khỏe, mía, múa, tài), of one that one.
//
// Words that do not parse as one Vietnamese syllable (no tone mark, two tone
// marks, a letter outside the alphabet, an onset or final that Vietnamese
// does not have, more than one vowel group) are left as they are.
func placeTone(w []rune, inf []runeInfo) bool {
	first, last, toneAt := -1, -1, -1
	for k, ri := range inf {
		if ri.flags&vietLetter == 0 {
			return false
		}
		if ri.vowel == 0 {
			continue
		}
		if ri.tone != toneNone {
			if toneAt >= 0 {
				return false
			}
			toneAt = k
		}
		if first >= 0 && last != k-1 {
			return false // a second vowel group: not one syllable
		}
		if first < 0 {
			first = k
		}
		last = k
	}
	if toneAt < 0 {
		return false
	}
	start := first // first vowel of the nucleus
	if last > first {
		switch inf[first].vowel - 1 {
		case vowelU:
			if isOneLetter(w[:first], 'q') {
				start++
			}
		case vowelI:
			if isOneLetter(w[:first], 'g') {
				start++
			}
		}
	}
	if start == first && !validOnset(w[:first]) || !validFinal(w[last+1:]) {
		return false
	}
	n := last - start + 1
	if n > 3 {
		return false
	}
	target := -1
	for k := start; k <= last; k++ {
		if shaped(inf[k].vowel - 1) {
			target = k
		}
	}
	if target < 0 {
		switch {
		case last < len(w)-1:
			target = last
		case n == 3:
			target = start + 1
		default:
			target = start
		}
	}
	if target == toneAt {
		return false
	}
	w[toneAt] = tab.composed[inf[toneAt].vowel-1][toneNone][upperIndex(inf[toneAt])]
	w[target] = tab.composed[inf[target].vowel-1][inf[toneAt].tone][upperIndex(inf[target])]
	return true
}

func upperIndex(ri runeInfo) int {
	if ri.flags&upper != 0 {
		return 1
	}
	return 0
}

func isOneLetter(w []rune, c rune) bool {
	return len(w) == 1 && (w[0] == c || w[0] == c-'a'+'A')
}

// asciiLower writes the lower-case form of w (at most three letters, đ
// written as '#') to buf and reports whether w was short and plain enough.
func asciiLower(buf *[3]byte, w []rune) (int, bool) {
	if len(w) > len(buf) {
		return 0, false
	}
	for k, r := range w {
		switch {
		case 'a' <= r && r <= 'z':
			buf[k] = byte(r)
		case 'A' <= r && r <= 'Z':
			buf[k] = byte(r) + 'a' - 'A'
		case r == 'đ' || r == 'Đ':
			buf[k] = '#'
		default:
			return 0, false
		}
	}
	return len(w), true
}

// validOnset reports whether w is a Vietnamese initial consonant (or none).
func validOnset(w []rune) bool {
	var buf [3]byte
	n, ok := asciiLower(&buf, w)
	if !ok {
		return false
	}
	switch string(buf[:n]) {
	case "", "b", "c", "ch", "d", "#", "g", "gh", "gi", "h", "k", "kh", "l", "m",
		"n", "ng", "ngh", "nh", "p", "ph", "r", "s", "t", "th", "tr", "v", "x":
		return true
	}
	return false
}

// validFinal reports whether w is a Vietnamese final consonant (or none).
// The k of Central Highlands names (Đắk Lắk, Búk) is accepted.
func validFinal(w []rune) bool {
	var buf [3]byte
	n, ok := asciiLower(&buf, w)
	if !ok {
		return false
	}
	switch string(buf[:n]) {
	case "", "c", "ch", "m", "n", "ng", "nh", "p", "t", "k":
		return true
	}
	return false
}

// Syllables returns an iterator over the syllables of Normalize(s): the
// non-empty runs between spaces and hyphens ("Hoà-Bình" yields "Hòa",
// "Bình"). Apostrophes stay inside their syllable ("H'Hen").
func Syllables(s string) iter.Seq[string] {
	n := Normalize(s)
	return func(yield func(string) bool) {
		for n != "" {
			i := strings.IndexAny(n, " -")
			if i < 0 {
				yield(n)
				return
			}
			if i > 0 && !yield(n[:i]) {
				return
			}
			n = n[i+1:]
		}
	}
}

// lazyString builds a string that usually equals (a prefix of) its source:
// it allocates only at the first difference.
type lazyString struct {
	src   string
	n     int // while !dirty, the output so far is src[:n]
	dirty bool
	b     strings.Builder
}

// keep appends src[i:j] unchanged.
func (l *lazyString) keep(i, j int) {
	if !l.dirty {
		if i == l.n {
			l.n = j
			return
		}
		l.spill()
	}
	l.b.WriteString(l.src[i:j])
}

func (l *lazyString) spill() {
	l.dirty = true
	l.b.Grow(len(l.src) + utf8.UTFMax)
	l.b.WriteString(l.src[:l.n])
}

func (l *lazyString) writeByte(c byte) {
	if !l.dirty {
		l.spill()
	}
	l.b.WriteByte(c)
}

func (l *lazyString) writeRune(r rune) {
	if !l.dirty {
		l.spill()
	}
	l.b.WriteRune(r)
}

func (l *lazyString) len() int {
	if !l.dirty {
		return l.n
	}
	return l.b.Len()
}

func (l *lazyString) String() string {
	if !l.dirty {
		return l.src[:l.n]
	}
	return l.b.String()
}
