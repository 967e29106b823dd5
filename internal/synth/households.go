package synth

import "slices"

// Households (hộ gia đình) are formed from the living of a cluster in
// three steps. Every couple, and every widowed or divorced adult, starts a
// unit at the couple's home (half the divorced go back to their parents);
// never-married adults stay in their parents' unit or start their own;
// minors join their mother, else their father, else a grandparent or an
// adult sibling. Then units join: newlyweds often live with the groom's
// parents for their first years, and elderly parents move in with a
// married child (a son first), with a chance that grows with age and
// widowhood. The units so joined are the households.

// house is one household of the current cluster.
type house struct {
	head    int32
	members []int32 // head first; a window into cluster.members
	loc     int32
}

func (c *cluster) newUnit(founder, loc int32) int32 {
	c.unitParent = append(c.unitParent, int32(len(c.unitParent)))
	c.unitLoc = append(c.unitLoc, loc)
	c.unitFounder = append(c.unitFounder, founder)
	return int32(len(c.unitParent) - 1)
}

func (c *cluster) find(u int32) int32 {
	for c.unitParent[u] != u {
		c.unitParent[u] = c.unitParent[c.unitParent[u]]
		u = c.unitParent[u]
	}
	return u
}

// currentSpouse is i's living, undivorced spouse, or none.
func (g *Generator) currentSpouse(i int32) int32 {
	p := &g.c.p[i]
	if p.spouse == none || p.divorced != 0 {
		return none
	}
	if s := &g.c.p[p.spouse]; g.alive(s) {
		return p.spouse
	}
	return none
}

// formHouseholds sorts the living of the cluster into households.
func (g *Generator) formHouseholds() {
	c := &g.c
	r := g.r
	pl := g.places
	n := int32(len(c.p))
	age := func(i int32) int { return ageOn(c.p[i].born, g.today) }

	// Couples, the widowed and the divorced.
	for i := range n {
		p := &c.p[i]
		if !g.alive(p) || p.married == 0 || p.unit != none {
			continue
		}
		loc := p.loc
		if p.divorced != 0 {
			if parents := g.parentUnit(i); parents != none && r.chance(divorcedGoHome) {
				p.unit = parents
				continue
			}
			if p.outsider {
				// The one who married in leaves the couple's home.
				loc = g.addLoc(pl.commune(r, pl.olds[c.locs[p.loc].old].prov))
			}
		}
		p.unit = c.newUnit(i, loc)
		if s := g.currentSpouse(i); s != none {
			c.p[s].unit = p.unit
		}
	}
	// Never-married adults.
	for i := range n {
		p := &c.p[i]
		if !g.alive(p) || p.unit != none || age(i) < 18 {
			continue
		}
		parent := g.parentUnit(i)
		if parent != none && r.chance(stayHome(age(i))) {
			p.unit = parent
			continue
		}
		var loc int32
		if p.parentsLoc == none {
			loc = g.addLoc(p.birthOld)
		} else {
			home := c.locs[p.parentsLoc].old
			switch u := r.float(); {
			case u < 0.6:
				c.locs = append(c.locs, c.locs[p.parentsLoc])
				loc = int32(len(c.locs) - 1)
			case u < 0.9:
				loc = g.addLoc(pl.commune(r, pl.olds[home].prov))
			default:
				loc = g.addLoc(g.elsewhere(home))
			}
		}
		p.unit = c.newUnit(i, loc)
	}
	// Minors.
	for i := range n {
		p := &c.p[i]
		if !g.alive(p) || p.unit != none {
			continue
		}
		if u := g.parentUnit(i); u != none {
			p.unit = u
			continue
		}
		// Both parents dead: a grandparent, else an adult sibling, takes
		// the child in and represents it.
		for _, k := range g.guardians(i) {
			if k != none && g.alive(&c.p[k]) && c.p[k].unit != none && age(k) >= 18 {
				p.unit, p.rep = c.p[k].unit, k
				break
			}
		}
		if p.unit == none {
			p.out = false // no one left to live with: leave the child out
		}
	}
	g.coreside(age)
	g.gatherHouses(age)
}

func (g *Generator) parentUnit(i int32) int32 {
	c := &g.c
	for _, k := range []int32{c.p[i].mother, c.p[i].father} {
		if k != none && g.alive(&c.p[k]) && c.p[k].unit != none {
			return c.p[k].unit
		}
	}
	return none
}

// guardians lists who may take in an orphaned minor, in order.
func (g *Generator) guardians(i int32) []int32 {
	c := &g.c
	p := &c.p[i]
	var out []int32
	for _, parent := range []int32{p.father, p.mother} {
		if parent != none {
			out = append(out, c.p[parent].father, c.p[parent].mother)
		}
	}
	if p.mother != none {
		m := &c.p[p.mother]
		for k := m.kids; k >= 0 && k < m.kids+m.nkids; k++ {
			if k != i {
				out = append(out, k)
			}
		}
	}
	return out
}

// coreside moves newlyweds in with the groom's parents, and elderly
// parents in with a married child.
func (g *Generator) coreside(age func(int32) int) {
	c := &g.c
	r := g.r
	units := int32(len(c.unitParent))
	c.hosts = append(c.hosts[:0], make([]bool, units)...)
	for u := range units {
		f := c.unitFounder[u]
		p := &c.p[f]
		if !p.male || p.outsider || g.currentSpouse(f) == none || g.today-p.married > yearsDays(newlywedYears) {
			continue
		}
		parents := g.parentUnit(f)
		if parents == none {
			continue
		}
		host := c.find(parents)
		if host != c.find(u) && !c.hosts[host] && r.chance(newlywedsStay) {
			c.hosts[host] = true
			c.unitParent[c.find(u)] = host
		}
	}
	for u := range units {
		f := c.unitFounder[u]
		p := &c.p[f]
		if p.married == 0 || !g.alive(p) || p.nkids == 0 {
			continue
		}
		s := g.currentSpouse(f)
		elder := age(f)
		if s != none {
			elder = max(elder, age(s))
		}
		if !r.chance(liveWithChild(elder, s == none && p.divorced == 0)) {
			continue
		}
		// A son's household first, else nearly always a daughter's.
		var sons, daughters [8]int32
		ns, nd := 0, 0
		for k := p.kids; k < p.kids+p.nkids; k++ {
			kid := &c.p[k]
			if !g.alive(kid) || kid.married == 0 || kid.unit == none || c.find(kid.unit) == c.find(u) {
				continue
			}
			if kid.male && ns < len(sons) {
				sons[ns] = k
				ns++
			} else if !kid.male && nd < len(daughters) {
				daughters[nd] = k
				nd++
			}
		}
		var host int32 = none
		switch {
		case ns > 0:
			host = sons[r.intn(ns)]
		case nd > 0 && r.chance(0.9):
			host = daughters[r.intn(nd)]
		}
		if host != none {
			c.unitParent[c.find(u)] = c.find(c.p[host].unit)
		}
	}
}

// gatherHouses turns the joined units into households, chooses each head
// and writes every member's relation to the head. Households come oldest
// head first, so that parents are usually written before their children.
func (g *Generator) gatherHouses(age func(int32) int) {
	c := &g.c
	n := int32(len(c.p))
	// Group the members by the root of their unit.
	c.order = c.order[:0]
	for i := range n {
		if p := &c.p[i]; g.alive(p) && p.out && p.unit != none {
			p.unit = c.find(p.unit)
			c.order = append(c.order, i)
		}
	}
	slices.SortStableFunc(c.order, func(a, b int32) int {
		if d := c.p[a].unit - c.p[b].unit; d != 0 {
			return int(d)
		}
		return int(c.p[a].born - c.p[b].born)
	})
	c.members = append(c.members[:0], c.order...)
	for start := 0; start < len(c.members); {
		end := start + 1
		for end < len(c.members) && c.p[c.members[end]].unit == c.p[c.members[start]].unit {
			end++
		}
		m := c.members[start:end]
		head := g.chooseHead(m, age)
		// Head first, then the spouse, then the others oldest first.
		hi := slices.Index(m, head)
		copy(m[1:hi+1], m[:hi])
		m[0] = head
		if s := g.currentSpouse(head); s != none {
			if si := slices.Index(m, s); si > 1 {
				copy(m[2:si+1], m[1:si])
				m[1] = s
			}
		}
		h := int32(len(c.houses))
		for _, k := range m {
			c.p[k].house = h
			c.p[k].rel = g.relation(head, k)
			if c.p[k].rep != none && !slices.Contains(m, c.p[k].rep) {
				c.p[k].rep = none
			}
		}
		c.houses = append(c.houses, house{head: head, members: m, loc: c.unitLoc[c.p[head].unit]})
		start = end
	}
	slices.SortStableFunc(c.houses, func(a, b house) int { return int(c.p[a.head].born - c.p[b.head].born) })
	for h := range c.houses {
		for _, k := range c.houses[h].members {
			c.p[k].house = int32(h)
		}
	}
}

// chooseHead picks the head of a household: the oldest married, widowed
// or divorced man under 75, else such a woman, else the oldest adult.
func (g *Generator) chooseHead(m []int32, age func(int32) int) int32 {
	c := &g.c
	best := [2]int32{none, none} // woman, man
	oldest := m[0]               // m is sorted oldest first
	for _, k := range m {
		p := &c.p[k]
		if p.married == 0 || age(k) >= 75 {
			continue
		}
		s := 0
		if p.male {
			s = 1
		}
		if best[s] == none {
			best[s] = k
		}
	}
	switch {
	case best[1] != none:
		if s := g.currentSpouse(best[1]); s != none && age(s) < 75 && slices.Contains(m, s) && g.r.chance(wifeHeads) {
			return s
		}
		return best[1]
	case best[0] != none:
		return best[0]
	}
	return oldest
}

// relation is k's relation to head h (quan hệ với chủ hộ).
func (g *Generator) relation(h, k int32) string {
	if k == h {
		return "head"
	}
	c := &g.c
	hs := g.currentSpouse(h)
	if k == hs {
		return "spouse"
	}
	childOf := func(x, y int32) bool {
		return y != none && (c.p[x].father == y || c.p[x].mother == y)
	}
	switch {
	case childOf(k, h) || childOf(k, hs):
		return "child"
	case childOf(h, k):
		return "parent"
	case hs != none && childOf(hs, k):
		return "in_law"
	case g.descends(k, h, 4) || (hs != none && g.descends(k, hs, 4)):
		return "grandchild"
	case g.descends(h, k, 4):
		return "grandparent"
	case g.siblings(h, k):
		return "sibling"
	}
	ks := g.currentSpouse(k)
	switch {
	case ks != none && (g.descends(ks, h, 4) || (hs != none && g.descends(ks, hs, 4))):
		return "in_law" // a child's or grandchild's spouse
	case ks != none && g.siblings(h, ks), hs != none && g.siblings(hs, k):
		return "in_law"
	}
	return "other"
}

// descends reports whether x is a descendant of a within depth
// generations.
func (g *Generator) descends(x, a int32, depth int) bool {
	if depth == 0 || x == none || a == none {
		return false
	}
	p := &g.c.p[x]
	for _, parent := range []int32{p.father, p.mother} {
		if parent == a || (parent != none && g.descends(parent, a, depth-1)) {
			return true
		}
	}
	return false
}

func (g *Generator) siblings(a, b int32) bool {
	pa, pb := &g.c.p[a], &g.c.p[b]
	return (pa.father != none && pa.father == pb.father) || (pa.mother != none && pa.mother == pb.mother)
}
