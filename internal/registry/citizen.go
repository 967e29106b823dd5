// Package registry is the national population register: citizens,
// households, residence registrations and the life events that change
// them.
//
// Every write is a life event (Event) with who recorded it, when, on what
// legal basis, and the before and after values of every field it changed.
// The current record of a citizen is the projection of its events; each
// event also keeps a snapshot of every record it changed, so "what did the
// register say on date D" (AsOf) and "who changed this field, when, and
// why" (History) always have an answer. An event and its projection are
// committed together or not at all. See docs/registry.md.
package registry

import (
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
)

// Address is a place in the register: a street part (house number, lane,
// street, hamlet) and a commune with the era of its code. Addresses keep
// the code they were recorded with; the current (2025) units are derived
// when read.
type Address struct {
	Street      string        `json:"street,omitempty"`
	CommuneCode string        `json:"commune_code"`
	Era         adminunit.Era `json:"era"`
}

// IsZero reports whether a is no address.
func (a Address) IsZero() bool { return a.CommuneCode == "" && a.Street == "" }

// IDCard is the citizen's identity card (thẻ căn cước). Since the chip ID
// card, its number is the personal identification number.
type IDCard struct {
	Number    string `json:"number"`
	IssueDate Date   `json:"issue_date"`
	// ExpiryDate is the day before the holder must renew; zero for a card
	// valid for life (issued at 58 or later).
	ExpiryDate Date   `json:"expiry_date"`
	IssuedBy   string `json:"issued_by,omitempty"`
}

// Status is where a citizen stands in the register.
type Status string

// Citizen statuses.
const (
	StatusAlive    Status = "alive"
	StatusDeceased Status = "deceased"
	StatusMissing  Status = "missing"
	// StatusMerged marks a record found to duplicate another; it keeps its
	// number (never reused) and points to the surviving record.
	StatusMerged Status = "merged"
)

// MaritalStatus is a citizen's marital status (tình trạng hôn nhân).
type MaritalStatus string

// Marital statuses.
const (
	Single   MaritalStatus = "single"
	Married  MaritalStatus = "married"
	Divorced MaritalStatus = "divorced"
	Widowed  MaritalStatus = "widowed"
)

// Citizen is one person's current record in the register, with the fields
// of the national population database (Law on Identification 2023, Art. 9).
type Citizen struct {
	PID        pid.PID  `json:"pid"`
	FullName   string   `json:"full_name"`
	OtherNames []string `json:"other_names,omitempty"`
	// DateOfBirth may be partial (year, or year and month).
	DateOfBirth Date       `json:"date_of_birth"`
	Gender      pid.Gender `json:"gender"`
	// BirthRegistration is where the birth was registered (nơi đăng ký
	// khai sinh).
	BirthRegistration Address `json:"birth_registration_place"`
	// Hometown (quê quán) is the place of origin of the father's (or
	// mother's) family.
	Hometown Address `json:"hometown,omitzero"`
	// Ethnicity is the code of one of the 54 recognised ethnic groups
	// ("01" Kinh … "54" Rơ Măm); see Ethnicities.
	Ethnicity string `json:"ethnicity"`
	// Religion is empty for none.
	Religion string `json:"religion,omitempty"`
	// Nationality is an ISO 3166-1 alpha-2 code, "VN" for Vietnamese.
	Nationality string `json:"nationality"`
	BloodType   string `json:"blood_type,omitempty"`
	// OldIDNumber is the old 9- or 12-digit identity card number (chứng
	// minh nhân dân), kept for matching legacy datasets.
	OldIDNumber string  `json:"old_id_number,omitempty"`
	IDCard      *IDCard `json:"id_card,omitempty"`

	// Permanent residence (thường trú), temporary residence (tạm trú) and
	// current residence (nơi ở hiện tại); projections of the citizen's
	// residence registrations.
	PermanentAddress Address `json:"permanent_address"`
	TemporaryAddress Address `json:"temporary_address,omitzero"`
	CurrentAddress   Address `json:"current_address,omitzero"`
	// TemporarilyAbsent reports an active temporary-absence declaration
	// (khai báo tạm vắng).
	TemporarilyAbsent bool `json:"temporarily_absent,omitempty"`

	HouseholdID    string        `json:"household_id,omitempty"`
	RelationToHead Relation      `json:"relation_to_head,omitempty"`
	MaritalStatus  MaritalStatus `json:"marital_status"`
	FatherPID      pid.PID       `json:"father_pid,omitempty"`
	MotherPID      pid.PID       `json:"mother_pid,omitempty"`
	SpousePID      pid.PID       `json:"spouse_pid,omitempty"`
	// LegalRepresentativePID is the guardian of a minor or of someone who
	// lacks legal capacity.
	LegalRepresentativePID pid.PID `json:"legal_representative_pid,omitempty"`

	Status       Status  `json:"status"`
	DateOfDeath  Date    `json:"date_of_death,omitzero"`
	MissingSince Date    `json:"missing_since,omitzero"`
	MergedInto   pid.PID `json:"merged_into,omitempty"`

	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`

	// Version counts the events that changed this record, from 1.
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Relation is a household member's relation to the head (quan hệ với chủ
// hộ).
type Relation string

// Relations to the head of household.
const (
	RelationHead        Relation = "head"
	RelationSpouse      Relation = "spouse"
	RelationChild       Relation = "child"
	RelationParent      Relation = "parent"
	RelationGrandchild  Relation = "grandchild"
	RelationGrandparent Relation = "grandparent"
	RelationSibling     Relation = "sibling"
	RelationInLaw       Relation = "in_law"
	RelationOther       Relation = "other"
)

// Relations lists every valid relation.
var relations = map[Relation]bool{
	RelationHead: true, RelationSpouse: true, RelationChild: true, RelationParent: true,
	RelationGrandchild: true, RelationGrandparent: true, RelationSibling: true,
	RelationInLaw: true, RelationOther: true,
}

// Household is a household (hộ gia đình) registered at one permanent
// address, with exactly one head (chủ hộ) while it has members.
type Household struct {
	ID      string   `json:"id"`
	HeadPID pid.PID  `json:"head_pid"`
	Address Address  `json:"address"`
	Members []Member `json:"members"`
	// Dissolved is set when the household's last member left it.
	Dissolved bool      `json:"dissolved,omitempty"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Member is one person in a household.
type Member struct {
	PID      pid.PID  `json:"pid"`
	Relation Relation `json:"relation"`
}

// ResidenceKind is the kind of a residence registration.
type ResidenceKind string

// Residence kinds (Law on Residence 2020).
const (
	// Permanent residence registration (đăng ký thường trú), Art. 20.
	ResidencePermanent ResidenceKind = "permanent"
	// Temporary residence registration (đăng ký tạm trú), Art. 27: up to
	// two years, renewable.
	ResidenceTemporary ResidenceKind = "temporary"
	// Temporary absence declaration (khai báo tạm vắng), Art. 31.
	ResidenceAbsence ResidenceKind = "temporary_absence"
	// Overnight stay notice (thông báo lưu trú), Art. 30.
	ResidenceOvernight ResidenceKind = "overnight_stay"
)

// Residence is one residence registration of one citizen.
type Residence struct {
	ID        string        `json:"id"`
	PID       pid.PID       `json:"pid"`
	Kind      ResidenceKind `json:"kind"`
	Address   Address       `json:"address"`
	StartDate Date          `json:"start_date"`
	// EndDate is when it ends or ended; zero for open-ended (permanent).
	EndDate Date `json:"end_date,omitzero"`
	// Active is false once it was ended or superseded.
	Active  bool   `json:"active"`
	EventID string `json:"event_id"`
}
