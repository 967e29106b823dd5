package registry

import (
	"context"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/vntext"
)

// Place is an address as a reader sees it: the recorded address, its units
// by name, and the 2025 units it converts to.
type Place struct {
	Address
	Commune  *adminunit.Unit `json:"commune,omitempty"`
	Province *adminunit.Unit `json:"province,omitempty"`
	// Current lists the 2025 communes the address converts to: one, or
	// several when the old commune was split (then Split is set and an
	// officer must decide by the street).
	Current []adminunit.Unit `json:"current,omitempty"`
	// CurrentProvince is the 2025 province of the address.
	CurrentProvince *adminunit.Unit `json:"current_province,omitempty"`
	Split           bool            `json:"split,omitempty"`
	// Text is the address in one line, in today's units where they are
	// certain.
	Text string `json:"text"`
}

// CitizenView is a citizen's record as the API and the pages show it.
type CitizenView struct {
	Citizen
	EthnicityName string `json:"ethnicity_name,omitempty"`
	// Places holds each non-empty address of the record, by field name.
	Places map[string]Place `json:"places"`
}

// Citizen returns the current record of number.
func (s *Service) Citizen(ctx context.Context, number pid.PID) (CitizenView, error) {
	n, err := checkPID("pid", number)
	if err != nil {
		return CitizenView{}, err
	}
	c, err := s.store.Citizen(ctx, n)
	if err != nil {
		if isNotFound(err) {
			return CitizenView{}, notFound("pid", "no citizen with number %s in the register", n)
		}
		return CitizenView{}, err
	}
	return s.View(c), nil
}

// View adds names and today's units to a record.
func (s *Service) View(c Citizen) CitizenView {
	v := CitizenView{Citizen: c, Places: map[string]Place{}}
	v.EthnicityName, _ = EthnicityName(c.Ethnicity)
	for field, a := range map[string]Address{
		"permanent_address": c.PermanentAddress, "temporary_address": c.TemporaryAddress,
		"current_address": c.CurrentAddress, "birth_registration_place": c.BirthRegistration,
		"hometown": c.Hometown,
	} {
		if !a.IsZero() {
			v.Places[field] = s.Place(a)
		}
	}
	return v
}

// Place describes an address in today's units.
func (s *Service) Place(a Address) Place {
	p := Place{Address: a}
	if u, ok := s.units.Commune(a.Era, a.CommuneCode); ok {
		p.Commune = &u
		if pr, ok := s.units.ProvinceOf(u); ok {
			p.Province = &pr
		}
	}
	if a.Era == adminunit.Era2025 {
		if p.Commune != nil {
			p.Current = []adminunit.Unit{*p.Commune}
		}
	} else {
		p.Current = s.units.NewUnitsFor(a.CommuneCode)
		p.Split = len(p.Current) > 1
	}
	if len(p.Current) > 0 {
		if pr, ok := s.units.ProvinceOf(p.Current[0]); ok {
			p.CurrentProvince = &pr
		}
	}
	parts := []string{}
	if a.Street != "" {
		parts = append(parts, a.Street)
	}
	switch {
	case len(p.Current) == 1:
		parts = append(parts, p.Current[0].Name)
		if pr, ok := s.units.ProvinceOf(p.Current[0]); ok {
			parts = append(parts, pr.Name)
		}
	case p.Commune != nil:
		parts = append(parts, p.Commune.Name)
		if p.Province != nil {
			parts = append(parts, p.Province.Name)
		}
	}
	for i, part := range parts {
		if i == 0 {
			p.Text = part
		} else {
			p.Text += ", " + part
		}
	}
	return p
}

// Household returns a household with its members.
func (s *Service) Household(ctx context.Context, id string) (Household, error) {
	h, err := s.store.Household(ctx, id)
	if isNotFound(err) {
		return Household{}, notFound("household_id", "no household %s", id)
	}
	return h, err
}

// Residences lists a citizen's residence registrations, newest first.
func (s *Service) Residences(ctx context.Context, number pid.PID) ([]Residence, error) {
	n, err := checkPID("pid", number)
	if err != nil {
		return nil, err
	}
	return s.store.Residences(ctx, n)
}

// History lists every version of a citizen's record with the event that
// made it, oldest first.
func (s *Service) History(ctx context.Context, number pid.PID) ([]Version, error) {
	n, err := checkPID("pid", number)
	if err != nil {
		return nil, err
	}
	h, err := s.store.History(ctx, n)
	if err != nil {
		return nil, err
	}
	if len(h) == 0 {
		return nil, notFound("pid", "no citizen with number %s in the register", n)
	}
	return h, nil
}

// AsOf returns what the register said about number at the end of day (in
// Vietnam's time zone): the record as the last event recorded by then left
// it.
func (s *Service) AsOf(ctx context.Context, number pid.PID, day Date) (CitizenView, error) {
	n, err := checkPID("pid", number)
	if err != nil {
		return CitizenView{}, err
	}
	if !day.Full() {
		return CitizenView{}, invalid("date", "partial", "give a full date (yyyy-mm-dd)")
	}
	if err := day.Validate(); err != nil {
		return CitizenView{}, invalid("date", "bad_date", "%v", err)
	}
	end := time.Date(day.Year, time.Month(day.Month), day.Day, 0, 0, 0, 0, vietnam).AddDate(0, 0, 1).Add(-time.Microsecond)
	c, err := s.store.AsOf(ctx, n, end)
	if isNotFound(err) {
		return CitizenView{}, notFound("pid", "citizen %s was not in the register on %s", n, day)
	}
	if err != nil {
		return CitizenView{}, err
	}
	return s.View(c), nil
}

// maxFind bounds a search.
const maxFind = 100

// Find searches citizens by full name (diacritics and case ignored) and
// optionally year of birth.
func (s *Service) Find(ctx context.Context, name string, birthYear int) ([]Citizen, error) {
	key := vntext.Fold(vntext.Normalize(name))
	if key == "" {
		return nil, invalid("name", "required", "a name to search for is required")
	}
	if len(key) > maxNameBytes {
		return nil, invalid("name", "too_long", "at most %d bytes", maxNameBytes)
	}
	if birthYear != 0 && (birthYear < MinYear || birthYear > s.today().Year) {
		return nil, invalid("birth_year", "bad_year", "year %d is out of range", birthYear)
	}
	return s.store.FindCitizens(ctx, Query{NameKey: key, BirthYear: birthYear, Limit: maxFind})
}

// NameKey is the search key of a full name, as the store indexes it.
func NameKey(fullName string) string { return vntext.Fold(fullName) }

// Area is where the citizen belongs for an officer's area: the permanent
// address, else the current one, else the place of birth registration, as
// 2025 province and commune codes. The commune is named only when the
// address converts to exactly one; a split old commune leaves it empty, so
// that only province officers and administrators see the record until an
// officer decides it.
func (v CitizenView) Area() (province, commune string) {
	for _, field := range []string{"permanent_address", "current_address", "birth_registration_place"} {
		if p, ok := v.Places[field]; ok && len(p.Current) > 0 {
			return p.Area()
		}
	}
	return "", ""
}

// Area is the 2025 province and commune codes of an address ("" where not
// certain).
func (p Place) Area() (province, commune string) {
	if p.CurrentProvince != nil {
		province = p.CurrentProvince.Code
	}
	if len(p.Current) == 1 {
		commune = p.Current[0].Code
	}
	return province, commune
}
