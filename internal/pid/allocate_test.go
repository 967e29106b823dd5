package pid

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"testing"
)

// memStore is an in-memory Store: a set of claimed numbers behind a mutex,
// standing in for the table with INSERT … ON CONFLICT DO NOTHING.
type memStore struct {
	mu      sync.Mutex
	claimed map[PID]bool
	calls   int
	err     error
}

func newMemStore() *memStore { return &memStore{claimed: map[PID]bool{}} }

func (s *memStore) ClaimPID(ctx context.Context, number PID) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return false, s.err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if s.claimed[number] {
		return false, nil
	}
	s.claimed[number] = true
	return true, nil
}

// cyclingRandom yields serials 0, 1, …, n-1, 0, 1, … as 4-byte big-endian
// draws, so that a block behaves as if it had only n numbers and collisions
// are certain once they are taken. Safe for concurrent use.
type cyclingRandom struct {
	mu   sync.Mutex
	n, i uint32
}

func (r *cyclingRandom) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(p) != 4 {
		return 0, errors.New("cyclingRandom: want 4-byte reads")
	}
	binary.BigEndian.PutUint32(p, r.i%r.n)
	r.i++
	return 4, nil
}

// fixedRandom returns the given 4-byte words in order, then fails.
type fixedRandom struct{ words []uint32 }

func (r *fixedRandom) Read(p []byte) (int, error) {
	if len(r.words) == 0 {
		return 0, errors.New("fixedRandom: exhausted")
	}
	binary.BigEndian.PutUint32(p, r.words[0])
	r.words = r.words[1:]
	return 4, nil
}

func TestAllocate(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	a := NewAllocator(st)
	tests := []struct {
		req    Request
		prefix string
	}{
		{Request{ProvinceCode: "001", Gender: Male, BirthYear: 1985}, "001085"},
		{Request{ProvinceCode: "079", Gender: Female, BirthYear: 2025}, "079325"},
		{Request{ProvinceCode: "096", Gender: Male, BirthYear: 2100}, "096400"},
		{Request{ProvinceCode: "002", Gender: Female, BirthYear: 2399}, "002999"},
	}
	for _, tt := range tests {
		p, err := a.Allocate(ctx, tt.req)
		if err != nil {
			t.Fatalf("Allocate(%+v): %v", tt.req, err)
		}
		if !strings.HasPrefix(string(p), tt.prefix) {
			t.Errorf("Allocate(%+v) = %s, want prefix %s", tt.req, p, tt.prefix)
		}
		if _, err := Parse(string(p)); err != nil {
			t.Errorf("allocated %q does not parse: %v", p, err)
		}
		d := p.Decode()
		if d.ProvinceCode != tt.req.ProvinceCode || d.Gender != tt.req.Gender || d.BirthYear != tt.req.BirthYear {
			t.Errorf("allocated %s decodes to %+v, want %+v", p, d, tt.req)
		}
		if !st.claimed[p] {
			t.Errorf("allocated %s was not claimed in the store", p)
		}
	}
}

func TestAllocateSerialIsUniformDraw(t *testing.T) {
	// Words at or above the rejection limit are discarded, not folded.
	r := &fixedRandom{words: []uint32{0xFFFFFFFF, serialLimit, serialLimit - 1}}
	p, err := NewAllocator(newMemStore(), WithRandom(r)).
		Allocate(context.Background(), Request{ProvinceCode: "001", Gender: Male, BirthYear: 1990})
	if err != nil {
		t.Fatal(err)
	}
	if want := PID("001090999999"); p != want {
		t.Errorf("got %s, want %s (serial from the first in-range word)", p, want)
	}
	if len(r.words) != 0 {
		t.Errorf("%d words left unread", len(r.words))
	}
}

func TestAllocateRetriesOnCollision(t *testing.T) {
	st := newMemStore()
	st.claimed["001090000007"] = true
	r := &fixedRandom{words: []uint32{7, 7, 8}}
	p, err := NewAllocator(st, WithRandom(r)).
		Allocate(context.Background(), Request{ProvinceCode: "001", Gender: Male, BirthYear: 1990})
	if err != nil || p != "001090000008" {
		t.Fatalf("got %s, %v; want 001090000008", p, err)
	}
	if st.calls != 3 {
		t.Errorf("%d claims, want 3", st.calls)
	}
}

func TestAllocateConcurrentSmallBlock(t *testing.T) {
	const (
		free       = 8  // numbers the fake random source can produce
		goroutines = 40 // far more callers than numbers
	)
	st := newMemStore()
	a := NewAllocator(st, WithRandom(&cyclingRandom{n: free}), WithMaxAttempts(3*free))
	req := Request{ProvinceCode: "031", Gender: Female, BirthYear: 2026}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		got     []PID
		errs    []error
		barrier = make(chan struct{})
	)
	for range goroutines {
		wg.Go(func() {
			<-barrier
			p, err := a.Allocate(context.Background(), req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			got = append(got, p)
		})
	}
	close(barrier)
	wg.Wait()

	if len(got) != free {
		t.Errorf("%d numbers allocated, want all %d of the block", len(got), free)
	}
	seen := map[PID]bool{}
	for _, p := range got {
		if seen[p] {
			t.Errorf("number %s allocated twice", p)
		}
		seen[p] = true
		if !strings.HasPrefix(string(p), "031326") {
			t.Errorf("number %s outside the block", p)
		}
	}
	if len(errs) != goroutines-free {
		t.Errorf("%d errors, want %d", len(errs), goroutines-free)
	}
	for _, err := range errs {
		if !errors.Is(err, ErrBlockFull) {
			t.Errorf("error %v, want ErrBlockFull", err)
		}
		if !strings.Contains(err.Error(), "prefix 031326") {
			t.Errorf("error %q does not name the block", err)
		}
	}
}

func TestAllocateErrors(t *testing.T) {
	ctx := context.Background()
	valid := Request{ProvinceCode: "001", Gender: Male, BirthYear: 2000}
	tests := []struct {
		name string
		req  Request
		want []error
	}{
		{"unknown province", Request{ProvinceCode: "099", Gender: Male, BirthYear: 2000},
			[]error{ErrInvalidRequest, ErrUnknownProvince}},
		{"two-digit province", Request{ProvinceCode: "01", Gender: Male, BirthYear: 2000},
			[]error{ErrInvalidRequest, ErrUnknownProvince}},
		{"empty province", Request{Gender: Male, BirthYear: 2000},
			[]error{ErrInvalidRequest, ErrUnknownProvince}},
		{"no gender", Request{ProvinceCode: "001", BirthYear: 2000}, []error{ErrInvalidRequest}},
		{"bad gender", Request{ProvinceCode: "001", Gender: 9, BirthYear: 2000}, []error{ErrInvalidRequest}},
		{"year too early", Request{ProvinceCode: "001", Gender: Male, BirthYear: 1899}, []error{ErrInvalidRequest}},
		{"year too late", Request{ProvinceCode: "001", Gender: Male, BirthYear: 2400}, []error{ErrInvalidRequest}},
	}
	for _, tt := range tests {
		st := newMemStore()
		_, err := NewAllocator(st).Allocate(ctx, tt.req)
		for _, w := range tt.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: error %v, want %v", tt.name, err, w)
			}
		}
		if st.calls != 0 {
			t.Errorf("%s: store called for an invalid request", tt.name)
		}
	}

	t.Run("store error is returned, not retried", func(t *testing.T) {
		st := newMemStore()
		boom := errors.New("database is locked")
		st.err = boom
		_, err := NewAllocator(st).Allocate(ctx, valid)
		if !errors.Is(err, boom) || st.calls != 1 {
			t.Errorf("error %v after %d calls", err, st.calls)
		}
	})
	t.Run("random source error", func(t *testing.T) {
		_, err := NewAllocator(newMemStore(), WithRandom(&fixedRandom{})).Allocate(ctx, valid)
		if err == nil || !strings.Contains(err.Error(), "draw personal ID number serial") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("random source stuck out of range", func(t *testing.T) {
		words := make([]uint32, maxRejections)
		for i := range words {
			words[i] = 0xFFFFFFFF
		}
		_, err := NewAllocator(newMemStore(), WithRandom(&fixedRandom{words: words})).Allocate(ctx, valid)
		if err == nil {
			t.Error("no error")
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		st := newMemStore()
		_, err := NewAllocator(st).Allocate(cctx, valid)
		if !errors.Is(err, context.Canceled) || st.calls != 0 {
			t.Errorf("error %v after %d calls", err, st.calls)
		}
	})
}

func TestAllocateExtraPrefixes(t *testing.T) {
	ctx := context.Background()
	req := Request{ProvinceCode: "704", Gender: Female, BirthYear: 2030}
	if _, err := NewAllocator(newMemStore()).Allocate(ctx, req); !errors.Is(err, ErrUnknownProvince) {
		t.Fatalf("unlisted prefix accepted by default: %v", err)
	}
	p, err := NewAllocator(newMemStore(), WithExtraPrefixes("704", "bad", "7")).Allocate(ctx, req)
	if err != nil || !strings.HasPrefix(string(p), "704330") {
		t.Fatalf("got %s, %v", p, err)
	}
	if d := p.Decode(); d.ProvinceKnown || len(d.Notes) != 1 {
		t.Errorf("extra prefix decoded as %+v", d)
	}
}

func BenchmarkAllocate(b *testing.B) {
	b.ReportAllocs()
	a := NewAllocator(nopStore{})
	req := Request{ProvinceCode: "079", Gender: Female, BirthYear: 2026}
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.Allocate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// nopStore claims every number, to measure the Allocator alone.
type nopStore struct{}

func (nopStore) ClaimPID(context.Context, PID) (bool, error) { return true, nil }
