package registry

import (
	"context"

	"dancu/internal/pid"
)

// maxTemporaryYears is the longest temporary residence registration (Law on
// Residence 2020, Art. 27(3)): two years, renewable.
const maxTemporaryYears = 2

// PermanentResidence records a permanent residence registration at a new
// place (đăng ký thường trú, Law on Residence 2020, Art. 20–22): the
// citizen joins an existing household there, or starts one as its head.
type PermanentResidence struct {
	Meta
	PID pid.PID `json:"pid"`
	// Address is the new permanent address, for a new household.
	Address Address `json:"address"`
	// HouseholdID joins an existing household (whose address becomes the
	// citizen's) with Relation.
	HouseholdID string   `json:"household_id,omitempty"`
	Relation    Relation `json:"relation_to_head,omitempty"`
	// NewHeadPID heads the household the citizen leaves, when the citizen
	// was its head and others remain.
	NewHeadPID pid.PID `json:"new_head_pid,omitempty"`
}

// RecordPermanentResidence records a move of permanent residence.
func (s *Service) RecordPermanentResidence(ctx context.Context, in PermanentResidence) (Event, error) {
	return s.record(ctx, KindPermanentResidence, in.Meta, func(w *work) error {
		if _, err := checkPID("pid", in.PID); err != nil {
			return err
		}
		var err error
		if in.NewHeadPID, err = optionalPID("new_head_pid", in.NewHeadPID); err != nil {
			return err
		}
		c, err := w.alive("pid", in.PID)
		if err != nil {
			return err
		}
		number := c.PID
		var h *Household
		if in.HouseholdID != "" {
			if in.HouseholdID == c.HouseholdID {
				return rule("household_id", "unchanged", "citizen %s is already in household %s", number, in.HouseholdID)
			}
			if h, err = w.household("household_id", in.HouseholdID); err != nil {
				return err
			}
			if in.Relation, err = checkRelation(in.Relation); err != nil {
				return err
			}
		} else if err := s.checkAddress("address", &in.Address, true); err != nil {
			return err
		}
		if err := w.leave(c, "new_head_pid", in.NewHeadPID); err != nil {
			return err
		}
		if h != nil {
			w.join(h, c, in.Relation)
		} else {
			h = w.newHousehold(in.Address, c)
		}
		if err := w.endResidences(c, ResidencePermanent, w.day); err != nil {
			return err
		}
		c.CurrentAddress = h.Address
		w.startResidence(c, ResidencePermanent, h.Address, w.day, Date{})
		return nil
	})
}

// Stay is a residence registration with an address and a period: a
// temporary residence, a temporary absence or an overnight stay.
type Stay struct {
	Meta
	PID       pid.PID `json:"pid"`
	Address   Address `json:"address"`
	StartDate Date    `json:"start_date"`
	EndDate   Date    `json:"end_date"`
}

// RecordTemporaryResidence records a temporary residence registration
// (đăng ký tạm trú, Law on Residence 2020, Art. 27): at most two years,
// renewable by a new registration, which supersedes the active one.
func (s *Service) RecordTemporaryResidence(ctx context.Context, in Stay) (Event, error) {
	return s.record(ctx, KindTemporaryResidence, in.Meta, func(w *work) error {
		c, err := w.stay(&in, true)
		if err != nil {
			return err
		}
		if in.StartDate.AddYears(maxTemporaryYears).SurelyBefore(in.EndDate) {
			return rule("end_date", "too_long", "a temporary residence lasts at most %d years (until %s)", maxTemporaryYears, in.StartDate.AddYears(maxTemporaryYears))
		}
		if in.Address.CommuneCode == c.PermanentAddress.CommuneCode && in.Address.Era == c.PermanentAddress.Era && in.Address.Street == c.PermanentAddress.Street {
			return rule("address", "same_as_permanent", "the temporary address is the permanent address")
		}
		if err := w.endResidences(c, ResidenceTemporary, in.StartDate); err != nil {
			return err
		}
		c.TemporaryAddress, c.CurrentAddress = in.Address, in.Address
		w.startResidence(c, ResidenceTemporary, in.Address, in.StartDate, in.EndDate)
		return nil
	})
}

// RecordTemporaryAbsence records a temporary absence declaration (khai báo
// tạm vắng, Law on Residence 2020, Art. 31); Address is where the citizen
// goes, when known.
func (s *Service) RecordTemporaryAbsence(ctx context.Context, in Stay) (Event, error) {
	return s.record(ctx, KindTemporaryAbsence, in.Meta, func(w *work) error {
		c, err := w.stay(&in, false)
		if err != nil {
			return err
		}
		if err := w.endResidences(c, ResidenceAbsence, in.StartDate); err != nil {
			return err
		}
		c.TemporarilyAbsent = true
		w.startResidence(c, ResidenceAbsence, in.Address, in.StartDate, in.EndDate)
		return nil
	})
}

// RecordOvernightStay records an overnight stay notice (thông báo lưu trú,
// Law on Residence 2020, Art. 30). It changes no address of the citizen's.
func (s *Service) RecordOvernightStay(ctx context.Context, in Stay) (Event, error) {
	return s.record(ctx, KindOvernightStay, in.Meta, func(w *work) error {
		c, err := w.stay(&in, true)
		if err != nil {
			return err
		}
		if in.StartDate.AddYears(1).SurelyBefore(in.EndDate) {
			return rule("end_date", "too_long", "an overnight stay notice covers less than a year; register temporary residence instead")
		}
		w.startResidence(c, ResidenceOvernight, in.Address, in.StartDate, in.EndDate)
		return nil
	})
}

// stay validates the common part of a Stay and loads its citizen.
func (w *work) stay(in *Stay, addressRequired bool) (*Citizen, error) {
	if _, err := checkPID("pid", in.PID); err != nil {
		return nil, err
	}
	if err := w.s.checkAddress("address", &in.Address, addressRequired); err != nil {
		return nil, err
	}
	if in.StartDate.IsZero() {
		in.StartDate = w.day
	}
	if !in.StartDate.Full() {
		return nil, invalid("start_date", "partial", "the start date must be a full date")
	}
	if in.EndDate.IsZero() || !in.EndDate.Full() {
		return nil, invalid("end_date", "required", "the end date (a full date) is required")
	}
	if !in.StartDate.SurelyBefore(in.EndDate) {
		return nil, invalid("end_date", "before_start", "the end date %s is not after the start date %s", in.EndDate, in.StartDate)
	}
	return w.alive("pid", in.PID)
}
