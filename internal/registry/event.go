package registry

import (
	"encoding/json"
	"time"

	"dancu/internal/pid"
)

// Kind names a kind of life event.
type Kind string

// The kinds of life event. Every write to the register is one of these.
const (
	// KindInitialRegistration enters an existing person into the register
	// (what an import records); it is never a fake birth.
	KindInitialRegistration Kind = "initial_registration"
	KindBirth               Kind = "birth"
	KindDeath               Kind = "death"
	// KindMissing records a court's declaration that a person is missing.
	KindMissing            Kind = "missing"
	KindMarriage           Kind = "marriage"
	KindDivorce            Kind = "divorce"
	KindNameChange         Kind = "name_change"
	KindPermanentResidence Kind = "permanent_residence"
	KindTemporaryResidence Kind = "temporary_residence"
	KindTemporaryAbsence   Kind = "temporary_absence"
	KindOvernightStay      Kind = "overnight_stay"
	KindIDCardIssuance     Kind = "id_card_issuance"
	KindDataCorrection     Kind = "data_correction"
	// KindRecordMerge merges two records found to be the same person.
	KindRecordMerge    Kind = "record_merge"
	KindHouseholdSplit Kind = "household_split"
	KindHouseholdMerge Kind = "household_merge"
)

// Kinds lists every kind of event, in the order the docs present them.
func Kinds() []Kind {
	return []Kind{
		KindInitialRegistration, KindBirth, KindDeath, KindMissing, KindMarriage, KindDivorce,
		KindNameChange, KindPermanentResidence, KindTemporaryResidence, KindTemporaryAbsence,
		KindOvernightStay, KindIDCardIssuance, KindDataCorrection, KindRecordMerge,
		KindHouseholdSplit, KindHouseholdMerge,
	}
}

// Meta is what every event records about itself besides its content.
type Meta struct {
	// Actor identifies who recorded the event (an officer's account ID,
	// or "import" and the like for a system).
	Actor string `json:"actor"`
	// LegalBasis names the document the change rests on: a birth
	// certificate number, a court decision, an application file.
	LegalBasis string `json:"legal_basis,omitempty"`
	Note       string `json:"note,omitempty"`
	// EffectiveDate is when the event happened in life (a full date); it
	// defaults to the day it is recorded.
	EffectiveDate Date `json:"effective_date"`
}

// EventMeta gives access to the Meta embedded in every event request, so
// that a surface can fill in who records it.
func (m *Meta) EventMeta() *Meta { return m }

// Event is one recorded life event.
type Event struct {
	ID   string  `json:"id"`
	Kind Kind    `json:"kind"`
	PID  pid.PID `json:"pid"`
	Meta
	RecordedAt time.Time `json:"recorded_at"`
	// Subjects lists every citizen the event changed, PID first.
	Subjects []pid.PID `json:"subjects"`
	// Households lists every household the event changed.
	Households []string `json:"households,omitempty"`
	// Changes lists every field the event changed, before and after.
	Changes []Change `json:"changes,omitempty"`
}

// EventBody is the part of an event that a store keeps as one JSON
// value beside the columns it holds the rest in (id, kind, pid, actor,
// legal basis, effective date, recorded at).
type EventBody struct {
	Note string `json:"note,omitempty"`
	// Subjects is left out when the event changed only its own PID.
	Subjects   []pid.PID `json:"subjects,omitempty"`
	Households []string  `json:"households,omitempty"`
	Changes    []Change  `json:"changes,omitempty"`
}

// Body is e's EventBody.
func (e Event) Body() EventBody {
	b := EventBody{Note: e.Note, Subjects: e.Subjects, Households: e.Households, Changes: e.Changes}
	if len(b.Subjects) == 1 && b.Subjects[0] == e.PID {
		b.Subjects = nil
	}
	return b
}

// SetBody fills e's fields from b; e.PID must be set first.
func (e *Event) SetBody(b EventBody) {
	e.Note, e.Subjects, e.Households, e.Changes = b.Note, b.Subjects, b.Households, b.Changes
	if len(e.Subjects) == 0 && e.PID != "" {
		e.Subjects = []pid.PID{e.PID}
	}
}

// Change is one field of one record changed by an event. Before and After
// are JSON values; a missing one means the field was empty.
type Change struct {
	// Record is "citizen:PID", "household:ID" or "residence:ID".
	Record string          `json:"record"`
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// Version is a citizen's record as one event left it.
type Version struct {
	Version int64   `json:"version"`
	Citizen Citizen `json:"citizen"`
	Event   Event   `json:"event"`
}
