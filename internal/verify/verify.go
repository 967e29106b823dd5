// Package verify is the verification engine: connected agencies (banks,
// telecoms, ministries) send what they hold about a person and learn, field
// by field, whether it agrees with the population register — never what
// the register holds.
//
// Answers come from an in-memory Index of every citizen, compact (about a
// hundred bytes a citizen) and keyed by personal identification number, so
// that no request waits on the database. Build fills the index from the
// register at start; Follow keeps it current from the register's events,
// including changes written by other processes. The matching rules of each
// field are in docs/verify.md. The package knows no HTTP and no database:
// it reads the register through the ChangeSource it is given.
package verify

import (
	"bytes"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// Verify answers a request, which must have passed Validate (a request
// that did not is answered as well as it can be, never with a panic). A
// request with a pid finds the citizen by it; one with only an old ID
// number finds the one citizen holding that number. It reads nothing but
// the index.
func (ix *Index) Verify(req Request) Result {
	var h held
	var number pid.PID
	found := false
	switch {
	case given(req.PID):
		if p, err := pid.Parse(req.PID); err == nil {
			number = p
			found = ix.lookup(p.Uint64(), &h)
		}
	case given(req.OldIDNumber):
		if k, ok := oldIDKey(strings.TrimSpace(req.OldIDNumber)); ok && ix.byOldID(k, &h) {
			found = true
			number, _ = pid.FromUint64(h.pid)
		}
	}
	if !found || h.flags&flagMerged != 0 {
		return Result{Result: ResultNotFound, Fields: map[string]FieldResult{}}
	}
	res := Result{Result: ResultMatch, Fields: make(map[string]FieldResult, 8), Deceased: h.flags&flagDeceased != 0, PID: number}
	set := func(field string, r FieldResult) {
		res.Fields[field] = r
		if r.Verdict == Mismatch {
			res.Result = ResultMismatch
		}
	}
	if given(req.PID) {
		set(FieldPID, FieldResult{Verdict: Match})
	}
	if given(req.OldIDNumber) {
		set(FieldOldIDNumber, matchOldID(&h, req.OldIDNumber))
	}
	if given(req.FullName) {
		set(FieldFullName, matchName(h.name, req.FullName))
	}
	if given(req.DateOfBirth) {
		set(FieldDateOfBirth, matchDate(h.dob, req.DateOfBirth))
	}
	if given(req.Gender) {
		set(FieldGender, matchGender(h.gender(), req.Gender))
	}
	if given(req.IDCardIssueDate) {
		set(FieldIDCardIssueDate, matchDate(h.card, req.IDCardIssueDate))
	}
	if given(req.PermanentAddress) {
		set(FieldPermanentAddress, ix.matchAddress(&h, req.PermanentAddress))
	}
	if given(req.Phone) {
		set(FieldPhone, matchPhone(&h, req.Phone))
	}
	return res
}

func verdict(ok bool) FieldResult {
	if ok {
		return FieldResult{Verdict: Match}
	}
	return FieldResult{Verdict: Mismatch}
}

// nameScores backs the three pointers of a full_name result with one
// allocation.
type nameScores struct {
	exact, folded bool
	score         float64
}

// matchName compares the register's name (normalised) with the request's:
// a match only when equal after normalisation (vntext.Normalize: NFC, tone
// marks on their canonical vowel, white space) and ignoring letter case.
// The result also says whether the names are equal without diacritics and
// how similar they are, for the agency's own policy.
func matchName(held []byte, given string) FieldResult {
	var s *nameScores
	// Most names come normalised already; Normalize only when the text
	// as given differs.
	if equalFold(held, given) {
		s = &nameScores{exact: true, folded: true, score: 1}
	} else if g := vntext.Normalize(given); equalFold(held, g) {
		s = &nameScores{exact: true, folded: true, score: 1}
	} else {
		m := vntext.CompareNames(string(held), given)
		// Three decimals are all a policy needs; more only shows float noise.
		s = &nameScores{exact: m.Exact, folded: m.Folded, score: math.Round(m.Score*1000) / 1000}
	}
	r := FieldResult{Verdict: Mismatch, Exact: &s.exact, Folded: &s.folded, Score: &s.score}
	if s.exact {
		r.Verdict = Match
	}
	return r
}

// equalFold reports whether b and s are equal ignoring letter case, as
// strings.EqualFold does for Vietnamese letters, without converting b.
func equalFold(b []byte, s string) bool {
	for len(b) > 0 && len(s) > 0 {
		x, y := b[0], s[0]
		if x < utf8.RuneSelf && y < utf8.RuneSelf {
			if x != y && lowerASCII(x) != lowerASCII(y) {
				return false
			}
			b, s = b[1:], s[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		q, m := utf8.DecodeRuneInString(s)
		if r != q && unicode.ToLower(r) != unicode.ToLower(q) {
			return false
		}
		b, s = b[n:], s[m:]
	}
	return len(b) == 0 && len(s) == 0
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// matchDate compares a packed register date with the request's on the
// parts both hold (see datesAgree). held 0 is a date the register does not
// hold.
func matchDate(held uint32, given string) FieldResult {
	if held == 0 {
		return FieldResult{Verdict: NotHeld}
	}
	d, err := registry.ParseDate(strings.TrimSpace(given))
	if err != nil {
		return FieldResult{Verdict: Mismatch}
	}
	return verdict(datesAgree(held, packDate(d)))
}

func matchGender(held pid.Gender, given string) FieldResult {
	if held != pid.Male && held != pid.Female {
		return FieldResult{Verdict: NotHeld}
	}
	g, ok := parseGender(given)
	return verdict(ok && g == held)
}

func matchPhone(h *held, given string) FieldResult {
	if h.flags&flagPhone == 0 {
		return FieldResult{Verdict: NotHeld}
	}
	p, err := checkPhone(given)
	return verdict(err == nil && p == h.phone)
}

func matchOldID(h *held, given string) FieldResult {
	if h.flags&flagOldID == 0 {
		return FieldResult{Verdict: NotHeld}
	}
	k, ok := oldIDKey(strings.TrimSpace(given))
	return verdict(ok && k == h.oldID)
}

// matchAddress compares the register's permanent address with the
// request's: their communes must agree, in either era (see
// communes.agree), and their streets, when both have one, must be equal
// once normalised (appendStreetKey). An address the index cannot read to
// one commune is a mismatch.
func (ix *Index) matchAddress(h *held, given string) FieldResult {
	if h.commune == 0 {
		return FieldResult{Verdict: NotHeld}
	}
	// Addresses written the way dancu writes them, in normalised text,
	// are read by table lookup without normalising them first.
	commune, street, ok := ix.communes.readFormatted(strings.TrimSpace(given))
	if !ok {
		commune, street, ok = ix.communes.read(vntext.Normalize(given))
	}
	if !ok || !ix.communes.agree(h.commune, commune) {
		return FieldResult{Verdict: Mismatch}
	}
	if len(h.street) == 0 || !hasStreet(street) {
		return FieldResult{Verdict: Match}
	}
	var buf [256]byte
	if bytes.Equal(h.street, appendStreetKey(buf[:0], street)) {
		return FieldResult{Verdict: Match}
	}
	return verdict(bytes.Equal(h.street, appendStreetKey(buf[:0], vntext.Normalize(street))))
}

// hasStreet reports whether a street part holds anything but separators.
func hasStreet(street string) bool {
	return strings.Trim(street, " ,.;:") != ""
}
