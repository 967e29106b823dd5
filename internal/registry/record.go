package registry

// Record is one citizen as a flat row of text, the shape of the files that
// dancu imports, exports and generates (NDJSON objects or CSV rows). Field
// names are the API's; dates are yyyy, yyyy-mm or yyyy-mm-dd; addresses are
// one line, "street, commune, [district,] province", in the era the address
// was recorded in. An empty field is absent.
//
// A household is the rows sharing a household_id, its head's row first;
// members share the head's permanent address. A deceased citizen belongs to
// no household.
type Record struct {
	PID                    string `json:"pid"`
	FullName               string `json:"full_name"`
	OtherNames             string `json:"other_names,omitempty"` // "; " between names
	DateOfBirth            string `json:"date_of_birth"`
	Gender                 string `json:"gender"`
	Ethnicity              string `json:"ethnicity,omitempty"` // code 01–54
	Religion               string `json:"religion,omitempty"`
	Nationality            string `json:"nationality,omitempty"`
	BloodType              string `json:"blood_type,omitempty"`
	BirthRegistrationPlace string `json:"birth_registration_place,omitempty"`
	Hometown               string `json:"hometown,omitempty"`
	PermanentAddress       string `json:"permanent_address,omitempty"`
	TemporaryAddress       string `json:"temporary_address,omitempty"`
	CurrentAddress         string `json:"current_address,omitempty"`
	OldIDNumber            string `json:"old_id_number,omitempty"`
	IDCardIssueDate        string `json:"id_card_issue_date,omitempty"`
	MaritalStatus          string `json:"marital_status,omitempty"`
	FatherPID              string `json:"father_pid,omitempty"`
	MotherPID              string `json:"mother_pid,omitempty"`
	SpousePID              string `json:"spouse_pid,omitempty"`
	LegalRepresentativePID string `json:"legal_representative_pid,omitempty"`
	HouseholdID            string `json:"household_id,omitempty"`
	RelationToHead         string `json:"relation_to_head,omitempty"`
	Status                 string `json:"status,omitempty"` // alive (default) or deceased
	DateOfDeath            string `json:"date_of_death,omitempty"`
	Phone                  string `json:"phone,omitempty"`
	Email                  string `json:"email,omitempty"`
}

// RecordFields lists the fields of a Record in file order: the CSV header
// and the order of NDJSON keys.
var RecordFields = []string{
	"pid", "full_name", "other_names", "date_of_birth", "gender", "ethnicity",
	"religion", "nationality", "blood_type", "birth_registration_place",
	"hometown", "permanent_address", "temporary_address", "current_address",
	"old_id_number", "id_card_issue_date", "marital_status", "father_pid",
	"mother_pid", "spouse_pid", "legal_representative_pid", "household_id",
	"relation_to_head", "status", "date_of_death", "phone", "email",
}

// Fields returns pointers to the fields of r in RecordFields order, for
// codecs that fill or read a row column by column.
func (r *Record) Fields() []*string {
	return []*string{
		&r.PID, &r.FullName, &r.OtherNames, &r.DateOfBirth, &r.Gender, &r.Ethnicity,
		&r.Religion, &r.Nationality, &r.BloodType, &r.BirthRegistrationPlace,
		&r.Hometown, &r.PermanentAddress, &r.TemporaryAddress, &r.CurrentAddress,
		&r.OldIDNumber, &r.IDCardIssueDate, &r.MaritalStatus, &r.FatherPID,
		&r.MotherPID, &r.SpousePID, &r.LegalRepresentativePID, &r.HouseholdID,
		&r.RelationToHead, &r.Status, &r.DateOfDeath, &r.Phone, &r.Email,
	}
}
