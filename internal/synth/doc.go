// Package synth generates a synthetic population register: deterministic,
// streaming, realistic records (registry.Record) of Vietnamese citizens in
// households, for loading tests, benchmarks and demonstrations. No record
// describes a real person.
//
// # Use
//
//	dir, _ := adminunit.Load()
//	g, err := synth.New(dir, synth.Config{Seed: 1, Count: 10_000_000})
//	for r, ok := g.Next(); ok; r, ok = g.Next() { … }
//
// The same Config gives the same records, byte for byte; Today (default
// 2026-07-01, never the wall clock) is the reference date for ages. Memory
// stays constant: only the current family cluster is held, and numbers
// that must be unique (personal identification numbers, phone numbers,
// old ID numbers) are unique by construction, the k-th number of a block
// being a keyed permutation of k (numbers.go).
//
// Every record passes the register's import rules: names in normal form,
// the PID encoding the gender, the year of birth and the pre-2025 province
// of the birth registration (a 2025 commune counting as the province of
// the communes it was formed from, as registry does), parents of the right
// gender born at least 16 years before their children, dates never after
// Today, addresses written as a street and adminunit's Format of a commune
// that ParseFormatted reads back to that commune.
//
// # Model
//
// A cluster is an extended family (family.go). A founding couple is born
// in a year drawn from a fixed distribution (1905–1984); their children,
// grandchildren and later generations follow from demographic rates —
// completed fertility by the mother's cohort, the sex ratio at birth,
// child and adult mortality (Gompertz–Makeham, with the war deaths of the
// 1946–1975 cohorts), age at marriage, divorce — and each descendant who
// marries brings in a spouse, a third of the time with the spouse's parents
// and younger siblings. The living are sorted into households (households.go): every
// couple, widowed or divorced adult a unit; never-married children with
// their parents (a few on their own); newlyweds for a few years with the
// groom's parents; elderly parents, more so the widowed and the very old,
// with a married child. The head is the oldest man under 75 who is or was
// married (now and then his wife), else such a woman, else the oldest
// adult; relations to the head follow from the family tree. Households of
// one cluster are often linked: a married son's household lists the
// parents of the household next door as his father_pid and mother_pid.
//
// The register holds the people who died since 2019, when the data of the
// national population database were collected (it went live in 2021):
// they come as records with status deceased, their marital status as it
// was at death and no household; a living person's father_pid or
// mother_pid may name one. People who died earlier have no record, and the
// parent fields that would name them are empty.
//
// Households live in real communes, provinces weighted by their
// population and communes drawn evenly within a province; most families
// stay in their commune, some move within the province or to another.
// About 5 % of households have their permanent address still in the
// units before the 2025 reorganisation (so do the dead who died before
// 2025-07-01); some 7 % of adults, mostly young and mostly from the
// Mekong Delta and the North Central Coast, work in an industrial
// province — Hồ Chí Minh City (with the former Bình Dương), Hà Nội, Đồng
// Nai, Bắc Ninh — and have a temporary and current address there.
//
// # Figures and their sources
//
//   - Age pyramid: 23 % under 15, 68 % aged 15–64, 9 % 65 and over
//     (General Statistics Office, 2019 census and 2024 estimates); mean
//     household size 3.5 (census 2019: 3.6). The founders' birth years
//     were tuned to reproduce them (see TestDistributions).
//   - Fertility, sex ratio at birth (105 until the late 1990s, 112 since
//     2010), life expectancy (71.0 men, 76.3 women), age at first marriage
//     (27.2 men, 23.1 women): 2019 census; child mortality: UN IGME.
//   - Population and ethnic composition of the 63 pre-2025 provinces: 2019
//     census (places.go); Kinh 85.3 % nationally, the table's main
//     minorities giving 86.6 % (smaller groups are left out).
//   - Religion: 2019 census totals (13.7 % with a religion), split by
//     region by estimate.
//   - Surnames: the shares of surnames.csv (published surveys, as quoted in
//     the Wikipedia article "Vietnamese name"), the remaining 10 % spread
//     over further Kinh surnames; minorities partly bear their own
//     (Giàng, Thào for the Mông, Thạch, Sơn for the Khmer …), the Kinh
//     weights compensating so that the population matches the shares.
//   - Middle and given names: the vietnamese-namedb tables (data/SOURCE.md),
//     weighted by their counts so that common names collide as in life;
//     the shares of Văn and Thị by birth cohort are estimates.
//   - Mobile prefixes: the networks' ranges since the 2018 renumbering;
//     ABO blood groups: National Institute of Hematology and Blood
//     Transfusion; identity cards: Law on Identification 2023, Art. 21.
//
// Values marked "estimate" in demography.go have no published source and
// were chosen to give the documented shapes.
//
// # Fields
//
// other_names is never set. current_address is set only for migrants (and
// is then their temporary address). legal_representative_pid is set only
// for minors who live with neither parent. Record texts are normalised as
// the register stores them, so an import followed by an export gives the
// same records back.
package synth
