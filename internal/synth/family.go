package synth

import "math"

// A cluster is one extended family: a founding couple, their descendants
// over up to five generations, and the people the descendants married
// ("outsiders", whose own parents are not in the cluster). The cluster is
// built as a family tree from the founders' birth onwards, with births,
// marriages, divorces and deaths drawn from the rates of demography.go;
// the living are then sorted into households (households.go). Only the
// current cluster is ever in memory.

// maxCluster bounds the people of one cluster; the fertile founders of
// the 1910s could otherwise have well over a hundred descendants.
const maxCluster = 240

// none marks a missing index.
const none = -1

type person struct {
	born, died        day
	married, divorced day // 0: never; divorced only when it happened
	male              bool
	outsider          bool // married into the cluster (or founded it)
	surname, middle   string
	given             string
	eth, religion     string
	father, mother    int32
	spouse            int32
	kids, nkids       int32 // the children of this person's marriage: p[kids : kids+nkids]
	birthOld          int32 // pre-2025 commune of birth registration
	birthNew          int32 // 2025 commune of birth registration, for births from 2025-07-01; else none
	hometown          int32 // pre-2025 commune of origin
	loc               int32 // the couple's home, for the married; else none
	parentsLoc        int32 // where the person was born into, none for outsiders

	// Filled in once the tree is complete.
	out   bool // in the output: alive, or died since the death cutoff
	pid   string
	unit  int32
	prec  precision
	rep   int32 // legal representative of a minor living apart from both parents
	temp  string
	house int32 // household index
	rel   string
}

// location is a home: a pre-2025 commune and the 2025 commune it is in.
type location struct {
	old, nw int32
}

type cluster struct {
	p    []person
	locs []location

	// households.go
	unitParent  []int32
	unitLoc     []int32
	unitFounder []int32
	hosts       []bool // units that took in newlyweds
	houses      []house
	members     []int32
	order       []int32
}

func (c *cluster) reset() {
	c.p = c.p[:0]
	c.locs = c.locs[:0]
	c.unitParent = c.unitParent[:0]
	c.unitLoc = c.unitLoc[:0]
	c.unitFounder = c.unitFounder[:0]
	c.houses = c.houses[:0]
	c.members = c.members[:0]
	c.order = c.order[:0]
}

func (c *cluster) add(p person) int32 {
	c.p = append(c.p, p)
	return int32(len(c.p) - 1)
}

func (g *Generator) addLoc(old int32) int32 {
	news := g.places.olds[old].news
	g.c.locs = append(g.c.locs, location{old: old, nw: news[g.r.intn(len(news))]})
	return int32(len(g.c.locs) - 1)
}

// alive reports whether p is alive on Today.
func (g *Generator) alive(p *person) bool { return p.died > g.today }

// buildCluster draws a new family cluster into g.c.
func (g *Generator) buildCluster() {
	c := &g.c
	c.reset()
	r := g.r
	pl := g.places
	prov := int16(pl.province.draw(r))
	home := pl.commune(r, prov)
	eth := pl.ethnic[prov].draw(r)
	reg := provinceTable[prov].region
	religion := g.religion(reg, eth)
	loc := g.addLoc(home)

	year := rootFirstYear + 5*g.rootYears.draw(r) + r.intn(5)
	born := dayOf(year, 1, 1) + day(r.intn(365))
	birth := home
	if !r.chance(0.8) {
		birth = pl.commune(r, prov)
	}
	man := g.newPerson(true, born, eth, religion, birth)
	m := &c.p[man]
	m.outsider = true
	m.parentsLoc = none
	m.surname = g.names.surnameFor(r, eth)
	m.hometown = birth
	if !r.chance(0.75) {
		m.hometown = pl.commune(r, prov)
	}
	if r.chance(neverMarry) {
		g.lifeFrom(man, 0)
		return
	}
	age := marriageAge(r, true, year)
	wed := born + yearsDays(age)
	g.lifeFrom(man, age)
	if wed > g.today {
		return
	}
	wife := g.outsiderSpouse(man, wed, loc)
	g.marry(man, wife, wed, loc)
	g.family(man, wife)
}

// newPerson adds someone born on born, of ethnicity eth and religion,
// registered at birth in pre-2025 commune birth (or its 2025 successor
// for births from the reform on, when loc is known).
func (g *Generator) newPerson(male bool, born day, eth, religion string, birth int32) int32 {
	year := born.year()
	p := person{
		born: born, male: male, eth: eth, religion: religion,
		father: none, mother: none, spouse: none, kids: none,
		birthOld: birth, birthNew: none, hometown: birth, loc: none, parentsLoc: none,
		unit: none, rep: none, house: none,
		middle: g.names.middleName(g.r, male, year),
		given:  g.names.givenName(g.r, male),
	}
	return g.c.add(p)
}

// lifeFrom draws the death of person i, known to be alive at age from.
func (g *Generator) lifeFrom(i int32, from float64) {
	p := &g.c.p[i]
	if from == 0 && g.r.chance(infantDeathRate(p.born.year())) {
		p.died = p.born + day(g.r.intn(5*365))
		return
	}
	at := ageAtDeath(g.r, p.male, from)
	if year := p.born.year(); p.male && from < 28 && g.r.chance(warDeathRate(year)) {
		// A death in the wars, between 18 and 28 and within 1946–1975.
		lo := math.Max(math.Max(18, from), float64(1946-year))
		hi := math.Min(28, float64(1975-year))
		if lo < hi {
			at = math.Min(at, lo+g.r.float()*(hi-lo))
		}
	}
	p.died = p.born + yearsDays(math.Min(at, 110))
}

// outsiderSpouse adds the person that i marries on wed, born and raised
// outside the cluster; loc is the couple's home.
func (g *Generator) outsiderSpouse(i int32, wed day, loc int32) int32 {
	r := g.r
	pl := g.places
	d := g.c.p[i]
	gap := yearsDays(math.Max(-3, math.Min(12, r.normal(3.5, 3)))) // husband older by gap
	var born day
	var minAge float64
	if d.male {
		born, minAge = d.born+gap, 18
	} else {
		born, minAge = d.born-gap, 20
	}
	if wed-born < yearsDays(minAge) {
		born = wed - yearsDays(minAge) - day(r.intn(3*365))
	}
	home := g.c.locs[loc].old
	prov := pl.olds[home].prov
	var birth int32
	switch u := r.float(); {
	case u < 0.1:
		birth = home
	case u < 0.7:
		birth = pl.commune(r, prov)
	default:
		birth = pl.anyCommune(r)
	}
	eth := d.eth // most marry within their group
	if !r.chance(0.92) {
		eth = pl.ethnic[pl.olds[birth].prov].draw(r)
	}
	religion := d.religion
	if !r.chance(0.8) {
		religion = g.religion(pl.region(birth), eth)
	}
	s := g.newPerson(!d.male, born, eth, religion, birth)
	sp := &g.c.p[s]
	sp.outsider = true
	sp.surname = g.names.surnameFor(r, eth)
	if !r.chance(0.75) {
		sp.hometown = pl.commune(r, pl.olds[birth].prov)
	}
	g.lifeFrom(s, float64(wed-born)/daysPerYear)
	if r.chance(inLawParents) {
		g.addParents(s)
	}
	return s
}

// addParents adds the parents of outsider i: a couple married before i's
// birth at i's birthplace, i their only child in the cluster.
func (g *Generator) addParents(i int32) {
	r := g.r
	c := &g.c
	if len(c.p)+2 > maxCluster {
		return
	}
	child := c.p[i]
	mBorn := child.born - yearsDays(math.Max(18.2, math.Min(44, r.normal(26, 5))))
	gap := yearsDays(math.Max(-3, math.Min(12, r.normal(3.5, 3))))
	fBorn := mBorn - gap
	if child.born-fBorn < yearsDays(20.2) {
		fBorn = child.born - yearsDays(20.2) - day(r.intn(3*365))
	}
	if fBorn < dayOf(1900, 1, 1) || mBorn < dayOf(1900, 1, 1) {
		return
	}
	wed := max(child.born-yearsDays(0.8+r.exp(2)), mBorn.addYears(18), fBorn.addYears(20))
	if wed >= child.born {
		wed = child.born - 200
	}
	loc := g.addLoc(child.birthOld)
	f := g.newPerson(true, fBorn, child.eth, child.religion, child.birthOld)
	m := g.newPerson(false, mBorn, child.eth, child.religion, child.birthOld)
	c.p[f].surname, c.p[f].hometown = child.surname, child.hometown
	c.p[m].surname = g.names.surnameFor(r, child.eth)
	for _, k := range []int32{f, m} {
		c.p[k].outsider = true
		c.p[k].birthOld = g.places.commune(r, g.places.olds[child.birthOld].prov)
		c.p[k].kids, c.p[k].nkids = i, 1
	}
	g.lifeFrom(f, float64(child.born-270-fBorn)/daysPerYear)
	g.lifeFrom(m, float64(child.born-mBorn)/daysPerYear)
	g.marry(f, m, wed, loc)
	if d := c.p[f].divorced; d != 0 && d < child.born {
		c.p[f].divorced, c.p[m].divorced = 0, 0 // not before their child's birth
	}
	c.p[i].father, c.p[i].mother = f, m
	c.p[i].parentsLoc = loc
	g.youngerSiblings(i, f, m)
}

// youngerSiblings adds the brothers and sisters of outsider i born after
// i and still young enough to be unmarried at home; older ones would have
// families of their own, which the cluster leaves out. The parents' kids
// range keeps listing i alone: the siblings never marry in the cluster.
func (g *Generator) youngerSiblings(i, f, m int32) {
	c := &g.c
	r := g.r
	father, mother := c.p[f], c.p[m]
	want := childCount(r, completedFertility(mother.born.year())) - 1
	end := min(g.today, mother.born.addYears(45), mother.died, father.died+270)
	if mother.divorced != 0 {
		end = min(end, mother.divorced)
	}
	t := c.p[i].born + yearsDays(1.2+r.exp(1.8))
	for k := 0; k < want && t <= end && len(c.p) < maxCluster; k++ {
		if ageOn(t, g.today) < 23 {
			male := r.chance(maleShareAtBirth(t.year()))
			s := g.newPerson(male, t, father.eth, father.religion, father.birthOld)
			p := &c.p[s]
			if t >= g.reform {
				p.birthNew = c.locs[mother.loc].nw
			}
			p.birthOld = c.locs[mother.loc].old
			p.father, p.mother = f, m
			p.surname, p.hometown = father.surname, father.hometown
			p.parentsLoc = mother.loc
			g.lifeFrom(s, 0)
		}
		t += yearsDays(1.2 + r.exp(1.8))
	}
}

// marry records the marriage of a and b on wed, living at loc, and
// whether and when it ends in divorce.
func (g *Generator) marry(a, b int32, wed day, loc int32) {
	c := &g.c
	pa, pb := &c.p[a], &c.p[b]
	pa.spouse, pb.spouse = b, a
	pa.married, pb.married = wed, wed
	pa.loc, pb.loc = loc, loc
	if g.r.chance(divorceRate(wed.year())) {
		d := wed + yearsDays(2+g.r.float()*18)
		if d <= g.today && d < pa.died && d < pb.died {
			pa.divorced, pb.divorced = d, d
		}
	}
}

// family draws the children of the couple f (husband) and m (wife), then
// their lives: marriages and, recursively, their children.
func (g *Generator) family(f, m int32) {
	c := &g.c
	r := g.r
	father, mother := c.p[f], c.p[m]
	n := childCount(r, completedFertility(mother.born.year()))
	end := min(g.today, mother.born.addYears(45), mother.died, father.died+270)
	if mother.divorced != 0 {
		end = min(end, mother.divorced)
	}
	t := max(mother.married+yearsDays(0.3+r.exp(1.2)), mother.born.addYears(18)+1)
	first := int32(len(c.p))
	loc := mother.loc
	for k := 0; k < n && t <= end && len(c.p) < maxCluster; k++ {
		male := r.chance(maleShareAtBirth(t.year()))
		birth := c.locs[loc].old
		i := g.newPerson(male, t, father.eth, father.religion, birth)
		p := &c.p[i]
		if t >= g.reform {
			p.birthNew = c.locs[loc].nw
		}
		p.father, p.mother = f, m
		p.surname = father.surname
		p.hometown = father.hometown
		p.parentsLoc = loc
		g.distinctGiven(i, first)
		g.lifeFrom(i, 0)
		t += yearsDays(1.2 + r.exp(1.8))
	}
	count := int32(len(c.p)) - first
	c.p[f].kids, c.p[f].nkids = first, count
	c.p[m].kids, c.p[m].nkids = first, count
	for i := first; i < first+count; i++ {
		g.growUp(i)
	}
}

// distinctGiven redraws the given name of child i until it differs from
// those of its elder siblings (p[first:i]).
func (g *Generator) distinctGiven(i, first int32) {
	c := &g.c
	for try := 0; try < 8; try++ {
		clash := false
		for j := first; j < i; j++ {
			if c.p[j].given == c.p[i].given {
				clash = true
				break
			}
		}
		if !clash {
			return
		}
		c.p[i].given = g.names.givenName(g.r, c.p[i].male)
	}
}

// growUp decides whether descendant i marries, and if so brings in the
// spouse and draws the couple's children.
func (g *Generator) growUp(i int32) {
	c := &g.c
	r := g.r
	if len(c.p) >= maxCluster || r.chance(neverMarry) {
		return
	}
	p := c.p[i]
	wed := p.born + yearsDays(marriageAge(r, p.male, p.born.year()))
	if wed > g.today || wed >= p.died {
		return
	}
	loc := g.coupleHome(p.parentsLoc, p.male)
	s := g.outsiderSpouse(i, wed, loc)
	f, m := i, s
	if !p.male {
		f, m = s, i
	}
	g.marry(f, m, wed, loc)
	g.family(f, m)
}

// coupleHome decides where a newly married descendant settles, relative
// to the parents' home: sons mostly stay in the parents' commune, daughters
// mostly move to the husband's.
func (g *Generator) coupleHome(parents int32, male bool) int32 {
	r := g.r
	home := g.c.locs[parents].old
	same, province := 0.3, 0.85
	if male {
		same, province = 0.6, 0.9
	}
	switch u := r.float(); {
	case u < same:
		g.c.locs = append(g.c.locs, g.c.locs[parents])
		return int32(len(g.c.locs) - 1)
	case u < province:
		return g.addLoc(g.places.commune(r, g.places.olds[home].prov))
	}
	return g.addLoc(g.elsewhere(home))
}

// elsewhere draws a commune in another province than that of home: half
// the time where migrants from home's region go, else anywhere by
// population.
func (g *Generator) elsewhere(home int32) int32 {
	pl := g.places
	r := g.r
	prov := pl.olds[home].prov
	for try := 0; try < 4; try++ {
		var c int32
		if r.chance(0.5) {
			d := &pl.dest[provinceTable[prov].region]
			c = pl.commune(r, d.provs[d.a.draw(r)])
		} else {
			c = pl.anyCommune(r)
		}
		if pl.olds[c].prov != prov {
			return c
		}
	}
	return pl.commune(r, prov)
}

// childCount draws the number of children a couple wants, around mean.
func childCount(r rng, mean float64) int {
	if r.chance(0.04) {
		return 0
	}
	n := int(mean)
	if r.chance(mean - float64(n)) {
		n++
	}
	switch u := r.float(); {
	case u < 0.15:
		n--
	case u < 0.30:
		n++
	case u < 0.35 && mean >= 3:
		n += 2
	}
	return max(n, 1)
}

// religion draws a family's religion in a region; Khmer are Theravada
// Buddhists and a third of the Chăm Muslims (2019 census).
func (g *Generator) religion(reg region, eth string) string {
	r := g.r
	switch eth {
	case "05":
		if r.chance(0.9) {
			return "Phật giáo"
		}
	case "17":
		if r.chance(0.35) {
			return "Hồi giáo"
		}
	}
	if r.chance(g.places.religionP[reg]) {
		return g.places.religion[reg].draw(r)
	}
	return ""
}
