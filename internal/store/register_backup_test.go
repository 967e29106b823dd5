package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// TestRegisterBackupRoundTrip fills a register with events of several
// kinds, backs it up, restores it into a fresh database on every engine,
// and reads the same records, households and histories back.
func TestRegisterBackupRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := register(t, db)
		var numbers []pid.PID
		for i := 1; i <= 5; i++ {
			c := citizen(i)
			if i > 1 {
				c.PermanentAddress = registry.Address{}
			}
			if _, err := svc.RegisterInitial(ctx, registry.InitialRegistration{Meta: meta, Citizen: c}); err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, c.PID)
		}
		if _, err := svc.RecordNameChange(ctx, registry.NameChange{Meta: meta, PID: numbers[0], FullName: "Nguyễn Văn Bình"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordPermanentResidence(ctx, registry.PermanentResidence{Meta: meta, PID: numbers[1],
			HouseholdID: mustCitizen(t, db, numbers[0]).HouseholdID, Relation: registry.RelationSibling}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordDeath(ctx, registry.Death{Meta: meta, PID: numbers[2], DateOfDeath: registry.MustDate("2025-01-01")}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := db.Backup(ctx, &buf, nil); err != nil {
			t.Fatal(err)
		}
		for _, engine := range storetest.Engines() {
			t.Run("into "+string(engine), func(t *testing.T) {
				fresh := storetest.OpenEmpty(t, engine)
				if _, err := fresh.Restore(ctx, bytes.NewReader(buf.Bytes()), nil); err != nil {
					t.Fatal(err)
				}
				for _, n := range numbers {
					same(t, "citizen "+string(n), mustCitizen(t, db, n), mustCitizen(t, fresh, n))
					h1, err1 := db.History(ctx, n)
					h2, err2 := fresh.History(ctx, n)
					if err1 != nil || err2 != nil {
						t.Fatal(err1, err2)
					}
					same(t, "history of "+string(n), h1, h2)
				}
				hid := mustCitizen(t, db, numbers[0]).HouseholdID
				h1, _ := db.Household(ctx, hid)
				h2, _ := fresh.Household(ctx, hid)
				same(t, "household", h1, h2)
				// The restored register takes new events, and numbers
				// stay claimed.
				if _, err := register(t, fresh).RecordNameChange(ctx, registry.NameChange{Meta: meta, PID: numbers[0], FullName: "Nguyễn Văn Cường"}); err != nil {
					t.Fatal(err)
				}
				if ok, _ := fresh.ClaimPID(ctx, numbers[4]); ok {
					t.Fatal("a restored number could be claimed again")
				}
			})
		}
	})
}

func mustCitizen(t testing.TB, db *store.DB, n pid.PID) registry.Citizen {
	t.Helper()
	c, err := db.Citizen(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func same(t testing.TB, what string, a, b any) {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatalf("%s differs after restore:\n%s\n%s", what, ja, jb)
	}
}
