package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"dancu/internal/agency"
	"dancu/internal/registry"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// The store is the agency service's storage on both engines.
var _ agency.Store = (*store.DB)(nil)

func TestAgencyKeysRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 7, 1, 8, 0, 0, 123456000, time.UTC)
		clock := func() time.Time { return now }
		// No cache: every Authenticate below reads the database.
		svc := agency.NewService(db, agency.Options{Fields: registry.RecordFields, Now: clock, CacheTTL: -1})

		a, k, secret, err := svc.Add(ctx, agency.NewAgency{
			Name: "Nhà mạng Di động B", Kind: agency.KindTelecom,
			Scope: agency.Scope{
				Operations: []agency.Operation{agency.OpVerify, agency.OpBatch},
				Fields:     []string{"pid", "full_name", "date_of_birth", "phone"},
				Purposes:   []string{"sim-registration"},
			},
			RateLimit: 500, ExpiresAt: now.AddDate(1, 0, 0), Approved: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		gotA, gotK, err := db.AgencyKeyByHash(ctx, agency.HashKey(secret))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotA, a) || !reflect.DeepEqual(gotK, k) {
			t.Fatalf("AgencyKeyByHash =\n%+v\n%+v\nwant (round trip through the database)\n%+v\n%+v", gotA, gotK, a, k)
		}
		if p, err := svc.Authenticate(ctx, secret); err != nil || p.Agency.ID != a.ID || p.Key.ID != k.ID {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
		// Only the hash is stored, never the key.
		if n, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM agency_keys WHERE key_hash = $1 AND prefix = $2`,
			agency.HashKey(secret).String(), secret[:14]); err != nil || n != 1 {
			t.Fatalf("stored hash and prefix: %d rows, %v", n, err)
		}
		if n, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM agency_keys WHERE key_hash = $1 OR prefix = $1 OR id = $1`, secret); err != nil || n != 0 {
			t.Fatalf("the key itself is in the database: %d rows, %v", n, err)
		}

		// A second agency, pending, and a second key of the first.
		now = now.Add(time.Second)
		b, bk, _, err := svc.Add(ctx, agency.NewAgency{
			Name: "Bệnh viện Bạch Mai", Kind: agency.KindHealth,
			Scope: agency.Scope{Operations: []agency.Operation{agency.OpLookup}, Fields: []string{"pid", "blood_type"}, Purposes: []string{"treatment"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != agency.StatusPending || bk.RateLimit != 0 || !bk.ExpiresAt.IsZero() {
			t.Fatalf("pending agency %+v, key %+v", b, bk)
		}
		now = now.Add(time.Second)
		k2, _, err := svc.IssueKey(ctx, a.ID, k.Scope, 0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}

		all, err := db.Agencies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []agency.Listing{{Agency: a, Keys: []agency.Key{k, k2}}, {Agency: b, Keys: []agency.Key{bk}}}
		if !reflect.DeepEqual(all, want) {
			t.Fatalf("Agencies =\n%+v\nwant\n%+v", all, want)
		}
		one, err := db.AgencyByID(ctx, b.ID)
		if err != nil || !reflect.DeepEqual(one, want[1]) {
			t.Fatalf("AgencyByID = %+v, %v; want %+v", one, err, want[1])
		}

		// Status changes stamp updated_at only when the status changes.
		now = now.Add(time.Second)
		approved, err := db.SetAgencyStatus(ctx, b.ID, agency.StatusApproved, now)
		if err != nil || approved.Status != agency.StatusApproved || !approved.UpdatedAt.Equal(now) || !approved.CreatedAt.Equal(b.CreatedAt) {
			t.Fatalf("SetAgencyStatus = %+v, %v", approved, err)
		}
		again, err := db.SetAgencyStatus(ctx, b.ID, agency.StatusApproved, now.Add(time.Hour))
		if err != nil || !again.UpdatedAt.Equal(now) {
			t.Fatalf("approving again = %+v, %v; updated_at should stay %v", again, err, now)
		}

		// Revocation keeps its first time.
		revoked, err := db.RevokeAgencyKey(ctx, k.ID, now)
		if err != nil || !revoked.RevokedAt.Equal(now) || revoked.ID != k.ID || !reflect.DeepEqual(revoked.Scope, k.Scope) {
			t.Fatalf("RevokeAgencyKey = %+v, %v", revoked, err)
		}
		if again, err := db.RevokeAgencyKey(ctx, k.ID, now.Add(time.Hour)); err != nil || !again.RevokedAt.Equal(now) {
			t.Fatalf("revoking again = %+v, %v", again, err)
		}
		if _, err := svc.Authenticate(ctx, secret); !errors.Is(err, agency.ErrUnauthenticated) {
			t.Fatalf("revoked key: %v", err)
		}

		// What does not exist.
		if _, _, err := db.AgencyKeyByHash(ctx, agency.HashKey("nope")); !errors.Is(err, agency.ErrNotFound) {
			t.Fatalf("AgencyKeyByHash(unknown): %v", err)
		}
		if _, err := db.AgencyByID(ctx, "nope"); !errors.Is(err, agency.ErrNotFound) {
			t.Fatalf("AgencyByID(unknown): %v", err)
		}
		if _, err := db.SetAgencyStatus(ctx, "nope", agency.StatusSuspended, now); !errors.Is(err, agency.ErrNotFound) {
			t.Fatalf("SetAgencyStatus(unknown): %v", err)
		}
		if _, err := db.RevokeAgencyKey(ctx, "nope", now); !errors.Is(err, agency.ErrNotFound) {
			t.Fatalf("RevokeAgencyKey(unknown): %v", err)
		}
		if err := db.AddAgencyKey(ctx, agency.Key{ID: "k1", AgencyID: "nope", CreatedAt: now}, agency.HashKey("x")); !errors.Is(err, agency.ErrNotFound) {
			t.Fatalf("AddAgencyKey(unknown agency): %v", err)
		}
		// A hash is unique.
		if err := db.AddAgencyKey(ctx, agency.Key{ID: "k1", AgencyID: a.ID, CreatedAt: now}, agency.HashKey(secret)); err == nil {
			t.Fatal("a second key with the same hash was stored")
		}
	})
}

// TestCreateAgencyAtomic checks that an agency is never stored without the
// key its creator was shown.
func TestCreateAgencyAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		crash := errors.New("crash")
		db.SetFailpoint(func(step string) error {
			if step == "agency inserted" {
				return crash
			}
			return nil
		})
		svc := agency.NewService(db, agency.Options{Fields: registry.RecordFields})
		_, _, _, err := svc.Add(ctx, agency.NewAgency{
			Name: "Bộ Nội vụ", Kind: agency.KindMinistry, Approved: true,
			Scope: agency.Scope{Operations: []agency.Operation{agency.OpReconcile}, Fields: []string{"pid"}, Purposes: []string{"civil-servant-records"}},
		})
		if !errors.Is(err, crash) {
			t.Fatalf("Add = %v, want the failpoint's error", err)
		}
		if n, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM agencies`); err != nil || n != 0 {
			t.Fatalf("%d agencies left behind, %v", n, err)
		}
		if l, err := svc.List(ctx); err != nil || len(l) != 0 {
			t.Fatalf("List = %+v, %v", l, err)
		}
	})
}
