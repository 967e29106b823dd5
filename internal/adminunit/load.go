package adminunit

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// data holds the unit tables; data/README.md says where they come from.
//
//go:embed data/*.csv
var data embed.FS

// ErrBadData reports an embedded table that does not parse; it means a
// broken build, not bad input.
var ErrBadData = errors.New("adminunit: bad embedded data")

// nameRef is one unit bearing a name key; alt marks a secondary form of the
// name (the first half of "Phường Cam Ly - Đà Lạt").
type nameRef struct {
	u   *unit
	alt bool
}

// Load parses the embedded tables and builds the indexes. Call it once at
// start and share the Directory: it takes tens of milliseconds.
func Load() (*Directory, error) {
	d := &Directory{
		units:      map[Era]map[Level]map[string]*unit{},
		order:      map[Era]map[Level][]*unit{},
		changes:    map[string][]string{},
		formedFrom: map[string][]string{},
		names:      map[string][]nameRef{},
	}
	for _, era := range []Era{Era2025, EraPre2025, Era2023} {
		d.units[era] = map[Level]map[string]*unit{
			LevelProvince: {}, LevelDistrict: {}, LevelCommune: {},
		}
	}
	steps := []struct {
		file   string
		header []string
		row    func([]string) error
	}{
		{"provinces-2025.csv", []string{"code", "name"}, d.addProvince2025},
		{"provinces-pre2025.csv", []string{"code", "name", "new_code"}, d.addProvincePre2025},
		{"units-2023-04.csv", []string{"province_code", "province_name", "district_code", "district_name", "commune_code", "commune_name", "commune_kind"}, d.add2023},
		{"communes-2025.csv", []string{"province_code", "code", "name"}, d.communeAdder(Era2025)},
		{"communes-pre2025.csv", []string{"province_code", "code", "name"}, d.communeAdder(EraPre2025)},
		{"commune-changes-2025.csv", []string{"old_province_code", "old_code", "old_name", "new_province_code", "new_code", "new_name"}, d.addChange},
	}
	for _, s := range steps {
		f, err := data.Open("data/" + s.file)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadData, err)
		}
		err = readTable(f, s.header, s.row)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadData, s.file, err)
		}
	}
	if err := d.link(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadData, err)
	}
	d.index()
	return d, nil
}

// readTable reads a CSV table whose first row must equal header and calls
// row for every following record.
func readTable(r io.Reader, header []string, row func([]string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(header)
	cr.ReuseRecord = true
	got, err := cr.Read()
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if !slices.Equal(got, header) {
		return fmt.Errorf("header is %q, want %q", got, header)
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for i, f := range rec {
			if strings.TrimSpace(f) == "" {
				return fmt.Errorf("line %d: empty %s", line, header[i])
			}
		}
		if err := row(rec); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

func checkCode(code string, n int) error {
	if len(code) != n || !isNumber(code) {
		return fmt.Errorf("code %q is not %d digits", code, n)
	}
	return nil
}

func (d *Directory) put(u *unit) error {
	m := d.units[u.Era][u.Level]
	if _, dup := m[u.Code]; dup {
		return fmt.Errorf("duplicate %s %s code %s", u.Era, u.Level, u.Code)
	}
	m[u.Code] = u
	return nil
}

func newUnit(era Era, level Level, code, name string) *unit {
	k, key := splitName(name)
	return &unit{Unit: Unit{Level: level, Code: code, Name: name, Era: era}, kind: k, key: key}
}

func (d *Directory) addProvince2025(r []string) error {
	if err := checkCode(r[0], 2); err != nil {
		return err
	}
	u := newUnit(Era2025, LevelProvince, r[0], r[1])
	u.province = r[0]
	return d.put(u)
}

func (d *Directory) addProvincePre2025(r []string) error {
	if err := checkCode(r[0], 2); err != nil {
		return err
	}
	if d.get(Era2025, LevelProvince, r[2]) == nil {
		return fmt.Errorf("province %s merges into unknown 2025 province %s", r[0], r[2])
	}
	u := newUnit(EraPre2025, LevelProvince, r[0], r[1])
	u.province, u.newCode = r[0], r[2]
	return d.put(u)
}

func (d *Directory) add2023(r []string) error {
	pc, pn, dc, dn, cc, cn := r[0], r[1], r[2], r[3], r[4], r[5]
	for _, c := range []struct {
		code string
		n    int
	}{{pc, 2}, {dc, 3}, {cc, 5}} {
		if err := checkCode(c.code, c.n); err != nil {
			return err
		}
	}
	if d.get(Era2023, LevelProvince, pc) == nil {
		u := newUnit(Era2023, LevelProvince, pc, pn)
		u.province = pc
		if err := d.put(u); err != nil {
			return err
		}
	}
	if dist := d.get(Era2023, LevelDistrict, dc); dist == nil {
		u := newUnit(Era2023, LevelDistrict, dc, dn)
		u.province = pc
		if err := d.put(u); err != nil {
			return err
		}
	} else if dist.province != pc {
		return fmt.Errorf("district %s in provinces %s and %s", dc, dist.province, pc)
	}
	u := newUnit(Era2023, LevelCommune, cc, cn)
	u.province, u.district = pc, dc
	return d.put(u)
}

func (d *Directory) communeAdder(era Era) func([]string) error {
	return func(r []string) error {
		if err := checkCode(r[0], 2); err != nil {
			return err
		}
		if err := checkCode(r[1], 5); err != nil {
			return err
		}
		if d.get(era, LevelProvince, r[0]) == nil {
			return fmt.Errorf("commune %s in unknown %s province %s", r[1], era, r[0])
		}
		u := newUnit(era, LevelCommune, r[1], r[2])
		u.province = r[0]
		return d.put(u)
	}
}

func (d *Directory) addChange(r []string) error {
	oldCode, newCode := r[1], r[4]
	if d.get(EraPre2025, LevelCommune, oldCode) == nil {
		return fmt.Errorf("change from unknown pre2025 commune %s", oldCode)
	}
	if d.get(Era2025, LevelCommune, newCode) == nil {
		return fmt.Errorf("change to unknown 2025 commune %s", newCode)
	}
	if !slices.Contains(d.changes[oldCode], newCode) {
		d.changes[oldCode] = append(d.changes[oldCode], newCode)
		d.formedFrom[newCode] = append(d.formedFrom[newCode], oldCode)
	}
	return nil
}

// link fills in the district of every EraPre2025 commune and the listings.
func (d *Directory) link() error {
	for _, olds := range d.formedFrom {
		slices.Sort(olds)
	}
	// Communes of 2023 by province, sorted by code, to place the few
	// pre-2025 communes created after 2023-04.
	byProvince := map[string][]*unit{}
	for _, c := range d.units[Era2023][LevelCommune] {
		byProvince[c.province] = append(byProvince[c.province], c)
	}
	for _, cs := range byProvince {
		sortUnits(cs)
	}
	for code, c := range d.units[EraPre2025][LevelCommune] {
		if old := d.get(Era2023, LevelCommune, code); old != nil && old.province == c.province {
			c.district = old.district
			continue
		}
		cs := byProvince[c.province]
		if len(cs) == 0 {
			return fmt.Errorf("pre2025 province %s has no 2023 communes", c.province)
		}
		i := sort.Search(len(cs), func(i int) bool { return cs[i].Code > code })
		if i > 0 {
			i--
		}
		c.district = cs[i].district
	}
	for era, levels := range d.units {
		d.order[era] = map[Level][]*unit{}
		for level, m := range levels {
			us := make([]*unit, 0, len(m))
			for _, u := range m {
				us = append(us, u)
			}
			sortUnits(us)
			d.order[era][level] = us
		}
	}
	return nil
}

// index builds the name index: every unit under its folded type-less name,
// provinces also under their common aliases.
func (d *Directory) index() {
	add := func(key string, u *unit, alt bool) {
		if key == "" {
			return
		}
		for _, r := range d.names[key] {
			if r.u == u {
				return
			}
		}
		d.names[key] = append(d.names[key], nameRef{u: u, alt: alt})
		if n := strings.Count(key, " ") + 1; n > d.maxWords {
			d.maxWords = n
		}
	}
	addName := func(key, name string, u *unit) {
		add(key, u, false)
		for _, a := range provinceAliases[key] {
			if u.Level == LevelProvince {
				add(a, u, false)
			}
		}
		// "Phường Cam Ly - Đà Lạt" is also written "Phường Cam Ly".
		if i := strings.Index(name, " - "); i > 0 && u.Level == LevelCommune {
			_, k := splitName(name[:i])
			add(k, u, true)
		}
	}
	for _, u := range d.order[Era2025][LevelProvince] {
		addName(u.key, u.Name, u)
	}
	for _, u := range d.order[EraPre2025][LevelProvince] {
		addName(u.key, u.Name, u)
		if old := d.get(Era2023, LevelProvince, u.Code); old != nil {
			addName(old.key, old.Name, u) // Tỉnh Thừa Thiên Huế
		}
	}
	for _, u := range d.order[Era2023][LevelDistrict] {
		addName(u.key, u.Name, u)
	}
	for _, u := range d.order[Era2025][LevelCommune] {
		addName(u.key, u.Name, u)
	}
	for _, u := range d.order[EraPre2025][LevelCommune] {
		addName(u.key, u.Name, u)
	}
	// Communes of 2023 that were merged or renamed before 2025 are still
	// written on older documents.
	for _, u := range d.order[Era2023][LevelCommune] {
		pre := d.get(EraPre2025, LevelCommune, u.Code)
		if pre != nil && pre.key == u.key {
			continue
		}
		addName(u.key, u.Name, u)
	}
}
