package fellegi

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
)

// Limits of a Model, set by the 4-bit-per-field layout of a Pattern.
const (
	// MaxFields is the most fields a Model may have.
	MaxFields = 16
	// MaxLevels is the most levels a field may have, level 0 (missing)
	// included.
	MaxLevels = 16
)

// ErrInvalidModel reports a Model that breaks the limits or the rules of
// Model.Validate.
var ErrInvalidModel = errors.New("invalid model")

// ErrInvalidPattern reports a Pattern with a level its field does not have.
var ErrInvalidPattern = errors.New("invalid pattern")

// A Field is one compared attribute of a pair (family name, date of birth,
// phone number…) and the levels its comparison can fall in.
//
// Levels[0] names the "missing / not comparable" level: a field at level 0
// tells nothing about the pair and weighs 0. The other levels may come in
// any order; the model does not assume that a higher index means more
// agreement.
type Field struct {
	// Name identifies the field in reports, e.g. "family_name".
	Name string `json:"name"`
	// Levels names each level, Levels[0] being the missing level, e.g.
	// {"missing", "different", "similar", "exact"}.
	Levels []string `json:"levels"`
	// Exact is the index of the level meaning exact agreement, or 0 if
	// the field has none. Estimate starts m high on it, and the
	// term-frequency adjustment applies to it only.
	Exact int `json:"exact_level,omitempty"`
}

// A Model is the list of fields every comparison vector is made of.
// Field i of a Pattern is Fields[i].
type Model struct {
	Fields []Field `json:"fields"`
}

// Validate reports whether the model can be estimated: 1 to MaxFields
// fields with distinct non-empty names, each with 2 to MaxLevels levels
// (the missing level and at least one other) and an Exact index in range.
func (m Model) Validate() error {
	if len(m.Fields) == 0 || len(m.Fields) > MaxFields {
		return fmt.Errorf("%w: %d fields, want 1 to %d", ErrInvalidModel, len(m.Fields), MaxFields)
	}
	seen := make(map[string]bool, len(m.Fields))
	for i, f := range m.Fields {
		switch {
		case f.Name == "":
			return fmt.Errorf("%w: field %d has no name", ErrInvalidModel, i)
		case seen[f.Name]:
			return fmt.Errorf("%w: field %q appears twice", ErrInvalidModel, f.Name)
		case len(f.Levels) < 2 || len(f.Levels) > MaxLevels:
			return fmt.Errorf("%w: field %q has %d levels, want 2 to %d (level 0 being missing)",
				ErrInvalidModel, f.Name, len(f.Levels), MaxLevels)
		case f.Exact < 0 || f.Exact >= len(f.Levels):
			return fmt.Errorf("%w: field %q: exact level %d out of range", ErrInvalidModel, f.Name, f.Exact)
		}
		seen[f.Name] = true
	}
	return nil
}

// Pattern returns the pattern of a comparison vector, levels[i] being the
// level of field i; fields left out are missing.
func (m Model) Pattern(levels ...int) (Pattern, error) {
	if len(levels) > len(m.Fields) {
		return 0, fmt.Errorf("%w: %d levels for %d fields", ErrInvalidPattern, len(levels), len(m.Fields))
	}
	var p Pattern
	for i, l := range levels {
		if l < 0 || l >= len(m.Fields[i].Levels) {
			return 0, fmt.Errorf("%w: field %q has no level %d", ErrInvalidPattern, m.Fields[i].Name, l)
		}
		p = p.With(i, l)
	}
	return p, nil
}

// Check reports whether every level of p exists in the model.
func (m Model) Check(p Pattern) error {
	for i := range MaxFields {
		l := p.Level(i)
		if l == 0 {
			continue
		}
		if i >= len(m.Fields) {
			return fmt.Errorf("%w: %#x sets field %d of a %d-field model", ErrInvalidPattern, uint64(p), i, len(m.Fields))
		}
		if l >= len(m.Fields[i].Levels) {
			return fmt.Errorf("%w: %#x: field %q has no level %d", ErrInvalidPattern, uint64(p), m.Fields[i].Name, l)
		}
	}
	return nil
}

// clone returns a deep copy, so that Params never share slices with the
// caller.
func (m Model) clone() Model {
	fields := make([]Field, len(m.Fields))
	for i, f := range m.Fields {
		f.Levels = slices.Clone(f.Levels)
		fields[i] = f
	}
	return Model{Fields: fields}
}

// A Pattern is a comparison vector packed in 64 bits: the level of field i
// (0 to 15) sits in bits 4i to 4i+3. Up to 16 fields of up to 16 levels
// each; the zero Pattern has every field missing. Millions of candidate
// pairs fall into a few hundred distinct patterns, which is what makes
// estimation cheap.
type Pattern uint64

// With returns p with field i at level l. It does not check i and l
// against a model (Model.Pattern does); only their low 4 bits are kept.
func (p Pattern) With(i, l int) Pattern {
	shift := uint(i&(MaxFields-1)) * 4
	return p&^(0xf<<shift) | Pattern(l&(MaxLevels-1))<<shift
}

// Level returns the level of field i, 0 for i outside 0 to 15.
func (p Pattern) Level(i int) int {
	if i < 0 || i >= MaxFields {
		return 0
	}
	return int(p>>(uint(i)*4)) & (MaxLevels - 1)
}

// Counts is how many pairs fell in each pattern. The zero value is empty
// and ready to use; it is not safe for concurrent use (count per worker
// and Merge).
type Counts struct {
	n     map[Pattern]int64
	total int64
}

// Add counts n more pairs with pattern p. Non-positive n is ignored.
func (c *Counts) Add(p Pattern, n int64) {
	if n <= 0 {
		return
	}
	if c.n == nil {
		c.n = make(map[Pattern]int64)
	}
	c.n[p] += n
	c.total += n
}

// Merge adds every count of o to c.
func (c *Counts) Merge(o *Counts) {
	for p, n := range o.n {
		c.Add(p, n)
	}
}

// Get returns the number of pairs with pattern p.
func (c *Counts) Get(p Pattern) int64 { return c.n[p] }

// Len returns the number of distinct patterns.
func (c *Counts) Len() int { return len(c.n) }

// Total returns the number of pairs.
func (c *Counts) Total() int64 { return c.total }

// All yields every pattern and its count, patterns in increasing order so
// that results computed from them do not depend on map order.
func (c *Counts) All() iter.Seq2[Pattern, int64] {
	return func(yield func(Pattern, int64) bool) {
		for _, p := range slices.Sorted(maps.Keys(c.n)) {
			if !yield(p, c.n[p]) {
				return
			}
		}
	}
}
