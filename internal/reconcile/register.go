package reconcile

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// Register is the snapshot of the register a run matches against: what
// matching compares of each citizen, compact, with the lookups by number
// and the blocking keys. It is built once at the start of a run
// (Load) and only read after, by every worker at once.
type Register struct {
	units  *adminunit.Directory
	people []person
	names  []byte // the normalised full names, back to back
	// byOld maps an old ID number to its holder, or to -1 when several
	// citizens hold it (a number that names no one for certain).
	byOld map[uint64]int32
	// blockKeys holds the blocking keys of every citizen, sorted, and
	// blockWho the citizen of each: the citizens sharing a key are one
	// run. (Two slices rather than one of pairs: 12 bytes a key, not 16.)
	blockKeys []uint64
	blockWho  []int32
	// nameCount counts the citizens of each folded full name, for the
	// term-frequency adjustment: agreeing on a rare name says more.
	nameCount map[uint64]uint32
	provinces []string // 2025 province codes; a person's province indexes it
	province  map[string]uint16
	// places caches the resolution of addresses' units (readAddress).
	places    sync.Map
	placesLen atomic.Int64
}

// person is one citizen, as matching sees them.
type person struct {
	pid      uint64
	oldID    uint64
	phone    uint64 // the digits of the national form, 0 if none
	nameOff  uint32
	nameLen  uint16
	dob      packedDate
	death    packedDate
	commune  int32  // 2025 commune code of the permanent address, 0 if none
	province uint16 // index in Register.provinces + 1, 0 if none
	gender   pid.Gender
	deceased bool
	names    nameKeys
}

type blockEntry struct {
	key uint64
	who int32
}

// seed keys every hash of a run; the keys live only in memory.
var seed = maphash.MakeSeed()

func hashString(s string) uint64 { return maphash.String(seed, s) }

// mix combines two hashes into one (the finaliser of SplitMix64 over
// their product and sum).
func mix(a, b uint64) uint64 {
	x := a*0x9e3779b97f4a7c15 ^ b
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	return x
}

// nameKeys are the folded forms of a name that blocking and comparison
// use: "NGUYEN VAN  an" and "Nguyễn Văn An" have the same keys.
type nameKeys struct {
	full    uint64 // the folded full name
	bag     uint64 // its syllables sorted: order does not matter
	surname uint64
	given   uint64
	parts   uint8 // how many syllables
}

func keysOf(name string) nameKeys {
	folded := vntext.Fold(name)
	if folded == "" {
		return nameKeys{}
	}
	parts := strings.Fields(folded)
	sorted := slices.Clone(parts)
	slices.Sort(sorted)
	return nameKeys{
		full:    hashString(folded),
		bag:     hashString(strings.Join(sorted, " ")),
		surname: hashString(parts[0]),
		given:   hashString(parts[len(parts)-1]),
		parts:   uint8(min(len(parts), 255)),
	}
}

// The kinds of blocking key. A record is compared with every citizen
// that shares one of its keys, so the keys together must catch every
// kind of noise the datasets carry; each alone is narrow enough that a
// block stays small.
const (
	blockNameYear     = iota + 1 // folded full name + year of birth
	blockBagDate                 // syllables in any order + full date of birth
	blockEndsDate                // surname + given name + full date (middle names differ)
	blockGivenDate               // given name + full date + province (surname mistyped)
	blockPhone                   // phone number
	blockGivenYearCom            // given name + year + commune (dates mistyped)
)

func blockKey(kind int, parts ...uint64) uint64 {
	h := uint64(kind)
	for _, p := range parts {
		h = mix(h, p)
	}
	return h
}

func dateKey(d registry.Date) uint64 { return uint64(d.Year)<<16 | uint64(d.Month)<<8 | uint64(d.Day) }

// keys appends p's blocking keys to dst.
func (p *person) keys(dst []uint64) []uint64 {
	n, dob := p.names, p.dob.date()
	if n.full != 0 && dob.Year != 0 {
		dst = append(dst, blockKey(blockNameYear, n.full, uint64(dob.Year)))
	}
	if n.full != 0 && dob.Full() {
		d := dateKey(dob)
		dst = append(dst, blockKey(blockBagDate, n.bag, d), blockKey(blockEndsDate, n.surname, n.given, d),
			blockKey(blockGivenDate, n.given, d, uint64(p.province)))
	}
	if p.phone != 0 {
		dst = append(dst, blockKey(blockPhone, p.phone))
	}
	if n.full != 0 && dob.Year != 0 && p.commune != 0 {
		dst = append(dst, blockKey(blockGivenYearCom, n.given, uint64(dob.Year), uint64(p.commune)))
	}
	return dst
}

// packedDate is a possibly partial date in 32 bits: year, month, day.
type packedDate uint32

func packDate(d registry.Date) packedDate {
	if d.Year < 0 || d.Year > 1<<20 || d.Month < 0 || d.Month > 12 || d.Day < 0 || d.Day > 31 {
		return 0
	}
	return packedDate(d.Year<<9 | d.Month<<5 | d.Day)
}

func (p packedDate) date() registry.Date {
	return registry.Date{Year: int(p >> 9), Month: int(p>>5) & 15, Day: int(p) & 31}
}

// Load builds the snapshot from every citizen each gives (a store's
// EachCitizenBrief), reporting progress to progress (may be nil) every
// 100,000 citizens.
func Load(ctx context.Context, units *adminunit.Directory, each func(context.Context, func(registry.Citizen) error) error, progress func(n int)) (*Register, error) {
	r := &Register{
		units: units, byOld: map[uint64]int32{},
		nameCount: map[uint64]uint32{}, province: map[string]uint16{},
	}
	for _, p := range units.Provinces(adminunit.Era2025) {
		r.provinces = append(r.provinces, p.Code)
		r.province[p.Code] = uint16(len(r.provinces))
	}
	err := each(ctx, func(c registry.Citizen) error {
		if c.Status == registry.StatusMerged {
			return nil // merged into another number: that one answers
		}
		n := c.PID.Uint64()
		if n == pid.InvalidUint64 {
			return nil
		}
		p := person{pid: n, dob: packDate(c.DateOfBirth), death: packDate(c.DateOfDeath), gender: c.Gender,
			deceased: c.Status == registry.StatusDeceased}
		if k, ok := digits(c.OldIDNumber); ok {
			p.oldID = k
		}
		if k, ok := phoneKey(c.Phone); ok {
			p.phone = k
		}
		name := vntext.Normalize(c.FullName)
		p.nameOff, p.nameLen = uint32(len(r.names)), uint16(min(len(name), 1<<16-1))
		r.names = append(r.names, name[:p.nameLen]...)
		p.names = keysOf(name)
		p.commune, p.province = r.place(c.PermanentAddress)
		r.people = append(r.people, p)
		if progress != nil && len(r.people)%100_000 == 0 {
			progress(len(r.people))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load the register: %w", err)
	}
	// The store gives the citizens in no set order; in the order of their
	// numbers, a run is repeatable (the random pairs that fit the model
	// are drawn by position).
	slices.SortFunc(r.people, func(a, b person) int { return cmp.Compare(a.pid, b.pid) })
	var keys []uint64
	var blocks []blockEntry
	for i := range r.people {
		p, who := &r.people[i], int32(i)
		if p.oldID != 0 {
			if _, dup := r.byOld[p.oldID]; dup {
				r.byOld[p.oldID] = -1
			} else {
				r.byOld[p.oldID] = who
			}
		}
		if p.names.full != 0 {
			r.nameCount[p.names.full]++
		}
		keys = p.keys(keys[:0])
		for _, k := range keys {
			blocks = append(blocks, blockEntry{k, who})
		}
	}
	slices.SortFunc(blocks, func(a, b blockEntry) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.who, b.who)
	})
	r.blockKeys, r.blockWho = make([]uint64, len(blocks)), make([]int32, len(blocks))
	for i, e := range blocks {
		r.blockKeys[i], r.blockWho[i] = e.key, e.who
	}
	return r, nil
}

// Len is how many citizens the snapshot holds.
func (r *Register) Len() int { return len(r.people) }

// place is the 2025 commune and province of an address of either era.
func (r *Register) place(a registry.Address) (int32, uint16) {
	if a.CommuneCode == "" {
		return 0, 0
	}
	u, ok := r.units.Commune(a.Era, a.CommuneCode)
	if !ok {
		return 0, 0
	}
	if a.Era != adminunit.Era2025 {
		current := r.units.NewUnitsFor(a.CommuneCode)
		if len(current) == 0 {
			return 0, 0
		}
		u = current[0]
	}
	code, _ := strconv.Atoi(u.Code)
	prov, ok := r.units.ProvinceOf(u)
	if !ok {
		return int32(code), 0
	}
	return int32(code), r.province[prov.Code]
}

// block calls fn with every citizen holding key.
func (r *Register) block(key uint64, fn func(who int32)) {
	i, _ := slices.BinarySearch(r.blockKeys, key)
	for ; i < len(r.blockKeys) && r.blockKeys[i] == key; i++ {
		fn(r.blockWho[i])
	}
}

// find is the citizen holding number: the snapshot is in the order of
// numbers, so a binary search needs no map (a map of 100 million numbers
// would take about 4 GB more).
func (r *Register) find(number uint64) (int32, bool) {
	i, ok := slices.BinarySearchFunc(r.people, number, func(p person, n uint64) int { return cmp.Compare(p.pid, n) })
	return int32(i), ok
}

func (r *Register) name(p *person) string {
	return string(r.names[p.nameOff : p.nameOff+uint32(p.nameLen)])
}

// nameFrequency is the share of citizens called by the folded full name.
func (r *Register) nameFrequency(full uint64) float64 {
	if len(r.people) == 0 {
		return 0
	}
	return float64(r.nameCount[full]) / float64(len(r.people))
}

// digits reads a number of 9 or 12 digits.
func digits(s string) (uint64, bool) {
	if len(s) != 9 && len(s) != 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// phoneKey reads a phone number in national form ("0912345678") or
// international ("+84912345678") into the digits after the leading 0.
func phoneKey(s string) (uint64, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "+84"):
		s = s[3:]
	case strings.HasPrefix(s, "0"):
		s = s[1:]
	default:
		return 0, false
	}
	if len(s) < 8 || len(s) > 10 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n != 0
}
