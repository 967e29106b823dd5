package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"dancu/internal/pid"
)

// DataCorrection corrects one field recorded wrongly (điều chỉnh thông
// tin), on a documented legal basis. Value is the new value as JSON, in
// the field's API form.
type DataCorrection struct {
	Meta
	PID   pid.PID         `json:"pid"`
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// correctable lists the fields a correction may change. Gender and year of
// birth are encoded in the number, so correcting them means a new number
// and is refused here; the number itself, status and household links
// change only through their own events.
var correctable = []string{
	"full_name", "other_names", "date_of_birth", "birth_registration_place", "hometown",
	"ethnicity", "religion", "nationality", "blood_type", "old_id_number",
	"father_pid", "mother_pid", "legal_representative_pid", "current_address", "phone", "email",
}

// CorrectableFields lists the fields RecordDataCorrection accepts.
func CorrectableFields() []string { return slices.Clone(correctable) }

// RecordDataCorrection corrects one field.
func (s *Service) RecordDataCorrection(ctx context.Context, in DataCorrection) (Event, error) {
	return s.record(ctx, KindDataCorrection, in.Meta, func(w *work) error {
		number, err := checkPID("pid", in.PID)
		if err != nil {
			return err
		}
		if in.LegalBasis == "" {
			return invalid("legal_basis", "required", "a correction needs the document it rests on")
		}
		if !slices.Contains(correctable, in.Field) {
			return invalid("field", "not_correctable", "%q cannot be corrected; correctable fields: %v", in.Field, correctable)
		}
		c, err := w.citizen("pid", number)
		if err != nil {
			return err
		}
		if c.Status == StatusMerged {
			return rule("pid", "merged", "record %s was merged into %s; use that number", number, c.MergedInto)
		}
		// Decode the new value into a copy through the record's own JSON
		// form, so that each field keeps its one representation.
		next := *c
		next.OtherNames = slices.Clone(c.OtherNames)
		raw, err := json.Marshal(map[string]json.RawMessage{in.Field: in.Value})
		if err != nil || len(in.Value) == 0 {
			return invalid("value", "bad_value", "the new value is missing")
		}
		if err := json.Unmarshal(raw, &next); err != nil {
			return invalid("value", "bad_value", "not a valid %s: %v", in.Field, jsonProblem(err))
		}
		if err := s.checkDetails(&next); err != nil {
			return err
		}
		if err := s.checkAddress("current_address", &next.CurrentAddress, false); err != nil {
			return err
		}
		if err := s.notFuture("date_of_birth", next.DateOfBirth); err != nil {
			return err
		}
		if next.DateOfBirth.IsZero() {
			return invalid("value", "required", "the date of birth cannot be removed")
		}
		if err := checkPIDAgrees(&next); err != nil {
			return rule("value", "needs_new_number", "%v; such a correction needs a new number", err)
		}
		if err := s.checkFamilyLinks(w, &next); err != nil {
			return err
		}
		*c = next
		return nil
	})
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asType(err, &te); ok {
		return fmt.Sprintf("expected %s, got %s", te.Type, te.Value)
	}
	return err.Error()
}

// RecordMerge merges a duplicate record into the one kept (gộp hồ sơ
// trùng): the duplicate's number stays allocated and points to the kept
// record, which gains whatever the duplicate held that it lacked.
type RecordMerge struct {
	Meta
	PID          pid.PID `json:"pid"`
	DuplicatePID pid.PID `json:"duplicate_pid"`
}

// RecordRecordMerge merges two records found to be the same person.
func (s *Service) RecordRecordMerge(ctx context.Context, in RecordMerge) (Event, error) {
	return s.record(ctx, KindRecordMerge, in.Meta, func(w *work) error {
		keepPID, err := checkPID("pid", in.PID)
		if err != nil {
			return err
		}
		dupPID, err := checkPID("duplicate_pid", in.DuplicatePID)
		if err != nil {
			return err
		}
		if keepPID == dupPID {
			return invalid("duplicate_pid", "self", "the two numbers are the same")
		}
		if in.LegalBasis == "" {
			return invalid("legal_basis", "required", "a merge needs the verification it rests on")
		}
		keep, err := w.citizen("pid", keepPID)
		if err != nil {
			return err
		}
		dup, err := w.citizen("duplicate_pid", dupPID)
		if err != nil {
			return err
		}
		for _, p := range []struct {
			field string
			c     *Citizen
		}{{"pid", keep}, {"duplicate_pid", dup}} {
			if p.c.Status == StatusMerged {
				return rule(p.field, "merged", "record %s was merged into %s already", p.c.PID, p.c.MergedInto)
			}
		}
		if keep.Gender != dup.Gender {
			return rule("duplicate_pid", "different_gender", "the records differ in gender; they are not the same person")
		}
		if keep.DateOfBirth.SurelyBefore(dup.DateOfBirth) || dup.DateOfBirth.SurelyBefore(keep.DateOfBirth) {
			return rule("duplicate_pid", "different_birth", "the records differ in date of birth (%s, %s)", keep.DateOfBirth, dup.DateOfBirth)
		}
		if dup.SpousePID != "" && keep.SpousePID != "" && dup.SpousePID != keep.SpousePID {
			return rule("duplicate_pid", "two_spouses", "the records are married to different people; resolve that first")
		}
		if err := w.leave(dup, "duplicate_pid", ""); err != nil {
			return err
		}
		fill := func(dst *string, src string) {
			if *dst == "" {
				*dst = src
			}
		}
		fill(&keep.OldIDNumber, dup.OldIDNumber)
		fill(&keep.Phone, dup.Phone)
		fill(&keep.Email, dup.Email)
		fill(&keep.BloodType, dup.BloodType)
		fill(&keep.Religion, dup.Religion)
		if keep.FatherPID == "" {
			keep.FatherPID = dup.FatherPID
		}
		if keep.MotherPID == "" {
			keep.MotherPID = dup.MotherPID
		}
		if keep.Hometown.IsZero() {
			keep.Hometown = dup.Hometown
		}
		for _, n := range append([]string{dup.FullName}, dup.OtherNames...) {
			if n != keep.FullName && !slices.Contains(keep.OtherNames, n) {
				keep.OtherNames = append(keep.OtherNames, n)
			}
		}
		if dup.SpousePID != "" && keep.SpousePID == "" {
			spouse, err := w.citizen("duplicate_pid", dup.SpousePID)
			if err != nil && !isNotFound(err) {
				return err
			}
			if spouse != nil {
				spouse.SpousePID = keep.PID
			}
			keep.MaritalStatus, keep.SpousePID = Married, dup.SpousePID
		}
		dup.Status, dup.MergedInto = StatusMerged, keep.PID
		dup.SpousePID = ""
		for _, kind := range []ResidenceKind{ResidencePermanent, ResidenceTemporary, ResidenceAbsence} {
			if err := w.endResidences(dup, kind, w.day); err != nil {
				return err
			}
		}
		return nil
	})
}
