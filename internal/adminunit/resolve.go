package adminunit

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxAddressLen is the longest address, in bytes, Resolve reads. Real
// addresses are under 200 bytes; the limit keeps the cost of one call
// bounded whatever a client sends.
const MaxAddressLen = 1000

// Errors returned by Resolve for input it refuses to read.
var (
	ErrEmptyAddress   = errors.New("adminunit: address is empty")
	ErrAddressTooLong = errors.New("adminunit: address is too long")
	ErrInvalidUTF8    = errors.New("adminunit: address is not valid UTF-8")
)

// Status says how far Resolve got.
type Status string

const (
	// StatusResolved: one commune found, converting to one 2025 commune.
	StatusResolved Status = "resolved"
	// StatusSplit: one pre-2025 commune found, split across several 2025
	// communes; the street decides, so the record needs review.
	StatusSplit Status = "split"
	// StatusAmbiguous: several units fit the text equally well (a numbered
	// ward without its district, a commune name found in several provinces
	// with no province given); Candidates lists them.
	StatusAmbiguous Status = "ambiguous"
	// StatusPartial: only a province or district was found, or a commune of
	// 2023 merged away before 2025 whose successor is unknown.
	StatusPartial Status = "partial"
	// StatusNotFound: no unit was recognised.
	StatusNotFound Status = "not_found"
)

// Candidate is one reading of an ambiguous address.
type Candidate struct {
	Matched []Unit `json:"matched"`
	Current []Unit `json:"current"`
}

// Resolution is what Resolve read in an address.
type Resolution struct {
	// Input is the address as given.
	Input string `json:"input"`
	// Street is the part before the units ("Số 12 Ngõ 5").
	Street string `json:"street"`
	Status Status `json:"status"`
	// Era is the era the address was written in: the era of its commune,
	// or of its district or province when no commune was found.
	Era Era `json:"era,omitempty"`
	// Matched lists the units the address names, province first, each with
	// its era; levels the text omits but the commune implies are filled in.
	Matched []Unit `json:"matched"`
	// Current lists the 2025 communes the address converts to: one, or
	// several when the old commune was split (Split is then true). When no
	// commune is known it holds the 2025 province alone.
	Current []Unit `json:"current"`
	// CurrentProvince is the 2025 province, when known.
	CurrentProvince *Unit `json:"current_province,omitempty"`
	Split           bool  `json:"split"`
	// Candidates lists the readings of an ambiguous address.
	Candidates []Candidate `json:"candidates,omitempty"`
	// Note explains the outcome to a person.
	Note string `json:"note"`
}

// maxCandidates bounds the readings returned for an ambiguous address.
const maxCandidates = 20

// maxSpansPerLevel bounds how many matched names per level, rightmost
// first, the resolver combines: units come last in an address, and the
// bound keeps hostile input cheap.
const maxSpansPerLevel = 8

// streetWords open a street, hamlet or house number: a name right after one
// of them (đường Trần Phú, thôn Tân Lập) is not a unit.
var streetWords = map[string]bool{
	"duong": true, "pho": true, "ngo": true, "ngach": true, "hem": true, "kiet": true,
	"so": true, "thon": true, "ap": true, "xom": true, "ban": true, "khom": true,
	"to": true, "khu": true, "kp": true, "tdp": true, "lo": true, "ql": true, "tl": true,
	"dl": true, "hxh": true,
}

// Score weights. A commune outweighs anything else; a type word that
// agrees with the unit adds confidence; words left unexplained between or
// after the units count against a reading.
const (
	scoreCommune     = 10
	scoreDistrict    = 8
	scoreProvince    = 8
	scoreKeyword     = 3
	scoreExactKind   = 1
	scoreCurrentEra  = 1 // a 2025 commune read with its province and no district
	penaltyAlt       = 1
	penaltyObsolete  = 1 // a 2023 commune name gone by 2025
	penaltyMixedEra  = 3 // a 2025 commune with a pre-2025 province, or the reverse
	penaltyGapWord   = 3
	penaltyTrailWord = 5
	noSpan           = -1
)

// match is a run of tokens [i, j) whose text names one or more units.
type match struct {
	i, j int
	refs []nameRef
}

// reading is one consistent choice of commune, district and province.
type reading struct {
	score    int
	c, dd, p *unit
	first    int // first token of the units (with its type word)
	cm       int // match index of the commune, or noSpan
}

// Resolve reads a free-text address into the units it names, in the era it
// was written, and the 2025 units it converts to. It returns an error only
// for input it refuses (empty, longer than MaxAddressLen, invalid UTF-8);
// an address it cannot read is a Resolution with StatusNotFound.
func (d *Directory) Resolve(text string) (Resolution, error) {
	if len(text) > MaxAddressLen {
		return Resolution{}, fmt.Errorf("%w: %d bytes, limit is %d", ErrAddressTooLong, len(text), MaxAddressLen)
	}
	if !utf8.ValidString(text) {
		return Resolution{}, ErrInvalidUTF8
	}
	if strings.TrimSpace(text) == "" {
		return Resolution{}, ErrEmptyAddress
	}
	r := resolver{d: d, toks: tokenize(text, make([]token, 0, 24))}
	if len(r.toks) == 0 {
		return Resolution{Input: text, Status: StatusNotFound, Matched: []Unit{}, Current: []Unit{},
			Note: "no words in the address"}, nil
	}
	r.findMatches()
	r.combine()
	return r.result(text), nil
}

type resolver struct {
	d         *Directory
	toks      []token
	matches   []match
	byLevel   [3][]int // match indexes per level: commune, district, province
	best      []reading
	bestScore int
	eraAlts   []reading
}

func levelIndex(l Level) int {
	switch l {
	case LevelCommune:
		return 0
	case LevelDistrict:
		return 1
	}
	return 2
}

// findMatches looks up every run of up to maxWords tokens within one
// segment in the name index.
func (r *resolver) findMatches() {
	var buf []byte
	for i := range r.toks {
		buf = buf[:0]
		for n := 1; n <= r.d.maxWords && i+n <= len(r.toks); n++ {
			t := r.toks[i+n-1]
			if t.seg != r.toks[i].seg {
				break
			}
			if n > 1 {
				buf = append(buf, ' ')
			}
			buf = append(buf, t.text...)
			refs, ok := r.d.names[string(buf)]
			if !ok {
				continue
			}
			r.matches = append(r.matches, match{i: i, j: i + n, refs: refs})
		}
	}
	for mi := len(r.matches) - 1; mi >= 0; mi-- {
		var seen [3]bool
		for _, ref := range r.matches[mi].refs {
			li := levelIndex(ref.u.Level)
			if !seen[li] && len(r.byLevel[li]) < maxSpansPerLevel {
				seen[li] = true
				r.byLevel[li] = append(r.byLevel[li], mi)
			}
		}
	}
}

// keywordBefore returns the type word ending right before token start and
// not reaching below lo, and the index of its first token.
func (r *resolver) keywordBefore(start, lo int) (kind, int) {
	seg := r.toks[start].seg
	if start-2 >= lo && r.toks[start-2].seg == seg && r.toks[start-1].seg == seg {
		if k, ok := keywordPairs[[2]string{r.toks[start-2].text, r.toks[start-1].text}]; ok {
			return k, start - 2
		}
	}
	if start-1 >= lo && r.toks[start-1].seg == seg {
		if k, ok := keywords[r.toks[start-1].text]; ok {
			return k, start - 1
		}
	}
	return kindNone, start
}

// spanScore scores match m read at level l with lo the first token it may
// use for its type word; ok is false when the reading is impossible (a
// number without its type word, a type word of another level, a street
// name).
func (r *resolver) spanScore(m match, l Level, lo int) (score, from int, k kind, ok bool) {
	k, from = r.keywordBefore(m.i, lo)
	switch {
	case k != kindNone && !k.fits(l):
		return 0, 0, k, false
	case k == kindNone && m.j-m.i == 1 && isNumber(r.toks[m.i].text):
		return 0, 0, k, false
	case k == kindNone && m.i-1 >= lo && streetWords[r.toks[m.i-1].text] && l != LevelProvince:
		return 0, 0, k, false
	}
	switch l {
	case LevelCommune:
		score = scoreCommune
	case LevelDistrict:
		score = scoreDistrict
	default:
		score = scoreProvince
	}
	if k != kindNone {
		score += scoreKeyword
	}
	return score, from, k, true
}

// gap scores the words between two units (or after the last one).
func (r *resolver) gap(from, to int, trailing bool) int {
	s := 0
	for i := from; i < to; i++ {
		t := r.toks[i].text
		switch {
		case trailing && (ignorable[t] || isNumber(t)):
		case trailing:
			s -= penaltyTrailWord
		default:
			s -= penaltyGapWord
		}
	}
	return s
}

// combine tries every ordered choice of commune, district and province
// matches (commune first, province last, as addresses are written) and
// keeps the best-scoring consistent readings.
func (r *resolver) combine() {
	r.bestScore = -1 << 30
	cs := append(r.byLevel[0], noSpan)
	ds := append(r.byLevel[1], noSpan)
	ps := append(r.byLevel[2], noSpan)
	for _, pi := range ps {
		for _, di := range ds {
			if di != noSpan && pi != noSpan && r.matches[di].j > r.matches[pi].i {
				continue
			}
			for _, ci := range cs {
				if ci == noSpan && di == noSpan && pi == noSpan {
					continue
				}
				if ci != noSpan {
					next := pi
					if di != noSpan {
						next = di
					}
					if next != noSpan && r.matches[ci].j > r.matches[next].i {
						continue
					}
				}
				r.evaluate(ci, di, pi)
			}
		}
	}
}

type placed struct {
	m     match
	score int
	from  int
	kind  kind
}

func (r *resolver) place(mi int, l Level, lo int) (placed, bool) {
	if mi == noSpan {
		return placed{}, true
	}
	m := r.matches[mi]
	s, from, k, ok := r.spanScore(m, l, lo)
	return placed{m: m, score: s, from: from, kind: k}, ok
}

func (r *resolver) evaluate(ci, di, pi int) {
	c, ok := r.place(ci, LevelCommune, 0)
	if !ok {
		return
	}
	lo := 0
	if ci != noSpan {
		lo = c.m.j
	}
	dd, ok := r.place(di, LevelDistrict, lo)
	if !ok {
		return
	}
	if di != noSpan {
		lo = dd.m.j
	}
	p, ok := r.place(pi, LevelProvince, lo)
	if !ok {
		return
	}
	// Words between and after the units.
	base := c.score + dd.score + p.score
	first, last := -1, 0
	for _, s := range []struct {
		idx int
		pl  placed
	}{{ci, c}, {di, dd}, {pi, p}} {
		if s.idx == noSpan {
			continue
		}
		if first == -1 {
			first = s.pl.from
		} else {
			base += r.gap(last, s.pl.from, false)
		}
		last = s.pl.m.j
	}
	base += r.gap(last, len(r.toks), true)

	communes := refsAt(c, ci, LevelCommune)
	districts := refsAt(dd, di, LevelDistrict)
	provinces := refsAt(p, pi, LevelProvince)
	for _, cr := range communes {
		for _, dr := range districts {
			if !fitsDistrict(cr.u, dr.u) {
				continue
			}
			for _, pr := range provinces {
				adj, ok := r.fitsProvince(cr.u, dr.u, pr.u)
				if !ok {
					continue
				}
				s := base + adj
				s += kindBonus(c.kind, cr.u) + kindBonus(dd.kind, dr.u) + kindBonus(p.kind, pr.u)
				if cr.alt || dr.alt || pr.alt {
					s -= penaltyAlt
				}
				if cr.u != nil {
					switch cr.u.Era {
					case Era2025:
						if dr.u == nil && pr.u != nil {
							s += scoreCurrentEra
						}
					case Era2023:
						s -= penaltyObsolete
					}
				}
				r.keep(reading{score: s, c: cr.u, dd: dr.u, p: pr.u, first: first, cm: ci})
			}
		}
	}
}

// refsAt returns the refs of level l of a placed match, or a single empty
// ref when the level is not in the reading.
func refsAt(pl placed, mi int, l Level) []nameRef {
	if mi == noSpan {
		return []nameRef{{}}
	}
	out := make([]nameRef, 0, len(pl.m.refs))
	for _, ref := range pl.m.refs {
		if ref.u.Level == l {
			out = append(out, ref)
		}
	}
	return out
}

func kindBonus(k kind, u *unit) int {
	if u != nil && k != kindNone && k == u.kind {
		return scoreExactKind
	}
	return 0
}

// fitsDistrict reports whether commune c lies in district dd (either may be
// absent). 2025 communes have no district.
func fitsDistrict(c, dd *unit) bool {
	if c == nil || dd == nil {
		return true
	}
	return c.Era != Era2025 && c.district == dd.Code
}

// fitsProvince reports whether province p agrees with the commune or
// district below it, and the score adjustment for mixing eras.
func (r *resolver) fitsProvince(c, dd, p *unit) (int, bool) {
	below := c
	if below == nil {
		below = dd
	}
	if p == nil || below == nil {
		return 0, true
	}
	if below.Era == Era2025 {
		switch {
		case p.Era == Era2025 && p.Code == below.province:
			return 0, true
		case p.Era == EraPre2025 && p.newCode == below.province:
			return -penaltyMixedEra, true
		}
		return 0, false
	}
	// EraPre2025 and Era2023 share province codes.
	switch {
	case p.Era == EraPre2025 && p.Code == below.province:
		return 0, true
	case p.Era == Era2025:
		if old := r.d.get(EraPre2025, LevelProvince, below.province); old != nil && old.newCode == p.Code {
			return -penaltyMixedEra, true
		}
	}
	return 0, false
}

func (r *resolver) keep(rd reading) {
	// A pre-2025 reading that lost only the 2025 preference is kept aside:
	// it may confirm the winner or deserve a warning.
	if rd.c != nil && rd.c.Era == EraPre2025 && rd.score >= r.bestScore-scoreCurrentEra {
		r.eraAlts = append(r.eraAlts, rd)
	}
	switch {
	case rd.score > r.bestScore:
		r.bestScore = rd.score
		r.best = append(r.best[:0], rd)
	case rd.score == r.bestScore:
		r.best = append(r.best, rd)
	}
}

// outcome is a reading turned into units of both eras.
type outcome struct {
	rd       reading
	matched  []Unit
	current  []Unit
	province *unit // 2025 province
	era      Era
	partial  string // why no current commune is known
}

func (r *resolver) outcome(rd reading) outcome {
	d := r.d
	o := outcome{rd: rd}
	var prov, dist *unit
	switch {
	case rd.c != nil:
		o.era = rd.c.Era
		if rd.c.district != "" {
			dist = d.get(Era2023, LevelDistrict, rd.c.district)
		}
		prov = d.get(rd.c.Era, LevelProvince, rd.c.province)
		if rd.c.Era == Era2023 {
			prov = d.get(EraPre2025, LevelProvince, rd.c.province)
		}
	case rd.dd != nil:
		o.era = Era2023
		dist = rd.dd
		prov = d.get(EraPre2025, LevelProvince, rd.dd.province)
	default:
		o.era = rd.p.Era
		prov = rd.p
	}
	if rd.p != nil && rd.p.Era == prov.Era {
		prov = rd.p
	}
	o.matched = append(o.matched, prov.Unit)
	if dist != nil {
		o.matched = append(o.matched, dist.Unit)
	}
	if rd.c != nil {
		o.matched = append(o.matched, rd.c.Unit)
	}
	switch {
	case rd.c != nil && rd.c.Era == Era2025:
		o.current = []Unit{rd.c.Unit}
	case rd.c != nil && rd.c.Era == EraPre2025:
		o.current = d.NewUnitsFor(rd.c.Code)
	case rd.c != nil: // Era2023
		if pre := d.get(EraPre2025, LevelCommune, rd.c.Code); pre != nil {
			o.matched = append(o.matched, pre.Unit)
			o.current = d.NewUnitsFor(pre.Code)
		} else {
			o.partial = fmt.Sprintf("%s (%s) was merged into another commune between 2023 and 2025; the source tables do not say which", rd.c.Name, rd.c.Code)
		}
	}
	if len(o.current) > 0 {
		o.province = d.get(Era2025, LevelProvince, d.get(Era2025, LevelCommune, o.current[0].Code).province)
	} else if prov.Era == Era2025 {
		o.province = prov
	} else {
		o.province = d.get(Era2025, LevelProvince, d.get(EraPre2025, LevelProvince, prov.Code).newCode)
	}
	return o
}

// signature identifies what an outcome converts to.
func (o outcome) signature() string {
	if len(o.current) == 0 {
		return "p" + o.province.Code
	}
	var b strings.Builder
	for _, u := range o.current {
		b.WriteString(u.Code)
		b.WriteByte(' ')
	}
	return b.String()
}

func eraRank(e Era) int {
	switch e {
	case Era2025:
		return 0
	case EraPre2025:
		return 1
	}
	return 2
}

func (r *resolver) result(text string) Resolution {
	res := Resolution{Input: text, Matched: []Unit{}, Current: []Unit{}}
	if len(r.best) == 0 {
		res.Status = StatusNotFound
		res.Note = "no province, district or commune recognised"
		return res
	}
	outs := make([]outcome, 0, len(r.best))
	seen := map[string]bool{}
	for _, rd := range r.best {
		o := r.outcome(rd)
		key := o.signature() + "|" + unitsKey(o.matched)
		if seen[key] {
			continue
		}
		seen[key] = true
		outs = append(outs, o)
	}
	sort.SliceStable(outs, func(i, j int) bool {
		a, b := outs[i], outs[j]
		if eraRank(a.era) != eraRank(b.era) {
			return eraRank(a.era) < eraRank(b.era)
		}
		return unitsKey(a.matched) < unitsKey(b.matched)
	})
	sigs := map[string]bool{}
	for _, o := range outs {
		sigs[o.signature()] = true
	}
	o := outs[0]
	res.Street = streetBefore(text, r.toks, o.rd.first)
	if len(sigs) > 1 {
		res.Status = StatusAmbiguous
		for i, c := range outs {
			if i == maxCandidates {
				break
			}
			res.Candidates = append(res.Candidates, Candidate{Matched: c.matched, Current: currentOrProvince(c)})
		}
		res.Note = fmt.Sprintf("%d units fit the address equally well; give the %s to choose", len(outs), missingLevel(o))
		if len(outs) > maxCandidates {
			res.Note += fmt.Sprintf(" (first %d listed)", maxCandidates)
		}
		return res
	}
	res.Era = o.era
	res.Matched = o.matched
	res.Current = currentOrProvince(o)
	pu := o.province.Unit
	res.CurrentProvince = &pu
	switch {
	case len(o.current) == 1:
		res.Status = StatusResolved
		res.Note = fmt.Sprintf("%s → %s", describe(o.matched), o.current[0].Name)
	case len(o.current) > 1:
		res.Status = StatusSplit
		res.Split = true
		names := make([]string, len(o.current))
		for i, u := range o.current {
			names[i] = u.Name
		}
		res.Note = fmt.Sprintf("%s was split in 2025 into %s; the street decides, review needed", o.rd.c.Name, strings.Join(names, ", "))
	default:
		res.Status = StatusPartial
		if o.partial != "" {
			res.Note = o.partial
		} else {
			res.Note = fmt.Sprintf("no commune recognised; %s → %s", describe(o.matched), pu.Name)
		}
	}
	if o.rd.c != nil && o.era == Era2025 {
		r.noteOtherEra(&res, o)
	}
	if len(outs) > 1 && o.rd.c != nil {
		res.Note += fmt.Sprintf("; %d readings agree on the 2025 units", len(outs))
	}
	if o.rd.c == nil && len(r.byLevel[0]) > 0 {
		m := r.matches[r.byLevel[0][0]]
		res.Note += fmt.Sprintf("; %q names a commune, but none in that province or district", text[r.toks[m.i].start:r.toks[m.j-1].end])
	}
	return res
}

func currentOrProvince(o outcome) []Unit {
	if len(o.current) > 0 {
		return o.current
	}
	return []Unit{o.province.Unit}
}

func missingLevel(o outcome) string {
	switch {
	case o.rd.p == nil && o.rd.dd == nil:
		return "district or province"
	case o.rd.c != nil && o.rd.dd == nil:
		return "district"
	}
	return "commune"
}

func describe(us []Unit) string {
	names := make([]string, len(us))
	for i := range us {
		names[len(us)-1-i] = us[i].Name + " (" + string(us[i].Era) + ")"
	}
	return strings.Join(names, ", ")
}

func unitsKey(us []Unit) string {
	var b strings.Builder
	for _, u := range us {
		b.WriteString(string(u.Era))
		b.WriteByte(':')
		b.WriteString(u.Code)
		b.WriteByte(' ')
	}
	return b.String()
}

// streetBefore returns the text before token first, trimmed of separators.
func streetBefore(text string, toks []token, first int) string {
	if first <= 0 || first > len(toks) {
		return ""
	}
	return strings.TrimRight(text[:toks[first].start], " \t\r\n,;.-–|(/")
}

// noteOtherEra looks for a pre-2025 commune of the same name that the
// address could also mean (it lost only because a 2025 commune is
// preferred when no district is given). If it converts to the same 2025
// commune it joins Matched; otherwise the note warns.
func (r *resolver) noteOtherEra(res *Resolution, o outcome) {
	seen := map[*unit]bool{}
	for _, alt := range r.eraAlts {
		if alt.score != r.bestScore-scoreCurrentEra || alt.cm != o.rd.cm || seen[alt.c] {
			continue
		}
		seen[alt.c] = true
		next := r.d.NewUnitsFor(alt.c.Code)
		same := len(next) == 1 && next[0].Code == o.current[0].Code
		if same {
			res.Matched = append(res.Matched, alt.c.Unit)
			res.Note += fmt.Sprintf("; also the name of %s (pre2025 %s), which became the same commune", alt.c.Name, alt.c.Code)
			continue
		}
		names := make([]string, len(next))
		for i, u := range next {
			names[i] = u.Name + " (" + u.Code + ")"
		}
		res.Note += fmt.Sprintf("; read as a 2025 name, but %s (pre2025 %s) has the same name and became %s: give the district if the address predates 2025-07-01",
			alt.c.Name, alt.c.Code, strings.Join(names, ", "))
	}
}
