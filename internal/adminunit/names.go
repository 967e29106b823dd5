package adminunit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"dancu/internal/vntext"
)

// kind is the type word that opens a unit's name: it tells the level, and
// an address that repeats it ("Phường Phúc Xá") confirms the reading.
type kind uint8

const (
	kindNone     kind = iota
	kindTinh          // tỉnh: province
	kindThanhPho      // thành phố: centrally-run city or provincial city (district level)
	kindQuan          // quận: urban district
	kindHuyen         // huyện: rural district
	kindThiXa         // thị xã: town (district level)
	kindPhuong        // phường: ward
	kindXa            // xã: rural commune
	kindThiTran       // thị trấn: township (before 2025)
	kindDacKhu        // đặc khu: special zone (since 2025)
)

// fits reports whether a type word of kind k may open a unit of level l.
func (k kind) fits(l Level) bool {
	switch k {
	case kindTinh:
		return l == LevelProvince
	case kindThanhPho:
		return l == LevelProvince || l == LevelDistrict
	case kindQuan, kindHuyen, kindThiXa:
		return l == LevelDistrict
	case kindPhuong, kindXa, kindThiTran, kindDacKhu:
		return l == LevelCommune
	}
	return false
}

// namePrefixes are the folded type words that open official names, longest
// first so that "thi xa" wins over "xa".
var namePrefixes = []struct {
	text string
	kind kind
}{
	{"thanh pho ", kindThanhPho},
	{"thi tran ", kindThiTran},
	{"thi xa ", kindThiXa},
	{"dac khu ", kindDacKhu},
	{"phuong ", kindPhuong},
	{"huyen ", kindHuyen},
	{"tinh ", kindTinh},
	{"quan ", kindQuan},
	{"xa ", kindXa},
}

// splitName returns the kind of an official name and its folded, type-less
// key: "Phường 01" → (kindPhuong, "1"); "Tỉnh Bà Rịa - Vũng Tàu" →
// (kindTinh, "ba ria vung tau").
func splitName(name string) (kind, string) {
	key := nameKey(name)
	for _, p := range namePrefixes {
		if strings.HasPrefix(key, p.text) {
			return p.kind, key[len(p.text):]
		}
	}
	return kindNone, key
}

// nameKey tokenizes s the way the resolver tokenizes an address and joins the
// tokens with single spaces, so that names and addresses meet on one key.
func nameKey(s string) string {
	toks := tokenize(s, nil)
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}

// keywords maps one folded token to the type word it abbreviates or spells.
var keywords = map[string]kind{
	"tinh": kindTinh, "t": kindTinh,
	"tp": kindThanhPho, "thanhpho": kindThanhPho,
	"quan": kindQuan, "q": kindQuan,
	"huyen": kindHuyen, "h": kindHuyen,
	"tx": kindThiXa, "thixa": kindThiXa,
	"phuong": kindPhuong, "p": kindPhuong, "ph": kindPhuong, "f": kindPhuong,
	"xa": kindXa, "x": kindXa,
	"tt": kindThiTran, "thitran": kindThiTran,
	"dk": kindDacKhu, "dackhu": kindDacKhu,
}

// keywordPairs maps two folded tokens to the type word they spell.
var keywordPairs = map[[2]string]kind{
	{"thanh", "pho"}: kindThanhPho,
	{"t", "p"}:       kindThanhPho,
	{"thi", "xa"}:    kindThiXa,
	{"thi", "tran"}:  kindThiTran,
	{"dac", "khu"}:   kindDacKhu,
}

// provinceAliases lists the common short or old spellings of a province,
// keyed by the folded type-less official name (of either era).
var provinceAliases = map[string][]string{
	"ha noi":          {"hn", "hanoi", "tphn"},
	"ho chi minh":     {"hcm", "tphcm", "hochiminh", "sai gon", "saigon", "sg", "hcmc"},
	"hue":             {"thua thien hue", "tt hue", "tthue", "tth"},
	"thua thien hue":  {"hue", "tt hue", "tthue", "tth"},
	"ba ria vung tau": {"brvt", "br vt", "ba ria vt", "vung tau ba ria"},
	"dak lak":         {"daklak", "dac lac", "dak lac", "daclac", "dac lak"},
	"dak nong":        {"daknong", "dac nong"},
	"kon tum":         {"kontum"},
	"da nang":         {"danang"},
	"can tho":         {"cantho"},
	"hai phong":       {"haiphong"},
}

// ignorable are trailing words that carry no unit: the country.
var ignorable = map[string]bool{"viet": true, "nam": true, "vietnam": true, "vn": true}

// token is one word of an address: folded text and where it came from.
type token struct {
	text       string
	start, end int // byte offsets in the input
	seg        int // comma-separated segment
}

// isWordRune reports whether r belongs inside a word. Combining marks count,
// so decomposed (NFD) input keeps its words whole.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isSegmentBreak reports whether r separates the parts of an address.
func isSegmentBreak(r rune) bool {
	switch r {
	case ',', ';', '|', '\n', '\r', '(', ')', '\t':
		return true
	}
	return false
}

// tokenize appends the words of s to dst. Each word is folded (lower case,
// no diacritics), split where letters meet digits ("P1" → "p", "1") and its
// numbers lose leading zeros ("01" → "1").
func tokenize(s string, dst []token) []token {
	seg := 0
	segUsed := false
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			if isSegmentBreak(r) && segUsed {
				seg++
				segUsed = false
			}
			i += size
			continue
		}
		start := i
		ascii := true
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			if !isWordRune(r) {
				break
			}
			if r >= utf8.RuneSelf {
				ascii = false
			}
			i += size
		}
		var word string
		if ascii {
			word = lowerASCII(s[start:i])
		} else {
			word = vntext.Fold(s[start:i])
		}
		dst = appendParts(dst, word, start, i, seg)
		segUsed = true
	}
	return dst
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// appendParts splits a folded word where letters meet digits and appends
// the parts, all carrying the word's offsets.
func appendParts(dst []token, word string, start, end, seg int) []token {
	j := 0
	for j < len(word) {
		k := j
		digit := isDigit(word[j])
		for k < len(word) && isDigit(word[k]) == digit {
			k++
		}
		part := word[j:k]
		if digit {
			for len(part) > 1 && part[0] == '0' {
				part = part[1:]
			}
		}
		dst = append(dst, token{text: part, start: start, end: end, seg: seg})
		j = k
	}
	return dst
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
