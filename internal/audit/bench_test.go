package audit_test

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"dancu/internal/audit"
	"dancu/internal/store/storetest"
)

// The audit benchmarks, on every engine storetest.Engines selects:
//
//	Append       64 goroutines appending one-access records, as /v1/verify
//	             does under load; reports appends/s
//	AppendChunk  4 goroutines appending batch chunks of 1,000 accesses, as
//	             batch verification does; reports accesses/s
//	BaselineCommit  one durable one-row commit at a time, the sync latency
//	             both are built on; reports commits/s
//
// Every Append returns only once its entry is durable. The timed part ends
// with Close, which indexes what is left, so the figures are of appends
// whose accesses are also in the per-citizen index. Append and
// AppendChunk also report cpu-µs/op: the CPU time (user and system) the
// whole test process spent per append, callers, writer and, on SQLite,
// the database engine included (a PostgreSQL server's own CPU time is not
// counted).

// appendGoroutines is how many callers BenchmarkAppend runs at once.
const appendGoroutines = 64

// chunkSize is the number of accesses per batch chunk.
const chunkSize = 1000

func BenchmarkAppend(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			l, err := audit.Open(context.Background(), db, testKey(1), audit.Options{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var next atomic.Int64
			b.SetParallelism(max(1, appendGoroutines/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					r := audit.Record{AgencyID: "agency-bank", KeyID: "key-1", Purpose: "kyc", Operation: "verify",
						RequestID: "req-" + strconv.Itoa(i),
						Accesses:  []audit.Access{{PID: citizen(i * 7919 % 1_000_000), Fields: []string{"full_name", "date_of_birth"}, Result: "match"}}}
					if err := l.Append(ctx, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cpu.report()
			reportEntries(b, db)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
		})
	}
}

func BenchmarkAppendChunk(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			l, err := audit.Open(context.Background(), db, testKey(1), audit.Options{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			fields := []string{"full_name", "date_of_birth", "gender"}
			var next atomic.Int64
			b.SetParallelism(2)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				list := make([]audit.Access, chunkSize)
				for pb.Next() {
					base := int(next.Add(1)) * chunkSize
					for j := range list {
						list[j] = audit.Access{PID: citizen((base + j) * 7919 % 10_000_000), Fields: fields, Result: "match"}
					}
					r := audit.Record{AgencyID: "agency-tax", KeyID: "key-2", Purpose: "census", Operation: "batch_verify",
						RequestID: "batch-1", Accesses: list}
					if err := l.Append(ctx, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cpu.report()
			reportEntries(b, db)
			b.ReportMetric(float64(b.N*chunkSize)/b.Elapsed().Seconds(), "accesses/s")
		})
	}
}

// BenchmarkBaselineCommit is one durable single-row commit at a time (a
// stored checkpoint), the disk's sync latency as the store sees it: the
// reference that BenchmarkAppend's group commit multiplies.
func BenchmarkBaselineCommit(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			ctx := context.Background()
			key := testKey(1)
			at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c, err := audit.SignCheckpoint(key, at.Add(time.Duration(i)*time.Microsecond), nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := db.SaveAuditCheckpoint(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}

// reportEntries adds records/entry: how many records a group commit wrote
// as one entry, on average.
func reportEntries(b *testing.B, db audit.Store) {
	heads, err := db.AuditHeads(context.Background())
	if err != nil || len(heads) != 1 {
		b.Fatalf("heads %+v, %v", heads, err)
	}
	b.ReportMetric(float64(b.N)/float64(heads[0].Seq), "records/entry")
}

// cpuMeter measures the CPU time the process spends during a benchmark's
// timed part.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
}

func startCPU(b *testing.B) cpuMeter { return cpuMeter{b, processCPU(b)} }

// report adds cpu-µs/op, the process's CPU time per operation.
func (m cpuMeter) report() {
	used := processCPU(m.b) - m.start
	m.b.ReportMetric(float64(used.Microseconds())/float64(m.b.N), "cpu-µs/op")
}

// processCPU is the user and system CPU time of the process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
