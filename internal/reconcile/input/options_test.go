package input

import (
	"maps"
	"strings"
	"testing"
)

func TestParseColumns(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		err  string
	}{
		{in: "", want: nil},
		{in: "  ", want: nil},
		{in: "pid=Số CCCD", want: map[string]string{"pid": "Số CCCD"}},
		{in: " pid = Số CCCD , full_name=Họ và tên,date_of_birth=3", want: map[string]string{"pid": "Số CCCD", "full_name": "Họ và tên", "date_of_birth": "3"}},
		{in: "PID=a,Record_Key=b", want: map[string]string{"pid": "a", "record_key": "b"}},
		{in: "old_id_number=a=b", want: map[string]string{"old_id_number": "a=b"}},
		{in: "pid=a,gender=a", want: map[string]string{"pid": "a", "gender": "a"}},
		{in: "pid=a,,phone=b", err: "item 2 is empty"},
		{in: "pid=a,", err: "item 2 is empty"},
		{in: "pid", err: `"pid" has no "="`},
		{in: "=a", err: "names no field"},
		{in: "ho_ten=a", err: `unknown field "ho_ten" (fields are pid, old_id_number, full_name`},
		{in: "pid=", err: "field pid has no column"},
		{in: "pid= ,phone=b", err: "field pid has no column"},
		{in: "pid=a,PID=b", err: `field pid is given twice ("a" and "b")`},
	}
	for _, tt := range tests {
		got, err := ParseColumns(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseColumns(%q) error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("ParseColumns(%q) error %v", tt.in, err)
		case tt.err == "" && !maps.Equal(got, tt.want):
			t.Errorf("ParseColumns(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFields(t *testing.T) {
	f := Fields()
	if strings.Join(f, ",") != "pid,old_id_number,full_name,date_of_birth,gender,permanent_address,phone,record_key" {
		t.Errorf("Fields() = %q", f)
	}
	f[0] = "changed"
	if Fields()[0] != FieldPID {
		t.Error("Fields returns the package's slice")
	}
}
