package synth

import (
	"bufio"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"dancu/internal/vntext"
)

// nameData holds the name tables; data/SOURCE.md says where they come from.
//
//go:embed data/*.csv data/*.txt
var nameData embed.FS

// moreSurnames spreads the share the listed surnames leave (about 10 %)
// over further Kinh surnames. The relative weights are estimates: no
// published survey gives shares this far down the list; they only keep the
// well-known surnames (Đinh, Trương, Đào, Mai…) more common than the rare
// ones (Khổng, Ung…).
var moreSurnames = []struct {
	name   string
	weight float64
}{
	{"Đinh", 10}, {"Trương", 10}, {"Đào", 8}, {"Lương", 7}, {"Mai", 7},
	{"Trịnh", 6}, {"Lâm", 6}, {"Cao", 6}, {"Hà", 6}, {"Đoàn", 6},
	{"Tô", 4}, {"Tạ", 4}, {"Lưu", 4}, {"Châu", 3}, {"Chu", 3}, {"Phùng", 3},
	{"Lại", 3}, {"Thái", 3}, {"Vương", 3}, {"Tăng", 2}, {"Văn", 2}, {"La", 2},
	{"Kiều", 2}, {"Triệu", 2}, {"Quách", 2}, {"Nghiêm", 2}, {"Thân", 2},
	{"Đàm", 2}, {"Lục", 1}, {"Giang", 1}, {"Từ", 1}, {"Hứa", 1}, {"Diệp", 1},
	{"Doãn", 1}, {"Mạc", 1}, {"Khúc", 1}, {"Khổng", 1}, {"Tôn", 1}, {"Âu", 1},
	{"Phó", 1}, {"Ung", 0.5}, {"Kim", 0.5}, {"Lã", 0.5}, {"Bạch", 0.5},
}

// minoritySurnameShare is the chance that a member of an ethnic minority
// with a table below bears one of its group's own surnames rather than a
// surname drawn like a Kinh one (many Tày, Nùng, Mường and Hoa families
// bear Hoàng, Nông, Bùi or Lý, which the tables include).
const minoritySurnameShare = 0.6

// minoritySurnames lists common surnames of the larger minorities, most
// common first (weights 1/rank); ethnographic usage, not survey shares.
var minoritySurnames = map[string][]string{
	"02": {"Hoàng", "Nông", "Lương", "Bế", "Hà", "Ma", "Lục", "Triệu", "Đàm", "Vi", "Lâm"}, // Tày
	"03": {"Lò", "Cầm", "Lường", "Quàng", "Vi", "Hà", "Lữ", "Điêu", "Tòng", "Mè"},          // Thái
	"04": {"Lý", "Trương", "Lâm", "Hứa", "Quách", "Lưu", "Châu", "Mã", "Tăng", "Diệp"},     // Hoa
	"05": {"Thạch", "Sơn", "Danh", "Kim", "Lâm", "Lý", "Chau", "Kiên"},                     // Khmer
	"06": {"Bùi", "Đinh", "Quách", "Hà", "Xa", "Cao"},                                      // Mường
	"07": {"Hoàng", "Nông", "Lương", "Vi", "Lăng", "Mã", "Chu", "Lý"},                      // Nùng
	"08": {"Giàng", "Vàng", "Thào", "Sùng", "Lý", "Hầu", "Mùa", "Hờ", "Lầu", "Vừ", "Sình"}, // Mông
	"09": {"Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Phùn", "Tẩn"},                            // Dao
	"10": {"Rơ Châm", "Siu", "Ksor", "Rah Lan", "Kpă", "Nay", "Puih"},                      // Gia Rai
	"12": {"Niê", "Mlô", "Êban", "Byă", "Hwing", "Ksơr", "Adrơng"},                         // Ê Đê
	"17": {"Đàng", "Thành", "Quảng", "Lưu", "Châu", "Bá"},                                  // Chăm
	"29": {"Vi", "Lò", "Lữ", "Cụt", "Lô"},                                                  // Khơ Mú
}

// Shares of men whose middle name is Văn and of women whose middle name
// starts with Thị, by birth year. Estimates: both were near-universal in
// the generations born before 1950 and have been falling since, fastest in
// the cities; no published series exists. The university sample of the
// name data (born around 1980–2000) has Văn for about one man in six.
func vanShare(year int) float64 {
	switch {
	case year < 1950:
		return 0.55
	case year < 1970:
		return 0.45
	case year < 1990:
		return 0.30
	case year < 2005:
		return 0.18
	}
	return 0.12
}

func thiShare(year int) float64 {
	switch {
	case year < 1950:
		return 0.85
	case year < 1970:
		return 0.75
	case year < 1990:
		return 0.60
	case year < 2005:
		return 0.40
	}
	return 0.25
}

// noMiddleShare is the share of people with no middle name ("Lê Lợi").
const noMiddleShare = 0.01

// picker draws a name from a weighted list.
type picker struct {
	names []string
	a     alias
}

func newPicker(names []string, weights []float64) picker {
	return picker{names: names, a: newAlias(weights)}
}

func (p *picker) draw(r rng) string { return p.names[p.a.draw(r)] }

// nameTables are the name distributions, built once by New.
type nameTables struct {
	// surname draws for Kinh and for minorities without a table (or
	// outside the minoritySurnameShare); its listed surnames are weighted
	// up to make up for the minorities who draw from their own tables, so
	// that the population as a whole matches surnames.csv.
	surname  picker
	minority map[string]*picker
	// listed holds the shares of surnames.csv in percent, for the tests.
	listed map[string]float64

	van, thi            picker // middle names beginning with Văn / Thị
	otherMale, otherFem picker // other middle names, by gender
	givenMale, givenFem picker
}

// loadNames reads the embedded tables. ethnicShare gives each ethnicity
// code's share of the population, to balance the surname tables.
func loadNames(ethnicShare map[string]float64) (*nameTables, error) {
	t := &nameTables{minority: map[string]*picker{}, listed: map[string]float64{}}
	male, err := readLines("data/given-male.txt")
	if err != nil {
		return nil, err
	}
	female, err := readLines("data/given-female.txt")
	if err != nil {
		return nil, err
	}
	// Syllable statistics of the boys' and girls' lists: how often each
	// syllable ends a name (the given name proper) or occurs anywhere.
	maleLast, femLast := map[string]float64{}, map[string]float64{}
	maleAny, femAny := map[string]float64{}, map[string]float64{}
	maleFirst, femFirst := map[string]float64{}, map[string]float64{}
	known := map[string]bool{}
	count := func(list []string, last, anyPos, first map[string]float64) {
		for _, n := range list {
			syl := strings.Fields(n)
			for i, s := range syl {
				anyPos[s]++
				known[s] = true
				if i == 0 && len(syl) > 1 {
					first[s]++
				}
			}
			last[syl[len(syl)-1]]++
		}
	}
	count(male, maleLast, maleAny, maleFirst)
	count(female, femLast, femAny, femFirst)

	if err := t.loadSurnames(ethnicShare, known); err != nil {
		return nil, err
	}
	if err := t.loadGiven(maleLast, femLast, maleAny, femAny); err != nil {
		return nil, err
	}
	if err := t.loadMiddle(maleFirst, femFirst, known); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *nameTables) loadSurnames(ethnicShare map[string]float64, known map[string]bool) error {
	rows, err := readCSV("data/surnames.csv", "surname", "share_percent")
	if err != nil {
		return err
	}
	// Minorities with a table draw from it with minoritySurnameShare;
	// what they contribute to each surname is taken off the Kinh weight.
	var fromTables float64
	contrib := map[string]float64{}
	eths := make([]string, 0, len(minoritySurnames))
	for eth := range minoritySurnames {
		eths = append(eths, eth)
	}
	slices.Sort(eths) // sums in a fixed order: the weights must not vary by a bit
	for _, eth := range eths {
		list := make([]string, len(minoritySurnames[eth]))
		for i, n := range minoritySurnames[eth] {
			list[i] = vntext.NameCase(n)
		}
		share := ethnicShare[eth] * minoritySurnameShare
		fromTables += share
		var sum float64
		for i := range list {
			sum += 1 / float64(i+1)
		}
		ws := make([]float64, len(list))
		for i, n := range list {
			ws[i] = 1 / float64(i+1)
			contrib[n] += share * ws[i] / sum
		}
		t.minority[eth] = &picker{names: list, a: newAlias(ws)}
		for _, n := range list {
			for _, s := range strings.Fields(n) {
				known[s] = true
			}
		}
	}
	rest := 1 - fromTables // the share of people drawing from t.surname
	var names []string
	var weights []float64
	var listedSum float64
	for _, r := range rows {
		share, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			return fmt.Errorf("%w: surnames.csv: %q: %v", ErrBadData, r[1], err)
		}
		name := vntext.NameCase(r[0])
		t.listed[name] = share
		w := max(share/100-contrib[name], 0) / rest
		names = append(names, name)
		weights = append(weights, w)
		listedSum += w
		known[name] = true
	}
	if listedSum >= 1 {
		return fmt.Errorf("%w: surnames.csv: shares sum to %.1f%%", ErrBadData, listedSum*100)
	}
	var moreSum float64
	for _, m := range moreSurnames {
		moreSum += m.weight
	}
	for _, m := range moreSurnames {
		name := vntext.NameCase(m.name)
		if _, dup := t.listed[name]; dup {
			continue
		}
		names = append(names, name)
		weights = append(weights, (1-listedSum)*m.weight/moreSum)
		known[name] = true
	}
	t.surname = newPicker(names, weights)
	return nil
}

// loadGiven weights each given name of the university sample by its count,
// split between the genders in proportion to how often it ends a boy's or
// a girl's name in the lists; names the lists never use (mis-encoded
// entries, "Student") are dropped.
func (t *nameTables) loadGiven(maleLast, femLast, maleAny, femAny map[string]float64) error {
	rows, err := readCSV("data/given-name-counts.csv", "given_name", "count")
	if err != nil {
		return err
	}
	wm, wf := map[string]float64{}, map[string]float64{}
	for _, r := range rows {
		n, err := strconv.Atoi(r[1])
		if err != nil {
			return fmt.Errorf("%w: given-name-counts.csv: %q: %v", ErrBadData, r[1], err)
		}
		name := vntext.NameCase(r[0])
		m, f := maleLast[name], femLast[name]
		if m+f == 0 {
			m, f = maleAny[name], femAny[name]
		}
		if m+f == 0 || strings.Contains(name, " ") {
			continue
		}
		wm[name] += float64(n) * m / (m + f)
		wf[name] += float64(n) * f / (m + f)
	}
	// The sample holds few women, so their names are weighted half by the
	// sample and half by how many of the girls' names end in them (a
	// name used in many pairs — Lan Hương, Thu Hương — is a common one);
	// men's, from a larger sample, 70 % by the sample.
	blend(wm, maleLast, 0.7)
	blend(wf, femLast, 0.5)
	if t.givenMale, err = pickerOf(wm); err != nil {
		return err
	}
	t.givenFem, err = pickerOf(wf)
	return err
}

// loadMiddle splits the middle names of the sample into the Văn and Thị
// families and the rest by gender. The gender of a middle name comes from
// middle-names.csv when listed, else from how often its last syllable
// opens a boy's or a girl's name in the lists.
func (t *nameTables) loadMiddle(maleFirst, femFirst map[string]float64, known map[string]bool) error {
	typical := map[string]string{}
	rows, err := readCSV("data/middle-names.csv", "middle_name", "typical_gender")
	if err != nil {
		return err
	}
	for _, r := range rows {
		name := vntext.NameCase(r[0])
		typical[name] = r[1]
		for _, s := range strings.Fields(name) {
			known[s] = true
		}
	}
	rows, err = readCSV("data/middle-name-counts.csv", "middle_names", "count")
	if err != nil {
		return err
	}
	van, thi, om, of := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, r := range rows {
		n, err := strconv.Atoi(r[1])
		if err != nil {
			return fmt.Errorf("%w: middle-name-counts.csv: %q: %v", ErrBadData, r[1], err)
		}
		name := vntext.NameCase(r[0])
		syl := strings.Fields(name)
		clean := len(syl) > 0
		for _, s := range syl {
			clean = clean && known[s]
		}
		if !clean {
			continue
		}
		switch {
		case syl[0] == "Văn":
			van[name] += float64(n)
			continue
		case syl[0] == "Thị":
			thi[name] += float64(n)
			continue
		}
		var pm float64
		switch typical[name] {
		case "male":
			pm = 1
		case "female":
			pm = 0
		case "any":
			pm = 0.5
		default:
			last := syl[len(syl)-1]
			m, f := maleFirst[last], femFirst[last]
			if m+f == 0 {
				pm = 0.5
			} else {
				pm = m / (m + f)
			}
		}
		om[name] += float64(n) * pm
		of[name] += float64(n) * (1 - pm)
	}
	for _, x := range []struct {
		p *picker
		w map[string]float64
	}{{&t.van, van}, {&t.thi, thi}, {&t.otherMale, om}, {&t.otherFem, of}} {
		p, err := pickerOf(x.w)
		if err != nil {
			return err
		}
		*x.p = p
	}
	return nil
}

// blend mixes the sample weights w with the list counts, the sample
// making up share of the total.
func blend(w, list map[string]float64, share float64) {
	// Sum in sorted order: a weight that varied in its last bit from run
	// to run could change a draw.
	sw, sl := sortedSum(w), sortedSum(list)
	for n, x := range w {
		w[n] = share * x / sw
	}
	for n, x := range list {
		w[n] += (1 - share) * x / sl
	}
}

func sortedSum(w map[string]float64) float64 {
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sum float64
	for _, k := range keys {
		sum += w[k]
	}
	return sum
}

// pickerOf builds a picker over the names of w with positive weight, in
// sorted order so that the draws do not depend on map iteration.
func pickerOf(w map[string]float64) (picker, error) {
	names := make([]string, 0, len(w))
	for n, x := range w {
		if x > 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return picker{}, fmt.Errorf("%w: an empty name table", ErrBadData)
	}
	slices.Sort(names)
	weights := make([]float64, len(names))
	for i, n := range names {
		weights[i] = w[n]
	}
	return newPicker(names, weights), nil
}

// middleName draws a middle name for someone of gender born in year.
func (t *nameTables) middleName(r rng, male bool, year int) string {
	u := r.float()
	if u < noMiddleShare {
		return ""
	}
	u = (u - noMiddleShare) / (1 - noMiddleShare)
	if male {
		if u < vanShare(year) {
			return t.van.draw(r)
		}
		return t.otherMale.draw(r)
	}
	if u < thiShare(year) {
		return t.thi.draw(r)
	}
	return t.otherFem.draw(r)
}

func (t *nameTables) givenName(r rng, male bool) string {
	if male {
		return t.givenMale.draw(r)
	}
	return t.givenFem.draw(r)
}

// surnameFor draws the surname of someone founding a line (a child takes
// the father's) of ethnicity eth.
func (t *nameTables) surnameFor(r rng, eth string) string {
	if p := t.minority[eth]; p != nil && r.chance(minoritySurnameShare) {
		return p.draw(r)
	}
	return t.surname.draw(r)
}

// readLines reads a list file: one normalised name per line, blank lines
// and names with anything but letters and spaces skipped.
func readLines(file string) ([]string, error) {
	f, err := nameData.Open(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadData, err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n := vntext.NameCase(sc.Text())
		if n != "" && lettersOnly(n) {
			out = append(out, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadData, file, err)
	}
	return out, nil
}

func lettersOnly(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' {
			return false
		}
	}
	return true
}

// readCSV reads a two-column table with the given header, keeping rows
// whose name is letters and spaces.
func readCSV(file string, header ...string) ([][]string, error) {
	f, err := nameData.Open(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadData, err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = len(header)
	head, err := cr.Read()
	if err != nil || strings.Join(head, ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("%w: %s: header %v, want %v (%v)", ErrBadData, file, head, header, err)
	}
	var rows [][]string
	for {
		r, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadData, file, err)
		}
		if lettersOnly(vntext.NameCase(r[0])) {
			rows = append(rows, r)
		}
	}
}
