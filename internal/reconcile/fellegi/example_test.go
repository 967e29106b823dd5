package fellegi_test

import (
	"fmt"

	"dancu/internal/reconcile/fellegi"
)

func Example() {
	model := fellegi.Model{Fields: []fellegi.Field{
		{Name: "full_name", Levels: []string{"missing", "different", "similar", "exact"}, Exact: 3},
		{Name: "birth_date", Levels: []string{"missing", "different", "exact"}, Exact: 2},
		{Name: "phone", Levels: []string{"missing", "different", "exact"}, Exact: 2},
	}}
	// In the job these come from Estimate on the pairs' pattern counts.
	p, err := fellegi.NewParams(model, 0.02,
		fellegi.Probabilities{{0, 0.03, 0.07, 0.90}, {0, 0.05, 0.95}, {0, 0.30, 0.70}},
		fellegi.Probabilities{{0, 0.90, 0.09, 0.01}, {0, 0.995, 0.005}, {0, 0.9999, 0.0001}})
	if err != nil {
		panic(err)
	}
	th := fellegi.DefaultThresholds()
	for _, c := range []struct {
		levels    []int
		frequency float64 // of the full name both records carry
	}{
		{[]int{3, 2, 2}, 0.001},
		{[]int{3, 2, 0}, 0.001},   // no phone on the agency's record
		{[]int{3, 2, 0}, 0.00002}, // a rare name
		{[]int{3, 1, 2}, 0.001},   // a relative sharing the phone?
	} {
		pat, err := model.Pattern(c.levels...)
		if err != nil {
			panic(err)
		}
		w := p.AdjustedWeight(pat, 0, c.frequency)
		prob := p.MatchProbability(w)
		fmt.Printf("%v: weight %+.1f, probability %.5f, %s\n", c.levels, w, prob, th.Classify(prob))
	}
	// Output:
	// [3 2 2]: weight +30.2, probability 1.00000, link
	// [3 2 0]: weight +17.4, probability 0.99971, review
	// [3 2 0]: weight +23.0, probability 0.99999, link
	// [3 1 2]: weight +18.3, probability 0.99985, review
}
