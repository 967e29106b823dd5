package fellegi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"dancu/internal/reconcile/fellegi"
)

// A missing field adds nothing to the weight, and the contributions of
// Explain add up to it.
func TestWeightMissing(t *testing.T) {
	tr := fiveFields(0.02)
	p := tr.params()
	if w := p.Weight(0); w != 0 {
		t.Errorf("all missing weighs %v", w)
	}
	full := pattern(t, tr.model, 3, 2, 2, 1, 4)
	noPhone := pattern(t, tr.model, 3, 2, 2, 1, 0)
	phone := math.Log2(tr.m[4][4] / tr.u[4][4])
	if d := p.Weight(full) - p.Weight(noPhone); math.Abs(d-phone) > 1e-12 {
		t.Errorf("phone adds %v, want %v", d, phone)
	}
	want := 0.0
	for i, l := range []int{3, 2, 2, 1, 4} {
		want += math.Log2(tr.m[i][l] / tr.u[i][l])
	}
	if w := p.Weight(full); math.Abs(w-want) > 1e-12 {
		t.Errorf("weight %v, want %v", w, want)
	}
	sum := 0.0
	for i, c := range p.Explain(noPhone) {
		sum += c.Weight
		if i == 4 && (c.Weight != 0 || c.M != 0 || c.U != 0 || c.LevelName != "missing" || c.Field != "phone") {
			t.Errorf("missing phone explained as %+v", c)
		}
	}
	if math.Abs(sum-p.Weight(noPhone)) > 1e-12 {
		t.Errorf("contributions sum to %v, weight %v", sum, p.Weight(noPhone))
	}
	if c := p.Explain(full)[1]; c != (fellegi.Contribution{Field: "given_name", Level: 2, LevelName: "exact", M: 0.95, U: 0.03, Weight: math.Log2(0.95 / 0.03)}) {
		t.Errorf("given name explained as %+v", c)
	}
	var zero fellegi.Params
	if zero.Weight(full) != 0 || zero.MatchProbability(100) != 0 {
		t.Error("the zero Params links")
	}
}

func TestMatchProbability(t *testing.T) {
	p := fiveFields(0.2).params() // prior odds 1:4, that is −2 bits
	tests := []struct{ weight, want float64 }{
		{2, 0.5},
		{3, 2.0 / 3},
		{0, 0.2},
		{-1000, 0},
		{1000, 1},
	}
	for _, tt := range tests {
		if got := p.MatchProbability(tt.weight); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("weight %v: %v, want %v", tt.weight, got, tt.want)
		}
	}
}

// A rare name agreeing weighs more than a common one; the adjustment
// only touches the exact level, and the frequency floor caps it.
func TestTFAdjustment(t *testing.T) {
	tr := fiveFields(0.02)
	p := tr.params()
	exact := pattern(t, tr.model, 3, 2, 2, 1, 0)
	similar := pattern(t, tr.model, 2, 2, 2, 1, 0)
	common, rare := 0.38, 2e-5 // the frequency of "Nguyễn", of a rare family name
	wCommon, wRare := p.AdjustedWeight(exact, 0, common), p.AdjustedWeight(exact, 0, rare)
	if !(wRare > p.Weight(exact) && p.Weight(exact) > wCommon) {
		t.Errorf("rare %v, unadjusted %v, common %v", wRare, p.Weight(exact), wCommon)
	}
	want := p.Weight(exact) - math.Log2(0.9/0.05) + math.Log2(0.9/rare)
	if math.Abs(wRare-want) > 1e-12 {
		t.Errorf("rare weighs %v, want %v", wRare, want)
	}
	if d := p.TFAdjustment(exact, 0, 1e-9); math.Abs(d-math.Log2(0.05/fellegi.DefaultFrequencyFloor)) > 1e-12 {
		t.Errorf("below the floor: %v", d)
	}
	if d := p.TFAdjustment(exact, 0, 3); math.Abs(d-math.Log2(0.05)) > 1e-12 {
		t.Errorf("above 1: %v", d)
	}
	q, err := p.WithFrequencyFloor(1e-3)
	if err != nil {
		t.Fatal(err)
	}
	if d := q.TFAdjustment(exact, 0, rare); math.Abs(d-math.Log2(0.05/1e-3)) > 1e-12 || p.FrequencyFloor() != fellegi.DefaultFrequencyFloor {
		t.Errorf("floor 1e-3: %v", d)
	}
	for _, tt := range []struct {
		name  string
		pat   fellegi.Pattern
		field int
		f     float64
	}{
		{"similar", similar, 0, rare},
		{"missing", exact, 4, rare},
		{"no such field", exact, 9, rare},
		{"negative field", exact, -1, rare},
		{"not a number", exact, 0, math.NaN()},
	} {
		if d := p.TFAdjustment(tt.pat, tt.field, tt.f); d != 0 {
			t.Errorf("%s: adjustment %v", tt.name, d)
		}
	}
	if _, err := p.WithFrequencyFloor(0); !errors.Is(err, fellegi.ErrInvalidParams) {
		t.Errorf("floor 0: %v", err)
	}
}

func TestNewParamsInvalid(t *testing.T) {
	tr := fiveFields(0.02)
	short := tr.m[:4]
	unnormalised := fellegi.Probabilities{{0, 0.5, 0.5, 0.5}, tr.m[1], tr.m[2], tr.m[3], tr.m[4]}
	zero := fellegi.Probabilities{{0, 0, 0.1, 0.9}, tr.m[1], tr.m[2], tr.m[3], tr.m[4]}
	nan := fellegi.Probabilities{{0, math.NaN(), 0.1, 0.9}, tr.m[1], tr.m[2], tr.m[3], tr.m[4]}
	tests := []struct {
		name   string
		lambda float64
		m      fellegi.Probabilities
		want   error
	}{
		{"lambda 0", 0, tr.m, fellegi.ErrInvalidParams},
		{"lambda 1", 1, tr.m, fellegi.ErrInvalidParams},
		{"lambda NaN", math.NaN(), tr.m, fellegi.ErrInvalidParams},
		{"short", 0.1, short, fellegi.ErrInvalidParams},
		{"unnormalised", 0.1, unnormalised, fellegi.ErrInvalidParams},
		{"zero", 0.1, zero, fellegi.ErrInvalidParams},
		{"NaN", 0.1, nan, fellegi.ErrInvalidParams},
	}
	for _, tt := range tests {
		if _, err := fellegi.NewParams(tr.model, tt.lambda, tt.m, tr.u); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := fellegi.NewParams(fellegi.Model{}, 0.1, nil, nil); !errors.Is(err, fellegi.ErrInvalidModel) {
		t.Errorf("empty model: %v", err)
	}
}

// Params change neither with the slices they were made from nor with
// those they hand out.
func TestParamsImmutable(t *testing.T) {
	tr := fiveFields(0.02)
	m := tr.m
	tr.m = fellegi.Probabilities{}
	for _, row := range m {
		tr.m = append(tr.m, append([]float64(nil), row...))
	}
	p := tr.params()
	pat := pattern(t, tr.model, 3, 2, 2, 1, 4)
	before := p.Weight(pat)
	tr.m[0][3] = 0.5
	p.M()[0][3] = 0.5
	p.Model().Fields[0].Levels[3] = "changed"
	tr.model.Fields[0].Name = "changed"
	if p.Weight(pat) != before || p.M()[0][3] != 0.9 || p.Explain(pat)[0].LevelName != "exact" || p.Model().Fields[0].Name != "family_name" {
		t.Error("params changed")
	}
}

// Params written to JSON read back the same, with snake_case keys.
func TestParamsJSON(t *testing.T) {
	tr := fiveFields(0.03)
	all, _, _ := tr.simulate(11, 100_000)
	p, err := fellegi.Estimate(tr.model, all, fellegi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = p.WithFrequencyFloor(1e-4); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"lambda"`, `"iterations"`, `"converged"`, `"log_likelihood"`, `"frequency_floor"`,
		`"fixed_u"`, `"pairs"`, `"patterns"`, `"fields"`, `"exact_level"`, `"levels"`, `"m"`, `"u"`, `"weight"`} {
		if !bytes.Contains(b, []byte(key+":")) {
			t.Errorf("no key %s in\n%s", key, b)
		}
	}
	var q fellegi.Params
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	b2, err := json.MarshalIndent(&q, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Errorf("round trip changed\n%s\ninto\n%s", b, b2)
	}
	if q.Fit() != p.Fit() || q.Lambda() != p.Lambda() || q.FrequencyFloor() != 1e-4 {
		t.Errorf("fit %+v, λ %v", q.Fit(), q.Lambda())
	}
	for pat := range all.All() {
		if q.Weight(pat) != p.Weight(pat) {
			t.Fatalf("pattern %#x weighs %v, was %v", uint64(pat), q.Weight(pat), p.Weight(pat))
		}
	}

	for _, bad := range []string{
		`{"lambda": 2, "fields": []}`,
		`{"lambda": 0.1, "fields": [{"name": "a", "levels": [{"level": 0, "name": "missing"}, {"level": 2, "name": "x", "m": 1, "u": 1}]}]}`,
		`{"lambda": 0.1, "fields": [{"name": "a", "levels": [{"level": 0, "name": "missing"}, {"level": 1, "name": "x", "m": 0.5, "u": 1}]}]}`,
		`{"lambda": 0.1, "frequency_floor": -1, "fields": [{"name": "a", "levels": [{"level": 0, "name": "missing"}, {"level": 1, "name": "x", "m": 1, "u": 1}]}]}`,
		`[]`,
	} {
		var r fellegi.Params
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestParamsTable(t *testing.T) {
	tr := fiveFields(0.03)
	all, _, _ := tr.simulate(12, 20_000)
	p, err := fellegi.Estimate(tr.model, all, fellegi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	table := p.Table()
	t.Log("\n" + table)
	for _, want := range []string{"lambda 0.0", "20000 pairs", "family_name", "exact *", "same_last_6", "weight"} {
		if !strings.Contains(table, want) {
			t.Errorf("no %q in\n%s", want, table)
		}
	}
}

// BenchmarkWeight weighs patterns as the reconciliation job does, once
// per candidate pair.
func BenchmarkWeight(b *testing.B) {
	tr := fiveFields(0.02)
	all, _, _ := tr.simulate(13, 10_000)
	var pats []fellegi.Pattern
	for p := range all.All() {
		pats = append(pats, p)
	}
	p := tr.params()
	var sum float64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sum += p.Weight(pats[i%len(pats)])
		i++
	}
	if math.IsNaN(sum) {
		b.Fatal("NaN")
	}
}

// BenchmarkDecide is the whole per-pair path: weight, term-frequency
// adjustment, probability and decision.
func BenchmarkDecide(b *testing.B) {
	tr := fiveFields(0.02)
	p := tr.params()
	pat := pattern(b, tr.model, 3, 2, 2, 1, 0)
	th := fellegi.DefaultThresholds()
	links := 0
	b.ReportAllocs()
	for b.Loop() {
		if th.Classify(p.MatchProbability(p.AdjustedWeight(pat, 0, 1e-4))) == fellegi.Link {
			links++
		}
	}
	_ = links
}

func TestWeightAllocations(t *testing.T) {
	p := fiveFields(0.02).params()
	if n := testing.AllocsPerRun(100, func() { _ = p.Weight(0x41203) }); n != 0 {
		t.Errorf("Weight allocates %v times", n)
	}
}
