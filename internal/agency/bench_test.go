package agency

import (
	"context"
	"testing"
	"time"
)

// BenchmarkAuthenticate measures a cached authentication, the cost every
// API call pays: a well-formedness check, a SHA-256 and a map lookup.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	s := NewService(newMemStore(), Options{Fields: testFields, CacheTTL: time.Hour})
	_, _, secret := addBank(b, s, true)
	if _, err := s.Authenticate(ctx, secret); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Authenticate(ctx, secret); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCheck measures a scope check of a typical verify request.
func BenchmarkCheck(b *testing.B) {
	p := Principal{Key: Key{Scope: bankScope}}
	fields := []string{"pid", "full_name", "date_of_birth"}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Check(OpVerify, "kyc", fields); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllow measures a rate-limit decision of a key that is under its
// limit.
func BenchmarkAllow(b *testing.B) {
	s := NewService(newMemStore(), Options{Fields: testFields})
	p := Principal{Key: Key{ID: "k", RateLimit: MaxRateLimit}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Allow(p)
		}
	})
}
