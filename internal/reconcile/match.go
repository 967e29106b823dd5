package reconcile

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"dancu/internal/pid"
	"dancu/internal/reconcile/fellegi"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
)

// Status is a record's link class.
type Status string

// The link classes of records.csv's status column.
const (
	// StatusMatch: linked to one citizen, and every field the record
	// gives agrees with the register.
	StatusMatch Status = "match"
	// StatusCorrected: linked to one citizen, and some fields differ
	// (differing_fields names them).
	StatusCorrected Status = "match_with_corrections"
	// StatusAmbiguous: more than one citizen could be the record's, or one
	// could but not surely enough; an officer decides (the review queue).
	StatusAmbiguous Status = "ambiguous"
	// StatusNotFound: no citizen is the record's.
	StatusNotFound Status = "not_found"
	// StatusInvalid: the row could not be read, or gives nothing to find
	// a citizen by.
	StatusInvalid Status = "invalid"
)

// Statuses lists the statuses in the order reports show them.
var Statuses = []Status{StatusMatch, StatusCorrected, StatusAmbiguous, StatusNotFound, StatusInvalid}

// Candidate is a citizen a record was compared with.
type Candidate struct {
	PID         pid.PID         `json:"pid"`
	Weight      float64         `json:"weight"`
	Probability float64         `json:"probability"`
	Pattern     fellegi.Pattern `json:"-"`
	who         int32
}

// Outcome is what matching found for one record.
type Outcome struct {
	Record input.Record
	Status Status
	// PID is the linked citizen (match and match_with_corrections).
	PID pid.PID
	// Probability is the best candidate's match probability.
	Probability float64
	// Differing has a bit per compared field (fieldID…) that differs from
	// the register, for a linked record.
	Differing uint8
	Deceased  bool
	// DiedOn is the linked citizen's date of death, possibly partial, when
	// the register knows it.
	DiedOn registry.Date
	// Candidates holds, for an ambiguous record, the best few candidates,
	// best first.
	Candidates []Candidate
	// Province is the 2025 province (index in Register.provinces + 1) the
	// record counts under: the linked citizen's, else the record's own.
	Province uint16
	// Decided is set when an officer's earlier decision made the link.
	Decided bool
	// Filled in order, after matching:
	DuplicateOf string // the key of the first record linked to the same citizen
	OverLimit   bool   // more records of this citizen than the limit allows
	present     uint8  // a bit per field the record gives
}

// maxCandidates bounds the citizens one record is compared with; a block
// larger than that (a very common name with only a year of birth) is cut,
// and the record is then more likely to be left for review.
const maxCandidates = 256

// shownCandidates is how many candidates an ambiguous record keeps.
const shownCandidates = 5

// Matcher links records to citizens with a fitted model. Its methods are
// safe for concurrent use; each goroutine passes its own scratch.
type Matcher struct {
	reg        *Register
	params     *fellegi.Params
	thresholds fellegi.Thresholds
	// prior is c in decide: the prior log2 odds that a record is a given
	// citizen.
	prior     float64
	decisions Decisions
}

// scratch holds one worker's buffers.
type scratch struct {
	prep  prepared
	who   []int32
	cands []Candidate
	keys  []uint64
}

// Match finds the citizen a record is.
func (m *Matcher) Match(rec input.Record, s *scratch) Outcome {
	out := Outcome{Record: rec}
	r := m.reg
	p := &s.prep
	if rec.Invalid {
		out.Status = StatusInvalid
		return out
	}
	r.prepare(&out.Record, p)
	out.present = presentFields(p)
	out.Province = p.province
	if p.id == 0 && p.names.full == 0 && p.phone == 0 {
		out.Status = StatusInvalid // nothing to find a citizen by
		return out
	}
	s.who = m.candidates(p, s.who[:0], s)
	s.cands = s.cands[:0]
	for _, who := range s.who {
		s.cands = append(s.cands, m.score(p, who))
	}
	slices.SortFunc(s.cands, byWeight)
	if p.id != 0 && !p.idIsOld && (len(s.cands) == 0 || s.cands[0].Probability < m.thresholds.Link) {
		// The number may be mistyped: try its neighbours too.
		before := len(s.who)
		s.who = m.neighbours(p.id, s.who)
		for _, who := range s.who[before:] {
			s.cands = append(s.cands, m.score(p, who))
		}
		slices.SortFunc(s.cands, byWeight)
	}
	if m.decisions != nil {
		if ok := m.applyDecision(&out, s); ok {
			return out
		}
	}
	m.decide(&out, s.cands)
	return out
}

// byWeight orders candidates best first (by position in the snapshot,
// that is by number, between equals).
func byWeight(a, b Candidate) int {
	if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
		return c
	}
	return cmp.Compare(a.who, b.who)
}

// decide sets the outcome from the candidates, best first.
//
// A record is one citizen of the register's N, or none of them (a person
// who does not exist, or is not registered): a share PriorNone of the
// records, say. Taking the record to be each citizen alike beforehand,
// and the comparisons of the record with every citizen as the evidence,
// the posterior that the record is citizen i is
//
//	2^(w_i + c) / (1 + Σ_j 2^(w_j + c)),  c = log2((1 - PriorNone) / (PriorNone × N)),
//
// where w_i is the weight of the record against citizen i, the log2
// likelihood ratio of "i is the record's citizen" against "no citizen
// is": the citizens outside the candidates, whom the record does not
// resemble, add nothing to the sum. The best candidate is linked when its
// posterior reaches the link threshold, so that a close second keeps it
// below. Otherwise the record goes to review when the posterior that it
// is one of its candidates reaches the review threshold, and is not found
// when it does not. c is about -10 bits for a register of 20,000 and -30
// for 100 million: the larger the register, the more a name and a birth
// year are shared by chance, and the more evidence a link takes.
func (m *Matcher) decide(out *Outcome, cands []Candidate) {
	if len(cands) == 0 {
		out.Status = StatusNotFound
		return
	}
	prior := m.prior
	top := cands[0].Weight + prior
	sum := 0.0 // Σ 2^(L_j - top), and 2^-top for the 1
	for i := range cands {
		sum += math.Exp2(cands[i].Weight + prior - top)
	}
	none := math.Exp2(-top)
	for i := range cands {
		cands[i].Probability = math.Exp2(cands[i].Weight+prior-top) / (none + sum)
	}
	best := cands[0]
	out.Probability = best.Probability
	switch {
	case best.Probability >= m.thresholds.Link:
		m.link(out, best)
	case sum/(none+sum) >= m.thresholds.Review:
		out.Status = StatusAmbiguous
		for _, c := range cands {
			if len(out.Candidates) == shownCandidates || c.Probability < minShown {
				break
			}
			out.Candidates = append(out.Candidates, c)
		}
	default:
		out.Status = StatusNotFound
	}
}

// minShown is the least probability of a candidate an officer is shown.
const minShown = 0.001

// link links out to c.
func (m *Matcher) link(out *Outcome, c Candidate) {
	r := m.reg
	person := &r.people[c.who]
	out.PID = c.PID
	out.Probability = c.Probability
	out.Deceased = person.deceased
	if person.deceased {
		out.DiedOn = person.death.date()
	}
	if person.province != 0 {
		out.Province = person.province
	}
	for f := range numFields {
		if differs(f, c.Pattern.Level(f)) {
			out.Differing |= 1 << f
		}
	}
	if c.Pattern.Level(fieldName) == nameSame && out.Record.FullName != "" && !r.sameName(out.Record.FullName, person) {
		out.Differing |= 1 << fieldName // the same letters, other diacritics
	}
	if c.Pattern.Level(fieldDOB) == dobPartial && precisionOf(out.Record.DateOfBirth) >= precisionOf(person.dob.date()) {
		out.Differing &^= 1 << fieldDOB // the register is the less precise
	}
	for _, e := range out.Record.Errors {
		if f, ok := fieldOfInput(e.Field); ok {
			out.Differing |= 1 << f // the agency's value could not be read: it needs correcting
		}
	}
	out.Status = StatusMatch
	if out.Differing != 0 {
		out.Status = StatusCorrected
	}
}

// score compares a record with one citizen.
func (m *Matcher) score(p *prepared, who int32) Candidate {
	c := &m.reg.people[who]
	pat := m.reg.compare(p, c)
	w := m.params.Weight(pat)
	if pat.Level(fieldName) == nameSame {
		w += m.params.TFAdjustment(pat, fieldName, m.reg.nameFrequency(c.names.full))
	}
	number, _ := pid.FromUint64(c.pid)
	return Candidate{PID: number, Weight: w, Probability: m.params.MatchProbability(w), Pattern: pat, who: who}
}

// candidates gathers the citizens a record is compared with: the holder
// of its number, and those sharing a blocking key with it.
func (m *Matcher) candidates(p *prepared, dst []int32, s *scratch) []int32 {
	r := m.reg
	add := func(who int32) {
		if len(dst) < maxCandidates && !slices.Contains(dst, who) {
			dst = append(dst, who)
		}
	}
	if p.id != 0 {
		if p.idIsOld {
			if who, ok := r.byOld[p.id]; ok && who >= 0 {
				add(who)
			}
		} else if who, ok := r.find(p.id); ok {
			add(who)
		}
	}
	s.keys = s.keys[:0]
	n := p.names
	if n.full != 0 && p.dob.Year != 0 {
		for dy := -1; dy <= 1; dy++ {
			s.keys = append(s.keys, blockKey(blockNameYear, n.full, uint64(p.dob.Year+dy)))
		}
	}
	if n.full != 0 && p.dob.Full() {
		dates := []uint64{dateKey(p.dob)}
		if p.rec.DateSwappable {
			swapped := p.dob
			swapped.Month, swapped.Day = p.dob.Day, p.dob.Month
			dates = append(dates, dateKey(swapped))
		}
		for _, d := range dates {
			s.keys = append(s.keys, blockKey(blockBagDate, n.bag, d), blockKey(blockEndsDate, n.surname, n.given, d))
			if p.province != 0 {
				s.keys = append(s.keys, blockKey(blockGivenDate, n.given, d, uint64(p.province)))
			}
		}
	}
	if p.phone != 0 {
		s.keys = append(s.keys, blockKey(blockPhone, p.phone))
	}
	if n.full != 0 && p.dob.Year != 0 {
		for _, c := range p.communes {
			s.keys = append(s.keys, blockKey(blockGivenYearCom, n.given, uint64(p.dob.Year), uint64(c)))
		}
	}
	for _, k := range s.keys {
		r.block(k, add)
	}
	return dst
}

// neighbours adds the holders of the numbers one transposition or one
// mistyped digit away from number.
func (m *Matcher) neighbours(number uint64, dst []int32) []int32 {
	var d [12]byte
	x := number
	for i := 11; i >= 0; i-- {
		d[i] = byte(x % 10)
		x /= 10
	}
	value := func() uint64 {
		var n uint64
		for _, c := range d {
			n = n*10 + uint64(c)
		}
		return n
	}
	try := func() {
		if who, ok := m.reg.find(value()); ok && !slices.Contains(dst, who) && len(dst) < maxCandidates+64 {
			dst = append(dst, who)
		}
	}
	for i := range 11 {
		if d[i] != d[i+1] {
			d[i], d[i+1] = d[i+1], d[i]
			try()
			d[i], d[i+1] = d[i+1], d[i]
		}
	}
	for i := range 12 {
		orig := d[i]
		for c := byte(0); c < 10; c++ {
			if c != orig {
				d[i] = c
				try()
			}
		}
		d[i] = orig
	}
	return dst
}

// sameName reports whether the record's name is the citizen's, letter
// case aside (diacritics included).
func (r *Register) sameName(name string, c *person) bool {
	return strings.EqualFold(name, r.name(c))
}

func presentFields(p *prepared) uint8 {
	var b uint8
	set := func(f int, ok bool) {
		if ok {
			b |= 1 << f
		}
	}
	set(fieldID, p.id != 0)
	set(fieldName, p.names.full != 0)
	set(fieldDOB, p.dob.Year != 0)
	set(fieldGender, p.rec.Gender != pid.GenderUnknown)
	set(fieldAddress, p.rec.Address != "")
	set(fieldPhone, p.rec.Phone != "")
	return b
}

// fieldOfInput is the compared field an input field name is part of.
func fieldOfInput(name string) (int, bool) {
	switch name {
	case input.FieldPID, input.FieldOldID:
		return fieldID, true
	case input.FieldFullName:
		return fieldName, true
	case input.FieldDateOfBirth:
		return fieldDOB, true
	case input.FieldGender:
		return fieldGender, true
	case input.FieldAddress:
		return fieldAddress, true
	case input.FieldPhone:
		return fieldPhone, true
	}
	return 0, false
}

// Differing lists the record's fields that differ from this candidate's
// values (as records.csv names them).
func (c Candidate) Differing() []string {
	var out []string
	for f := range numFields {
		if differs(f, c.Pattern.Level(f)) {
			out = append(out, outputNames[f])
		}
	}
	return out
}

// Fields lists the fields the record gives, as records.csv names them.
func (o *Outcome) Fields() []string {
	var out []string
	for f := range numFields {
		if o.present&(1<<f) != 0 {
			out = append(out, outputNames[f])
		}
	}
	return out
}
