package ident

import (
	"strings"
	"testing"
	"time"
)

func TestNewIDSortsByTimeAndIsValid(t *testing.T) {
	a := NewID(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b := NewID(time.Date(2026, 1, 1, 0, 0, 0, 1e6, time.UTC))
	if !ValidID(a) || !ValidID(b) || a >= b {
		t.Fatalf("%q, %q", a, b)
	}
	for _, bad := range []string{"", strings.Repeat("w", IDLen), strings.Repeat("0", IDLen-1), strings.Repeat("A", IDLen)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q)", bad)
		}
	}
}

func TestCleanName(t *testing.T) {
	if n, err := CleanName("  Nguyễn Văn An ", 200); err != nil || n != "Nguyễn Văn An" {
		t.Fatalf("%q, %v", n, err)
	}
	for _, bad := range []string{"", "   ", "\xff", "a\x00b", strings.Repeat("á", 201)} {
		if _, err := CleanName(bad, 200); err == nil {
			t.Errorf("CleanName(%q) accepted", bad)
		}
	}
}

func TestSecret(t *testing.T) {
	a, b := NewSecret("dancu_x_"), NewSecret("dancu_x_")
	if a == b || len(a) != len("dancu_x_")+SecretChars || !WellFormedSecret(a, "dancu_x_") {
		t.Fatalf("%q, %q", a, b)
	}
	for _, bad := range []string{"", a[:len(a)-1], a + "a", "dancu_y_" + a[8:], a[:len(a)-1] + "A", a[:len(a)-1] + "1"} {
		if WellFormedSecret(bad, "dancu_x_") {
			t.Errorf("WellFormedSecret(%q)", bad)
		}
	}
}
