package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
	"dancu/internal/synth"
	"dancu/internal/verify"

	"github.com/google/uuid"
)

// feedFixture is a register on a fresh database with a few citizens.
type feedFixture struct {
	ctx  context.Context
	db   *store.DB
	svc  *registry.Service
	next int
}

var feedMeta = registry.Meta{Actor: "officer-1", LegalBasis: "test"}

// register records a living adult with no household and returns it.
func (f *feedFixture) register(t *testing.T, name string, g pid.Gender) registry.Citizen {
	t.Helper()
	f.next++
	digit := 0
	if g == pid.Female {
		digit = 1
	}
	c := registry.Citizen{
		PID:      pid.PID(fmt.Sprintf("001%d90%06d", digit, f.next)),
		FullName: name, Gender: g, DateOfBirth: registry.MustDate("1990-07-14"), Ethnicity: "01",
		Phone: "0912345678",
	}
	if _, err := f.svc.RegisterInitial(f.ctx, registry.InitialRegistration{Meta: feedMeta, Citizen: c}); err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	got, err := f.db.Citizen(f.ctx, c.PID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func newFeedFixture(t *testing.T, db *store.DB) *feedFixture {
	return &feedFixture{ctx: context.Background(), db: db, svc: registrytest.New(t, db)}
}

func TestEventFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFeedFixture(t, db)
		a := f.register(t, "Nguyễn Văn An", pid.Male)
		b := f.register(t, "Trần Thị Bình", pid.Female)
		if _, err := f.svc.RecordMarriage(f.ctx, registry.Marriage{Meta: feedMeta, PID: a.PID, SpousePID: b.PID}); err != nil {
			t.Fatal(err)
		}
		ids, err := db.EventIDsAfter(f.ctx, "", "", 10)
		if err != nil || len(ids) != 3 || !(ids[0] < ids[1] && ids[1] < ids[2]) {
			t.Fatalf("EventIDsAfter: %v, %v", ids, err)
		}
		if got, err := db.EventIDsAfter(f.ctx, ids[0], "", 1); err != nil || len(got) != 1 || got[0] != ids[1] {
			t.Fatalf("after the first, limit 1: %v, %v", got, err)
		}
		if got, err := db.EventIDsAfter(f.ctx, ids[0], ids[1], 10); err != nil || len(got) != 1 || got[0] != ids[1] {
			t.Fatalf("up to the second: %v, %v", got, err)
		}
		if n, err := db.CountEventsBetween(f.ctx, "", ids[2]); err != nil || n != 3 {
			t.Fatalf("count: %d, %v", n, err)
		}
		if n, err := db.CountEventsBetween(f.ctx, ids[0], ids[1]); err != nil || n != 1 {
			t.Fatalf("count (first, second]: %d, %v", n, err)
		}
		// The registration changed its citizen; the marriage both.
		cs, err := db.CitizensChangedBy(f.ctx, ids[:1])
		if err != nil || len(cs) != 1 || cs[0].PID != a.PID {
			t.Fatalf("changed by the first event: %v, %v", cs, err)
		}
		cs, err = db.CitizensChangedBy(f.ctx, []string{ids[2], ids[2], "no-such-event"})
		if err != nil || len(cs) != 2 {
			t.Fatalf("changed by the marriage: %v, %v", cs, err)
		}
		for _, c := range cs {
			if c.MaritalStatus != registry.Married {
				t.Errorf("%s read before the marriage: %+v", c.PID, c)
			}
		}
	})
}

func TestEachCitizenBrief(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFeedFixture(t, db)
		want := map[pid.PID]registry.Citizen{}
		givens := []string{"An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hùng", "Khánh", "Long", "Nam"}
		for i := range 300 { // more than one batch of rows
			c := f.register(t, "Nguyễn "+givens[i/10%10]+" "+givens[i%10], pid.Male)
			want[c.PID] = c
		}
		got := map[pid.PID]registry.Citizen{}
		err := db.EachCitizenBrief(f.ctx, func(c registry.Citizen) error {
			got[c.PID] = c
			return nil
		})
		if err != nil || len(got) != len(want) {
			t.Fatalf("%d of %d citizens, %v", len(got), len(want), err)
		}
		for number, w := range want {
			g := got[number]
			if g.FullName != w.FullName || g.DateOfBirth != w.DateOfBirth || g.Gender != w.Gender ||
				g.Phone != w.Phone || g.Status != w.Status || g.Version != w.Version || g.PermanentAddress != w.PermanentAddress {
				t.Fatalf("%s: %+v, want %+v", number, g, w)
			}
		}
		// An error from fn stops the reading and is returned.
		stop := errors.New("stop")
		n := 0
		err = db.EachCitizenBrief(f.ctx, func(registry.Citizen) error {
			if n++; n == 100 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 100 {
			t.Fatalf("after %d: %v", n, err)
		}
	})
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline: the test checks that the index catches up, not how fast.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func verifies(ix *verify.Index, c registry.Citizen) bool {
	return ix.Verify(verify.Request{PID: string(c.PID), FullName: c.FullName}).Result == verify.ResultMatch
}

// TestFollowRegister builds an index from the register, then follows it
// while citizens are registered, changed, imported and committed late.
func TestFollowRegister(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFeedFixture(t, db)
		a := f.register(t, "Nguyễn Văn An", pid.Male)
		ix := verify.NewIndex(registrytest.Units(t))
		if st, err := ix.Build(f.ctx, db.EachCitizenBrief); err != nil || st.Citizens != 1 {
			t.Fatalf("Build: %+v, %v", st, err)
		}
		ctx, cancel := context.WithCancel(f.ctx)
		done := make(chan error, 1)
		go func() { done <- verify.Follow(ctx, ix, db, 10*time.Millisecond) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()

		// A citizen registered after Follow started.
		b := f.register(t, "Trần Thị Bình", pid.Female)
		waitFor(t, "the new citizen", func() bool { return verifies(ix, b) })

		// A change to a citizen the build read.
		if _, err := f.svc.RecordNameChange(f.ctx, registry.NameChange{Meta: feedMeta, PID: a.PID, FullName: "Nguyễn Văn Anh"}); err != nil {
			t.Fatal(err)
		}
		a.FullName = "Nguyễn Văn Anh"
		waitFor(t, "the name change", func() bool { return verifies(ix, a) })

		// An event whose id was made a second before the last one read,
		// committed now (as an import commits a batch whose ids it made
		// earlier).
		late := feedCitizen(900001, time.Now())
		if err := db.Commit(f.ctx, initialCommit(time.Now().Add(-time.Second), late)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the late commit", func() bool { return verifies(ix, late) })

		// An import, batch by batch.
		units := registrytest.Units(t)
		g, err := synth.New(units, synth.Config{Seed: 3, Count: 300})
		if err != nil {
			t.Fatal(err)
		}
		im := f.svc.NewImporter(registry.ImportOptions{Source: "synth", BatchSize: 50})
		var imported []registry.Record
		line := int64(0)
		for r, ok := g.Next(); ok; r, ok = g.Next() {
			line++
			if err := im.Add(f.ctx, line, r); err != nil {
				t.Fatal(err)
			}
			imported = append(imported, r)
		}
		if err := im.Close(f.ctx); err != nil {
			t.Fatal(err)
		}
		for _, r := range imported {
			c := registry.Citizen{PID: pid.PID(r.PID), FullName: r.FullName}
			waitFor(t, "imported citizen "+r.PID, func() bool { return verifies(ix, c) })
		}
		if _, err := ix.Synced(); err != nil {
			t.Fatal(err)
		}
	})
}

// feedCitizen is a full record of a living adult with number k.
func feedCitizen(k int, now time.Time) registry.Citizen {
	return registry.Citizen{
		PID:      pid.PID(fmt.Sprintf("0790%02d%06d", 85, k)),
		FullName: "Lê Văn Muộn", Gender: pid.Male, DateOfBirth: registry.MustDate("1985-01-02"),
		Ethnicity: "01", Nationality: "VN", MaritalStatus: registry.Single, Status: registry.StatusAlive,
		Version: 1, UpdatedAt: now,
	}
}

// initialCommit is the initial registration of cs with an event id made
// at idTime.
func initialCommit(idTime time.Time, cs ...registry.Citizen) registry.Commit {
	id, err := uuid.NewV7FromReader(fixedTimeReader{})
	if err != nil {
		panic(err)
	}
	// The first 48 bits of a UUIDv7 are its time in milliseconds.
	ms := uint64(idTime.UnixMilli())
	for i := range 6 {
		id[i] = byte(ms >> (40 - 8*i))
	}
	now := time.Now().UTC()
	c := registry.Commit{Communes: map[pid.PID]string{}}
	for _, ct := range cs {
		c.Citizens = append(c.Citizens, ct)
		c.ClaimPIDs = append(c.ClaimPIDs, ct.PID)
		c.Communes[ct.PID] = ""
		c.Event.Subjects = append(c.Event.Subjects, ct.PID)
	}
	c.Event.ID = id.String()
	c.Event.Kind = registry.KindInitialRegistration
	c.Event.PID = cs[0].PID
	c.Event.Meta = registry.Meta{Actor: "import", LegalBasis: "test", EffectiveDate: registry.DateOf(now)}
	c.Event.RecordedAt = now
	return c
}

// fixedTimeReader gives the random bits of a UUID; the time bits are set
// by the caller.
type fixedTimeReader struct{}

func (fixedTimeReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 3)
	}
	return len(p), nil
}

// BenchmarkBuildFromStore measures verify.Index.Build through
// EachCitizen on SQLite: DANCU_BENCH_INDEX_STORE citizens (default
// 100,000) imported from the synthetic population first, then built
// into a fresh index per iteration, through EachCitizen and through
// EachCitizenBrief. It reports citizens/s and the heap the index holds
// per citizen.
func BenchmarkBuildFromStore(b *testing.B) {
	n := 100_000
	if s := os.Getenv("DANCU_BENCH_INDEX_STORE"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("DANCU_BENCH_INDEX_STORE=%q: want a number of citizens", s)
		}
	}
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(b.TempDir(), "dancu.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	units := registrytest.Units(b)
	svc := registrytest.New(b, db)
	g, err := synth.New(units, synth.Config{Seed: 1, Count: n})
	if err != nil {
		b.Fatal(err)
	}
	end, err := db.BulkWrites(ctx)
	if err != nil {
		b.Fatal(err)
	}
	im := svc.NewImporter(registry.ImportOptions{Source: "synth", BatchSize: 2000, Empty: true})
	line := int64(0)
	for r, ok := g.Next(); ok; r, ok = g.Next() {
		line++
		if err := im.Add(ctx, line, r); err != nil {
			b.Fatal(err)
		}
	}
	if err := im.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if err := end(ctx); err != nil {
		b.Fatal(err)
	}
	// The cost of a Follower's window check: counting the events of
	// the window, here every event of the load.
	b.Run("CountEventsBetween", func(b *testing.B) {
		var n int64
		for b.Loop() {
			if n, err = db.CountEventsBetween(ctx, "", "g"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
	})
	b.Run("EventIDsAfter", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = 0
			after := ""
			for {
				ids, err := db.EventIDsAfter(ctx, after, "g", 2000)
				if err != nil {
					b.Fatal(err)
				}
				n += len(ids)
				if len(ids) < 2000 {
					break
				}
				after = ids[len(ids)-1]
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
	})
	sources := []struct {
		name string
		each func(context.Context, func(registry.Citizen) error) error
	}{{"EachCitizen", db.EachCitizen}, {"EachCitizenBrief", db.EachCitizenBrief}}
	for _, src := range sources {
		b.Run(src.name, func(b *testing.B) {
			var read int64
			var perCitizen float64
			for b.Loop() {
				b.StopTimer()
				ix := verify.NewIndex(units)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				st, err := ix.Build(ctx, src.each)
				if err != nil {
					b.Fatal(err)
				}
				read += st.Read
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				perCitizen = float64(after.HeapAlloc-before.HeapAlloc) / float64(st.Citizens)
				runtime.KeepAlive(ix)
				b.StartTimer()
			}
			b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "citizens/s")
			b.ReportMetric(perCitizen, "B/citizen")
		})
	}
}
