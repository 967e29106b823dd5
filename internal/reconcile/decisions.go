package reconcile

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"dancu/internal/pid"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
)

// Decision is an officer's decision on an ambiguous record: the citizen
// accepted as the record's, or citizens rejected. It holds for the record
// as it was when decided (Fingerprint): a record changed since is matched
// afresh.
type Decision struct {
	Fingerprint string
	Accepted    pid.PID
	Rejected    []pid.PID
}

// Decisions gives the decisions officers made on a dataset's records in
// earlier runs, by record key.
type Decisions interface {
	Decision(key string) (Decision, bool)
}

// DecisionMap is Decisions held in memory.
type DecisionMap map[string]Decision

// Decision implements Decisions.
func (m DecisionMap) Decision(key string) (Decision, bool) {
	d, ok := m[key]
	return d, ok
}

// Fingerprint identifies a record's contents: the text of every field it
// gives, as the file had it.
func Fingerprint(rec *input.Record) string {
	r := rec.Raw
	h := sha256.Sum256([]byte(strings.Join([]string{r.PID, r.OldID, r.FullName, r.DateOfBirth, r.Gender, r.Address, r.Phone}, "\x1f")))
	return hex.EncodeToString(h[:16])
}

// applyDecision applies an officer's decision on the record, if there is
// one for it as it stands: it links an accepted citizen (reporting true),
// or drops rejected ones from the candidates.
func (m *Matcher) applyDecision(out *Outcome, s *scratch) bool {
	d, ok := m.decisions.Decision(out.Record.Key)
	if !ok || d.Fingerprint != Fingerprint(&out.Record) {
		return false
	}
	if d.Accepted != "" {
		who, ok := m.reg.find(d.Accepted.Uint64())
		if !ok {
			return false // no longer in the register: match afresh
		}
		c := m.score(&s.prep, who)
		m.link(out, c)
		out.Decided = true
		return true
	}
	s.cands = slices.DeleteFunc(s.cands, func(c Candidate) bool { return slices.Contains(d.Rejected, c.PID) })
	return false
}

// precisionOf is how much of a date is known: 0 nothing, 1 the year, 2
// the month, 3 the day.
func precisionOf(d registry.Date) int {
	switch {
	case d.Year == 0:
		return 0
	case d.Month == 0:
		return 1
	case d.Day == 0:
		return 2
	}
	return 3
}
