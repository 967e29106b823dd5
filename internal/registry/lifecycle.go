package registry

import (
	"context"
	"errors"
	"slices"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
)

// InitialRegistration enters a person who already has a number into the
// register, as an import does. It is not a birth: nothing about the
// person's life changes.
type InitialRegistration struct {
	Meta
	Citizen Citizen `json:"citizen"`
	// HouseholdID joins an existing household with Relation. When empty
	// and the citizen has a permanent address, a new household is started
	// there with the citizen as its head.
	HouseholdID string   `json:"household_id,omitempty"`
	Relation    Relation `json:"relation_to_head,omitempty"`
}

// RegisterInitial records an initial registration.
//
// Errors about the record name its field under "citizen." (for example
// "citizen.permanent_address.commune_code"), as the request nests it.
func (s *Service) RegisterInitial(ctx context.Context, in InitialRegistration) (Event, error) {
	return s.record(ctx, KindInitialRegistration, in.Meta, func(w *work) error {
		return nestFieldErrors("citizen.", s.registerInitial(ctx, w, in), "household_id", "relation_to_head")
	})
}

func (s *Service) registerInitial(ctx context.Context, w *work, in InitialRegistration) error {
	c := in.Citizen
	var err error
	if c.PID, err = checkPID("pid", c.PID); err != nil {
		return err
	}
	if !w.knownNew {
		if _, err := s.store.Citizen(ctx, c.PID); err == nil {
			return rule("pid", "already_registered", "citizen %s is already in the register", c.PID)
		} else if !isNotFound(err) {
			return err
		}
	}
	if err := s.checkDetails(&c); err != nil {
		return err
	}
	if c.DateOfBirth.IsZero() {
		return invalid("date_of_birth", "required", "a date of birth (yyyy, yyyy-mm or yyyy-mm-dd) is required")
	}
	if err := s.notFuture("date_of_birth", c.DateOfBirth); err != nil {
		return err
	}
	if err := checkPIDAgrees(&c); err != nil {
		return err
	}
	if err := s.checkFamilyLinks(w, &c); err != nil {
		return err
	}
	if c.MaritalStatus == "" {
		c.MaritalStatus = Single
	}
	switch c.MaritalStatus {
	case Single, Married, Divorced, Widowed:
	default:
		return invalid("marital_status", "bad_marital_status", "must be single, married, divorced or widowed")
	}
	switch c.Status {
	case "", StatusAlive:
		c.Status = StatusAlive
		if !c.DateOfDeath.IsZero() {
			return invalid("date_of_death", "inconsistent", "a date of death needs status deceased")
		}
	case StatusDeceased:
		if c.DateOfDeath.IsZero() {
			return invalid("date_of_death", "required", "a deceased citizen needs a date of death")
		}
		if err := s.notFuture("date_of_death", c.DateOfDeath); err != nil {
			return err
		}
		if c.DateOfDeath.SurelyBefore(c.DateOfBirth) {
			return rule("date_of_death", "before_birth", "death on %s is before birth on %s", c.DateOfDeath, c.DateOfBirth)
		}
	default:
		return invalid("status", "bad_status", "an initial registration is of a living or deceased person")
	}
	if c.IDCard != nil {
		if err := s.checkCard(c.IDCard, &c); err != nil {
			return err
		}
	}
	if err := s.checkAddress("temporary_address", &c.TemporaryAddress, false); err != nil {
		return err
	}
	if err := s.checkAddress("current_address", &c.CurrentAddress, false); err != nil {
		return err
	}
	if err := s.checkAddress("permanent_address", &c.PermanentAddress, false); err != nil {
		return err
	}
	c.HouseholdID, c.RelationToHead = "", ""
	c.MergedInto, c.MissingSince = "", Date{}
	citizen := w.add(c)
	w.claims = append(w.claims, c.PID)
	if c.Status == StatusDeceased {
		return nil
	}
	switch {
	case in.HouseholdID != "":
		h, err := w.household("household_id", in.HouseholdID)
		if err != nil {
			return err
		}
		rel, err := checkRelation(in.Relation)
		if err != nil {
			return err
		}
		w.join(h, citizen, rel)
	case !citizen.PermanentAddress.IsZero():
		w.newHousehold(citizen.PermanentAddress, citizen)
	default:
		return nil
	}
	w.startResidence(citizen, ResidencePermanent, citizen.PermanentAddress, w.day, Date{})
	return nil
}

// nestFieldErrors prefixes the field of a FieldError with prefix, unless
// the field is one of top (fields of the request itself).
func nestFieldErrors(prefix string, err error, top ...string) error {
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field == "" || slices.Contains(top, fe.Field) {
		return err
	}
	nested := *fe
	nested.Field = prefix + fe.Field
	return &nested
}

// checkRelation validates the relation of someone joining an existing
// household: any relation but head.
func checkRelation(rel Relation) (Relation, error) {
	if rel == "" {
		return "", invalid("relation_to_head", "required", "the relation to the head of household is required")
	}
	if !relations[rel] {
		return "", invalid("relation_to_head", "bad_relation", "unknown relation %q", rel)
	}
	if rel == RelationHead {
		return "", rule("relation_to_head", "head_exists", "the household has a head already; change heads with a household event")
	}
	return rel, nil
}

// checkFamilyLinks validates the PIDs of parents, spouse and legal
// representative: well-formed and, when in the register, consistent.
func (s *Service) checkFamilyLinks(w *work, c *Citizen) error {
	var err error
	links := []struct {
		field string
		p     *pid.PID
	}{
		{"father_pid", &c.FatherPID}, {"mother_pid", &c.MotherPID},
		{"spouse_pid", &c.SpousePID}, {"legal_representative_pid", &c.LegalRepresentativePID},
	}
	for _, l := range links {
		if *l.p, err = optionalPID(l.field, *l.p); err != nil {
			return err
		}
		if *l.p == c.PID && *l.p != "" {
			return invalid(l.field, "self", "a citizen cannot be their own relative")
		}
	}
	for _, parent := range []struct {
		field  string
		p      pid.PID
		gender pid.Gender
	}{{"father_pid", c.FatherPID, pid.Male}, {"mother_pid", c.MotherPID, pid.Female}} {
		if parent.p == "" {
			continue
		}
		p, err := s.store.Citizen(w.ctx, parent.p)
		if isNotFound(err) {
			continue // a parent need not be in the register (an import in any order)
		}
		if err != nil {
			return err
		}
		if p.Gender != parent.gender {
			return rule(parent.field, "wrong_gender", "citizen %s is recorded as %s", parent.p, p.Gender)
		}
		if !p.DateOfBirth.SurelyBefore(c.DateOfBirth) {
			return rule(parent.field, "parent_younger", "parent %s (born %s) was not born before the child (born %s)", parent.p, p.DateOfBirth, c.DateOfBirth)
		}
	}
	return nil
}

// startResidence ends c's active registration of the same kind (for
// permanent and temporary residence, which a citizen holds one of) and
// starts a new one.
//
// The citizen's record takes a new version even when no field of it
// changes (a renewal, an overnight stay), so that the event shows in the
// citizen's history.
func (w *work) startResidence(c *Citizen, kind ResidenceKind, a Address, start, end Date) {
	w.touch(c)
	w.residences = append(w.residences, Residence{
		ID: w.s.newID(), PID: c.PID, Kind: kind, Address: a,
		StartDate: start, EndDate: end, Active: true,
	})
}

// endResidences marks c's active registrations of kind as ended on day.
func (w *work) endResidences(c *Citizen, kind ResidenceKind, day Date) error {
	list, err := w.s.store.Residences(w.ctx, c.PID)
	if err != nil {
		return err
	}
	for _, r := range list {
		if r.Kind == kind && r.Active {
			r.Active = false
			if r.EndDate.IsZero() || day.SurelyBefore(r.EndDate) {
				r.EndDate = day
			}
			w.residences = append(w.residences, r)
		}
	}
	return nil
}

// Birth registers a newborn: it allocates a number, links the parents and
// joins a household.
type Birth struct {
	Meta
	FullName    string     `json:"full_name"`
	Gender      pid.Gender `json:"gender"`
	DateOfBirth Date       `json:"date_of_birth"`
	// BirthRegistration is where the birth is registered; its province
	// decides the number's prefix.
	BirthRegistration Address `json:"birth_registration_place"`
	Hometown          Address `json:"hometown"`
	Ethnicity         string  `json:"ethnicity"`
	Religion          string  `json:"religion,omitempty"`
	Nationality       string  `json:"nationality,omitempty"`
	MotherPID         pid.PID `json:"mother_pid,omitempty"`
	FatherPID         pid.PID `json:"father_pid,omitempty"`
	// HouseholdID is the household the child joins; by default the
	// mother's, else the father's.
	HouseholdID string   `json:"household_id,omitempty"`
	Relation    Relation `json:"relation_to_head,omitempty"`
}

// fatherWindow is how long after a father's death a child is still his
// (Law on Marriage and Family 2014, Art. 88: born within 300 days of the
// end of the marriage).
const fatherWindow = 300 * 24 * time.Hour

// RecordBirth records a birth and returns the event; the child's number is
// Event.PID.
func (s *Service) RecordBirth(ctx context.Context, in Birth) (Event, error) {
	// The number is allocated once, outside the retry loop: a number that
	// was claimed is never handed out again, even if the event then fails.
	var number pid.PID
	return s.record(ctx, KindBirth, in.Meta, func(w *work) error {
		c := Citizen{
			FullName: in.FullName, Gender: in.Gender, DateOfBirth: in.DateOfBirth,
			BirthRegistration: in.BirthRegistration, Hometown: in.Hometown,
			Ethnicity: in.Ethnicity, Religion: in.Religion, Nationality: in.Nationality,
			Status: StatusAlive, MaritalStatus: Single,
		}
		if c.DateOfBirth.IsZero() || !c.DateOfBirth.Full() {
			return invalid("date_of_birth", "required", "a birth needs its full date (yyyy-mm-dd)")
		}
		if err := s.notFuture("date_of_birth", c.DateOfBirth); err != nil {
			return err
		}
		if c.BirthRegistration.CommuneCode == "" {
			return invalid("birth_registration_place.commune_code", "required", "the commune where the birth is registered is required")
		}
		if err := s.checkDetails(&c); err != nil {
			return err
		}
		var err error
		var mother, father *Citizen
		if in.MotherPID, err = optionalPID("mother_pid", in.MotherPID); err != nil {
			return err
		}
		if in.FatherPID, err = optionalPID("father_pid", in.FatherPID); err != nil {
			return err
		}
		if in.MotherPID != "" {
			if mother, err = w.citizen("mother_pid", in.MotherPID); err != nil {
				return err
			}
			if err := checkParent("mother_pid", mother, pid.Female, c.DateOfBirth); err != nil {
				return err
			}
			if !mother.DateOfDeath.IsZero() && mother.DateOfDeath.SurelyBefore(c.DateOfBirth) {
				return rule("mother_pid", "parent_deceased", "the mother died on %s, before the birth on %s", mother.DateOfDeath, c.DateOfBirth)
			}
			c.MotherPID = mother.PID
		}
		if in.FatherPID != "" {
			if father, err = w.citizen("father_pid", in.FatherPID); err != nil {
				return err
			}
			if err := checkParent("father_pid", father, pid.Male, c.DateOfBirth); err != nil {
				return err
			}
			if !father.DateOfDeath.IsZero() && father.DateOfDeath.Last().Add(fatherWindow).Before(c.DateOfBirth.First()) {
				return rule("father_pid", "parent_deceased", "the father died on %s, more than 300 days before the birth on %s", father.DateOfDeath, c.DateOfBirth)
			}
			c.FatherPID = father.PID
		}
		hid := in.HouseholdID
		if hid == "" && mother != nil && mother.Status == StatusAlive {
			hid = mother.HouseholdID
		}
		if hid == "" && father != nil && father.Status == StatusAlive {
			hid = father.HouseholdID
		}
		var h *Household
		if hid != "" {
			if h, err = w.household("household_id", hid); err != nil {
				return err
			}
		}
		rel := in.Relation
		if h != nil && rel == "" {
			rel = RelationOther
			for _, parent := range []pid.PID{c.MotherPID, c.FatherPID} {
				if parent != "" && parent == h.HeadPID {
					rel = RelationChild
				}
			}
			if rel == RelationOther {
				for _, m := range h.Members {
					if (m.PID == c.MotherPID || m.PID == c.FatherPID) && m.Relation == RelationChild {
						rel = RelationGrandchild
					}
				}
			}
		}
		if h != nil {
			if rel, err = checkRelation(rel); err != nil {
				return err
			}
		}
		if number == "" {
			prefix, err := s.pidPrefix(c.BirthRegistration)
			if err != nil {
				return err
			}
			if number, err = s.alloc.Allocate(ctx, pid.Request{ProvinceCode: prefix, Gender: c.Gender, BirthYear: c.DateOfBirth.Year}); err != nil {
				return err
			}
		}
		c.PID = number
		child := w.add(c)
		w.main = number
		if h != nil {
			w.join(h, child, rel)
			w.startResidence(child, ResidencePermanent, h.Address, c.DateOfBirth, Date{})
		}
		return nil
	})
}

func checkParent(field string, p *Citizen, gender pid.Gender, childBorn Date) error {
	if p.Status == StatusMerged {
		return rule(field, "merged", "record %s was merged into %s; use that number", p.PID, p.MergedInto)
	}
	if p.Gender != gender {
		return rule(field, "wrong_gender", "citizen %s is recorded as %s", p.PID, p.Gender)
	}
	if !p.DateOfBirth.SurelyBefore(childBorn) {
		return rule(field, "parent_younger", "parent %s (born %s) was not born before the child (born %s)", p.PID, p.DateOfBirth, childBorn)
	}
	return nil
}

// pidPrefix is the number prefix for a birth registered at a: "0" plus
// the pre-2025 province code of the commune (see docs/pid.md). A 2025
// commune takes the pre-2025 province of the old communes it was formed
// from, or, when they lay in several, the 2025 province's own code (which
// is always one of the 63).
func (s *Service) pidPrefix(a Address) (string, error) {
	var province string
	switch a.Era {
	case adminunit.EraPre2025, adminunit.Era2023:
		u, _ := s.units.Commune(a.Era, a.CommuneCode)
		p, ok := s.units.ProvinceOf(u)
		if !ok {
			return "", invalid("birth_registration_place", "unknown_commune", "no province for commune %s", a.CommuneCode)
		}
		province = p.Code
	default:
		olds := s.units.OldUnitsFor(a.CommuneCode)
		seen := map[string]bool{}
		for _, o := range olds {
			if p, ok := s.units.ProvinceOf(o); ok {
				seen[p.Code] = true
				province = p.Code
			}
		}
		if len(seen) != 1 {
			u, _ := s.units.Commune(a.Era, a.CommuneCode)
			p, ok := s.units.ProvinceOf(u)
			if !ok {
				return "", invalid("birth_registration_place", "unknown_commune", "no province for commune %s", a.CommuneCode)
			}
			province = p.Code
		}
	}
	return pid.ProvincePrefix(province)
}

// Death records a death.
type Death struct {
	Meta
	PID         pid.PID `json:"pid"`
	DateOfDeath Date    `json:"date_of_death"`
	// NewHeadPID heads the household when the deceased was its head and
	// others remain.
	NewHeadPID pid.PID `json:"new_head_pid,omitempty"`
}

// RecordDeath records a death: the citizen leaves their household, their
// residence registrations end, and a spouse becomes widowed.
func (s *Service) RecordDeath(ctx context.Context, in Death) (Event, error) {
	return s.record(ctx, KindDeath, in.Meta, func(w *work) error {
		return w.endOfLife("pid", in.PID, in.NewHeadPID, in.DateOfDeath, StatusDeceased)
	})
}

// Missing records a court's declaration that a person is missing (Civil
// Code 2015, Art. 68).
type Missing struct {
	Meta
	PID          pid.PID `json:"pid"`
	MissingSince Date    `json:"missing_since"`
	NewHeadPID   pid.PID `json:"new_head_pid,omitempty"`
}

// RecordMissing records a declaration that a person is missing.
func (s *Service) RecordMissing(ctx context.Context, in Missing) (Event, error) {
	return s.record(ctx, KindMissing, in.Meta, func(w *work) error {
		return w.endOfLife("pid", in.PID, in.NewHeadPID, in.MissingSince, StatusMissing)
	})
}

func (w *work) endOfLife(field string, number, newHead pid.PID, day Date, status Status) error {
	dateField := "date_of_death"
	if status == StatusMissing {
		dateField = "missing_since"
	}
	var err error
	if number, err = checkPID(field, number); err != nil {
		return err
	}
	if newHead, err = optionalPID("new_head_pid", newHead); err != nil {
		return err
	}
	c, err := w.citizen(field, number)
	if err != nil {
		return err
	}
	switch c.Status {
	case StatusDeceased:
		return rule(field, "already_deceased", "the death of %s was recorded already (on %s)", number, c.DateOfDeath)
	case StatusMerged:
		return rule(field, "merged", "record %s was merged into %s; use that number", number, c.MergedInto)
	case StatusMissing:
		if status == StatusMissing {
			return rule(field, "already_missing", "%s is already declared missing", number)
		}
	}
	if day.IsZero() {
		return invalid(dateField, "required", "the date is required")
	}
	if err := w.s.notFuture(dateField, day); err != nil {
		return err
	}
	if day.SurelyBefore(c.DateOfBirth) {
		return rule(dateField, "before_birth", "%s is before the birth on %s", day, c.DateOfBirth)
	}
	if err := w.leave(c, "new_head_pid", newHead); err != nil {
		return err
	}
	if c.SpousePID != "" {
		if sp, err := w.citizen("spouse_pid", c.SpousePID); err == nil && status == StatusDeceased {
			sp.MaritalStatus = Widowed
			sp.SpousePID = ""
		} else if err != nil && !isNotFound(err) {
			return err
		}
	}
	if status == StatusDeceased {
		c.DateOfDeath = day
		if c.MaritalStatus == Married {
			c.SpousePID = ""
		}
	} else {
		c.MissingSince = day
	}
	c.Status = status
	for _, kind := range []ResidenceKind{ResidencePermanent, ResidenceTemporary, ResidenceAbsence} {
		if err := w.endResidences(c, kind, day); err != nil {
			return err
		}
	}
	return nil
}
