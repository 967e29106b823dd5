package registry

import (
	"context"

	"dancu/internal/pid"
)

// Minimum ages to marry (Law on Marriage and Family 2014, Art. 8(1)(a)):
// a man from full 20 years, a woman from full 18.
const (
	minMarriageAgeMale   = 20
	minMarriageAgeFemale = 18
)

// Marriage records a marriage registration (đăng ký kết hôn). The date is
// Meta.EffectiveDate.
type Marriage struct {
	Meta
	PID       pid.PID `json:"pid"`
	SpousePID pid.PID `json:"spouse_pid"`
}

// RecordMarriage records a marriage after checking the conditions of the
// Law on Marriage and Family 2014: both alive, neither married, of age,
// not of the same sex (Art. 8(2)), not related in the direct line or as
// siblings (Art. 5(2)(d)).
func (s *Service) RecordMarriage(ctx context.Context, in Marriage) (Event, error) {
	return s.record(ctx, KindMarriage, in.Meta, func(w *work) error {
		a, b, err := w.couple(in.PID, in.SpousePID)
		if err != nil {
			return err
		}
		day := w.day
		for _, p := range []struct {
			field string
			c     *Citizen
		}{{"pid", a}, {"spouse_pid", b}} {
			if p.c.Status != StatusAlive {
				return rule(p.field, "not_alive", "citizen %s is recorded as %s", p.c.PID, p.c.Status)
			}
			if p.c.MaritalStatus == Married {
				return rule(p.field, "already_married", "citizen %s is married (to %s)", p.c.PID, p.c.SpousePID)
			}
			min := minMarriageAgeFemale
			if p.c.Gender == pid.Male {
				min = minMarriageAgeMale
			}
			if age := p.c.DateOfBirth.AgeOn(day); age < min {
				return rule(p.field, "under_age", "citizen %s may be %d on %s; the minimum age is %d", p.c.PID, age, day, min)
			}
		}
		if a.Gender == b.Gender {
			return rule("spouse_pid", "same_sex", "the law does not recognise marriage between people of the same sex (Law on Marriage and Family 2014, Art. 8(2))")
		}
		if related(a, b) {
			return rule("spouse_pid", "close_relatives", "%s and %s are related in the direct line or as siblings", a.PID, b.PID)
		}
		a.MaritalStatus, a.SpousePID = Married, b.PID
		b.MaritalStatus, b.SpousePID = Married, a.PID
		return nil
	})
}

// related reports a parent–child link or shared parent between a and b.
func related(a, b *Citizen) bool {
	parent := func(child, p *Citizen) bool { return child.FatherPID == p.PID || child.MotherPID == p.PID }
	if parent(a, b) || parent(b, a) {
		return true
	}
	share := func(x, y pid.PID) bool { return x != "" && x == y }
	return share(a.FatherPID, b.FatherPID) || share(a.MotherPID, b.MotherPID)
}

// couple loads two distinct citizens named in the pid and spouse_pid fields.
func (w *work) couple(p1, p2 pid.PID) (*Citizen, *Citizen, error) {
	var err error
	if p1, err = checkPID("pid", p1); err != nil {
		return nil, nil, err
	}
	if p2, err = checkPID("spouse_pid", p2); err != nil {
		return nil, nil, err
	}
	if p1 == p2 {
		return nil, nil, invalid("spouse_pid", "self", "the two numbers are the same")
	}
	a, err := w.citizen("pid", p1)
	if err != nil {
		return nil, nil, err
	}
	b, err := w.citizen("spouse_pid", p2)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range []struct {
		field string
		c     *Citizen
	}{{"pid", a}, {"spouse_pid", b}} {
		if c.c.Status == StatusMerged {
			return nil, nil, rule(c.field, "merged", "record %s was merged into %s; use that number", c.c.PID, c.c.MergedInto)
		}
	}
	return a, b, nil
}

// Divorce records a divorce decided by a court.
type Divorce struct {
	Meta
	PID       pid.PID `json:"pid"`
	SpousePID pid.PID `json:"spouse_pid"`
}

// RecordDivorce records a divorce between two citizens married to each
// other.
func (s *Service) RecordDivorce(ctx context.Context, in Divorce) (Event, error) {
	return s.record(ctx, KindDivorce, in.Meta, func(w *work) error {
		a, b, err := w.couple(in.PID, in.SpousePID)
		if err != nil {
			return err
		}
		if a.MaritalStatus != Married || a.SpousePID != b.PID || b.SpousePID != a.PID {
			return rule("spouse_pid", "not_married", "%s and %s are not married to each other", a.PID, b.PID)
		}
		a.MaritalStatus, a.SpousePID = Divorced, ""
		b.MaritalStatus, b.SpousePID = Divorced, ""
		return nil
	})
}

// NameChange records a change of name (Civil Status Law 2014, Art. 26–28;
// Civil Code 2015, Art. 28). The old name is kept in OtherNames and in the
// history.
type NameChange struct {
	Meta
	PID      pid.PID `json:"pid"`
	FullName string  `json:"full_name"`
}

// RecordNameChange records a change of name.
func (s *Service) RecordNameChange(ctx context.Context, in NameChange) (Event, error) {
	return s.record(ctx, KindNameChange, in.Meta, func(w *work) error {
		number, err := checkPID("pid", in.PID)
		if err != nil {
			return err
		}
		name, err := checkName("full_name", in.FullName)
		if err != nil {
			return err
		}
		if in.LegalBasis == "" {
			return invalid("legal_basis", "required", "a change of name needs the decision it rests on")
		}
		c, err := w.living("pid", number)
		if err != nil {
			return err
		}
		if name == c.FullName {
			return rule("full_name", "unchanged", "the name is already %s", name)
		}
		keep := true
		for _, o := range c.OtherNames {
			keep = keep && o != c.FullName
		}
		if keep {
			c.OtherNames = append(c.OtherNames, c.FullName)
		}
		c.FullName = name
		return nil
	})
}
