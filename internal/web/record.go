package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"dancu/internal/eid"
	"dancu/internal/pid"
	"dancu/internal/registry"
)

// The citizen's record page, as view data: every field of
// registry.CitizenView with its label, the household, the residence
// registrations and the history, in the page's language.

type citizenBody struct {
	PID string
	// Name is today's name (the page's heading); Shown the name on the
	// record shown, which differs in an as-of view after a name change.
	Name, Shown string
	// AsOf is the day shown, formatted, when the record is an as-of view;
	// AsOfInput what the officer typed; AsOfError a message key.
	AsOf, AsOfISO, AsOfInput, AsOfError string
	Groups                              []fieldGroup
	Household                           *householdView
	Residences                          []residenceRow
	History                             []versionView
	// Accesses are the latest accesses of agencies to the record, shown
	// when the console has an audit log to read (ShowAccesses).
	Accesses     []accessRow
	ShowAccesses bool
}

// accessRow is one access of an agency to the record.
type accessRow struct {
	At, AtISO, Agency, Operation, Purpose, Fields, Result string
}

// accessesShown is how many of the latest accesses the page lists.
const accessesShown = 50

// fieldGroup is one section of the record.
type fieldGroup struct {
	ID, Heading string
	Fields      []field
}

// field is one labelled value; Empty shows as "no information".
type field struct {
	Label, Value string
	// Href links the value (a parent's record).
	Href string
	// Notes are further lines: the unit recorded when it was an older
	// one, a warning that the old commune was split.
	Notes []note
	Empty bool
}

// note is a line under a value; Warn marks it (with a word, not only a
// colour) as needing an officer's decision.
type note struct {
	Text string
	Warn bool
}

type householdView struct {
	ID, Address string
	Members     []memberRow
}

type memberRow struct {
	PID, Name, Href, Relation string
	Self                      bool
}

type residenceRow struct {
	Kind, Address, Start, StartISO, End, EndISO string
	Active                                      bool
	Split                                       bool
}

type versionView struct {
	Version                                int64
	Kind                                   string
	Effective, EffectiveISO                string
	Recorded, RecordedISO                  string
	Actor, LegalBasis, Note, Name, EventID string
	Changes                                []changeRow
}

type changeRow struct {
	Field, Before, After string
}

// recordBuilder turns register data into view data for one request.
type recordBuilder struct {
	s *server
	r *http.Request
	p *page
	a eid.Account
}

func (b recordBuilder) t(key string, args ...any) string { return b.p.T(key, args...) }

// text is a field holding plain text.
func (b recordBuilder) text(label, value string) field {
	return field{Label: b.t(label), Value: value, Empty: value == ""}
}

// fields lists every field of v in sections. current is false for an
// as-of view, which leaves out what only today's record knows (the head
// of the household it is in now).
func (b recordBuilder) fields(v registry.CitizenView, current bool) []fieldGroup {
	l := b.p.Lang
	religion := v.Religion
	if religion == "" {
		religion = b.t("value.religion_none")
	}
	nationality := v.Nationality
	if nationality == "VN" {
		nationality = b.t("value.nationality_vn")
	}
	ethnicity := v.EthnicityName
	if ethnicity == "" {
		ethnicity = v.Ethnicity
	} else if v.Ethnicity != "" {
		ethnicity += " (" + v.Ethnicity + ")"
	}
	identity := fieldGroup{ID: "identity", Heading: b.t("citizen.section.identity"), Fields: []field{
		b.text("field.pid", string(v.PID)),
		b.text("field.full_name", v.FullName),
		b.text("field.other_names", strings.Join(v.OtherNames, "; ")),
		b.text("field.date_of_birth", formatDate(l, v.DateOfBirth)),
		b.text("field.gender", b.enum("gender", v.Gender.String())),
		b.text("field.ethnicity", ethnicity),
		b.text("field.religion", religion),
		b.text("field.nationality", nationality),
		b.text("field.blood_type", v.BloodType),
		b.address("field.birth_registration_place", v, "birth_registration_place"),
		b.address("field.hometown", v, "hometown"),
	}}
	absent := b.t("value.no")
	if v.TemporarilyAbsent {
		absent = b.t("value.yes")
	}
	residence := fieldGroup{ID: "residence", Heading: b.t("citizen.section.residence"), Fields: []field{
		b.address("field.permanent_address", v, "permanent_address"),
		b.address("field.temporary_address", v, "temporary_address"),
		b.address("field.current_address", v, "current_address"),
		b.text("field.temporarily_absent", absent),
	}}
	family := fieldGroup{ID: "family", Heading: b.t("citizen.section.family"), Fields: []field{
		b.text("field.marital_status", b.enum("marital", string(v.MaritalStatus))),
		b.person("field.father_pid", v.FatherPID),
		b.person("field.mother_pid", v.MotherPID),
		b.person("field.spouse_pid", v.SpousePID),
		b.person("field.legal_representative_pid", v.LegalRepresentativePID),
	}}
	if current {
		head := pid.PID("")
		if v.HouseholdID != "" {
			if h, err := b.s.Register.Household(b.r.Context(), v.HouseholdID); err == nil {
				head = h.HeadPID
			}
		}
		family.Fields = append(family.Fields, b.person("field.head", head))
	}
	family.Fields = append(family.Fields, b.text("field.relation_to_head", b.enum("relation", string(v.RelationToHead))))

	card := field{Label: b.t("field.id_card"), Empty: v.IDCard == nil}
	if v.IDCard != nil {
		card.Value = v.IDCard.Number
		card.Notes = []note{{Text: b.t("value.card_issued", formatDate(l, v.IDCard.IssueDate))}}
		if v.IDCard.ExpiryDate.IsZero() {
			card.Notes = append(card.Notes, note{Text: b.t("value.card_no_expiry")})
		} else {
			card.Notes = append(card.Notes, note{Text: b.t("value.card_expires", formatDate(l, v.IDCard.ExpiryDate))})
		}
		if v.IDCard.IssuedBy != "" {
			card.Notes = append(card.Notes, note{Text: b.t("value.card_issued_by", v.IDCard.IssuedBy)})
		}
	}
	papers := fieldGroup{ID: "papers", Heading: b.t("citizen.section.papers"), Fields: []field{
		card,
		b.text("field.old_id_number", v.OldIDNumber),
		b.text("field.phone", v.Phone),
		b.text("field.email", v.Email),
	}}
	status := fieldGroup{ID: "status", Heading: b.t("citizen.section.status"), Fields: []field{
		b.text("field.status", b.enum("status", string(v.Status))),
	}}
	if !v.DateOfDeath.IsZero() {
		status.Fields = append(status.Fields, b.text("field.date_of_death", formatDate(l, v.DateOfDeath)))
	}
	if !v.MissingSince.IsZero() {
		status.Fields = append(status.Fields, b.text("field.missing_since", formatDate(l, v.MissingSince)))
	}
	if v.MergedInto != "" {
		status.Fields = append(status.Fields, b.person("field.merged_into", v.MergedInto))
	}
	status.Fields = append(status.Fields,
		b.text("field.version", strconv.FormatInt(v.Version, 10)),
		b.text("field.updated_at", formatTime(l, v.UpdatedAt)))
	return []fieldGroup{identity, residence, family, papers, status}
}

// enum translates a code of the register ("gender.male"); an empty code
// is no value, an unknown one shows as itself.
func (b recordBuilder) enum(kind, code string) string {
	if code == "" || code == "unknown" {
		return ""
	}
	key := kind + "." + code
	if _, ok := b.p.msgs[key]; !ok {
		return code
	}
	return b.t(key)
}

// address is an address field in today's units, with notes when it was
// recorded in older units or its old commune was split.
func (b recordBuilder) address(label string, v registry.CitizenView, name string) field {
	p, ok := v.Places[name]
	if !ok {
		return field{Label: b.t(label), Empty: true}
	}
	return field{Label: b.t(label), Value: p.Text, Notes: b.placeNotes(p)}
}

func (b recordBuilder) placeNotes(p registry.Place) []note {
	var notes []note
	if p.Split {
		names := make([]string, len(p.Current))
		for i, u := range p.Current {
			names[i] = u.Name
		}
		notes = append(notes, note{Warn: true, Text: b.t("value.split", strings.Join(names, "; "))})
	}
	if p.Era != "2025" && p.Commune != nil {
		recorded := p.Commune.Name
		if p.Province != nil {
			recorded += ", " + p.Province.Name
		}
		notes = append(notes, note{Text: b.t("value.recorded_as", recorded)})
	}
	if len(p.Current) == 0 && p.Commune == nil {
		notes = append(notes, note{Warn: true, Text: b.t("value.unknown_unit", p.CommuneCode)})
	}
	return notes
}

// person is a field naming another citizen: the name and a link when the
// officer may read that record, the number alone otherwise.
func (b recordBuilder) person(label string, n pid.PID) field {
	f := field{Label: b.t(label), Empty: n == ""}
	if n == "" {
		return f
	}
	f.Value = string(n)
	v, err := b.s.Register.Citizen(b.r.Context(), n)
	if err != nil || !b.a.Can(eid.ReadCitizen, PlaceOf(v)) {
		return f
	}
	f.Value, f.Href = v.FullName+" ("+string(n)+")", citizenURL(n)
	return f
}

// household is v's household with its members, nil when v has none.
func (b recordBuilder) household(v registry.CitizenView) (*householdView, error) {
	if v.HouseholdID == "" {
		return nil, nil
	}
	h, err := b.s.Register.Household(b.r.Context(), v.HouseholdID)
	if errors.Is(err, registry.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := &householdView{ID: h.ID, Address: b.s.Register.Place(h.Address).Text}
	for _, m := range h.Members {
		row := memberRow{PID: string(m.PID), Relation: b.enum("relation", string(m.Relation)), Self: m.PID == v.PID}
		if mv, err := b.s.Register.Citizen(b.r.Context(), m.PID); err == nil && b.a.Can(eid.ReadCitizen, PlaceOf(mv)) {
			row.Name = mv.FullName
			if !row.Self {
				row.Href = citizenURL(m.PID)
			}
		}
		out.Members = append(out.Members, row)
	}
	return out, nil
}

// residences lists the residence registrations, newest first.
func (b recordBuilder) residences(n pid.PID) ([]residenceRow, error) {
	list, err := b.s.Register.Residences(b.r.Context(), n)
	if err != nil {
		return nil, err
	}
	l := b.p.Lang
	out := make([]residenceRow, 0, len(list))
	for _, res := range list {
		pl := b.s.Register.Place(res.Address)
		out = append(out, residenceRow{
			Kind: b.enum("residence", string(res.Kind)), Address: pl.Text, Split: pl.Split,
			Start: formatDate(l, res.StartDate), StartISO: res.StartDate.String(),
			End: formatDate(l, res.EndDate), EndISO: res.EndDate.String(),
			Active: res.Active,
		})
	}
	return out, nil
}

// version is one entry of the history: the event and the fields of this
// citizen's record it changed, before and after.
func (b recordBuilder) version(ver registry.Version) versionView {
	l := b.p.Lang
	ev := ver.Event
	out := versionView{
		Version: ver.Version, Kind: b.enum("event", string(ev.Kind)),
		Effective: formatDate(l, ev.EffectiveDate), EffectiveISO: ev.EffectiveDate.String(),
		Recorded: formatTime(l, ev.RecordedAt), RecordedISO: ev.RecordedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Actor: ev.Actor, LegalBasis: ev.LegalBasis, Note: ev.Note, Name: ver.Citizen.FullName, EventID: ev.ID,
	}
	self := "citizen:" + string(ver.Citizen.PID)
	changes := slices.Clone(ev.Changes)
	// In the order the record shows its fields, not the JSON's.
	slices.SortStableFunc(changes, func(x, y registry.Change) int {
		return cmp.Compare(b.s.fieldOrder[x.Field], b.s.fieldOrder[y.Field])
	})
	for _, c := range changes {
		// The version stamps change with every event; they are not data.
		if c.Record != self || c.Field == "version" || c.Field == "updated_at" {
			continue
		}
		before, after := b.value(c.Field, c.Before), b.value(c.Field, c.After)
		if before == after {
			continue // an empty value written differently ({} and none)
		}
		label := c.Field
		if _, ok := b.p.msgs["field."+c.Field]; ok {
			label = b.t("field." + c.Field)
		}
		out.Changes = append(out.Changes, changeRow{Field: label, Before: before, After: after})
	}
	return out
}

// citizenFieldOrder numbers the JSON fields of a record in the order of
// registry.Citizen, which is the order of the law's list of fields.
func citizenFieldOrder() map[string]int {
	order := map[string]int{}
	t := reflect.TypeFor[registry.Citizen]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		order[name] = i
	}
	return order
}

// value writes one JSON value of a change the way the record shows it.
func (b recordBuilder) value(name string, raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	l := b.p.Lang
	switch name {
	case "permanent_address", "temporary_address", "current_address", "birth_registration_place", "hometown":
		var a registry.Address
		if json.Unmarshal(raw, &a) == nil {
			return b.s.Register.Place(a).Text
		}
	case "id_card":
		var c registry.IDCard
		if json.Unmarshal(raw, &c) == nil {
			return c.Number + " (" + b.t("value.card_issued", formatDate(l, c.IssueDate)) + ")"
		}
	case "date_of_birth", "date_of_death", "missing_since":
		var d registry.Date
		if json.Unmarshal(raw, &d) == nil {
			return formatDate(l, d)
		}
	case "ethnicity":
		var code string
		if json.Unmarshal(raw, &code) == nil {
			if name, ok := registry.EthnicityName(code); ok {
				return name + " (" + code + ")"
			}
			return code
		}
	case "nationality":
		var code string
		if json.Unmarshal(raw, &code) == nil && code == "VN" {
			return b.t("value.nationality_vn")
		}
	case "gender":
		return b.enumJSON("gender", raw)
	case "marital_status":
		return b.enumJSON("marital", raw)
	case "status":
		return b.enumJSON("status", raw)
	case "relation_to_head":
		return b.enumJSON("relation", raw)
	case "temporarily_absent":
		var yes bool
		if json.Unmarshal(raw, &yes) == nil {
			if yes {
				return b.t("value.yes")
			}
			return b.t("value.no")
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, "; ")
	}
	return string(raw)
}

func (b recordBuilder) enumJSON(kind string, raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw)
	}
	return b.enum(kind, s)
}
