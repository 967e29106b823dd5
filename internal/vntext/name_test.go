package vntext

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNameCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"NGUYỄN văn  an", "Nguyễn Văn An"},
		{"nguyễn thị thuỷ", "Nguyễn Thị Thủy"},
		{norm.NFD.String("ĐẶNG THỊ HOÀ"), "Đặng Thị Hòa"},
		{"đỗ ánh dương", "Đỗ Ánh Dương"},
		{"ÐỖ ÁNH DƯƠNG", "Đỗ Ánh Dương"},
		{"ủy", "Ủy"},
		{"h'hen niê", "H'Hen Niê"},
		{"H’HEN NIÊ", "H'Hen Niê"},
		{"y-moan ênuôl", "Y-Moan Ênuôl"},
		{"KSOR phước HÀ", "Ksor Phước Hà"},
		{"  lê\u00a0văn\ttám ", "Lê Văn Tám"},
		{"nguyen van an", "Nguyen Van An"},
		{"Nguyễn Văn An", "Nguyễn Văn An"},
		{"(an)", "(An)"},
		{"3ai", "3ai"},
		{"ǆemal", "ǅemal"},
		{"😀 an", "😀 An"},
	}
	for _, tt := range tests {
		got := NameCase(tt.in)
		if got != tt.want {
			t.Errorf("NameCase(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
		if again := NameCase(got); again != got {
			t.Errorf("NameCase not idempotent: %+q → %+q → %+q", tt.in, got, again)
		}
	}
}

func TestNameCaseNoAllocWhenCased(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = NameCase("Nguyễn Thị Thủy") }); n != 0 {
		t.Errorf("NameCase of a cased name: %v allocs, want 0", n)
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		in   string
		want Name
	}{
		{"", Name{}},
		{"   ", Name{}},
		{"An", Name{Given: "An"}},
		{"Nguyễn An", Name{Surname: "Nguyễn", Given: "An"}},
		{"Nguyễn Văn An", Name{"Nguyễn", "Văn", "An"}},
		{"  Nguyễn  Thị\tMinh  Khai ", Name{"Nguyễn", "Thị Minh", "Khai"}},
		{"Tôn Nữ Thị Ninh", Name{"Tôn", "Nữ Thị", "Ninh"}},
		{"Y-Moan Ênuôl", Name{Surname: "Y-Moan", Given: "Ênuôl"}},
		{"Lê Thị Thuỷ", Name{"Lê", "Thị", "Thủy"}},
	}
	for _, tt := range tests {
		got := SplitName(tt.in)
		if got != tt.want {
			t.Errorf("SplitName(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.String() != Normalize(tt.in) {
			t.Errorf("SplitName(%q).String() = %q, want %q", tt.in, got.String(), Normalize(tt.in))
		}
	}
}
