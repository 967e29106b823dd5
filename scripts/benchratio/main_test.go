package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	in := `pkg: dancu/internal/x
BenchmarkFold/ascii-2   100  40 ns/op  0 B/op
BenchmarkFold/ascii-2   100  60 ns/op  0 B/op
BenchmarkFold/ascii-2   100  50 ns/op  0 B/op
BenchmarkBaselineFold/ascii-2   100  25 ns/op
BenchmarkParse-2   100  10 ns/op
BenchmarkBaselineParse-2   100  20 ns/op
BenchmarkLoad-2   7  1000 ns/op
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"x.Fold/ascii", "2.00x", "x.Parse", "0.50x", "x.Load"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "\n") != 4 {
		t.Errorf("want a header and 3 rows:\n%s", got)
	}
}
