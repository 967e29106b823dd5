package httpapi

import (
	"errors"
	"testing"

	"dancu/internal/registry"
)

// FuzzDecodeEvent feeds arbitrary bodies to the strict decoder of every
// event request type: it must never panic, and every refusal must be a
// client error with a stable code.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		anRegistration,
		`{"pid":"001080000001","date_of_death":"2026-01-01"}`,
		`{"pid":"001080000001","spouse_pid":"001185000002","effective_date":"2026-06-01"}`,
		`{"household_id":"x","members":[{"pid":"001080000001","relation":"head"}]}`,
		`{"pid":"001080000001","field":"ethnicity","value":"06"}`,
		`{"pid":1}`, `[]`, `null`, `{"pid":"00108000000a"}`, `{"date_of_death":"2026-02-30"}`, "{\"pid\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	targets := []func() any{
		func() any { return new(registry.InitialRegistration) }, func() any { return new(registry.Birth) },
		func() any { return new(registry.Death) }, func() any { return new(registry.Missing) },
		func() any { return new(registry.Marriage) }, func() any { return new(registry.Divorce) },
		func() any { return new(registry.NameChange) }, func() any { return new(registry.PermanentResidence) },
		func() any { return new(registry.Stay) }, func() any { return new(registry.IDCardIssuance) },
		func() any { return new(registry.DataCorrection) }, func() any { return new(registry.RecordMerge) },
		func() any { return new(registry.HouseholdSplit) }, func() any { return new(registry.HouseholdMerge) },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, target := range targets {
			err := decodeStrict(body, target())
			if err == nil {
				continue
			}
			var br badRequest
			if !errors.As(err, &br) || br.code == "" || br.detail == "" {
				t.Fatalf("decode error %v (%T) is not a coded client error", err, err)
			}
			if len(br.detail) > 300 {
				t.Fatalf("error detail of %d bytes may echo the body", len(br.detail))
			}
		}
	})
}
