package adminunit

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"dancu/internal/vntext"
)

// TestWriteAddresses regenerates the generated rows of
// testdata/addresses.csv from the unit tables (not from the resolver) and
// appends the hand-written rows of testdata/addresses-hand.csv. It runs only
// with ADMINUNIT_WRITE_TESTDATA=1:
//
//	ADMINUNIT_WRITE_TESTDATA=1 go test ./internal/adminunit/ -run TestWriteAddresses
func TestWriteAddresses(t *testing.T) {
	if os.Getenv("ADMINUNIT_WRITE_TESTDATA") != "1" {
		t.Skip("set ADMINUNIT_WRITE_TESTDATA=1 to regenerate testdata/addresses.csv")
	}
	d := loadDirectory(t)
	g := &addressGen{d: d, rng: rand.New(rand.NewPCG(2025, 7))}
	g.build()
	hand, err := os.ReadFile("testdata/addresses-hand.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create("testdata/addresses.csv")
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(addressColumns)
	for _, r := range g.rows {
		w.Write(r)
	}
	w.Flush()
	handRows, err := csv.NewReader(strings.NewReader(string(hand))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range handRows[1:] {
		w.Write(r)
	}
	w.Flush()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d generated and %d hand-written rows", len(g.rows), len(handRows)-1)
}

var addressColumns = []string{"input", "expect_status", "expect_current_codes", "expect_pre2025_code", "category", "note"}

type addressGen struct {
	d    *Directory
	rng  *rand.Rand
	rows [][]string
}

var streets = []string{
	"Số 12 Ngõ 5", "Số 45 đường Lê Lợi", "Thôn 3", "Ấp Bình Hòa", "Tổ dân phố 7",
	"Hẻm 123/4 Nguyễn Trãi", "Xóm 2", "Khu phố 4", "Số 8 ngách 14/2 ngõ 79", "Thôn Đông",
	"Số 210 đường Quang Trung", "Ấp 3", "Tổ 5", "Số 7 Hẻm 32", "Thôn Trung Hòa", "Kiệt 15 Trần Phú",
	"Số 56/3 đường 30 Tháng 4", "Bản Nà Phặc", "Số nhà 19, tổ 4", "",
}

func (g *addressGen) street() string { return streets[g.rng.IntN(len(streets))] }

func (g *addressGen) add(input string, status Status, current []Unit, pre, category, note string) {
	codes := make([]string, len(current))
	for i, u := range current {
		codes[i] = u.Code
	}
	slices.Sort(codes)
	g.rows = append(g.rows, []string{input, string(status), strings.Join(codes, ";"), pre, category, note})
}

func joinAddress(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// uniqueOld reports whether no other pre-2025 commune or obsolete 2023
// commune of the same district bears c's name, so that a full address
// names c alone.
func (g *addressGen) uniqueOld(c *unit) bool {
	for _, r := range g.d.names[c.key] {
		if r.u != c && r.u.Level == LevelCommune && r.u.Era != Era2025 && r.u.district == c.district {
			return false
		}
	}
	return true
}

// uniqueNew reports whether no other 2025 commune of c's province bears its
// name.
func (g *addressGen) uniqueNew(c *unit) bool {
	for _, r := range g.d.names[c.key] {
		if r.u != c && r.u.Level == LevelCommune && r.u.Era == Era2025 && r.u.province == c.province {
			return false
		}
	}
	return true
}

func statusFor(current []Unit) Status {
	if len(current) > 1 {
		return StatusSplit
	}
	return StatusResolved
}

func (g *addressGen) pickOld(province string, split bool) *unit {
	all := g.d.order[EraPre2025][LevelCommune]
	for range 10000 {
		c := all[g.rng.IntN(len(all))]
		if province != "" && c.province != province {
			continue
		}
		if split && len(g.d.changes[c.Code]) < 2 {
			continue
		}
		if g.uniqueOld(c) {
			return c
		}
	}
	panic("no commune for " + province)
}

func (g *addressGen) oldParts(c *unit) (commune, district, province string) {
	dist := g.d.get(Era2023, LevelDistrict, c.district)
	prov := g.d.get(EraPre2025, LevelProvince, c.province)
	return c.Name, dist.Name, prov.Name
}

func (g *addressGen) oldRow(c *unit, input, category string) {
	cur := g.d.NewUnitsFor(c.Code)
	g.add(input, statusFor(cur), cur, c.Code, category, c.Name)
}

var abbrevs = map[kind]string{
	kindPhuong: "P.", kindXa: "X.", kindThiTran: "TT", kindQuan: "Q.", kindHuyen: "H.",
	kindThiXa: "TX", kindThanhPho: "TP", kindTinh: "T.",
}

func abbreviate(name string) string {
	k, _ := splitName(name)
	for _, p := range []string{"Thành phố ", "Thị trấn ", "Thị Trấn ", "Thị xã ", "Phường ", "Huyện ", "Quận ", "Tỉnh ", "Xã "} {
		if strings.HasPrefix(name, p) {
			if k == kindTinh {
				return name[len(p):]
			}
			return abbrevs[k] + " " + name[len(p):]
		}
	}
	return name
}

func (g *addressGen) build() {
	d := g.d
	// Every pre-2025 province, full three-level address.
	for _, p := range d.order[EraPre2025][LevelProvince] {
		c := g.pickOld(p.Code, false)
		cn, dn, pn := g.oldParts(c)
		g.oldRow(c, joinAddress(g.street(), cn, dn, pn), "old_full")
	}
	// Every 2025 province, two-level address.
	for _, p := range d.order[Era2025][LevelProvince] {
		var c *unit
		for c == nil || c.province != p.Code || !g.uniqueNew(c) {
			all := d.order[Era2025][LevelCommune]
			c = all[g.rng.IntN(len(all))]
		}
		g.add(joinAddress(g.street(), c.Name, p.Name), StatusResolved, []Unit{c.Unit}, "", "new_full", c.Name)
		// The same, unaccented or abbreviated.
		in := joinAddress(c.Name, p.Name)
		switch g.rng.IntN(3) {
		case 0:
			in = vntext.Fold(in)
		case 1:
			in = abbreviate(c.Name) + ", " + abbreviate(p.Name)
		default:
			in = strings.ToUpper(in)
		}
		g.add(in, StatusResolved, []Unit{c.Unit}, "", "new_variant", c.Name)
	}
	for range 40 {
		c := g.pickOld("", false)
		cn, dn, pn := g.oldParts(c)
		g.oldRow(c, vntext.Fold(joinAddress(g.street(), cn, dn, pn)), "unaccented")
	}
	for range 40 {
		c := g.pickOld("", false)
		cn, dn, pn := g.oldParts(c)
		g.oldRow(c, joinAddress(g.street(), abbreviate(cn), abbreviate(dn), abbreviate(pn)), "abbreviated")
	}
	for range 25 {
		c := g.pickOld("", false)
		cn, dn, pn := g.oldParts(c)
		g.oldRow(c, strings.ToUpper(joinAddress(g.street(), cn, dn, pn)), "caps")
	}
	for range 25 {
		c := g.pickOld("", false)
		cn, dn, pn := g.oldParts(c)
		g.oldRow(c, strings.Join([]string{g.street(), cn, dn, pn}, " "), "no_commas")
	}
	for range 40 {
		c := g.pickOld("", true)
		cn, dn, pn := g.oldParts(c)
		g.oldRow(c, joinAddress(g.street(), cn, dn, pn), "split")
	}
	// Commune and district without the province, when that pair is unique
	// in the country.
	for n := 0; n < 20; {
		c := g.pickOld("", false)
		cn, dn, _ := g.oldParts(c)
		dist := d.get(Era2023, LevelDistrict, c.district)
		count := 0
		for _, r := range d.names[c.key] {
			if r.u.Level == LevelCommune && r.u.Era != Era2025 {
				if od := d.get(Era2023, LevelDistrict, r.u.district); od != nil && od.key == dist.key {
					count++
				}
			}
		}
		if count != 1 {
			continue
		}
		g.oldRow(c, joinAddress(g.street(), cn, dn), "missing_province")
		n++
	}
	// Numbered wards with their district.
	var numbered []*unit
	for _, c := range d.order[EraPre2025][LevelCommune] {
		if isNumber(c.key) && c.kind == kindPhuong {
			numbered = append(numbered, c)
		}
	}
	forms := []string{"Phường %s", "Phường 0%s", "P.%s", "P%s", "F%s", "F.%s", "phuong %s"}
	for range 30 {
		c := numbered[g.rng.IntN(len(numbered))]
		_, dn, pn := g.oldParts(c)
		if dk := d.get(Era2023, LevelDistrict, c.district); isNumber(dk.key) && g.rng.IntN(2) == 0 {
			dn = "Q." + dk.key
		}
		cn := fmt.Sprintf(forms[g.rng.IntN(len(forms))], c.key)
		if strings.Contains(pn, "Hồ Chí Minh") {
			pn = []string{"TP.HCM", "TPHCM", "Sài Gòn", "TP Hồ Chí Minh", "HCM"}[g.rng.IntN(5)]
		}
		g.oldRow(c, joinAddress(g.street(), cn, dn, pn), "numbered_ward")
	}
	// Old commune with its province but not its district, when its name is
	// unique among the pre-2025 communes of the province. A 2025 commune of
	// the same name in the same province makes such an address a real
	// trade-off (see docs/adminunit.md).
	for n := 0; n < 40; {
		c := g.pickOld("", false)
		count := 0
		for _, r := range d.names[c.key] {
			if r.u.Level == LevelCommune && r.u.Era != Era2025 && r.u.province == c.province {
				count++
			}
		}
		if count != 1 {
			continue
		}
		cn, _, pn := g.oldParts(c)
		g.oldRow(c, joinAddress(g.street(), cn, pn), "old_no_district")
		n++
	}
	// Messy: type words dropped, capitals, no diacritics, no commas, all at
	// random.
	bare := func(name string) string {
		_, k := splitName(name)
		for _, p := range []string{"Thành phố ", "Thị trấn ", "Thị Trấn ", "Thị xã ", "Phường ", "Huyện ", "Quận ", "Tỉnh ", "Xã "} {
			if strings.HasPrefix(name, p) && !isNumber(k) {
				return name[len(p):]
			}
		}
		return name
	}
	for range 40 {
		c := g.pickOld("", false)
		cn, dn, pn := g.oldParts(c)
		parts := []string{g.street(), cn, dn, pn}
		for i := 1; i < 4; i++ {
			switch g.rng.IntN(3) {
			case 0:
				parts[i] = bare(parts[i])
			case 1:
				parts[i] = abbreviate(parts[i])
			}
		}
		in := joinAddress(parts...)
		if g.rng.IntN(2) == 0 {
			in = strings.Join(parts, " ")
		}
		switch g.rng.IntN(3) {
		case 0:
			in = vntext.Fold(in)
		case 1:
			in = strings.ToUpper(in)
		}
		g.oldRow(c, in, "messy")
	}
	// 2025 communes written without their type word.
	for n := 0; n < 20; {
		all := d.order[Era2025][LevelCommune]
		c := all[g.rng.IntN(len(all))]
		if !g.uniqueNew(c) || isNumber(c.key) {
			continue
		}
		p := d.get(Era2025, LevelProvince, c.province)
		g.add(joinAddress(g.street(), bare(c.Name), bare(p.Name)), StatusResolved, []Unit{c.Unit}, "", "new_bare", c.Name)
		n++
	}
	// Province aliases.
	aliases := map[string][]string{
		"01": {"HN", "Hà Nội", "TP. Hà Nội", "Ha Noi"},
		"79": {"TP.HCM", "TPHCM", "Sài Gòn", "HCM", "Tp. Hồ Chí Minh"},
		"77": {"BRVT", "Bà Rịa Vũng Tàu", "T. BR-VT"},
		"46": {"Huế", "Thừa Thiên Huế", "TT Huế", "TP Huế"},
		"66": {"Daklak", "Đắc Lắc"},
		"62": {"Kontum"},
		"48": {"Đà Nẵng", "TP Đà Nẵng"},
	}
	for _, code := range []string{"01", "79", "77", "46", "66", "62", "48", "01", "79", "77", "46", "79", "01", "46", "77"} {
		c := g.pickOld(code, false)
		cn, dn, _ := g.oldParts(c)
		as := aliases[code]
		g.oldRow(c, joinAddress(g.street(), cn, dn, as[g.rng.IntN(len(as))]), "alias")
	}
}
