package registry

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"dancu/internal/pid"
)

// AppendJSON appends c as json.Marshal writes it, byte for byte, without
// reflection: the store encodes every citizen an import registers, and
// reflection made that a tenth of an import's work. A test holds it to
// json.Marshal for a record with every field set, so that a field added
// to Citizen and not here fails it.
func (c *Citizen) AppendJSON(b []byte) ([]byte, error) {
	if !plainTime(c.UpdatedAt) {
		out, err := json.Marshal(c)
		return append(b, out...), err
	}
	b = append(b, `{"pid":`...)
	b = appendJSONString(b, string(c.PID))
	b = append(b, `,"full_name":`...)
	b = appendJSONString(b, c.FullName)
	if len(c.OtherNames) > 0 {
		b = append(b, `,"other_names":[`...)
		for i, n := range c.OtherNames {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, n)
		}
		b = append(b, ']')
	}
	b = append(b, `,"date_of_birth":"`...)
	b = c.DateOfBirth.appendText(b)
	b = append(b, `","gender":`...)
	b = appendGender(b, c.Gender)
	b = append(b, `,"birth_registration_place":`...)
	b = c.BirthRegistration.appendJSON(b)
	if !c.Hometown.IsZero() {
		b = append(b, `,"hometown":`...)
		b = c.Hometown.appendJSON(b)
	}
	b = append(b, `,"ethnicity":`...)
	b = appendJSONString(b, c.Ethnicity)
	b = appendOptional(b, `,"religion":`, c.Religion)
	b = append(b, `,"nationality":`...)
	b = appendJSONString(b, c.Nationality)
	b = appendOptional(b, `,"blood_type":`, c.BloodType)
	b = appendOptional(b, `,"old_id_number":`, c.OldIDNumber)
	if c.IDCard != nil {
		b = append(b, `,"id_card":{"number":`...)
		b = appendJSONString(b, c.IDCard.Number)
		b = append(b, `,"issue_date":"`...)
		b = c.IDCard.IssueDate.appendText(b)
		b = append(b, `","expiry_date":"`...)
		b = c.IDCard.ExpiryDate.appendText(b)
		b = append(b, '"')
		b = appendOptional(b, `,"issued_by":`, c.IDCard.IssuedBy)
		b = append(b, '}')
	}
	b = append(b, `,"permanent_address":`...)
	b = c.PermanentAddress.appendJSON(b)
	if !c.TemporaryAddress.IsZero() {
		b = append(b, `,"temporary_address":`...)
		b = c.TemporaryAddress.appendJSON(b)
	}
	if !c.CurrentAddress.IsZero() {
		b = append(b, `,"current_address":`...)
		b = c.CurrentAddress.appendJSON(b)
	}
	if c.TemporarilyAbsent {
		b = append(b, `,"temporarily_absent":true`...)
	}
	b = appendOptional(b, `,"household_id":`, c.HouseholdID)
	b = appendOptional(b, `,"relation_to_head":`, string(c.RelationToHead))
	b = append(b, `,"marital_status":`...)
	b = appendJSONString(b, string(c.MaritalStatus))
	b = appendOptional(b, `,"father_pid":`, string(c.FatherPID))
	b = appendOptional(b, `,"mother_pid":`, string(c.MotherPID))
	b = appendOptional(b, `,"spouse_pid":`, string(c.SpousePID))
	b = appendOptional(b, `,"legal_representative_pid":`, string(c.LegalRepresentativePID))
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(c.Status))
	b = appendDate(b, `,"date_of_death":`, c.DateOfDeath)
	b = appendDate(b, `,"missing_since":`, c.MissingSince)
	b = appendOptional(b, `,"merged_into":`, string(c.MergedInto))
	b = appendOptional(b, `,"phone":`, c.Phone)
	b = appendOptional(b, `,"email":`, c.Email)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, c.Version, 10)
	b = append(b, `,"updated_at":"`...)
	b = c.UpdatedAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...), nil
}

// AppendJSON appends h as json.Marshal writes it, byte for byte, without
// reflection: an import encodes a household at every member who joins it.
func (h *Household) AppendJSON(b []byte) ([]byte, error) {
	if !plainTime(h.UpdatedAt) {
		out, err := json.Marshal(h)
		return append(b, out...), err
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, h.ID)
	b = append(b, `,"head_pid":`...)
	b = appendJSONString(b, string(h.HeadPID))
	b = append(b, `,"address":`...)
	b = h.Address.appendJSON(b)
	if h.Members == nil {
		b = append(b, `,"members":null`...)
	} else {
		b = append(b, `,"members":[`...)
		for i, m := range h.Members {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"pid":`...)
			b = appendJSONString(b, string(m.PID))
			b = append(b, `,"relation":`...)
			b = appendJSONString(b, string(m.Relation))
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if h.Dissolved {
		b = append(b, `,"dissolved":true`...)
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, h.Version, 10)
	b = append(b, `,"updated_at":"`...)
	b = h.UpdatedAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...), nil
}

// plainTime reports whether AppendFormat with RFC3339Nano writes t as
// json.Marshal does: a UTC time (as the store keeps them) of years 0 to
// 9999. json.Marshal writes, or refuses with its error, any other.
func plainTime(t time.Time) bool {
	y := t.Year()
	return y >= 0 && y <= 9999 && t.Location() == time.UTC
}

// appendJSON appends a as json.Marshal writes it.
func (a Address) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if a.Street != "" {
		b = append(b, `"street":`...)
		b = appendJSONString(b, a.Street)
		b = append(b, ',')
	}
	b = append(b, `"commune_code":`...)
	b = appendJSONString(b, a.CommuneCode)
	b = append(b, `,"era":`...)
	b = appendJSONString(b, string(a.Era))
	return append(b, '}')
}

// appendOptional appends key and s unless s is empty (omitempty).
func appendOptional(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, key...)
	return appendJSONString(b, s)
}

// appendDate appends key and d unless d is zero (omitzero).
func appendDate(b []byte, key string, d Date) []byte {
	if d.IsZero() {
		return b
	}
	b = append(b, key...)
	b = append(b, '"')
	b = d.appendText(b)
	return append(b, '"')
}

func appendGender(b []byte, g pid.Gender) []byte {
	text, _ := g.MarshalText()
	b = append(b, '"')
	b = append(b, text...)
	return append(b, '"')
}

// appendJSONString appends s as a JSON string escaped as json.Marshal
// escapes it: HTML's <, > and & too, U+2028 and U+2029, and each byte
// that is not UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
