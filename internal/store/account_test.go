package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"dancu/internal/eid"
	"dancu/internal/store"
	"dancu/internal/store/storetest"
)

// The store is the eid service's storage on both engines.
var _ eid.Store = (*store.DB)(nil)

func TestAccountsAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := eid.NewService(db, nil)

		a, token, err := svc.CreateAccount(ctx, "Nguyễn Thị Hoà", eid.RoleCommuneOfficer, "26734")
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.AccountByID(ctx, a.ID)
		if err != nil || got != a {
			t.Fatalf("AccountByID = %+v, %v; want %+v (round trip through the database)", got, err, a)
		}
		if got, err := svc.Authenticate(ctx, token); err != nil || got != a {
			t.Fatalf("Authenticate = %+v, %v; want %+v", got, err, a)
		}
		// Only the hash is stored, never the token.
		if n, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM account_tokens WHERE token_hash = $1 AND prefix = $2`,
			eid.HashToken(token).String(), token[:10]); err != nil || n != 1 {
			t.Fatalf("stored hash and prefix: %d rows, %v", n, err)
		}
		if n, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM account_tokens WHERE token_hash = $1 OR prefix = $1 OR id = $1`, token); err != nil || n != 0 {
			t.Fatalf("the token itself is in the database: %d rows, %v", n, err)
		}

		// Lookups of what does not exist.
		other := []byte(token) // the same token but one character
		if other[20] == 'a' {
			other[20] = 'b'
		} else {
			other[20] = 'a'
		}
		if _, err := svc.Authenticate(ctx, string(other)); !errors.Is(err, eid.ErrUnauthenticated) {
			t.Fatalf("unknown token: %v", err)
		}
		if _, _, err := db.AccountByTokenHash(ctx, eid.HashToken("nope")); !errors.Is(err, eid.ErrNotFound) {
			t.Fatalf("AccountByTokenHash(unknown): %v", err)
		}
		if _, err := db.AccountByID(ctx, "nope"); !errors.Is(err, eid.ErrNotFound) {
			t.Fatalf("AccountByID(unknown): %v", err)
		}
		if err := db.AddAccountToken(ctx, eid.Token{ID: "t1", AccountID: "nope", CreatedAt: time.Now()}); !errors.Is(err, eid.ErrNotFound) {
			t.Fatalf("AddAccountToken(unknown account): %v", err)
		}
		if _, err := db.RevokeAllAccountTokens(ctx, "nope", time.Now()); !errors.Is(err, eid.ErrNotFound) {
			t.Fatalf("RevokeAllAccountTokens(unknown account): %v", err)
		}
		if err := db.RevokeAccountToken(ctx, "nope", time.Now()); !errors.Is(err, eid.ErrNotFound) {
			t.Fatalf("RevokeAccountToken(unknown): %v", err)
		}
		if err := db.DisableAccount(ctx, "nope", time.Now()); !errors.Is(err, eid.ErrNotFound) {
			t.Fatalf("DisableAccount(unknown): %v", err)
		}

		// An expiring token: the expiry survives the round trip.
		tok, expiring, err := svc.IssueToken(ctx, a.ID, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		_, stored, err := db.AccountByTokenHash(ctx, eid.HashToken(expiring))
		if err != nil || stored != tok {
			t.Fatalf("stored token %+v, %v; want %+v", stored, err, tok)
		}

		// Revocation: the first time is kept.
		first := time.Date(2026, 5, 1, 9, 30, 0, 123456000, time.UTC)
		if err := db.RevokeAccountToken(ctx, tok.ID, first); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAccountToken(ctx, tok.ID, first.Add(time.Hour)); err != nil {
			t.Fatalf("revoking twice: %v", err)
		}
		_, stored, _ = db.AccountByTokenHash(ctx, eid.HashToken(expiring))
		if !stored.RevokedAt.Equal(first) {
			t.Fatalf("revoked at %v, want %v", stored.RevokedAt, first)
		}
		if _, err := svc.Authenticate(ctx, expiring); !errors.Is(err, eid.ErrUnauthenticated) {
			t.Fatalf("revoked token: %v", err)
		}
		if _, err := svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("revoking one token stopped another: %v", err)
		}

		// Revoke all: counts only the tokens still usable.
		_, third, _ := svc.IssueToken(ctx, a.ID, 0)
		if n, err := svc.RevokeAllTokens(ctx, a.ID); err != nil || n != 2 {
			t.Fatalf("RevokeAllTokens = %d, %v; want 2 (the first and the third)", n, err)
		}
		for _, tk := range []string{token, third} {
			if _, err := svc.Authenticate(ctx, tk); !errors.Is(err, eid.ErrUnauthenticated) {
				t.Fatalf("token after revoke all: %v", err)
			}
		}

		// Disabling an account stops its fresh tokens too.
		b, tb, err := svc.CreateAccount(ctx, "Admin", eid.RoleAdmin, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.DisableAccount(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.DisableAccount(ctx, b.ID); err != nil {
			t.Fatalf("disabling twice: %v", err)
		}
		if _, err := svc.Authenticate(ctx, tb); !errors.Is(err, eid.ErrUnauthenticated) {
			t.Fatalf("disabled account: %v", err)
		}
		if got, _ := db.AccountByID(ctx, b.ID); !got.Disabled {
			t.Fatal("account not disabled")
		}

		// A token whose hash is already stored is refused, and the account
		// created with it is not left behind.
		dup := eid.Account{ID: "dupaccount", Name: "x", Role: eid.RoleAdmin, CreatedAt: time.Now()}
		_, st, _ := db.AccountByTokenHash(ctx, eid.HashToken(tb))
		st.ID, st.AccountID = "duptoken", dup.ID
		if err := db.CreateAccount(ctx, dup, st); err == nil {
			t.Fatal("a token hash was stored twice")
		}
		if _, err := db.AccountByID(ctx, dup.ID); !errors.Is(err, eid.ErrNotFound) {
			t.Fatalf("account of the failed creation: %v", err)
		}
	})
}

// TestAuthenticateConcurrently authenticates from many goroutines while
// accounts are created, as a busy server does.
func TestAuthenticateConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := eid.NewService(db, nil)
		a, token, err := svc.CreateAccount(ctx, "Admin", eid.RoleAdmin, "")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 8 {
			wg.Go(func() {
				for range 20 {
					if i%2 == 0 {
						if _, _, err := svc.CreateAccount(ctx, "Officer", eid.RoleProvinceOfficer, "79"); err != nil {
							errs <- err
							return
						}
						continue
					}
					got, err := svc.Authenticate(ctx, token)
					if err != nil {
						errs <- err
						return
					}
					if got.ID != a.ID {
						t.Errorf("authenticated as %s, want %s", got.ID, a.ID)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n, err := db.QueryIntRaw(ctx, `SELECT COUNT(*) FROM accounts`); err != nil || n != 1+4*20 {
			t.Fatalf("%d accounts, %v; want %d", n, err, 1+4*20)
		}
	})
}
