package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// batchEvent is an event recording c (and h, when set) at the versions
// they carry.
func batchEvent(n int, h *registry.Household, cs ...registry.Citizen) registry.Commit {
	c := registry.Commit{
		Event: registry.Event{ID: fmt.Sprintf("ev-%04d", n), Kind: registry.KindInitialRegistration, PID: cs[0].PID,
			Meta: meta, RecordedAt: time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC)},
		Citizens: cs, Communes: map[pid.PID]string{},
	}
	if h != nil {
		c.Households = []registry.Household{*h}
	}
	for _, ct := range cs {
		c.Communes[ct.PID] = "00004"
		if ct.Version == 1 {
			c.ClaimPIDs = append(c.ClaimPIDs, ct.PID)
		}
	}
	return c
}

// A batch that creates a household and changes it twice writes the final
// household once (the versions it replaced live only in its events'
// changes), and nothing at all when a record it creates or updates was
// changed meanwhile.
func TestCommitBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		head, spouse, child := citizen(1), citizen(2), citizen(3)
		for i, c := range []*registry.Citizen{&head, &spouse, &child} {
			c.Version, c.HouseholdID = 1, "hh-1"
			c.RelationToHead = []registry.Relation{registry.RelationHead, registry.RelationSpouse, registry.RelationChild}[i]
		}
		h := registry.Household{ID: "hh-1", HeadPID: head.PID, Address: baDinh, Version: 1,
			Members: []registry.Member{{PID: head.PID, Relation: registry.RelationHead}}}
		h2 := h
		h2.Version, h2.Members = 2, append(h.Members[:1:1], registry.Member{PID: spouse.PID, Relation: registry.RelationSpouse})
		h3 := h2
		h3.Version, h3.Members = 3, append(h2.Members[:2:2], registry.Member{PID: child.PID, Relation: registry.RelationChild})
		batch := []registry.Commit{batchEvent(1, &h, head), batchEvent(2, &h2, spouse), batchEvent(3, &h3, child)}
		if err := db.CommitBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}
		want := "events=3 citizens=3 citizen_versions=0 households=1 household_versions=0 residences=0 pid_claims=3 "
		if got := snapshot(t, db); got != want {
			t.Fatalf("after the batch: %s, want %s", got, want)
		}
		stored, err := db.Household(ctx, "hh-1")
		if err != nil || stored.Version != 3 || len(stored.Members) != 3 {
			t.Fatalf("household %+v, %v", stored, err)
		}

		// A record the batch creates exists already: nothing is written.
		again := citizen(1)
		again.Version = 1
		other := citizen(4)
		other.Version = 1
		before := snapshot(t, db)
		err = db.CommitBatch(ctx, []registry.Commit{batchEvent(4, nil, other), batchEvent(5, nil, again)})
		if !errors.Is(err, registry.ErrConflict) {
			t.Fatalf("creating an existing citizen: %v, want a conflict", err)
		}
		// A record updated from a stale version: nothing is written.
		stale := h3
		stale.Version = 3 // computed from version 2, but the store has 3
		moved := child
		moved.Version = 2
		err = db.CommitBatch(ctx, []registry.Commit{batchEvent(6, nil, other), batchEvent(7, &stale, moved)})
		if !errors.Is(err, registry.ErrConflict) {
			t.Fatalf("a stale household: %v, want a conflict", err)
		}
		if got := snapshot(t, db); got != before {
			t.Fatalf("a failed batch wrote: %s, was %s", got, before)
		}
	})
}

// A batch larger than one multi-row INSERT (SQLite) or loaded with COPY
// (PostgreSQL) writes every row, with its residence, and fails whole when
// one record it creates exists already, wherever it is in the batch.
func TestCommitBatchManyRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		commits := func(from, n int) []registry.Commit {
			var out []registry.Commit
			for i := from; i < from+n; i++ {
				c := citizen(1000 + i)
				c.Version = 1
				ev := batchEvent(i, nil, c)
				ev.Residences = []registry.Residence{{ID: fmt.Sprintf("res-%04d", i), PID: c.PID, Kind: registry.ResidencePermanent,
					Address: baDinh, StartDate: registry.MustDate("2020-01-02"), Active: true}}
				out = append(out, ev)
			}
			return out
		}
		if err := db.CommitBatch(ctx, commits(0, 100)); err != nil {
			t.Fatal(err)
		}
		want := "events=100 citizens=100 citizen_versions=0 households=0 household_versions=0 residences=100 pid_claims=100 "
		if got := snapshot(t, db); got != want {
			t.Fatalf("after the batch: %s, want %s", got, want)
		}
		rs, err := db.Residences(ctx, citizen(1057).PID)
		if err != nil || len(rs) != 1 || rs[0].ID != "res-0057" || rs[0].Address != baDinh || !rs[0].Active ||
			rs[0].Kind != registry.ResidencePermanent || rs[0].StartDate.String() != "2020-01-02" || !rs[0].EndDate.IsZero() || rs[0].EventID != "ev-0057" {
			t.Fatalf("residences %+v, %v", rs, err)
		}
		// Rows 100–156 are new, row 157 is citizen 57 again.
		again := commits(100, 57)
		dup := commits(57, 1)
		dup[0].Event.ID = "ev-dup"
		dup[0].Residences[0].ID = "res-dup"
		err = db.CommitBatch(ctx, append(again, append(dup, commits(158, 40)...)...))
		if !errors.Is(err, registry.ErrConflict) {
			t.Fatalf("a batch creating an existing citizen: %v, want a conflict", err)
		}
		if got := snapshot(t, db); got != want {
			t.Fatalf("a failed batch wrote: %s, want %s", got, want)
		}
	})
}

// BulkWrites can be started once at a time and leaves the store as it
// was.
func TestBulkWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		end, err := db.BulkWrites(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.BulkWrites(ctx); err == nil {
			t.Fatal("a second bulk load started")
		}
		c := citizen(9)
		c.Version = 1
		if err := db.CommitBatch(ctx, []registry.Commit{batchEvent(9, nil, c)}); err != nil {
			t.Fatal(err)
		}
		if err := end(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Citizen(ctx, c.PID); err != nil {
			t.Fatal(err)
		}
		end, err = db.BulkWrites(ctx)
		if err != nil {
			t.Fatalf("after the end: %v", err)
		}
		_ = end(ctx)
	})
}

// EachCitizen lists every citizen once, each household's head before its
// members.
func TestEachCitizen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := register(t, db)
		var heads []registry.Citizen
		for i := 1; i <= 3; i++ {
			ev, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: citizen(500 + i)})
			if err != nil {
				t.Fatal(err)
			}
			head, err := db.Citizen(ctx, ev.PID)
			if err != nil {
				t.Fatal(err)
			}
			heads = append(heads, head)
		}
		// Members numbered below their heads, so that number order alone
		// would put them first.
		for i, h := range heads {
			m := citizen(100 + i)
			m.PID = pid.PID(fmt.Sprintf("001090%06d", i))
			if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: m,
				HouseholdID: h.HouseholdID, Relation: registry.RelationSibling}); err != nil {
				t.Fatal(err)
			}
		}
		lonely := citizen(200)
		lonely.PermanentAddress = registry.Address{}
		if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: lonely}); err != nil {
			t.Fatal(err)
		}
		seen := map[pid.PID]bool{}
		headSeen := map[string]bool{}
		err := db.EachCitizen(ctx, func(c registry.Citizen) error {
			if seen[c.PID] {
				t.Errorf("%s listed twice", c.PID)
			}
			seen[c.PID] = true
			if c.HouseholdID != "" {
				if c.RelationToHead == registry.RelationHead {
					headSeen[c.HouseholdID] = true
				} else if !headSeen[c.HouseholdID] {
					t.Errorf("member %s listed before the head of %s", c.PID, c.HouseholdID)
				}
			}
			return nil
		})
		if err != nil || len(seen) != 7 {
			t.Fatalf("%d citizens listed, %v", len(seen), err)
		}
	})
}
