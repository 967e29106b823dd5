package registry_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
	"dancu/internal/synth"
)

// memStore is a register in memory, just enough for an import: it keeps
// what the batches write and answers the importer's lookups from it, so
// that a benchmark of the import measures the register's work, not a
// database's.
type memStore struct {
	citizens   map[pid.PID]registry.Citizen
	households map[string]registry.Household
	// seen, when set, is given every commit of every batch, in order.
	seen func(registry.Commit)
}

func newMemStore() *memStore {
	return &memStore{citizens: map[pid.PID]registry.Citizen{}, households: map[string]registry.Household{}}
}

func (m *memStore) Citizen(_ context.Context, number pid.PID) (registry.Citizen, error) {
	if c, ok := m.citizens[number]; ok {
		return c, nil
	}
	return registry.Citizen{}, registry.ErrNotFound
}

func (m *memStore) Household(_ context.Context, id string) (registry.Household, error) {
	if h, ok := m.households[id]; ok {
		return h, nil
	}
	return registry.Household{}, registry.ErrNotFound
}

func (m *memStore) Residences(context.Context, pid.PID) ([]registry.Residence, error) {
	return nil, nil
}

// errOneByOne fails an import that fell back to committing row by row,
// which would build every row twice and make the benchmark meaningless.
var errOneByOne = errors.New("memStore: a batch was redone one row at a time")

func (m *memStore) Commit(context.Context, registry.Commit) error { return errOneByOne }

func (m *memStore) History(context.Context, pid.PID) ([]registry.Version, error) { return nil, nil }

func (m *memStore) AsOf(context.Context, pid.PID, time.Time) (registry.Citizen, error) {
	return registry.Citizen{}, registry.ErrNotFound
}

func (m *memStore) FindCitizens(context.Context, registry.Query) ([]registry.Citizen, error) {
	return nil, nil
}

// PrepareBatch makes memStore a registry.BatchStore. The records are kept
// at once: the importer waits for a batch before it reads the store
// without the batch's overlay.
func (m *memStore) PrepareBatch(commits []registry.Commit) (func(context.Context) error, error) {
	for _, c := range commits {
		if m.seen != nil {
			m.seen(c)
		}
		for _, ct := range c.Citizens {
			m.citizens[ct.PID] = ct
		}
		for _, h := range c.Households {
			m.households[h.ID] = h
		}
	}
	return func(context.Context) error { return nil }, nil
}

var _ registry.BatchStore = (*memStore)(nil)

var (
	synthOnce    sync.Once
	synthRecords []registry.Record
	synthErr     error
)

// synthRows returns n records of a synthetic population (the first n of
// seed 1), generated once per test binary.
func synthRows(tb testing.TB, n int) []registry.Record {
	tb.Helper()
	synthOnce.Do(func() {
		g, err := synth.New(registrytest.Units(tb), synth.Config{Seed: 1, Count: 5000})
		if err != nil {
			synthErr = err
			return
		}
		for r, ok := g.Next(); ok; r, ok = g.Next() {
			synthRecords = append(synthRecords, r)
		}
	})
	if synthErr != nil {
		tb.Fatal(synthErr)
	}
	if n > len(synthRecords) {
		tb.Fatalf("%d rows asked for, %d generated", n, len(synthRecords))
	}
	return synthRecords[:n]
}

// afterSynthToday is a clock on the day after the generator's today, so
// that no generated date is in the register's future.
func afterSynthToday() *registrytest.Clock {
	d := synth.DefaultToday
	return registrytest.NewClock(time.Date(d.Year, time.Month(d.Month), d.Day+1, 9, 0, 0, 0, registrytest.ICT))
}

// importInto imports rows into a fresh memStore and returns how many were
// imported.
func importInto(ctx context.Context, tb testing.TB, st *memStore, rows []registry.Record) int {
	svc := registry.NewService(st, nil, registrytest.Units(tb), registry.WithClock(afterSynthToday().Now))
	imported := 0
	im := svc.NewImporter(registry.ImportOptions{Source: "bench.csv", Result: func(r registry.RowResult) {
		if r.Outcome == registry.Imported {
			imported++
		}
	}})
	for i, r := range rows {
		if err := im.Add(ctx, int64(i+2), r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := im.Close(ctx); err != nil {
		tb.Fatal(err)
	}
	return imported
}

// BenchmarkImportBuild imports a few thousand synthetic rows into a
// register in memory: the importer's own work per row (reading the row,
// validating it, building its commit) without a database's.
func BenchmarkImportBuild(b *testing.B) {
	const n = 4000
	rows := synthRows(b, n)
	ctx := context.Background()
	if got := importInto(ctx, b, newMemStore(), rows); got < n*9/10 {
		b.Fatalf("%d of %d rows imported", got, n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		importInto(ctx, b, newMemStore(), rows)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
}
