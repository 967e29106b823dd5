package verify

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"dancu/internal/pid"
	"dancu/internal/registry"
)

// fakeLog is an event log in memory: events become visible when
// committed, in any order of their ids.
type fakeLog struct {
	mu       sync.Mutex
	events   map[string][]pid.PID // committed events: id → subjects
	citizens map[pid.PID]registry.Citizen
	queries  int
	listed   int // ids returned by EventIDsAfter
}

func newFakeLog() *fakeLog {
	return &fakeLog{events: map[string][]pid.PID{}, citizens: map[pid.PID]registry.Citizen{}}
}

// commit records an event with id that changed cs.
func (l *fakeLog) commit(id string, cs ...registry.Citizen) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var subjects []pid.PID
	for _, c := range cs {
		l.citizens[c.PID] = c
		subjects = append(subjects, c.PID)
	}
	l.events[id] = subjects
}

func (l *fakeLog) sortedIDs() []string {
	ids := make([]string, 0, len(l.events))
	for id := range l.events {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (l *fakeLog) EventIDsAfter(_ context.Context, after, upTo string, limit int) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries++
	var out []string
	for _, id := range l.sortedIDs() {
		if id > after && (upTo == "" || id <= upTo) && len(out) < limit {
			out = append(out, id)
		}
	}
	l.listed += len(out)
	return out, nil
}

func (l *fakeLog) CountEventsBetween(_ context.Context, after, upTo string) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries++
	var n int64
	for id := range l.events {
		if id > after && id <= upTo {
			n++
		}
	}
	return n, nil
}

func (l *fakeLog) CitizensChangedBy(_ context.Context, ids []string) ([]registry.Citizen, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries++
	var out []registry.Citizen
	for _, id := range ids {
		for _, p := range l.events[id] {
			out = append(out, l.citizens[p])
		}
	}
	return out, nil
}

// eventID is a UUIDv7 of time t, told apart by seq.
func eventID(t time.Time, seq int) string {
	ms := t.UnixMilli()
	return fmt.Sprintf("%08x-%04x-7%03x-8000-%012x", ms>>16, ms&0xFFFF, seq&0xFFF, seq)
}

func TestFollowerReadsNewAndLateEvents(t *testing.T) {
	ctx := context.Background()
	ix := newTestIndex(t)
	log := newFakeLog()
	now := time.Now()
	f := NewFollower(ix, log)

	// Two events, committed in id order.
	log.commit(eventID(now, 1), numbered(1, 1))
	log.commit(eventID(now, 3), numbered(3, 1), numbered(4, 1))
	if n, err := f.Poll(ctx); err != nil || n != 3 {
		t.Fatalf("first poll: %d, %v", n, err)
	}
	// An event whose id was made before the last one read commits late.
	log.commit(eventID(now, 2), numbered(2, 1))
	// And the citizen of the first event changes.
	log.commit(eventID(now.Add(time.Millisecond), 4), numbered(1, 2))
	if n, err := f.Poll(ctx); err != nil || n != 2 {
		t.Fatalf("second poll: %d, %v", n, err)
	}
	for _, c := range []registry.Citizen{numbered(1, 2), numbered(2, 1), numbered(3, 1), numbered(4, 1)} {
		if !nameIs(ix, c) {
			t.Errorf("%s version %d not in the index", c.PID, c.Version)
		}
	}
	// An idle poll reads nothing and asks two small questions.
	log.queries = 0
	if n, err := f.Poll(ctx); err != nil || n != 0 || log.queries != 2 {
		t.Fatalf("idle poll: %d citizens, %d queries, %v", n, log.queries, err)
	}
	if at, err := ix.Synced(); err != nil || at.Before(now) {
		t.Fatalf("Synced() = %v, %v", at, err)
	}
}

func TestFollowerPagesAndWindow(t *testing.T) {
	ctx := context.Background()
	ix := newTestIndex(t)
	log := newFakeLog()
	f := NewFollower(ix, log)
	f.Window = 50 * time.Millisecond
	now := time.Now()
	n := followPage*2 + 10
	for k := range n {
		log.commit(eventID(now, k), numbered(k, 1))
	}
	if got, err := f.Poll(ctx); err != nil || got != n || ix.Len() != n {
		t.Fatalf("poll: %d of %d, len %d, %v", got, n, ix.Len(), err)
	}
	// Once the window has passed, the ids read are forgotten.
	deadline := time.Now().Add(10 * time.Second)
	for len(f.seen) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d ids still remembered", len(f.seen))
		}
		time.Sleep(f.Window)
		if _, err := f.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// A late event within the window is still read.
	later := time.Now()
	log.commit(eventID(later, 2), numbered(n+1, 1))
	if _, err := f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	log.commit(eventID(later, 1), numbered(n+2, 1))
	if _, err := f.Poll(ctx); err != nil || !nameIs(ix, numbered(n+2, 1)) {
		t.Fatalf("late event not read: %v", err)
	}
}

// TestFollowerFindsLateEventsInALargeWindow commits late events between
// many read ones: the Follower finds them by counting halves, listing
// far fewer ids than the window holds.
func TestFollowerFindsLateEventsInALargeWindow(t *testing.T) {
	ctx := context.Background()
	ix := newTestIndex(t)
	log := newFakeLog()
	f := NewFollower(ix, log)
	now := time.Now()
	const n = followPage * 8
	for k := range n {
		log.commit(eventID(now, 2*k+1), numbered(k, 1))
	}
	if got, err := f.Poll(ctx); err != nil || got != n {
		t.Fatalf("poll: %d, %v", got, err)
	}
	lateAt := []int{10, n / 3, n - 5}
	for _, k := range lateAt {
		log.commit(eventID(now, 2*k), numbered(n+k, 1))
	}
	log.listed = 0
	if got, err := f.Poll(ctx); err != nil || got != len(lateAt) {
		t.Fatalf("poll: %d, %v", got, err)
	}
	for _, k := range lateAt {
		if !nameIs(ix, numbered(n+k, 1)) {
			t.Errorf("late event at %d not read", k)
		}
	}
	if log.listed > n/2 {
		t.Errorf("listed %d ids of a window of %d to find %d", log.listed, n, len(lateAt))
	}
	if got, err := f.Poll(ctx); err != nil || got != 0 {
		t.Fatalf("idle poll: %d, %v", got, err)
	}
}

func TestFollowStartsAtBuild(t *testing.T) {
	ix := newTestIndex(t)
	log := newFakeLog()
	// An event committed just before the build began, with the build's
	// snapshot not holding its citizen yet.
	log.commit(eventID(time.Now(), 1), numbered(1, 1))
	st, err := ix.Build(context.Background(), func(ctx context.Context, fn func(registry.Citizen) error) error {
		return fn(numbered(2, 1))
	})
	if err != nil || st.Read != 1 || st.Citizens != 1 {
		t.Fatalf("Build: %+v, %v", st, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Follow(ctx, ix, log, 5*time.Millisecond) }()
	log.commit(eventID(time.Now(), 2), numbered(3, 1))
	deadline := time.Now().Add(10 * time.Second)
	for !nameIs(ix, numbered(1, 1)) || !nameIs(ix, numbered(3, 1)) {
		if time.Now().After(deadline) {
			t.Fatal("Follow did not read the events")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestIDKey(t *testing.T) {
	a, b := eventID(time.UnixMilli(1_700_000_000_000), 1), eventID(time.UnixMilli(1_700_000_000_001), 0)
	ka, ok1 := idKey(a)
	kb, ok2 := idKey(b)
	if !ok1 || !ok2 || compareKey(ka, kb) >= 0 || a >= b {
		t.Fatalf("%s %s: %v %v", a, b, ok1, ok2)
	}
	floor, fk := idFloor(time.UnixMilli(1_700_000_000_001))
	if floor >= b || floor <= a || compareKey(fk, kb) >= 0 || compareKey(fk, ka) <= 0 {
		t.Fatalf("floor %s between %s and %s?", floor, a, b)
	}
	if k, ok := idKey(floor); !ok || k != fk {
		t.Fatalf("floor key %x %v, want %x", k, ok, fk)
	}
	if keyText(ka) != a || keyText(fk) != floor {
		t.Fatalf("keyText: %s %s", keyText(ka), keyText(fk))
	}
	for _, bad := range []string{"", "x", "0190A6F2-0000-7000-8000-000000000000", "0190a6f2-0000-7000-8000-00000000000g"} {
		if _, ok := idKey(bad); ok {
			t.Errorf("idKey(%q) ok", bad)
		}
	}
}
