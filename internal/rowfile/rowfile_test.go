package rowfile

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"dancu/internal/registry"
)

var sample = []registry.Record{
	{PID: "001090000001", FullName: "Nguyễn Văn An", DateOfBirth: "1990-05-01", Gender: "male",
		PermanentAddress: "Số 1, \"Ngõ\" 2, Phường Hoàn Kiếm, Thành phố Hà Nội", HouseholdID: "h1", RelationToHead: "head"},
	{PID: "001190000002", FullName: "Trần Thị Bình", DateOfBirth: "1992", Gender: "female", Phone: "0912345678",
		OtherNames: "Bé; Bình Trần", HouseholdID: "h1", RelationToHead: "spouse"},
}

func roundTrip(t *testing.T, f Format) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sample {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := NewReader(&buf, f)
	for i, want := range sample {
		line, got, err := r.Next()
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if got != want {
			t.Errorf("row %d (line %d): got %+v, want %+v", i, line, got, want)
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last row: %v, want EOF", err)
	}
}

func TestRoundTrip(t *testing.T) {
	roundTrip(t, CSV)
	roundTrip(t, NDJSON)
}

type row struct {
	line int64
	pid  string
	err  string
}

func readAll(t *testing.T, f Format, in string) []row {
	t.Helper()
	r := NewReader(strings.NewReader(in), f)
	var out []row
	for {
		line, rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		var re *RowError
		switch {
		case errors.As(err, &re):
			out = append(out, row{line: line, err: re.Msg})
		case err != nil:
			out = append(out, row{err: "FATAL " + err.Error()})
			return out
		default:
			out = append(out, row{line: line, pid: rec.PID})
		}
	}
}

func TestBadRowsAreReportedAndSkipped(t *testing.T) {
	csvIn := "\ufeffpid,full_name,date_of_birth\n" +
		"001090000001,A,1990\n" +
		"001090000002,B\n" + // missing column
		"001090000003,\"C,1990\n" + // unterminated quote runs to the end
		""
	got := readAll(t, CSV, csvIn)
	if len(got) < 2 || got[0].pid != "001090000001" || got[1].line != 3 || !strings.Contains(got[1].err, "2 columns, the header 3") {
		t.Errorf("csv: %+v", got)
	}

	nd := `{"pid":"001090000001"}
{"pid":"001090000002"
{"pid":1}
{"pid":"x","colour":"red"}

["not an object"]
{"pid":"001090000006"} {"pid":"7"}
{"pid":"001090000008"}
`
	got = readAll(t, NDJSON, nd)
	want := []row{
		{1, "001090000001", ""},
		{2, "", "broken JSON"},
		{3, "", "pid must be a string"},
		{4, "", "unknown field \"colour\""},
		{6, "", "a row must be a JSON object"},
		{7, "", "more than one JSON value"},
		{8, "001090000008", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("ndjson: got %+v", got)
	}
	for i := range want {
		if got[i].line != want[i].line || got[i].pid != want[i].pid || !strings.Contains(got[i].err, want[i].err) {
			t.Errorf("ndjson row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestHeaderErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "empty",
		"full_name\nA\n":      "no pid column",
		"pid,colour\n1,red\n": `unknown column "colour"`,
		"pid,pid\n1,2\n":      "appears twice",
	} {
		got := readAll(t, CSV, in)
		if len(got) != 1 || !strings.Contains(got[0].err, want) {
			t.Errorf("%q: got %+v, want %q", in, got, want)
		}
	}
}

func TestLongLine(t *testing.T) {
	in := `{"pid":"` + strings.Repeat("9", MaxLine+10) + "\"}\n" + `{"pid":"001090000002"}` + "\n"
	got := readAll(t, NDJSON, in)
	if len(got) != 2 || !strings.Contains(got[0].err, "longer than") || got[1].pid != "001090000002" || got[1].line != 2 {
		t.Errorf("got %d rows: first error %q, second %q at line %d", len(got), got[0].err, got[len(got)-1].pid, got[len(got)-1].line)
	}
}

func TestFormatOf(t *testing.T) {
	for _, c := range []struct {
		name, explicit string
		want           Format
		ok             bool
	}{
		{"a.csv", "", CSV, true}, {"a.NDJSON", "", NDJSON, true}, {"a.jsonl", "", NDJSON, true},
		{"a.txt", "csv", CSV, true}, {"a.txt", "", "", false}, {"a.csv", "xml", "", false},
	} {
		got, err := FormatOf(c.name, c.explicit)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("FormatOf(%q, %q) = %q, %v", c.name, c.explicit, got, err)
		}
	}
}

// FuzzReader: no input makes a reader panic, loop or return a row with
// invalid UTF-8.
func FuzzReader(f *testing.F) {
	f.Add("pid,full_name\n001090000001,A\n", true)
	f.Add(`{"pid":"001090000001","full_name":"A"}`+"\n{", false)
	f.Add("\ufeffpid\n\"a\"\"b\"\n", true)
	f.Fuzz(func(t *testing.T, in string, isCSV bool) {
		format := NDJSON
		if isCSV {
			format = CSV
		}
		r := NewReader(strings.NewReader(in), format)
		for i := 0; i <= len(in)+1; i++ {
			_, rec, err := r.Next()
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				return
			}
			if err == nil {
				for _, f := range rec.Fields() {
					if !utf8.ValidString(*f) {
						t.Fatalf("row with invalid UTF-8 %q", *f)
					}
				}
			}
		}
		t.Fatalf("reader did not finish %d bytes", len(in))
	})
}
