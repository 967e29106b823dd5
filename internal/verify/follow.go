package verify

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"dancu/internal/registry"
)

// BuildStats says what Build did.
type BuildStats struct {
	// Read counts the records the register gave.
	Read int64
	// Citizens is the number of citizens the index holds afterwards.
	Citizens int
	Elapsed  time.Duration
}

// Rate is the citizens read per second.
func (s BuildStats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Read) / s.Elapsed.Seconds()
}

// Build puts every citizen that each yields into the index; each is
// (*store.DB).EachCitizen, which reads the register in one snapshot. The
// index answers while it is being built (with what it holds so far). The
// start of the first Build is where Follow begins reading the register's
// events, so that a change committed during the build is not missed: start
// Follow once Build has begun, or after it returns.
func (ix *Index) Build(ctx context.Context, each func(ctx context.Context, fn func(registry.Citizen) error) error) (BuildStats, error) {
	start := time.Now()
	ix.since.CompareAndSwap(0, start.UnixNano())
	var st BuildStats
	err := each(ctx, func(c registry.Citizen) error {
		ix.Put(c)
		st.Read++
		if st.Read%4096 == 0 {
			return ctx.Err()
		}
		return nil
	})
	st.Elapsed = time.Since(start)
	st.Citizens = ix.Len()
	if err != nil {
		return st, fmt.Errorf("build verification index: %w", err)
	}
	return st, nil
}

// ChangeSource is the register's event log as the index follows it;
// *store.DB implements it (internal/store/verifyfeed.go). Event ids are
// time-ordered text (UUIDv7: the first 48 bits are the Unix time in
// milliseconds) compared as strings.
type ChangeSource interface {
	// EventIDsAfter lists, in id order, the ids of at most limit events
	// whose id is greater than after and, unless upTo is empty, at most
	// upTo.
	EventIDsAfter(ctx context.Context, after, upTo string, limit int) ([]string, error)
	// CountEventsBetween counts the events whose id is greater than after
	// and at most upTo.
	CountEventsBetween(ctx context.Context, after, upTo string) (int64, error)
	// CitizensChangedBy returns the current records of the citizens the
	// given events changed.
	CitizensChangedBy(ctx context.Context, eventIDs []string) ([]registry.Citizen, error)
}

// Defaults of Follow.
const (
	// DefaultFollowInterval is how often Follow polls when not told.
	DefaultFollowInterval = 200 * time.Millisecond
	// FollowWindow is how long after making an event's id a writer may
	// commit it: a Follower checks the events of the last FollowWindow
	// for late commits at every poll. Imports commit within a second.
	FollowWindow = 5 * time.Second
	// followPage is how many event ids one read of the log returns.
	followPage = 2000
)

// Follow keeps ix current with the register: it polls src every interval
// (DefaultFollowInterval when every is not positive) for events committed
// since the last poll and puts the citizens they changed, until ctx ends;
// then it returns nil. A failed poll is retried at the next interval;
// Index.Synced reports the last success and the last error. A change is
// in the index at most one interval and one poll after it was committed,
// whichever process committed it. See Follower for how.
func Follow(ctx context.Context, ix *Index, src ChangeSource, every time.Duration) error {
	if every <= 0 {
		every = DefaultFollowInterval
	}
	f := NewFollower(ix, src)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		_, _ = f.Poll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Follower reads the register's event log into an index, one Poll at a
// time (Follow polls on a timer). It is not safe for concurrent use.
//
// Event ids are made before their transaction commits, so commit order is
// not id order: an import makes the ids of a batch of 2,000 events up to a
// second before committing it, and another writer may commit a later id
// meanwhile. Reading only the ids above the highest seen would skip the
// batch. So a Follower remembers the ids it has read from the last Window
// of id time, and at each poll counts the events of that window in the
// log (a walk of the primary key); when the count differs from what it
// read, it narrows the difference down by counting halves of the window,
// lists the ids of the small ranges left and reads the ones it had
// missed. Then
// it reads the events above the highest id seen. Reading an event means
// putting the current records of the citizens it changed; Put ignores
// versions the index already holds, so reading twice is harmless.
//
// An idle poll is two small queries. The guarantee: a change whose
// transaction commits within Window of making its event id (every writer
// of dancu does) is in the index by the end of the first poll that begins
// after the commit.
type Follower struct {
	ix  *Index
	src ChangeSource
	// Window is how long after making an event id a writer may commit it
	// (FollowWindow by default).
	Window time.Duration

	lo, hi string     // the window's lower bound (exclusive), the highest id read
	seen   [][16]byte // the ids read in (lo, hi], sorted
	// Put counts the citizens put since the Follower was made.
	Put int64
}

// NewFollower returns a Follower of src into ix, starting one Window
// before the first Build of ix began (or before now, if none did).
func NewFollower(ix *Index, src ChangeSource) *Follower {
	f := &Follower{ix: ix, src: src, Window: FollowWindow}
	since := time.Now()
	if ns := ix.since.Load(); ns != 0 {
		since = time.Unix(0, ns)
	}
	f.lo, _ = idFloor(since.Add(-f.Window))
	f.hi = f.lo
	return f
}

// Poll reads what the register committed since the last poll into the
// index and returns the number of citizen records put.
func (f *Follower) Poll(ctx context.Context) (int, error) {
	start := time.Now()
	n, err := f.poll(ctx)
	if err != nil {
		err = fmt.Errorf("follow the register: %w", err)
		f.ix.syncErr.Store(&err)
		return n, err
	}
	f.ix.syncErr.Store(nil)
	f.ix.syncedAt.Store(start.UnixNano())
	// Ids made before start - Window are all committed (or never will
	// be): the window moves on.
	if lo, loKey := idFloor(start.Add(-f.Window)); lo > f.lo {
		f.lo = lo
		i, _ := slices.BinarySearchFunc(f.seen, loKey, compareKey)
		for i < len(f.seen) && f.seen[i] == loKey {
			i++
		}
		f.seen = slices.Delete(f.seen, 0, i)
	}
	return n, nil
}

func (f *Follower) poll(ctx context.Context) (int, error) {
	put := 0
	if f.hi > f.lo {
		late, err := f.unseen(ctx, f.lo, 0, len(f.seen), f.hi, -1)
		if err != nil {
			return put, err
		}
		k, err := f.read(ctx, late)
		put += k
		if err != nil {
			return put, err
		}
		for _, id := range late {
			if key, ok := idKey(id); ok {
				if i, found := slices.BinarySearchFunc(f.seen, key, compareKey); !found {
					f.seen = slices.Insert(f.seen, i, key)
				}
			}
		}
	}
	for {
		ids, err := f.src.EventIDsAfter(ctx, f.hi, "", followPage)
		if err != nil {
			return put, err
		}
		k, err := f.read(ctx, ids)
		put += k
		if err != nil {
			return put, err
		}
		for _, id := range ids {
			if key, ok := idKey(id); ok && id > f.lo {
				f.seen = append(f.seen, key)
			}
		}
		if len(ids) > 0 {
			f.hi = ids[len(ids)-1]
		}
		if len(ids) < followPage {
			return put, nil
		}
	}
}

// unseen returns the ids of the events in (lo, hi] that the Follower has
// not read. seen[i:j] are the ids it has read there; count, unless
// negative, is how many events the log holds there. Counting is cheap
// (about a tenth of the cost of listing, per event), so a range whose
// count differs from what was read is halved at the median id read, and
// only ranges of at most a page, or with nothing read, are listed.
func (f *Follower) unseen(ctx context.Context, lo string, i, j int, hi string, count int64) ([]string, error) {
	if count < 0 {
		var err error
		if count, err = f.src.CountEventsBetween(ctx, lo, hi); err != nil {
			return nil, err
		}
	}
	if count == int64(j-i) {
		return nil, nil
	}
	if count <= followPage || j-i < 2 {
		return f.list(ctx, lo, hi)
	}
	m := (i + j) / 2
	mid := keyText(f.seen[m-1])
	var halves [2]int64
	for k, r := range [2][2]string{{lo, mid}, {mid, hi}} {
		var err error
		if halves[k], err = f.src.CountEventsBetween(ctx, r[0], r[1]); err != nil {
			return nil, err
		}
	}
	left, err := f.unseen(ctx, lo, i, m, mid, halves[0])
	if err != nil {
		return nil, err
	}
	right, err := f.unseen(ctx, mid, m, j, hi, halves[1])
	if err != nil {
		return nil, err
	}
	return append(left, right...), nil
}

// list lists the ids in (lo, hi] the Follower has not read.
func (f *Follower) list(ctx context.Context, lo, hi string) ([]string, error) {
	var out []string
	after := lo
	for {
		ids, err := f.src.EventIDsAfter(ctx, after, hi, followPage)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			key, ok := idKey(id)
			if !ok {
				out = append(out, id)
				continue
			}
			if _, found := slices.BinarySearchFunc(f.seen, key, compareKey); !found {
				out = append(out, id)
			}
		}
		if len(ids) < followPage {
			return out, nil
		}
		after = ids[len(ids)-1]
	}
}

// read puts the citizens the events changed.
func (f *Follower) read(ctx context.Context, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	cs, err := f.src.CitizensChangedBy(ctx, ids)
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		f.ix.Put(c)
	}
	f.Put += int64(len(cs))
	return len(cs), nil
}

func compareKey(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) }

// idFloor returns the smallest UUIDv7 of time t (as text and as bytes):
// every id made at t or later is greater.
func idFloor(t time.Time) (string, [16]byte) {
	var k [16]byte
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(max(t.UnixMilli(), 0)))
	copy(k[:6], ms[2:])
	return fmt.Sprintf("%x-%x-0000-0000-000000000000", k[:4], k[4:6]), k
}

// keyText writes an id read by idKey back as text.
func keyText(k [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], k[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], k[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], k[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], k[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], k[10:16])
	return string(b[:])
}

// idKey reads an event id in the canonical text form of a UUID
// (lower-case hexadecimal, 8-4-4-4-12) into its 16 bytes, whose order is
// the order of the text.
func idKey(id string) ([16]byte, bool) {
	var k [16]byte
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return k, false
	}
	var hexText [32]byte
	n := copy(hexText[:], id[0:8])
	n += copy(hexText[n:], id[9:13])
	n += copy(hexText[n:], id[14:18])
	n += copy(hexText[n:], id[19:23])
	copy(hexText[n:], id[24:36])
	for _, c := range hexText {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return k, false
		}
	}
	if _, err := hex.Decode(k[:], hexText[:]); err != nil {
		return k, false
	}
	return k, true
}
