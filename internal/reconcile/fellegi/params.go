package fellegi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// DefaultFrequencyFloor is the least value frequency the term-frequency
// adjustment uses: a value shared by fewer than 1 in 100,000 register
// records (about 1,000 people nationwide) counts as that frequent. Rarer
// values are as often artefacts (typing errors, transliterations) as
// real evidence, and without a floor a single unique value would add
// more than 25 bits, enough to outweigh a disagreeing date of birth.
const DefaultFrequencyFloor = 1e-5

// Params are the estimated (or given) parameters of a model: λ, m and u,
// and the weight of every level, precomputed. A Params never changes once
// made and is safe for concurrent use. The zero Params weighs every
// pattern 0 and gives every pair probability 0 of a match.
type Params struct {
	model     Model
	lambda    float64
	m, u      Probabilities
	fit       Fit
	freqFloor float64
	// priorLogOdds is log2(λ / (1-λ)).
	priorLogOdds float64
	// weight[i][l] is log2(m/u) of field i at level l, 0 for level 0 and
	// for levels the field does not have, so that Weight needs neither
	// checks nor branches.
	weight [MaxFields][MaxLevels]float64
}

// NewParams returns parameters given rather than estimated, e.g. from a
// previous run: λ in (0, 1), and m and u shaped like the model, each
// field's non-missing levels summing to 1 with every value in (0, 1].
func NewParams(model Model, lambda float64, m, u Probabilities) (*Params, error) {
	if err := model.Validate(); err != nil {
		return nil, err
	}
	if !(lambda > 0 && lambda < 1) {
		return nil, fmt.Errorf("%w: lambda %v, want (0, 1)", ErrInvalidParams, lambda)
	}
	if err := m.check(model, "m"); err != nil {
		return nil, err
	}
	if err := u.check(model, "u"); err != nil {
		return nil, err
	}
	return newParams(model.clone(), lambda, m.clone(), u.clone(), Fit{}), nil
}

// newParams builds Params from values it takes ownership of and that
// are known valid.
func newParams(model Model, lambda float64, m, u Probabilities, fit Fit) *Params {
	p := &Params{
		model:        model,
		lambda:       lambda,
		m:            m,
		u:            u,
		fit:          fit,
		freqFloor:    DefaultFrequencyFloor,
		priorLogOdds: math.Log2(lambda) - math.Log2(1-lambda),
	}
	for i := range model.Fields {
		m[i][0], u[i][0] = 0, 0
		for l := 1; l < len(m[i]); l++ {
			p.weight[i][l] = math.Log2(m[i][l] / u[i][l])
		}
	}
	return p
}

// WithFrequencyFloor returns a copy of p whose term-frequency adjustment
// floors value frequencies at floor, in (0, 1], instead of
// DefaultFrequencyFloor.
func (p *Params) WithFrequencyFloor(floor float64) (*Params, error) {
	if !(floor > 0 && floor <= 1) {
		return nil, fmt.Errorf("%w: frequency floor %v, want (0, 1]", ErrInvalidParams, floor)
	}
	c := *p
	c.freqFloor = floor
	return &c, nil
}

// Model returns a copy of the model the parameters are for.
func (p *Params) Model() Model { return p.model.clone() }

// Lambda returns λ, the share of matches among the pairs.
func (p *Params) Lambda() float64 { return p.lambda }

// M returns a copy of m: m[i][l] is the probability that a matching pair
// has field i at level l, given that field i is not missing.
func (p *Params) M() Probabilities { return p.m.clone() }

// U returns a copy of u: u[i][l] is the probability that a non-matching
// pair has field i at level l, given that field i is not missing.
func (p *Params) U() Probabilities { return p.u.clone() }

// Fit returns how the parameters were estimated (zero for NewParams).
func (p *Params) Fit() Fit { return p.fit }

// FrequencyFloor returns the least value frequency the term-frequency
// adjustment uses.
func (p *Params) FrequencyFloor() float64 { return p.freqFloor }

// LevelWeight returns log2(m/u) of field i at level l: 0 for the missing
// level and for levels the model does not have.
func (p *Params) LevelWeight(i, l int) float64 {
	if i < 0 || i >= MaxFields || l < 0 || l >= MaxLevels {
		return 0
	}
	return p.weight[i][l]
}

// Weight returns the match weight of a pair with pattern pat, in bits:
// the sum over its non-missing fields of log2(m/u) at the field's level.
// Positive weights favour a match. It does not check pat against the
// model: levels the model lacks weigh 0.
func (p *Params) Weight(pat Pattern) float64 {
	var w float64
	// The loop ends at the last non-missing field, and i never passes 15
	// because a Pattern has 16 nibbles.
	for i := 0; pat != 0; i++ {
		w += p.weight[i&(MaxFields-1)][pat&(MaxLevels-1)]
		pat >>= 4
	}
	return w
}

// MatchProbability returns the posterior probability that a pair with
// the given weight is a match: with prior odds λ/(1-λ) and the weight as
// the log2 likelihood ratio,
//
//	P(match | weight) = 1 / (1 + 2^-(weight + log2(λ/(1-λ)))).
//
// It is only as good as the conditional independence the model assumes;
// see the package documentation.
func (p *Params) MatchProbability(weight float64) float64 {
	if p.lambda == 0 { // the zero Params
		return 0
	}
	return 1 / (1 + math.Exp2(-(weight + p.priorLogOdds)))
}

// PriorLogOdds is log2(λ/(1-λ)), the prior log odds of a pair being a
// match: a pair's posterior log odds are its weight plus this.
func (p *Params) PriorLogOdds() float64 { return p.priorLogOdds }

// TFAdjustment returns what the term-frequency adjustment adds to the
// weight of pat for field i, given the frequency of the value the pair
// agrees on. If pat is at the field's exact level, the adjustment
// replaces u of that level by the value's frequency f, floored:
//
//	adjusted weight = Weight(pat) − log2(m_e/u_e) + log2(m_e / max(min(f, 1), floor))
//	TFAdjustment    = log2(u_e / max(min(f, 1), floor))
//
// where m_e and u_e are m and u of the exact level and floor is
// FrequencyFloor. f is the share of records carrying the value among
// those a non-matching candidate comes from (the register side, within
// the same blocking as the pairs u was estimated on). A value rarer than
// average adds weight; a common one takes weight away. In any other case
// (another level, a field without an exact level, f not a number) the
// adjustment is 0. Adjustments of several fields add up.
func (p *Params) TFAdjustment(pat Pattern, i int, f float64) float64 {
	if i < 0 || i >= len(p.model.Fields) || math.IsNaN(f) {
		return 0
	}
	e := p.model.Fields[i].Exact
	if e == 0 || pat.Level(i) != e {
		return 0
	}
	return math.Log2(p.u[i][e] / math.Max(math.Min(f, 1), p.freqFloor))
}

// AdjustedWeight returns Weight(pat) with the term-frequency adjustment
// of field i for a value of frequency f (see TFAdjustment).
func (p *Params) AdjustedWeight(pat Pattern, i int, f float64) float64 {
	return p.Weight(pat) + p.TFAdjustment(pat, i, f)
}

// A Contribution is what one field adds to a pair's weight, for reports.
type Contribution struct {
	Field     string  `json:"field"`
	Level     int     `json:"level"`
	LevelName string  `json:"level_name"`
	M         float64 `json:"m"`
	U         float64 `json:"u"`
	Weight    float64 `json:"weight"`
}

// Explain returns the contribution of every field of the model to the
// weight of pat, in field order; missing fields show m, u and weight 0.
// Their weights add up to Weight(pat).
func (p *Params) Explain(pat Pattern) []Contribution {
	cs := make([]Contribution, len(p.model.Fields))
	for i, f := range p.model.Fields {
		l := pat.Level(i)
		c := Contribution{Field: f.Name, Level: l}
		if l < len(f.Levels) {
			c.LevelName = f.Levels[l]
			c.M, c.U, c.Weight = p.m[i][l], p.u[i][l], p.weight[i][l]
		}
		cs[i] = c
	}
	return cs
}

// Table renders the parameters for people: λ and the fit, then m, u and
// the weight of every level of every field.
func (p *Params) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lambda %s, %d pairs in %d patterns, %d iterations",
		fmtProb(p.lambda), p.fit.Pairs, p.fit.Patterns, p.fit.Iterations)
	if p.fit.Iterations > 0 && !p.fit.Converged {
		b.WriteString(" (not converged)")
	}
	fmt.Fprintf(&b, ", log-likelihood %.6g", p.fit.LogLikelihood)
	if p.fit.FixedU {
		b.WriteString(", u fixed")
	}
	b.WriteString("\n\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "field\tlevel\tm\tu\tweight")
	for i, f := range p.model.Fields {
		name := f.Name
		for l, level := range f.Levels {
			if l == f.Exact && l != 0 {
				level += " *"
			}
			if l == 0 {
				fmt.Fprintf(tw, "%s\t%s\t-\t-\t0\n", name, level)
			} else {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%+.2f\n", name, level, fmtProb(p.m[i][l]), fmtProb(p.u[i][l]), p.weight[i][l])
			}
			name = ""
		}
	}
	tw.Flush()
	b.WriteString("\n* exact level\n")
	return b.String()
}

// fmtProb formats a probability with four significant digits.
func fmtProb(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// paramsJSON is the JSON form of Params, as report.json shows it.
type paramsJSON struct {
	Lambda         float64     `json:"lambda"`
	FrequencyFloor float64     `json:"frequency_floor"`
	Fit                        // iterations, converged, log_likelihood…
	Fields         []fieldJSON `json:"fields"`
}

type fieldJSON struct {
	Name       string      `json:"name"`
	ExactLevel int         `json:"exact_level"`
	Levels     []levelJSON `json:"levels"`
}

// levelJSON is one level of a field. Weight is derived from M and U and
// ignored when read back.
type levelJSON struct {
	Level  int     `json:"level"`
	Name   string  `json:"name"`
	M      float64 `json:"m"`
	U      float64 `json:"u"`
	Weight float64 `json:"weight"`
}

// MarshalJSON writes λ, the fit and, for every field, m, u and the weight
// of every level, with snake_case keys. Its receiver is a value so that a
// report holding a Params rather than a *Params still writes it all.
func (p Params) MarshalJSON() ([]byte, error) {
	v := paramsJSON{
		Lambda:         p.lambda,
		FrequencyFloor: p.freqFloor,
		Fit:            p.fit,
		Fields:         make([]fieldJSON, len(p.model.Fields)),
	}
	for i, f := range p.model.Fields {
		fj := fieldJSON{Name: f.Name, ExactLevel: f.Exact, Levels: make([]levelJSON, len(f.Levels))}
		for l, name := range f.Levels {
			fj.Levels[l] = levelJSON{Level: l, Name: name, M: p.m[i][l], U: p.u[i][l], Weight: p.weight[i][l]}
		}
		v.Fields[i] = fj
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads what MarshalJSON wrote, checking it as NewParams
// does.
func (p *Params) UnmarshalJSON(b []byte) error {
	var v paramsJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	model := Model{Fields: make([]Field, len(v.Fields))}
	m, u := make(Probabilities, len(v.Fields)), make(Probabilities, len(v.Fields))
	for i, fj := range v.Fields {
		f := Field{Name: fj.Name, Exact: fj.ExactLevel, Levels: make([]string, len(fj.Levels))}
		m[i], u[i] = make([]float64, len(fj.Levels)), make([]float64, len(fj.Levels))
		for l, lj := range fj.Levels {
			if lj.Level != l {
				return fmt.Errorf("%w: field %q: level %d listed in place %d", ErrInvalidParams, fj.Name, lj.Level, l)
			}
			f.Levels[l] = lj.Name
			if l > 0 {
				m[i][l], u[i][l] = lj.M, lj.U
			}
		}
		model.Fields[i] = f
	}
	q, err := NewParams(model, v.Lambda, m, u)
	if err != nil {
		return err
	}
	q.fit = v.Fit
	if v.FrequencyFloor != 0 {
		if q, err = q.WithFrequencyFloor(v.FrequencyFloor); err != nil {
			return err
		}
	}
	*p = *q
	return nil
}
