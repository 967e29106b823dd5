package adminunit

import (
	"encoding/csv"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// parseFormattedUncached is ParseFormatted normalising every units part
// afresh and trying each length in turn (three parts, exactly then
// loosely, then two), as it did before lookupFormatted remembered them and
// exact lookups came first: the reference both must agree with.
func parseFormattedUncached(d *Directory, text string) (street string, commune Unit, ok bool) {
	d.formattedOnce.Do(d.buildFormatted)
	text = strings.TrimSpace(text)
	for _, start := range UnitsParts(text) {
		if start < 0 {
			continue
		}
		u, ok := d.formattedExact[strings.TrimSpace(text[start:])]
		if !ok {
			u, ok = d.formatted[formattedKey(text[start:])]
		}
		if ok && !u.IsZero() {
			return strings.TrimSpace(text[:max(start-1, 0)]), u, true
		}
	}
	return "", Unit{}, false
}

// sameParse fails t unless ParseFormatted reads text as the uncached
// reference does, the first time and again from its cache.
func sameParse(t *testing.T, d *Directory, text string) {
	t.Helper()
	wantStreet, wantUnit, wantOK := parseFormattedUncached(d, text)
	for range 2 {
		street, u, ok := d.ParseFormatted(text)
		if street != wantStreet || u != wantUnit || ok != wantOK {
			t.Fatalf("ParseFormatted(%q) = %q, %+v, %v; uncached %q, %+v, %v", text, street, u, ok, wantStreet, wantUnit, wantOK)
		}
	}
}

// formattedCacheInputs lists addresses as files hold them: every commune
// of both maps as Format writes it, with and without a street part, and
// spelt loosely (case, spacing, decomposed diacritics); the resolver's
// test addresses; and texts that name no commune. They are more than the
// cache holds, so that it also starts afresh on the way.
func formattedCacheInputs(t *testing.T, d *Directory) []string {
	t.Helper()
	var out []string
	streets := []string{"", "Số 12", "Số 12, Ngõ 5, Phố Xã Đàn", "Thôn Đông", "Ấp Tân Hòa", "Xã Đàn"}
	for _, era := range []Era{Era2025, EraPre2025} {
		for i, c := range d.Communes(era, "") {
			text, _ := d.Format(era, c.Code)
			out = append(out, text)
			for j, street := range streets[1:] {
				with := street + ", " + text
				// Text dancu wrote is found by exact lookups, without the
				// cache; the other two forms of each go through it.
				out = append(out, with)
				for k := range 3 {
					if k == (i+j)%3 {
						continue
					}
					switch k {
					case 0:
						out = append(out, strings.ToUpper(with))
					case 1:
						out = append(out, norm.NFD.String(with))
					default:
						out = append(out, " "+strings.ReplaceAll(with, ", ", " ,  ")+" ")
					}
				}
			}
		}
	}
	for _, name := range []string{"testdata/addresses.csv", "testdata/addresses-hand.csv"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			out = append(out, r[0])
		}
	}
	out = append(out, "", ",", ", , ,", "Hà Nội", "Số 1, Phường Không Có, Thành phố Hà Nội",
		"Số 1, Xã Không Có, Huyện Ba Vì, Thành phố Hà Nội", "Phường Ba Đình, Thành phố Không Có")
	return out
}

// The cache changes nothing ParseFormatted reads, whether a units part is
// met for the first time, again, or after the cache started afresh.
func TestParseFormattedCache(t *testing.T) {
	d := loadDirectory(t)
	inputs := formattedCacheInputs(t, d)
	cached := func() int {
		d.formattedMu.RLock()
		defer d.formattedMu.RUnlock()
		return len(d.formattedSeen)
	}
	afresh := false
	for _, in := range inputs {
		before := cached()
		sameParse(t, d, in)
		if n := cached(); n > formattedCacheSize {
			t.Fatalf("cache holds %d texts", n)
		} else if n < before {
			afresh = true
		}
	}
	if !afresh {
		t.Errorf("the cache never started afresh")
	}
	// Again, now that the cache holds the last of them.
	for _, in := range inputs[len(inputs)-1000:] {
		sameParse(t, d, in)
	}
}

// A Directory is shared by every request: readers may fill its cache at
// once (run with -race).
func TestParseFormattedConcurrent(t *testing.T) {
	d := loadDirectory(t)
	inputs := formattedCacheInputs(t, d)[:4000]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(inputs); i += 2 {
				d.ParseFormatted(inputs[i])
			}
		})
	}
	wg.Wait()
	for _, in := range inputs {
		sameParse(t, d, in)
	}
}

// FuzzParseFormatted: for any text, the cached reading is the uncached
// one.
func FuzzParseFormatted(f *testing.F) {
	for _, s := range []string{
		"Số 12, Ngõ 5, Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội",
		"Thôn Đông, Xã Hải Hậu, Tỉnh Ninh Bình", "  12 phố huế ,PHƯỜNG  HAI BÀ TRƯNG,thành phố hà nội ",
		"Phường Ba Đình, Thành phố Hà Nội", ", , ,", "", "Phường \u0301\u0301, Tỉnh", "\xff, Phường Ba Đình, Thành phố Hà Nội",
	} {
		f.Add(s)
	}
	d := loadDirectory(f)
	f.Fuzz(func(t *testing.T, text string) {
		sameParse(t, d, text)
	})
}
