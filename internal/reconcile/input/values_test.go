package input

import (
	"strings"
	"testing"

	"dancu/internal/pid"
)

func TestParseIDs(t *testing.T) {
	tests := []struct {
		pid, old string
		wantPID  string
		wantOld  string
		errs     string // "field:kind …"
		reason   string // part of the first reason
	}{
		{pid: "001090012345", wantPID: "001090012345"},
		{pid: " 001 090 012 345 ", wantPID: "001090012345"},
		{pid: "001.090.012.345", wantPID: "001090012345"},
		{pid: "001-090-012345", wantPID: "001090012345"},
		{pid: "'001090012345", wantPID: "001090012345"},
		{pid: "001\u00a0090\u00a0012345", wantPID: "001090012345"},
		{pid: "123456789012.0", wantPID: "123456789012"},
		{pid: "012345678", wantOld: "012345678"},
		{pid: "012 345 678", wantOld: "012345678"},
		{pid: "012345678", old: "012345678", wantOld: "012345678"},
		{pid: "012345678", old: "987654321", wantOld: "987654321", errs: "pid:id_conflict", reason: "old ID 012345678"},
		{pid: "79012345678", errs: "pid:bad_id", reason: "has 11 digits: the spreadsheet probably dropped a leading zero"},
		{pid: "79012345678.0", errs: "pid:bad_id", reason: "dropped a leading zero"},
		{pid: "12345678", errs: "pid:bad_id", reason: "dropped a leading zero"},
		{pid: "0123456789", errs: "pid:bad_id", reason: `id number must have 12 digits (or 9 for an old ID), got 10 digits in "0123456789"`},
		{pid: "0010900123456", errs: "pid:bad_id", reason: "got 13 digits"},
		{pid: "B1234567", errs: "pid:bad_id", reason: `id number must have 12 digits (or 9 for an old ID), got "B1234567"`},
		{pid: "7.90123E+11", errs: "pid:bad_id", reason: "scientific notation"},
		{pid: "7,90123E+11", errs: "pid:bad_id", reason: "scientific notation"},
		{pid: "079.012.345.678", wantPID: "079012345678"},
		{pid: "-", errs: "pid:bad_id"},
		{pid: "'", wantPID: ""},
		{old: "012345678", wantOld: "012345678"},
		{old: "001090012345", wantPID: "001090012345"},
		{pid: "001090012345", old: "001090012345", wantPID: "001090012345"},
		{pid: "001090012345", old: "031090012345", wantPID: "001090012345", wantOld: "031090012345"},
		{old: "12345678", errs: "old_id_number:bad_id", reason: "dropped a leading zero"},
		{old: "1234567890", errs: "old_id_number:bad_id", reason: "old id number must have 9 digits (or 12), got 10 digits"},
		{pid: "x", old: "y", errs: "pid:bad_id old_id_number:bad_id"},
	}
	for _, tt := range tests {
		var rec Record
		parseIDs(&rec, tt.pid, tt.old)
		var errs []string
		for _, e := range rec.Errors {
			errs = append(errs, e.Field+":"+string(e.Kind))
		}
		if rec.PID != tt.wantPID || rec.OldID != tt.wantOld || strings.Join(errs, " ") != tt.errs {
			t.Errorf("parseIDs(%q, %q) = %q, %q, %q; want %q, %q, %q", tt.pid, tt.old, rec.PID, rec.OldID, errs, tt.wantPID, tt.wantOld, tt.errs)
			continue
		}
		if tt.reason != "" && !strings.Contains(rec.Errors[0].Reason, tt.reason) {
			t.Errorf("parseIDs(%q, %q): reason %q, want it to contain %q", tt.pid, tt.old, rec.Errors[0].Reason, tt.reason)
		}
	}
}

func TestParseGender(t *testing.T) {
	tests := []struct {
		in     string
		want   pid.Gender
		reason string
	}{
		{"", pid.GenderUnknown, ""},
		{"  ", pid.GenderUnknown, ""},
		{"Nam", pid.Male, ""},
		{"NAM", pid.Male, ""},
		{" nam ", pid.Male, ""},
		{"M", pid.Male, ""},
		{"m", pid.Male, ""},
		{"Male", pid.Male, ""},
		{"MALE", pid.Male, ""},
		{"Nữ", pid.Female, ""},
		{"NỮ", pid.Female, ""},
		{"nữ", pid.Female, ""},
		{"nu\u0303\u031b", pid.Female, ""}, // NFD
		{"Nu", pid.Female, ""},
		{"NU", pid.Female, ""},
		{"F", pid.Female, ""},
		{"female", pid.Female, ""},
		{"Female", pid.Female, ""},
		{"1", pid.GenderUnknown, `gender "1" is a code`},
		{"0", pid.GenderUnknown, "write Nam or Nữ"},
		{"2", pid.GenderUnknown, "is a code"},
		{"Khác", pid.GenderUnknown, `gender "Khác" is not Nam, Nữ, M, F, male or female`},
		{"x", pid.GenderUnknown, "is not Nam"},
		{"Nam Nữ", pid.GenderUnknown, "is not Nam"},
	}
	for _, tt := range tests {
		got, reason := parseGender(tt.in)
		if got != tt.want || (tt.reason == "") != (reason == "") || !strings.Contains(reason, tt.reason) {
			t.Errorf("parseGender(%q) = %v, %q; want %v, %q", tt.in, got, reason, tt.want, tt.reason)
		}
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, want, reason string
	}{
		{"", "", ""},
		{"0912345678", "0912345678", ""},
		{"0912 345 678", "0912345678", ""},
		{"0912.345.678", "0912345678", ""},
		{"0912-345-678", "0912345678", ""},
		{"+84912345678", "0912345678", ""},
		{"+84 912 345 678", "0912345678", ""},
		{"+84 (0) 912 345 678", "0912345678", ""},
		{"(+84) 912345678", "0912345678", ""},
		{"84912345678", "0912345678", ""},
		{"0084912345678", "0912345678", ""},
		{"912345678", "0912345678", ""},
		{"'0912345678", "0912345678", ""},
		{"912345678.0", "0912345678", ""},
		{"02438123456", "02438123456", ""},
		{"+84 24 3812 3456", "02438123456", ""},
		{"842438123456", "02438123456", ""},
		{"+1 202 555 0100", "+12025550100", ""},
		{"0033 1 23 45 67 89", "+33123456789", ""},
		{"8.49123E+10", "", "scientific notation"},
		{"12345", "", `phone number "12345" has 5 digits`},
		{"091234567", "", "has 9 digits"},
		{"009", "", "not an international number"},
		{"+84", "", "has 2 digits"},
		{"+", "", "has 0 digits"},
		{"0912345678 / 0987654321", "", "more than one phone number"},
		{"0912345678, 0987654321", "", "more than one phone number"},
		{"091234567x", "", "may hold only digits"},
		{"0912+345678", "", "may hold only digits"},
		{"00000000000", "", "not an international number"},
		{"0000000000", "", "not an international number"},
		{"00123456", "", "not an international number"},
		{strings.Repeat("9", 40), "", "too many digits"},
	}
	for _, tt := range tests {
		got, reason := parsePhone(tt.in)
		if got != tt.want || (tt.reason == "") != (reason == "") || !strings.Contains(reason, tt.reason) {
			t.Errorf("parsePhone(%q) = %q, %q; want %q, %q", tt.in, got, reason, tt.want, tt.reason)
		}
	}
}
