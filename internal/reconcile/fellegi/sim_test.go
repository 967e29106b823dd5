package fellegi_test

import (
	"math/rand/v2"

	"dancu/internal/reconcile/fellegi"
)

// truth is a known model and its parameters, from which tests draw pairs.
type truth struct {
	model   fellegi.Model
	lambda  float64
	m, u    fellegi.Probabilities
	missing []float64 // per field, the share of pairs where it is missing
}

// fiveFields is a model like the reconciliation job's: names, date of
// birth, gender and phone, with 2 to 4 non-missing levels each.
func fiveFields(lambda float64) truth {
	return truth{
		model: fellegi.Model{Fields: []fellegi.Field{
			{Name: "family_name", Levels: []string{"missing", "different", "similar", "exact"}, Exact: 3},
			{Name: "given_name", Levels: []string{"missing", "different", "exact"}, Exact: 2},
			{Name: "birth_date", Levels: []string{"missing", "different", "exact", "same_year"}, Exact: 2},
			{Name: "gender", Levels: []string{"missing", "same", "different"}, Exact: 1},
			{Name: "phone", Levels: []string{"missing", "different", "same_prefix", "same_last_6", "exact"}, Exact: 4},
		}},
		lambda: lambda,
		m: fellegi.Probabilities{
			{0, 0.03, 0.07, 0.90},
			{0, 0.05, 0.95},
			{0, 0.02, 0.90, 0.08},
			{0, 0.98, 0.02},
			{0, 0.20, 0.05, 0.05, 0.70},
		},
		u: fellegi.Probabilities{
			{0, 0.85, 0.10, 0.05},
			{0, 0.97, 0.03},
			{0, 0.90, 0.005, 0.095},
			{0, 0.50, 0.50},
			{0, 0.80, 0.19, 0.0099, 0.0001},
		},
		missing: []float64{0.01, 0.01, 0.05, 0.02, 0.30},
	}
}

// simulate draws n pairs and returns their pattern counts, all together
// and split into matches and non-matches.
func (t truth) simulate(seed uint64, n int) (all, matches, nonMatches *fellegi.Counts) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	all, matches, nonMatches = new(fellegi.Counts), new(fellegi.Counts), new(fellegi.Counts)
	for range n {
		isMatch := rng.Float64() < t.lambda
		probs := t.u
		if isMatch {
			probs = t.m
		}
		var p fellegi.Pattern
		for i, row := range probs {
			if rng.Float64() < t.missing[i] {
				continue
			}
			p = p.With(i, draw(rng, row))
		}
		all.Add(p, 1)
		if isMatch {
			matches.Add(p, 1)
		} else {
			nonMatches.Add(p, 1)
		}
	}
	return all, matches, nonMatches
}

// draw returns a level l ≥ 1 with probability row[l].
func draw(rng *rand.Rand, row []float64) int {
	x := rng.Float64()
	for l := 1; l < len(row); l++ {
		x -= row[l]
		if x < 0 {
			return l
		}
	}
	return len(row) - 1
}

// params returns the true parameters.
func (t truth) params() *fellegi.Params {
	p, err := fellegi.NewParams(t.model, t.lambda, t.m, t.u)
	if err != nil {
		panic(err)
	}
	return p
}
