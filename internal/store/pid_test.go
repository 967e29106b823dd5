package store_test

import (
	"context"
	"sync"
	"testing"

	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

func TestClaimPIDOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n := pid.PID("001090000001")
		if ok, err := db.ClaimPID(ctx, n); err != nil || !ok {
			t.Fatalf("first claim: %v, %v; want true", ok, err)
		}
		if ok, err := db.ClaimPID(ctx, n); err != nil || ok {
			t.Fatalf("second claim: %v, %v; want false", ok, err)
		}
	})
}

// A number a citizen holds is not claimed, even when its own claim is not
// written yet (as during a bulk load, which claims at its end).
func TestClaimPIDHeld(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := citizen(77)
		c.Version = 1
		commit := batchEvent(1, nil, c)
		commit.ClaimPIDs = nil
		if err := db.CommitBatch(ctx, []registry.Commit{commit}); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.ClaimPID(ctx, c.PID); err != nil || ok {
			t.Fatalf("claim of a citizen's number: %v, %v; want false", ok, err)
		}
		if ok, err := db.ClaimPID(ctx, citizen(78).PID); err != nil || !ok {
			t.Fatalf("claim of a free number: %v, %v; want true", ok, err)
		}
	})
}

// TestAllocateConcurrently runs many allocators against one real database:
// every number they hand out must be distinct, whichever engine decides.
func TestAllocateConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		alloc := pid.NewAllocator(db)
		const workers, each = 8, 25
		var mu sync.Mutex
		seen := map[pid.PID]bool{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range each {
					n, err := alloc.Allocate(ctx, pid.Request{ProvinceCode: "079", Gender: pid.Female, BirthYear: 2026})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					if seen[n] {
						t.Errorf("number %s handed out twice", n)
					}
					seen[n] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != workers*each {
			t.Fatalf("%d numbers, want %d", len(seen), workers*each)
		}
		for n := range seen {
			if n.String()[:6] != "079326" {
				t.Fatalf("number %s does not start with 079326", n)
			}
		}
	})
}
