package registry_test

import (
	"errors"
	"testing"

	"dancu/internal/registry"
	"dancu/internal/registry/registrytest"
)

// FuzzFromRecord: no row of an import file makes the reader panic, and a
// row it refuses is refused with a FieldError naming the column.
func FuzzFromRecord(f *testing.F) {
	svc := registrytest.New(f, nil)
	f.Add("001090000001", "Nguyễn Văn An", "1990-05-01", "male", "Số 1, Phường Ba Đình, Thành phố Hà Nội", "2021-01-01", "hh-1")
	f.Add("x", "", "1990-13", "nam", "Phường 1, Quận 3", "", "")
	f.Add("001290000001", "A", "2090", "female", ", , ,", "2021", "bad id")
	f.Fuzz(func(t *testing.T, number, name, born, gender, address, issued, household string) {
		in, err := svc.FromRecord(registry.Record{PID: number, FullName: name, DateOfBirth: born, Gender: gender,
			PermanentAddress: address, Hometown: address, IDCardIssueDate: issued, HouseholdID: household})
		if err != nil {
			var fe *registry.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		if in.Citizen.PID == "" {
			t.Fatal("accepted a row without a number")
		}
		// What was read writes back as one line that reads the same.
		text := svc.AddressText(in.Citizen.PermanentAddress)
		again, err := svc.ParseAddressText("permanent_address", text)
		if err != nil || again != in.Citizen.PermanentAddress {
			t.Fatalf("%q → %+v → %q → %+v, %v", address, in.Citizen.PermanentAddress, text, again, err)
		}
	})
}
