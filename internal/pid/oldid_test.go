package pid

import (
	"errors"
	"testing"
)

func TestParseOldID(t *testing.T) {
	tests := []struct {
		in      string
		want    OldID
		twelve  bool
		wantErr error
		msg     string
	}{
		{in: "012345678", want: "012345678"},
		{in: " 012345678\n", want: "012345678"},
		{in: "001085000001", want: "001085000001", twelve: true},
		{in: "", wantErr: ErrEmpty, msg: "old ID number is empty"},
		{in: "12345678", wantErr: ErrLength, msg: "old ID number must have 9 or 12 digits, got 8"},
		{in: "0123456789", wantErr: ErrLength, msg: "old ID number must have 9 or 12 digits, got 10"},
		{in: "0123456789012", wantErr: ErrLength, msg: "old ID number must have 9 or 12 digits, got 13"},
		{in: "01234567x", wantErr: ErrNonDigit, msg: "old ID number contains a non-digit character 'x' at position 9"},
		{in: "０１２３４５６７８", wantErr: ErrNonDigit, msg: "old ID number contains a non-ASCII digit '０' at position 1"},
	}
	for _, tt := range tests {
		got, err := ParseOldID(tt.in)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrMalformed) || err.Error() != tt.msg {
				t.Errorf("ParseOldID(%q) error %v, want %q", tt.in, err, tt.msg)
			}
			continue
		}
		if err != nil || got != tt.want || got.Twelve() != tt.twelve {
			t.Errorf("ParseOldID(%q) = %q (twelve %v), %v", tt.in, got, got.Twelve(), err)
		}
		p, ok := got.AsPID()
		if ok != tt.twelve || (ok && string(p) != string(got)) {
			t.Errorf("%q.AsPID() = %q, %v", got, p, ok)
		}
	}
}
