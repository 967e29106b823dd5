package adminunit

import (
	"strings"

	"dancu/internal/vntext"
)

// Format writes the units part of an address for a commune of era: its
// name, then for the pre-2025 eras its district, then its province, joined
// by ", " ("Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"). It is what
// dancu writes after the street in files and pages, and Resolve reads it
// back to the same commune. ok is false for an unknown commune.
func (d *Directory) Format(era Era, communeCode string) (string, bool) {
	c, ok := d.Commune(era, communeCode)
	if !ok {
		return "", false
	}
	parts := make([]string, 0, 3)
	parts = append(parts, c.Name)
	if era != Era2025 {
		if dist, ok := d.DistrictOf(c); ok {
			parts = append(parts, dist.Name)
		}
	}
	if p, ok := d.ProvinceOf(c); ok {
		parts = append(parts, p.Name)
	}
	return strings.Join(parts, ", "), true
}

// ParseFormatted reads an address written as a street followed by the
// Format text of a commune of the 2025 or pre-2025 map ("Số 12, Phường
// Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"), comparing the units part
// exactly, up to Unicode form, case and spacing; the street is everything
// before it, without the joining comma. It is the strict, fast reader of
// files dancu writes; ok is false when the text does not end with such a
// units part (a person's address is for Resolve).
func (d *Directory) ParseFormatted(text string) (street string, commune Unit, ok bool) {
	d.formattedOnce.Do(d.buildFormatted)
	text = strings.TrimSpace(text)
	// Format writes two or three parts; try the units part of three parts
	// first, so that a street ending in a commune-like name stays whole.
	// Text as dancu writes it is found by exact lookups, which come first:
	// no pre-2025 units part ends with the text of a 2025 commune (a
	// district's name starts with Quận, Huyện, Thị xã or Thành phố, a 2025
	// commune's with Xã, Phường or Đặc khu), so an exact two-part match
	// never hides a three-part one, and a 2025 address is read without
	// first normalising its street and units as a pre-2025 one.
	starts := UnitsParts(text)
	for _, start := range starts {
		if start < 0 {
			continue
		}
		if u, ok := d.formattedExact[strings.TrimSpace(text[start:])]; ok && !u.IsZero() {
			return strings.TrimSpace(text[:max(start-1, 0)]), u, true
		}
	}
	for _, start := range starts {
		if start < 0 {
			continue
		}
		if u := d.lookupFormatted(text[start:]); !u.IsZero() {
			return strings.TrimSpace(text[:max(start-1, 0)]), u, true
		}
	}
	return "", Unit{}, false
}

// UnitsParts returns where the units part begins in text when it is made
// of text's last three comma-separated parts, then of its last two (-1
// when text has fewer parts): the places an address Format wrote is read
// from, longest first.
func UnitsParts(text string) [2]int {
	var starts [2]int
	for k, parts := range [2]int{3, 2} {
		starts[k] = -1
		from, n := len(text), 0
		for n < parts-1 && from > 0 {
			from = strings.LastIndexByte(text[:from], ',')
			if from < 0 {
				break
			}
			n++
		}
		if n < parts-1 {
			continue
		}
		// text[from:] holds parts-1 commas; the units part starts after
		// the comma before it, or at the start of the text.
		starts[k] = strings.LastIndexByte(text[:from], ',') + 1
	}
	return starts
}

func (d *Directory) buildFormatted() {
	d.formatted = make(map[string]Unit)
	d.formattedExact = make(map[string]Unit)
	// Pre-2025 first, so that a 2025 commune whose text is the same as a
	// pre-2025 one without a district wins: new data is written in 2025
	// units. Two communes of one era with the same text (the source has
	// one such pair) are left unreadable: a zero Unit marks them.
	for _, era := range []Era{EraPre2025, Era2025} {
		for _, c := range d.order[era][LevelCommune] {
			text, _ := d.Format(era, c.Code)
			key := formattedKey(text)
			if prev, ok := d.formatted[key]; ok && prev.Era == era {
				d.formatted[key] = Unit{}
				d.formattedExact[text] = Unit{}
				continue
			}
			d.formattedExact[text] = c.Unit
			d.formatted[key] = c.Unit
		}
	}
}

// formattedCacheSize bounds the units parts lookupFormatted remembers:
// enough for the distinct ones of a large file (a part there is often the
// last part of the street and the units after it), about 10 MB at most.
const formattedCacheSize = 1 << 16

// lookupFormatted returns the commune whose Format text has the key of
// text, or a zero Unit. Normalising the text costs more than the rest of
// reading an address, and the addresses of a file repeat their units
// parts, so the answer is remembered for the next time the same text
// comes; the cache starts afresh when it holds formattedCacheSize texts.
func (d *Directory) lookupFormatted(text string) Unit {
	d.formattedMu.RLock()
	u, ok := d.formattedSeen[text]
	d.formattedMu.RUnlock()
	if ok {
		return u
	}
	u = d.formatted[formattedKey(text)]
	d.formattedMu.Lock()
	defer d.formattedMu.Unlock()
	if d.formattedSeen == nil {
		d.formattedSeen = make(map[string]Unit)
	}
	if len(d.formattedSeen) >= formattedCacheSize {
		clear(d.formattedSeen)
	}
	// A copy, so that the cache does not keep the whole line alive.
	d.formattedSeen[strings.Clone(text)] = u
	return u
}

// formattedKey is text in NFC and lower case, with runs of spaces made one
// and no space around commas.
func formattedKey(text string) string {
	key := strings.Join(strings.Fields(strings.ToLower(vntext.Normalize(text))), " ")
	return strings.ReplaceAll(strings.ReplaceAll(key, ", ", ","), " ,", ",")
}
