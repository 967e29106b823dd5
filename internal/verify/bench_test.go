package verify

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"dancu/internal/registry"
	"dancu/internal/synth"
	"dancu/internal/vntext"
)

// The verification benchmarks:
//
//	IndexMemory   heap per citizen of an index filled from the synthetic
//	              population (DANCU_BENCH_INDEX_CITIZENS, default
//	              1,000,000); run it with -benchtime 1x
//	Verify        one Verify with every field supplied, on an index of
//	              100,000 citizens, and variants
//	Build         citizens put per second, from converted records and
//	              from the generator
//
// BenchmarkBuildFromStore (internal/store) builds through EachCitizen.

const envIndexCitizens = "DANCU_BENCH_INDEX_CITIZENS"

// synthCitizens streams n synthetic citizens (seed 1) to fn from two
// goroutines converting records (registry.Service.FromRecord reads five
// addresses a record); fn must be safe for concurrent use.
func synthCitizens(tb testing.TB, n int, fn func(registry.Record, registry.Citizen)) {
	tb.Helper()
	units := testUnits(tb)
	g, err := synth.New(units, synth.Config{Seed: 1, Count: n})
	if err != nil {
		tb.Fatal(err)
	}
	svc := registry.NewService(nil, nil, units)
	batches := make(chan []registry.Record, 4)
	var wg sync.WaitGroup
	var failed sync.Once
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				for _, r := range batch {
					in, err := svc.FromRecord(r)
					if err != nil {
						failed.Do(func() { tb.Errorf("record %s: %v", r.PID, err) })
						continue
					}
					in.Citizen.Version = 1
					fn(r, in.Citizen)
				}
			}
		}()
	}
	batch := make([]registry.Record, 0, 1024)
	for r, ok := g.Next(); ok; r, ok = g.Next() {
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			batches <- batch
			batch = make([]registry.Record, 0, 1024)
		}
	}
	batches <- batch
	close(batches)
	wg.Wait()
}

// heapAfterGC is the live heap, in bytes, after a full collection.
func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIndexMemory fills an index from the synthetic population and
// reports the heap it holds per citizen (after garbage collection, the
// tables of administrative units excluded) and its parts.
func BenchmarkIndexMemory(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv(envIndexCitizens); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 || n > synth.MaxCount {
			b.Fatalf("%s=%q: want a number of citizens", envIndexCitizens, s)
		}
	}
	for b.Loop() {
		b.StopTimer()
		ix := NewIndex(testUnits(b))
		before := heapAfterGC()
		b.StartTimer()
		start := time.Now()
		synthCitizens(b, n, func(_ registry.Record, c registry.Citizen) { ix.Put(c) })
		elapsed := time.Since(start)
		b.StopTimer()
		after := heapAfterGC()
		m := ix.Memory()
		b.ReportMetric(float64(after-before)/float64(ix.Len()), "B/citizen")
		b.ReportMetric(float64(m.Records)/float64(m.Citizens), "record-B/citizen")
		b.ReportMetric(float64(m.Tables)/float64(m.Citizens), "table-B/citizen")
		b.ReportMetric(float64(m.OldIDs)/float64(m.Citizens), "old-id-share")
		b.ReportMetric(float64(ix.Len())/elapsed.Seconds(), "citizens/s")
		b.ReportMetric(float64(ix.Len()), "citizens")
		runtime.KeepAlive(ix)
		b.StartTimer()
	}
}

// verifyFixture is an index of 100,000 synthetic citizens and a request
// for each, every field supplied as the register holds it.
type verifyFixture struct {
	ix   *Index
	reqs []Request
}

var (
	verifyFixtureOnce sync.Once
	sharedFixture     verifyFixture
)

func benchFixture(b *testing.B) *verifyFixture {
	verifyFixtureOnce.Do(func() {
		const n = 100_000
		ix := newTestIndex(b)
		var mu sync.Mutex
		reqs := make([]Request, 0, n)
		synthCitizens(b, n, func(r registry.Record, c registry.Citizen) {
			ix.Put(c)
			mu.Lock()
			reqs = append(reqs, Request{
				Purpose: "account opening", PID: r.PID, OldIDNumber: r.OldIDNumber, FullName: r.FullName,
				DateOfBirth: r.DateOfBirth, Gender: r.Gender, IDCardIssueDate: r.IDCardIssueDate,
				PermanentAddress: r.PermanentAddress, Phone: r.Phone,
			})
			mu.Unlock()
		})
		sharedFixture = verifyFixture{ix: ix, reqs: reqs}
	})
	if sharedFixture.ix == nil {
		b.Fatal("no fixture")
	}
	return &sharedFixture
}

var sinkResult Result

// BenchmarkVerify measures one Verify. Sub-benchmarks:
//
//	all-fields     every field the record has, as the register holds it
//	               (the address written as dancu writes addresses)
//	parallel       the same from GOMAXPROCS goroutines
//	by-old-id      the same, found by the old ID number
//	name-folded    the name without diacritics (a mismatch, scored)
//	free-address   the address in lower case without its district, read
//	               by the resolver
//	not-found      a number no one has
func BenchmarkVerify(b *testing.B) {
	f := benchFixture(b)
	run := func(name string, reqs []Request) {
		b.Run(name, func(b *testing.B) {
			for _, r := range reqs[:100] {
				if err := r.Validate(); err != nil {
					b.Fatalf("%+v: %v", r, err)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sinkResult = f.ix.Verify(reqs[i])
				if i++; i == len(reqs) {
					i = 0
				}
			}
		})
	}
	run("all-fields", f.reqs)
	for _, r := range f.reqs[:1000] {
		if res := f.ix.Verify(r); res.Result != ResultMatch {
			b.Fatalf("%+v: %+v", r, res)
		}
	}
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			var res Result
			for pb.Next() {
				res = f.ix.Verify(f.reqs[i%len(f.reqs)])
				i += 7
			}
			_ = res
		})
	})
	var byOld, folded, free, missing []Request
	for _, r := range f.reqs {
		if r.OldIDNumber != "" {
			o := r
			o.PID = ""
			byOld = append(byOld, o)
		}
		fr := r
		fr.FullName = vntext.Fold(r.FullName)
		folded = append(folded, fr)
		if len(free) < 10_000 {
			ar := r
			ar.PermanentAddress = vntext.Fold(r.PermanentAddress)
			free = append(free, ar)
		}
		mr := r
		mr.PID = "099" + r.PID[3:]
		missing = append(missing, mr)
	}
	run("by-old-id", byOld)
	run("name-folded", folded)
	run("free-address", free)
	run("not-found", missing)
}

// BenchmarkBuild measures how fast an index fills: put, citizens already
// converted; synth, generated and converted as well (two goroutines).
func BenchmarkBuild(b *testing.B) {
	const n = 200_000
	var cs []registry.Citizen
	var mu sync.Mutex
	synthCitizens(b, n, func(_ registry.Record, c registry.Citizen) {
		mu.Lock()
		cs = append(cs, c)
		mu.Unlock()
	})
	b.Run("put", func(b *testing.B) {
		var put int
		for b.Loop() {
			b.StopTimer()
			ix := newTestIndex(b)
			b.StartTimer()
			_, err := ix.Build(context.Background(), func(_ context.Context, fn func(registry.Citizen) error) error {
				for _, c := range cs {
					if err := fn(c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			put += len(cs)
		}
		b.ReportMetric(float64(put)/b.Elapsed().Seconds(), "citizens/s")
	})
	b.Run("synth", func(b *testing.B) {
		var put int
		for b.Loop() {
			b.StopTimer()
			ix := newTestIndex(b)
			b.StartTimer()
			synthCitizens(b, n, func(_ registry.Record, c registry.Citizen) { ix.Put(c) })
			put += ix.Len()
		}
		b.ReportMetric(float64(put)/b.Elapsed().Seconds(), "citizens/s")
	})
}
