package eid

// Action is something an account asks to do, checked by Account.Can.
type Action string

// The actions. An officer may take only the actions officerAction lists;
// every other action, including any added later and forgotten there, is
// for admins alone.
const (
	// ReadCitizen reads a citizen's record (logged in the audit trail by
	// the caller).
	ReadCitizen Action = "citizen.read"
	// RecordEvent records a life event that changes a citizen's record.
	RecordEvent Action = "citizen.record_event"
	// ManageAccounts creates, disables and issues tokens for accounts.
	ManageAccounts Action = "accounts.manage"
	// ManageAgencies onboards connected agencies, approves and suspends
	// them, and issues and revokes their API keys.
	ManageAgencies Action = "agencies.manage"
	// ReadStatistics reads the national usage statistics of agencies.
	ReadStatistics Action = "statistics.read"
)

// officerAction reports whether officers may take action, within their
// area. A new action is for admins alone until it is listed here.
func officerAction(action Action) bool {
	switch action {
	case ReadCitizen, RecordEvent:
		return true
	}
	return false
}

// Place is where the thing an action touches belongs, as codes of the 2025
// map: for a citizen, the province and commune of their record (permanent
// residence). The caller converts older codes first; an empty code matches
// no officer.
type Place struct {
	Province string // 2 digits, "79"
	Commune  string // 5 digits, "26737"
}

// Can reports whether a may take action at place:
//
//   - a disabled account can do nothing;
//   - an admin can do everything, everywhere;
//   - a province officer can take an officer's action at a place in its
//     province (place.Province equals its area);
//   - a commune officer can take an officer's action at a place in its
//     commune (place.Commune equals its area; 2025 commune codes are unique
//     nationally, so the province is not compared).
//
// Anything else is refused: an unknown role, an action not listed for
// officers, a place without the code the role is compared on.
func (a Account) Can(action Action, place Place) bool {
	if a.Disabled {
		return false
	}
	if a.Role == RoleAdmin {
		return true
	}
	if !officerAction(action) || a.Area == "" {
		return false
	}
	switch a.Role {
	case RoleProvinceOfficer:
		return place.Province == a.Area
	case RoleCommuneOfficer:
		return place.Commune == a.Area
	}
	return false
}
