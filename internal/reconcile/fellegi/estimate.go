package fellegi

import (
	"errors"
	"fmt"
	"math"
)

// Defaults of Options, chosen for the reconciliation job's data: a few
// hundred distinct patterns, 1 to 5 % matches among candidate pairs.
const (
	// DefaultStartLambda is the starting share of matches: low, as after
	// blocking most candidate pairs are still non-matches.
	DefaultStartLambda = 0.01
	// DefaultStartExactM is the starting m of a field's exact level; the
	// rest of the field's m is shared evenly by its other levels.
	DefaultStartExactM = 0.9
	// DefaultMaxIterations bounds EM. An iteration over a few hundred
	// patterns takes microseconds, so the bound is generous.
	DefaultMaxIterations = 1000
	// DefaultTolerance: EM stops when no parameter (λ, any m or u) moved
	// by more than this in an iteration.
	DefaultTolerance = 1e-8
	// DefaultFloor is the least value of any m or u (and of λ and 1-λ),
	// so that every weight stays finite: a level never seen among
	// matches weighs at most log2(1e-6) ≈ -20, strong evidence but not
	// an infinite veto.
	DefaultFloor = 1e-6
	// maxFloor keeps floors meaningful: with 15 levels, 15 × 0.01 still
	// leaves room for the data.
	maxFloor = 0.01
)

// Estimation errors callers may branch on.
var (
	// ErrNoPairs: the counts are empty.
	ErrNoPairs = errors.New("no pairs to estimate from")
	// ErrNotConverged comes with usable but unconverged parameters.
	ErrNotConverged = errors.New("EM did not converge")
	// ErrNoMatchClass: EM ended with a "match" class that agrees less on
	// the exact levels than the non-match class does, from data holding
	// too few matches or from misleading starting values. The parameters
	// must not be used for linking.
	ErrNoMatchClass = errors.New("EM found no class of matches")
	// ErrInvalidParams reports parameters of the wrong shape or out of
	// range.
	ErrInvalidParams = errors.New("invalid parameters")
)

// Probabilities holds one probability per field and level, indexed
// [field][level] like Model.Fields and Field.Levels. Level 0 (missing) is
// not part of the distribution and holds 0; each field's other levels sum
// to 1.
type Probabilities [][]float64

// clone returns a deep copy.
func (p Probabilities) clone() Probabilities {
	c := make(Probabilities, len(p))
	for i, row := range p {
		c[i] = append([]float64(nil), row...)
	}
	return c
}

// check reports whether p fits model and each row is a distribution over
// the non-missing levels (within 1e-6), every value in (0, 1].
func (p Probabilities) check(model Model, name string) error {
	if len(p) != len(model.Fields) {
		return fmt.Errorf("%w: %s has %d fields, the model %d", ErrInvalidParams, name, len(p), len(model.Fields))
	}
	for i, row := range p {
		f := model.Fields[i]
		if len(row) != len(f.Levels) {
			return fmt.Errorf("%w: %s of field %q has %d levels, want %d", ErrInvalidParams, name, f.Name, len(row), len(f.Levels))
		}
		sum := 0.0
		for l, v := range row[1:] {
			if !(v > 0 && v <= 1) {
				return fmt.Errorf("%w: %s of field %q level %d is %v, want (0, 1]", ErrInvalidParams, name, f.Name, l+1, v)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-6 {
			return fmt.Errorf("%w: %s of field %q sums to %v, want 1", ErrInvalidParams, name, f.Name, sum)
		}
	}
	return nil
}

// Options tunes Estimate. The zero value uses the defaults.
type Options struct {
	// Lambda is the starting share of matches among the pairs, in (0, 1);
	// 0 means DefaultStartLambda.
	Lambda float64
	// M is the starting m, e.g. from EstimateM on pairs known to match;
	// nil means DefaultStartExactM on each field's exact level and the
	// rest shared evenly.
	M Probabilities
	// U is the starting u, e.g. from EstimateU on random pairs; nil means
	// the level frequencies of the counts being estimated from (most
	// pairs are non-matches, so these are close to u).
	U Probabilities
	// FixU holds u at U (which must then be set) and lets EM estimate
	// only λ and m. u from random pairs, which are non-matches with near
	// certainty, is more reliable than EM's u.
	FixU bool
	// MaxIterations bounds EM; 0 means DefaultMaxIterations.
	MaxIterations int
	// Tolerance stops EM when no parameter moves more than this; 0 means
	// DefaultTolerance.
	Tolerance float64
	// Floor is the least value of any m, u, λ and 1-λ, at most 0.01; 0
	// means DefaultFloor.
	Floor float64
}

// Fit describes how the parameters were estimated.
type Fit struct {
	// Iterations is the number of EM iterations run.
	Iterations int `json:"iterations"`
	// Converged tells whether EM stopped within the tolerance.
	Converged bool `json:"converged"`
	// LogLikelihood is the natural log of the likelihood of the counts
	// under the final parameters (missing fields left out).
	LogLikelihood float64 `json:"log_likelihood"`
	// Pairs and Patterns are the number of pairs and distinct patterns
	// estimated from.
	Pairs    int64 `json:"pairs"`
	Patterns int   `json:"patterns"`
	// FixedU tells whether u was held fixed.
	FixedU bool `json:"fixed_u"`
}

// Estimate fits λ, m and u to the counts by expectation-maximisation
// (see the package documentation). If EM runs out of iterations it
// returns the last parameters together with ErrNotConverged; if it ends
// with the classes the wrong way round (ErrNoMatchClass) or the input is
// invalid it returns no parameters.
func Estimate(model Model, counts *Counts, opts Options) (*Params, error) {
	if err := model.Validate(); err != nil {
		return nil, err
	}
	opts, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	data, err := compile(model, counts)
	if err != nil {
		return nil, err
	}
	floor := opts.Floor

	u := opts.U
	if u == nil {
		if opts.FixU {
			return nil, fmt.Errorf("%w: FixU without U", ErrInvalidParams)
		}
		u = data.frequencies(model)
	}
	if err := startValues(model, u, "u"); err != nil {
		return nil, err
	}
	m := opts.M
	if m == nil {
		if m, err = defaultM(model); err != nil {
			return nil, err
		}
	}
	if err := startValues(model, m, "m"); err != nil {
		return nil, err
	}
	m, u = m.clone(), u.clone()
	for i := range model.Fields {
		for _, row := range [][]float64{m[i], u[i]} {
			row[0] = 0
			normalize(row)
			floorRow(row, floor)
		}
	}
	lambda := clamp(opts.Lambda, floor, 1-floor)

	fit := Fit{Pairs: counts.Total(), Patterns: counts.Len(), FixedU: opts.FixU}
	nextM, nextU := zeroLike(m), zeroLike(u)
	for fit.Iterations < opts.MaxIterations {
		fit.Iterations++
		matched, _ := data.step(lambda, m, u, nextM, nextU, false)
		nextLambda := clamp(matched/data.total, floor, 1-floor)
		delta := math.Abs(nextLambda - lambda)
		lambda = nextLambda
		delta = math.Max(delta, update(m, nextM, floor))
		if !opts.FixU {
			delta = math.Max(delta, update(u, nextU, floor))
		}
		if delta < opts.Tolerance {
			fit.Converged = true
			break
		}
	}
	_, fit.LogLikelihood = data.step(lambda, m, u, nextM, nextU, true)

	if w, ok := data.exactWeight(model, m, u); ok && !(w > 0) {
		return nil, fmt.Errorf("%w: agreeing on every exact level weighs %.3g bits", ErrNoMatchClass, w)
	}
	p := newParams(model.clone(), lambda, m, u, fit)
	if !fit.Converged {
		return p, fmt.Errorf("%w after %d iterations", ErrNotConverged, fit.Iterations)
	}
	return p, nil
}

// EstimateU returns u estimated from pairs drawn at random (which are
// non-matches with near certainty): each field's level frequencies
// among its non-missing comparisons, floored at DefaultFloor. A field
// never compared gets the same probability on every level.
func EstimateU(model Model, randomPairs *Counts) (Probabilities, error) {
	return frequencies(model, randomPairs)
}

// EstimateM returns m estimated from pairs known to match, e.g. records
// linked by a verified personal identification number: each field's
// level frequencies among its non-missing comparisons, floored at
// DefaultFloor. A field never compared gets the same probability on every
// level.
func EstimateM(model Model, knownMatches *Counts) (Probabilities, error) {
	return frequencies(model, knownMatches)
}

// frequencies is EstimateU and EstimateM.
func frequencies(model Model, counts *Counts) (Probabilities, error) {
	if err := model.Validate(); err != nil {
		return nil, err
	}
	data, err := compile(model, counts)
	if err != nil {
		return nil, err
	}
	p := data.frequencies(model)
	for _, row := range p {
		floorRow(row, DefaultFloor)
	}
	return p, nil
}

// resolve fills in the defaults and checks the options.
func (o Options) resolve() (Options, error) {
	if o.Lambda == 0 {
		o.Lambda = DefaultStartLambda
	}
	if o.MaxIterations == 0 {
		o.MaxIterations = DefaultMaxIterations
	}
	if o.Tolerance == 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.Floor == 0 {
		o.Floor = DefaultFloor
	}
	switch {
	case !(o.Lambda > 0 && o.Lambda < 1):
		return o, fmt.Errorf("%w: starting lambda %v, want (0, 1)", ErrInvalidParams, o.Lambda)
	case o.MaxIterations < 0:
		return o, fmt.Errorf("%w: max iterations %d", ErrInvalidParams, o.MaxIterations)
	case !(o.Tolerance > 0):
		return o, fmt.Errorf("%w: tolerance %v", ErrInvalidParams, o.Tolerance)
	case !(o.Floor > 0 && o.Floor <= maxFloor):
		return o, fmt.Errorf("%w: floor %v, want (0, %v]", ErrInvalidParams, o.Floor, maxFloor)
	}
	return o, nil
}

// startValues checks the shape of starting values, which need not be
// floored nor normalised: each row is floored and normalised before use.
func startValues(model Model, p Probabilities, name string) error {
	if len(p) != len(model.Fields) {
		return fmt.Errorf("%w: starting %s has %d fields, the model %d", ErrInvalidParams, name, len(p), len(model.Fields))
	}
	for i, row := range p {
		f := model.Fields[i]
		if len(row) != len(f.Levels) {
			return fmt.Errorf("%w: starting %s of field %q has %d levels, want %d", ErrInvalidParams, name, f.Name, len(row), len(f.Levels))
		}
		for l, v := range row[1:] {
			if !(v >= 0 && v <= 1) {
				return fmt.Errorf("%w: starting %s of field %q level %d is %v", ErrInvalidParams, name, f.Name, l+1, v)
			}
		}
	}
	return nil
}

// defaultM puts DefaultStartExactM on each field's exact level and shares
// the rest evenly; a field without an exact level starts uniform. EM
// needs some field to start with m unlike u, or the two classes stay the
// same.
func defaultM(model Model) (Probabilities, error) {
	m := make(Probabilities, len(model.Fields))
	anyExact := false
	for i, f := range model.Fields {
		row := make([]float64, len(f.Levels))
		k := len(f.Levels) - 1
		for l := 1; l <= k; l++ {
			switch {
			case f.Exact == 0:
				row[l] = 1 / float64(k)
			case l == f.Exact:
				row[l] = DefaultStartExactM
			default:
				row[l] = (1 - DefaultStartExactM) / float64(k-1)
			}
		}
		if f.Exact != 0 {
			anyExact = true
			if k == 1 {
				row[f.Exact] = 1
			}
		}
		m[i] = row
	}
	if !anyExact {
		return nil, fmt.Errorf("%w: no field has an exact level, so starting m must be given", ErrInvalidParams)
	}
	return m, nil
}

// patterns is the counts compiled for EM: each distinct pattern's levels
// unpacked, and its count.
type patterns struct {
	fields int
	levels [][MaxFields]uint8
	n      []float64
	total  float64
}

// compile unpacks the counts in pattern order, checking each pattern
// against the model.
func compile(model Model, counts *Counts) (*patterns, error) {
	if counts == nil || counts.Total() == 0 {
		return nil, ErrNoPairs
	}
	d := &patterns{
		fields: len(model.Fields),
		levels: make([][MaxFields]uint8, 0, counts.Len()),
		n:      make([]float64, 0, counts.Len()),
	}
	for p, n := range counts.All() {
		if err := model.Check(p); err != nil {
			return nil, err
		}
		var lv [MaxFields]uint8
		for i := range d.fields {
			lv[i] = uint8(p.Level(i))
		}
		d.levels = append(d.levels, lv)
		d.n = append(d.n, float64(n))
		d.total += float64(n)
	}
	return d, nil
}

// frequencies returns each field's level frequencies among its
// non-missing comparisons, uniform for a field never compared.
func (d *patterns) frequencies(model Model) Probabilities {
	p := make(Probabilities, len(model.Fields))
	for i, f := range model.Fields {
		p[i] = make([]float64, len(f.Levels))
	}
	for k, lv := range d.levels {
		for i := range d.fields {
			p[i][lv[i]] += d.n[k]
		}
	}
	for _, row := range p {
		row[0] = 0
		normalize(row)
	}
	return p
}

// exactWeight returns the weight, in bits, of agreeing exactly on every
// field that has an exact level and was compared at least once; ok is
// false if there is no such field. A match class worth the name makes it
// positive.
func (d *patterns) exactWeight(model Model, m, u Probabilities) (w float64, ok bool) {
	var compared [MaxFields]bool
	for _, lv := range d.levels {
		for i := range d.fields {
			compared[i] = compared[i] || lv[i] != 0
		}
	}
	for i, f := range model.Fields {
		if f.Exact != 0 && compared[i] {
			w += math.Log2(m[i][f.Exact] / u[i][f.Exact])
			ok = true
		}
	}
	return w, ok
}

// step runs one E-step and the sums of the M-step: for the current λ, m
// and u it writes into nextM and nextU the new m and u (not yet floored)
// and returns the expected number of matches and, if asked for (it
// costs as much as the rest), the log-likelihood.
// A field at level 0 is left out of both classes' probabilities: missing
// values are taken to be missing at random, whatever the class.
func (d *patterns) step(lambda float64, m, u, nextM, nextU Probabilities, withLoglik bool) (matched, loglik float64) {
	var logM, logU [MaxFields][MaxLevels]float64
	for i := range d.fields {
		for l := 1; l < len(m[i]); l++ {
			logM[i][l] = math.Log(m[i][l])
			logU[i][l] = math.Log(u[i][l])
		}
	}
	for i := range d.fields {
		clear(nextM[i])
		clear(nextU[i])
	}
	logLambda, logNotLambda := math.Log(lambda), math.Log1p(-lambda)
	for k, lv := range d.levels {
		a, b := logLambda, logNotLambda
		for i := range d.fields {
			a += logM[i][lv[i]]
			b += logU[i][lv[i]]
		}
		// g is the posterior probability that a pair with this pattern
		// is a match; computed from the difference of the logs so that
		// neither side underflows.
		g := 1 / (1 + math.Exp(b-a))
		n := d.n[k]
		if withLoglik {
			loglik += n * (math.Max(a, b) + math.Log1p(math.Exp(-math.Abs(a-b))))
		}
		matched += n * g
		for i := range d.fields {
			nextM[i][lv[i]] += n * g
			nextU[i][lv[i]] += n * (1 - g)
		}
	}
	return matched, loglik
}

// update floors and normalises next into cur and returns the largest
// change. A field with no weight at all (never compared, or, for m, with
// no pair expected to match) keeps its current values.
func update(cur, next Probabilities, floor float64) float64 {
	delta := 0.0
	for i, row := range next {
		row[0] = 0
		if !normalize(row) {
			continue
		}
		floorRow(row, floor)
		for l := 1; l < len(row); l++ {
			delta = math.Max(delta, math.Abs(row[l]-cur[i][l]))
			cur[i][l] = row[l]
		}
	}
	return delta
}

// normalize scales row[1:] to sum 1, or makes it uniform if it sums to 0
// and reports false.
func normalize(row []float64) bool {
	sum := 0.0
	for _, v := range row[1:] {
		sum += v
	}
	if !(sum > 0) {
		for l := 1; l < len(row); l++ {
			row[l] = 1 / float64(len(row)-1)
		}
		return false
	}
	for l := 1; l < len(row); l++ {
		row[l] /= sum
	}
	return true
}

// floorRow turns row[1:], a distribution, into one with every value at
// least floor, taking the difference from the larger values in
// proportion. Values already at least floor and summing to 1 stay as
// they are, so that flooring twice changes nothing.
func floorRow(row []float64, floor float64) {
	k := len(row) - 1
	if float64(k)*floor >= 1 {
		for l := 1; l <= k; l++ {
			row[l] = 1 / float64(k)
		}
		return
	}
	// Each round pins the values below floor; scaling the others down
	// may push more below it, so repeat (at most k rounds).
	var pinned uint16
	for range k {
		n, rest := 0, 0.0
		for l := 1; l <= k; l++ {
			if pinned&(1<<l) != 0 || row[l] < floor {
				pinned |= 1 << l
				n++
			} else {
				rest += row[l]
			}
		}
		if n == 0 {
			return
		}
		scale := (1 - float64(n)*floor) / rest
		again := false
		for l := 1; l <= k; l++ {
			if pinned&(1<<l) != 0 {
				row[l] = floor
				continue
			}
			row[l] *= scale
			again = again || row[l] < floor
		}
		if !again {
			return
		}
	}
}

// zeroLike returns zeroed probabilities of p's shape.
func zeroLike(p Probabilities) Probabilities {
	z := make(Probabilities, len(p))
	for i, row := range p {
		z[i] = make([]float64, len(row))
	}
	return z
}

func clamp(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }
