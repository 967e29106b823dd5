package fellegi_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"dancu/internal/reconcile/fellegi"
)

// EM recovers λ, m and u from a million pairs drawn from known
// parameters, and the default thresholds then link with the precision
// they promise.
func TestEstimateRecoversParameters(t *testing.T) {
	for _, lambda := range []float64{0.01, 0.03, 0.05} {
		t.Run(fmt.Sprint(lambda), func(t *testing.T) {
			tr := fiveFields(lambda)
			all, matches, nonMatches := tr.simulate(uint64(lambda*1000), 1_000_000)
			p, err := fellegi.Estimate(tr.model, all, fellegi.Options{})
			if err != nil {
				t.Fatal(err)
			}
			fit := p.Fit()
			t.Logf("λ %.5f (true %.2f), %d patterns, %d iterations, log-likelihood %.1f",
				p.Lambda(), lambda, fit.Patterns, fit.Iterations, fit.LogLikelihood)
			if !fit.Converged || fit.Pairs != 1_000_000 || fit.Patterns != all.Len() {
				t.Fatalf("fit %+v", fit)
			}
			if rel := math.Abs(p.Lambda()-lambda) / lambda; rel > 0.03 {
				t.Errorf("λ %v, want %v (off by %.1f%%)", p.Lambda(), lambda, 100*rel)
			}
			// m rests on 10,000 to 50,000 matches, u on nearly a million
			// non-matches: hence the tolerances.
			within(t, "m", p.M(), tr.m, 0.015)
			within(t, "u", p.U(), tr.u, 0.002)

			links, falseLinks := 0.0, 0.0
			th := fellegi.DefaultThresholds()
			for pat, n := range all.All() {
				if th.Classify(p.MatchProbability(p.Weight(pat))) == fellegi.Link {
					links += float64(n)
					falseLinks += float64(nonMatches.Get(pat))
				}
			}
			t.Logf("%.0f links, %.0f false, recall %.3f", links, falseLinks, (links-falseLinks)/float64(matches.Total()))
			if links == 0 || falseLinks/links > 1e-3 {
				t.Errorf("%.0f false links out of %.0f", falseLinks, links)
			}
		})
	}
}

// within fails t unless every non-missing level of got is within tol of
// want.
func within(t *testing.T, name string, got, want fellegi.Probabilities, tol float64) {
	t.Helper()
	for i := range want {
		for l := 1; l < len(want[i]); l++ {
			if d := math.Abs(got[i][l] - want[i][l]); d > tol {
				t.Errorf("%s[%d][%d] = %.4f, want %.4f", name, i, l, got[i][l], want[i][l])
			}
		}
	}
}

// Holding u at its value from random pairs, EM estimates λ and m, starting
// from m of pairs known to match.
func TestEstimateFixedU(t *testing.T) {
	tr := fiveFields(0.02)
	random, _, _ := fiveFields(0).simulate(7, 200_000)
	u, err := fellegi.EstimateU(tr.model, random)
	if err != nil {
		t.Fatal(err)
	}
	_, known, _ := fiveFields(1).simulate(8, 2_000)
	m, err := fellegi.EstimateM(tr.model, known)
	if err != nil {
		t.Fatal(err)
	}
	all, _, _ := tr.simulate(9, 500_000)
	p, err := fellegi.Estimate(tr.model, all, fellegi.Options{M: m, U: u, FixU: true})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Fit().FixedU {
		t.Error("fit does not say u was fixed")
	}
	got := p.U()
	for i := range u {
		for l := range u[i] {
			if got[i][l] != u[i][l] {
				t.Errorf("u[%d][%d] moved from %v to %v", i, l, u[i][l], got[i][l])
			}
		}
	}
	if rel := math.Abs(p.Lambda()-0.02) / 0.02; rel > 0.05 {
		t.Errorf("λ %v, want 0.02", p.Lambda())
	}
	within(t, "m", p.M(), tr.m, 0.02)
}

// EstimateU and EstimateM are level frequencies among non-missing
// comparisons; a level never seen gets the floor and a field never
// compared a uniform distribution.
func TestEstimateFrequencies(t *testing.T) {
	model := fellegi.Model{Fields: []fellegi.Field{
		{Name: "a", Levels: []string{"missing", "no", "yes", "never"}, Exact: 2},
		{Name: "b", Levels: []string{"missing", "no", "yes"}, Exact: 2},
	}}
	var c fellegi.Counts
	c.Add(pattern(t, model, 1, 0), 30)
	c.Add(pattern(t, model, 2, 0), 10)
	c.Add(pattern(t, model, 0, 0), 1000) // tells nothing
	for _, estimate := range []func(fellegi.Model, *fellegi.Counts) (fellegi.Probabilities, error){fellegi.EstimateU, fellegi.EstimateM} {
		p, err := estimate(model, &c)
		if err != nil {
			t.Fatal(err)
		}
		f := fellegi.DefaultFloor
		want := fellegi.Probabilities{{0, 0.75 * (1 - f), 0.25 * (1 - f), f}, {0, 0.5, 0.5}}
		within(t, "p", p, want, 1e-12)
	}
	if _, err := fellegi.EstimateU(model, new(fellegi.Counts)); !errors.Is(err, fellegi.ErrNoPairs) {
		t.Errorf("no pairs: %v", err)
	}
}

// A field missing from every pair does not disturb the others, and its
// weights stay finite.
func TestEstimateAllMissingField(t *testing.T) {
	tr := fiveFields(0.03)
	tr.missing[1] = 1
	all, _, _ := tr.simulate(3, 300_000)
	p, err := fellegi.Estimate(tr.model, all, fellegi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rel := math.Abs(p.Lambda()-0.03) / 0.03; rel > 0.05 {
		t.Errorf("λ %v, want 0.03", p.Lambda())
	}
	m, u := p.M(), p.U()
	for i := range tr.m {
		for l := 1; l < len(tr.m[i]); l++ {
			if w := p.LevelWeight(i, l); math.IsNaN(w) || math.IsInf(w, 0) {
				t.Errorf("weight[%d][%d] = %v", i, l, w)
			}
			if i == 1 {
				continue
			}
			if math.Abs(m[i][l]-tr.m[i][l]) > 0.03 || math.Abs(u[i][l]-tr.u[i][l]) > 0.005 {
				t.Errorf("field %d level %d: m %.4f u %.4f, want %.4f %.4f", i, l, m[i][l], u[i][l], tr.m[i][l], tr.u[i][l])
			}
		}
	}
}

// A level never seen in a class keeps a probability at the floor, so its
// weight is large but finite.
func TestEstimateFloor(t *testing.T) {
	tr := fiveFields(0.05)
	tr.m[4] = []float64{0, 0, 0.3, 0, 0.7} // matches never have a different phone
	tr.u[3] = []float64{0, 0, 1}           // nor non-matches the same gender (!)
	all, _, _ := tr.simulate(4, 200_000)
	for _, floor := range []float64{0, 1e-4} {
		p, err := fellegi.Estimate(tr.model, all, fellegi.Options{Floor: floor})
		if err != nil {
			t.Fatal(err)
		}
		if floor == 0 {
			floor = fellegi.DefaultFloor
		}
		m, u := p.M(), p.U()
		for i := range m {
			sumM, sumU := 0.0, 0.0
			for l := 1; l < len(m[i]); l++ {
				if m[i][l] < floor*(1-1e-12) || u[i][l] < floor*(1-1e-12) {
					t.Errorf("floor %v: field %d level %d: m %v u %v", floor, i, l, m[i][l], u[i][l])
				}
				if w := p.LevelWeight(i, l); math.IsNaN(w) || math.IsInf(w, 0) {
					t.Errorf("weight[%d][%d] = %v", i, l, w)
				}
				sumM += m[i][l]
				sumU += u[i][l]
			}
			if math.Abs(sumM-1) > 1e-12 || math.Abs(sumU-1) > 1e-12 {
				t.Errorf("field %d: m sums to %v, u to %v", i, sumM, sumU)
			}
		}
		if w := p.LevelWeight(4, 1); w > math.Log2(2*floor) || w < math.Log2(floor)-1 {
			t.Errorf("floor %v: a different phone weighs %v", floor, w)
		}
	}
}

// Running out of iterations returns the parameters reached and
// ErrNotConverged.
func TestEstimateNotConverged(t *testing.T) {
	tr := fiveFields(0.02)
	all, _, _ := tr.simulate(5, 50_000)
	p, err := fellegi.Estimate(tr.model, all, fellegi.Options{MaxIterations: 2})
	if !errors.Is(err, fellegi.ErrNotConverged) || p == nil || p.Fit().Iterations != 2 || p.Fit().Converged {
		t.Fatalf("params %v, error %v", p, err)
	}
}

// Starting values that take disagreement for a match lead EM to a class
// that is not the matches, and Estimate says so.
func TestEstimateNoMatchClass(t *testing.T) {
	tr := fiveFields(0.02)
	all, _, _ := fiveFields(0).simulate(6, 100_000) // no matches at all
	backwards := fellegi.Probabilities{
		{0, 0.98, 0.01, 0.01},
		{0, 0.99, 0.01},
		{0, 0.98, 0.01, 0.01},
		{0, 0.01, 0.99},
		{0, 0.97, 0.01, 0.01, 0.01},
	}
	p, err := fellegi.Estimate(tr.model, all, fellegi.Options{M: backwards, Lambda: 0.3})
	if !errors.Is(err, fellegi.ErrNoMatchClass) || p != nil {
		t.Fatalf("params %v, error %v", p, err)
	}
}

// Bad input is refused with an error, never a panic.
func TestEstimateInvalid(t *testing.T) {
	tr := fiveFields(0.02)
	all, _, _ := tr.simulate(1, 1000)
	bad := func(f func(*fellegi.Options)) fellegi.Options {
		var o fellegi.Options
		f(&o)
		return o
	}
	outOfRange := new(fellegi.Counts)
	outOfRange.Add(fellegi.Pattern(0).With(1, 3), 5) // given_name has no level 3
	extraField := new(fellegi.Counts)
	extraField.Add(fellegi.Pattern(0).With(5, 1), 5)
	noExact := fellegi.Model{Fields: []fellegi.Field{{Name: "a", Levels: []string{"missing", "x", "y"}}}}
	noExactCounts := new(fellegi.Counts)
	noExactCounts.Add(1, 3)
	tests := []struct {
		name   string
		model  fellegi.Model
		counts *fellegi.Counts
		opts   fellegi.Options
		want   error
	}{
		{"empty model", fellegi.Model{}, all, fellegi.Options{}, fellegi.ErrInvalidModel},
		{"no pairs", tr.model, new(fellegi.Counts), fellegi.Options{}, fellegi.ErrNoPairs},
		{"nil counts", tr.model, nil, fellegi.Options{}, fellegi.ErrNoPairs},
		{"level out of range", tr.model, outOfRange, fellegi.Options{}, fellegi.ErrInvalidPattern},
		{"field out of range", tr.model, extraField, fellegi.Options{}, fellegi.ErrInvalidPattern},
		{"lambda", tr.model, all, fellegi.Options{Lambda: 1}, fellegi.ErrInvalidParams},
		{"floor", tr.model, all, fellegi.Options{Floor: 0.5}, fellegi.ErrInvalidParams},
		{"tolerance", tr.model, all, fellegi.Options{Tolerance: -1}, fellegi.ErrInvalidParams},
		{"fix u without u", tr.model, all, fellegi.Options{FixU: true}, fellegi.ErrInvalidParams},
		{"m shape", tr.model, all, bad(func(o *fellegi.Options) { o.M = tr.m[:2] }), fellegi.ErrInvalidParams},
		{"u value", tr.model, all, bad(func(o *fellegi.Options) {
			o.U = fellegi.Probabilities{{0, 1, 0, 0}, {0, 2, 0}, {0, 1, 0, 0}, {0, 1, 0}, {0, 1, 0, 0, 0}}
		}), fellegi.ErrInvalidParams},
		{"no exact level", noExact, noExactCounts, fellegi.Options{}, fellegi.ErrInvalidParams},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := fellegi.Estimate(tt.model, tt.counts, tt.opts)
			if !errors.Is(err, tt.want) || p != nil {
				t.Fatalf("params %v, error %v, want %v", p, err, tt.want)
			}
		})
	}
}

// BenchmarkEstimate fits a six-field model to 1,000 distinct patterns.
func BenchmarkEstimate(b *testing.B) {
	model, counts := thousandPatterns()
	if counts.Len() != 1000 {
		b.Fatalf("%d patterns", counts.Len())
	}
	var iterations int
	for b.Loop() {
		p, err := fellegi.Estimate(model, counts, fellegi.Options{})
		if err != nil {
			b.Fatal(err)
		}
		iterations = p.Fit().Iterations
	}
	b.ReportMetric(float64(iterations), "iterations")
}

// thousandPatterns returns a model of 5×5×5×4×2 = 1,000 patterns and
// their expected counts among a million pairs, 2 % of them matches.
func thousandPatterns() (fellegi.Model, *fellegi.Counts) {
	lv := func(n int) []string {
		s := []string{"missing"}
		for l := 1; l < n; l++ {
			s = append(s, fmt.Sprint("level_", l))
		}
		return s
	}
	model := fellegi.Model{Fields: []fellegi.Field{
		{Name: "a", Levels: lv(5), Exact: 4},
		{Name: "b", Levels: lv(5), Exact: 4},
		{Name: "c", Levels: lv(5), Exact: 4},
		{Name: "d", Levels: lv(4), Exact: 3},
		{Name: "e", Levels: lv(2), Exact: 1},
	}}
	m := [][]float64{
		{0.1, 0.02, 0.03, 0.05, 0.8},
		{0.1, 0.02, 0.03, 0.05, 0.8},
		{0.1, 0.02, 0.03, 0.05, 0.8},
		{0.1, 0.05, 0.05, 0.8},
		{0.1, 0.9},
	}
	u := [][]float64{
		{0.1, 0.7, 0.15, 0.1, 0.05},
		{0.1, 0.6, 0.2, 0.15, 0.05},
		{0.1, 0.8, 0.1, 0.05, 0.05},
		{0.1, 0.6, 0.3, 0.1},
		{0.1, 0.9},
	}
	// Level 0 holds the share missing here, and e is always missing or
	// exact, so that its column still yields two patterns.
	counts := new(fellegi.Counts)
	var walk func(i int, p fellegi.Pattern, pm, pu float64)
	walk = func(i int, p fellegi.Pattern, pm, pu float64) {
		if i == len(model.Fields) {
			counts.Add(p, 1+int64(1e6*(0.02*pm+0.98*pu)))
			return
		}
		for l := range model.Fields[i].Levels {
			walk(i+1, p.With(i, l), pm*m[i][l], pu*u[i][l])
		}
	}
	walk(0, 0, 1, 1)
	return model, counts
}
