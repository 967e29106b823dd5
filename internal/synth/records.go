package synth

import (
	"slices"

	"dancu/internal/registry"
)

// writeCluster completes the current cluster — who is in the register,
// households, numbers, addresses, migrants — and writes its records to
// g.out: the deceased first, oldest first, then the households.
func (g *Generator) writeCluster() {
	c := &g.c
	r := g.r
	first1900 := dayOf(1900, 1, 1)
	for i := range c.p {
		p := &c.p[i]
		p.out = p.born >= first1900 && (g.alive(p) || p.died >= g.cutoff)
	}
	g.formHouseholds()
	for i := range c.p {
		p := &c.p[i]
		if !p.out {
			continue
		}
		year := p.born.year()
		p.prec = partialBirthDate(r, year)
		p.pid = g.pids.next(g.birthPrefix(p), p.male, year)
	}
	addrs := g.houseAddresses()
	g.migrate()

	// The deceased, oldest first.
	c.order = c.order[:0]
	for i := range c.p {
		if p := &c.p[i]; p.out && !g.alive(p) {
			c.order = append(c.order, int32(i))
		}
	}
	slices.SortStableFunc(c.order, func(a, b int32) int { return int(c.p[a].born - c.p[b].born) })
	for _, i := range c.order {
		g.out = append(g.out, g.record(i, "", "", false))
	}
	for h := range c.houses {
		id := uuid(r)
		for _, i := range c.houses[h].members {
			g.out = append(g.out, g.record(i, id, addrs[h], g.housePre[h]))
		}
	}
}

// birthPrefix is the PID prefix of p: "0" and the pre-2025 province of the
// birth registration.
func (g *Generator) birthPrefix(p *person) string {
	if p.birthNew != none {
		return g.places.news[p.birthNew].pidPrefix
	}
	return g.places.provPrefix[g.places.olds[p.birthOld].prov]
}

// houseAddresses writes the permanent address of every household: a
// street in its commune, in 2025 units or, for a few, in the units before.
func (g *Generator) houseAddresses() []string {
	c := &g.c
	g.addrs, g.housePre = g.addrs[:0], g.housePre[:0]
	for _, h := range c.houses {
		pre := g.r.chance(pre2025AddressShare)
		g.addrs = append(g.addrs, g.address(c.locs[h.loc], pre))
		g.housePre = append(g.housePre, pre)
	}
	return g.addrs
}

// address writes a street and the commune of loc, in pre-2025 units when
// pre is set.
func (g *Generator) address(loc location, pre bool) string {
	pl := g.places
	old := &pl.olds[loc.old]
	urban, text := pl.news[loc.nw].urban, pl.news[loc.nw].text
	if pre {
		urban, text = old.urban, old.text
	}
	b := appendStreet(g.buf[:0], g.r, provinceTable[old.prov].region, urban)
	b = append(append(b, ", "...), text...)
	g.buf = b
	return string(b)
}

// migrate gives some adults a temporary (and current) address in another
// province, where they work; a spouse follows half the time, and young
// children of a migrant couple sometimes.
func (g *Generator) migrate() {
	c := &g.c
	r := g.r
	pl := g.places
	for h := range c.houses {
		home := c.locs[c.houses[h].loc].old
		reg := pl.region(home)
		scale := migrantPropensity[reg]
		for _, i := range c.houses[h].members {
			p := &c.p[i]
			if p.temp != "" || !r.chance(migrantRate(ageOn(p.born, g.today))*scale) {
				continue
			}
			dest := g.destination(home)
			if dest == none {
				continue
			}
			news := pl.news
			nw := pl.olds[dest].news[r.intn(len(pl.olds[dest].news))]
			b := appendLodging(g.buf[:0], r, pl.region(dest))
			b = append(append(b, ", "...), news[nw].text...)
			g.buf = b
			p.temp = string(b)
			s := g.currentSpouse(i)
			if s != none && c.p[s].house == int32(h) && c.p[s].temp == "" && r.chance(0.5) {
				c.p[s].temp = p.temp
			}
			for k := p.kids; k >= 0 && k < p.kids+p.nkids; k++ {
				kid := &c.p[k]
				if kid.out && kid.house == int32(h) && kid.temp == "" && ageOn(kid.born, g.today) < 15 &&
					(s == none || c.p[s].temp == p.temp) && r.chance(0.3) {
					kid.temp = p.temp
				}
			}
		}
	}
}

// destination draws a commune where migrants from home's region work,
// outside home's province (as it is since 2025: Bình Dương is now part of
// Hồ Chí Minh City); none if the draws keep landing at home.
func (g *Generator) destination(home int32) int32 {
	pl := g.places
	prov := pl.olds[home].prov
	d := &pl.dest[provinceTable[prov].region]
	for try := 0; try < 3; try++ {
		if to := d.provs[d.a.draw(g.r)]; pl.province25[to] != pl.province25[prov] {
			return pl.commune(g.r, to)
		}
	}
	return none
}

var bloodTypeText = [4][3]string{ // by type: plain, Rh+, Rh−
	{"O", "O+", "O-"}, {"B", "B+", "B-"}, {"A", "A+", "A-"}, {"AB", "AB+", "AB-"},
}

// record writes person i; household id and address are empty for the
// deceased; pre reports an address in pre-2025 units.
func (g *Generator) record(i int32, household, address string, pre bool) registry.Record {
	c := &g.c
	r := g.r
	pl := g.places
	p := &c.p[i]
	alive := g.alive(p)
	year := p.born.year()
	rec := registry.Record{
		PID:                    p.pid,
		FullName:               g.fullName(p),
		DateOfBirth:            g.date(p.born, p.prec),
		Gender:                 "female",
		Ethnicity:              p.eth,
		Religion:               p.religion,
		Nationality:            "VN",
		BirthRegistrationPlace: pl.olds[p.birthOld].text,
		HouseholdID:            household,
		RelationToHead:         p.rel,
		Status:                 "alive",
		PermanentAddress:       address,
		TemporaryAddress:       p.temp,
		CurrentAddress:         p.temp,
	}
	if p.male {
		rec.Gender = "male"
	}
	if p.birthNew != none {
		rec.BirthRegistrationPlace = pl.news[p.birthNew].text
	}
	at := g.today
	if !alive {
		at = p.died
		rec.Status = "deceased"
		rec.DateOfDeath = g.date(p.died, precDay)
		rec.RelationToHead = ""
		loc := p.loc
		if loc == none {
			loc = p.parentsLoc
		}
		if loc != none {
			rec.PermanentAddress = g.address(c.locs[loc], p.died < g.reform || r.chance(pre2025AddressShare))
		}
	}
	if !alive {
		pre = p.died < g.reform
	}
	if !r.chance(missingHometown(year)) {
		h := &pl.olds[p.hometown]
		if pre {
			rec.Hometown = h.text
		} else {
			rec.Hometown = pl.news[h.news[0]].text
		}
	}
	rec.MaritalStatus = g.marital(p, at)
	if rec.MaritalStatus == "married" && alive {
		rec.SpousePID = c.p[p.spouse].pid
	}
	if p.father != none && c.p[p.father].out {
		rec.FatherPID = c.p[p.father].pid
	}
	if p.mother != none && c.p[p.mother].out {
		rec.MotherPID = c.p[p.mother].pid
	}
	if p.rep != none && c.p[p.rep].out {
		rec.LegalRepresentativePID = c.p[p.rep].pid
	}
	if r.chance(bloodTypeShare) {
		t := g.blood.draw(r)
		rh := 0
		switch u := r.float(); {
		case u < 0.001:
			rh = 2
		case u < 0.4:
			rh = 1
		}
		rec.BloodType = bloodTypeText[t][rh]
	}
	if year < 1995 && r.chance(0.7) {
		rec.OldIDNumber = g.oldIDs.next(oldIDSeries[provinceTable[pl.olds[p.birthOld].prov].code])
	}
	if alive {
		age := ageOn(p.born, g.today)
		if age >= 14 && r.chance(cardShare(age)) {
			if d, ok := g.cardIssued(p.born, p.prec); ok {
				rec.IDCardIssueDate = g.date(d, precDay)
			}
		}
		if age >= 15 && r.chance(phoneShare(age)) {
			rec.Phone = g.phones.next()
		}
		if age >= 15 && age <= 60 && r.chance(emailShare(age)) {
			g.emails++
			rec.Email = email(r, p.surname, p.middle, p.given, year, g.emails)
		}
	}
	return rec
}

func (g *Generator) fullName(p *person) string {
	b := append(g.buf[:0], p.surname...)
	if p.middle != "" {
		b = append(append(b, ' '), p.middle...)
	}
	b = append(append(b, ' '), p.given...)
	g.buf = b
	return string(b)
}

func (g *Generator) date(d day, p precision) string {
	b := appendDate(g.buf[:0], d, p)
	g.buf = b
	return string(b)
}

// marital is p's marital status on day at.
func (g *Generator) marital(p *person, at day) string {
	switch {
	case p.married == 0 || p.married > at:
		return "single"
	case p.divorced != 0 && p.divorced <= at:
		return "divorced"
	case g.c.p[p.spouse].died <= at:
		return "widowed"
	}
	return "married"
}

// cardShare is the share of people of an age holding an identity card:
// nearly everyone of working age since the 2021 campaign, fewer of the
// very old (estimates).
func cardShare(age int) float64 {
	switch {
	case age < 80:
		return 0.92
	}
	return 0.7
}

// phoneShare is the share of people of an age with a mobile number in the
// register (about 90 % of adults own a mobile phone; estimates by age).
func phoneShare(age int) float64 {
	switch {
	case age < 18:
		return 0.6
	case age < 70:
		return 0.92
	case age < 80:
		return 0.7
	}
	return 0.4
}

// emailShare is the share of people of an age with an email address in
// the register (few give one; estimates).
func emailShare(age int) float64 {
	if age >= 18 && age <= 40 {
		return 0.12
	}
	return 0.05
}

// cardIssued draws the issue date of the identity card of someone born on
// born: most chip cards were issued in the 2021–2022 campaign, the rest
// since 2016 and in the following years; a card is issued from the 14th
// birthday and renewed after the 25th, 40th and 60th (Law on
// Identification 2023, Art. 21), unless issued within two years before.
func (g *Generator) cardIssued(born day, prec precision) (day, bool) {
	r := g.r
	last := lastDay(born, prec)
	earliest := max(dayOf(2016, 1, 1), last.addYears(14))
	if earliest > g.today {
		return 0, false
	}
	var d day
	switch u := r.float(); {
	case u < 0.10:
		d = dayOf(2016, 1, 1) + day(r.intn(5*365))
	case u < 0.45:
		d = dayOf(2021, 1, 1) + day(r.intn(365))
	case u < 0.65:
		d = dayOf(2022, 1, 1) + day(r.intn(365))
	case u < 0.77:
		d = dayOf(2023, 1, 1) + day(r.intn(365))
	case u < 0.87:
		d = dayOf(2024, 1, 1) + day(r.intn(365))
	case u < 0.95:
		d = dayOf(2025, 1, 1) + day(r.intn(365))
	default:
		d = dayOf(2026, 1, 1) + day(r.intn(365))
	}
	if d < earliest {
		d = earliest + day(r.intn(365))
	}
	for _, a := range []int{60, 40, 25} {
		if b := last.addYears(a); b <= g.today {
			if d < b.addYears(-2) {
				d = b + day(r.intn(300))
			}
			break
		}
	}
	if d > g.today {
		d = max(earliest, g.today-day(r.intn(60)))
	}
	return d, true
}
