package reconcile

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/reconcile/fellegi"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

var loadUnits = sync.OnceValues(adminunit.Load)

func units(t testing.TB) *adminunit.Directory {
	t.Helper()
	u, err := loadUnits()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fixture is a small register: a few named citizens the tests look for,
// and a crowd of others so that the model has non-matches to learn from.
func fixture(t testing.TB) (*Register, []registry.Citizen) {
	t.Helper()
	u := units(t)
	addr := func(code string) registry.Address {
		return registry.Address{Street: "Số 1", CommuneCode: code, Era: adminunit.Era2025}
	}
	communes := u.Communes(adminunit.Era2025, "")
	named := []registry.Citizen{
		{PID: "001090012345", FullName: "Nguyễn Văn An", DateOfBirth: registry.MustDate("1990-03-07"), Gender: pid.Male,
			PermanentAddress: addr(communes[0].Code), Phone: "0912345678", OldIDNumber: "011223344", Status: registry.StatusAlive},
		{PID: "001190054321", FullName: "Trần Thị Bích Ngọc", DateOfBirth: registry.MustDate("1992-11-20"), Gender: pid.Female,
			PermanentAddress: addr(communes[1].Code), Status: registry.StatusAlive},
		{PID: "079085000777", FullName: "Lê Hoàng Phúc", DateOfBirth: registry.MustDate("1985"), Gender: pid.Male,
			PermanentAddress: addr(communes[2].Code), Status: registry.StatusDeceased, DateOfDeath: registry.MustDate("2024-05-01")},
		// Twins but for the given name: blocking finds both for a record
		// that only gives the family's names.
		{PID: "036095001111", FullName: "Phạm Minh Tuấn", DateOfBirth: registry.MustDate("1995-06-06"), Gender: pid.Male,
			PermanentAddress: addr(communes[3].Code), Status: registry.StatusAlive},
		{PID: "036095001112", FullName: "Phạm Minh Tuấn", DateOfBirth: registry.MustDate("1995-06-06"), Gender: pid.Male,
			PermanentAddress: addr(communes[3].Code), Status: registry.StatusAlive},
	}
	surnames := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi"}
	middles := []string{"Văn", "Thị", "Minh", "Hữu", "Đức", "Ngọc"}
	givens := []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tú", "Vy"}
	all := append([]registry.Citizen(nil), named...)
	for i := range 6000 {
		year := 1950 + i%55
		g := pid.Male
		century := 0
		if i%2 == 1 {
			g = pid.Female
			century = 1
		}
		number := fmt.Sprintf("%03d%d%02d%06d", 1+2*(i%40), century, year%100, 100000+i)
		all = append(all, registry.Citizen{
			PID:         pid.PID(number),
			FullName:    surnames[i%len(surnames)] + " " + middles[(i/7)%len(middles)] + " " + givens[(i/3)%len(givens)],
			DateOfBirth: registry.Date{Year: year, Month: 1 + i%12, Day: 1 + i%28}, Gender: g,
			PermanentAddress: addr(communes[(i*37)%len(communes)].Code), Status: registry.StatusAlive,
			Phone: fmt.Sprintf("09%08d", 10000000+i),
		})
	}
	reg, err := Load(context.Background(), u, func(ctx context.Context, fn func(registry.Citizen) error) error {
		for _, c := range all {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return reg, all
}

// datasetFile writes rows (a header first) as a CSV file and returns its
// Open.
func datasetFile(t testing.TB, rows [][]string) func() (io.ReadCloser, error) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

var telecomColumns = map[string]string{"record_key": "subscriber_id", "pid": "id_number", "full_name": "full_name",
	"date_of_birth": "date_of_birth", "gender": "gender", "permanent_address": "address", "phone": "phone"}

// crowdRows are records of the crowd, as a clean dataset would give them,
// for the model to learn what a match looks like.
func crowdRows(all []registry.Citizen, u *adminunit.Directory, n int) [][]string {
	var rows [][]string
	for i, c := range all[5 : 5+n] {
		address, _ := u.Format(adminunit.Era2025, c.PermanentAddress.CommuneCode)
		g := "Nam"
		if c.Gender == pid.Female {
			g = "Nữ"
		}
		id := string(c.PID)
		if i%5 == 0 {
			id = "" // some without a number: the model must learn from names too
		}
		name := c.FullName
		dob := fmt.Sprintf("%02d/%02d/%04d", c.DateOfBirth.Day, c.DateOfBirth.Month, c.DateOfBirth.Year)
		// The noise of real datasets, so that the model meets it among
		// matches: names reordered or without diacritics, years alone.
		switch i % 11 {
		case 1:
			parts := strings.Fields(name)
			parts[1], parts[2] = parts[2], parts[1]
			name = strings.Join(parts, " ")
		case 2:
			name = vntext.Fold(name)
		case 3:
			dob = fmt.Sprint(c.DateOfBirth.Year)
		case 4:
			address = ""
		}
		rows = append(rows, []string{fmt.Sprintf("crowd-%d", i), id, name, dob, g, address, c.Phone})
	}
	return rows
}

func runRows(t *testing.T, reg *Register, rows [][]string, decisions Decisions) (map[string]Outcome, *Report) {
	t.Helper()
	header := []string{"subscriber_id", "id_number", "full_name", "date_of_birth", "gender", "address", "phone"}
	all := append([][]string{header}, rows...)
	out := map[string]Outcome{}
	rep, err := Run(context.Background(), reg, Config{
		Dataset: "test", Open: datasetFile(t, all), Input: input.Options{Columns: telecomColumns},
		MaxPerCitizen: 1, Decisions: decisions,
		Sink: func(o *Outcome) error {
			out[o.Record.Key] = *o
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, rep
}

func TestReconcile(t *testing.T) {
	reg, all := fixture(t)
	u := units(t)
	addr0, _ := u.Format(adminunit.Era2025, all[0].PermanentAddress.CommuneCode)
	rows := crowdRows(all, u, 3000)
	cases := []struct {
		row       []string
		status    Status
		pid       string
		differing string
	}{
		{[]string{"exact", "001090012345", "Nguyễn Văn An", "07/03/1990", "Nam", addr0, "0912345678"}, StatusMatch, "001090012345", ""},
		{[]string{"capitals", "001090012345", "NGUYỄN VĂN AN", "07/03/1990", "Nam", "", ""}, StatusMatch, "001090012345", ""},
		{[]string{"no-diacritics", "001090012345", "NGUYEN VAN AN", "07/03/1990", "Nam", "", ""}, StatusCorrected, "001090012345", "full_name"},
		{[]string{"old-id", "011223344", "Nguyen Van An", "1990", "M", "", ""}, StatusCorrected, "001090012345", "full_name;date_of_birth"},
		{[]string{"transposed-pid", "001090012354", "Nguyễn Văn An", "07/03/1990", "Nam", "", "0912345678"}, StatusCorrected, "001090012345", "pid"},
		{[]string{"swapped-date", "", "Trần Thị Bích Ngọc", "1992-11-20", "Nữ", "", ""}, StatusMatch, "001190054321", ""},
		{[]string{"swapped-middle", "001190054321", "Trần Bích Thị Ngọc", "20/11/1992", "F", "", ""}, StatusCorrected, "001190054321", "full_name"},
		{[]string{"deceased", "079085000777", "Lê Hoàng Phúc", "1985", "Nam", "", ""}, StatusMatch, "079085000777", ""},
		{[]string{"twins", "", "Phạm Minh Tuấn", "06/06/1995", "Nam", "", ""}, StatusAmbiguous, "", ""},
		{[]string{"stranger", "", "Ông Văn Không", "01/01/1970", "Nam", "", ""}, StatusNotFound, "", ""},
		{[]string{"nothing", "", "", "01/01/1970", "Nam", "", ""}, StatusInvalid, "", ""},
		{[]string{"repeat", "001090012345", "Nguyễn Văn An", "07/03/1990", "Nam", "", ""}, StatusMatch, "001090012345", ""},
	}
	for _, c := range cases {
		rows = append(rows, c.row)
	}
	out, rep := runRows(t, reg, rows, nil)
	for _, c := range cases {
		o := out[c.row[0]]
		got := differingList(o.Differing)
		if o.Status != c.status || string(o.PID) != c.pid || got != c.differing {
			t.Errorf("%s: got %s %q differing %q (p=%.4f, candidates %v), want %s %q differing %q",
				c.row[0], o.Status, o.PID, got, o.Probability, o.Candidates, c.status, c.pid, c.differing)
		}
	}
	if o := out["repeat"]; o.DuplicateOf != "exact" || !o.OverLimit {
		t.Errorf("repeat: duplicate_of %q over_limit %v, want exact, true", o.DuplicateOf, o.OverLimit)
	}
	if o := out["deceased"]; !o.Deceased {
		t.Error("deceased: not flagged")
	}
	if o := out["twins"]; len(o.Candidates) != 2 {
		t.Errorf("twins: %d candidates, want both", len(o.Candidates))
	}
	wrong := 0
	for i := range 3000 {
		o := out[fmt.Sprintf("crowd-%d", i)]
		if o.PID != all[5+i].PID {
			wrong++
		}
	}
	if wrong > 30 {
		t.Errorf("%d of 3000 clean crowd records not linked to their citizen", wrong)
	}
	if rep.Records != int64(len(rows)) || rep.Statuses[StatusInvalid] != 1 {
		t.Errorf("report: %d records, %d invalid", rep.Records, rep.Statuses[StatusInvalid])
	}
}

func TestDecisionsAreReused(t *testing.T) {
	reg, all := fixture(t)
	rows := crowdRows(all, units(t), 2000)
	twins := []string{"twins", "", "Phạm Minh Tuấn", "06/06/1995", "Nam", "", ""}
	rows = append(rows, twins)
	out, _ := runRows(t, reg, rows, nil)
	if out["twins"].Status != StatusAmbiguous {
		t.Fatalf("twins: %s before any decision", out["twins"].Status)
	}
	fp := Fingerprint(&input.Record{Raw: input.Raw{FullName: twins[2], DateOfBirth: twins[3], Gender: twins[4]}})
	out, rep := runRows(t, reg, rows, DecisionMap{"twins": {Fingerprint: fp, Accepted: "036095001112"}})
	if o := out["twins"]; o.Status != StatusMatch || o.PID != "036095001112" || !o.Decided || rep.Decided != 1 {
		t.Errorf("accepted: got %s %s decided %v", o.Status, o.PID, o.Decided)
	}
	out, _ = runRows(t, reg, rows, DecisionMap{"twins": {Fingerprint: fp, Rejected: []pid.PID{"036095001111"}}})
	if o := out["twins"]; o.Status != StatusMatch || o.PID != "036095001112" {
		t.Errorf("one rejected: got %s %s, want the other linked", o.Status, o.PID)
	}
	out, _ = runRows(t, reg, rows, DecisionMap{"twins": {Fingerprint: "stale", Accepted: "036095001112"}})
	if o := out["twins"]; o.Status != StatusAmbiguous {
		t.Errorf("a decision on another version of the record applied: %s", o.Status)
	}
}

func TestBrokenFileCompletes(t *testing.T) {
	reg, all := fixture(t)
	rows := crowdRows(all, units(t), 500)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"subscriber_id", "id_number", "full_name", "date_of_birth", "gender", "address", "phone"})
	_ = w.WriteAll(rows[:200])
	b.WriteString("bad-cols,001090012345,Nguyễn Văn An,07/03/1990,Nam,,,extra,columns\n")
	b.WriteString("bad-date,001090012345,Nguyễn Văn An,31/02/1990,Nam,,\n")
	b.WriteString("bad-bytes,001090012345,Nguy\xe1n V\xe3n An,07/03/1990,Nam,,\n")
	w = csv.NewWriter(&b)
	_ = w.WriteAll(rows[200:])
	data := b.Bytes()
	out := map[string]Outcome{}
	rep, err := Run(context.Background(), reg, Config{
		Dataset: "broken", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		Input: input.Options{Columns: telecomColumns},
		Sink:  func(o *Outcome) error { out[o.Record.Key] = *o; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 503 {
		t.Errorf("%d records, want 503: the rows after the broken ones must be read", rep.Records)
	}
	if rep.Errors.Rows != 3 || len(rep.Errors.First) != 3 {
		t.Errorf("row errors: %+v", rep.Errors)
	}
	if o := out["bad-date"]; o.Status != StatusCorrected || o.PID != "001090012345" {
		t.Errorf("a bad date alone must not stop the link: %s %s", o.Status, o.PID)
	}
	for _, e := range rep.Errors.First {
		if e.Line == 0 || e.Reason == "" {
			t.Errorf("row error without a line or reason: %+v", e)
		}
	}
}

func TestNearNumber(t *testing.T) {
	for _, c := range []struct {
		a, b uint64
		want bool
	}{
		{1090012345, 1090012354, true},
		{1090012345, 1090012345, false},
		{1090012345, 1090012346, true},
		{1090012345, 1090021354, false},
		{1090012345, 1090012534, false},
	} {
		if got := nearNumber(c.a, c.b, 12); got != c.want {
			t.Errorf("nearNumber(%d, %d) = %v", c.a, c.b, got)
		}
	}
}

func TestWriteReport(t *testing.T) {
	reg, all := fixture(t)
	rows := crowdRows(all, units(t), 500)
	_, rep := runRows(t, reg, rows, nil)
	dir := t.TempDir()
	if err := WriteReport(dir, rep); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"statuses", "scorecard", "provinces", "row_errors", "model", "review_share"} {
		if _, ok := back[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Đúng", "Correct", "match_with_corrections", "m", "lang=\"vi\""} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	var p fellegi.Params
	if err := json.Unmarshal(mustJSON(t, rep.Model.Params), &p); err != nil {
		t.Errorf("the model does not read back: %v", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A file none of whose records resembles a citizen still completes: every
// record is reported, with its errors, rather than the run failing for
// want of pairs to fit the model on.
func TestAListOfStrangersCompletes(t *testing.T) {
	reg, _ := fixture(t)
	rows := [][]string{
		{"subscriber_id", "id_number", "full_name", "date_of_birth", "gender"},
		{"A", "", "Ông Văn Không", "01/01/1970", "Nam"},
		{"B", "", "", "xx", "Nam"},
		{"C", "", "Bà Thị Chưa", "1901", "Nữ"},
	}
	var statuses []Status
	rep, err := Run(context.Background(), reg, Config{
		Dataset: "strangers", Open: datasetFile(t, rows), Input: input.Options{Columns: map[string]string{"record_key": "subscriber_id", "pid": "id_number"}},
		Sink: func(o *Outcome) error { statuses = append(statuses, o.Status); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Status{StatusNotFound, StatusInvalid, StatusNotFound}
	if !slices.Equal(statuses, want) || rep.Errors.Rows != 1 {
		t.Errorf("statuses %v (want %v), %d rows with errors", statuses, want, rep.Errors.Rows)
	}
}

// The dead are told apart by the dataset's date: listed while alive and
// not kept up, or listed dead.
func TestDeadSinceTheDatasetsDate(t *testing.T) {
	reg, _ := fixture(t)
	rows := [][]string{
		{"subscriber_id", "id_number", "full_name", "date_of_birth", "gender"},
		{"dead", "079085000777", "Lê Hoàng Phúc", "1985", "Nam"},
		{"alive", "001090012345", "Nguyễn Văn An", "07/03/1990", "Nam"},
	}
	for _, c := range []struct {
		asOf  registry.Date
		since int64
	}{{registry.MustDate("2024-01-01"), 1}, {registry.MustDate("2025-01-01"), 0}, {registry.Date{}, 0}} {
		rep, err := Run(context.Background(), reg, Config{Dataset: "dead", Open: datasetFile(t, rows), AsOf: c.asOf,
			Input: input.Options{Columns: map[string]string{"record_key": "subscriber_id", "pid": "id_number"}}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Scorecard.Dead != 1 || rep.Scorecard.DeadSince != c.since || rep.Scorecard.Live != 0.5 {
			t.Errorf("as of %v: dead %d, since %d (want %d), live %.2f", c.asOf, rep.Scorecard.Dead, rep.Scorecard.DeadSince, c.since, rep.Scorecard.Live)
		}
	}
}

// differingList writes the differing bits as records.csv does.
func differingList(bits uint8) string {
	if bits == 0 {
		return ""
	}
	var parts []string
	for f := range numFields {
		if bits&(1<<f) != 0 {
			parts = append(parts, outputNames[f])
		}
	}
	return strings.Join(parts, ";")
}
