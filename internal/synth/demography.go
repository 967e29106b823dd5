package synth

import "math"

// Demographic rates. Each says where its figures come from; "estimate"
// marks a value chosen to give the right shape where no published figure
// exists.

// rootBirthYears weights the birth year of the man who founds a family
// cluster, by five-year group from 1905. The clusters' descendants, with
// the fertility and mortality below, then make up the age pyramid; the
// weights were tuned so that the living population has Vietnam's
// (see TestDistributions): 23 % under 15, 68 % aged 15–64, 9 % 65 and over
// (General Statistics Office, 2019 census and 2024 population estimates).
var rootBirthYears = []float64{
	0.3, 0.6, 1.2, 2, // 1905–1924
	3.5, 5, 6, 6.5, // 1925–1944
	6.5, 6, 5.5, 5, // 1945–1964
	4, 3, 2, 1, // 1965–1984
}

const rootFirstYear = 1905

// completedFertility is the mean number of children of a married woman by
// her birth cohort: Vietnam's total fertility rate fell from about 5 in
// the 1970s to replacement (2.1) by 2005 and has stayed near 2.0 since
// (2019 census: 2.09; 2024: 1.91, GSO).
func completedFertility(motherBorn int) float64 {
	switch {
	case motherBorn < 1940:
		return 5.5
	case motherBorn < 1950:
		return 5.0
	case motherBorn < 1960:
		return 4.0
	case motherBorn < 1970:
		return 3.0
	case motherBorn < 1980:
		return 2.3
	case motherBorn < 1990:
		return 2.1
	}
	return 1.9
}

// maleShareAtBirth is the share of boys among births of a year. The sex
// ratio at birth was near the natural 105 boys per 100 girls until the
// late 1990s and rose to about 112 by 2010, where it has stayed (2019
// census: 111.5; GSO 2023: 112.1).
func maleShareAtBirth(year int) float64 {
	srb := 105.0
	switch {
	case year >= 2010:
		srb = 112
	case year > 1999:
		srb = 105 + 7*float64(year-1999)/11
	}
	return srb / (100 + srb)
}

// infantDeathRate is the chance of dying before the fifth birthday, by
// year of birth: under-five mortality fell from about 10 % in the 1950s to
// 2 % today (UN IGME estimates for Viet Nam; rounded).
func infantDeathRate(year int) float64 {
	switch {
	case year < 1960:
		return 0.10
	case year < 1980:
		return 0.05
	case year < 2000:
		return 0.03
	}
	return 0.02
}

// Adult mortality follows a Gompertz–Makeham law, hazard c + a·e^(b·age)
// per year, with b = 0.1, typical of human populations; a and c are set so
// that life expectancy comes out near the figures of the 2019 census (at
// birth 71.0 years for men, 76.3 for women) and that men's mortality in
// late middle age is nearly twice women's, as in Vietnam's life tables:
// modal ages at death 80 (men) and 86 (women), and more accidental deaths
// of men. With the child deaths above, the model gives a life expectancy
// at birth of 70.7 and 77.1 years, at 60 of 17.6 and 22.4.
const gompertzB = 0.1

var (
	gompertzA = [2]float64{ // female, male
		gompertzB * math.Exp(-gompertzB*86), gompertzB * math.Exp(-gompertzB*80),
	}
	makehamC = [2]float64{0.0005, 0.0008}
)

// warDeathRate is the chance that a man of the cohorts that fought the
// wars of 1946–1975 died in them, at 18 to 28 (estimate: a few million
// dead; it is why Vietnam's elderly are far more women than men).
func warDeathRate(born int) float64 {
	if born >= 1920 && born <= 1957 {
		return 0.08
	}
	return 0
}

// ageAtDeath draws the age at death, in years, of someone alive at age
// from.
func ageAtDeath(r rng, male bool, from float64) float64 {
	s := 0
	if male {
		s = 1
	}
	a, c := gompertzA[s], makehamC[s]
	// Gompertz part by inversion of the conditional survival function.
	g := math.Log(math.Exp(gompertzB*from)-gompertzB/a*math.Log(1-r.float())) / gompertzB
	// Makeham part: memoryless.
	m := from + r.exp(1/c)
	return min(g, m)
}

// Marriage: the 2019 census puts the mean age at first marriage at 27.2
// for men and 23.1 for women (it was lower for those born before 1960, an
// estimate of 2.5 years); nearly everyone marries (77.5 % of those 15 and
// over had). Men are on average three to four years older than their
// wives.
func marriageAge(r rng, male bool, born int) float64 {
	mean, lo := 23.1, 18.0
	if male {
		mean, lo = 27.2, 20
	}
	if born < 1960 {
		mean -= 2.5
	}
	return math.Max(lo, math.Min(45, r.normal(mean, 3.2)))
}

const neverMarry = 0.04

// inLawParents is the chance that the parents of someone who marries into
// a cluster are part of it too (in their own household, or deceased):
// without them each generation would have only half its parents.
const inLawParents = 0.35

// divorceRate is the chance that a marriage of a year ends in divorce
// (within 2–20 years): rare before the 1990s, commoner since (estimates;
// the 2019 census counted about 2 % of adults divorced or separated).
func divorceRate(year int) float64 {
	if year < 1990 {
		return 0.02
	}
	return 0.05
}

// divorcedGoHome is the chance that a divorced son or daughter moves back
// to the parents' household (estimate).
const divorcedGoHome = 0.5

// Households. The 2019 census counted 26.9 million households of 3.6
// people on average; most of the elderly live with a married child. The
// chances below are estimates that give those shapes.

// stayHome is the chance that a never-married adult child is still
// registered in the parents' household: young people who work elsewhere
// keep their permanent registration at home and declare a temporary
// residence.
func stayHome(age int) float64 {
	switch {
	case age < 30:
		return 0.97
	case age < 40:
		return 0.9
	}
	return 0.8
}

// liveWithChild is the chance that parents (or a widowed parent) aged age
// live in the household of a married child.
func liveWithChild(age int, widowed bool) float64 {
	var p float64
	switch {
	case age < 60:
		if widowed {
			return 0.3
		}
		return 0
	case age < 70:
		p = 0.45
	case age < 80:
		p = 0.65
	default:
		p = 0.8
	}
	if widowed {
		p += 0.15
	}
	return p
}

// newlywedsStay is the chance that a son and his bride live in his
// parents' household for the first years of their marriage (estimate).
const newlywedsStay = 0.5

// newlywedYears is how long they usually do.
const newlywedYears = 6

// wifeHeads is the share of married couples whose household is registered
// with the wife as head (estimate: a quarter of Vietnamese households have
// a female head, most of them widows).
const wifeHeads = 0.12

// Migration: about 7 % of adults live in another province than the one
// they are registered in (the 2019 census counted 6.4 million people who
// had moved in the five preceding years), mostly young workers in the
// industrial zones. migrantRate is the chance by age, before the region's
// propensity (places.go); the figures are estimates.
func migrantRate(age int) float64 {
	switch {
	case age < 18:
		return 0
	case age < 25:
		return 0.12
	case age < 35:
		return 0.10
	case age < 45:
		return 0.05
	case age < 60:
		return 0.02
	}
	return 0
}

// Partial dates of birth: the register knows only the year (or year and
// month) of birth of many elderly citizens, whose births were never
// registered with a day. Estimates.
func partialBirthDate(r rng, year int) precision {
	var y, m float64
	switch {
	case year < 1945:
		y, m = 0.35, 0.05
	case year < 1960:
		y, m = 0.15, 0.04
	case year < 1975:
		y, m = 0.05, 0.02
	case year < 1990:
		y, m = 0.01, 0.005
	default:
		return precDay
	}
	switch u := r.float(); {
	case u < y:
		return precYear
	case u < y+m:
		return precMonth
	}
	return precDay
}

// Other shares (estimates unless said otherwise).
const (
	// pre2025AddressShare: households whose permanent address the register
	// still holds in the units before the 2025 reorganisation.
	pre2025AddressShare = 0.05
	// bloodTypeShare: records with a blood type.
	bloodTypeShare = 0.2
	// deathCutoffYear: the register holds the people who died since its
	// data were collected (2019–2021); those who died earlier appear in
	// no record. With the mortality above, the dead are about 5 % of the
	// records.
	deathCutoffYear = 2019
)

// missingHometown is the chance that the register lacks someone's
// hometown (quê quán), commoner for the old.
func missingHometown(year int) float64 {
	switch {
	case year < 1960:
		return 0.15
	case year < 1990:
		return 0.08
	}
	return 0.04
}

// bloodTypeWeights are the ABO frequencies in Vietnam, in the order of
// bloodTypeText: about O 42 %, B 30 %, A 21 %, AB 7 % (National Institute
// of Hematology and Blood Transfusion); Rh negative is rare (under 0.1 %).
var bloodTypeWeights = []float64{42, 30, 21, 7}
