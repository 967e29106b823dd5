package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"dancu/internal/registry"
)

// fuzzHeader is the header FuzzReader puts before the fuzzed bytes in
// mode 1, so that rows reach every field's parser.
const fuzzHeader = "pid;old_id_number;full_name;date_of_birth;gender;permanent_address;phone;record_key\n"

// FuzzReader reads arbitrary bytes as a file sniffed, as CSV under a header
// naming every field, as NDJSON, and as CSV without a header: the reader
// must not panic, must end, and every record must hold the invariants
// checkRecord checks, with lines increasing.
func FuzzReader(f *testing.F) {
	f.Add([]byte("pid,full_name\n001090012345,Nguyễn Văn An\n"), uint8(0))
	f.Add([]byte("\ufeffpid;full_name;date_of_birth\n\"00109\n0012345\";\"Trần \"\"Bích\"\"\";12/05/90\n1;2\n"), uint8(0))
	f.Add([]byte("001090012345;012345678;Lê Văn Cường;31/02/1990;nữ;Số 1, Phường Láng;+84 912 345 678;K1\n"), uint8(1))
	f.Add([]byte("79012345678;;An;1990-05-12T00:00:00;1;;8.49123E+10;\n;;;;;;;\n\"a;b\n"), uint8(1))
	f.Add([]byte(`{"pid":"001090012345","full_name":"Nguyễn Văn An","gender":"Nam"}`+"\n"+`{"pid":1,`+"\n[]\n"), uint8(2))
	f.Add([]byte(`{"date_of_birth":"2030","phone":true,"record_key":null}`), uint8(2))
	f.Add([]byte("a,b,c\n1,2\n\"x\"y,z\n"), uint8(3))
	f.Add([]byte("\xff\xfep\x00i\x00d\x00"), uint8(0))
	f.Add([]byte("sep=,\npid\n\xe9\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := Options{Today: testToday}
		switch mode % 4 {
		case 1:
			data = append([]byte(fuzzHeader), data...)
			opts.Format = CSV
		case 2:
			opts.Format = NDJSON
			opts.Columns = map[string]string{FieldPID: "PID", FieldRecordKey: "k"}
		case 3:
			opts.NoHeader = true
			opts.Columns = map[string]string{FieldPID: "1", FieldFullName: "2", FieldDateOfBirth: "3"}
		}
		r, err := NewReader(strings.NewReader(string(data)), opts)
		if err != nil {
			checkFileError(t, err)
			return
		}
		var last int64
		for n := 0; ; n++ {
			if n > len(data)+1 {
				t.Fatalf("more records than bytes")
			}
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkFileError(t, err)
				return
			}
			if err := checkRecord(rec); err != nil {
				t.Fatalf("record %+v: %v", rec, err)
			}
			if rec.Line <= last {
				t.Fatalf("line %d after line %d", rec.Line, last)
			}
			last = rec.Line
			if !rec.Invalid && !utf8.ValidString(rec.FullName+rec.Address+rec.Key) {
				t.Fatalf("record %+v is not UTF-8", rec)
			}
		}
	})
}

func checkFileError(t *testing.T, err error) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not a *FileError", err)
	}
	if fe.Msg == "" || fe.Kind == "" || fe.Line < 0 {
		t.Fatalf("file error %+v", fe)
	}
}

// FuzzParseDate checks that parseDate never panics, returns a valid date
// not after today or a reason naming the value, and reads back its own
// output.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"12/05/1990", "1990-05-12T00:00:00Z", "05/1990", "1990", "29/02/28",
		"31/02/1990", "32874", "5/12/1990 12:00:00 AM", "12-05-90", "1990-05-11T17:00:00.000+07:00", "0/0/0"} {
		f.Add(s, uint8(0))
	}
	today := registry.DateOf(testToday)
	f.Fuzz(func(t *testing.T, s string, order uint8) {
		o := dateOrder(order % 4)
		d, swappable, bad := parseDate(s, o, today)
		if bad != nil {
			if !d.IsZero() || swappable || bad.reason == "" || (bad.kind != KindBadDate && bad.kind != KindFutureDate) {
				t.Fatalf("parseDate(%q) = %v, %v, %+v", s, d, swappable, bad)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("parseDate(%q) = %v: %v", s, d, err)
		}
		if strings.TrimSpace(s) == "" {
			if !d.IsZero() {
				t.Fatalf("parseDate(%q) = %v", s, d)
			}
			return
		}
		if d.Year < MinYear || after(d, today) {
			t.Fatalf("parseDate(%q) = %v, out of range", s, d)
		}
		if swappable != (d.Day != 0 && d.Day <= 12 && d.Month <= 12 && d.Day != d.Month) {
			t.Fatalf("parseDate(%q) swappable %v for %v", s, swappable, d)
		}
		back, _, bad := parseDate(d.String(), o, today)
		if bad != nil || back != d {
			t.Fatalf("parseDate(%q) = %v, which reads back as %v, %+v", s, d, back, bad)
		}
	})
}

// FuzzParseColumns checks that ParseColumns never panics, that what it
// accepts NewReader accepts, and that it round-trips through its syntax.
func FuzzParseColumns(f *testing.F) {
	for _, s := range []string{"pid=Số CCCD,full_name=Họ tên", "pid=1", "pid=a,,", "=", "PID = a = b", "pid=a,pid=b", "x=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cols, err := ParseColumns(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if _, err := checkColumns(cols); err != nil {
			t.Fatalf("ParseColumns(%q) = %v, which checkColumns refuses: %v", s, cols, err)
		}
		var parts []string
		for _, name := range fieldNames {
			if col, ok := cols[name]; ok {
				if col == "" || col != strings.TrimSpace(col) {
					t.Fatalf("ParseColumns(%q): column %q", s, col)
				}
				parts = append(parts, name+"="+col)
			}
		}
		if len(parts) != len(cols) {
			t.Fatalf("ParseColumns(%q) = %v: unknown fields", s, cols)
		}
		again, err := ParseColumns(strings.Join(parts, ","))
		if err != nil || len(again) != len(cols) {
			t.Fatalf("ParseColumns(%q) = %v, which does not read back: %v, %v", s, cols, again, err)
		}
	})
}

// FuzzScanObject checks scanObject against encoding/json: on every valid
// JSON object in UTF-8 it must find the same members with the same values.
func FuzzScanObject(f *testing.F) {
	f.Add(`{"pid":"001090012345","full_name":"Nguy\u1ec5n","n":1.5e3,"x":{"a":[1,"]}"]},"b":null}`)
	f.Add(`{ "a" : [ ] , "a" : "\"" , "k\u0065y" : -0 }`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, s string) {
		b := bytes.TrimSpace([]byte(s))
		// nextNDJSON rejects lines that are not UTF-8 before scanning;
		// encoding/json would replace the bad bytes.
		if !utf8.Valid(b) || !json.Valid(b) || b[0] != '{' {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		scanObject(b, func(key, value []byte) {
			k, ok := jsonText(append(append([]byte{'"'}, key...), '"'))
			if !ok {
				t.Fatalf("key %q", key)
			}
			got[k] = string(value)
		})
		if len(got) != len(want) {
			t.Fatalf("%d members, want %d: %q", len(got), len(want), got)
		}
		for k, v := range want {
			g, ok := got[k]
			if !ok {
				t.Fatalf("no member %q", k)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(g)); err != nil || !bytes.Equal(compact.Bytes(), mustCompact(t, v)) {
				t.Fatalf("member %q = %s, want %s", k, g, v)
			}
			gt, gok := jsonText([]byte(g))
			wt, wok := jsonText(v)
			if gt != wt || gok != wok {
				t.Fatalf("member %q text %q %v, want %q %v", k, gt, gok, wt, wok)
			}
		}
	})
}

func mustCompact(t *testing.T, v []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
