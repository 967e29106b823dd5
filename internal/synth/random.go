package synth

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// rng is the generator's only source of randomness: a PCG seeded from
// Config.Seed, called directly rather than through rand.Rand's interface
// because the generator draws a few hundred numbers per record.
type rng struct {
	pcg *rand.PCG
}

func newRNG(seed uint64) rng {
	return rng{pcg: rand.NewPCG(seed, splitmix(seed^0x6a09e667f3bcc909))}
}

func (r rng) u64() uint64 { return r.pcg.Uint64() }

// intn returns a number in [0, n) by Lemire's multiply-shift; the bias,
// below n/2⁶⁴, is irrelevant here.
func (r rng) intn(n int) int {
	hi, _ := bits.Mul64(r.pcg.Uint64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func (r rng) float() float64 { return float64(r.pcg.Uint64()>>11) * 0x1p-53 }

// chance reports true with probability p.
func (r rng) chance(p float64) bool { return r.float() < p }

// normal returns a normally distributed number (Box–Muller, one of the
// pair).
func (r rng) normal(mean, sd float64) float64 {
	u := 1 - r.float() // (0, 1]
	v := r.float()
	return mean + sd*math.Sqrt(-2*math.Log(u))*math.Cos(2*math.Pi*v)
}

// exp returns an exponentially distributed number of the given mean.
func (r rng) exp(mean float64) float64 { return -mean * math.Log(1-r.float()) }

// splitmix is the SplitMix64 finaliser: a bijection of uint64 that turns
// counters and seeds into well-mixed values.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// alias draws an index with probability proportional to its weight in
// constant time (Walker's alias method, Vose's construction).
type alias struct {
	cut   []uint32 // keep index i when the low 32 bits of a draw are below cut[i]
	other []uint32
}

func newAlias(weights []float64) alias {
	n := len(weights)
	a := alias{cut: make([]uint32, n), other: make([]uint32, n)}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, w := range weights {
		scaled[i] = w / sum * float64(n)
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.cut[s] = uint32(scaled[s] * (1 << 32))
		a.other[s] = uint32(l)
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) {
		a.cut[i] = math.MaxUint32
		a.other[i] = uint32(i)
	}
	return a
}

// draw returns an index: the high 32 bits of one number pick a column,
// the low 32 bits decide between it and its alias.
func (a *alias) draw(r rng) int {
	u := r.u64()
	i := int((u >> 32) * uint64(len(a.cut)) >> 32)
	if uint32(u) < a.cut[i] {
		return i
	}
	return int(a.other[i])
}
