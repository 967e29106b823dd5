package verify

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"dancu/internal/adminunit"
	"dancu/internal/vntext"
)

// communes numbers every commune of every era with a small integer, the
// form the index holds an address's commune in, and knows which communes
// of two eras agree.
//
// Id 0 is no commune. The ids of each era are contiguous; current[id]
// lists the 2025 communes that commune id is or became (one, several for
// a pre-2025 commune split on 2025-07-01, none for a 2023 commune merged
// away before 2025 whose successor the tables do not give).
type communes struct {
	units   *adminunit.Directory
	ids     map[communeKey]uint16
	era     []adminunit.Era
	current [][]uint16
	// formatted maps the key (appendUnitsKey) of each commune's Format
	// text, of the 2025 and pre-2025 maps, to the commune, so that an
	// address written the way dancu writes them is read without the
	// resolver; exact maps the Format text itself, tried first. A zero id
	// marks text that two communes of one era share.
	formatted, exact map[string]uint16
}

type communeKey struct {
	era  adminunit.Era
	code string
}

// eras are the eras of the commune ids, in id order.
var eras = [...]adminunit.Era{adminunit.Era2025, adminunit.EraPre2025, adminunit.Era2023}

func newCommunes(units *adminunit.Directory) *communes {
	c := &communes{units: units, ids: map[communeKey]uint16{}, era: []adminunit.Era{""}, current: [][]uint16{nil}}
	for _, era := range eras {
		for _, u := range units.Communes(era, "") {
			if len(c.era) == 1<<16-1 {
				break // cannot happen with the real tables (about 24,000 communes)
			}
			c.ids[communeKey{era, u.Code}] = uint16(len(c.era))
			c.era = append(c.era, era)
			c.current = append(c.current, nil)
		}
	}
	for k, id := range c.ids {
		switch k.era {
		case adminunit.Era2025:
			c.current[id] = []uint16{id}
		case adminunit.EraPre2025:
			c.current[id] = c.currentIDs(units.NewUnitsFor(k.code))
		case adminunit.Era2023:
			// A 2023 commune still there in 2025 kept its code.
			if _, ok := units.Commune(adminunit.EraPre2025, k.code); ok {
				c.current[id] = c.currentIDs(units.NewUnitsFor(k.code))
			}
		}
	}
	c.formatted, c.exact = map[string]uint16{}, map[string]uint16{}
	var buf []byte
	for _, era := range []adminunit.Era{adminunit.EraPre2025, adminunit.Era2025} {
		for _, u := range units.Communes(era, "") {
			text, ok := units.Format(era, u.Code)
			if !ok {
				continue
			}
			text = vntext.Normalize(text)
			buf = appendUnitsKey(buf[:0], text)
			id := c.ids[communeKey{era, u.Code}]
			c.put(c.formatted, string(buf), id, era)
			c.put(c.exact, text, id, era)
		}
	}
	return c
}

// put adds a text of commune id of era to m: pre-2025 first, so that a
// 2025 commune whose text is a pre-2025 one's wins (as in
// adminunit.Directory.ParseFormatted); a text two communes of one era
// share reads as none.
func (c *communes) put(m map[string]uint16, key string, id uint16, era adminunit.Era) {
	if prev, ok := m[key]; ok && prev != 0 && c.era[prev] == era {
		id = 0
	}
	m[key] = id
}

func (c *communes) currentIDs(us []adminunit.Unit) []uint16 {
	out := make([]uint16, 0, len(us))
	for _, u := range us {
		if id := c.ids[communeKey{adminunit.Era2025, u.Code}]; id != 0 {
			out = append(out, id)
		}
	}
	return out
}

// id returns the id of a commune, 0 when unknown. An empty era is 2025,
// as in the register.
func (c *communes) id(era adminunit.Era, code string) uint16 {
	if era == "" {
		era = adminunit.Era2025
	}
	return c.ids[communeKey{era, code}]
}

// agree reports whether two communes are the same place: the same commune
// of one era, or communes of two eras of which one is, or became, the
// other (a pre-2025 commune and the 2025 commune it merged into or was
// split into). Two different communes of one era never agree, even if
// both merged into the same 2025 commune: the person lived in one of
// them.
func (c *communes) agree(a, b uint16) bool {
	if a == b {
		return a != 0
	}
	if a == 0 || b == 0 || int(a) >= len(c.era) || int(b) >= len(c.era) || c.era[a] == c.era[b] {
		return false
	}
	for _, x := range c.current[a] {
		for _, y := range c.current[b] {
			if x == y {
				return true
			}
		}
	}
	return false
}

// read reads an address a person or a program wrote into its commune and
// street. text must be normalised (vntext.Normalize). The address dancu
// writes ("street, commune, [district,] province" in the 2025 or pre-2025
// map) is read by table lookup; anything else goes to the resolver, which
// must find one commune: an ambiguous address or one without a commune
// reads as none (ok false).
func (c *communes) read(text string) (commune uint16, street string, ok bool) {
	if id, st, ok := c.readFormatted(text); ok {
		return id, st, true
	}
	res, err := c.units.Resolve(text)
	if err != nil || res.Status == adminunit.StatusAmbiguous {
		return 0, "", false
	}
	// As registry.Service.ParseAddressText: the last commune matched (a
	// 2023 commune is followed by its pre-2025 self when it has one).
	var unit adminunit.Unit
	for _, m := range res.Matched {
		if m.Level == adminunit.LevelCommune {
			unit = m
		}
	}
	if unit.IsZero() {
		return 0, "", false
	}
	id := c.id(unit.Era, unit.Code)
	return id, res.Street, id != 0
}

// readFormatted is adminunit.Directory.ParseFormatted on the index's own
// tables, without allocating: the units part of three or two
// comma-separated parts at the end of text (three first, so that a street
// ending in a name like a commune's stays whole), the street before it.
// Text exactly as Format writes it is looked up first, then its key.
func (c *communes) readFormatted(text string) (uint16, string, bool) {
	starts := adminunit.UnitsParts(text)
	var buf [256]byte
	for _, exact := range [2]bool{true, false} {
		for _, start := range starts {
			if start < 0 {
				continue
			}
			var id uint16
			if exact {
				id = c.exact[strings.TrimSpace(text[start:])]
			} else {
				id = c.formatted[string(appendUnitsKey(buf[:0], text[start:]))]
			}
			if id != 0 {
				return id, strings.TrimSpace(text[:max(start-1, 0)]), true
			}
		}
	}
	return 0, "", false
}

// appendUnitsKey appends the key of the units part of a normalised
// address: lower case, no space around commas, trimmed.
func appendUnitsKey(dst []byte, s string) []byte {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			i++
			switch {
			case b == ' ':
				if (len(dst) > 0 && dst[len(dst)-1] == ',') || (i < len(s) && (s[i] == ',' || s[i] == ' ')) {
					continue
				}
			case 'A' <= b && b <= 'Z':
				b += 'a' - 'A'
			}
			dst = append(dst, b)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// appendStreetKey appends the key a street is compared by: normalised text
// (the caller's), lower case, with commas, dots, semicolons and colons
// taken as spaces and runs of spaces made one, trimmed. "Số 12, Ngõ 5" and
// "số 12 ngõ 5" agree; "Số 12 Ngõ 5" and "12 Ngõ 5" do not.
func appendStreetKey(dst []byte, s string) []byte {
	start := len(dst)
	space := false
	for i := 0; i < len(s); {
		b := s[i]
		var r rune
		if b < utf8.RuneSelf {
			i++
			r = rune(b)
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			i += size
		}
		switch r {
		case ' ', ',', '.', ';', ':', '\t', '\n', '\r':
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}
