package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// testToday is the Options.Today of the tests.
var testToday = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

// readAll reads every record of data, checking the invariants every record
// must hold, and returns the records' summaries.
func readAll(t *testing.T, data string, opts Options) ([]string, error) {
	t.Helper()
	if opts.Today.IsZero() {
		opts.Today = testToday
	}
	r, err := NewReader(strings.NewReader(data), opts)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if err := checkRecord(rec); err != nil {
			t.Errorf("record %d: %v", len(out)+1, err)
		}
		out = append(out, summary(rec))
	}
}

// checkRecord checks what every record holds.
func checkRecord(rec Record) error {
	if rec.Line <= 0 {
		return fmt.Errorf("line %d", rec.Line)
	}
	if rec.Invalid && len(rec.Errors) == 0 {
		return errors.New("invalid without an error")
	}
	for _, e := range rec.Errors {
		if e.Reason == "" || e.Kind == "" {
			return fmt.Errorf("error without a reason or kind: %+v", e)
		}
	}
	if err := rec.DateOfBirth.Validate(); err != nil {
		return fmt.Errorf("date of birth: %v", err)
	}
	if rec.PID != "" && (len(rec.PID) != 12 || !allDigits(rec.PID)) {
		return fmt.Errorf("pid %q", rec.PID)
	}
	if rec.OldID != "" && (len(rec.OldID) != 9 && len(rec.OldID) != 12 || !allDigits(rec.OldID)) {
		return fmt.Errorf("old id %q", rec.OldID)
	}
	if p := rec.Phone; p != "" && !(p[0] == '0' && (len(p) == 10 || len(p) == 11) || p[0] == '+') {
		return fmt.Errorf("phone %q", p)
	}
	return nil
}

// summary writes the parsed parts of rec on one line: the line, the key,
// the values set and the kinds of the errors.
func summary(rec Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d key=%s", rec.Line, rec.Key)
	if rec.Invalid {
		b.WriteString(" INVALID")
	}
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	add("pid", rec.PID)
	add("old", rec.OldID)
	add("name", rec.FullName)
	add("dob", rec.DateOfBirth.String())
	if rec.DateSwappable {
		b.WriteString(" swappable")
	}
	if rec.Gender != 0 {
		add("gender", rec.Gender.String())
	}
	add("addr", rec.Address)
	add("phone", rec.Phone)
	for _, e := range rec.Errors {
		fmt.Fprintf(&b, " !%s", e.Kind)
		if e.Field != "" {
			b.WriteString(":" + e.Field)
		}
	}
	return b.String()
}

// vnColumns maps the fields to the Vietnamese headers of a made-up telecoms
// operator's export.
var vnColumns = map[string]string{
	FieldPID: "Số CCCD", FieldFullName: "Họ và tên", FieldDateOfBirth: "Ngày sinh",
	FieldGender: "Giới tính", FieldPhone: "Số thuê bao", FieldRecordKey: "Mã KH",
}

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		data string
		opts Options
		want []string
	}{
		{
			name: "csv comma, our column names",
			data: "pid,full_name,date_of_birth,gender,phone\n" +
				"001090012345,Nguyễn Văn An,1990-05-12,Nam,0912345678\n" +
				"001190012346,Trần Thị Bích,25/12/1990,Nữ,+84 987 654 321\n",
			want: []string{
				"2 key=2 pid=001090012345 name=Nguyễn Văn An dob=1990-05-12 swappable gender=male phone=0912345678",
				"3 key=3 pid=001190012346 name=Trần Thị Bích dob=1990-12-25 gender=female phone=0987654321",
			},
		},
		{
			name: "csv semicolon with BOM and Vietnamese headers",
			data: "\ufeffMã KH;Số CCCD;Họ và tên;Ngày sinh;Giới tính;Số thuê bao\r\n" +
				"KH-001;001090012345;  Nguyễn   Văn An ;12/05/1990;NAM;84912345678\r\n" +
				"KH-002;012345678;Lê Thị Hoà;05/1985;nu;\r\n",
			opts: Options{Columns: vnColumns},
			want: []string{
				"2 key=KH-001 pid=001090012345 name=Nguyễn Văn An dob=1990-05-12 swappable gender=male phone=0912345678",
				"3 key=KH-002 old=012345678 name=Lê Thị Hòa dob=1985-05 gender=female",
			},
		},
		{
			name: "tab delimited",
			data: "pid\tfull_name\tpermanent_address\n001090012345\tPhạm Minh Châu\tSố 8, Phường Ba Đình, Thành phố Hà Nội\n",
			want: []string{"2 key=2 pid=001090012345 name=Phạm Minh Châu addr=Số 8, Phường Ba Đình, Thành phố Hà Nội"},
		},
		{
			name: "Excel sep= line",
			data: "sep=;\npid;full_name\n001090012345;Võ Văn Dũng\n",
			want: []string{"3 key=3 pid=001090012345 name=Võ Văn Dũng"},
		},
		{
			name: "quoted fields with delimiters, quotes and line breaks",
			data: "pid;full_name;permanent_address\n" +
				"001090012345;\"Nguyễn Văn \"\"Tèo\"\" An\";\"Số 1; Ngõ 2, Phường Láng\nThành phố Hà Nội\"\n" +
				"001090012346;Đỗ Thị Em;\"Thôn Trung\r\nXã Hải Hậu\"\n" +
				"001090012347;Hoàng Văn Phúc;\"\"\n",
			want: []string{
				"2 key=2 pid=001090012345 name=Nguyễn Văn \"Tèo\" An addr=Số 1; Ngõ 2, Phường Láng Thành phố Hà Nội",
				"4 key=4 pid=001090012346 name=Đỗ Thị Em addr=Thôn Trung Xã Hải Hậu",
				"6 key=6 pid=001090012347 name=Hoàng Văn Phúc",
			},
		},
		{
			name: "too many and too few columns",
			data: "pid,full_name,permanent_address\n" +
				"001090012345,Nguyễn Văn An,Số 1, Phường Láng\n" +
				"001090012346,Trần Thị Bích\n" +
				"\"001090012347\",\"Lê Văn\nCường\",\"Xã Hải Hậu\"\n" +
				"001090012348,Bùi Thị Dung,Phường Láng\n",
			want: []string{
				"2 key=2 INVALID !columns",
				"3 key=3 INVALID !columns",
				"4 key=4 pid=001090012347 name=Lê Văn Cường addr=Xã Hải Hậu",
				"6 key=6 pid=001090012348 name=Bùi Thị Dung addr=Phường Láng",
			},
		},
		{
			name: "bad quotes are row errors",
			data: "pid,full_name\n" +
				"001090012345,Nguyễn Văn \"Tèo\"\n" +
				"001090012346,\"Trần Thị\" Bích\n" +
				"001090012347,Lê Văn Cường\n",
			want: []string{
				"2 key=2 INVALID !csv",
				"3 key=3 INVALID !csv",
				"4 key=4 pid=001090012347 name=Lê Văn Cường",
			},
		},
		{
			name: "a quote never closed at the end of the file",
			data: "pid,full_name\n001090012345,An\n001090012346,\"Bích\n001090012347,Cường\n",
			want: []string{"2 key=2 pid=001090012345 name=An", "3 key=3 INVALID !csv"},
		},
		{
			name: "blank and empty rows skipped",
			data: "pid;full_name\n\n001090012345;An\n;\n  ; \n001090012346;Bích\n;;\n",
			want: []string{"3 key=3 pid=001090012345 name=An", "6 key=6 pid=001090012346 name=Bích"},
		},
		{
			name: "no header, columns by number",
			data: "Nguyễn Văn An;001090012345;1990\nTrần Thị Bích;001190012346;1991;x\nLê Văn Cường;001090012347;1992\n",
			opts: Options{NoHeader: true, Columns: map[string]string{FieldFullName: "1", FieldPID: "2", FieldDateOfBirth: "3"}},
			want: []string{
				"1 key=1 pid=001090012345 name=Nguyễn Văn An dob=1990",
				"2 key=2 INVALID !columns",
				"3 key=3 pid=001090012347 name=Lê Văn Cường dob=1992",
			},
		},
		{
			name: "header names matched loosely, columns by number",
			data: " PID ;HỌ VÀ TÊN;x;Phone\n001090012345;Nguyễn Văn An;a;0912345678\n",
			// "Họ và tên" in NFD, the third column by number
			opts: Options{Columns: map[string]string{FieldFullName: "Ho\u0323 va\u0300 te\u0302n", FieldAddress: "3", FieldPhone: "phone"}},
			want: []string{"2 key=2 pid=001090012345 name=Nguyễn Văn An addr=a phone=0912345678"},
		},
		{
			name: "an explicit mapping takes the column of a field's name",
			data: "pid,phone,full_name\n001090012345,0912345678,An\n",
			opts: Options{Columns: map[string]string{FieldOldID: "pid"}},
			want: []string{"2 key=2 pid=001090012345 name=An phone=0912345678"},
		},
		{
			name: "record key mapped and empty",
			data: "ma,pid\nA1,001090012345\n ,001090012346\n",
			opts: Options{Columns: map[string]string{FieldRecordKey: "ma"}},
			want: []string{"2 key=A1 pid=001090012345", "3 key= pid=001090012346 !missing_key:record_key"},
		},
		{
			name: "field errors leave the row usable",
			data: "pid;old_id_number;full_name;date_of_birth;gender;phone\n" +
				"79012345678;;Nguyễn Văn An;31/02/1990;1;12345\n" +
				"7.90123E+11;012345678;Trần Thị Bích;2030;x;0912/0987\n" +
				"001090012345;;Lê Văn Cường;1990-05-12T17:00:00Z;Nam;0912345678\n",
			want: []string{
				"2 key=2 name=Nguyễn Văn An !bad_id:pid !bad_date:date_of_birth !bad_gender:gender !bad_phone:phone",
				"3 key=3 old=012345678 name=Trần Thị Bích !bad_id:pid !future_date:date_of_birth !bad_gender:gender !bad_phone:phone",
				"4 key=4 pid=001090012345 name=Lê Văn Cường gender=male phone=0912345678 !bad_date:date_of_birth",
			},
		},
		{
			name: "date format forced",
			data: "pid,date_of_birth\n001090012345,05/12/1990\n001090012346,13/05/1990\n001090012347,1990-05-12\n",
			opts: Options{DateFormat: "mm/dd/yyyy"},
			want: []string{
				"2 key=2 pid=001090012345 dob=1990-05-12 swappable",
				"3 key=3 pid=001090012346 !bad_date:date_of_birth",
				"4 key=4 pid=001090012347 dob=1990-05-12 swappable",
			},
		},
		{
			name: "ndjson",
			data: `{"pid":"001090012345","full_name":"Nguyễn Văn An","date_of_birth":"1990-05-12","gender":"male","phone":"0912 345 678"}` + "\n" +
				`{"pid":1090012346,"full_name":"Trần Thị Bích","gender":null}` + "\r\n" +
				"\n" +
				`{"pid":"001090012347", "full_name": "Lê Văn` + "\n" +
				`{"pid":"001090012348","gender":true,"phone":["0912345678"]}` + "\n" +
				`["001090012349"]` + "\n" +
				`null` + "\n" +
				`{"pid":"001090012350"} {"pid":"001090012351"}` + "\n" +
				`{"pid":"001090012352","full_name":"Đặng Thị Giang","extra":{"a":1}}`,
			want: []string{
				"1 key=1 pid=001090012345 name=Nguyễn Văn An dob=1990-05-12 swappable gender=male phone=0912345678",
				"2 key=2 name=Trần Thị Bích !bad_id:pid",
				"4 key=4 INVALID !json",
				"5 key=5 pid=001090012348 !bad_value:gender !bad_value:phone",
				"6 key=6 INVALID !json",
				"7 key=7 INVALID !json",
				"8 key=8 INVALID !json",
				"9 key=9 pid=001090012352 name=Đặng Thị Giang",
			},
		},
		{
			name: "ndjson with BOM, keys mapped case-insensitively",
			data: "\ufeff  \n" + `{"SoDinhDanh":"001090012345","HoTen":"Nguyễn Văn An","Ma":17}` + "\n" + `{"sodinhdanh":"001090012346"}`,
			opts: Options{Columns: map[string]string{FieldPID: "sodinhdanh", FieldFullName: "hoten", FieldRecordKey: "ma"}},
			want: []string{"2 key=17 pid=001090012345 name=Nguyễn Văn An", "3 key= pid=001090012346 !missing_key:record_key"},
		},
		{
			name: "names and addresses normalised, case kept",
			data: "full_name;permanent_address\n" +
				"NGUYE\u0302\u0303N  va\u0306n\tAN;\" Thôn Trung ,\u00a0Xã  Hải Hậu \"\n" +
				"Lê Thị Thuỷ;Phường Hoà Bình\n",
			want: []string{
				"2 key=2 name=NGUYỄN văn AN addr=Thôn Trung , Xã Hải Hậu",
				"3 key=3 name=Lê Thị Thủy addr=Phường Hòa Bình",
			},
		},
		{
			name: "format given overrides sniffing",
			data: "{pid}\n001090012345\n",
			opts: Options{Format: CSV, Columns: map[string]string{FieldPID: "{PID}"}},
			want: []string{"2 key=2 pid=001090012345"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.data, tt.opts)
			if err != nil {
				t.Fatalf("error %v after %q", err, got)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func TestRowErrorReasons(t *testing.T) {
	data := "pid,full_name,permanent_address\n" +
		"001090012345,Nguyễn Văn An,Số 1, Phường Láng\n" +
		"001090012346,Trần Thị \"Bích\",x\n"
	r, err := NewReader(strings.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"the row has 4 columns but the header has 3",
		"a quote (\") inside a value that does not start with a quote, at line 3: put the whole value in quotes",
	}
	for _, w := range want {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Errors) != 1 || !strings.Contains(rec.Errors[0].Reason, w) {
			t.Errorf("line %d: errors %+v, want %q", rec.Line, rec.Errors, w)
		}
	}
}

func TestFileErrors(t *testing.T) {
	utf16le := []byte{0xff, 0xfe}
	var noBOM []byte
	for _, c := range []byte("pid,full_name\n001090012345,An\n") {
		utf16le = append(utf16le, c, 0)
		noBOM = append(noBOM, 0, c) // big-endian
	}
	tests := []struct {
		name string
		data string
		opts Options
		kind Kind
		line int64
		msg  string
	}{
		{"utf-16 le", string(utf16le), Options{}, KindEncoding, 0, "the file is UTF-16; save it as UTF-8"},
		{"utf-16 be", "\xfe\xff\x00p\x00i\x00d", Options{}, KindEncoding, 0, "the file is UTF-16; save it as UTF-8"},
		{"utf-16 without mark", string(noBOM), Options{}, KindEncoding, 0, "the file is UTF-16; save it as UTF-8"},
		{"utf-32", "\xff\xfe\x00\x00p\x00\x00\x00", Options{}, KindEncoding, 0, "UTF-32"},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00", Options{}, KindEncoding, 0, "Excel workbook"},
		{"nul bytes", "pid\n00109\x0012345\n", Options{}, KindEncoding, 2, "NUL"},
		{"latin-1 in header", "pid,h\xe9\n", Options{}, KindEncoding, 1, "not UTF-8"},
		{"empty", "", Options{}, KindFormat, 0, "empty"},
		{"white space", " \r\n\n", Options{}, KindFormat, 0, "empty"},
		{"bom only", "\ufeff", Options{}, KindFormat, 0, "empty"},
		{"no column mapped", "a,b\n1,2\n", Options{}, KindColumns, 1, `the header's columns are "a", "b"`},
		{"unknown column", "pid,b\n1,2\n", Options{Columns: map[string]string{FieldFullName: "Họ tên"}}, KindColumns, 1, `column "Họ tên" (for full_name) is not in the header`},
		{"column number past the header", "pid,b\n1,2\n", Options{Columns: map[string]string{FieldFullName: "3"}}, KindColumns, 1, "past the last column"},
		{"duplicated column", "x\nHọ tên,pid,họ tên\n", Options{Columns: map[string]string{FieldFullName: "HỌ TÊN"}, NoHeader: false}, KindColumns, 2, "appears 2 times"},
		{"no header with names", "1,2\n", Options{NoHeader: true, Columns: map[string]string{FieldPID: "pid"}}, KindColumns, 0, "by number"},
		{"no header without columns", "1,2\n", Options{NoHeader: true}, KindColumns, 0, "by number"},
		{"bad quote in the header", "pid,\"full\"name\n", Options{}, KindColumns, 1, "the header row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, tt.data, tt.opts)
			if tt.name == "duplicated column" {
				// The first line is a row of its own; make it the header.
				_, err = readAll(t, strings.TrimPrefix(tt.data, "x\n"), tt.opts)
				tt.line = 1
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *FileError", err)
			}
			if fe.Kind != tt.kind || fe.Line != tt.line || !strings.Contains(fe.Error(), tt.msg) {
				t.Errorf("error %q (kind %s, line %d), want kind %s, line %d, containing %q", fe, fe.Kind, fe.Line, tt.kind, tt.line, tt.msg)
			}
		})
	}
}

func TestNoHeaderColumnPastFirstRow(t *testing.T) {
	_, err := readAll(t, "a,b\n", Options{NoHeader: true, Columns: map[string]string{FieldPID: "3"}})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Kind != KindColumns || fe.Line != 1 {
		t.Fatalf("error %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	for _, opts := range []Options{
		{Format: "xlsx"},
		{DateFormat: "yyyy/dd"},
		{Delimiter: '"'},
		{Columns: map[string]string{"ho_ten": "a"}},
		{Columns: map[string]string{FieldPID: " "}},
	} {
		_, err := NewReader(strings.NewReader("pid\n1\n"), opts)
		var fe *FileError
		if err == nil || errors.As(err, &fe) {
			t.Errorf("%+v: error %v, want an options error", opts, err)
		}
	}
}

// goodRows returns n CSV rows (pid, full_name) whose first has line first.
func goodRows(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "0010900%05d;Nguyễn Văn An\n", i)
	}
	return b.String()
}

func TestInvalidUTF8AfterTheStart(t *testing.T) {
	n := sniffSize/20 + 100 // past the first 64 KiB
	data := "pid;full_name\n" + goodRows(n) + "001090099998;Tr\xd2n Th\xf2\n001090099999;Lê Văn Cường\n"
	got, err := readAll(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+2 {
		t.Fatalf("%d records, want %d", len(got), n+2)
	}
	bad := fmt.Sprintf("%d key=%[1]d INVALID !encoding", n+2)
	good := fmt.Sprintf("%d key=%[1]d pid=001090099999 name=Lê Văn Cường", n+3)
	if got[n] != bad || got[n+1] != good {
		t.Errorf("got\n\t%s\n\t%s\nwant\n\t%s\n\t%s", got[n], got[n+1], bad, good)
	}

	var js strings.Builder
	for range n {
		js.WriteString(`{"pid":"001090012345","full_name":"Nguyễn Văn An"}` + "\n")
	}
	js.WriteString("{\"full_name\":\"Tr\xd2n\"}\n{\"pid\":\"001090012346\"}\n")
	got, err = readAll(t, js.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+2 || got[n] != fmt.Sprintf("%d key=%[1]d INVALID !encoding", n+1) {
		t.Errorf("%d records, the bad one %q", len(got), got[min(n, len(got)-1)])
	}
}

func TestInvalidUTF8Reason(t *testing.T) {
	data := "pid;full_name\n" + goodRows(sniffSize/20+100) + "001090099998;Tr\xd2n\n"
	r, err := NewReader(strings.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var last Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		last = rec
	}
	want := notUTF8(last.Line)
	if len(last.Errors) != 1 || last.Errors[0].Reason != want {
		t.Errorf("errors %+v, want %q", last.Errors, want)
	}
}

func TestUnclosedQuoteInALargeFile(t *testing.T) {
	data := "pid;full_name\n001090012345;\"An\n" + strings.Repeat("001090012346;Bích\n", 2*MaxRecord/18)
	r, err := NewReader(strings.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	var fe *FileError
	if !errors.As(err, &fe) || fe.Kind != KindTooLong || fe.Line != 2 {
		t.Fatalf("error %v, want a too-long row at line 2", err)
	}
	if _, again := r.Next(); again != err {
		t.Errorf("second Next: %v, want %v", again, err)
	}
}

func TestLongNDJSONLine(t *testing.T) {
	data := `{"pid":"001090012345"}` + "\n" + `{"full_name":"` + strings.Repeat("a", MaxRecord) + `"}` + "\n" + `{"pid":"001090012346"}`
	got, err := readAll(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1 key=1 pid=001090012345", "2 key=2 INVALID !too_long", "3 key=3 pid=001090012346"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// failingReader returns its data, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadErrorStopsTheReader(t *testing.T) {
	boom := errors.New("disk on fire")
	// More than NewReader examines, so that the error comes from Next.
	n := 2 * sniffSize / 20
	ndjson := strings.Repeat(`{"pid":"001090012345","full_name":"Nguyễn Văn An"}`+"\n", n)
	for _, data := range []string{"pid;full_name\n" + goodRows(n), ndjson} {
		r, err := NewReader(&failingReader{data: []byte(data), err: boom}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		records := 0
		for ; ; records++ {
			if _, err = r.Next(); err != nil {
				break
			}
		}
		if !errors.Is(err, boom) || records != n {
			t.Fatalf("error %v after %d records, want %v after %d", err, records, boom, n)
		}
		if _, err := r.Next(); !errors.Is(err, boom) {
			t.Fatalf("second error %v, want %v", err, boom)
		}
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		data   string
		format Format
		delim  rune
	}{
		{"pid,full_name\n1,2\n", CSV, ','},
		{"pid;full_name\n1;2\n", CSV, ';'},
		{"pid\tfull_name\n1\t2\n", CSV, '\t'},
		{"pid|full_name\n1|2\n", CSV, '|'},
		{"pid\n1\n", CSV, ','},
		{"\"pid;x\",full_name\n1,2\n", CSV, ','},
		{"pid;\"a,b,c\";full_name\n1;2;3\n", CSV, ';'},
		{"pid,a;b\n", CSV, ';'},
		{"\"multi\nline;;;\",pid\n", CSV, ','},
		{"sep=|\npid,a\n", CSV, '|'},
		{"sep=\n\npid,a\n", CSV, ','},
		{"\ufeff\n\t {\"pid\":\"1\"}\n", NDJSON, 0},
	}
	for _, tt := range tests {
		r, err := NewReader(strings.NewReader(tt.data), Options{Columns: map[string]string{FieldPID: "1"}})
		if err != nil {
			t.Errorf("%q: %v", tt.data, err)
			continue
		}
		if r.Format() != tt.format || r.Delimiter() != tt.delim {
			t.Errorf("%q: %s %q, want %s %q", tt.data, r.Format(), r.Delimiter(), tt.format, tt.delim)
		}
	}
}

func TestUnseenKeys(t *testing.T) {
	opts := Options{Columns: map[string]string{FieldPID: "so_cccd", FieldFullName: "ho_ten"}}
	r, err := NewReader(strings.NewReader(`{"so_cccd":"001090012345","hoten":"An"}`), opts)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if got := r.UnseenKeys(); len(got) != 1 || got[0] != "ho_ten" {
		t.Errorf("UnseenKeys = %q, want [ho_ten]", got)
	}
	r, err = NewReader(strings.NewReader("pid\n1\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.UnseenKeys(); got != nil {
		t.Errorf("CSV UnseenKeys = %q", got)
	}
}

// TestRecordsOutliveNext reads a file larger than the reader's buffers and
// checks that a record does not share memory with a buffer the reader
// reuses: its strings stay valid after the next Next.
func TestRecordsOutliveNext(t *testing.T) {
	data := "pid;full_name\n" + goodRows(20000)
	r, err := NewReader(bytes.NewReader([]byte(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := summary(first)
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if got := summary(first); got != want {
		t.Errorf("first record changed: %s, was %s", got, want)
	}
}

func TestLegacyEncodingRowsAreRowErrors(t *testing.T) {
	r, err := NewReader(strings.NewReader("pid,full_name\n001090012345,An\n001090012346,Tr\xd2n Th\xf2\n001090012347,Bình\n"), Options{Today: testToday})
	if err != nil {
		t.Fatalf("a row in a legacy encoding stopped the file: %v", err)
	}
	var recs []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != 3 || !recs[1].Invalid || recs[1].Line != 3 || recs[1].Errors[0].Kind != KindEncoding ||
		!strings.Contains(recs[1].Errors[0].Reason, "Windows-1258") || recs[2].FullName != "Bình" {
		t.Errorf("records %+v", recs)
	}
}
