package registry

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"

	"dancu/internal/pid"
)

// BatchStore is a Store that can commit many events in one transaction, as
// an import does: all of them or none.
type BatchStore interface {
	// PrepareBatch turns commits into the store's rows on the caller's
	// goroutine and returns the function that writes them, which may run
	// on another while the caller builds the next batch.
	PrepareBatch(commits []Commit) (write func(context.Context) error, err error)
}

// Outcome is what an import did with one row.
type Outcome string

// Import outcomes.
const (
	Imported  Outcome = "imported"
	Unchanged Outcome = "unchanged" // the register already holds the same citizen
	Rejected  Outcome = "rejected"
)

// RowResult is the fate of one row of an import.
type RowResult struct {
	Line    int64
	PID     string
	Outcome Outcome
	// Err says why a row was rejected: a *FieldError naming the column, or
	// a plain error.
	Err error
}

// ImportOptions configure an Importer.
type ImportOptions struct {
	// Actor is who records the initial registrations ("import" when empty).
	Actor string
	// LegalBasis of the registrations.
	LegalBasis string
	// Source names the input (a file name) in each event's note.
	Source string
	// BatchSize is how many rows commit together (default 1,000): each
	// batch is one transaction, so an interrupted import leaves whole
	// batches and rerunning it finishes the job.
	BatchSize int
	// Result receives the outcome of every row, in input order for the
	// rows that were imported or unchanged and at once for rejects.
	Result func(RowResult)
	// Empty says the register held no citizen when the import started.
	// A number the import has not registered itself is then not looked
	// up (a 16 MiB Bloom filter remembers the ones it has). Should
	// another writer register the same number meanwhile, the batch fails
	// to commit and its rows are redone with every lookup.
	Empty bool
}

// Importer enters rows of a file into the register, one initial
// registration event per citizen, batching commits. It is not safe for
// concurrent use; call Add for each row, then Close.
type Importer struct {
	s     *Service
	opts  ImportOptions
	run   string // identifies this run in event notes
	batch *overlay
	rows  []pendingRow
	// inflight is the batch being committed while the next one is built
	// (validating and committing each take about half the time, and the
	// machine has more than one core); nil when none.
	inflight *inflightBatch
	// mine remembers the numbers this run registered, so that a number the
	// register holds is looked up in its history (was it this run, at an
	// earlier line?) only when it may have been: a rerun of a file finds
	// every row unchanged without reading any history.
	mine *keyFilter
}

type inflightBatch struct {
	rows []pendingRow
	done chan error
}

type pendingRow struct {
	line   int64
	record Record
	commit Commit
	pid    pid.PID
}

// NewImporter starts an import.
func (s *Service) NewImporter(opts ImportOptions) *Importer {
	if opts.Actor == "" {
		opts.Actor = "import"
	}
	if opts.LegalBasis == "" {
		opts.LegalBasis = "Luật Căn cước 2023, Điều 10 (thu thập dữ liệu dân cư)"
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.Result == nil {
		opts.Result = func(RowResult) {}
	}
	run := s.newID()
	im := &Importer{s: s, opts: opts, run: run[len(run)-12:], batch: newOverlay(s.store)}
	if opts.Empty {
		im.batch.filter = newKeyFilter()
		im.batch.hfilter = newKeyFilter()
		im.mine = im.batch.filter // the same numbers
	} else {
		im.mine = newKeyFilter()
	}
	return im
}

// notePrefix starts the note of every event of this run.
func (im *Importer) notePrefix() string { return "import " + im.run + ", line " }

// Add validates one row (line is its line number in the file, for the
// error) and queues its registration; full batches are committed. An error
// is returned only when the store fails: a bad row is reported through
// Result and the import goes on.
func (im *Importer) Add(ctx context.Context, line int64, r Record) error {
	c, done, err := im.check(ctx, im.batch, line, r)
	if done || err != nil {
		return err
	}
	im.batch.apply(c, line)
	if im.mine != im.batch.filter {
		im.mine.add(c.Event.PID.Uint64())
	}
	im.rows = append(im.rows, pendingRow{line: line, record: r, commit: c, pid: c.Event.PID})
	if len(im.rows) >= im.opts.BatchSize {
		return im.Flush(ctx)
	}
	return nil
}

// Close commits what is queued and waits for it.
func (im *Importer) Close(ctx context.Context) error {
	if err := im.Flush(ctx); err != nil {
		return err
	}
	return im.wait(ctx)
}

// Flush commits the queued rows in one transaction. When a concurrent
// change to the register conflicts with the batch, its rows are redone one
// by one on fresh data.
func (im *Importer) Flush(ctx context.Context) error {
	if len(im.rows) == 0 {
		return im.wait(ctx)
	}
	rows := im.rows
	im.rows = nil
	commits := make([]Commit, len(rows))
	for i, r := range rows {
		commits[i] = r.commit
	}
	// The store's rows are made while the batch before is being written.
	var write func(context.Context) error
	prepErr := errBatchUnsupported
	if bs, ok := im.s.store.(BatchStore); ok {
		write, prepErr = bs.PrepareBatch(commits)
	}
	if err := im.wait(ctx); err != nil {
		return err
	}
	// The next batch sees this one's records until it is committed.
	next := newOverlay(im.s.store)
	next.prev, next.filter, next.hfilter = im.batch, im.batch.filter, im.batch.hfilter
	im.batch.prev = nil // committed by now (wait above)
	im.batch = next
	b := &inflightBatch{rows: rows, done: make(chan error, 1)}
	im.inflight = b
	if prepErr != nil {
		b.done <- prepErr
		return nil
	}
	go func() { b.done <- write(ctx) }()
	return nil
}

// wait finishes the batch in flight: reports its rows, or redoes them one
// by one when the batch could not commit as a whole.
func (im *Importer) wait(ctx context.Context) error {
	b := im.inflight
	if b == nil {
		return nil
	}
	im.inflight = nil
	err := <-b.done
	if err == nil {
		for _, r := range b.rows {
			im.opts.Result(RowResult{Line: r.line, PID: string(r.pid), Outcome: Imported})
		}
		return nil
	}
	if !errors.Is(err, ErrConflict) && !errors.Is(err, errBatchUnsupported) {
		return fmt.Errorf("import: commit rows %d–%d: %w", b.rows[0].line, b.rows[len(b.rows)-1].line, err)
	}
	for _, r := range b.rows {
		if err := im.one(ctx, r.line, r.record); err != nil {
			return err
		}
	}
	return nil
}

var errBatchUnsupported = errors.New("store commits one event at a time")

// one imports a single row on its own, retrying on conflicts like any
// event.
func (im *Importer) one(ctx context.Context, line int64, r Record) error {
	for attempt := range maxAttempts {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
		}
		c, done, err := im.check(ctx, newOverlay(im.s.store), line, r)
		if done || err != nil {
			return err
		}
		err = im.s.store.Commit(ctx, c)
		if err == nil {
			im.mine.add(c.Event.PID.Uint64())
			im.opts.Result(RowResult{Line: line, PID: string(c.Event.PID), Outcome: Imported})
			return nil
		}
		if !errors.Is(err, ErrConflict) {
			return fmt.Errorf("import: line %d: %w", line, err)
		}
	}
	return fmt.Errorf("import: line %d: gave up after %d concurrent changes", line, maxAttempts)
}

// check builds the commit of a row; done reports a row that needs none,
// rejected or unchanged, whose result it has reported. An error is the
// store's.
func (im *Importer) check(ctx context.Context, ov *overlay, line int64, r Record) (c Commit, done bool, err error) {
	c, outcome, err := im.build(ctx, ov, line, r)
	if err != nil {
		var fe *FieldError
		if !errors.As(err, &fe) && !errors.Is(err, errRejected) {
			return c, true, err
		}
		im.opts.Result(RowResult{Line: line, PID: r.PID, Outcome: Rejected, Err: err})
		return c, true, nil
	}
	if outcome == Unchanged {
		im.opts.Result(RowResult{Line: line, PID: r.PID, Outcome: Unchanged})
		return c, true, nil
	}
	return c, false, nil
}

// errRejected marks a row refused for a reason that is not one field's.
var errRejected = errors.New("rejected")

func reject(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errRejected, fmt.Sprintf(format, a...))
}

// build validates a row against the register as ov sees it and returns
// the commit that registers it, or Unchanged.
func (im *Importer) build(ctx context.Context, ov *overlay, line int64, r Record) (Commit, Outcome, error) {
	in, err := im.s.FromRecord(r)
	if err != nil {
		return Commit{}, "", err
	}
	number := in.Citizen.PID
	for o := ov; o != nil; o = o.prev {
		if first, ok := o.lines[number]; ok {
			return Commit{}, "", reject("pid %s appears twice in this file (first at line %d)", number, first)
		}
	}
	stored, err := ov.Citizen(ctx, number)
	switch {
	case err == nil:
		// The register holds this number: the same citizen, or a clash.
		if err := im.compare(ctx, stored, in); err != nil {
			return Commit{}, "", err
		}
		return Commit{}, Unchanged, nil
	case !isNotFound(err):
		return Commit{}, "", err
	}
	if err := checkHouseholdID(in.HouseholdID); err != nil {
		return Commit{}, "", err
	}
	meta := Meta{Actor: im.opts.Actor, LegalBasis: im.opts.LegalBasis, Note: fmt.Sprintf("%s%d of %s", im.notePrefix(), line, im.opts.Source)}
	if err := im.s.checkMeta(&meta); err != nil {
		return Commit{}, "", err
	}
	s := *im.s
	s.store = ov
	w := &work{ctx: ctx, s: &s, day: meta.EffectiveDate, citizens: map[pid.PID]*trackedCitizen{}, households: map[string]*trackedHousehold{}, knownNew: true}
	if err := im.household(ctx, ov, w, &in); err != nil {
		return Commit{}, "", err
	}
	if err := s.registerInitial(ctx, w, in); err != nil {
		return Commit{}, "", err
	}
	c, err := w.commit(KindInitialRegistration, meta)
	if err != nil {
		return Commit{}, "", err
	}
	return c, Imported, nil
}

// household applies a file's household columns: the head's row starts
// the household with the file's id, the others join it.
func (im *Importer) household(ctx context.Context, ov *overlay, w *work, in *InitialRegistration) error {
	if in.HouseholdID == "" {
		if in.Relation != "" {
			return invalid("household_id", "required", "relation_to_head %q needs a household_id", in.Relation)
		}
		return nil
	}
	if in.Citizen.Status == StatusDeceased {
		return invalid("household_id", "deceased", "a deceased citizen belongs to no household")
	}
	h, err := ov.Household(ctx, in.HouseholdID)
	exists := err == nil
	if err != nil && !isNotFound(err) {
		return err
	}
	if in.Relation == RelationHead {
		if exists {
			return rule("relation_to_head", "head_exists", "household %s already has head %s", in.HouseholdID, h.HeadPID)
		}
		if in.Citizen.PermanentAddress.IsZero() {
			return invalid("permanent_address", "required", "the head of household %s needs a permanent address", in.HouseholdID)
		}
		w.newHouseholdID, in.HouseholdID, in.Relation = in.HouseholdID, "", ""
		return nil
	}
	if !exists {
		return rule("household_id", "no_head", "household %s has no head yet: its head's row must come first", in.HouseholdID)
	}
	a := in.Citizen.PermanentAddress
	if !a.IsZero() {
		if err := im.s.checkAddress("permanent_address", &a, false); err != nil {
			return err
		}
		if a != h.Address {
			return rule("permanent_address", "not_household_address", "%q is not the address of household %s (%q)", im.s.AddressText(a), h.ID, im.s.AddressText(h.Address))
		}
	}
	return nil
}

// checkHouseholdID accepts the ids dancu makes (UUIDs) and other short
// identifiers of letters, digits, '-' and '_'.
func checkHouseholdID(id string) error {
	if len(id) > 64 {
		return invalid("household_id", "bad_household_id", "at most 64 characters")
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return invalid("household_id", "bad_household_id", "a household id holds letters, digits, '-' and '_', not %q", r)
		}
	}
	return nil
}

// compare decides on a row whose PID the register holds: the same citizen
// is unchanged; different data, or a second row of this run, is rejected.
func (im *Importer) compare(ctx context.Context, stored Citizen, in InitialRegistration) error {
	if line, ok := im.importedAt(ctx, stored.PID); ok {
		return reject("pid %s appears twice in this file (first at line %d)", stored.PID, line)
	}
	want := im.s.RecordOf(im.s.normalized(in.Citizen))
	have := im.s.RecordOf(stored)
	if in.HouseholdID == "" {
		have.HouseholdID, have.RelationToHead = "", ""
	} else {
		want.HouseholdID, want.RelationToHead = in.HouseholdID, string(in.Relation)
	}
	if want.PermanentAddress == "" && have.HouseholdID != "" {
		have.PermanentAddress = ""
	}
	var differ []string
	wf, hf := want.Fields(), have.Fields()
	for i, name := range RecordFields {
		if *wf[i] != *hf[i] {
			differ = append(differ, name)
		}
	}
	if len(differ) == 0 {
		return nil
	}
	return reject("pid %s is already in the register with a different %s", stored.PID, strings.Join(differ, ", "))
}

// importedAt reports the line at which this run registered number, from
// the note of its first event.
func (im *Importer) importedAt(ctx context.Context, number pid.PID) (int64, bool) {
	if !im.mine.mayHave(number.Uint64()) {
		return 0, false
	}
	versions, err := im.s.store.History(ctx, number)
	if err != nil || len(versions) == 0 {
		return 0, false
	}
	var line int64
	note := versions[0].Event.Note
	if !strings.HasPrefix(note, im.notePrefix()) {
		return 0, false
	}
	if _, err := fmt.Sscanf(note[len(im.notePrefix()):], "%d", &line); err != nil {
		return 0, false
	}
	return line, true
}

// normalized is c as an initial registration would store it, as far as
// the Record shows: validation's normalisations and defaults applied.
func (s *Service) normalized(c Citizen) Citizen {
	_ = s.checkDetails(&c)
	for _, a := range []*Address{&c.PermanentAddress, &c.TemporaryAddress, &c.CurrentAddress} {
		_ = s.checkAddress("", a, false)
	}
	if c.MaritalStatus == "" {
		c.MaritalStatus = Single
	}
	if c.Status == "" {
		c.Status = StatusAlive
	}
	return c
}

// overlay is the register as a batch being built sees it: the records the
// batch's rows created or changed, over the store.
type overlay struct {
	Store
	prev       *overlay   // the batch in flight, not yet in the store
	filter     *keyFilter // numbers the import registered, when it began on an empty register
	hfilter    *keyFilter // households it started, likewise
	citizens   map[pid.PID]Citizen
	households map[string]Household
	lines      map[pid.PID]int64 // the line of each citizen the batch registers
}

func newOverlay(base Store) *overlay {
	return &overlay{Store: base, citizens: map[pid.PID]Citizen{}, households: map[string]Household{}, lines: map[pid.PID]int64{}}
}

func (o *overlay) Citizen(ctx context.Context, number pid.PID) (Citizen, error) {
	if c, ok := o.citizens[number]; ok {
		return c, nil
	}
	if o.prev != nil {
		if c, ok := o.prev.citizens[number]; ok {
			return c, nil
		}
	}
	if o.filter != nil && !o.filter.mayHave(number.Uint64()) {
		return Citizen{}, ErrNotFound
	}
	return o.Store.Citizen(ctx, number)
}

func (o *overlay) Household(ctx context.Context, id string) (Household, error) {
	if h, ok := o.households[id]; ok {
		return h, nil
	}
	if o.prev != nil {
		if h, ok := o.prev.households[id]; ok {
			return h, nil
		}
	}
	if o.hfilter != nil && !o.hfilter.mayHave(maphash.String(householdSeed, id)) {
		return Household{}, ErrNotFound
	}
	return o.Store.Household(ctx, id)
}

// apply records what commit c changed, for the rows after it.
func (o *overlay) apply(c Commit, line int64) {
	for _, ct := range c.Citizens {
		o.citizens[ct.PID] = ct
		if o.filter != nil {
			o.filter.add(ct.PID.Uint64())
		}
	}
	for _, h := range c.Households {
		// An exact-size copy: a later row appending to it must not write
		// into the slice this commit holds.
		members := make([]Member, len(h.Members))
		copy(members, h.Members)
		h.Members = members
		o.households[h.ID] = h
		if o.hfilter != nil {
			o.hfilter.add(maphash.String(householdSeed, h.ID))
		}
	}
	o.lines[c.Event.PID] = line
}

// keyFilter is a Bloom filter of keys (personal ID numbers, hashed
// household ids): no false negatives, about 1 % false positives at 10
// million keys, a fixed 16 MiB.
type keyFilter struct{ bits []uint64 }

// householdSeed hashes household ids for a keyFilter.
var householdSeed = maphash.MakeSeed()

const filterBits = 1 << 27

func newKeyFilter() *keyFilter { return &keyFilter{bits: make([]uint64, filterBits/64)} }

// probes are the filter's bit positions for key: four, by double hashing
// of a mixed value of it.
func (f *keyFilter) probes(key uint64) [4]uint64 {
	h := key + 0x9e3779b97f4a7c15
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9
	h = (h ^ (h >> 27)) * 0x94d049bb133111eb
	h ^= h >> 31
	h1, h2 := h&(filterBits-1), (h>>32)|1
	var p [4]uint64
	for i := range p {
		p[i] = (h1 + uint64(i)*h2) & (filterBits - 1)
	}
	return p
}

func (f *keyFilter) add(key uint64) {
	for _, b := range f.probes(key) {
		f.bits[b/64] |= 1 << (b % 64)
	}
}

func (f *keyFilter) mayHave(key uint64) bool {
	for _, b := range f.probes(key) {
		if f.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}
