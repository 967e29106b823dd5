package pid

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    PID
		wantErr error
		msg     string
	}{
		{name: "valid", in: "001085000001", want: "001085000001"},
		{name: "surrounding space trimmed", in: " \t001085000001\r\n", want: "001085000001"},
		{name: "no-break space trimmed", in: "\u00a0079301123456\u3000", want: "079301123456"},
		{name: "unknown prefix still valid", in: "999200000000", want: "999200000000"},
		{name: "empty", in: "", wantErr: ErrEmpty, msg: "personal ID number is empty"},
		{name: "only space", in: "   ", wantErr: ErrEmpty, msg: "personal ID number is empty"},
		{name: "11 digits", in: "00108500000", wantErr: ErrLength,
			msg: "personal ID number must have 12 digits, got 11"},
		{name: "13 digits", in: "0010850000011", wantErr: ErrLength,
			msg: "personal ID number must have 12 digits, got 13"},
		{name: "letter", in: "0010a5000001", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-digit character 'a' at position 5"},
		{name: "space inside", in: "001 085 000001", wantErr: ErrNonDigit,
			msg: "personal ID number contains a space ' ' at position 4"},
		{name: "dash", in: "001-085-000001", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-digit character '-' at position 4"},
		{name: "full-width digits", in: "００１０８５０００００１", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-ASCII digit '０' at position 1"},
		{name: "full-width digit after ASCII", in: "00108500000１", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-ASCII digit '１' at position 12"},
		{name: "position counts characters not bytes", in: "ăb", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-digit character 'ă' at position 1"},
		{name: "position after multibyte", in: "0０a", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-ASCII digit '０' at position 2"},
		{name: "invalid UTF-8", in: "001\xff85000001", wantErr: ErrNonDigit,
			msg: "personal ID number contains an invalid UTF-8 byte '\ufffd' at position 4"},
		{name: "byte order mark", in: "\ufeff001085000001", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-digit character '\\ufeff' at position 1"},
		{name: "sign", in: "+01085000001", wantErr: ErrNonDigit,
			msg: "personal ID number contains a non-digit character '+' at position 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Parse(%q) error: %v", tt.in, err)
				}
				if got != tt.want {
					t.Fatalf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
				}
				if err := Validate(tt.in); err != nil {
					t.Fatalf("Validate(%q) = %v", tt.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want error %v", tt.in, got, tt.wantErr)
			}
			if got != "" {
				t.Errorf("Parse(%q) returned %q with an error", tt.in, got)
			}
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%q) error %v does not match %v and ErrMalformed", tt.in, err, tt.wantErr)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("Parse(%q) error %T is not *SyntaxError", tt.in, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("Parse(%q) error\n got %q\nwant %q", tt.in, err.Error(), tt.msg)
			}
			if verr := Validate(tt.in); verr == nil || verr.Error() != err.Error() {
				t.Errorf("Validate(%q) = %v, want %v", tt.in, verr, err)
			}
		})
	}
}

func TestUint64RoundTrip(t *testing.T) {
	for _, s := range []PID{"000000000000", "001085000001", "096399999999", "999999999999"} {
		n := s.Uint64()
		if n == InvalidUint64 {
			t.Fatalf("%s.Uint64() = InvalidUint64", s)
		}
		back, err := FromUint64(n)
		if err != nil || back != s {
			t.Errorf("FromUint64(%d) = %q, %v; want %q", n, back, err, s)
		}
	}
	if got := PID("001085000001").Uint64(); got != 1085000001 {
		t.Errorf("Uint64 = %d, want 1085000001", got)
	}
	for _, bad := range []PID{"", "00108500000", "0010850000a1", "0010850000011"} {
		if got := bad.Uint64(); got != InvalidUint64 {
			t.Errorf("PID(%q).Uint64() = %d, want InvalidUint64", bad, got)
		}
	}
	if _, err := FromUint64(1_000_000_000_000); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("FromUint64(10^12) error = %v, want ErrOutOfRange", err)
	}
	if _, err := FromUint64(InvalidUint64); err == nil {
		t.Error("FromUint64(InvalidUint64) succeeded")
	}
}

func TestValid(t *testing.T) {
	for p, want := range map[PID]bool{
		"001085000001": true, "": false, "00108500000": false, "00108500000x": false,
	} {
		if got := p.Valid(); got != want {
			t.Errorf("PID(%q).Valid() = %v, want %v", p, got, want)
		}
	}
}

func TestJSON(t *testing.T) {
	var v struct {
		P PID `json:"pid"`
	}
	if err := json.Unmarshal([]byte(`{"pid":" 001085000001 "}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.P != "001085000001" {
		t.Fatalf("unmarshalled %q", v.P)
	}
	err := json.Unmarshal([]byte(`{"pid":"00108500000"}`), &v)
	if !errors.Is(err, ErrLength) {
		t.Fatalf("unmarshal 11 digits: error %v, want ErrLength", err)
	}
	out, err := json.Marshal(struct {
		P PID `json:"pid"`
	}{"001085000001"})
	if err != nil || string(out) != `{"pid":"001085000001"}` {
		t.Fatalf("marshal = %s, %v", out, err)
	}
}

// BenchmarkParse measures the verify path's first step on a valid number.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("079301123456"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseInvalid measures a rejected number, which allocates its error.
func BenchmarkParseInvalid(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("07930112345a"); err == nil {
			b.Fatal("no error")
		}
	}
}

func BenchmarkUint64(b *testing.B) {
	b.ReportAllocs()
	p := PID("079301123456")
	for b.Loop() {
		if p.Uint64() == InvalidUint64 {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkBaselineParse, for scripts/bench.sh, is strconv.ParseUint on the
// same digits.
func BenchmarkBaselineParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := strconv.ParseUint("079301123456", 10, 64); err != nil {
			b.Fatal(err)
		}
	}
}
