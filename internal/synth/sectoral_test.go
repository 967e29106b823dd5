package synth

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"dancu/internal/adminunit"
	"dancu/internal/registry"
)

// recordSlice streams records from memory.
type recordSlice struct {
	recs []registry.Record
	i    int
}

func (s *recordSlice) Next() (registry.Record, error) {
	if s.i >= len(s.recs) {
		return registry.Record{}, io.EOF
	}
	s.i++
	return s.recs[s.i-1], nil
}

// derive runs a Deriver of cfg over recs and returns its rows.
func derive(tb testing.TB, recs []registry.Record, cfg DatasetConfig) []DatasetRow {
	tb.Helper()
	d, err := NewDeriver(units(tb), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := d.Scan(&recordSlice{recs: recs}); err != nil {
		tb.Fatal(err)
	}
	var rows []DatasetRow
	if err := d.Derive(&recordSlice{recs: recs}, func(r DatasetRow) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return rows
}

func byPID(recs []registry.Record) map[string]*registry.Record {
	m := make(map[string]*registry.Record, len(recs))
	for i := range recs {
		m[recs[i].PID] = &recs[i]
	}
	return m
}

func hasNoise(t Truth, name string) bool {
	return slices.Contains(strings.Split(t.Noise, ";"), name)
}

func TestSectoralDeterminism(t *testing.T) {
	recs := sample(t)[:10_000]
	for _, kind := range DatasetKinds() {
		cfg := DatasetConfig{Kind: kind, Seed: 3, Count: 3000, Noise: DefaultNoise(kind)}
		a, b := derive(t, recs, cfg), derive(t, recs, cfg)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: two runs of the same config differ", kind)
		}
		cfg.Seed = 4
		if c := derive(t, recs, cfg); fmt.Sprint(a) == fmt.Sprint(c) {
			t.Errorf("%s: seeds 3 and 4 give the same rows", kind)
		}
	}
}

// TestSectoralComposition: the count is exact, every row stands for a
// citizen of the input or for no one, the kinds and the dead come at
// their rates, and each citizen has at most four rows.
func TestSectoralComposition(t *testing.T) {
	recs := sample(t)
	people := byPID(recs)
	const count = 20_000
	noise := DefaultNoise(Telecom)
	rows := derive(t, recs, DatasetConfig{Kind: Telecom, Seed: 1, Count: count, Noise: noise})
	if len(rows) != count {
		t.Fatalf("%d rows, want %d", len(rows), count)
	}
	kinds := map[RowKind]int{}
	perCitizen := map[string]int{}
	keys := map[string]bool{}
	fakePIDs := map[string]bool{}
	dead := 0
	for i, r := range rows {
		tr := r.Truth
		kinds[tr.Kind]++
		if r.Values[colKey] != tr.RecordKey || keys[tr.RecordKey] {
			t.Fatalf("row %d: key %q, truth %q, or repeated", i, r.Values[colKey], tr.RecordKey)
		}
		keys[tr.RecordKey] = true
		if want := fmt.Sprintf("TB%09d", i+1); tr.RecordKey != want {
			t.Fatalf("row %d: key %s, want %s", i, tr.RecordKey, want)
		}
		switch tr.Kind {
		case RowNonexistent:
			if tr.PID != "" || tr.Deceased {
				t.Fatalf("row %d: a made-up person with pid %q, deceased %v", i, tr.PID, tr.Deceased)
			}
			id := r.Values[colID]
			if people[id] != nil {
				t.Fatalf("row %d: made-up person's ID number is a citizen's", i)
			}
			if id != "" && len(id) == 12 && !hasNoise(tr, "id_typo") && !hasNoise(tr, "id_transposed") {
				if fakePIDs[id] {
					t.Fatalf("row %d: made-up PID %s given twice", i, id)
				}
				fakePIDs[id] = true
			}
		case RowCitizen, RowRepeat:
			p := people[tr.PID]
			if p == nil {
				t.Fatalf("row %d: pid %s is not in the input", i, tr.PID)
			}
			if tr.Deceased != (p.Status == "deceased") {
				t.Fatalf("row %d: deceased %v, register status %q", i, tr.Deceased, p.Status)
			}
			n := perCitizen[tr.PID]
			if (n == 0) != (tr.Kind == RowCitizen) {
				t.Fatalf("row %d: kind %s for the citizen's row number %d", i, tr.Kind, n+1)
			}
			perCitizen[tr.PID]++
			if tr.Kind == RowCitizen && tr.Deceased {
				dead++
			}
		default:
			t.Fatalf("row %d: kind %q", i, tr.Kind)
		}
	}
	round := func(x float64) int { return int(math.Round(x)) }
	if want := round(count * noise.rate[noiseNonexistent]); kinds[RowNonexistent] != want {
		t.Errorf("%d made-up rows, want %d", kinds[RowNonexistent], want)
	}
	if want := round(count * noise.rate[noiseRepeat]); kinds[RowRepeat] != want {
		t.Errorf("%d repeats, want %d", kinds[RowRepeat], want)
	}
	if want := round(float64(kinds[RowCitizen]) * noise.rate[noiseDeceased]); dead != want {
		t.Errorf("%d dead citizens, want %d", dead, want)
	}
	hist := map[int]int{}
	for _, n := range perCitizen {
		hist[n]++
	}
	if hist[1] == 0 || hist[2] <= hist[3] || hist[3] < hist[4] || len(hist) > 4 {
		t.Errorf("rows per citizen: %v, want 1–4, most often 1 then 2", hist)
	}
	t.Logf("kinds %v, rows per citizen %v, dead %d", kinds, hist, dead)

	// Eligibility: 14 or older on the dataset's day, or at death.
	for pidText := range perCitizen {
		p := people[pidText]
		born, _ := registry.ParseDate(p.DateOfBirth)
		at := DefaultToday
		if p.DateOfDeath != "" {
			died, _ := registry.ParseDate(p.DateOfDeath)
			at = died
		}
		if age := born.AgeOn(at); age < minAge {
			t.Fatalf("citizen born %s aged %d on %s is in the dataset", p.DateOfBirth, age, at)
		}
	}
}

// TestSectoralClean: without noise, the rows are the register's values,
// every citizen once and alive.
func TestSectoralClean(t *testing.T) {
	recs := sample(t)
	people := byPID(recs)
	for _, kind := range DatasetKinds() {
		rows := derive(t, recs, DatasetConfig{Kind: kind, Seed: 2, Count: 5000})
		seen := map[string]bool{}
		for i, r := range rows {
			tr, v := r.Truth, r.Values
			p := people[tr.PID]
			if tr.Kind != RowCitizen || p == nil || seen[tr.PID] || tr.Noise != "" || tr.Deceased {
				t.Fatalf("%s row %d: truth %+v", kind, i, tr)
			}
			seen[tr.PID] = true
			addr := p.CurrentAddress
			if addr == "" {
				addr = p.PermanentAddress
			}
			gender := map[string]string{"male": "Nam", "female": "Nữ"}[p.Gender]
			want := []string{v[colKey], p.PID, p.FullName, dmy(p.DateOfBirth), gender, addr}
			if got := v[:colPhone]; !slices.Equal(got, want) {
				t.Fatalf("%s row %d:\n got %q\nwant %q", kind, i, got, want)
			}
			if p.Phone != "" && v[colPhone] != p.Phone {
				t.Fatalf("%s row %d: phone %q, register %q", kind, i, v[colPhone], p.Phone)
			}
			if p.Phone == "" && people[v[colPhone]] != nil {
				t.Fatalf("%s row %d: phone %q", kind, i, v[colPhone])
			}
		}
	}
}

// dmy rewrites a register date as dd/mm/yyyy.
func dmy(s string) string {
	parts := strings.Split(s, "-")
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

// TestSectoralNoise: each noise comes at its rate among the rows it can
// apply to, and does what its name says.
func TestSectoralNoise(t *testing.T) {
	recs := sample(t)
	people := byPID(recs)
	noise, err := ParseNoise("none,repeat=0.1,nonexistent=0.05,deceased=0.03,"+
		"id_missing=0.05,id_old=0.3,id_transposed=0.1,id_typo=0.1,"+
		"name_missing=0.05,name_typo=0.1,name_middle_dropped=0.1,name_middle_swapped=0.2,name_no_diacritics=0.3,name_upper=0.2,"+
		"dob_missing=0.05,dob_swapped=0.3,dob_year_only=0.1,dob_year_off=0.1,"+
		"gender_missing=0.05,gender_wrong=0.1,"+
		"address_missing=0.05,address_old_units=0.4,address_stale=0.2,address_abbreviated=0.3,"+
		"phone_missing=0.05,phone_other=0.2,phone_format=0.2", Noise{})
	if err != nil {
		t.Fatal(err)
	}
	const count = 20_000
	rows := derive(t, recs, DatasetConfig{Kind: Bank, Seed: 5, Count: count, Noise: noise})

	// applies[name] counts the rows the noise could apply to, hits those
	// that carry it.
	applies, hits := map[string]int{}, map[string]int{}
	count1 := func(name string, can bool, tr Truth) {
		if can {
			applies[name]++
			if hasNoise(tr, name) {
				hits[name]++
			}
		} else if hasNoise(tr, name) {
			t.Fatalf("%s on a row it cannot apply to: %+v", name, tr)
		}
	}
	dir := units(t)
	for _, r := range rows {
		tr, v := r.Truth, r.Values
		if tr.Kind == RowNonexistent {
			continue
		}
		p := people[tr.PID]
		// ID number.
		count1("id_missing", true, tr)
		idThere := !hasNoise(tr, "id_missing")
		count1("id_old", idThere && p.OldIDNumber != "", tr)
		count1("id_transposed", idThere, tr)
		count1("id_typo", idThere, tr)
		switch {
		case !idThere:
			expect(t, v[colID] == "", "id_missing", tr, v)
		case hasNoise(tr, "id_old"):
			expect(t, v[colID] == p.OldIDNumber, "id_old", tr, v)
		case hasNoise(tr, "id_transposed"):
			expect(t, len(v[colID]) == 12 && v[colID] != p.PID && sortedDigits(v[colID]) == sortedDigits(p.PID), "id_transposed", tr, v)
		case hasNoise(tr, "id_typo"):
			expect(t, len(v[colID]) == 12 && differingDigits(v[colID], p.PID) == 1, "id_typo", tr, v)
		default:
			expect(t, v[colID] == p.PID, "id", tr, v)
		}

		// Name.
		count1("name_missing", true, tr)
		nameThere := !hasNoise(tr, "name_missing")
		words := len(strings.Fields(p.FullName))
		count1("name_typo", nameThere, tr)
		count1("name_middle_dropped", nameThere && words >= 3, tr)
		count1("name_middle_swapped", nameThere && words >= 4 && middleDiffers(p.FullName), tr)
		count1("name_no_diacritics", nameThere && stripDiacritics(p.FullName) != p.FullName, tr)
		count1("name_upper", nameThere, tr)
		if !nameThere {
			expect(t, v[colName] == "", "name_missing", tr, v)
		} else {
			want := p.FullName
			if hasNoise(tr, "name_no_diacritics") {
				want = stripDiacritics(want)
			}
			if hasNoise(tr, "name_upper") {
				want = strings.ToUpper(want)
			}
			structural := hasNoise(tr, "name_typo") || hasNoise(tr, "name_middle_dropped") || hasNoise(tr, "name_middle_swapped")
			expect(t, (v[colName] == want) != structural, "name", tr, v)
			if hasNoise(tr, "name_middle_dropped") {
				expect(t, len(strings.Fields(v[colName])) == words-1, "name_middle_dropped", tr, v)
			}
		}

		// Date of birth.
		born, _ := registry.ParseDate(p.DateOfBirth)
		count1("dob_missing", true, tr)
		dobThere := !hasNoise(tr, "dob_missing")
		count1("dob_swapped", dobThere && born.Day != 0 && born.Day <= 12 && born.Day != born.Month, tr)
		count1("dob_year_only", dobThere && born.Month != 0, tr)
		count1("dob_year_off", dobThere, tr)
		switch {
		case !dobThere:
			expect(t, v[colBirth] == "", "dob_missing", tr, v)
		case hasNoise(tr, "dob_swapped"):
			expect(t, v[colBirth] == fmt.Sprintf("%02d/%02d/%04d", born.Month, born.Day, born.Year), "dob_swapped", tr, v)
		case hasNoise(tr, "dob_year_only"):
			expect(t, v[colBirth] == fmt.Sprint(born.Year), "dob_year_only", tr, v)
		case hasNoise(tr, "dob_year_off"):
			y := fmt.Sprint(born.Year - 1)
			z := fmt.Sprint(born.Year + 1)
			expect(t, strings.HasSuffix(v[colBirth], y) || strings.HasSuffix(v[colBirth], z), "dob_year_off", tr, v)
		default:
			expect(t, v[colBirth] == dmy(p.DateOfBirth), "dob", tr, v)
		}

		// Gender.
		count1("gender_missing", true, tr)
		count1("gender_wrong", !hasNoise(tr, "gender_missing"), tr)
		g := map[string]string{"male": "Nam", "female": "Nữ"}[p.Gender]
		switch {
		case hasNoise(tr, "gender_missing"):
			expect(t, v[colGender] == "", "gender_missing", tr, v)
		case hasNoise(tr, "gender_wrong"):
			expect(t, v[colGender] != g && v[colGender] != "", "gender_wrong", tr, v)
		default:
			expect(t, v[colGender] == g, "gender", tr, v)
		}

		// Address.
		addr := p.CurrentAddress
		if addr == "" {
			addr = p.PermanentAddress
		}
		_, commune, _ := dir.ParseFormatted(addr)
		count1("address_missing", addr != "", tr)
		addrThere := addr != "" && !hasNoise(tr, "address_missing")
		count1("address_old_units", addrThere && commune.Era == adminunit.Era2025, tr)
		count1("address_stale", addrThere, tr)
		count1("address_abbreviated", addrThere, tr)
		switch {
		case !addrThere:
			expect(t, v[colAddress] == "", "address_missing", tr, v)
		case hasNoise(tr, "address_old_units") && !hasNoise(tr, "address_abbreviated"):
			_, c, ok := dir.ParseFormatted(v[colAddress])
			formed := false
			for _, o := range dir.OldUnitsFor(commune.Code) {
				formed = formed || o.Code == c.Code
			}
			expect(t, ok && c.Era == adminunit.EraPre2025 && formed, "address_old_units", tr, v)
		case hasNoise(tr, "address_stale") && !hasNoise(tr, "address_abbreviated"):
			_, c, ok := dir.ParseFormatted(v[colAddress])
			expect(t, ok && v[colAddress] != addr && c.Era == adminunit.Era2025, "address_stale", tr, v)
		case hasNoise(tr, "address_abbreviated"):
			expect(t, v[colAddress] != addr, "address_abbreviated", tr, v)
		default:
			expect(t, v[colAddress] == addr, "address", tr, v)
		}

		// Phone.
		count1("phone_missing", true, tr)
		phoneThere := !hasNoise(tr, "phone_missing")
		count1("phone_other", phoneThere && p.Phone != "", tr)
		count1("phone_format", phoneThere, tr)
		if !phoneThere {
			expect(t, v[colPhone] == "", "phone_missing", tr, v)
		} else if !hasNoise(tr, "phone_format") {
			expect(t, (v[colPhone] == p.Phone) == (p.Phone != "" && !hasNoise(tr, "phone_other")), "phone", tr, v)
		}
	}
	for _, name := range NoiseNames()[noiseIDMissing:] {
		rate, _ := noise.Rate(name)
		n := applies[name]
		if n < 500 {
			t.Errorf("%s: only %d rows it can apply to", name, n)
			continue
		}
		got := float64(hits[name]) / float64(n)
		tol := 4*math.Sqrt(rate*(1-rate)/float64(n)) + 0.005
		if math.Abs(got-rate) > tol {
			t.Errorf("%s: %.3f of %d rows, want %.3f ± %.3f", name, got, n, rate, tol)
		}
		t.Logf("%-20s %.3f of %6d rows (want %.3f)", name, got, n, rate)
	}
}

func expect(t *testing.T, ok bool, what string, tr Truth, v []string) {
	t.Helper()
	if !ok {
		t.Fatalf("%s: truth %+v, row %q", what, tr, v)
	}
}

func sortedDigits(s string) string {
	b := []byte(s)
	slices.Sort(b)
	return string(b)
}

func differingDigits(a, b string) int {
	n := 0
	for i := range len(a) {
		if a[i] != b[i] {
			n++
		}
	}
	return n
}

// middleDiffers reports whether some two adjacent middle names differ, so
// that swapping them changes the name.
func middleDiffers(name string) bool {
	w := strings.Fields(name)
	for i := 1; i+2 < len(w); i++ {
		if w[i] != w[i+1] {
			return true
		}
	}
	return false
}

// TestSectoralFakePIDs: made-up people's PIDs have the shape of a PID for
// their gender and year of birth, and are no citizen's, even when the
// input crowds their blocks.
func TestSectoralFakePIDs(t *testing.T) {
	recs := sample(t)[:5000]
	rows := derive(t, recs, DatasetConfig{Kind: Telecom, Seed: 9, Count: 2000, Noise: Noise{rate: [noiseCount]float64{noiseNonexistent: 0.5}}})
	people := byPID(recs)
	n := 0
	for _, r := range rows {
		if r.Truth.Kind != RowNonexistent {
			continue
		}
		n++
		id, v := r.Values[colID], r.Values
		if len(id) != 12 || people[id] != nil {
			t.Fatalf("made-up PID %q", id)
		}
		year := v[colBirth][len(v[colBirth])-4:]
		digit := id[3] - '0'
		century := 1900 + int(digit/2)*100
		if id[4:6] != year[2:] || fmt.Sprint(century)[:2] != year[:2] {
			t.Fatalf("PID %s for a person born %s", id, v[colBirth])
		}
		if (digit%2 == 1) != (v[colGender] == "Nữ") {
			t.Fatalf("PID %s for gender %s", id, v[colGender])
		}
	}
	if n != 1000 {
		t.Errorf("%d made-up people, want 1000", n)
	}
}

func TestSectoralRejects(t *testing.T) {
	d := units(t)
	for _, cfg := range []DatasetConfig{
		{Kind: "insurance", Count: 1},
		{Kind: Telecom, Count: -1},
		{Kind: Telecom, Count: MaxCount + 1},
		{Kind: Telecom, Count: 1, AsOf: registry.Date{Year: 2026}},
		{Kind: Bank, Count: 1, Noise: Noise{rate: [noiseCount]float64{noiseIDOld: 0.6, noiseIDTypo: 0.6}}},
	} {
		if _, err := NewDeriver(d, cfg); !errors.Is(err, ErrBadConfig) {
			t.Errorf("NewDeriver(%+v): %v", cfg, err)
		}
	}
	recs := sample(t)[:200]
	dv, err := NewDeriver(d, DatasetConfig{Kind: Telecom, Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dv.Scan(&recordSlice{recs: recs}); !errors.Is(err, ErrTooFew) {
		t.Errorf("1000 rows of 200 people: %v", err)
	}
	dv, _ = NewDeriver(d, DatasetConfig{Kind: Telecom, Count: 100, Noise: Noise{rate: [noiseCount]float64{noiseRepeat: 0.9}}})
	if _, err := dv.Scan(&recordSlice{recs: recs}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("90 repeats of 10 citizens: %v", err)
	}
	// The second pass must read what the first did.
	dv, _ = NewDeriver(d, DatasetConfig{Kind: Telecom, Count: 50})
	if _, err := dv.Scan(&recordSlice{recs: recs}); err != nil {
		t.Fatal(err)
	}
	if err := dv.Derive(&recordSlice{recs: recs[:100]}, func(DatasetRow) error { return nil }); err == nil {
		t.Error("Derive over other records than Scan's succeeded")
	}
	bad := slices.Clone(recs[:3])
	bad[1].PID = "12345"
	dv, _ = NewDeriver(d, DatasetConfig{Kind: Telecom, Count: 1})
	if _, err := dv.Scan(&recordSlice{recs: bad}); err == nil || strings.Contains(err.Error(), "12345") {
		t.Errorf("a bad PID: %v", err)
	}
}

func TestNumberSet(t *testing.T) {
	var s numberSet
	r := newRNG(1)
	in := map[uint64]bool{}
	for range 10_000 {
		k := r.u64() % 1e12
		in[k] = true
		s.add(k)
	}
	s.add(0)
	s.add(1<<40 - 1)
	s.seal()
	for k := range in {
		if !s.has(k) {
			t.Fatalf("%d added, not found", k)
		}
	}
	if !s.has(0) || !s.has(1<<40-1) || s.has(1<<40) {
		t.Error("the ends of the range")
	}
	for range 10_000 {
		if k := r.u64() % 1e12; s.has(k) != in[k] {
			t.Fatalf("has(%d) = %v", k, !in[k])
		}
	}
}

func TestAbbreviate(t *testing.T) {
	r := newRNG(1)
	addr := "Số 12, Phố Huế, Phường Hai Bà Trưng, Thành phố Hà Nội"
	seen := map[string]bool{}
	for range 30 {
		seen[abbreviate(r, addr)] = true
	}
	for _, want := range []string{
		"Số 12, Phố Huế, P. Hai Bà Trưng, TP. Hà Nội",
		"Số 12, Phố Huế, P.Hai Bà Trưng, Tp.Hà Nội",
		"Số 12, Phố Huế, P Hai Bà Trưng, Tp Hà Nội",
	} {
		if !seen[want] {
			t.Errorf("never %q; got %v", want, seen)
		}
	}
	if got := abbreviate(r, "Ấp 3, Xã Tân Phú, Thành phố Hồ Chí Minh"); !strings.Contains(got, "HCM") {
		t.Errorf("Hồ Chí Minh City: %q", got)
	}
	if got := stripDiacritics("Đặng Thị Ánh Nguyệt"); got != "Dang Thi Anh Nguyet" {
		t.Errorf("stripDiacritics: %q", got)
	}
}

// BenchmarkDerive measures both passes, without the setup of NewDeriver.
func BenchmarkDerive(b *testing.B) {
	recs := generate(b, 1, 50_000)
	cfg := DatasetConfig{Kind: Telecom, Seed: 1, Count: 30_000, Noise: DefaultNoise(Telecom)}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		d, err := NewDeriver(units(b), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := d.Scan(&recordSlice{recs: recs}); err != nil {
			b.Fatal(err)
		}
		if err := d.Derive(&recordSlice{recs: recs}, func(DatasetRow) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*cfg.Count)/b.Elapsed().Seconds(), "rows/s")
}
