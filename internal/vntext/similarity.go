package vntext

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Weights and credits of NameSimilarity; docs/vntext.md explains the
// choices.
const (
	weightGiven   = 0.5 // tên: what a person is called, the most telling part
	weightSurname = 0.3 // họ: a handful of surnames cover most of the population
	weightMiddle  = 0.2 // tên đệm: often omitted or abbreviated in other datasets

	foldedCredit  = 0.9  // same syllable but for diacritics
	fuzzyCredit   = 0.8  // ceiling of the credit for a near-miss spelling
	missingCredit = 0.5  // a middle syllable that only one name has
	swappedCredit = 0.9  // family name written last (foreign-format forms)
	inexactMax    = 0.99 // only names equal after Normalize score 1

	maxSyllables = 8  // syllables compared per name; more are folded into the middle
	maxCompared  = 16 // runes per syllable the edit distance looks at
)

// NameMatch is the result of comparing two personal names, reported the way
// the verification service answers: exact, diacritic-insensitive and fuzzy.
type NameMatch struct {
	// Exact: the names are equal after Normalize, ignoring letter case
	// (ID cards print names in capitals; case carries no identity).
	Exact bool
	// Folded: the names are equal after Fold, that is ignoring diacritics
	// and case as well. Exact implies Folded.
	Folded bool
	// Score is NameSimilarity of the two names: 1 if and only if Exact.
	Score float64
}

// CompareNames compares two personal names. See NameMatch and
// NameSimilarity.
func CompareNames(a, b string) NameMatch {
	na, nb := Normalize(a), Normalize(b)
	if strings.EqualFold(na, nb) {
		return NameMatch{Exact: true, Folded: true, Score: 1}
	}
	return NameMatch{Folded: foldEqual(na, nb), Score: similarity(na, nb)}
}

// NameSimilarity returns how alike two personal names are, from 0 (nothing
// in common) to 1 (equal after Normalize, ignoring case). It is symmetric.
//
// Both names are normalised and cut into syllables at spaces and hyphens;
// the first syllable is the surname, the last the given name, the rest the
// middle names (see SplitName). Two syllables score 1 if equal ignoring
// case, 0.9 if equal after Fold (diacritics lost or wrong), up to 0.8 for a
// small edit distance between their folded forms (one edit per three
// letters), else 0. The given name weighs 0.5, the surname 0.3 and the
// middle names together 0.2; parts neither name has are left out of the
// weighting. Middle names are aligned in order, so a middle name present on
// one side only costs half its share ("Nguyễn Văn An" against "Nguyễn An"
// scores 0.9). A name written family-name-last ("Văn An Nguyễn", as foreign
// forms and passports' machine-readable zones do) is recognised at 0.9 of
// the score it would have in Vietnamese order.
func NameSimilarity(a, b string) float64 {
	return similarity(Normalize(a), Normalize(b))
}

// similarity is NameSimilarity of two normalised names.
func similarity(a, b string) float64 {
	if strings.EqualFold(a, b) {
		return 1
	}
	if a > b {
		a, b = b, a // one order of evaluation, so the score is exactly symmetric
	}
	var sa, sb syllables
	sa.split(a)
	sb.split(b)
	if sa.n == 0 || sb.n == 0 {
		return 0
	}
	score := sequenceScore(&sa, false, &sb, false)
	// A family name written last is tried only when it matches the other
	// name's first syllable at all.
	if score < swappedCredit && sa.n > 1 && sb.n > 1 {
		if syllableScore(sa.syl[sa.n-1], sb.syl[0]) > 0 {
			score = max(score, swappedCredit*sequenceScore(&sa, true, &sb, false))
		}
		if syllableScore(sa.syl[0], sb.syl[sb.n-1]) > 0 {
			score = max(score, swappedCredit*sequenceScore(&sa, false, &sb, true))
		}
	}
	return min(score, inexactMax)
}

// syllables are the syllables of a normalised name, split at spaces and
// hyphens. Beyond maxSyllables, the extra middle syllables are dropped: the
// last syllable is always kept.
type syllables struct {
	n   int
	syl [maxSyllables]string
}

func (s *syllables) split(name string) {
	for name != "" {
		i := strings.IndexAny(name, " -")
		tok := name
		if i >= 0 {
			tok, name = name[:i], name[i+1:]
		} else {
			name = ""
		}
		if tok == "" {
			continue
		}
		if s.n == maxSyllables {
			s.syl[maxSyllables-1] = tok
			continue
		}
		s.syl[s.n] = tok
		s.n++
	}
}

// at returns syllable k, reading the name with its last syllable moved to
// the front when rotated.
func (s *syllables) at(k int, rotated bool) string {
	if rotated {
		if k == 0 {
			return s.syl[s.n-1]
		}
		return s.syl[k-1]
	}
	return s.syl[k]
}

// sequenceScore weighs the syllable scores of the surname, middle names and
// given name of a and b.
func sequenceScore(a *syllables, ra bool, b *syllables, rb bool) float64 {
	total := weightGiven * syllableScore(a.at(a.n-1, ra), b.at(b.n-1, rb))
	weight := weightGiven
	if a.n > 1 || b.n > 1 {
		weight += weightSurname
		if a.n > 1 && b.n > 1 {
			total += weightSurname * syllableScore(a.at(0, ra), b.at(0, rb))
		}
	}
	ma, mb := max(a.n-2, 0), max(b.n-2, 0)
	if ma > 0 || mb > 0 {
		weight += weightMiddle
		total += weightMiddle * middleScore(a, ra, ma, b, rb, mb)
	}
	return total / weight
}

// middleScore aligns the ma and mb middle syllables in order (a weighted
// longest common subsequence) and credits the syllables only the longer
// list has at missingCredit.
func middleScore(a *syllables, ra bool, ma int, b *syllables, rb bool, mb int) float64 {
	var dp [maxSyllables - 1][maxSyllables - 1]float64
	for i := 1; i <= ma; i++ {
		for j := 1; j <= mb; j++ {
			best := max(dp[i-1][j], dp[i][j-1])
			if v := dp[i-1][j-1] + syllableScore(a.at(i, ra), b.at(j, rb)); v > best {
				best = v
			}
			dp[i][j] = best
		}
	}
	long, short := max(ma, mb), min(ma, mb)
	return (dp[ma][mb] + missingCredit*float64(long-short)) / float64(long)
}

// syllableScore compares two normalised syllables.
func syllableScore(x, y string) float64 {
	if strings.EqualFold(x, y) {
		return 1
	}
	var bx, by [32]byte
	fx, fy := appendFold(bx[:0], x), appendFold(by[:0], y)
	if bytes.Equal(fx, fy) {
		return foldedCredit
	}
	d, n := editDistance(fx, fy)
	if d > max(1, n/3) {
		return 0
	}
	return fuzzyCredit * (1 - float64(d)/float64(n))
}

// editDistance returns the optimal string alignment distance (Levenshtein
// plus transposition of neighbours) between the runes of x and y, and the
// length of the longer, each cut to maxCompared runes.
func editDistance(x, y []byte) (dist, longest int) {
	var rx, ry [maxCompared]rune
	a, b := rx[:toRunes(&rx, x)], ry[:toRunes(&ry, y)]
	var rows [3][maxCompared + 1]uint8
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := range len(b) + 1 {
		prev[j] = uint8(j)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = uint8(i)
		for j := 1; j <= len(b); j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[len(b)]), max(len(a), len(b))
}

func toRunes(dst *[maxCompared]rune, s []byte) int {
	n := 0
	for len(s) > 0 && n < len(dst) {
		r, size := rune(s[0]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(s)
		}
		dst[n] = r
		n++
		s = s[size:]
	}
	return n
}

// foldEqual reports whether Fold(a) == Fold(b) without allocating for
// names of ordinary length.
func foldEqual(a, b string) bool {
	var ba, bb [128]byte
	return bytes.Equal(appendFold(ba[:0], a), appendFold(bb[:0], b))
}
