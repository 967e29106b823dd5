package fellegi

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Default thresholds on the posterior match probability. A false link
// hands a stranger's SIM card or bank account to someone, a missed one
// only sends the record to a clerk or leaves it unlinked, so the link
// threshold is strict: by the model's own account at most 1 link in
// 10,000 is wrong, and the model, which counts correlated fields (name
// and date of birth, address and phone) as independent evidence, is
// overconfident, so the true rate is higher. Pairs from 0.9 up go to a
// clerk: more likely a match than not by a wide margin, but not enough to
// act on alone.
const (
	DefaultLink   = 0.9999
	DefaultReview = 0.9
)

// ErrInvalidThresholds reports thresholds that cannot be parsed or are
// out of range.
var ErrInvalidThresholds = errors.New("invalid thresholds")

// A Decision is what to do with a candidate pair. The zero Decision is
// NonLink, so that a decision forgotten never links.
type Decision int

// Decisions, from weakest to strongest.
const (
	NonLink Decision = iota // leave the records unlinked
	Review                  // send the pair to a clerk
	Link                    // link the records
)

// String returns "non-link", "review" or "link".
func (d Decision) String() string {
	switch d {
	case NonLink:
		return "non-link"
	case Review:
		return "review"
	case Link:
		return "link"
	}
	return "Decision(" + strconv.Itoa(int(d)) + ")"
}

// MarshalText writes the decision as String does, for JSON reports.
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Thresholds on the posterior match probability (Params.MatchProbability)
// decide each pair: Link from Link up, Review from Review up, NonLink
// below. They are on the probability rather than the weight because the
// probability takes λ into account, so the same thresholds mean the same
// risk whatever the share of matches in an agency's file; a weight
// threshold would have to be tuned again for each.
//
// A zero field means its default (DefaultLink, DefaultReview), so that
// the zero Thresholds, or a forgotten setting, never links everything.
type Thresholds struct {
	Link   float64
	Review float64
}

// DefaultThresholds returns DefaultLink and DefaultReview.
func DefaultThresholds() Thresholds {
	return Thresholds{Link: DefaultLink, Review: DefaultReview}
}

// resolved returns t with zero fields replaced by their defaults.
func (t Thresholds) resolved() Thresholds {
	if t.Link == 0 {
		t.Link = DefaultLink
	}
	if t.Review == 0 {
		t.Review = DefaultReview
	}
	return t
}

// Validate reports whether 0 < Review ≤ Link ≤ 1, after defaults.
func (t Thresholds) Validate() error {
	r := t.resolved()
	switch {
	case !(r.Link > 0 && r.Link <= 1):
		return fmt.Errorf("%w: link %v, want (0, 1]", ErrInvalidThresholds, r.Link)
	case !(r.Review > 0 && r.Review <= 1):
		return fmt.Errorf("%w: review %v, want (0, 1]", ErrInvalidThresholds, r.Review)
	case r.Review > r.Link:
		return fmt.Errorf("%w: review %v above link %v", ErrInvalidThresholds, r.Review, r.Link)
	}
	return nil
}

// Classify decides a pair by its match probability. A probability that
// is not a number is NonLink.
func (t Thresholds) Classify(prob float64) Decision {
	r := t.resolved()
	switch {
	case prob >= r.Link:
		return Link
	case prob >= r.Review:
		return Review
	}
	return NonLink
}

// String returns the thresholds as ParseThresholds reads them, e.g.
// "link=0.9999,review=0.9".
func (t Thresholds) String() string {
	r := t.resolved()
	return "link=" + strconv.FormatFloat(r.Link, 'g', -1, 64) +
		",review=" + strconv.FormatFloat(r.Review, 'g', -1, 64)
}

// Set parses s into t, so that *Thresholds is a flag.Value.
func (t *Thresholds) Set(s string) error {
	v, err := ParseThresholds(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseThresholds reads thresholds written as comma-separated key=value
// settings, e.g. "link=0.9999,review=0.9" (the form of a command-line
// flag). Keys are link and review, each at most once; a key left out
// keeps its default, and the empty string gives the defaults. Values are
// decimal probabilities in (0, 1], and review may not exceed link.
func ParseThresholds(s string) (Thresholds, error) {
	t := DefaultThresholds()
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	var seen [2]bool
	for part := range strings.SplitSeq(s, ",") {
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return Thresholds{}, fmt.Errorf("%w: %q is not key=value", ErrInvalidThresholds, part)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		x, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(x) || !(x > 0 && x <= 1) {
			return Thresholds{}, fmt.Errorf("%w: %s=%q, want a probability in (0, 1]", ErrInvalidThresholds, key, value)
		}
		var k int
		switch key {
		case "link":
			k, t.Link = 0, x
		case "review":
			k, t.Review = 1, x
		default:
			return Thresholds{}, fmt.Errorf("%w: unknown key %q (want link or review)", ErrInvalidThresholds, key)
		}
		if seen[k] {
			return Thresholds{}, fmt.Errorf("%w: %s given twice", ErrInvalidThresholds, key)
		}
		seen[k] = true
	}
	if err := t.Validate(); err != nil {
		return Thresholds{}, err
	}
	return t, nil
}
