package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"dancu/internal/reconcile/fellegi"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
)

// Config is one reconciliation run.
type Config struct {
	// Dataset names the dataset; officers' decisions are kept per dataset
	// and record key.
	Dataset string
	// Open opens the dataset; it is read twice, a sample to fit the model
	// and then whole.
	Open func() (io.ReadCloser, error)
	// Input tells how to read the file (columns, format, date format).
	Input input.Options
	// MaxPerCitizen flags records beyond the first N of one citizen
	// (over_limit); 0 for no limit.
	MaxPerCitizen int
	// AsOf is the date the dataset describes (for "live"); zero for today.
	AsOf registry.Date
	// Thresholds on the match probability; zero for the defaults.
	Thresholds fellegi.Thresholds
	// PriorNone is the share of records assumed to name no citizen of the
	// register (default DefaultPriorNone); see Matcher.decide.
	PriorNone float64
	// SampleSize is how many records the model is fitted on (default
	// DefaultSampleSize).
	SampleSize int
	// Reveal lists the fields whose register values a linked record's
	// corrections may show (the agency's scope); empty for none.
	Reveal []string
	// Decisions are officers' earlier decisions; nil for none.
	Decisions Decisions
	// Workers is how many records are matched at once (default
	// GOMAXPROCS).
	Workers int
	// Seed seeds the drawing of random pairs (default 1): a run is
	// repeatable.
	Seed uint64
	// Progress, if set, is told the bytes of the file read so far and the
	// records done, every batch.
	Progress func(bytes, records int64)
	// Sink receives every outcome, in the file's order.
	Sink func(*Outcome) error
}

// Defaults of Config.
const (
	DefaultSampleSize = 100_000
	// DefaultPriorNone assumes one record in ten names no citizen: more
	// than real datasets hold, so that links err on the side of review.
	DefaultPriorNone = 0.1
	// randomPairsPerRecord is how many random citizens each sample record
	// is compared with to estimate u.
	randomPairsPerRecord = 4
	batchSize            = 512
)

// Fit fits the model on a sample of the dataset: u from random pairs
// (record, citizen), which are non-matches but for a negligible share;
// then λ and m by EM on the candidate pairs blocking finds, u held fixed.
func Fit(ctx context.Context, reg *Register, cfg *Config) (*fellegi.Params, error) {
	if reg.Len() == 0 {
		return nil, errors.New("fit the model: the register is empty")
	}
	f, err := cfg.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := input.NewReader(f, cfg.Input)
	if err != nil {
		return nil, err
	}
	cfg.fill()
	size := cfg.SampleSize
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7265636f6e63696c))
	m := &Matcher{reg: reg}
	var s scratch
	var pairs, random fellegi.Counts
	for n := 0; n < size; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if rec.Invalid {
			continue
		}
		reg.prepare(&rec, &s.prep)
		for range randomPairsPerRecord {
			random.Add(reg.compare(&s.prep, &reg.people[rng.IntN(reg.Len())]), 1)
		}
		s.who = m.candidates(&s.prep, s.who[:0], &s)
		for _, who := range s.who {
			pairs.Add(reg.compare(&s.prep, &reg.people[who]), 1)
		}
	}
	if pairs.Total() == 0 {
		// No record of the sample resembles a citizen (an unreadable file,
		// the wrong columns, a list of strangers): nothing to learn from,
		// and nothing a model could link. The run goes on with prior
		// guesses, so that the report lists every record and its errors.
		return priorParams(&random)
	}
	u, err := fellegi.EstimateU(model, &random)
	if err != nil {
		return nil, fmt.Errorf("fit the model: %w", err)
	}
	params, err := fellegi.Estimate(model, &pairs, fellegi.Options{U: u, FixU: true})
	if errors.Is(err, fellegi.ErrNotConverged) {
		err = nil // the parameters are usable, only not to the last digit
	}
	if err != nil {
		return nil, fmt.Errorf("fit the model: %w", err)
	}
	return params, nil
}

// fill sets the settings left zero to their defaults. Fit, Match and Run
// each call it (it is idempotent), so that the defaults are decided here
// only.
func (c *Config) fill() {
	if c.SampleSize <= 0 {
		c.SampleSize = DefaultSampleSize
	}
	if c.Thresholds == (fellegi.Thresholds{}) {
		c.Thresholds = fellegi.DefaultThresholds()
	}
	if c.PriorNone <= 0 || c.PriorNone >= 1 {
		c.PriorNone = DefaultPriorNone
	}
	if c.AsOf.IsZero() {
		c.AsOf = registry.DateOf(time.Now())
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
}

// batch is a run of consecutive records.
type batch struct {
	seq      int
	records  []input.Record
	outcomes []Outcome
	bytes    int64
}

// Match reads the whole dataset and matches every record with params,
// handing the outcomes to cfg.Sink in the file's order. Records are
// matched on every core; reading and the sink run on one goroutine each.
func Match(ctx context.Context, reg *Register, params *fellegi.Params, cfg *Config) error {
	f, err := cfg.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	counter := &countingReader{r: f}
	rd, err := input.NewReader(counter, cfg.Input)
	if err != nil {
		return err
	}
	cfg.fill()
	m := &Matcher{reg: reg, params: params, thresholds: cfg.Thresholds, decisions: cfg.Decisions,
		prior: priorLogOdds(cfg.PriorNone, reg.Len())}
	workers := cfg.Workers
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	todo := make(chan *batch, workers*2)
	done := make(chan *batch, workers*2)
	free := sync.Pool{New: func() any { return &batch{} }}
	var readErr error
	go func() { // the reader
		defer close(todo)
		for seq := 0; ; seq++ {
			b := free.Get().(*batch)
			b.seq, b.records = seq, b.records[:0]
			for len(b.records) < batchSize {
				rec, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					readErr = err
					break
				}
				b.records = append(b.records, rec)
			}
			b.bytes = counter.n
			if len(b.records) > 0 {
				select {
				case todo <- b:
				case <-ctx.Done():
					return
				}
			}
			if len(b.records) < batchSize || readErr != nil {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s scratch
			for b := range todo {
				b.outcomes = b.outcomes[:0]
				for i := range b.records {
					b.outcomes = append(b.outcomes, m.Match(b.records[i], &s))
				}
				select {
				case done <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	// The sink, in order.
	pending := map[int]*batch{}
	next := 0
	var records int64
	var sinkErr error
	for b := range done {
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			for i := range b.outcomes {
				if sinkErr == nil {
					sinkErr = cfg.Sink(&b.outcomes[i])
				}
			}
			records += int64(len(b.outcomes))
			if cfg.Progress != nil {
				cfg.Progress(b.bytes, records)
			}
			free.Put(b)
			if sinkErr != nil {
				cancel(sinkErr)
			}
		}
	}
	if sinkErr != nil {
		return sinkErr
	}
	if readErr != nil {
		return readErr
	}
	return context.Cause(ctx)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Run fits the model, matches every record and summarises the run. The
// outcomes go to cfg.Sink as they come (with duplicates and limits
// filled in), and the summary is returned.
func Run(ctx context.Context, reg *Register, cfg Config) (*Report, error) {
	start := time.Now()
	cfg.fill()
	params, err := Fit(ctx, reg, &cfg)
	if err != nil {
		return nil, err
	}
	fitted := time.Since(start)
	rep := newReport(reg, &cfg, params)
	sink := cfg.Sink
	cfg.Sink = func(o *Outcome) error {
		rep.add(o)
		if sink != nil {
			return sink(o)
		}
		return nil
	}
	if err := Match(ctx, reg, params, &cfg); err != nil {
		return nil, err
	}
	rep.finish(start, fitted)
	return rep, nil
}

// priorLogOdds is the prior log2 odds that a record is a given one of n
// citizens when a share none of the records is none of them.
func priorLogOdds(none float64, n int) float64 {
	return math.Log2((1 - none) / (none * float64(max(n, 1))))
}

// priorParams are the parameters of a run whose sample holds no candidate
// pair: u from the random pairs if there are any, else even; m 0.9 on
// each field's exact level and the rest shared evenly.
func priorParams(random *fellegi.Counts) (*fellegi.Params, error) {
	even := func(exactShare float64) fellegi.Probabilities {
		p := make(fellegi.Probabilities, len(model.Fields))
		for i, f := range model.Fields {
			p[i] = make([]float64, len(f.Levels))
			n := len(f.Levels) - 1
			for l := 1; l <= n; l++ {
				switch {
				case exactShare == 0:
					p[i][l] = 1 / float64(n)
				case l == f.Exact:
					p[i][l] = exactShare
				default:
					p[i][l] = (1 - exactShare) / float64(n-1)
				}
			}
		}
		return p
	}
	u := even(0)
	if random.Total() > 0 {
		if est, err := fellegi.EstimateU(model, random); err == nil {
			u = est
		}
	}
	return fellegi.NewParams(model, 0.5, even(0.9), u)
}
