// Package fellegi scores candidate pairs of records with the
// Fellegi–Sunter model of record linkage, its parameters estimated by
// expectation-maximisation (EM). The reconciliation job uses it to link
// agencies' records (telecom subscribers, bank customers) to citizens in
// the register; the comparisons (which level each field of a pair falls
// in) and the blocking (which pairs are candidates) are done elsewhere.
//
// # Model
//
// A pair is compared field by field (family name, date of birth,
// phone…), and each field's comparison falls in one of a few levels:
// "different", "similar", "exact"… Level 0 of every field means missing
// or not comparable and tells nothing. The comparison vector of a pair,
// packed into a Pattern, is all the model sees; millions of pairs fall in
// a few hundred patterns, so they are counted (Counts) rather than kept.
//
// Fellegi and Sunter (I. P. Fellegi and A. B. Sunter, "A Theory for
// Record Linkage", Journal of the American Statistical Association 64,
// 1969) take the pairs as a mixture of two classes, matches (a share λ of
// the pairs) and non-matches, and the fields as independent within each
// class. For field i at level l,
//
//	m[i][l] = P(field i at level l | match)
//	u[i][l] = P(field i at level l | non-match)
//
// both given that the field is not missing. The weight of a pair is the
// log-likelihood ratio, in bits, summed over its non-missing fields:
//
//	weight = Σ log2(m[i][l] / u[i][l])
//
// and its posterior probability of being a match is
//
//	P(match | weight) = 1 / (1 + 2^-(weight + log2(λ / (1-λ)))).
//
// Missing fields are left out of both classes alike: they are assumed to
// be missing as often among matches as among non-matches.
//
// # Estimation
//
// Estimate fits λ, m and u to the pattern counts by EM. Starting from
// guesses, each iteration computes for every pattern the probability that
// its pairs are matches under the current parameters (E step), then
// re-estimates λ as the expected share of matches and m and u as the
// level frequencies among pairs weighted by that probability and by its
// complement (M step). The likelihood never decreases; EM stops when no
// parameter moves by more than a tolerance. Each iteration costs one
// pass over the distinct patterns, not over the pairs.
//
// Every m and u is kept at least a floor (1e-6 by default), so that a
// level never seen in one class still has a finite weight, and λ away
// from 0 and 1. EM needs starting values that tell the classes apart: by
// default m is high on each field's exact level and u is the level
// frequencies of all the pairs, most of which are non-matches. Better
// starting values come from data: EstimateM on pairs known to match
// (linked by a verified personal identification number) and EstimateU on
// pairs drawn at random, which are non-matches with near certainty. u
// from random pairs is more reliable than EM's, and Options.FixU keeps it
// while EM estimates λ and m only. Estimate refuses a result in which
// agreeing on the exact levels is evidence against a match
// (ErrNoMatchClass): EM then found some other split of the pairs.
//
// The independence assumption is wrong for correlated fields (a name and
// a gender, an address and a phone number), and then the model counts
// the same evidence twice and is overconfident. Compare fields that are
// as independent as possible, and read probabilities close to 1 as an
// ordering rather than an exact rate.
//
// # Term-frequency adjustment
//
// Agreeing on a common value is weaker evidence than agreeing on a rare
// one: two strangers are far more likely to share "Nguyễn Văn Hùng" than a
// rare name. Following Winkler (W. E. Winkler, "Frequency-Based Matching
// in Fellegi–Sunter Model of Record Linkage", Proceedings of the Section
// on Survey Research Methods, American Statistical Association, 1989), for
// an exact agreement on a value of frequency f the adjustment replaces u
// of the exact level, an average over all values, by f itself: two
// non-matching records agree on that value with probability about f², a
// matching pair with probability about m·f, and the ratio is m/f. f is
// floored (1e-5 by default) so that a unique value, as often a typing
// error as a real rarity, cannot outweigh everything else:
//
//	adjusted weight = weight − log2(m_e/u_e) + log2(m_e / max(f, floor))
//
// See Params.TFAdjustment.
//
// # Decisions
//
// Thresholds on the posterior probability sort pairs into Link, Review
// (by a clerk) and NonLink. A false link hands a stranger's SIM card or
// bank account to someone, so the defaults favour precision: link from
// 0.9999, review from 0.9. See Thresholds.
package fellegi
