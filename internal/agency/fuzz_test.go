package agency

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAuthenticate feeds arbitrary Authorization values to Authenticate:
// nothing but a key dancu issued may authenticate, and a malformed one
// must not reach the store.
func FuzzAuthenticate(f *testing.F) {
	s, m, _ := newTestService(f)
	_, _, secret := addBank(f, s, true)
	f.Add(secret)
	f.Add(secret[:len(secret)-1])
	f.Add(secret + "a")
	f.Add(strings.ToUpper(secret))
	f.Add("dancu_" + strings.Repeat("a", 52))
	f.Add(KeyPrefix + strings.Repeat("8", 52))
	f.Add("")
	f.Add("Bearer " + secret)
	f.Fuzz(func(t *testing.T, key string) {
		before := m.reads.Load()
		p, err := s.Authenticate(context.Background(), key)
		if key == secret {
			if err != nil {
				t.Fatalf("the issued key is refused: %v", err)
			}
			return
		}
		if err == nil || !errors.Is(err, ErrUnauthenticated) || p.Key.ID != "" {
			t.Fatalf("%q authenticated as %+v, %v", key, p, err)
		}
		if !WellFormed(key) && m.reads.Load() != before {
			t.Fatalf("malformed %q reached the store", key)
		}
		if WellFormed(key) && (len(key) != KeyLen || !strings.HasPrefix(key, KeyPrefix)) {
			t.Fatalf("%q is called well formed", key)
		}
		if len(key) >= 16 && strings.Contains(err.Error(), key) {
			t.Fatalf("the error repeats the key: %v", err)
		}
	})
}

// FuzzCheck feeds arbitrary purposes and field lists to Principal.Check:
// it refuses exactly what is outside the scope, with a bounded message.
func FuzzCheck(f *testing.F) {
	p := Principal{Key: Key{Scope: bankScope}}
	f.Add("verify", "kyc", "pid,full_name")
	f.Add("lookup", "", "")
	f.Add("batch", "kyc", "phone,phone,pid")
	f.Add("verify", strings.Repeat("é", 100), strings.Repeat("x,", 200))
	f.Add("sync", "kyc\x00", "\xff")
	f.Fuzz(func(t *testing.T, op, purpose, fieldList string) {
		fields := strings.Split(fieldList, ",")
		err := p.Check(Operation(op), purpose, fields)
		inside := slices.Contains(bankScope.Operations, Operation(op)) && slices.Contains(bankScope.Purposes, purpose)
		for _, fl := range fields {
			inside = inside && slices.Contains(bankScope.Fields, fl)
		}
		if inside != (err == nil) {
			t.Fatalf("Check(%q, %q, %q) = %v, inside %v", op, purpose, fields, err, inside)
		}
		if err == nil {
			return
		}
		var se *ScopeError
		if !errors.As(err, &se) {
			t.Fatalf("not a *ScopeError: %v", err)
		}
		if msg := err.Error(); len(msg) > 2000 || msg == "" {
			t.Fatalf("message of %d bytes", len(msg))
		}
		if !utf8.ValidString(err.Error()) {
			t.Fatalf("clipping broke UTF-8: %q", err.Error())
		}
	})
}

// FuzzCleanScope feeds arbitrary lists to CleanScope: it either refuses
// them with an *InvalidError or returns a canonical scope that it accepts
// again unchanged.
func FuzzCleanScope(f *testing.F) {
	f.Add("verify,lookup", "pid,full_name", "kyc")
	f.Add("lookup,lookup", "phone,pid,phone", "sim-registration,kyc")
	f.Add("", "", "")
	f.Add("verify", "salary", "kyc")
	f.Add("verify", "pid", "KYC")
	f.Add("reconcile", "pid", strings.Repeat("a,", 70))
	f.Fuzz(func(t *testing.T, ops, fields, purposes string) {
		in := Scope{Fields: split(fields), Purposes: split(purposes)}
		for _, op := range split(ops) {
			in.Operations = append(in.Operations, Operation(op))
		}
		out, err := CleanScope(in, testFields)
		if err != nil {
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Field == "" {
				t.Fatalf("not an *InvalidError: %v", err)
			}
			return
		}
		again, err := CleanScope(out, testFields)
		if err != nil || !slices.Equal(again.Operations, out.Operations) || !slices.Equal(again.Fields, out.Fields) || !slices.Equal(again.Purposes, out.Purposes) {
			t.Fatalf("not canonical: %+v became %+v, %v", out, again, err)
		}
		for _, p := range out.Purposes {
			if !ValidPurpose(p) || strings.Contains(p, ",") {
				t.Fatalf("purpose %q accepted", p)
			}
		}
		if len(out.Operations) == 0 || len(out.Fields) == 0 || len(out.Purposes) == 0 {
			t.Fatalf("an empty list accepted: %+v", out)
		}
	})
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// FuzzValidID checks that ValidID accepts the IDs dancu makes and nothing
// of another shape.
func FuzzValidID(f *testing.F) {
	f.Add(newID(time.Now()))
	f.Add("")
	f.Add("01JZ0000000000000000000000")
	f.Add(strings.Repeat("w", 26))
	f.Fuzz(func(t *testing.T, id string) {
		if !ValidID(id) {
			return
		}
		if len(id) != 26 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuv") != "" {
			t.Fatalf("%q accepted", id)
		}
	})
}
