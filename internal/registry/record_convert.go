package registry

import (
	"strings"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
)

// otherNamesSep joins a citizen's other names in a Record.
const otherNamesSep = "; "

// RecordOf writes c as a flat Record, the form export writes and import
// reads back to the same citizen.
func (s *Service) RecordOf(c Citizen) Record {
	r := Record{
		PID:                    string(c.PID),
		FullName:               c.FullName,
		OtherNames:             strings.Join(c.OtherNames, otherNamesSep),
		DateOfBirth:            c.DateOfBirth.String(),
		Gender:                 c.Gender.String(),
		Ethnicity:              c.Ethnicity,
		Religion:               c.Religion,
		Nationality:            c.Nationality,
		BloodType:              c.BloodType,
		BirthRegistrationPlace: s.AddressText(c.BirthRegistration),
		Hometown:               s.AddressText(c.Hometown),
		PermanentAddress:       s.AddressText(c.PermanentAddress),
		TemporaryAddress:       s.AddressText(c.TemporaryAddress),
		CurrentAddress:         s.AddressText(c.CurrentAddress),
		OldIDNumber:            c.OldIDNumber,
		MaritalStatus:          string(c.MaritalStatus),
		FatherPID:              string(c.FatherPID),
		MotherPID:              string(c.MotherPID),
		SpousePID:              string(c.SpousePID),
		LegalRepresentativePID: string(c.LegalRepresentativePID),
		HouseholdID:            c.HouseholdID,
		RelationToHead:         string(c.RelationToHead),
		Status:                 string(c.Status),
		DateOfDeath:            c.DateOfDeath.String(),
		Phone:                  c.Phone,
		Email:                  c.Email,
	}
	if c.IDCard != nil {
		r.IDCardIssueDate = c.IDCard.IssueDate.String()
	}
	return r
}

// AddressText writes a as one line in the units of its own era: the
// street, then adminunit's Format of its commune. An address whose commune
// the directory does not know is written as its street alone.
func (s *Service) AddressText(a Address) string {
	if a.IsZero() {
		return ""
	}
	units, ok := s.units.Format(a.Era, a.CommuneCode)
	switch {
	case !ok:
		return a.Street
	case a.Street == "":
		return units
	default:
		return a.Street + ", " + units
	}
}

// ParseAddressText reads one line of address into an Address: exactly as
// AddressText writes it, or failing that as a person writes it, which
// must then name one commune beyond doubt. field names the input for the
// error.
func (s *Service) ParseAddressText(field, text string) (Address, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Address{}, nil
	}
	if street, u, ok := s.units.ParseFormatted(text); ok {
		return Address{Street: street, CommuneCode: u.Code, Era: u.Era}, nil
	}
	res, err := s.units.Resolve(text)
	if err != nil {
		return Address{}, invalid(field, "bad_address", "%v", err)
	}
	var commune adminunit.Unit
	for _, m := range res.Matched {
		if m.Level == adminunit.LevelCommune {
			commune = m
		}
	}
	switch {
	case res.Status == adminunit.StatusAmbiguous:
		return Address{}, invalid(field, "ambiguous_address", "%q names more than one commune; write it as street, commune, [district,] province", text)
	case commune.IsZero():
		return Address{}, invalid(field, "unknown_commune", "no commune found in %q", text)
	}
	return Address{Street: res.Street, CommuneCode: commune.Code, Era: commune.Era}, nil
}

// FromRecord reads a Record into an initial registration. Errors are
// FieldErrors naming the Record field (the file's column), such as
// "date_of_birth" or "permanent_address".
func (s *Service) FromRecord(r Record) (InitialRegistration, error) {
	var in InitialRegistration
	c := &in.Citizen
	var err error
	if c.PID, err = checkPID("pid", pid.PID(strings.TrimSpace(r.PID))); err != nil {
		return in, err
	}
	c.FullName = r.FullName
	if r.OtherNames != "" {
		for _, n := range strings.Split(r.OtherNames, ";") {
			if n = strings.TrimSpace(n); n != "" {
				c.OtherNames = append(c.OtherNames, n)
			}
		}
	}
	// Field by field rather than from a table of pointers into in, which
	// would make in escape to the heap.
	if c.DateOfBirth, err = recordDate("date_of_birth", r.DateOfBirth); err != nil {
		return in, err
	}
	if c.DateOfDeath, err = recordDate("date_of_death", r.DateOfDeath); err != nil {
		return in, err
	}
	issued, err := recordDate("id_card_issue_date", r.IDCardIssueDate)
	if err != nil {
		return in, err
	}
	switch g := strings.TrimSpace(r.Gender); g {
	case "male":
		c.Gender = pid.Male
	case "female":
		c.Gender = pid.Female
	case "":
		return in, invalid("gender", "required", "gender must be male or female")
	default:
		return in, invalid("gender", "bad_gender", "gender must be male or female, got %q", g)
	}
	c.Ethnicity = strings.TrimSpace(r.Ethnicity)
	c.Religion = r.Religion
	c.Nationality = strings.TrimSpace(r.Nationality)
	c.BloodType = r.BloodType
	if c.BirthRegistration, err = s.ParseAddressText("birth_registration_place", r.BirthRegistrationPlace); err != nil {
		return in, err
	}
	if c.Hometown, err = s.ParseAddressText("hometown", r.Hometown); err != nil {
		return in, err
	}
	if c.PermanentAddress, err = s.ParseAddressText("permanent_address", r.PermanentAddress); err != nil {
		return in, err
	}
	if c.TemporaryAddress, err = s.ParseAddressText("temporary_address", r.TemporaryAddress); err != nil {
		return in, err
	}
	if c.CurrentAddress, err = s.ParseAddressText("current_address", r.CurrentAddress); err != nil {
		return in, err
	}
	c.OldIDNumber = strings.TrimSpace(r.OldIDNumber)
	if !issued.IsZero() {
		c.IDCard = &IDCard{IssueDate: issued}
	}
	c.MaritalStatus = MaritalStatus(strings.TrimSpace(r.MaritalStatus))
	c.FatherPID = pid.PID(strings.TrimSpace(r.FatherPID))
	c.MotherPID = pid.PID(strings.TrimSpace(r.MotherPID))
	c.SpousePID = pid.PID(strings.TrimSpace(r.SpousePID))
	c.LegalRepresentativePID = pid.PID(strings.TrimSpace(r.LegalRepresentativePID))
	c.Status = Status(strings.TrimSpace(r.Status))
	c.Phone = r.Phone
	c.Email = r.Email
	in.HouseholdID = strings.TrimSpace(r.HouseholdID)
	in.Relation = Relation(strings.TrimSpace(r.RelationToHead))
	return in, nil
}

// recordDate reads the date in column field of a Record; an empty one is
// the zero Date.
func recordDate(field, text string) (Date, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return Date{}, nil
	}
	d, err := ParseDate(t)
	if err != nil {
		return d, invalid(field, "bad_date", "%q: %v", text, err)
	}
	return d, nil
}
