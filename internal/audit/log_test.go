package audit_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"dancu/internal/audit"
	"dancu/internal/pid"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// testKey is a fixed signing key, so that failures reproduce.
func testKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

// clock is a Now that advances a millisecond per call, so that times are
// distinct and tests never read the wall clock.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Millisecond)
		return t
	}
}

// citizen returns the i-th test PID.
func citizen(i int) pid.PID {
	p, err := pid.FromUint64(1_204_000_000 + uint64(i))
	if err != nil {
		panic(err)
	}
	return p
}

func verifyRecord(i int) audit.Record {
	return audit.Record{AgencyID: "agency-bank", KeyID: "key-1", Purpose: "kyc", Operation: "verify",
		RequestID: fmt.Sprintf("req-%d", i),
		Accesses:  []audit.Access{{PID: citizen(i), Fields: []string{"full_name", "date_of_birth"}, Result: "match"}}}
}

func openLog(t testing.TB, db *store.DB, opts audit.Options) *audit.Log {
	t.Helper()
	if opts.Now == nil {
		opts.Now = clock()
	}
	l, err := audit.Open(context.Background(), db, testKey(1), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func mustVerify(t *testing.T, db *store.DB, against *audit.Checkpoint) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db, testKey(1).Public().(ed25519.PublicKey), against)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestChainAndCheckpointRoundTrip appends, checkpoints, parses the
// checkpoint back and verifies the log against it.
func TestChainAndCheckpointRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := openLog(t, db, audit.Options{})
		if _, err := l.LatestCheckpoint(ctx); !errors.Is(err, audit.ErrNoCheckpoint) {
			t.Fatalf("LatestCheckpoint of an empty log: %v, want ErrNoCheckpoint", err)
		}
		for i := range 5 {
			if err := l.Append(ctx, verifyRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		chunk := audit.Record{AgencyID: "agency-tax", KeyID: "key-9", Purpose: "census", Operation: "batch_verify", RequestID: "batch-1"}
		for i := range 50 {
			chunk.Accesses = append(chunk.Accesses, audit.Access{PID: citizen(100 + i), Fields: []string{"full_name"}, Result: "mismatch"})
		}
		chunk.Accesses = append(chunk.Accesses, audit.Access{PID: "", Fields: []string{"old_id_number"}, Result: "not_found"})
		if err := l.Append(ctx, chunk); err != nil {
			t.Fatal(err)
		}

		c, err := l.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Heads) != 1 || c.Heads[0].Chain != 0 || c.Heads[0].Seq != 6 || c.Entries() != 6 {
			t.Fatalf("checkpoint heads %+v, want chain 0 at seq 6", c.Heads)
		}
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := audit.ParseCheckpoint(data)
		if err != nil {
			t.Fatalf("parse %s: %v", data, err)
		}
		if err := parsed.Verify(l.PublicKey()); err != nil {
			t.Fatal(err)
		}
		latest, err := l.LatestCheckpoint(ctx)
		if err != nil || latest.At != c.At || latest.Heads[0] != c.Heads[0] {
			t.Fatalf("latest checkpoint %+v, %v; want %+v", latest, err, c)
		}

		// The access view of a citizen in the chunk and of one verified
		// alone, before the index has caught up (the entries past the
		// watermark are read) and after Close has indexed everything.
		for _, when := range []string{"before indexing", "after Close"} {
			if when == "after Close" {
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
			}
			views, err := l.Accesses(ctx, citizen(120), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(views) != 1 || views[0].AgencyID != "agency-tax" || views[0].Operation != "batch_verify" ||
				views[0].Result != "mismatch" || views[0].Purpose != "census" || len(views[0].Fields) != 1 || views[0].Seq != 6 {
				t.Fatalf("%s: views of a chunk's citizen: %+v", when, views)
			}
			views, err = l.Accesses(ctx, citizen(3), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(views) != 1 || views[0].RequestID != "req-3" || views[0].KeyID != "key-1" || views[0].Fields[1] != "date_of_birth" {
				t.Fatalf("%s: views of citizen 3: %+v", when, views)
			}
		}
		if _, err := l.Accesses(ctx, "12345", 10); !errors.Is(err, pid.ErrMalformed) {
			t.Fatalf("Accesses of a malformed PID: %v", err)
		}

		rep := mustVerify(t, db, &parsed)
		if !rep.OK() {
			t.Fatalf("problems in an intact log: %+v", rep.Problems)
		}
		if rep.Entries != 6 || rep.Records != 6 || rep.Chains != 1 || rep.Accesses != 56 || rep.IndexRows != 55 || rep.Unindexed != 0 ||
			rep.Checkpoints != 1 || rep.Against != 1 {
			t.Fatalf("report %+v", rep)
		}
		if rep.Heads[0] != c.Heads[0] {
			t.Fatalf("recomputed head %+v, checkpoint says %+v", rep.Heads[0], c.Heads[0])
		}
	})
}

// TestAccessViewNewestFirst checks order and limit of one citizen's view.
func TestAccessViewNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := openLog(t, db, audit.Options{})
		who := citizen(7)
		for i := range 12 {
			r := verifyRecord(i)
			r.Accesses[0].PID = who
			r.Purpose = fmt.Sprintf("purpose-%02d", i)
			if err := l.Append(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := l.Append(ctx, verifyRecord(1000+i)); err != nil { // someone else
				t.Fatal(err)
			}
		}
		views, err := l.Accesses(ctx, who, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(views) != 5 {
			t.Fatalf("%d views, want 5", len(views))
		}
		for i, v := range views {
			if want := fmt.Sprintf("purpose-%02d", 11-i); v.Purpose != want {
				t.Errorf("view %d: purpose %s, want %s", i, v.Purpose, want)
			}
			if i > 0 && !v.At.Before(views[i-1].At) {
				t.Errorf("view %d at %s is not older than view %d at %s", i, v.At, i-1, views[i-1].At)
			}
		}
	})
}

// TestConcurrentAppend appends from many goroutines at once: every entry
// is there, once, and the chain verifies.
func TestConcurrentAppend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := openLog(t, db, audit.Options{MaxBatch: 16})
		const workers, each = 32, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					if err := l.Append(ctx, verifyRecord(w*each+i)); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil { // indexes what is committed
			t.Fatal(err)
		}
		rep := mustVerify(t, db, nil)
		if !rep.OK() || rep.Records != workers*each || rep.IndexRows != workers*each {
			t.Fatalf("report %+v", rep)
		}
		// Records that queued together share an entry, up to MaxBatch.
		if rep.Entries >= rep.Records {
			t.Logf("no two records shared an entry (%d entries)", rep.Entries)
		}
		seen := map[string]bool{}
		var largest int
		err := db.ScanAudit(ctx, func(e *audit.Entry) error {
			largest = max(largest, len(e.Records))
			for _, r := range e.Records {
				if seen[r.RequestID] {
					t.Errorf("request %s is in the log twice", r.RequestID)
				}
				seen[r.RequestID] = true
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range workers * each {
			if !seen[fmt.Sprintf("req-%d", i)] {
				t.Fatalf("request %d is not in the log", i)
			}
		}
		if largest > 16 {
			t.Fatalf("an entry holds %d records, more than MaxBatch", largest)
		}
	})
}

// TestReopenContinuesChain closes a log, reopens it and appends: one
// chain, no gap, and Append after Close fails with ErrClosed.
func TestReopenContinuesChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := openLog(t, db, audit.Options{})
		for i := range 3 {
			if err := l.Append(ctx, verifyRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := l.Append(ctx, verifyRecord(9)); !errors.Is(err, audit.ErrClosed) {
			t.Fatalf("Append after Close: %v, want ErrClosed", err)
		}
		if err := l.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}

		l2 := openLog(t, db, audit.Options{})
		for i := 3; i < 6; i++ {
			if err := l2.Append(ctx, verifyRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		heads, err := db.AuditHeads(ctx)
		if err != nil || len(heads) != 1 || heads[0].Seq != 6 {
			t.Fatalf("heads %+v, %v; want chain 0 at 6", heads, err)
		}
		rep := mustVerify(t, db, nil)
		if !rep.OK() || rep.Entries != 6 {
			t.Fatalf("report %+v", rep)
		}
	})
}

// TestTwoChains has two logs (two processes) write chains 0 and 1 of one
// database; a checkpoint covers both heads.
func TestTwoChains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := openLog(t, db, audit.Options{Chain: 0})
		b := openLog(t, db, audit.Options{Chain: 1})
		for i := range 4 {
			if err := a.Append(ctx, verifyRecord(i)); err != nil {
				t.Fatal(err)
			}
			if err := b.Append(ctx, verifyRecord(100+i)); err != nil {
				t.Fatal(err)
			}
		}
		c, err := b.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Heads) != 2 || c.Heads[0].Seq != 4 || c.Heads[1].Chain != 1 || c.Heads[1].Seq != 4 {
			t.Fatalf("heads %+v", c.Heads)
		}
		rep := mustVerify(t, db, &c)
		if !rep.OK() || rep.Chains != 2 || rep.Entries != 8 {
			t.Fatalf("report %+v", rep)
		}
	})
}

func TestAppendRefusesIncompleteRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := openLog(t, db, audit.Options{})
		r := verifyRecord(1)
		r.AgencyID = ""
		if err := l.Append(context.Background(), r); !errors.Is(err, audit.ErrInvalidRecord) {
			t.Fatalf("no agency: %v", err)
		}
		r = verifyRecord(1)
		r.Operation = ""
		if err := l.Append(context.Background(), r); !errors.Is(err, audit.ErrInvalidRecord) {
			t.Fatalf("no operation: %v", err)
		}
	})
}

// TestRunCheckpoints: while entries arrive the log checkpoints, and when
// its context ends it signs the final heads before returning.
func TestRunCheckpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		l := openLog(t, db, audit.Options{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			l.RunCheckpoints(ctx, time.Millisecond)
		}()
		for i := range 20 {
			if err := l.Append(context.Background(), verifyRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		<-done
		c, err := l.LatestCheckpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Entries() != 20 {
			t.Fatalf("the last checkpoint covers %d entries, want 20", c.Entries())
		}
		if err := c.Verify(l.PublicKey()); err != nil {
			t.Fatal(err)
		}
	})
}
