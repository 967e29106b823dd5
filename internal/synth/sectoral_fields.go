package synth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"dancu/internal/adminunit"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// How a dataset row is written from a record, and the noise. Every field
// draws its missing value first; the other noises of the field are drawn
// among the rows where the value is there, each group of exclusiveNoises
// from one number (so that a rate is the rate among the rows the noise
// can apply to), the rest independently.

// subject is what a row is written from: a citizen's record or a made-up
// person's.
type subject struct {
	rec   *registry.Record
	e     eligibility
	fake  bool
	extra bool // a further row of a citizen who has one already
}

// citizenRow writes a row of the citizen of rec; extra marks a repeat.
func (d *Deriver) citizenRow(rec *registry.Record, e eligibility, extra bool) pending {
	return d.row(subject{rec: rec, e: e, extra: extra})
}

// fakeRow writes a row of a made-up person: born in a year drawn like the
// eligible living of the input, with a name from the name tables, a PID
// of the right shape for them that no citizen of the input holds, and an
// address in a real commune.
func (d *Deriver) fakeRow() pending {
	r := d.r
	pl := d.places
	male := r.chance(0.5)
	year := firstFakeYear + d.fakeYear.draw(r)
	born := dayOf(year, 1, 1) + day(r.intn(365))
	if latest := d.asOf.addYears(-minAge) - 1; born > latest {
		born = latest - day(r.intn(365))
	}
	year = born.year()
	prec := precDay
	switch u := r.float(); {
	case u < 0.03:
		prec = precYear
	case u < 0.04:
		prec = precMonth
	}
	var pid string
	for {
		pid = d.fakePIDs.next(pl.provPrefix[pl.province.draw(r)], male, year)
		if !d.inInput(pid) {
			break
		}
	}
	name := d.names.surname.draw(r)
	if m := d.names.middleName(r, male, year); m != "" {
		name += " " + m
	}
	name += " " + d.names.givenName(r, male)
	o := pl.anyCommune(r)
	rec := registry.Record{
		PID:              pid,
		FullName:         name,
		DateOfBirth:      string(appendDate(nil, born, prec)),
		Gender:           "female",
		Status:           "alive",
		PermanentAddress: d.writeAddress(o, pl.olds[o].news[r.intn(len(pl.olds[o].news))], r.chance(pre2025AddressShare)),
	}
	if male {
		rec.Gender = "male"
	}
	e := eligibility{ok: true, born: born, prec: prec, end: d.asOf}
	return d.row(subject{rec: &rec, e: e, fake: true})
}

// row writes the row of s with its noise.
func (d *Deriver) row(s subject) pending {
	d.applied = d.applied[:0]
	v := make([]string, len(d.columns))
	v[colID] = d.idNumber(&s)
	v[colName] = d.fullName(s.rec.FullName)
	v[colBirth] = d.birthDate(&s)
	v[colGender] = d.gender(s.rec.Gender)
	v[colAddress] = d.address(s.rec)
	v[colPhone] = d.phone(&s)
	if d.cfg.Kind == Telecom {
		v[colActivated] = d.activated(&s)
	}
	p := pending{values: v, deceased: s.e.dead, fake: s.fake}
	if !s.fake {
		p.pid = s.rec.PID
	}
	if len(d.applied) > 0 {
		b := d.buf[:0]
		for i, id := range d.applied {
			if i > 0 {
				b = append(b, ';')
			}
			b = append(b, noiseTable[id].name...)
		}
		d.buf = b
		p.noise = string(b)
	}
	return p
}

// chance draws noise id and, when drawn, records it as applied.
func (d *Deriver) chance(id noiseID) bool {
	if d.r.chance(d.cfg.Noise.rate[id]) {
		d.applied = append(d.applied, id)
		return true
	}
	return false
}

// drawOne draws at most one noise of a group that exclude each other: the
// one whose share of [0, 1) a single draw falls in. The caller records it
// with apply once it has applied it.
func (d *Deriver) drawOne(group ...noiseID) (noiseID, bool) {
	u := d.r.float()
	for _, id := range group {
		r := d.cfg.Noise.rate[id]
		if u < r {
			return id, true
		}
		u -= r
	}
	return 0, false
}

func (d *Deriver) apply(id noiseID) { d.applied = append(d.applied, id) }

// idNumber writes the ID column: the PID, or an old ID number, or a
// mistyped one, or nothing. A made-up person's mistyped PID that turns
// out to be a citizen's stays unmistyped, so that the row still names no
// one.
func (d *Deriver) idNumber(s *subject) string {
	id := s.rec.PID
	if d.chance(noiseIDMissing) {
		return ""
	}
	n, ok := d.drawOne(noiseIDOld, noiseIDTransposed, noiseIDTypo)
	if !ok {
		return id
	}
	out := id
	switch n {
	case noiseIDOld:
		out = s.rec.OldIDNumber
	case noiseIDTransposed:
		out = transposeDigits(d.r, id)
	case noiseIDTypo:
		out = mistypeDigit(d.r, id)
	}
	if out == "" || out == id || (s.fake && d.inInput(out)) {
		return id
	}
	d.apply(n)
	return out
}

// transposeDigits swaps two adjacent digits that differ; s unchanged if
// none do.
func transposeDigits(r rng, s string) string {
	var at []int
	for i := 0; i+1 < len(s); i++ {
		if s[i] != s[i+1] {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	i := at[r.intn(len(at))]
	b := []byte(s)
	b[i], b[i+1] = b[i+1], b[i]
	return string(b)
}

// mistypeDigit replaces one digit with another.
func mistypeDigit(r rng, s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	i := r.intn(len(b))
	if b[i] < '0' || b[i] > '9' {
		return s
	}
	b[i] = '0' + byte((int(b[i]-'0')+1+r.intn(9))%10)
	return string(b)
}

// fullName writes the name column.
func (d *Deriver) fullName(name string) string {
	if name == "" || d.chance(noiseNameMissing) {
		return ""
	}
	if n, ok := d.drawOne(noiseNameTypo, noiseNameMiddleDropped, noiseNameMiddleSwapped); ok {
		out := name
		switch w := strings.Fields(name); n {
		case noiseNameTypo:
			out = nameTypo(d.r, name)
		case noiseNameMiddleDropped:
			if len(w) >= 3 { // surname, middle names, given name
				i := 1 + d.r.intn(len(w)-2)
				out = strings.Join(append(w[:i:i], w[i+1:]...), " ")
			}
		case noiseNameMiddleSwapped:
			if len(w) >= 4 {
				i := 1 + d.r.intn(len(w)-3)
				w[i], w[i+1] = w[i+1], w[i]
				out = strings.Join(w, " ")
			}
		}
		if out != name {
			name = out
			d.apply(n)
		}
	}
	if d.r.chance(d.cfg.Noise.rate[noiseNameNoDiacritics]) {
		if out := stripDiacritics(name); out != name {
			name = out
			d.apply(noiseNameNoDiacritics)
		}
	}
	if d.r.chance(d.cfg.Noise.rate[noiseNameUpper]) {
		if out := strings.ToUpper(name); out != name {
			name = out
			d.apply(noiseNameUpper)
		}
	}
	return name
}

// keyboardNeighbours gives the letters next to each on a QWERTY keyboard,
// which Vietnamese is typed on (Telex, VNI).
var keyboardNeighbours = [26]string{
	"qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn",
	"jiolm", "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy",
	"yhji", "cfgb", "qase", "zsdc", "tghu", "asx",
}

// nameTypo substitutes, drops or doubles one letter of name: a neighbour
// on the keyboard (losing the letter's diacritics, as a slip does), never
// the only letter of a syllable dropped.
func nameTypo(r rng, name string) string {
	runes := []rune(name)
	var letters []int
	for i, c := range runes {
		if unicode.IsLetter(c) {
			letters = append(letters, i)
		}
	}
	if len(letters) == 0 {
		return name
	}
	i := letters[r.intn(len(letters))]
	c := runes[i]
	alone := (i == 0 || !unicode.IsLetter(runes[i-1])) && (i+1 == len(runes) || !unicode.IsLetter(runes[i+1]))
	switch op := r.intn(3); {
	case op == 1 && !alone: // dropped
		return string(append(runes[:i:i], runes[i+1:]...))
	case op == 2: // doubled
		return string(append(runes[:i+1:i+1], runes[i:]...))
	}
	base := 'e'
	if f := vntext.Fold(string(c)); len(f) == 1 && f[0] >= 'a' && f[0] <= 'z' {
		base = rune(f[0])
	}
	nb := keyboardNeighbours[base-'a']
	sub := rune(nb[r.intn(len(nb))])
	if unicode.IsUpper(c) {
		sub = unicode.ToUpper(sub)
	}
	runes[i] = sub
	return string(runes)
}

// stripDiacritics writes name without its diacritics, keeping the case:
// "Đặng Thị Ánh" → "Dang Thi Anh".
func stripDiacritics(name string) string {
	b := make([]byte, 0, len(name))
	for _, c := range name {
		if c < utf8.RuneSelf {
			b = append(b, byte(c))
			continue
		}
		f := vntext.Fold(string(c))
		if len(f) != 1 {
			b = utf8.AppendRune(b, c)
			continue
		}
		l := f[0]
		if unicode.IsUpper(c) && l >= 'a' && l <= 'z' {
			l -= 'a' - 'A'
		}
		b = append(b, l)
	}
	return string(b)
}

// birthDate writes the date of birth as dd/mm/yyyy (mm/yyyy, yyyy for a
// partial date).
func (d *Deriver) birthDate(s *subject) string {
	if s.rec.DateOfBirth == "" || d.chance(noiseDOBMissing) {
		return ""
	}
	y, m, dd := s.e.born.civil()
	prec := s.e.prec
	if n, ok := d.drawOne(noiseDOBSwapped, noiseDOBYearOnly, noiseDOBYearOff); ok {
		switch n {
		case noiseDOBSwapped:
			ok = prec == precDay && dd <= 12 && m <= 12 && dd != m
			dd, m = m, dd
		case noiseDOBYearOnly:
			ok = prec != precYear
			prec = precYear
		case noiseDOBYearOff:
			if d.r.chance(0.5) {
				y++
			} else {
				y--
			}
			if m == 2 && dd == 29 && !leap(y) {
				dd = 28
			}
		}
		if !ok {
			y, m, dd = s.e.born.civil()
			prec = s.e.prec
		} else {
			d.apply(n)
		}
	}
	return string(appendDMY(make([]byte, 0, 10), y, m, dd, prec))
}

// appendDMY writes a date the way Vietnamese agencies do: dd/mm/yyyy,
// mm/yyyy or yyyy.
func appendDMY(b []byte, y, m, d int, p precision) []byte {
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10), '/') }
	switch p {
	case precDay:
		b = two(two(b, d), m)
	case precMonth:
		b = two(b, m)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

// gender writes Nam (male) or Nữ (female).
func (d *Deriver) gender(g string) string {
	var out, other string
	switch g {
	case "male":
		out, other = "Nam", "Nữ"
	case "female":
		out, other = "Nữ", "Nam"
	default:
		return ""
	}
	if d.chance(noiseGenderMissing) {
		return ""
	}
	if d.chance(noiseGenderWrong) {
		return other
	}
	return out
}

// address writes the address column: the register's current address,
// else the permanent one.
func (d *Deriver) address(rec *registry.Record) string {
	addr := rec.CurrentAddress
	if addr == "" {
		addr = rec.PermanentAddress
	}
	if addr == "" || d.chance(noiseAddressMissing) {
		return ""
	}
	if n, ok := d.drawOne(noiseAddressOldUnits, noiseAddressStale); ok {
		out := addr
		switch n {
		case noiseAddressOldUnits:
			out = d.oldUnitsAddress(addr)
		case noiseAddressStale:
			out = d.staleAddress(addr)
		}
		if out != addr {
			addr = out
			d.apply(n)
		}
	}
	if d.r.chance(d.cfg.Noise.rate[noiseAddressAbbreviated]) {
		if out := abbreviate(d.r, addr); out != addr {
			addr = out
			d.apply(noiseAddressAbbreviated)
		}
	}
	return addr
}

// communeRef is a commune of places: an index in olds when pre is set,
// else in news.
type communeRef struct {
	i   int32
	pre bool
}

// addressIndex finds the commune of an address fast: the register's
// addresses end in the Format text of a commune, which places holds.
type addressIndex struct {
	byText     map[string]communeRef
	byCode     map[adminunit.Era]map[string]int32
	formedFrom [][]int32 // for each of places.news, the olds it was formed from
}

func newAddressIndex(pl *places) addressIndex {
	x := addressIndex{
		byText:     make(map[string]communeRef, len(pl.olds)+len(pl.news)),
		byCode:     map[adminunit.Era]map[string]int32{adminunit.EraPre2025: {}, adminunit.Era2025: {}},
		formedFrom: make([][]int32, len(pl.news)),
	}
	// 2025 communes last: a text both maps share reads as 2025, as
	// adminunit.ParseFormatted has it.
	for i, o := range pl.olds {
		x.byText[o.text] = communeRef{int32(i), true}
		x.byCode[adminunit.EraPre2025][o.code] = int32(i)
		for _, nw := range o.news {
			x.formedFrom[nw] = append(x.formedFrom[nw], int32(i))
		}
	}
	for i, n := range pl.news {
		x.byText[n.text] = communeRef{int32(i), false}
		x.byCode[adminunit.Era2025][n.code] = int32(i)
	}
	return x
}

// locate returns the street and commune of addr; ok is false when addr
// does not end in a commune's units.
func (d *Deriver) locate(addr string) (street string, c communeRef, ok bool) {
	for parts := 3; parts >= 2; parts-- {
		from := len(addr)
		for range parts {
			if from = strings.LastIndex(addr[:from], ", "); from < 0 {
				break
			}
		}
		if from < 0 {
			continue
		}
		if c, ok := d.addrs.byText[addr[from+2:]]; ok {
			return addr[:from], c, true
		}
	}
	// Written otherwise: adminunit reads it, slower.
	street, u, ok := d.dir.ParseFormatted(addr)
	if !ok {
		return "", communeRef{}, false
	}
	i, ok := d.addrs.byCode[u.Era][u.Code]
	return street, communeRef{i, u.Era == adminunit.EraPre2025}, ok
}

// oldUnitsAddress writes an address in 2025 units in the units before
// (one of the communes its commune was formed from), as lists collected
// before 2025-07-01 have it; other addresses are returned unchanged.
func (d *Deriver) oldUnitsAddress(addr string) string {
	street, c, ok := d.locate(addr)
	if !ok || c.pre || len(d.addrs.formedFrom[c.i]) == 0 {
		return addr
	}
	olds := d.addrs.formedFrom[c.i]
	text := d.places.olds[olds[d.r.intn(len(olds))]].text
	if street == "" {
		return text
	}
	return street + ", " + text
}

// sameProvinceMove is the share of moves within the province (an
// estimate; the 2019 census counts more movers within provinces than
// between them).
const sameProvinceMove = 0.6

// staleAddress writes where the person lived before moving to addr: a
// street in another commune, most often of the same province, in 2025
// units.
func (d *Deriver) staleAddress(addr string) string {
	r := d.r
	pl := d.places
	for try := 0; ; try++ {
		var o int32
		if provs := d.provincesOf(addr); len(provs) > 0 && r.chance(sameProvinceMove) {
			o = pl.commune(r, provs[r.intn(len(provs))])
		} else {
			o = pl.anyCommune(r)
		}
		out := d.writeAddress(o, pl.olds[o].news[r.intn(len(pl.olds[o].news))], false)
		if out != addr || try == 3 {
			return out
		}
	}
}

// provincesOf returns the pre-2025 provinces (indices in provinceTable)
// that make up the 2025 province of addr; nil when addr does not read.
func (d *Deriver) provincesOf(addr string) []int16 {
	_, c, ok := d.locate(addr)
	if !ok {
		return nil
	}
	o := c.i
	if !c.pre {
		olds := d.addrs.formedFrom[c.i]
		if len(olds) == 0 {
			return nil
		}
		o = olds[0]
	}
	return d.prov25[d.places.province25[d.places.olds[o].prov]]
}

// writeAddress writes a street and the commune: the 2025 commune nw, or
// the pre-2025 commune o it came from when pre is set.
func (d *Deriver) writeAddress(o, nw int32, pre bool) string {
	pl := d.places
	old := &pl.olds[o]
	urban, text := pl.news[nw].urban, pl.news[nw].text
	if pre {
		urban, text = old.urban, old.text
	}
	b := appendStreet(d.buf[:0], d.r, provinceTable[old.prov].region, urban)
	b = append(append(b, ", "...), text...)
	d.buf = b
	return string(b)
}

// unitAbbreviations are the short forms of the units' type words, in the
// three styles clerks write them: "P. Bến Nghé", "P.Bến Nghé", "P Bến
// Nghé". A province's "Tỉnh" is mostly left out.
var unitAbbreviations = []struct {
	full  string
	short [3]string
}{
	{"Thành phố ", [3]string{"TP. ", "Tp.", "Tp "}},
	{"Tỉnh ", [3]string{"T. ", "", ""}},
	{"Quận ", [3]string{"Q. ", "Q.", "Q "}},
	{"Huyện ", [3]string{"H. ", "H.", "H "}},
	{"Thị xã ", [3]string{"TX. ", "TX.", "TX "}},
	{"Thị trấn ", [3]string{"TT. ", "TT.", "TT "}},
	{"Phường ", [3]string{"P. ", "P.", "P "}},
	{"Xã ", [3]string{"X. ", "X.", "xã "}},
}

var hoChiMinhCity = [3]string{"TP. HCM", "TP.HCM", "Tp HCM"}

// abbreviate shortens the type words of the units in addr, all in one
// style.
func abbreviate(r rng, addr string) string {
	style := r.intn(3)
	parts := strings.Split(addr, ", ")
	for i, p := range parts {
		if p == "Thành phố Hồ Chí Minh" {
			parts[i] = hoChiMinhCity[style]
			continue
		}
		for _, a := range unitAbbreviations {
			if rest, ok := strings.CutPrefix(p, a.full); ok {
				parts[i] = a.short[style] + rest
				break
			}
		}
	}
	return strings.Join(parts, ", ")
}

// phone writes the phone column: the register's number, or another one
// of the person's (another SIM), or, when the register has none, a number
// no one in the input holds. In a telecom list a citizen's further rows
// are further SIMs, so they always have another number.
func (d *Deriver) phone(s *subject) string {
	if d.chance(noisePhoneMissing) {
		return ""
	}
	p := s.rec.Phone
	switch {
	case p == "":
		p = d.freshPhone()
	case s.extra && d.cfg.Kind == Telecom:
		p = d.freshPhone()
		d.apply(noisePhoneOther)
	case d.chance(noisePhoneOther):
		p = d.freshPhone()
	}
	if d.r.chance(d.cfg.Noise.rate[noisePhoneFormat]) {
		if out := formatPhone(d.r, p); out != p {
			p = out
			d.apply(noisePhoneFormat)
		}
	}
	return p
}

// freshPhone returns a mobile number that no one in the input holds and
// that the Deriver has not given before.
func (d *Deriver) freshPhone() string {
	for {
		p := d.freshPhones.next()
		if k, _ := phoneKey(p); !d.phones.has(k) {
			return p
		}
	}
}

// formatPhone writes a number 0xxxxxxxxx in another of the forms people
// write: +84xxxxxxxxx, 84xxxxxxxxx, 0xxx xxx xxx, +84 xxx xxx xxx,
// 0xxx.xxx.xxx.
func formatPhone(r rng, p string) string {
	if len(p) != 10 || p[0] != '0' {
		return p
	}
	switch r.intn(5) {
	case 0:
		return "+84" + p[1:]
	case 1:
		return "84" + p[1:]
	case 2:
		return p[:4] + " " + p[4:7] + " " + p[7:]
	case 3:
		return "+84 " + p[1:4] + " " + p[4:7] + " " + p[7:]
	}
	return p[:4] + "." + p[4:7] + "." + p[7:]
}

// activated writes the day a SIM was activated: from the holder's 14th
// birthday, at most twelve years back, to AsOf or the holder's death,
// more often recent.
func (d *Deriver) activated(s *subject) string {
	end := s.e.end
	start := max(lastDay(s.e.born, s.e.prec).addYears(minAge), end.addYears(-12))
	if start > end {
		start = end
	}
	u := d.r.float()
	at := start + day(float64(end-start+1)*(1-u*u)) // density rising towards end
	at = min(at, end)
	y, m, dd := at.civil()
	return string(appendDMY(make([]byte, 0, 10), y, m, dd, precDay))
}
