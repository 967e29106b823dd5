package web

import (
	"dancu/internal/eid"
	"dancu/internal/registry"
)

// PlaceOf is where a citizen belongs for an officer's area (what
// eid.Account.Can compares): the permanent address, else the current one,
// else the place of birth registration, in 2025 units. A commune is named
// only when the address converts to exactly one; a split old commune
// leaves it empty, so that only province officers and admins see the
// record until an officer decides it. It is the rule the API applies.
func PlaceOf(v registry.CitizenView) eid.Place {
	for _, field := range []string{"permanent_address", "current_address", "birth_registration_place"} {
		if p, ok := v.Places[field]; ok && len(p.Current) > 0 {
			return placeFrom(p)
		}
	}
	return eid.Place{}
}

// placeFrom is the area codes of one address.
func placeFrom(p registry.Place) eid.Place {
	var out eid.Place
	if p.CurrentProvince != nil {
		out.Province = p.CurrentProvince.Code
	}
	if len(p.Current) == 1 {
		out.Commune = p.Current[0].Code
	}
	return out
}
