package verify

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestRequestFields(t *testing.T) {
	r := Request{Purpose: "kyc", PID: "001090012345", FullName: "A", Phone: "  ", PermanentAddress: "x"}
	if got, want := r.Fields(), []string{FieldPID, FieldFullName, FieldPermanentAddress}; !slices.Equal(got, want) {
		t.Fatalf("Fields() = %v, want %v", got, want)
	}
	all := Request{PID: "1", OldIDNumber: "1", FullName: "1", DateOfBirth: "1", Gender: "1", IDCardIssueDate: "1", PermanentAddress: "1", Phone: "1"}
	if got := all.Fields(); len(got) != 8 {
		t.Fatalf("Fields() = %v", got)
	}
}

func TestRequestValidate(t *testing.T) {
	ok := Request{PID: "001090012345"}
	tests := []struct {
		name  string
		set   func(*Request)
		field string
		code  string
	}{
		{"valid", func(r *Request) {}, "", ""},
		{"valid, everything", func(r *Request) {
			r.OldIDNumber, r.FullName, r.DateOfBirth, r.Gender = "012345678", "Nguyễn Văn An", "1990", "male"
			r.IDCardIssueDate, r.PermanentAddress, r.Phone = "2021-04", "Hà Nội", "+84 912 345 678"
		}, "", ""},
		{"old ID alone", func(r *Request) { r.PID, r.OldIDNumber = "", "012345678901" }, "", ""},
		{"spaces around pid", func(r *Request) { r.PID = " 001090012345 " }, "", ""},
		{"no number", func(r *Request) { r.PID = "" }, FieldPID, "required"},
		{"blank number", func(r *Request) { r.PID = "   " }, FieldPID, "required"},
		{"pid with letters", func(r *Request) { r.PID = "00109001234a" }, FieldPID, "bad_pid"},
		{"pid too short", func(r *Request) { r.PID = "00109001234" }, FieldPID, "bad_pid"},
		{"old ID length", func(r *Request) { r.OldIDNumber = "1234567890" }, FieldOldIDNumber, "bad_old_id"},
		{"date form", func(r *Request) { r.DateOfBirth = "14/07/1990" }, FieldDateOfBirth, "bad_date"},
		{"date range", func(r *Request) { r.DateOfBirth = "1990-02-30" }, FieldDateOfBirth, "bad_date"},
		{"date zero month", func(r *Request) { r.IDCardIssueDate = "1990-00" }, FieldIDCardIssueDate, "bad_date"},
		{"gender", func(r *Request) { r.Gender = "m" }, FieldGender, "bad_gender"},
		{"phone letters", func(r *Request) { r.Phone = "09123abc78" }, FieldPhone, "bad_phone"},
		{"phone short", func(r *Request) { r.Phone = "12345" }, FieldPhone, "bad_phone"},
		{"name too long", func(r *Request) { r.FullName = strings.Repeat("a", MaxNameBytes+1) }, FieldFullName, "too_long"},
		{"address too long", func(r *Request) { r.PermanentAddress = strings.Repeat("a", MaxAddressBytes+1) }, FieldPermanentAddress, "too_long"},
		{"purpose too long", func(r *Request) { r.Purpose = strings.Repeat("a", MaxPurposeBytes+1) }, "purpose", "too_long"},
		{"name not UTF-8", func(r *Request) { r.FullName = "Nguy\xffn" }, FieldFullName, "bad_utf8"},
		{"purpose not UTF-8", func(r *Request) { r.Purpose = "\xc3" }, "purpose", "bad_utf8"},
	}
	for _, tt := range tests {
		r := ok
		tt.set(&r)
		err := r.Validate()
		if tt.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || fe.Code != tt.code || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want %s %s", tt.name, err, tt.field, tt.code)
		}
	}
	// Messages never repeat the value.
	r := ok
	r.PID = "00109001234x"
	if err := r.Validate(); err == nil || strings.Contains(err.Error(), r.PID) {
		t.Errorf("message %v", err)
	}
}
