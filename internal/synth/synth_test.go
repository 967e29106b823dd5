package synth

import (
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

var (
	dirOnce sync.Once
	dir     *adminunit.Directory
	dirErr  error
)

func units(tb testing.TB) *adminunit.Directory {
	tb.Helper()
	dirOnce.Do(func() { dir, dirErr = adminunit.Load() })
	if dirErr != nil {
		tb.Fatal(dirErr)
	}
	return dir
}

// sample is the records of one generator, made once and shared by the
// tests that only read it.
var (
	sampleOnce sync.Once
	sampleRecs []registry.Record
)

const sampleSize = 50_000

func sample(t *testing.T) []registry.Record {
	t.Helper()
	sampleOnce.Do(func() { sampleRecs = generate(t, 1, sampleSize) })
	return sampleRecs
}

func generate(tb testing.TB, seed uint64, n int) []registry.Record {
	tb.Helper()
	g, err := New(units(tb), Config{Seed: seed, Count: n})
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]registry.Record, 0, n)
	for {
		r, ok := g.Next()
		if !ok {
			return out
		}
		out = append(out, r)
	}
}

func TestNewRejects(t *testing.T) {
	d := units(t)
	for _, cfg := range []Config{
		{Count: -1},
		{Count: MaxCount + 1},
		{Count: 1, Today: registry.Date{Year: 2026}},
		{Count: 1, Today: registry.Date{Year: 1999, Month: 1, Day: 1}},
	} {
		if _, err := New(d, cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	if _, err := New(nil, Config{Count: 1}); err == nil {
		t.Error("New(nil) accepted")
	}
}

func TestDeterminism(t *testing.T) {
	const n = 20_000
	a, b, other := generate(t, 42, n), generate(t, 42, n), generate(t, 43, n)
	if len(a) != n || len(b) != n || len(other) != n {
		t.Fatalf("counts %d %d %d, want %d", len(a), len(b), len(other), n)
	}
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("record %d differs between two runs of one seed:\n%+v\n%+v", i, a[i], b[i])
		}
		if a[i] == other[i] {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d records identical across seeds 42 and 43", same)
	}
	// A shorter run is a prefix of a longer one.
	short := generate(t, 42, 777)
	if !slices.Equal(short, a[:777]) {
		t.Error("the first 777 records of a run of 777 differ from those of a longer run")
	}
	if got := generate(t, 42, 0); len(got) != 0 {
		t.Errorf("Count 0 gave %d records", len(got))
	}
}

// TestInvariants checks every record against the register's rules and the
// generator's promises.
func TestInvariants(t *testing.T) {
	d := units(t)
	recs := sample(t)
	if len(recs) != sampleSize {
		t.Fatalf("%d records, want %d", len(recs), sampleSize)
	}
	today := DefaultToday
	byPID := make(map[string]*registry.Record, len(recs))
	phones := map[string]bool{}
	oldIDs := map[string]bool{}
	emails := map[string]bool{}
	fail := func(i int, format string, a ...any) {
		t.Helper()
		if t.Failed() && testing.Short() {
			return
		}
		t.Errorf("record %d (%s): %s", i, recs[i].PID, fmt.Sprintf(format, a...))
	}
	parseDate := func(i int, field, s string) registry.Date {
		t.Helper()
		dt, err := registry.ParseDate(s)
		if err != nil {
			fail(i, "%s %q: %v", field, s, err)
			return registry.Date{}
		}
		if dt.First().After(today.First()) {
			fail(i, "%s %s is after today %s", field, s, today)
		}
		return dt
	}
	parseAddress := func(i int, field, s string) adminunit.Unit {
		t.Helper()
		_, u, ok := d.ParseFormatted(s)
		if !ok {
			fail(i, "%s %q does not read back", field, s)
		}
		return u
	}
	for i := range recs {
		r := &recs[i]
		if _, dup := byPID[r.PID]; dup {
			fail(i, "PID repeated")
		}
		byPID[r.PID] = r
		p, err := pid.Parse(r.PID)
		if err != nil {
			fail(i, "PID: %v", err)
			continue
		}
		// Text is in the register's normal form, so that an import stores
		// exactly what the file says; addresses are a normalised street and
		// the units exactly as adminunit.Format writes them.
		for j, f := range r.Fields() {
			name := registry.RecordFields[j]
			if !strings.HasSuffix(name, "_address") && !strings.HasSuffix(name, "_place") && name != "hometown" {
				if *f != vntext.Normalize(*f) {
					fail(i, "%s %q is not normalised", name, *f)
				}
				continue
			}
			if *f == "" {
				continue
			}
			street, u, ok := d.ParseFormatted(*f)
			text, _ := d.Format(u.Era, u.Code)
			if !ok || street != vntext.Normalize(street) || (street == "" && *f != text) || (street != "" && *f != street+", "+text) {
				fail(i, "%s %q is not a normalised street and the Format of its commune", name, *f)
			}
		}
		if r.FullName != vntext.NameCase(r.FullName) {
			fail(i, "full name %q is not in name case", r.FullName)
		}
		for _, c := range r.FullName {
			if !(c == ' ' || vntext.IsVietnameseLetter(c) || strings.ContainsRune("ÊêĂăÂâÔôƠơƯư", c) || c >= 'A' && c <= 'z') {
				fail(i, "full name %q holds %q", r.FullName, c)
			}
		}
		if len(strings.Fields(r.FullName)) < 2 {
			fail(i, "full name %q has fewer than two words", r.FullName)
		}
		born := parseDate(i, "date_of_birth", r.DateOfBirth)
		if r.Gender != "male" && r.Gender != "female" {
			fail(i, "gender %q", r.Gender)
		}
		if p.Gender().String() != r.Gender {
			fail(i, "PID gender %s, record %s", p.Gender(), r.Gender)
		}
		if p.BirthYear() != born.Year {
			fail(i, "PID year %d, born %s", p.BirthYear(), r.DateOfBirth)
		}
		if _, ok := registry.EthnicityName(r.Ethnicity); !ok {
			fail(i, "ethnicity %q", r.Ethnicity)
		}
		if r.Nationality != "VN" {
			fail(i, "nationality %q", r.Nationality)
		}
		switch r.BloodType {
		case "", "A", "B", "AB", "O", "A+", "B+", "AB+", "O+", "A-", "B-", "AB-", "O-":
		default:
			fail(i, "blood type %q", r.BloodType)
		}
		// The PID's province is that of the birth registration.
		br := parseAddress(i, "birth_registration_place", r.BirthRegistrationPlace)
		if want := pidProvince(d, br); p.Province() != want {
			fail(i, "PID province %s, birth registered in %s (%s)", p.Province(), r.BirthRegistrationPlace, want)
		}
		reform := registry.Date{Year: 2025, Month: 7, Day: 1}
		if (br.Era == adminunit.Era2025) != !born.First().Before(reform.First()) {
			fail(i, "born %s, birth registered in the %s map", r.DateOfBirth, br.Era)
		}
		if r.Hometown != "" {
			parseAddress(i, "hometown", r.Hometown)
		}
		for _, a := range []struct{ field, text string }{
			{"permanent_address", r.PermanentAddress}, {"temporary_address", r.TemporaryAddress}, {"current_address", r.CurrentAddress},
		} {
			if a.text != "" {
				if street, _, _ := d.ParseFormatted(a.text); street == "" {
					fail(i, "%s %q has no street", a.field, a.text)
				}
				parseAddress(i, a.field, a.text)
			}
		}
		if r.TemporaryAddress != "" {
			_, home, _ := d.ParseFormatted(r.PermanentAddress)
			_, away, _ := d.ParseFormatted(r.TemporaryAddress)
			if province2025(d, home) == province2025(d, away) {
				fail(i, "temporary address %q in the province of the permanent one %q", r.TemporaryAddress, r.PermanentAddress)
			}
		}
		if r.OldIDNumber != "" {
			if _, err := pid.ParseOldID(r.OldIDNumber); err != nil || len(r.OldIDNumber) != 9 {
				fail(i, "old ID %q: %v", r.OldIDNumber, err)
			}
			if oldIDs[r.OldIDNumber] {
				fail(i, "old ID %s repeated", r.OldIDNumber)
			}
			oldIDs[r.OldIDNumber] = true
		}
		if r.IDCardIssueDate != "" {
			issued := parseDate(i, "id_card_issue_date", r.IDCardIssueDate)
			if !issued.Full() || issued.Year < 2016 {
				fail(i, "id card issued %s", r.IDCardIssueDate)
			}
			if born.AgeOn(issued) < 14 {
				fail(i, "id card issued %s before the 14th birthday (born %s)", r.IDCardIssueDate, r.DateOfBirth)
			}
		}
		if r.Phone != "" {
			if len(r.Phone) != 10 || r.Phone[0] != '0' || !strings.ContainsRune("35789", rune(r.Phone[1])) {
				fail(i, "phone %q", r.Phone)
			}
			if phones[r.Phone] {
				fail(i, "phone %s repeated", r.Phone)
			}
			phones[r.Phone] = true
		}
		if r.Email != "" {
			if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
				fail(i, "email %q: %v", r.Email, err)
			}
			if emails[r.Email] {
				fail(i, "email %s repeated", r.Email)
			}
			emails[r.Email] = true
		}
		switch r.MaritalStatus {
		case "single", "married", "divorced", "widowed":
		default:
			fail(i, "marital status %q", r.MaritalStatus)
		}
		if (r.SpousePID != "") != (r.MaritalStatus == "married" && r.Status == "alive") {
			fail(i, "marital status %s with spouse %q", r.MaritalStatus, r.SpousePID)
		}
		switch r.Status {
		case "alive":
			if r.DateOfDeath != "" {
				fail(i, "alive with a date of death")
			}
			if r.HouseholdID == "" || r.RelationToHead == "" || r.PermanentAddress == "" {
				fail(i, "alive outside a household")
			}
		case "deceased":
			died := parseDate(i, "date_of_death", r.DateOfDeath)
			if !died.Full() || died.SurelyBefore(born) {
				fail(i, "died %s, born %s", r.DateOfDeath, r.DateOfBirth)
			}
			if r.HouseholdID != "" || r.RelationToHead != "" {
				fail(i, "deceased in household %s", r.HouseholdID)
			}
		default:
			fail(i, "status %q", r.Status)
		}
	}

	// Households: contiguous, head first, one head, one address.
	seen := map[string]bool{}
	for i := 0; i < len(recs); {
		if recs[i].HouseholdID == "" {
			i++
			continue
		}
		h := recs[i].HouseholdID
		if seen[h] {
			fail(i, "household %s is not contiguous", h)
		}
		seen[h] = true
		if recs[i].RelationToHead != "head" {
			fail(i, "household %s starts with a %s", h, recs[i].RelationToHead)
		}
		j := i + 1
		for ; j < len(recs) && recs[j].HouseholdID == h; j++ {
			if recs[j].RelationToHead == "head" {
				fail(j, "second head of household %s", h)
			}
			if recs[j].PermanentAddress != recs[i].PermanentAddress {
				fail(j, "address %q, head's %q", recs[j].PermanentAddress, recs[i].PermanentAddress)
			}
			switch recs[j].RelationToHead {
			case "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "in_law", "other":
			default:
				fail(j, "relation %q", recs[j].RelationToHead)
			}
			if recs[j].RelationToHead == "spouse" && recs[j].SpousePID != recs[i].PID {
				fail(j, "spouse of the head, married to %q", recs[j].SpousePID)
			}
		}
		i = j
	}

	// Family links between records present in the output.
	spouseOf := map[string]string{}
	for i := range recs {
		r := &recs[i]
		born, _ := registry.ParseDate(r.DateOfBirth)
		if r.SpousePID != "" {
			if prev, ok := spouseOf[r.SpousePID]; ok && prev != r.PID {
				fail(i, "spouse %s is married to %s too", r.SpousePID, prev)
			}
			spouseOf[r.SpousePID] = r.PID
			if s := byPID[r.SpousePID]; s != nil {
				if s.SpousePID != r.PID {
					fail(i, "spouse %s is married to %q", r.SpousePID, s.SpousePID)
				}
				if s.Gender == r.Gender {
					fail(i, "spouses of one gender")
				}
			}
		}
		for _, l := range []struct {
			field, pid, gender string
		}{{"father", r.FatherPID, "male"}, {"mother", r.MotherPID, "female"}} {
			if l.pid == "" {
				continue
			}
			parent := byPID[l.pid]
			if parent == nil {
				continue
			}
			if parent.Gender != l.gender {
				fail(i, "%s %s is %s", l.field, l.pid, parent.Gender)
			}
			pb, _ := registry.ParseDate(parent.DateOfBirth)
			// The register's rule, and the generator's 16 years, as far
			// as partial dates show.
			if !pb.SurelyBefore(born) || pb.AddYears(16).SurelyAfter(born) {
				fail(i, "%s born %s, child born %s", l.field, parent.DateOfBirth, r.DateOfBirth)
			}
			if l.gender == "female" && pb.Full() && born.Full() {
				if age := pb.AgeOn(born); age < 18 || age > 45 {
					fail(i, "mother born %s, child born %s: aged %d", parent.DateOfBirth, r.DateOfBirth, age)
				}
			}
		}
		if r.LegalRepresentativePID != "" && byPID[r.LegalRepresentativePID] == nil {
			fail(i, "legal representative %s not found", r.LegalRepresentativePID)
		}
	}
}

// pidProvince is the PID prefix of a birth registered in commune u, by
// the register's rule.
func pidProvince(d *adminunit.Directory, u adminunit.Unit) string {
	if u.Era != adminunit.Era2025 {
		p, _ := d.ProvinceOf(u)
		return adminunit.PIDCode(p.Code)
	}
	seen := map[string]bool{}
	var code string
	for _, o := range d.OldUnitsFor(u.Code) {
		p, _ := d.ProvinceOf(o)
		seen[p.Code] = true
		code = p.Code
	}
	if len(seen) != 1 {
		p, _ := d.ProvinceOf(u)
		code = p.Code
	}
	return adminunit.PIDCode(code)
}

// province2025 is the 2025 province of a commune of either map.
func province2025(d *adminunit.Directory, u adminunit.Unit) string {
	if u.Era == adminunit.Era2025 {
		p, _ := d.ProvinceOf(u)
		return p.Code
	}
	p, _ := d.ProvinceOf(u)
	n, _ := d.NewProvinceFor(p.Code)
	return n.Code
}

// TestDistributions compares the shares of the sample with the figures the
// generator is built on.
func TestDistributions(t *testing.T) {
	d := units(t)
	recs := sample(t)
	today := DefaultToday
	var over15 int
	var alive, men, young, working, old, adults, migrants, partialY, partialM, pre, households, members int
	var deceased, withHometown, withPhone, withCard, cardEligible, withOldID, withEmail, single int
	surnames := map[string]int{}
	ethnic := map[string]int{}
	religion := map[string]int{}
	sizes := map[int]int{}
	names := map[string]int{}    // by full name, birth year and PID province
	nameYear := map[string]int{} // by full name and birth year
	bands := make([]int, 18)     // five-year age groups
	fullNames := map[string]int{}
	relations := map[string]int{}
	marital := map[string]int{}
	var menYoung, womenYoung, menOld, womenOld int
	var femaleHeads int
	for i := range recs {
		r := &recs[i]
		born, _ := registry.ParseDate(r.DateOfBirth)
		switch {
		case born.Month == 0:
			partialY++
		case born.Day == 0:
			partialM++
		}
		surnames[strings.Fields(r.FullName)[0]]++
		if r.Status == "deceased" {
			deceased++
			continue
		}
		alive++
		ethnic[r.Ethnicity]++
		religion[r.Religion]++
		relations[r.RelationToHead]++
		age := born.AgeOn(today)
		male := r.Gender == "male"
		if male {
			men++
		}
		switch {
		case age < 15:
			young++
			if male {
				menYoung++
			} else {
				womenYoung++
			}
		case age < 65:
			working++
		default:
			old++
			if male {
				menOld++
			} else {
				womenOld++
			}
		}
		if age >= 15 {
			over15++
			marital[r.MaritalStatus]++
		}
		if age >= 18 {
			adults++
			if r.TemporaryAddress != "" {
				migrants++
			}
		}
		if age >= 14 {
			cardEligible++
			if r.IDCardIssueDate != "" {
				withCard++
			}
		}
		if r.Hometown != "" {
			withHometown++
		}
		if r.Phone != "" {
			withPhone++
		}
		if r.OldIDNumber != "" {
			withOldID++
		}
		if r.Email != "" {
			withEmail++
		}
		if _, u, _ := d.ParseFormatted(r.PermanentAddress); u.Era == adminunit.EraPre2025 {
			pre++
		}
		if r.RelationToHead == "head" {
			households++
			if !male {
				femaleHeads++
			}
		}
		members++
		names[r.FullName+" "+r.DateOfBirth[:4]+" "+r.PID[:3]]++
		nameYear[r.FullName+" "+r.DateOfBirth[:4]]++
		bands[min(age/5, 17)]++
		fullNames[r.FullName]++
	}
	for i := 0; i < len(recs); {
		if recs[i].HouseholdID == "" {
			i++
			continue
		}
		j := i + 1
		for j < len(recs) && recs[j].HouseholdID == recs[i].HouseholdID {
			j++
		}
		sizes[j-i]++
		if j-i == 1 {
			single++
		}
		i = j
	}
	pct := func(n, of int) float64 { return 100 * float64(n) / float64(of) }
	check := func(what string, got, lo, hi float64) {
		t.Helper()
		t.Logf("%-40s %6.2f (want %g–%g)", what, got, lo, hi)
		if got < lo || got > hi {
			t.Errorf("%s = %.2f, want %g–%g", what, got, lo, hi)
		}
	}
	tables, err := loadNames(map[string]float64{})
	if err != nil {
		t.Fatal(err)
	}
	listed := make([]string, 0, len(tables.listed))
	for s := range tables.listed {
		listed = append(listed, s)
	}
	sort.Slice(listed, func(a, b int) bool { return tables.listed[listed[a]] > tables.listed[listed[b]] })
	for _, s := range listed {
		ref := tables.listed[s]
		check("surname "+s+" %", pct(surnames[s], len(recs)), ref-2, ref+2)
	}
	check("under 15 % (GSO: 23)", pct(young, alive), 20, 26)
	check("15–64 % (GSO: 68)", pct(working, alive), 65, 71)
	check("65 and over % (GSO: 9)", pct(old, alive), 7, 11)
	check("men % of the living", pct(men, alive), 48, 51)
	check("boys per 100 girls under 15", 100*float64(menYoung)/float64(womenYoung), 106, 118)
	check("men per 100 women 65 and over", 100*float64(menOld)/float64(womenOld), 65, 92)
	check("mean household size (2019: 3.6)", float64(members)/float64(households), 3.0, 4.0)
	check("one-person households %", pct(single, households), 5, 20)
	check("female heads %", pct(femaleHeads, households), 15, 40)
	check("deceased % of records", pct(deceased, len(recs)), 3.5, 7)
	check("Kinh % (2019 census: 85.3; table: 86.6)", pct(ethnic["01"], alive), 84, 89)
	check("no religion % (2019 census: 86.3)", pct(religion[""], alive), 82, 91)
	check("year-only dates of birth %", pct(partialY, len(recs)), 1.5, 6)
	check("year-month dates of birth %", pct(partialM, len(recs)), 0.3, 2)
	check("pre-2025 permanent addresses % of the living", pct(pre, alive), 3.5, 6.5)
	check("migrants % of adults", pct(migrants, adults), 5, 9)
	check("married % of those 15+ (2019 census: 69.2)", pct(marital["married"], over15), 63, 75)
	check("widowed % of those 15+", pct(marital["widowed"], over15), 3, 10)
	check("divorced % of those 15+ (census: about 2)", pct(marital["divorced"], over15), 0.5, 4)
	check("id card % of those 14 and over", pct(withCard, cardEligible), 80, 95)
	check("hometown known % of the living", pct(withHometown, alive), 85, 97)
	t.Logf("phone %% %.1f, old ID %% %.1f, email %% %.1f of the living", pct(withPhone, alive), pct(withOldID, alive), pct(withEmail, alive))
	t.Logf("household sizes: %v", sizes)
	t.Logf("relations: %v", relations)
	t.Logf("ethnicity: Kinh %.1f Tày %.1f Thái %.1f Mường %.1f Mông %.1f Khmer %.1f Nùng %.1f Hoa %.1f Dao %.1f",
		pct(ethnic["01"], alive), pct(ethnic["02"], alive), pct(ethnic["03"], alive), pct(ethnic["06"], alive),
		pct(ethnic["08"], alive), pct(ethnic["05"], alive), pct(ethnic["07"], alive), pct(ethnic["04"], alive), pct(ethnic["09"], alive))
	t.Logf("religion: %v", religion)

	// Name collisions: at this sample size a cell (a year and a province)
	// holds a few people; the share grows with Count.
	sharedYear, sharedCell := 0, 0
	for _, n := range nameYear {
		if n > 1 {
			sharedYear += n
		}
	}
	for _, n := range names {
		if n > 1 {
			sharedCell += n
		}
	}
	top, topN := "", 0
	for n, k := range fullNames {
		if k > topN || k == topN && n < top {
			top, topN = n, k
		}
	}
	t.Logf("of the living, %.1f%% share their full name and birth year with someone else, %.1f%% also their PID province; most common full name %q (%d, %.2f%%)",
		pct(sharedYear, alive), pct(sharedCell, alive), top, topN, pct(topN, alive))
	if sharedCell == 0 {
		t.Error("no two people share a name, birth year and province: common names must collide")
	}
	var b strings.Builder
	for i, n := range bands {
		if i == len(bands)-1 {
			fmt.Fprintf(&b, "%d+: %.1f", 5*i, pct(n, alive))
			break
		}
		fmt.Fprintf(&b, "%d–%d: %.1f  ", 5*i, 5*i+4, pct(n, alive))
	}
	t.Logf("ages: %s", b.String())
}

func BenchmarkGenerate(b *testing.B) {
	d := units(b)
	g, err := New(d, Config{Seed: 1, Count: MaxCount})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, ok := g.Next(); !ok {
			b.Fatal("ran out")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
