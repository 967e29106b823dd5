package synth

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"dancu/internal/adminunit"
	"dancu/internal/registry"
)

// A sectoral dataset is a list an agency keeps of its own customers — a
// mobile network's subscribers, a bank's customers — that names people
// the register knows, written the agency's way and with the agency's
// mistakes. The Deriver makes one from the register's records, with the
// truth about every row beside it, to measure how well reconciliation
// links such lists back to the register.

// DatasetKind names a kind of sectoral dataset.
type DatasetKind string

// The kinds of dataset.
const (
	// Telecom is a mobile network's subscriber list (danh sách thuê bao):
	// one row per SIM, several for people with more than one.
	Telecom DatasetKind = "telecom"
	// Bank is a bank's customer file: one row per customer record (CIF),
	// more than one for a customer only by mistake.
	Bank DatasetKind = "bank"
)

// DatasetKinds lists the kinds of dataset.
func DatasetKinds() []DatasetKind { return []DatasetKind{Telecom, Bank} }

// ParseDatasetKind reads a kind's name.
func ParseDatasetKind(s string) (DatasetKind, error) {
	for _, k := range DatasetKinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown dataset %q: use telecom or bank", s)
}

// Columns returns the columns of a dataset of kind k, in file order: the
// record key, then id_number, full_name, date_of_birth (dd/mm/yyyy, or
// mm/yyyy or yyyy when that is all that is known), gender (Nam or Nữ),
// address, phone and, for telecom, activated_on (dd/mm/yyyy). They are
// part of the contract with reconciliation's --columns; see
// docs/synth.md.
func (k DatasetKind) Columns() []string {
	common := []string{"id_number", "full_name", "date_of_birth", "gender", "address", "phone"}
	switch k {
	case Telecom:
		return append(append([]string{"subscriber_id"}, common...), "activated_on")
	case Bank:
		return append([]string{"customer_id"}, common...)
	}
	return nil
}

// keyPrefix starts a record key: thuê bao (subscriber), khách hàng
// (customer).
func (k DatasetKind) keyPrefix() string {
	if k == Telecom {
		return "TB"
	}
	return "KH"
}

// Column indices of a dataset row.
const (
	colKey = iota
	colID
	colName
	colBirth
	colGender
	colAddress
	colPhone
	colActivated // telecom only
)

// TruthColumns returns the columns of the truth file, in file order.
func TruthColumns() []string {
	return []string{"record_key", "pid", "kind", "noise", "deceased"}
}

// RowKind says who a dataset row stands for.
type RowKind string

// The kinds of row.
const (
	// RowCitizen is the first row, in file order, of a citizen of the
	// input.
	RowCitizen RowKind = "citizen"
	// RowRepeat is a further row of a citizen who came earlier in the
	// file (another SIM, a second customer record).
	RowRepeat RowKind = "repeat"
	// RowNonexistent is a made-up person no one in the input is: a
	// plausible name and a well-formed PID that no citizen of the input
	// holds.
	RowNonexistent RowKind = "nonexistent"
)

// Truth is the truth about one dataset row.
type Truth struct {
	RecordKey string  // the row's key (subscriber_id, customer_id)
	PID       string  // the citizen the row stands for; empty for RowNonexistent
	Kind      RowKind // citizen, repeat or nonexistent
	// Noise names the noise applied to the row, ";"-separated in the
	// order of NoiseNames; empty for a row with the register's values.
	Noise    string
	Deceased bool // the register says the citizen died
}

// Values returns t in the order of TruthColumns.
func (t Truth) Values() []string {
	return []string{t.RecordKey, t.PID, string(t.Kind), t.Noise, strconv.FormatBool(t.Deceased)}
}

// DatasetRow is one row of a dataset and the truth about it.
type DatasetRow struct {
	Values []string // in the order of the kind's Columns; the caller may keep it
	Truth  Truth
}

// DatasetConfig configures a Deriver.
type DatasetConfig struct {
	Kind DatasetKind
	// Seed makes the output: the same input and DatasetConfig give the
	// same rows, byte for byte.
	Seed uint64
	// Count is the exact number of rows.
	Count int
	// AsOf is the date of the dataset: who is 14 or older then may be in
	// it. Zero means DefaultToday; it must be a full date in 2000–2099.
	AsOf registry.Date
	// Noise gives the rates of noise; the zero Noise gives clean data.
	// Start from DefaultNoise(Kind) for a realistic list.
	Noise Noise
}

// Records is a stream of the register's records. Next returns io.EOF
// after the last one; any other error stops the Deriver.
type Records interface {
	Next() (registry.Record, error)
}

// Population is what Scan counted.
type Population struct {
	Records          int64 // every record read
	Eligible         int64 // those who may be in the dataset: 14 or older on AsOf, or when they died
	EligibleDeceased int64 // of the eligible, those the register says died
}

// ErrTooFew reports an input with too few eligible citizens for the rows
// asked for.
var ErrTooFew = errors.New("synth: too few eligible citizens")

// minAge is the youngest age at which one may hold a SIM or a bank
// account in one's own name (from 14, with a parent's consent until 18;
// Decree 163/2024/NĐ-CP and the Civil Code's Art. 21).
const minAge = 14

// shuffleSize is the number of rows the Deriver holds to shuffle them, so
// that households and a citizen's repeated rows do not come together.
const shuffleSize = 1 << 16

// Birth years the made-up people are drawn from.
const (
	firstFakeYear = 1900
	lastFakeYear  = 2099
)

// Deriver derives a sectoral dataset from the register's records in two
// passes over them: Scan, then Derive over the same records. Memory
// stays bounded whatever the input's size: 8 bytes per input record (its
// PID and phone number, to make up numbers no citizen holds) and a
// buffer of shuffleSize rows.
type Deriver struct {
	cfg     DatasetConfig
	dir     *adminunit.Directory
	places  *places
	names   *nameTables
	asOf    day
	columns []string

	// From Scan.
	scanned  bool
	planned  bool // Scan succeeded
	derived  bool
	pop      Population
	pids     numberSet
	phones   numberSet
	years    [lastFakeYear - firstFakeYear + 1]float64
	fakeYear alias

	// The plan: how many rows of each kind.
	plan struct {
		alive, dead int64 // citizens drawn from each stratum
		repeats     int64
		fakes       int64
	}

	sel, r, mix rng // selection, row contents, shuffling
	fakePIDs    *pidCounters
	freshPhones phoneCounter
	prov25      map[string][]int16 // 2025 province code → provinceTable indices
	addrs       addressIndex
	applied     []noiseID
	buf         []byte
	pending     []pending
	written     int64
}

// pending is a row waiting in the shuffle buffer.
type pending struct {
	values   []string
	pid      string
	noise    string
	deceased bool
	fake     bool
	holder   *holder // shared by a citizen's rows when there are several
}

// holder tracks a citizen with several rows, so that the first written
// is the citizen row and the others repeats.
type holder struct{ written bool }

// NewDeriver returns a Deriver of cfg over the units of dir.
func NewDeriver(dir *adminunit.Directory, cfg DatasetConfig) (*Deriver, error) {
	if dir == nil {
		return nil, fmt.Errorf("%w: no administrative units", ErrBadConfig)
	}
	if _, err := ParseDatasetKind(string(cfg.Kind)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	if cfg.Count < 0 || cfg.Count > MaxCount {
		return nil, fmt.Errorf("%w: count %d outside 0–%d", ErrBadConfig, cfg.Count, MaxCount)
	}
	if cfg.AsOf.IsZero() {
		cfg.AsOf = DefaultToday
	}
	if err := cfg.AsOf.Validate(); err != nil || !cfg.AsOf.Full() || cfg.AsOf.Year < 2000 || cfg.AsOf.Year > 2099 {
		return nil, fmt.Errorf("%w: as-of date %s must be a full date in 2000–2099", ErrBadConfig, cfg.AsOf)
	}
	if err := cfg.Noise.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	pl, err := loadPlaces(dir)
	if err != nil {
		return nil, err
	}
	names, err := loadNames(pl.ethnicShare)
	if err != nil {
		return nil, err
	}
	d := &Deriver{
		cfg:         cfg,
		dir:         dir,
		places:      pl,
		names:       names,
		asOf:        dayOfDate(cfg.AsOf),
		columns:     cfg.Kind.Columns(),
		sel:         newRNG(splitmix(cfg.Seed ^ 0x5ec7)),
		r:           newRNG(splitmix(cfg.Seed ^ 0x4015e)),
		mix:         newRNG(splitmix(cfg.Seed ^ 0x3111)),
		fakePIDs:    &pidCounters{seed: splitmix(cfg.Seed ^ 0xfa4e)},
		freshPhones: newPhoneCounter(splitmix(cfg.Seed ^ 0xf4e5)),
		prov25:      map[string][]int16{},
		addrs:       newAddressIndex(pl),
		buf:         make([]byte, 0, 256),
	}
	for i, code := range pl.province25 {
		d.prov25[code] = append(d.prov25[code], int16(i))
	}
	return d, nil
}

// eligibility is what the Deriver reads of a record in both passes.
type eligibility struct {
	ok   bool      // may be in the dataset
	dead bool      // the register says the citizen died
	born day       // first day of the date of birth
	prec precision // of the date of birth
	end  day       // the last day the citizen could have signed: AsOf, or the day of death before it
}

// eligible reads rec's dates: a citizen may be in the dataset when 14 or
// older on AsOf or, for the dead, on the day of death before it.
func (d *Deriver) eligible(rec *registry.Record) (eligibility, error) {
	var e eligibility
	born, err := registry.ParseDate(rec.DateOfBirth)
	if err != nil {
		return e, fmt.Errorf("date_of_birth: %w", err)
	}
	e.born = dayOfDate(born)
	switch {
	case born.Day != 0:
		e.prec = precDay
	case born.Month != 0:
		e.prec = precMonth
	default:
		e.prec = precYear
	}
	e.end = d.asOf
	e.dead = rec.Status == "deceased"
	if e.dead && rec.DateOfDeath != "" {
		died, err := registry.ParseDate(rec.DateOfDeath)
		if err != nil {
			return e, fmt.Errorf("date_of_death: %w", err)
		}
		e.end = min(e.end, dayOfDate(died))
	}
	last := lastDay(e.born, e.prec)
	e.ok = last <= e.end && ageOn(last, e.end) >= minAge
	return e, nil
}

// Scan is the first pass: it counts the eligible citizens, keeps every
// record's PID and phone number (so that made-up people get numbers no
// one holds) and plans the dataset. It fails with ErrTooFew when the
// input cannot give Count rows at the configured rates.
func (d *Deriver) Scan(in Records) (Population, error) {
	if d.scanned {
		return d.pop, errors.New("synth: Scan called twice")
	}
	d.scanned = true
	for {
		rec, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return d.pop, err
		}
		d.pop.Records++
		key, ok := pidKey(rec.PID)
		if !ok {
			return d.pop, fmt.Errorf("record %d: the pid is not 12 digits", d.pop.Records)
		}
		d.pids.add(key)
		if p, ok := phoneKey(rec.Phone); ok {
			d.phones.add(p)
		}
		e, err := d.eligible(&rec)
		if err != nil {
			return d.pop, fmt.Errorf("record %d: %w", d.pop.Records, err)
		}
		if !e.ok {
			continue
		}
		d.pop.Eligible++
		if e.dead {
			d.pop.EligibleDeceased++
		} else if y := e.born.year(); y >= firstFakeYear && y <= lastFakeYear {
			d.years[y-firstFakeYear]++
		}
	}
	d.pids.seal()
	d.phones.seal()
	if err := d.makePlan(); err != nil {
		return d.pop, err
	}
	d.planned = true
	return d.pop, nil
}

// makePlan splits Count into made-up people, repeats and citizens, and the
// citizens into the living and the dead.
func (d *Deriver) makePlan() error {
	count := int64(d.cfg.Count)
	rate := &d.cfg.Noise.rate
	fakes := int64(math.Round(float64(count) * rate[noiseNonexistent]))
	repeats := int64(math.Round(float64(count) * rate[noiseRepeat]))
	citizens := max(count-fakes-repeats, 0)
	repeats = count - fakes - citizens
	if repeats > 0 && repeats > maxExtra*citizens {
		return fmt.Errorf("%w: %d repeats for %d citizens would need more than %d rows a citizen (lower repeat or nonexistent)",
			ErrBadConfig, repeats, citizens, maxExtra+1)
	}
	living := d.pop.Eligible - d.pop.EligibleDeceased
	dead := min(int64(math.Round(float64(citizens)*rate[noiseDeceased])), d.pop.EligibleDeceased)
	alive := citizens - dead
	if alive > living { // a small input: as many of the dead as it takes
		alive = living
		dead = citizens - alive
	}
	if dead > d.pop.EligibleDeceased {
		return fmt.Errorf("%w: %d rows need %d distinct citizens; the input has %d aged %d or older on %s",
			ErrTooFew, count, citizens, d.pop.Eligible, minAge, d.cfg.AsOf)
	}
	d.plan.alive, d.plan.dead, d.plan.repeats, d.plan.fakes = alive, dead, repeats, fakes

	weights := d.years[:]
	var sum float64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 { // no one alive in the input: born evenly 1950–1999
		weights = make([]float64, len(d.years))
		for y := 1950; y < 2000; y++ {
			weights[y-firstFakeYear] = 1
		}
	}
	d.fakeYear = newAlias(weights)
	return nil
}

// Derive is the second pass, over the same records as Scan: it calls emit
// with each of the Count rows in file order. It may be called once.
//
// Citizens are drawn with Knuth's sequential sampling (Algorithm S),
// separately among the living and the dead; some are given repeated rows
// (two to four rows a citizen, most often two); the made-up people are
// spread evenly among them; a buffer of shuffleSize rows shuffles the
// whole, so that neither households nor a citizen's rows come together.
func (d *Deriver) Derive(in Records, emit func(DatasetRow) error) error {
	if !d.planned {
		return errors.New("synth: Derive without a successful Scan")
	}
	if d.derived {
		return errors.New("synth: Derive called twice")
	}
	d.derived = true
	total := [2]int64{d.pop.Eligible - d.pop.EligibleDeceased, d.pop.EligibleDeceased}
	need := [2]int64{d.plan.alive, d.plan.dead}
	var seen, picked [2]int64
	citizensLeft := need[0] + need[1]
	fakesLeft, repeatsLeft := d.plan.fakes, d.plan.repeats
	changed := errors.New("synth: the records differ from those Scan read")
	for n := int64(1); ; n++ {
		rec, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		e, err := d.eligible(&rec)
		if err != nil {
			return fmt.Errorf("record %d: %w", n, err)
		}
		if !e.ok {
			continue
		}
		s := 0
		if e.dead {
			s = 1
		}
		if seen[s] >= total[s] {
			return changed
		}
		take := d.sel.float()*float64(total[s]-seen[s]) < float64(need[s]-picked[s])
		seen[s]++
		if !take {
			continue
		}
		picked[s]++
		// Made-up people come between citizens, each place equally likely.
		for fakesLeft > 0 && d.sel.float()*float64(fakesLeft+citizensLeft) < float64(fakesLeft) {
			if err := d.push(d.fakeRow(), emit); err != nil {
				return err
			}
			fakesLeft--
		}
		extra := d.extras(repeatsLeft, citizensLeft)
		repeatsLeft -= int64(extra)
		citizensLeft--
		var h *holder
		if extra > 0 {
			h = &holder{}
		}
		for i := 0; i <= extra; i++ {
			p := d.citizenRow(&rec, e, i > 0)
			p.holder = h
			if err := d.push(p, emit); err != nil {
				return err
			}
		}
	}
	if seen != total || picked != need {
		return changed
	}
	for ; fakesLeft > 0; fakesLeft-- {
		if err := d.push(d.fakeRow(), emit); err != nil {
			return err
		}
	}
	return d.flush(emit)
}

// Repeated rows: a citizen with several has two to four, most often two
// (estimates: Vietnam counts more mobile subscriptions than adults, and
// the regulations cap SIMs a person may hold; the shape, not the figures,
// is what matters to reconciliation).
const maxExtra = 3

var extraWeights = [maxExtra]float64{0.75, 0.2, 0.05} // one, two, three more rows

// extras draws how many more rows the next citizen has, so that the
// repeats left are shared among the citizens left: a citizen has more
// rows with probability mean/1.3, 1.3 being the mean number of extra rows
// of those who have any; near the end the draw is forced to use up what
// is left.
func (d *Deriver) extras(repeatsLeft, citizensLeft int64) int {
	if repeatsLeft <= 0 || citizensLeft <= 0 {
		return 0
	}
	var meanExtra float64
	for i, w := range extraWeights {
		meanExtra += float64(i+1) * w
	}
	p := float64(repeatsLeft) / float64(citizensLeft) / meanExtra
	e := 0
	if d.sel.chance(p) {
		u := d.sel.float()
		e = maxExtra
		for i, w := range extraWeights {
			if u < w {
				e = i + 1
				break
			}
			u -= w
		}
	}
	least := repeatsLeft - maxExtra*(citizensLeft-1)
	return int(min(max(int64(e), least), repeatsLeft, maxExtra))
}

// push puts a row in the shuffle buffer; once it is full, a row drawn from
// it goes out to make room.
func (d *Deriver) push(p pending, emit func(DatasetRow) error) error {
	if len(d.pending) < shuffleSize {
		d.pending = append(d.pending, p)
		return nil
	}
	i := d.mix.intn(len(d.pending))
	out := d.pending[i]
	d.pending[i] = p
	return d.write(out, emit)
}

// flush writes what is left in the shuffle buffer, in random order.
func (d *Deriver) flush(emit func(DatasetRow) error) error {
	for len(d.pending) > 0 {
		i := d.mix.intn(len(d.pending))
		last := len(d.pending) - 1
		d.pending[i], d.pending[last] = d.pending[last], d.pending[i]
		out := d.pending[last]
		d.pending = d.pending[:last]
		if err := d.write(out, emit); err != nil {
			return err
		}
	}
	return nil
}

// write gives a row its key and kind and emits it.
func (d *Deriver) write(p pending, emit func(DatasetRow) error) error {
	d.written++
	var num [20]byte
	digits := strconv.AppendInt(num[:0], d.written, 10)
	b := append(d.buf[:0], d.cfg.Kind.keyPrefix()...)
	for i := len(digits); i < 9; i++ { // TB000000042
		b = append(b, '0')
	}
	b = append(b, digits...)
	d.buf = b
	key := string(b)
	p.values[colKey] = key
	kind := RowCitizen
	switch {
	case p.fake:
		kind = RowNonexistent
	case p.holder != nil && p.holder.written:
		kind = RowRepeat
	case p.holder != nil:
		p.holder.written = true
	}
	return emit(DatasetRow{Values: p.values, Truth: Truth{
		RecordKey: key, PID: p.pid, Kind: kind, Noise: p.noise, Deceased: p.deceased,
	}})
}

// pidKey reads a 12-digit PID as a number.
func pidKey(s string) (uint64, bool) {
	if len(s) != 12 {
		return 0, false
	}
	return digitsKey(s)
}

// phoneKey reads a phone number written as the register writes them (ten
// digits from 0) as a number; other forms are not keys.
func phoneKey(s string) (uint64, bool) {
	if len(s) != 10 || s[0] != '0' {
		return 0, false
	}
	return digitsKey(s)
}

func digitsKey(s string) (uint64, bool) {
	var k uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		k = k*10 + uint64(c-'0')
	}
	return k, true
}

// inInput reports whether a citizen of the input holds the PID s.
func (d *Deriver) inInput(s string) bool {
	k, ok := pidKey(s)
	if !ok {
		return false
	}
	return d.pids.has(k)
}

// numberSet is a set of numbers below 2⁴⁰ (PIDs, phone numbers) in four
// bytes a number: bucketed by their high 16 bits, each bucket a sorted
// list of the low 24.
type numberSet struct {
	buckets [1 << 16][]uint32
}

const lowBits = 24

func (s *numberSet) add(k uint64) {
	b := &s.buckets[k>>lowBits&(1<<16-1)]
	*b = append(*b, uint32(k&(1<<lowBits-1)))
}

// seal sorts the buckets; call it after the last add, before has.
func (s *numberSet) seal() {
	for i := range s.buckets {
		slices.Sort(s.buckets[i])
		s.buckets[i] = slices.Clip(s.buckets[i])
	}
}

func (s *numberSet) has(k uint64) bool {
	if k>>(lowBits+16) != 0 {
		return false
	}
	_, found := slices.BinarySearch(s.buckets[k>>lowBits], uint32(k&(1<<lowBits-1)))
	return found
}
