package reconcile

import (
	"strconv"
	"strings"

	"dancu/internal/adminunit"
	"dancu/internal/pid"
	"dancu/internal/reconcile/fellegi"
	"dancu/internal/reconcile/input"
	"dancu/internal/registry"
	"dancu/internal/vntext"
)

// The compared fields, in the order of the model's fields.
const (
	fieldID = iota
	fieldName
	fieldDOB
	fieldGender
	fieldAddress
	fieldPhone
	numFields
)

// Levels. Level 0 of every field is "missing": one side has no value,
// and the field says nothing.
const (
	levelMissing = 0

	idSame      = 1
	idNear      = 2 // two digits transposed or one mistyped
	idDifferent = 3

	nameSame      = 1 // equal once folded (case and diacritics aside)
	nameReordered = 2 // the same syllables in another order, or the same surname and given name
	nameSimilar   = 3 // vntext.NameSimilarity ≥ similarName
	nameDifferent = 4

	dobSame      = 1
	dobPartial   = 2 // agree on the parts the less precise side holds
	dobSwapped   = 3 // day and month swapped
	dobNear      = 4 // a year apart with the same day and month, or the same month a few days apart
	dobDifferent = 5

	genderSame      = 1
	genderDifferent = 2

	addressCommune   = 1
	addressProvince  = 2
	addressDifferent = 3

	phoneSame      = 1
	phoneDifferent = 2
)

// similarName is the NameSimilarity from which two names count as
// similar: a typo in one syllable of three ("Nguyễn Văn Hùng" and
// "Nguyễn Văn Hưng" score 0.9; "Nguyen Van An" and "Tran Van An" 0.7).
const similarName = 0.8

// model is the Fellegi–Sunter model of a comparison.
var model = fellegi.Model{Fields: []fellegi.Field{
	{Name: "id_number", Levels: []string{"missing", "same", "near", "different"}, Exact: idSame},
	{Name: "full_name", Levels: []string{"missing", "same", "reordered", "similar", "different"}, Exact: nameSame},
	{Name: "date_of_birth", Levels: []string{"missing", "same", "partial", "swapped", "near", "different"}, Exact: dobSame},
	{Name: "gender", Levels: []string{"missing", "same", "different"}, Exact: genderSame},
	{Name: "permanent_address", Levels: []string{"missing", "commune", "province", "different"}, Exact: addressCommune},
	{Name: "phone", Levels: []string{"missing", "same", "different"}, Exact: phoneSame},
}}

// The record's fields as the output names them (differing_fields).
var outputNames = [numFields]string{"pid", "full_name", "date_of_birth", "gender", "permanent_address", "phone"}

// prepared is a record made ready for comparison: its keys computed
// once, whatever the number of candidates.
type prepared struct {
	rec      *input.Record
	id       uint64 // the PID or, without one, the old ID number
	idIsOld  bool
	name     string // normalised
	names    nameKeys
	dob      registry.Date
	phone    uint64
	communes []int32 // the 2025 communes the address converts to
	province uint16
	address  bool // an address was given and read
}

func (r *Register) prepare(rec *input.Record, p *prepared) {
	*p = prepared{rec: rec, communes: p.communes[:0]}
	switch {
	case rec.PID != "":
		p.id, _ = strconv.ParseUint(rec.PID, 10, 64)
	case rec.OldID != "":
		p.id, _ = strconv.ParseUint(rec.OldID, 10, 64)
		p.idIsOld = true
	}
	if rec.FullName != "" {
		p.name = rec.FullName
		p.names = keysOf(p.name)
	}
	p.dob = rec.DateOfBirth
	if k, ok := phoneKey(rec.Phone); ok {
		p.phone = k
	}
	if rec.Address != "" {
		r.readAddress(rec.Address, p)
	}
}

// readAddress resolves an address of either era to its 2025 communes.
//
// Resolving costs about ten microseconds, and a dataset repeats the same
// units with a thousand streets: the units part (what follows the first
// comma) is resolved once and kept, when it names a commune by itself.
// An address whose first part is a unit itself falls through to the full
// resolution.
func (r *Register) readAddress(text string, p *prepared) {
	if _, units, ok := strings.Cut(text, ","); ok {
		units = strings.TrimSpace(units)
		if v, ok := r.places.Load(units); ok {
			pl := v.(*place)
			if pl.ok {
				p.communes = append(p.communes, pl.communes...)
				p.province, p.address = pl.province, true
				return
			}
		} else if r.placesLen.Load() < maxPlaces {
			pl := r.resolve(units)
			pl.ok = len(pl.communes) > 0
			if _, loaded := r.places.LoadOrStore(units, pl); !loaded {
				r.placesLen.Add(1)
			}
			if pl.ok {
				p.communes = append(p.communes, pl.communes...)
				p.province, p.address = pl.province, true
				return
			}
		}
	}
	pl := r.resolve(text)
	p.communes = append(p.communes, pl.communes...)
	p.province, p.address = pl.province, pl.province != 0
}

// place is what an address's units resolve to.
type place struct {
	communes []int32 // 2025 commune codes
	province uint16
	ok       bool // the units name a commune
}

// maxPlaces bounds the resolved units kept (a country has about ten
// thousand communes, each written a few ways).
const maxPlaces = 1 << 18

func (r *Register) resolve(text string) *place {
	pl := &place{}
	res, err := r.units.Resolve(text)
	if err != nil {
		return pl
	}
	for _, u := range res.Current {
		if u.Level != adminunit.LevelCommune {
			continue
		}
		if code, err := strconv.Atoi(u.Code); err == nil {
			pl.communes = append(pl.communes, int32(code))
		}
	}
	if res.CurrentProvince != nil {
		pl.province = r.province[res.CurrentProvince.Code]
	}
	return pl
}

// compare is the comparison vector of a record and a citizen.
func (r *Register) compare(p *prepared, c *person) fellegi.Pattern {
	var pat fellegi.Pattern
	pat = pat.With(fieldID, compareID(p, c))
	pat = pat.With(fieldName, r.compareName(p, c))
	pat = pat.With(fieldDOB, compareDates(p.dob, c.dob.date()))
	switch {
	case p.rec.Gender == pid.GenderUnknown || c.gender == pid.GenderUnknown:
	case p.rec.Gender == c.gender:
		pat = pat.With(fieldGender, genderSame)
	default:
		pat = pat.With(fieldGender, genderDifferent)
	}
	pat = pat.With(fieldAddress, compareAddress(p, c))
	switch {
	case p.phone == 0 || c.phone == 0:
	case p.phone == c.phone:
		pat = pat.With(fieldPhone, phoneSame)
	default:
		pat = pat.With(fieldPhone, phoneDifferent)
	}
	return pat
}

func compareID(p *prepared, c *person) int {
	want := c.pid
	if p.idIsOld {
		want = c.oldID
	}
	switch {
	case p.id == 0 || want == 0:
		return levelMissing
	case p.id == want:
		return idSame
	case p.idIsOld:
		if nearNumber(p.id, want, 9) || nearNumber(p.id, want, 12) {
			return idNear
		}
	case nearNumber(p.id, want, 12):
		return idNear
	}
	return idDifferent
}

// nearNumber reports whether a and b, written with n digits, differ by
// two adjacent digits transposed or by one digit.
func nearNumber(a, b uint64, n int) bool {
	var da, db [12]byte
	for i := n - 1; i >= 0; i-- {
		da[i], db[i] = byte(a%10), byte(b%10)
		a, b = a/10, b/10
	}
	if a != 0 || b != 0 {
		return false // more digits than n
	}
	first := -1
	diffs := 0
	for i := range n {
		if da[i] != db[i] {
			if first < 0 {
				first = i
			}
			diffs++
		}
	}
	switch diffs {
	case 1:
		return true
	case 2:
		i := first
		return i+1 < n && da[i] == db[i+1] && da[i+1] == db[i]
	}
	return false
}

func (r *Register) compareName(p *prepared, c *person) int {
	switch {
	case p.names.full == 0 || c.names.full == 0:
		return levelMissing
	case p.names.full == c.names.full:
		return nameSame
	case p.names.bag == c.names.bag,
		p.names.surname == c.names.surname && p.names.given == c.names.given:
		return nameReordered
	case vntext.NameSimilarity(p.name, r.name(c)) >= similarName:
		return nameSimilar
	}
	return nameDifferent
}

func compareDates(a, b registry.Date) int {
	switch {
	case a.Year == 0 || b.Year == 0:
		return levelMissing
	case a == b:
		return dobSame
	case a.Full() && b.Full() && a.Year == b.Year && a.Month == b.Day && a.Day == b.Month:
		return dobSwapped
	case a.Year == b.Year && (a.Month == 0 || b.Month == 0 || a.Month == b.Month && (a.Day == 0 || b.Day == 0)):
		return dobPartial
	case a.Month == b.Month && a.Day == b.Day && (a.Year-b.Year == 1 || b.Year-a.Year == 1):
		return dobNear
	case a.Year == b.Year && a.Month == b.Month:
		return dobNear
	}
	return dobDifferent
}

func compareAddress(p *prepared, c *person) int {
	if !p.address || c.province == 0 {
		return levelMissing
	}
	for _, code := range p.communes {
		if code == c.commune {
			return addressCommune
		}
	}
	if p.province == c.province {
		return addressProvince
	}
	return addressDifferent
}

// differs reports whether a field at level l differs enough that the
// agency's value needs correcting: anything but exact agreement.
func differs(field, l int) bool {
	if l == levelMissing {
		return false
	}
	return l != model.Fields[field].Exact
}
