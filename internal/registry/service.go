package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"

	"github.com/google/uuid"
)

// Store is what the register needs from the database. internal/store
// implements it on SQLite and PostgreSQL.
type Store interface {
	// Citizen returns the current record, or an error matching ErrNotFound.
	Citizen(ctx context.Context, number pid.PID) (Citizen, error)
	// Household returns the household with its members, or ErrNotFound.
	Household(ctx context.Context, id string) (Household, error)
	// Residences lists a citizen's residence registrations, newest first.
	Residences(ctx context.Context, number pid.PID) ([]Residence, error)
	// Commit writes an event and everything it changed in one durable
	// transaction, or nothing. It returns ErrConflict when a record's
	// stored version is not the one the change was computed from.
	Commit(ctx context.Context, c Commit) error
	// History lists every version of a citizen's record, oldest first.
	History(ctx context.Context, number pid.PID) ([]Version, error)
	// AsOf returns the record as it stood at t, or ErrNotFound when it
	// was not yet registered then.
	AsOf(ctx context.Context, number pid.PID, t time.Time) (Citizen, error)
	// FindCitizens searches by folded full name and optional birth year.
	FindCitizens(ctx context.Context, q Query) ([]Citizen, error)
}

// Commit is one event and every record it changed, each at its new
// version (1 for a record the event creates).
type Commit struct {
	Event      Event
	Citizens   []Citizen
	Households []Household
	Residences []Residence
	// ClaimPIDs are numbers entering the register with this event, marked
	// as taken so that the allocator never hands them out.
	ClaimPIDs []pid.PID
	// Communes holds, for each citizen in Citizens, the 2025 commune code
	// of the permanent address ("" when none or undecided), which the
	// store indexes for per-area work.
	Communes map[pid.PID]string
}

// Query finds citizens.
type Query struct {
	// NameKey is vntext.Fold of the full name.
	NameKey   string
	BirthYear int // 0: any
	Limit     int
}

// Service records life events and reads the register.
type Service struct {
	store Store
	alloc *pid.Allocator
	units *adminunit.Directory
	now   func() time.Time
	newID func() string
}

// Units is the directory of administrative units the register checks
// addresses against.
func (s *Service) Units() *adminunit.Directory { return s.units }

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// NewService returns the register over store. alloc issues numbers at
// birth; units validates and converts administrative unit codes.
func NewService(store Store, alloc *pid.Allocator, units *adminunit.Directory, opts ...Option) *Service {
	s := &Service{store: store, alloc: alloc, units: units, now: time.Now, newID: newID}
	for _, o := range opts {
		o(s)
	}
	return s
}

// newID returns a time-ordered random identifier (UUIDv7), so that ids of
// events and households sort by creation and need no sequence.
func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(fmt.Sprintf("registry: new id: %v", err))
	}
	return id.String()
}

// vietnam is the register's time zone (UTC+7, no daylight saving), in which
// "today" is reckoned.
var vietnam = time.FixedZone("ICT", 7*60*60)

func (s *Service) today() Date { return DateOf(s.now().In(vietnam)) }

// maxAttempts bounds the retries of an event that lost a race. Contention
// is between events on the same records (one household), so a handful of
// concurrent officers is the realistic worst case; the jittered backoff
// keeps them from colliding in lockstep.
const maxAttempts = 32

// backoff waits before retry n (from 1): up to 1 ms, 2 ms, 4 ms … 50 ms,
// chosen at random.
func backoff(ctx context.Context, n int) error {
	limit := min(time.Millisecond<<min(n-1, 6), 50*time.Millisecond)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(limit)) + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// record runs build on a fresh unit of work and commits what it changed,
// retrying from scratch when a concurrent event changed the same records.
func (s *Service) record(ctx context.Context, kind Kind, meta Meta, build func(w *work) error) (Event, error) {
	if err := s.checkMeta(&meta); err != nil {
		return Event{}, err
	}
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return Event{}, err
			}
		}
		w := &work{ctx: ctx, s: s, day: meta.EffectiveDate, citizens: map[pid.PID]*trackedCitizen{}, households: map[string]*trackedHousehold{}}
		if err = build(w); err != nil {
			return Event{}, err
		}
		var c Commit
		c, err = w.commit(kind, meta)
		if err != nil {
			return Event{}, err
		}
		err = s.store.Commit(ctx, c)
		if err == nil {
			return c.Event, nil
		}
		if !errors.Is(err, ErrConflict) {
			return Event{}, fmt.Errorf("record %s: %w", kind, err)
		}
	}
	return Event{}, fmt.Errorf("record %s: gave up after %d concurrent changes: %w", kind, maxAttempts, err)
}

func (s *Service) checkMeta(m *Meta) error {
	m.Actor = strings.TrimSpace(m.Actor)
	if m.Actor == "" {
		return invalid("actor", "required", "who records the event is required")
	}
	if len(m.LegalBasis) > 500 {
		return invalid("legal_basis", "too_long", "at most 500 characters")
	}
	if len(m.Note) > 2000 {
		return invalid("note", "too_long", "at most 2000 characters")
	}
	if m.EffectiveDate.IsZero() {
		m.EffectiveDate = s.today()
	}
	if !m.EffectiveDate.Full() {
		return invalid("effective_date", "partial", "when the event happened must be a full date")
	}
	return s.notFuture("effective_date", m.EffectiveDate)
}

// trackedCitizen is a record loaded (or created) by a unit of work, with
// the JSON it had, to find what changed.
type trackedCitizen struct {
	c       Citizen
	before  []byte // the record without its version stamp; nil for a new record
	version int64
	updated time.Time
	touched bool // a new version even if no field changed
}

type trackedHousehold struct {
	h       Household
	before  []byte
	version int64
	updated time.Time
}

// unstamped is c's JSON without Version and UpdatedAt, which change with
// every event and are not data.
func unstamped[T any](v T, clear func(*T)) ([]byte, error) {
	clear(&v)
	if a, ok := any(&v).(interface{ AppendJSON([]byte) ([]byte, error) }); ok {
		return a.AppendJSON(nil)
	}
	return json.Marshal(v)
}

func clearCitizenStamp(c *Citizen)     { c.Version, c.UpdatedAt = 0, time.Time{} }
func clearHouseholdStamp(h *Household) { h.Version, h.UpdatedAt = 0, time.Time{} }

// work is one event being built: the records it read and changed.
type work struct {
	ctx        context.Context
	s          *Service
	day        Date // when the event happened (Meta.EffectiveDate, defaulted)
	citizens   map[pid.PID]*trackedCitizen
	order      []pid.PID
	households map[string]*trackedHousehold
	horder     []string
	residences []Residence
	claims     []pid.PID
	main       pid.PID
	// newHouseholdID, when set, is the id of the next household the event
	// starts (an import keeps the file's ids); otherwise a new one is made.
	newHouseholdID string
	// knownNew: the caller has checked that the citizen an initial
	// registration enters is not in the register (an import, which looks
	// first to tell a repeated row from a clash).
	knownNew bool
}

// citizen loads a record for the event to read or change; field names the
// input that referred to it, for the error.
func (w *work) citizen(field string, number pid.PID) (*Citizen, error) {
	if t, ok := w.citizens[number]; ok {
		return &t.c, nil
	}
	c, err := w.s.store.Citizen(w.ctx, number)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound(field, "no citizen with number %s in the register", number)
		}
		return nil, err
	}
	before, err := unstamped(c, clearCitizenStamp)
	if err != nil {
		return nil, err
	}
	w.citizens[number] = &trackedCitizen{c: c, before: before, version: c.Version, updated: c.UpdatedAt}
	w.order = append(w.order, number)
	if w.main == "" {
		w.main = number
	}
	return &w.citizens[number].c, nil
}

// living loads a record that must belong to someone alive and not merged.
func (w *work) living(field string, number pid.PID) (*Citizen, error) {
	c, err := w.citizen(field, number)
	if err != nil {
		return nil, err
	}
	switch c.Status {
	case StatusDeceased:
		return nil, rule(field, "deceased", "citizen %s is recorded as deceased", number)
	case StatusMerged:
		return nil, rule(field, "merged", "record %s was merged into %s; use that number", number, c.MergedInto)
	}
	return c, nil
}

// touch gives c a new version, linking the event to c's history, even if
// the event changes none of c's fields (an overnight stay).
func (w *work) touch(c *Citizen) { w.citizens[c.PID].touched = true }

// alive parses the number in field and loads its record, which must be
// of someone alive: not deceased, merged or declared missing.
func (w *work) alive(field string, p pid.PID) (*Citizen, error) {
	number, err := checkPID(field, p)
	if err != nil {
		return nil, err
	}
	c, err := w.living(field, number)
	if err != nil {
		return nil, err
	}
	if c.Status != StatusAlive {
		return nil, rule(field, "not_alive", "citizen %s is recorded as %s", number, c.Status)
	}
	return c, nil
}

// add starts a new record.
func (w *work) add(c Citizen) *Citizen {
	w.citizens[c.PID] = &trackedCitizen{c: c}
	w.order = append(w.order, c.PID)
	if w.main == "" {
		w.main = c.PID
	}
	return &w.citizens[c.PID].c
}

func (w *work) household(field, id string) (*Household, error) {
	if t, ok := w.households[id]; ok {
		return &t.h, nil
	}
	h, err := w.s.store.Household(w.ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, notFound(field, "no household %s", id)
		}
		return nil, err
	}
	if h.Dissolved {
		return nil, rule(field, "dissolved", "household %s was dissolved", id)
	}
	before, err := unstamped(h, clearHouseholdStamp)
	if err != nil {
		return nil, err
	}
	w.households[id] = &trackedHousehold{h: h, before: before, version: h.Version, updated: h.UpdatedAt}
	w.horder = append(w.horder, id)
	return &w.households[id].h, nil
}

// newHousehold starts a household at address with head as its head.
func (w *work) newHousehold(address Address, head *Citizen) *Household {
	id := w.newHouseholdID
	if id == "" {
		id = w.s.newID()
	}
	w.newHouseholdID = ""
	w.households[id] = &trackedHousehold{h: Household{ID: id, Address: address}}
	w.horder = append(w.horder, id)
	h := &w.households[id].h
	w.join(h, head, RelationHead)
	return h
}

// join moves c into h with relation, out of any household it was in. The
// caller has made sure the old household keeps a head.
func (w *work) join(h *Household, c *Citizen, rel Relation) {
	if c.HouseholdID != "" && c.HouseholdID != h.ID {
		if old, ok := w.households[c.HouseholdID]; ok {
			removeMember(&old.h, c.PID)
		}
	}
	removeMember(h, c.PID)
	h.Members = append(h.Members, Member{PID: c.PID, Relation: rel})
	if rel == RelationHead {
		h.HeadPID = c.PID
	}
	c.HouseholdID, c.RelationToHead = h.ID, rel
	c.PermanentAddress = h.Address
}

// leave takes c out of its household. When c is the head and others
// remain, newHead (one of them) becomes head; when no one remains, the
// household is dissolved.
func (w *work) leave(c *Citizen, field string, newHead pid.PID) error {
	if c.HouseholdID == "" {
		return nil
	}
	h, err := w.household("household_id", c.HouseholdID)
	if err != nil {
		return err
	}
	removeMember(h, c.PID)
	c.HouseholdID, c.RelationToHead = "", ""
	if h.HeadPID != c.PID {
		return nil
	}
	h.HeadPID = ""
	if len(h.Members) == 0 {
		h.Dissolved = true
		return nil
	}
	if newHead == "" {
		return rule(field, "head_required", "%s is the head of household %s, which keeps %d member(s): name the new head", c.PID, h.ID, len(h.Members))
	}
	return w.promote(h, field, newHead)
}

// promote makes number, a member of h, its head.
func (w *work) promote(h *Household, field string, number pid.PID) error {
	found := false
	for i, m := range h.Members {
		if m.PID == number {
			h.Members[i].Relation = RelationHead
			found = true
		}
	}
	if !found {
		return rule(field, "not_member", "%s is not a member of household %s", number, h.ID)
	}
	nh, err := w.living(field, number)
	if err != nil {
		return err
	}
	h.HeadPID = number
	nh.RelationToHead = RelationHead
	return nil
}

func removeMember(h *Household, number pid.PID) {
	out := h.Members[:0]
	for _, m := range h.Members {
		if m.PID != number {
			out = append(out, m)
		}
	}
	h.Members = out
}

// commit turns the unit of work into a Commit: new versions of what
// changed and the field-by-field changes of the event. A record the event
// creates has no field changes: its first version is the whole of it, and
// the event names it among its subjects.
func (w *work) commit(kind Kind, meta Meta) (Commit, error) {
	now := w.s.now().UTC().Truncate(time.Microsecond) // as the stores keep it
	ev := Event{ID: w.s.newID(), Kind: kind, PID: w.main, Meta: meta, RecordedAt: now}
	c := Commit{Residences: w.residences, ClaimPIDs: w.claims, Communes: map[pid.PID]string{}}
	for _, number := range w.order {
		t := w.citizens[number]
		if t.before != nil { // a record the event creates is changed by it; no need to compare
			after, err := unstamped(t.c, clearCitizenStamp)
			if err != nil {
				return Commit{}, err
			}
			if bytes.Equal(t.before, after) && !t.touched {
				t.c.Version, t.c.UpdatedAt = t.version, t.updated
				continue
			}
			changes, err := diff("citizen:"+string(number), t.before, after)
			if err != nil {
				return Commit{}, err
			}
			ev.Changes = append(ev.Changes, changes...)
		}
		t.c.Version, t.c.UpdatedAt = t.version+1, now
		ev.Subjects = append(ev.Subjects, number)
		c.Citizens = append(c.Citizens, t.c)
		c.Communes[number] = w.s.CurrentCommune(t.c.PermanentAddress)
	}
	for _, id := range w.horder {
		t := w.households[id]
		if t.before != nil {
			after, err := unstamped(t.h, clearHouseholdStamp)
			if err != nil {
				return Commit{}, err
			}
			if bytes.Equal(t.before, after) {
				continue
			}
			changes, err := diff("household:"+id, t.before, after)
			if err != nil {
				return Commit{}, err
			}
			ev.Changes = append(ev.Changes, changes...)
		}
		t.h.Version, t.h.UpdatedAt = t.version+1, now
		ev.Households = append(ev.Households, id)
		c.Households = append(c.Households, t.h)
	}
	for i := range c.Residences {
		c.Residences[i].EventID = ev.ID
		if c.Residences[i].Active {
			continue // a registration this event starts: the row is its record
		}
		after, _ := json.Marshal(c.Residences[i])
		changes, err := diff("residence:"+c.Residences[i].ID, nil, after)
		if err != nil {
			return Commit{}, err
		}
		ev.Changes = append(ev.Changes, changes...)
	}
	if len(c.Citizens) == 0 {
		return Commit{}, rule("", "no_change", "the event changes nothing in the register")
	}
	if ev.PID == "" {
		ev.PID = c.Citizens[0].PID
	}
	ev.Subjects = moveFirst(ev.Subjects, ev.PID)
	c.Event = ev
	return c, nil
}

func moveFirst(list []pid.PID, first pid.PID) []pid.PID {
	for i, p := range list {
		if p == first && i > 0 {
			copy(list[1:i+1], list[:i])
			list[0] = first
		}
	}
	return list
}

// diff lists the top-level JSON fields that differ between before and
// after (either may be nil for "no record"), sorted by name. It splits the
// objects itself rather than unmarshal them into maps: a household's JSON
// grows with its members, and an import diffs it at every member who
// joins.
func diff(record string, before, after []byte) ([]Change, error) {
	var bbuf, abuf [32]jsonMember
	b, a := bbuf[:0], abuf[:0]
	var err error
	if before != nil {
		if b, err = objectMembers(before, b); err != nil {
			return nil, err
		}
	}
	if a, err = objectMembers(after, a); err != nil {
		return nil, err
	}
	var out []Change
	for len(b) > 0 || len(a) > 0 {
		var name, bv, av []byte
		switch c := compareFirst(b, a); {
		case c < 0:
			name, bv, b = b[0].name, b[0].value, b[1:]
		case c > 0:
			name, av, a = a[0].name, a[0].value, a[1:]
		default:
			name, bv, av, b, a = b[0].name, b[0].value, a[0].value, b[1:], a[1:]
		}
		if bytes.Equal(bv, av) {
			continue
		}
		// The values are copied, as json.Unmarshal did, so that an event
		// does not hold on to whole records.
		out = append(out, Change{Record: record, Field: string(name),
			Before: bytes.Clone(emptyToNil(bv)), After: bytes.Clone(emptyToNil(av))})
	}
	return out, nil
}

// compareFirst orders the first names of two sorted member lists, an
// empty list last.
func compareFirst(b, a []jsonMember) int {
	switch {
	case len(a) == 0:
		return -1
	case len(b) == 0:
		return 1
	}
	return bytes.Compare(b[0].name, a[0].name)
}

// emptyToNil drops JSON values that mean "empty", so that a change from
// nothing to something shows only its After.
func emptyToNil(v json.RawMessage) json.RawMessage {
	switch string(v) {
	case "", `""`, "null", "[]", "{}", "false", "0":
		return nil
	}
	return v
}
