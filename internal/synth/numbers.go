package synth

import (
	"fmt"
	"strconv"
	"strings"

	"dancu/internal/vntext"
)

// Numbers that must be unique (PIDs, phone numbers, old ID numbers) are
// unique by construction rather than by remembering what was issued: the
// k-th number of a block is perm(k) for a keyed pseudo-random permutation
// of the block — a bijection, so a counter per block is all the state
// needed, and the numbers still look random.

// permutation is a keyed bijection of [0, n): a four-round Feistel network
// on the smallest even number of bits that covers n, walking the cycle
// until the value falls inside [0, n) (on average fewer than four steps).
type permutation struct {
	n    uint64
	half uint // bits per Feistel half
	key  uint64
}

func newPermutation(n, key uint64) permutation {
	half := uint(1)
	for uint64(1)<<(2*half) < n {
		half++
	}
	return permutation{n: n, half: half, key: key}
}

func (p permutation) apply(x uint64) uint64 {
	mask := uint64(1)<<p.half - 1
	for {
		l, r := x>>p.half, x&mask
		for round := uint64(0); round < 4; round++ {
			l, r = r, l^(splitmix(r^p.key^round<<56)&mask)
		}
		x = l<<p.half | r
		if x < p.n {
			return x
		}
	}
}

// serialSpace is the size of a PID block: the six random digits.
const serialSpace = 1_000_000

// pidCounters counts the numbers issued per block of (province, century
// and gender digit, two-digit year): 100 × 4 × 100 counters, since births
// run from 1900 to 2099.
type pidCounters struct {
	seed uint64
	n    [100 * 4 * 100]uint32
}

// next returns a new PID for a birth registered in the province with the
// three-digit prefix (0 + pre-2025 code), of gender, born in year.
func (c *pidCounters) next(prefix string, male bool, year int) string {
	prov := int(prefix[1]-'0')*10 + int(prefix[2]-'0')
	digit := (year - 1900) / 100 * 2
	if !male {
		digit++
	}
	yy := year % 100
	block := (prov*4+digit)*100 + yy
	k := c.n[block]
	if k >= serialSpace {
		// Count is capped far below what any block could hold (MaxCount).
		panic(fmt.Sprintf("synth: PID block %s%d%02d exhausted", prefix, digit, yy))
	}
	c.n[block]++
	serial := newPermutation(serialSpace, splitmix(c.seed^uint64(block))).apply(uint64(k))
	var b [12]byte
	b[0], b[1], b[2] = prefix[0], prefix[1], prefix[2]
	b[3] = byte('0' + digit)
	b[4], b[5] = byte('0'+yy/10), byte('0'+yy%10)
	for i := 11; i >= 6; i-- {
		b[i] = byte('0' + serial%10)
		serial /= 10
	}
	return string(b[:])
}

// mobilePrefixes are the three-digit prefixes of Vietnam's mobile networks
// since the 2018 renumbering: Viettel 032–039, 086, 096–098; Vinaphone
// 081–085, 088, 091, 094; MobiFone 070, 076–079, 089, 090, 093;
// Vietnamobile 052, 056, 058, 092; Gmobile 059, 099; Itelecom 087; Reddi
// 055.
var mobilePrefixes = []string{
	"032", "033", "034", "035", "036", "037", "038", "039",
	"052", "055", "056", "058", "059",
	"070", "076", "077", "078", "079",
	"081", "082", "083", "084", "085", "086", "087", "088", "089",
	"090", "091", "092", "093", "094", "096", "097", "098", "099",
}

// phoneCounter issues mobile numbers: the k-th is a permutation of k over
// every prefix's ten million numbers.
type phoneCounter struct {
	perm permutation
	n    uint64
}

func newPhoneCounter(seed uint64) phoneCounter {
	return phoneCounter{perm: newPermutation(uint64(len(mobilePrefixes))*10_000_000, seed)}
}

func (c *phoneCounter) next() string {
	x := c.perm.apply(c.n)
	c.n++
	p := mobilePrefixes[x/10_000_000]
	sub := x % 10_000_000
	var b [10]byte
	b[0], b[1], b[2] = p[0], p[1], p[2]
	for i := 9; i >= 3; i-- {
		b[i] = byte('0' + sub%10)
		sub /= 10
	}
	return string(b[:])
}

// oldIDSeries gives the first two digits of the old 9-digit identity card
// (chứng minh nhân dân) by pre-2025 province: each province's police
// issued from its own series (01 Hà Nội, 02 Hồ Chí Minh City, 03 Hải
// Phòng …; neighbouring provinces that were one province when the series
// were set share one). The list follows the commonly quoted table; it is
// not checked against an official source.
var oldIDSeries = map[string]string{
	"01": "01", "79": "02", "31": "03", "11": "04", "12": "04", "14": "05", "10": "06", "15": "06",
	"02": "07", "08": "07", "20": "08", "04": "08", "19": "09", "06": "09", "22": "10", "17": "11",
	"24": "12", "27": "12", "25": "13", "26": "13", "30": "14", "33": "14", "34": "15", "36": "16",
	"35": "16", "37": "16", "38": "17", "40": "18", "42": "18", "44": "19", "45": "19", "46": "19",
	"48": "20", "49": "20", "51": "21", "52": "21", "54": "22", "56": "22", "62": "23", "64": "23",
	"66": "24", "67": "24", "68": "25", "58": "26", "60": "26", "75": "27", "77": "27", "74": "28",
	"70": "28", "72": "29", "80": "30", "82": "31", "83": "32", "86": "33", "84": "33", "87": "34",
	"89": "35", "92": "36", "93": "36", "94": "36", "91": "37", "96": "38", "95": "38",
}

type oldIDCounters struct {
	seed uint64
	n    [100]uint32
}

// next returns a new 9-digit old ID number of series (two digits).
func (c *oldIDCounters) next(series string) string {
	s := int(series[0]-'0')*10 + int(series[1]-'0')
	k := uint64(c.n[s])
	c.n[s]++
	x := newPermutation(10_000_000, splitmix(c.seed^uint64(s))).apply(k)
	var b [9]byte
	b[0], b[1] = series[0], series[1]
	for i := 8; i >= 2; i-- {
		b[i] = byte('0' + x%10)
		x /= 10
	}
	return string(b[:])
}

// uuid formats 16 random bytes as a version 4 UUID.
func uuid(r rng) string {
	hi, lo := r.u64(), r.u64()
	hi = hi&^(0xf<<12) | 0x4<<12       // version 4
	lo = lo&^(0x3<<62) | uint64(2)<<62 // variant 10
	const hexdigits = "0123456789abcdef"
	var b [36]byte
	j := 0
	put := func(v uint64, from, to int) {
		for i := from; i < to; i++ {
			b[j] = hexdigits[v>>(60-4*uint(i))&0xf]
			j++
		}
	}
	put(hi, 0, 8)
	b[j] = '-'
	j++
	put(hi, 8, 12)
	b[j] = '-'
	j++
	put(hi, 12, 16)
	b[j] = '-'
	j++
	put(lo, 0, 4)
	b[j] = '-'
	j++
	put(lo, 4, 16)
	return string(b[:])
}

var emailDomains = []string{"gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com",
	"gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com"}

// email makes an address from a name the way people do ("hungnv1990",
// "nguyen.van.hung", "hungnguyen90"), with a counter n to keep it unique.
func email(r rng, surname, middle, given string, year int, n uint64) string {
	s, m, g := asciiWord(surname), asciiWord(middle), asciiWord(given)
	b := make([]byte, 0, 48)
	switch r.intn(3) {
	case 0:
		b = append(b, g...)
		b = appendInitials(b, surname)
		b = appendInitials(b, middle)
		b = strconv.AppendInt(b, int64(year), 10)
	case 1:
		b = append(b, s...)
		if m != "" {
			b = append(append(b, '.'), m...)
		}
		b = append(append(b, '.'), g...)
	default:
		b = append(append(b, g...), s...)
		b = append(b, byte('0'+year/10%10), byte('0'+year%10))
	}
	b = strconv.AppendUint(append(b, '.'), n, 10)
	b = append(append(b, '@'), emailDomains[r.intn(len(emailDomains))]...)
	return string(b)
}

// appendInitials appends the folded first letter of each word of s.
func appendInitials(b []byte, s string) []byte {
	for _, w := range strings.Fields(s) {
		if f := asciiWord(w); f != "" {
			b = append(b, f[0])
		}
	}
	return b
}

// asciiWord folds a name to lower-case ASCII letters without spaces.
func asciiWord(s string) string {
	f := vntext.Fold(s)
	out := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		if c := f[i]; c >= 'a' && c <= 'z' {
			out = append(out, c)
		}
	}
	return string(out)
}
