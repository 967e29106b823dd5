package synth

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// noiseID is one kind of noise, an index into Noise and noiseTable.
type noiseID uint8

// The noises, in the order the truth file lists them. The first three
// shape who is in a dataset rather than how a row is written, and never
// appear in a truth row's noise column.
const (
	noiseRepeat noiseID = iota
	noiseNonexistent
	noiseDeceased

	noiseIDMissing
	noiseIDOld
	noiseIDTransposed
	noiseIDTypo

	noiseNameMissing
	noiseNameTypo
	noiseNameMiddleDropped
	noiseNameMiddleSwapped
	noiseNameNoDiacritics
	noiseNameUpper

	noiseDOBMissing
	noiseDOBSwapped
	noiseDOBYearOnly
	noiseDOBYearOff

	noiseGenderMissing
	noiseGenderWrong

	noiseAddressMissing
	noiseAddressOldUnits
	noiseAddressStale
	noiseAddressAbbreviated

	noisePhoneMissing
	noisePhoneOther
	noisePhoneFormat

	noiseCount
)

// noiseTable names every noise and gives its default rate for each kind
// of dataset. The defaults are estimates meant to look like the lists
// agencies send, not measurements: a telecom list (collected at shop
// counters over fifteen years, many SIMs per person, plenty of
// pre-2021 identity cards) is dirtier than a bank's customer file
// (checked at the counter against the card, but written without
// diacritics, in capitals, by core systems of the 1990s). Where a rate
// applies only to some rows (id_old: those whose citizen has an old ID
// number), it is the rate among those rows.
var noiseTable = [noiseCount]struct {
	name          string
	telecom, bank float64
}{
	noiseRepeat:      {"repeat", 0.2, 0.03},
	noiseNonexistent: {"nonexistent", 0.03, 0.005},
	noiseDeceased:    {"deceased", 0.02, 0.01},

	noiseIDMissing:    {"id_missing", 0.02, 0.005},
	noiseIDOld:        {"id_old", 0.25, 0.15},
	noiseIDTransposed: {"id_transposed", 0.01, 0.003},
	noiseIDTypo:       {"id_typo", 0.015, 0.005},

	noiseNameMissing:       {"name_missing", 0.005, 0.001},
	noiseNameTypo:          {"name_typo", 0.03, 0.01},
	noiseNameMiddleDropped: {"name_middle_dropped", 0.02, 0.005},
	noiseNameMiddleSwapped: {"name_middle_swapped", 0.01, 0.003},
	noiseNameNoDiacritics:  {"name_no_diacritics", 0.25, 0.4},
	noiseNameUpper:         {"name_upper", 0.2, 0.5},

	noiseDOBMissing:  {"dob_missing", 0.02, 0.002},
	noiseDOBSwapped:  {"dob_swapped", 0.03, 0.01},
	noiseDOBYearOnly: {"dob_year_only", 0.03, 0.005},
	noiseDOBYearOff:  {"dob_year_off", 0.01, 0.003},

	noiseGenderMissing: {"gender_missing", 0.03, 0.005},
	noiseGenderWrong:   {"gender_wrong", 0.01, 0.003},

	noiseAddressMissing:     {"address_missing", 0.05, 0.01},
	noiseAddressOldUnits:    {"address_old_units", 0.4, 0.3},
	noiseAddressStale:       {"address_stale", 0.15, 0.1},
	noiseAddressAbbreviated: {"address_abbreviated", 0.3, 0.2},

	noisePhoneMissing: {"phone_missing", 0.005, 0.05},
	noisePhoneOther:   {"phone_other", 0.2, 0.1},
	noisePhoneFormat:  {"phone_format", 0.1, 0.15},
}

// exclusiveNoises are the groups of noises that change a value in ways
// that exclude each other: a row carries at most one of a group, drawn
// from one number, so a group's rates must sum to at most 1.
var exclusiveNoises = [][]noiseID{
	{noiseRepeat, noiseNonexistent},
	{noiseIDOld, noiseIDTransposed, noiseIDTypo},
	{noiseNameTypo, noiseNameMiddleDropped, noiseNameMiddleSwapped},
	{noiseDOBSwapped, noiseDOBYearOnly, noiseDOBYearOff},
	{noiseAddressOldUnits, noiseAddressStale},
}

// Noise holds the rate, in [0, 1], of every kind of noise a derived
// dataset may carry (see NoiseNames and docs/synth.md). The zero Noise is
// clean data: every citizen once, alive, with the register's values.
type Noise struct {
	rate [noiseCount]float64
}

// NoiseNames lists the names of the noises, in the order a truth row
// lists those applied to it (the first three, repeat, nonexistent and
// deceased, say who is in the dataset and are never listed).
func NoiseNames() []string {
	names := make([]string, noiseCount)
	for i := range noiseTable {
		names[i] = noiseTable[i].name
	}
	return names
}

// DefaultNoise returns the default rates for a dataset of kind: a list as
// dirty as such lists are (see docs/synth.md); the zero Noise for an
// unknown kind.
func DefaultNoise(kind DatasetKind) Noise {
	var n Noise
	for i := range noiseTable {
		switch kind {
		case Telecom:
			n.rate[i] = noiseTable[i].telecom
		case Bank:
			n.rate[i] = noiseTable[i].bank
		}
	}
	return n
}

func noiseByName(name string) (noiseID, bool) {
	for i := range noiseTable {
		if noiseTable[i].name == name {
			return noiseID(i), true
		}
	}
	return 0, false
}

// Rate returns the rate of the noise called name; ok is false for an
// unknown name.
func (n Noise) Rate(name string) (rate float64, ok bool) {
	id, ok := noiseByName(name)
	if !ok {
		return 0, false
	}
	return n.rate[id], true
}

// Set sets the rate of the noise called name.
func (n *Noise) Set(name string, rate float64) error {
	id, ok := noiseByName(name)
	if !ok {
		return fmt.Errorf("unknown noise %q (known: %s)", name, strings.Join(NoiseNames(), ", "))
	}
	if math.IsNaN(rate) || rate < 0 || rate > 1 {
		return fmt.Errorf("noise %s: rate %v is outside [0, 1]", name, rate)
	}
	n.rate[id] = rate
	return nil
}

// Validate reports rates that cannot be met together: those of a group
// of noises that exclude each other summing to more than 1.
func (n Noise) Validate() error {
	for i, r := range n.rate {
		if math.IsNaN(r) || r < 0 || r > 1 {
			return fmt.Errorf("noise %s: rate %v is outside [0, 1]", noiseTable[i].name, r)
		}
	}
	for _, group := range exclusiveNoises {
		var sum float64
		names := make([]string, len(group))
		for i, id := range group {
			sum += n.rate[id]
			names[i] = noiseTable[id].name
		}
		if sum > 1+1e-9 {
			return fmt.Errorf("the rates of %s exclude each other and sum to %v, more than 1", strings.Join(names, ", "), sum)
		}
	}
	return nil
}

// String writes n in the syntax ParseNoise reads over the zero Noise:
// "none" followed by every rate that is not zero.
func (n Noise) String() string {
	b := []byte("none")
	for i, r := range n.rate {
		if r != 0 {
			b = append(append(append(b, ','), noiseTable[i].name...), '=')
			b = strconv.AppendFloat(b, r, 'g', -1, 64)
		}
	}
	return string(b)
}

// ParseNoise reads the --noise syntax: a comma-separated list of
// name=rate, each rate in [0, 1], applied over base; "none" as the first
// item starts from no noise at all instead of base. An empty s returns
// base. Spaces around items are ignored; a name given twice is refused.
func ParseNoise(s string, base Noise) (Noise, error) {
	n := base
	if strings.TrimSpace(s) == "" {
		return n, n.Validate()
	}
	var seen [noiseCount]bool
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "none" {
			if i != 0 {
				return Noise{}, errors.New(`"none" must come first`)
			}
			n = Noise{}
			continue
		}
		name, value, ok := strings.Cut(item, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || name == "" || value == "" {
			return Noise{}, fmt.Errorf("%q is not name=rate (or none)", item)
		}
		id, known := noiseByName(name)
		if !known {
			return Noise{}, fmt.Errorf("unknown noise %q (known: %s)", name, strings.Join(NoiseNames(), ", "))
		}
		if seen[id] {
			return Noise{}, fmt.Errorf("noise %s is given twice", name)
		}
		seen[id] = true
		rate, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return Noise{}, fmt.Errorf("noise %s: %q is not a number", name, value)
		}
		if err := n.Set(name, rate); err != nil {
			return Noise{}, err
		}
	}
	return n, n.Validate()
}
