// Package adminunit knows Vietnam's administrative units (đơn vị hành chính)
// of both eras — the two-level map in force since 2025-07-01 and the
// three-level map before it — the old→new mapping between them, and reads
// free-text addresses into units of both eras.
//
// Unit codes are reused across eras (commune 26737 was Phường Đa Kao before
// 2025 and is Phường Tân Định after), so every code in this package travels
// with its Era. The data is embedded and parsed once by Load; the resulting
// Directory is immutable and safe for concurrent use.
package adminunit

import (
	"sort"
	"sync"
)

// Era names the administrative map a unit code belongs to.
type Era string

const (
	// Era2025 is the two-level map in force since 2025-07-01: 34 provinces
	// and 3,321 communes, no districts.
	Era2025 Era = "2025"
	// EraPre2025 is the map just before 2025-07-01 (March 2025): 63
	// provinces and 10,047 communes.
	EraPre2025 Era = "pre2025"
	// Era2023 is the three-level map of 2023-04-15: 63 provinces, 700
	// districts and 10,598 communes. It is the only source of districts
	// (quận, huyện, thị xã, thành phố thuộc tỉnh), and of the names of
	// communes merged away between 2023 and 2025.
	Era2023 Era = "2023"
)

// Level is the rank of a unit in its map.
type Level string

const (
	// LevelProvince is a province (tỉnh) or centrally-run city (thành phố
	// trực thuộc trung ương).
	LevelProvince Level = "province"
	// LevelDistrict is a district (quận, huyện, thị xã, thành phố thuộc
	// tỉnh); only Era2023 has them.
	LevelDistrict Level = "district"
	// LevelCommune is a commune (xã), ward (phường), township (thị trấn,
	// before 2025) or special zone (đặc khu, since 2025).
	LevelCommune Level = "commune"
)

// Unit is one administrative unit of one era. Its code means nothing without
// its Era.
type Unit struct {
	Level Level  `json:"level"`
	Code  string `json:"code"`
	Name  string `json:"name"`
	Era   Era    `json:"era"`
}

// IsZero reports whether u is the zero Unit (no unit).
func (u Unit) IsZero() bool { return u.Code == "" }

// unit is the internal record of one unit: its public face plus its parents
// and the keys the resolver looks it up by.
type unit struct {
	Unit
	province string // province code in the same era (Era2023 and EraPre2025 share province codes)
	district string // Era2023 district code, for EraPre2025 and Era2023 communes
	kind     kind   // the type word of its name (phường, xã, quận …)
	key      string // folded type-less name, the resolver's index key
	newCode  string // EraPre2025 provinces: the 2025 province it merged into
}

// Directory holds every unit of every era and the indexes the resolver uses.
// Build it with Load; it is immutable and safe for concurrent use.
type Directory struct {
	units map[Era]map[Level]map[string]*unit
	order map[Era]map[Level][]*unit // sorted by code, for listings

	// changes maps a EraPre2025 commune code to the Era2025 commune codes it
	// became, in the order of the source table.
	changes map[string][]string
	// formedFrom is the inverse of changes: an Era2025 commune code to the
	// EraPre2025 commune codes it was formed from.
	formedFrom map[string][]string

	// names maps a folded, type-less name (e.g. "phuc xa", "1", "ho chi minh")
	// to the units bearing it.
	names map[string][]nameRef
	// maxWords is the longest name in words, bounding the resolver's spans.
	maxWords int

	// formatted maps the key of each commune's Format text to the commune;
	// built on first use by ParseFormatted.
	formattedOnce sync.Once
	formatted     map[string]Unit
	// formattedExact maps each commune's Format text as written, so that
	// the text dancu wrote itself is read without normalising it.
	formattedExact map[string]Unit
	// formattedSeen remembers, for the units parts ParseFormatted had to
	// normalise, the commune their key named (a zero Unit for none); see
	// lookupFormatted.
	formattedMu   sync.RWMutex
	formattedSeen map[string]Unit
}

func (d *Directory) get(era Era, level Level, code string) *unit {
	return d.units[era][level][code]
}

// Province returns the province with the given code in era. For Era2023 the
// names are those of 2023 (Tỉnh Thừa Thiên Huế rather than Thành phố Huế).
func (d *Directory) Province(era Era, code string) (Unit, bool) {
	u := d.get(era, LevelProvince, code)
	if u == nil {
		return Unit{}, false
	}
	return u.Unit, true
}

// District returns the district with the given code; only Era2023 has
// districts.
func (d *Directory) District(era Era, code string) (Unit, bool) {
	u := d.get(era, LevelDistrict, code)
	if u == nil {
		return Unit{}, false
	}
	return u.Unit, true
}

// Commune returns the commune with the given code in era.
func (d *Directory) Commune(era Era, code string) (Unit, bool) {
	u := d.get(era, LevelCommune, code)
	if u == nil {
		return Unit{}, false
	}
	return u.Unit, true
}

// Provinces lists the provinces of era ordered by code.
func (d *Directory) Provinces(era Era) []Unit {
	return publicUnits(d.order[era][LevelProvince], "")
}

// Communes lists the communes of era in the province with the given code,
// ordered by code. An empty provinceCode lists every commune of the era.
func (d *Directory) Communes(era Era, provinceCode string) []Unit {
	return publicUnits(d.order[era][LevelCommune], provinceCode)
}

// Districts lists the Era2023 districts of the province with the given code
// (every district when provinceCode is empty), ordered by code.
func (d *Directory) Districts(provinceCode string) []Unit {
	return publicUnits(d.order[Era2023][LevelDistrict], provinceCode)
}

func publicUnits(us []*unit, provinceCode string) []Unit {
	out := make([]Unit, 0, len(us))
	for _, u := range us {
		if provinceCode == "" || u.province == provinceCode {
			out = append(out, u.Unit)
		}
	}
	return out
}

// ProvinceOf returns the province a district or commune belongs to, in the
// unit's own era (Era2023 districts and communes give Era2023 provinces).
func (d *Directory) ProvinceOf(u Unit) (Unit, bool) {
	in := d.get(u.Era, u.Level, u.Code)
	if in == nil || u.Level == LevelProvince {
		return Unit{}, false
	}
	return d.Province(u.Era, in.province)
}

// DistrictOf returns the Era2023 district of an EraPre2025 or Era2023
// commune. A few EraPre2025 communes created after 2023-04 are not in the
// 2023 map; their district is the one of the nearest lower code of the same
// province, since the statistics office numbers communes district by
// district.
func (d *Directory) DistrictOf(u Unit) (Unit, bool) {
	in := d.get(u.Era, u.Level, u.Code)
	if in == nil || in.district == "" {
		return Unit{}, false
	}
	return d.District(Era2023, in.district)
}

// NewUnitsFor returns the Era2025 communes an EraPre2025 commune became on
// 2025-07-01. A commune split across several new ones returns all of them;
// an unknown code returns nil.
func (d *Directory) NewUnitsFor(oldCommuneCode string) []Unit {
	codes := d.changes[oldCommuneCode]
	if len(codes) == 0 {
		return nil
	}
	out := make([]Unit, 0, len(codes))
	for _, c := range codes {
		if u := d.get(Era2025, LevelCommune, c); u != nil {
			out = append(out, u.Unit)
		}
	}
	return out
}

// OldUnitsFor returns the EraPre2025 communes an Era2025 commune was formed
// from on 2025-07-01, in code order; an unknown code returns nil.
func (d *Directory) OldUnitsFor(newCommuneCode string) []Unit {
	codes := d.formedFrom[newCommuneCode]
	out := make([]Unit, 0, len(codes))
	for _, c := range codes {
		if u := d.get(EraPre2025, LevelCommune, c); u != nil {
			out = append(out, u.Unit)
		}
	}
	return out
}

// NewProvinceFor returns the Era2025 province an EraPre2025 province merged
// into (Tỉnh Hà Giang, 02 → Tỉnh Tuyên Quang, 08).
func (d *Directory) NewProvinceFor(oldProvinceCode string) (Unit, bool) {
	u := d.get(EraPre2025, LevelProvince, oldProvinceCode)
	if u == nil {
		return Unit{}, false
	}
	return d.Province(Era2025, u.newCode)
}

// ProvinceByPIDCode reads the three-digit province code of a personal
// identification number ("0" + the pre-2025 two-digit code: 001 Hà Nội …
// 096 Cà Mau) and returns the EraPre2025 province and its Era2025 successor.
// PID codes never change when units merge, so they always name a pre-2025
// province. ok is false for a code that names none (for instance a code of
// birth registration abroad); callers must not treat that as an invalid PID.
func (d *Directory) ProvinceByPIDCode(code string) (old, current Unit, ok bool) {
	if len(code) != 3 || code[0] != '0' {
		return Unit{}, Unit{}, false
	}
	old, ok = d.Province(EraPre2025, code[1:])
	if !ok {
		return Unit{}, Unit{}, false
	}
	current, ok = d.NewProvinceFor(old.Code)
	return old, current, ok
}

// PIDCode returns the three-digit personal identification number code of an
// EraPre2025 province ("01" → "001").
func PIDCode(pre2025ProvinceCode string) string { return "0" + pre2025ProvinceCode }

func sortUnits(us []*unit) {
	sort.Slice(us, func(i, j int) bool { return us[i].Code < us[j].Code })
}
