package adminunit

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"dancu/internal/vntext"
)

func TestResolveExamples(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct {
		in      string
		status  Status
		street  string
		era     Era
		current []string
		pre     string
	}{
		{"Số 12 Ngõ 5, P. Phúc Xá, Q. Ba Đình, TP Hà Nội", StatusResolved, "Số 12 Ngõ 5", EraPre2025, []string{"00097"}, "00001"},
		{"xa Tan Lap, huyen Dan Phuong, Ha Noi", StatusSplit, "", EraPre2025, []string{"09817", "09832"}, "09820"},
		{"Phường 1, Quận 3, TP.HCM", StatusResolved, "", EraPre2025, []string{"27154"}, "27160"},
		{"Phường Tân Định, TP Hồ Chí Minh", StatusResolved, "", Era2025, []string{"26737"}, "26734"},
		{"Hẻm 12/3 Lê Văn Sỹ, P.01, Q.3, TPHCM", StatusResolved, "Hẻm 12/3 Lê Văn Sỹ", EraPre2025, []string{"27154"}, "27160"},
		{"Phường 1, TP.HCM", StatusAmbiguous, "", "", nil, ""},
		{"Tỉnh Bình Dương", StatusPartial, "", EraPre2025, []string{"79"}, ""},
		{"abc xyz", StatusNotFound, "", "", nil, ""},
	}
	for _, tt := range tests {
		r, err := d.Resolve(tt.in)
		if err != nil {
			t.Errorf("Resolve(%q): %v", tt.in, err)
			continue
		}
		var codes []string
		for _, u := range r.Current {
			codes = append(codes, u.Code)
		}
		slices.Sort(codes)
		if r.Status != tt.status || r.Street != tt.street || r.Era != tt.era || !slices.Equal(codes, tt.current) || pre2025Code(r) != tt.pre {
			t.Errorf("Resolve(%q) = status %s street %q era %q current %v pre %q; want %s %q %q %v %q\nnote: %s",
				tt.in, r.Status, r.Street, r.Era, codes, pre2025Code(r), tt.status, tt.street, tt.era, tt.current, tt.pre, r.Note)
		}
		if r.Status == StatusAmbiguous && len(r.Candidates) < 2 {
			t.Errorf("Resolve(%q): ambiguous with %d candidates", tt.in, len(r.Candidates))
		}
		if r.Split != (r.Status == StatusSplit) {
			t.Errorf("Resolve(%q): split %v with status %s", tt.in, r.Split, r.Status)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrEmptyAddress},
		{" \t\n ", ErrEmptyAddress},
		{strings.Repeat("Phường 1 ", 200), ErrAddressTooLong},
		{strings.Repeat("x", 1<<20), ErrAddressTooLong},
		{"Phường \xff, Hà Nội", ErrInvalidUTF8},
	}
	for _, tt := range tests {
		_, err := d.Resolve(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("Resolve(%.20q…) error = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestResolutionJSON(t *testing.T) {
	d := loadDirectory(t)
	r, err := d.Resolve("Phường Đa Kao, Quận 1, TP HCM")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"input":`, `"street":`, `"status":"split"`, `"matched":`, `"current":`, `"split":true`, `"note":`, `"era":"pre2025"`, `"level":"commune"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
}

func pre2025Code(r Resolution) string {
	for _, u := range r.Matched {
		if u.Era == EraPre2025 && u.Level == LevelCommune {
			return u.Code
		}
	}
	return ""
}

// TestResolverAccuracy scores Resolve on the labelled addresses of
// testdata/addresses.csv and logs the accuracy per category (run with -v).
// A row is right when the status and the set of current codes match the
// label, and so does the pre-2025 commune code when the label gives one (a
// 2025 address may also name, in Matched, the pre-2025 commune of the same
// name that became the same commune).
func TestResolverAccuracy(t *testing.T) {
	const threshold = 0.97
	d := loadDirectory(t)
	f, err := os.Open("testdata/addresses.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], addressColumns) {
		t.Fatalf("columns %v, want %v", rows[0], addressColumns)
	}
	type tally struct{ ok, n int }
	byCat := map[string]*tally{}
	total := tally{}
	for _, row := range rows[1:] {
		in, status, codes, pre, cat := row[0], Status(row[1]), row[2], row[3], row[4]
		r, err := d.Resolve(in)
		if err != nil {
			t.Errorf("Resolve(%q): %v", in, err)
			continue
		}
		var got []string
		if r.Status != StatusAmbiguous {
			for _, u := range r.Current {
				got = append(got, u.Code)
			}
		}
		slices.Sort(got)
		ok := r.Status == status && strings.Join(got, ";") == codes && (pre == "" || pre2025Code(r) == pre)
		if byCat[cat] == nil {
			byCat[cat] = &tally{}
		}
		byCat[cat].n++
		total.n++
		if ok {
			byCat[cat].ok++
			total.ok++
		} else if testing.Verbose() {
			t.Logf("miss [%s] %q: got %s %v pre %q, want %s %s pre %q (%s)", cat, in, r.Status, got, pre2025Code(r), status, codes, pre, r.Note)
		}
	}
	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		t.Logf("%-18s %3d/%3d  %5.1f%%", c, byCat[c].ok, byCat[c].n, 100*float64(byCat[c].ok)/float64(byCat[c].n))
	}
	acc := float64(total.ok) / float64(total.n)
	t.Logf("%-18s %3d/%3d  %5.1f%%", "total", total.ok, total.n, 100*acc)
	if total.n < 300 {
		t.Errorf("only %d labelled addresses", total.n)
	}
	if acc < threshold {
		t.Errorf("accuracy %.3f below %.2f", acc, threshold)
	}
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"Số 12 Ngõ 5, P. Phúc Xá, Q. Ba Đình, TP Hà Nội", "xa Tan Lap, huyen Dan Phuong, Ha Noi",
		"Phường 1, Quận 3, TP.HCM", "F7 Q3", "", " ", ",,,", "p1q3tphcm", "Thị trấn", "0000000001",
		"Phường \u0301\u0301", "TT Huế", "tp",
	} {
		f.Add(s)
	}
	d := loadDirectory(f)
	f.Fuzz(func(t *testing.T, in string) {
		r, err := d.Resolve(in)
		switch {
		case len(in) > MaxAddressLen:
			if !errors.Is(err, ErrAddressTooLong) {
				t.Fatalf("long input: %v", err)
			}
			return
		case !utf8.ValidString(in):
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatalf("invalid UTF-8: %v", err)
			}
			return
		case strings.TrimSpace(in) == "":
			if !errors.Is(err, ErrEmptyAddress) {
				t.Fatalf("empty input: %v", err)
			}
			return
		case err != nil:
			t.Fatalf("Resolve(%q): %v", in, err)
		}
		if r.Input != in || !strings.HasPrefix(in, r.Street) {
			t.Fatalf("input %q street %q", r.Input, r.Street)
		}
		switch r.Status {
		case StatusResolved:
			if len(r.Current) != 1 || r.Current[0].Level != LevelCommune || r.CurrentProvince == nil {
				t.Fatalf("resolved %q: %+v", in, r)
			}
		case StatusSplit:
			if len(r.Current) < 2 || !r.Split {
				t.Fatalf("split %q: %+v", in, r)
			}
		case StatusAmbiguous:
			if len(r.Candidates) < 2 {
				t.Fatalf("ambiguous %q: %+v", in, r)
			}
		case StatusPartial:
			if len(r.Current) != 1 || r.Current[0].Level != LevelProvince {
				t.Fatalf("partial %q: %+v", in, r)
			}
		case StatusNotFound:
			if len(r.Matched) != 0 || len(r.Current) != 0 {
				t.Fatalf("not found %q: %+v", in, r)
			}
		default:
			t.Fatalf("status %q", r.Status)
		}
		for _, u := range r.Current {
			if u.Era != Era2025 {
				t.Fatalf("current unit %+v not of 2025", u)
			}
			if _, ok := d.Commune(u.Era, u.Code); !ok && u.Level == LevelCommune {
				t.Fatalf("current unit %+v unknown", u)
			}
		}
		if r.Note == "" {
			t.Fatal("no note")
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

var benchAddresses = []string{
	"Số 12 Ngõ 5, P. Phúc Xá, Q. Ba Đình, TP Hà Nội",
	"xa Tan Lap, huyen Dan Phuong, Ha Noi",
	"Phường 1, Quận 3, TP.HCM",
	"Phường Tân Định, TP Hồ Chí Minh",
	"Thôn Trung Hòa, Xã Tân Lập, Huyện Đan Phượng, Thành phố Hà Nội",
	"123/45 Nguyễn Văn Cừ P1 Q5 tphcm",
}

func BenchmarkResolve(b *testing.B) {
	d := loadDirectory(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := d.Resolve(benchAddresses[i%len(benchAddresses)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkResolveTooLong(b *testing.B) {
	d := loadDirectory(b)
	in := strings.Repeat("Phường 1 ", 1<<17)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Resolve(in); err == nil {
			b.Fatal("no error")
		}
	}
}

func BenchmarkResolveWorstCase(b *testing.B) {
	d := loadDirectory(b)
	in := strings.Repeat("Phường 1 Quận 1 ", MaxAddressLen/len("Phường 1 Quận 1 "))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Resolve(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineResolve, for scripts/bench.sh, folds the same addresses
// and splits them at commas: the least any resolver must do to read them.
func BenchmarkBaselineResolve(b *testing.B) {
	b.ReportAllocs()
	i := 0
	n := 0
	for b.Loop() {
		n += len(strings.Split(vntext.Fold(benchAddresses[i%len(benchAddresses)]), ","))
		i++
	}
	if n == 0 {
		b.Fatal("nothing split")
	}
}
