package registry

import (
	"fmt"
	"testing"

	"dancu/internal/pid"
)

// The filter never forgets a number it was given, and rarely claims one
// it was not.
func TestPIDFilter(t *testing.T) {
	f := newPIDFilter()
	const n = 200000
	for i := range n {
		f.add(pid.PID(fmt.Sprintf("001090%06d", i)))
	}
	for i := range n {
		if !f.mayHave(pid.PID(fmt.Sprintf("001090%06d", i))) {
			t.Fatalf("forgot number %d", i)
		}
	}
	wrong := 0
	for i := range n {
		if f.mayHave(pid.PID(fmt.Sprintf("079191%06d", i))) {
			wrong++
		}
	}
	if wrong > n/1000 {
		t.Errorf("%d false positives in %d", wrong, n)
	}
}
