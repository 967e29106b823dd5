package synth

import (
	"strings"
	"testing"

	"dancu/internal/pid"
)

func TestPermutationIsBijection(t *testing.T) {
	for _, n := range []uint64{1, 2, 3, 10, 97, 1000, 4096, 10_000} {
		p := newPermutation(n, 12345)
		seen := make([]bool, n)
		for k := range n {
			x := p.apply(k)
			if x >= n || seen[x] {
				t.Fatalf("n=%d: perm(%d) = %d repeats or is out of range", n, k, x)
			}
			seen[x] = true
		}
	}
}

func TestPIDBlocks(t *testing.T) {
	c := &pidCounters{seed: 7}
	seen := map[string]bool{}
	for i := range 20_000 {
		male := i%2 == 0
		year := 1990 + i%3*20
		got := c.next("079", male, year)
		p, err := pid.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		if seen[got] {
			t.Fatalf("PID %s issued twice", got)
		}
		seen[got] = true
		if want := map[bool]pid.Gender{true: pid.Male, false: pid.Female}[male]; p.Gender() != want || p.BirthYear() != year || p.Province() != "079" {
			t.Fatalf("PID %s for %v %d decodes as %v %d %s", got, male, year, p.Gender(), p.BirthYear(), p.Province())
		}
	}
}

func TestPhonesAndOldIDs(t *testing.T) {
	phones := newPhoneCounter(3)
	old := &oldIDCounters{seed: 3}
	seen := map[string]bool{}
	for range 50_000 {
		ph := phones.next()
		if len(ph) != 10 || seen[ph] {
			t.Fatalf("phone %q malformed or repeated", ph)
		}
		seen[ph] = true
		id := old.next("02")
		if _, err := pid.ParseOldID(id); err != nil || len(id) != 9 || id[:2] != "02" || seen[id] {
			t.Fatalf("old ID %q: %v", id, err)
		}
		seen[id] = true
	}
}

func TestUUID(t *testing.T) {
	r := newRNG(1)
	for range 100 {
		u := uuid(r)
		if len(u) != 36 || u[8] != '-' || u[13] != '-' || u[14] != '4' || u[18] != '-' || u[23] != '-' || strings.IndexByte("89ab", u[19]) < 0 {
			t.Fatalf("uuid %q", u)
		}
	}
}
