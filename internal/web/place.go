package web

import (
	"dancu/internal/eid"
	"dancu/internal/registry"
)

// PlaceOf is where a citizen belongs for an officer's area (what
// eid.Account.Can compares); the rule is registry.CitizenView.Area, the
// same the API applies.
func PlaceOf(v registry.CitizenView) eid.Place {
	province, commune := v.Area()
	return eid.Place{Province: province, Commune: commune}
}
