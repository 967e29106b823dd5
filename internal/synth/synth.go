package synth

import (
	"errors"
	"fmt"

	"dancu/internal/adminunit"
	"dancu/internal/registry"
)

// ErrBadData reports an embedded table that does not parse; it means a
// broken build, not bad input.
var ErrBadData = errors.New("synth: bad embedded data")

// ErrBadConfig reports a Config that New refuses.
var ErrBadConfig = errors.New("synth: bad config")

// MaxCount is the largest Count New accepts: above Vietnam's population,
// and far below what would exhaust a block of personal identification
// numbers (a million per province, gender and year of birth).
const MaxCount = 150_000_000

// DefaultToday is the reference date used when Config.Today is zero.
var DefaultToday = registry.Date{Year: 2026, Month: 7, Day: 1}

// Config configures a Generator.
type Config struct {
	// Seed makes the output: the same Config gives the same records, byte
	// for byte.
	Seed uint64
	// Count is the exact number of records to produce.
	Count int
	// Today is the reference date for ages: no date in the output is
	// after it. Zero means DefaultToday, never the wall clock. It must be
	// a full date from 2000 on.
	Today registry.Date
}

// Generator produces synthetic register records. It is not safe for
// concurrent use; run one Generator per goroutine (with different seeds)
// to generate in parallel.
type Generator struct {
	cfg    Config
	r      rng
	today  day
	cutoff day // deaths before it are not in the register
	reform day // 2025-07-01: births from then on are registered in 2025 units

	names  *nameTables
	places *places
	blood  alias

	pids    *pidCounters
	phones  phoneCounter
	oldIDs  *oldIDCounters
	emails  uint64
	emitted int

	rootYears alias

	c        cluster
	out      []registry.Record // the current cluster's records, in output order
	pos      int
	buf      []byte
	addrs    []string // the current cluster's household addresses
	housePre []bool   // whether each is in pre-2025 units
}

// New returns a Generator of cfg.Count records over the units of dir.
func New(dir *adminunit.Directory, cfg Config) (*Generator, error) {
	if dir == nil {
		return nil, fmt.Errorf("%w: no administrative units", ErrBadConfig)
	}
	if cfg.Count < 0 || cfg.Count > MaxCount {
		return nil, fmt.Errorf("%w: count %d outside 0–%d", ErrBadConfig, cfg.Count, MaxCount)
	}
	if cfg.Today.IsZero() {
		cfg.Today = DefaultToday
	}
	if err := cfg.Today.Validate(); err != nil || !cfg.Today.Full() || cfg.Today.Year < 2000 || cfg.Today.Year > 2099 {
		return nil, fmt.Errorf("%w: today %s must be a full date in 2000–2099", ErrBadConfig, cfg.Today)
	}
	pl, err := loadPlaces(dir)
	if err != nil {
		return nil, err
	}
	names, err := loadNames(pl.ethnicShare)
	if err != nil {
		return nil, err
	}
	g := &Generator{
		cfg:       cfg,
		r:         newRNG(cfg.Seed),
		today:     dayOfDate(cfg.Today),
		cutoff:    dayOf(deathCutoffYear, 1, 1),
		reform:    dayOf(2025, 7, 1),
		names:     names,
		places:    pl,
		blood:     newAlias(bloodTypeWeights),
		rootYears: newAlias(rootBirthYears),
		pids:      &pidCounters{seed: splitmix(cfg.Seed ^ 0x1)},
		phones:    newPhoneCounter(splitmix(cfg.Seed ^ 0x2)),
		oldIDs:    &oldIDCounters{seed: splitmix(cfg.Seed ^ 0x3)},
		buf:       make([]byte, 0, 256),
	}
	return g, nil
}

// Next returns the next record, or false after Count records. Records come
// household by household, the head's row first, then the other members;
// deceased people (no household) may come between households.
func (g *Generator) Next() (registry.Record, bool) {
	if g.emitted >= g.cfg.Count {
		return registry.Record{}, false
	}
	for g.pos >= len(g.out) {
		g.out = g.out[:0]
		g.pos = 0
		g.buildCluster()
		g.writeCluster()
	}
	rec := g.out[g.pos]
	g.out[g.pos] = registry.Record{} // let the strings go once returned
	g.pos++
	g.emitted++
	return rec, true
}
