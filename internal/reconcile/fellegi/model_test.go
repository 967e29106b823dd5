package fellegi_test

import (
	"errors"
	"slices"
	"testing"

	"dancu/internal/reconcile/fellegi"
)

// pattern returns the pattern of levels in model, failing t if invalid.
func pattern(t testing.TB, model fellegi.Model, levels ...int) fellegi.Pattern {
	t.Helper()
	p, err := model.Pattern(levels...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestModelValidate(t *testing.T) {
	levels := []string{"missing", "different", "exact"}
	many := make([]fellegi.Field, fellegi.MaxFields+1)
	for i := range many {
		many[i] = fellegi.Field{Name: string(rune('a' + i)), Levels: levels}
	}
	tests := []struct {
		name   string
		fields []fellegi.Field
		ok     bool
	}{
		{"one field", []fellegi.Field{{Name: "a", Levels: levels, Exact: 2}}, true},
		{"sixteen fields", many[:fellegi.MaxFields], true},
		{"sixteen levels", []fellegi.Field{{Name: "a", Levels: make([]string, fellegi.MaxLevels), Exact: 15}}, true},
		{"no fields", nil, false},
		{"seventeen fields", many, false},
		{"no name", []fellegi.Field{{Levels: levels}}, false},
		{"same name", []fellegi.Field{{Name: "a", Levels: levels}, {Name: "a", Levels: levels}}, false},
		{"only missing", []fellegi.Field{{Name: "a", Levels: levels[:1]}}, false},
		{"seventeen levels", []fellegi.Field{{Name: "a", Levels: make([]string, fellegi.MaxLevels+1)}}, false},
		{"exact out of range", []fellegi.Field{{Name: "a", Levels: levels, Exact: 3}}, false},
		{"negative exact", []fellegi.Field{{Name: "a", Levels: levels, Exact: -1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fellegi.Model{Fields: tt.fields}.Validate()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, fellegi.ErrInvalidModel)) {
				t.Fatalf("error %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestPattern(t *testing.T) {
	model := fiveFields(0).model
	p := pattern(t, model, 3, 0, 2, 1, 4)
	if p != 0x41203 {
		t.Errorf("pattern %#x", uint64(p))
	}
	for i, want := range []int{3, 0, 2, 1, 4, 0, 0} {
		if got := p.Level(i); got != want {
			t.Errorf("level %d = %d, want %d", i, got, want)
		}
	}
	if p.Level(-1) != 0 || p.Level(16) != 0 {
		t.Error("levels outside the pattern are not missing")
	}
	if q := p.With(2, 1).With(0, 0); q.Level(2) != 1 || q.Level(0) != 0 || q.Level(4) != 4 {
		t.Errorf("With: %#x", uint64(q))
	}
	if full := fellegi.Pattern(0).With(15, 15); full.Level(15) != 15 || uint64(full) != 0xf<<60 {
		t.Errorf("field 15: %#x", uint64(full))
	}
	for _, levels := range [][]int{{4}, {0, 3}, {-1}, {1, 1, 1, 1, 1, 1}} {
		if _, err := model.Pattern(levels...); !errors.Is(err, fellegi.ErrInvalidPattern) {
			t.Errorf("%v: error %v", levels, err)
		}
	}
	if err := model.Check(p); err != nil {
		t.Error(err)
	}
	if err := model.Check(p.With(7, 1)); !errors.Is(err, fellegi.ErrInvalidPattern) {
		t.Errorf("field 7 of 5: %v", err)
	}
}

func TestCounts(t *testing.T) {
	var a, b fellegi.Counts
	if a.Len() != 0 || a.Total() != 0 || a.Get(1) != 0 {
		t.Fatal("zero Counts not empty")
	}
	a.Add(0x21, 5)
	a.Add(0x1, 2)
	a.Add(0x21, 1)
	a.Add(0x3, 0)  // ignored
	a.Add(0x3, -4) // ignored
	b.Add(0x1, 10)
	b.Add(0x12, 1)
	a.Merge(&b)
	if a.Len() != 3 || a.Total() != 19 || a.Get(0x21) != 6 || a.Get(0x1) != 12 || a.Get(0x3) != 0 {
		t.Fatalf("len %d, total %d", a.Len(), a.Total())
	}
	var order []fellegi.Pattern
	for p := range a.All() {
		order = append(order, p)
	}
	if !slices.Equal(order, []fellegi.Pattern{0x1, 0x12, 0x21}) {
		t.Errorf("order %x", order)
	}
	for range a.All() {
		break // stopping early is allowed
	}
}
