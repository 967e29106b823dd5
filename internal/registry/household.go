package registry

import (
	"context"

	"dancu/internal/pid"
)

// HouseholdSplit splits members off a household into a new one (tách hộ,
// Law on Residence 2020, Art. 25), at the same address unless Address is
// given.
type HouseholdSplit struct {
	Meta
	HouseholdID string `json:"household_id"`
	// Members move to the new household with their relation to its head;
	// exactly one of them is "head".
	Members []Member `json:"members"`
	Address Address  `json:"address"`
	// NewHeadPID heads the old household when its head moves out.
	NewHeadPID pid.PID `json:"new_head_pid,omitempty"`
}

// RecordHouseholdSplit records a split.
func (s *Service) RecordHouseholdSplit(ctx context.Context, in HouseholdSplit) (Event, error) {
	return s.record(ctx, KindHouseholdSplit, in.Meta, func(w *work) error {
		old, err := w.household("household_id", in.HouseholdID)
		if err != nil {
			return err
		}
		if in.NewHeadPID, err = optionalPID("new_head_pid", in.NewHeadPID); err != nil {
			return err
		}
		moving, head, err := w.members(in.Members, old)
		if err != nil {
			return err
		}
		for _, c := range moving {
			if c.PID == in.NewHeadPID {
				return rule("new_head_pid", "moving", "%s moves to the new household and cannot head the old one", c.PID)
			}
		}
		if len(moving) == len(old.Members) {
			return rule("members", "everyone", "every member would leave; record a move of the household instead")
		}
		address := old.Address
		if !in.Address.IsZero() {
			if err := s.checkAddress("address", &in.Address, true); err != nil {
				return err
			}
			address = in.Address
		}
		// The old household first loses its movers (and perhaps its head).
		for _, c := range moving {
			if c.PID == old.HeadPID {
				if err := w.leave(c, "new_head_pid", in.NewHeadPID); err != nil {
					return err
				}
			} else {
				removeMember(old, c.PID)
			}
		}
		nh := w.newHousehold(address, head)
		for i, c := range moving {
			if c != head {
				w.join(nh, c, in.Members[i].Relation)
			}
		}
		if address != old.Address {
			for _, c := range moving {
				if err := w.endResidences(c, ResidencePermanent, w.day); err != nil {
					return err
				}
				w.startResidence(c, ResidencePermanent, address, w.day, Date{})
			}
		}
		return nil
	})
}

// members resolves a list of members of h with new relations; exactly one
// must be the new head.
func (w *work) members(list []Member, h *Household) ([]*Citizen, *Citizen, error) {
	if len(list) == 0 {
		return nil, nil, invalid("members", "required", "name the members who move")
	}
	in := map[pid.PID]bool{}
	for _, m := range h.Members {
		in[m.PID] = true
	}
	var head *Citizen
	seen := map[pid.PID]bool{}
	out := make([]*Citizen, 0, len(list))
	for i := range list {
		number, err := checkPID("members", list[i].PID)
		if err != nil {
			return nil, nil, err
		}
		list[i].PID = number
		if seen[number] {
			return nil, nil, invalid("members", "duplicate", "%s is listed twice", number)
		}
		seen[number] = true
		if !in[number] {
			return nil, nil, rule("members", "not_member", "%s is not a member of household %s", number, h.ID)
		}
		if !relations[list[i].Relation] {
			return nil, nil, invalid("members", "bad_relation", "unknown relation %q for %s", list[i].Relation, number)
		}
		c, err := w.living("members", number)
		if err != nil {
			return nil, nil, err
		}
		if list[i].Relation == RelationHead {
			if head != nil {
				return nil, nil, rule("members", "two_heads", "a household has one head; %s and %s are both named", head.PID, number)
			}
			head = c
		}
		out = append(out, c)
	}
	if head == nil {
		return nil, nil, rule("members", "no_head", "name the head of the new household (relation \"head\")")
	}
	return out, head, nil
}

// HouseholdMerge merges a household into another (nhập hộ): every member
// of the first joins the second with the relation given, and the first is
// dissolved.
type HouseholdMerge struct {
	Meta
	HouseholdID     string `json:"household_id"`
	IntoHouseholdID string `json:"into_household_id"`
	// Members lists every member of HouseholdID with their relation to the
	// head of IntoHouseholdID (none may be "head").
	Members []Member `json:"members"`
}

// RecordHouseholdMerge records a merge of households.
func (s *Service) RecordHouseholdMerge(ctx context.Context, in HouseholdMerge) (Event, error) {
	return s.record(ctx, KindHouseholdMerge, in.Meta, func(w *work) error {
		if in.HouseholdID == in.IntoHouseholdID {
			return invalid("into_household_id", "self", "a household cannot merge into itself")
		}
		from, err := w.household("household_id", in.HouseholdID)
		if err != nil {
			return err
		}
		into, err := w.household("into_household_id", in.IntoHouseholdID)
		if err != nil {
			return err
		}
		if len(in.Members) != len(from.Members) {
			return invalid("members", "incomplete", "list all %d members of household %s with their new relation", len(from.Members), from.ID)
		}
		var moving []*Citizen
		for i := range in.Members {
			m := &in.Members[i]
			if m.PID, err = checkPID("members", m.PID); err != nil {
				return err
			}
			if m.Relation, err = checkRelation(m.Relation); err != nil {
				return err
			}
			found := false
			for _, fm := range from.Members {
				found = found || fm.PID == m.PID
			}
			if !found {
				return rule("members", "not_member", "%s is not a member of household %s", m.PID, from.ID)
			}
			c, err := w.living("members", m.PID)
			if err != nil {
				return err
			}
			moving = append(moving, c)
		}
		for i, c := range moving {
			w.join(into, c, in.Members[i].Relation)
		}
		from.HeadPID, from.Members, from.Dissolved = "", nil, true
		if into.Address != from.Address {
			for _, c := range moving {
				if err := w.endResidences(c, ResidencePermanent, w.day); err != nil {
					return err
				}
				w.startResidence(c, ResidencePermanent, into.Address, w.day, Date{})
			}
		}
		return nil
	})
}
