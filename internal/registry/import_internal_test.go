package registry

import (
	"fmt"
	"hash/maphash"
	"testing"

	"dancu/internal/pid"
)

// The filter never forgets a key it was given, and rarely claims one it
// was not: numbers, and household ids hashed.
func TestKeyFilter(t *testing.T) {
	for _, kind := range []struct {
		name     string
		key, not func(i int) uint64
	}{
		{"pid", func(i int) uint64 { return pid.PID(fmt.Sprintf("001090%06d", i)).Uint64() },
			func(i int) uint64 { return pid.PID(fmt.Sprintf("079191%06d", i)).Uint64() }},
		{"household", func(i int) uint64 { return maphash.String(householdSeed, fmt.Sprintf("hh-%d", i)) },
			func(i int) uint64 { return maphash.String(householdSeed, fmt.Sprintf("ho-%d", i)) }},
	} {
		t.Run(kind.name, func(t *testing.T) {
			f := newKeyFilter()
			const n = 200000
			for i := range n {
				f.add(kind.key(i))
			}
			for i := range n {
				if !f.mayHave(kind.key(i)) {
					t.Fatalf("forgot key %d", i)
				}
			}
			wrong := 0
			for i := range n {
				if f.mayHave(kind.not(i)) {
					wrong++
				}
			}
			if wrong > n/1000 {
				t.Errorf("%d false positives in %d", wrong, n)
			}
		})
	}
}
