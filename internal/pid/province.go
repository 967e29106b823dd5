package pid

import (
	"errors"
	"fmt"
)

// province is one row of the pre-2025 province table (provinces_table.go).
type province struct {
	name     string // name before 1 July 2025, e.g. "Tỉnh Hà Giang"
	code2025 string // two-digit code of the 2025 province it merged into
}

// lookupProvince returns the province for a three-digit PID prefix.
func lookupProvince(prefix string) (province, bool) {
	if len(prefix) != 3 || prefix[0] != '0' ||
		prefix[1] < '0' || prefix[1] > '9' || prefix[2] < '0' || prefix[2] > '9' {
		return province{}, false
	}
	pr := provinces[int(prefix[1]-'0')*10+int(prefix[2]-'0')]
	return pr, pr.name != ""
}

// ProvinceInfo describes a pre-2025 province as a PID prefix.
type ProvinceInfo struct {
	// Prefix is the three-digit PID prefix, "0" plus the statistical code.
	Prefix string `json:"province_code"`
	// Name is the province name before 1 July 2025.
	Name string `json:"province_name"`
	// Code2025 is the two-digit statistical code of the province it merged
	// into on 1 July 2025 (its own code if it absorbed others or was kept).
	Code2025 string `json:"province_2025_code"`
}

// LookupProvince returns the pre-2025 province whose PID prefix is prefix
// ("001" … "096"), and whether there is one.
func LookupProvince(prefix string) (ProvinceInfo, bool) {
	pr, ok := lookupProvince(prefix)
	if !ok {
		return ProvinceInfo{}, false
	}
	return ProvinceInfo{Prefix: prefix, Name: pr.name, Code2025: pr.code2025}, true
}

// Provinces returns the 63 pre-2025 provinces in prefix order.
func Provinces() []ProvinceInfo {
	out := make([]ProvinceInfo, 0, 63)
	for i, pr := range provinces {
		if pr.name != "" {
			out = append(out, ProvinceInfo{Prefix: fmt.Sprintf("0%02d", i), Name: pr.name, Code2025: pr.code2025})
		}
	}
	return out
}

// ErrUnknownProvince is returned when a province code that must be one of
// the 63 pre-2025 codes is not.
var ErrUnknownProvince = errors.New("not one of the 63 pre-2025 province codes")

// ValidateProvinceCode checks that prefix is the three-digit PID prefix of
// one of the 63 pre-2025 provinces ("001" … "096"). Use it on the code a
// caller intends to put into a new number; never use it to reject an existing
// number, whose prefix may legitimately be unknown.
func ValidateProvinceCode(prefix string) error {
	if _, ok := lookupProvince(prefix); !ok {
		return fmt.Errorf("province code %q: %w", prefix, ErrUnknownProvince)
	}
	return nil
}

// ProvincePrefix returns the PID prefix ("0" + code) for a two-digit
// pre-2025 statistical province code such as "01", and ErrUnknownProvince if
// the code is not one of the 63. Two-digit codes are ambiguous across eras
// (the 2025 provinces reuse some pre-2025 codes), so pass only a code known
// to be pre-2025.
func ProvincePrefix(statCode string) (string, error) {
	if len(statCode) != 2 {
		return "", fmt.Errorf("pre-2025 province code %q: want two digits: %w", statCode, ErrUnknownProvince)
	}
	prefix := "0" + statCode
	if err := ValidateProvinceCode(prefix); err != nil {
		return "", err
	}
	return prefix, nil
}
