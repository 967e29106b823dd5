package verify

import (
	"sync"
	"testing"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

var loadUnits = sync.OnceValues(adminunit.Load)

// testUnits returns the embedded administrative units, parsed once per
// test binary.
func testUnits(tb testing.TB) *adminunit.Directory {
	tb.Helper()
	units, err := loadUnits()
	if err != nil {
		tb.Fatal(err)
	}
	return units
}

// Communes used by the tests. Codes are reused across eras: 00004 is
// Phường Trúc Bạch before 2025 and Phường Ba Đình since.
var (
	// baDinh is Phường Ba Đình (2025), formed from Quán Thánh, Trúc
	// Bạch and parts of other wards.
	baDinh = registry.Address{Street: "Số 1 Phố Điện Biên Phủ", CommuneCode: "00004", Era: adminunit.Era2025}
	// quanThanh is Phường Quán Thánh, Quận Ba Đình (pre-2025), which
	// became part of Phường Ba Đình.
	quanThanh = registry.Address{Street: "Số 1 Phố Điện Biên Phủ", CommuneCode: "00013", Era: adminunit.EraPre2025}
)

// citizen is a full register record for the tests.
func citizen() registry.Citizen {
	return registry.Citizen{
		PID:              "001090012345",
		FullName:         "Nguyễn Thị Hòa",
		DateOfBirth:      registry.MustDate("1990-07-14"),
		Gender:           pid.Female,
		PermanentAddress: baDinh,
		OldIDNumber:      "012345678",
		IDCard:           &registry.IDCard{IssueDate: registry.MustDate("2021-04-01")},
		Phone:            "0912345678",
		Status:           registry.StatusAlive,
		Version:          1,
	}
}

var (
	communesOnce   sync.Once
	sharedCommunes *communes
)

// newTestIndex is NewIndex(testUnits(tb)), sharing the commune tables
// (immutable) between the tests' indexes.
func newTestIndex(tb testing.TB) *Index {
	tb.Helper()
	units := testUnits(tb)
	communesOnce.Do(func() { sharedCommunes = newCommunes(units) })
	return newIndex(sharedCommunes)
}

// indexOf returns an index holding cs.
func indexOf(tb testing.TB, cs ...registry.Citizen) *Index {
	tb.Helper()
	ix := newTestIndex(tb)
	for _, c := range cs {
		ix.Put(c)
	}
	return ix
}
