package app

import (
	"context"
	"strings"
	"testing"

	"dancu/internal/agency"
	"dancu/internal/eid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/store/storetest"
)

func TestPrepareDemo(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			accounts := eid.NewService(db, registrytest.Units(t))
			agencies := agency.NewService(db, agency.Options{Fields: registry.RecordFields})
			reg := registrytest.New(t, db)
			dir := t.TempDir()
			var log strings.Builder
			env := Env{Stderr: &log}
			first, err := prepareDemo(ctx, dir, db, accounts, agencies, reg, 2000, env)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := accounts.Authenticate(ctx, first.Token); err != nil {
				t.Fatalf("demo token: %v", err)
			}
			if p, err := agencies.Authenticate(ctx, first.AgencyKey); err != nil || p.Agency.Status != agency.StatusApproved {
				t.Fatalf("demo bank's key: %+v, %v", p, err)
			}
			found, err := reg.Find(ctx, "Nguyen Minh Khoi", 0)
			if err != nil || len(found) != 1 {
				t.Fatalf("the demo newborn: %v, %v", found, err)
			}
			hist, err := reg.History(ctx, "001181000104")
			if err != nil || len(hist) < 4 {
				t.Fatalf("history of the demo daughter-in-law: %d versions, %v", len(hist), err)
			}
			// The synthetic population is in: at least 2,000 citizens
			// beside the family, few or no rejects.
			if n, _ := db.RowCount(ctx, "citizens"); n < 2000 {
				t.Fatalf("%d citizens after the demo:\n%s", n, log.String())
			}
			if !strings.Contains(log.String(), "2000 rows") {
				t.Errorf("demo log: %s", log.String())
			}
			events, _ := db.RowCount(ctx, "events")
			// Run again: nothing is added, and a new token works.
			second, err := prepareDemo(ctx, dir, db, accounts, agencies, reg, 2000, env)
			if err != nil {
				t.Fatal(err)
			}
			if second.Token == first.Token || second.AccountID != first.AccountID ||
				second.AgencyKey == first.AgencyKey || second.AgencyID != first.AgencyID {
				t.Fatalf("second run: %+v", second)
			}
			if _, err := agencies.Authenticate(ctx, second.AgencyKey); err != nil {
				t.Fatalf("second key: %v", err)
			}
			if _, err := accounts.Authenticate(ctx, second.Token); err != nil {
				t.Fatalf("second token: %v", err)
			}
			if again, _ := db.RowCount(ctx, "events"); again != events {
				t.Fatalf("second run recorded %d more events", again-events)
			}
		})
	}
}
