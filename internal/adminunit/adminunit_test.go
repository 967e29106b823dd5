package adminunit

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
)

var sharedDirectory = sync.OnceValues(Load)

func loadDirectory(tb testing.TB) *Directory {
	tb.Helper()
	d, err := sharedDirectory()
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestLoadCounts(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct {
		era   Era
		level Level
		want  int
	}{
		{Era2025, LevelProvince, 34},
		{Era2025, LevelCommune, 3321},
		{EraPre2025, LevelProvince, 63},
		{EraPre2025, LevelCommune, 10047},
		{Era2023, LevelProvince, 63},
		{Era2023, LevelDistrict, 700},
		{Era2023, LevelCommune, 10598},
	}
	for _, tt := range tests {
		if got := len(d.order[tt.era][tt.level]); got != tt.want {
			t.Errorf("%s %s: %d units, want %d", tt.era, tt.level, got, tt.want)
		}
	}
	if got := len(d.Provinces(Era2025)); got != 34 {
		t.Errorf("Provinces(2025) = %d", got)
	}
	if got := len(d.Communes(EraPre2025, "01")); got == 0 {
		t.Errorf("Communes(pre2025, 01) = %d", got)
	}
	for _, c := range d.order[EraPre2025][LevelCommune] {
		if c.district == "" {
			t.Errorf("pre2025 commune %s has no district", c.Code)
		}
		if len(d.NewUnitsFor(c.Code)) == 0 {
			t.Errorf("pre2025 commune %s has no successor", c.Code)
		}
	}
}

func TestLookups(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct {
		era   Era
		level Level
		code  string
		want  string
	}{
		{EraPre2025, LevelCommune, "26737", "Phường Đa Kao"},
		{Era2025, LevelCommune, "26737", "Phường Tân Định"},
		{EraPre2025, LevelCommune, "00001", "Phường Phúc Xá"},
		{Era2025, LevelCommune, "00097", "Phường Hồng Hà"},
		{Era2025, LevelCommune, "00001", ""},
		{Era2025, LevelProvince, "46", "Thành phố Huế"},
		{EraPre2025, LevelProvince, "46", "Thành phố Huế"},
		{Era2023, LevelProvince, "46", "Tỉnh Thừa Thiên Huế"},
		{EraPre2025, LevelProvince, "77", "Tỉnh Bà Rịa - Vũng Tàu"},
		{Era2025, LevelProvince, "77", ""},
		{Era2023, LevelDistrict, "770", "Quận 3"},
		{Era2025, LevelDistrict, "770", ""},
		{"1999", LevelProvince, "01", ""},
	}
	for _, tt := range tests {
		var u Unit
		var ok bool
		switch tt.level {
		case LevelProvince:
			u, ok = d.Province(tt.era, tt.code)
		case LevelDistrict:
			u, ok = d.District(tt.era, tt.code)
		default:
			u, ok = d.Commune(tt.era, tt.code)
		}
		if ok != (tt.want != "") || u.Name != tt.want {
			t.Errorf("%s %s %s = %q, %v; want %q", tt.era, tt.level, tt.code, u.Name, ok, tt.want)
			continue
		}
		if ok && (u.Era != tt.era || u.Code != tt.code || u.Level != tt.level) {
			t.Errorf("%s %s %s returned %+v", tt.era, tt.level, tt.code, u)
		}
	}
}

func TestParents(t *testing.T) {
	d := loadDirectory(t)
	phucXa, _ := d.Commune(EraPre2025, "00001")
	if p, ok := d.ProvinceOf(phucXa); !ok || p.Code != "01" || p.Era != EraPre2025 {
		t.Errorf("ProvinceOf(Phúc Xá) = %+v, %v", p, ok)
	}
	if dist, ok := d.DistrictOf(phucXa); !ok || dist.Name != "Quận Ba Đình" {
		t.Errorf("DistrictOf(Phúc Xá) = %+v, %v", dist, ok)
	}
	tanDinh, _ := d.Commune(Era2025, "26737")
	if _, ok := d.DistrictOf(tanDinh); ok {
		t.Error("a 2025 commune has a district")
	}
	if p, ok := d.ProvinceOf(tanDinh); !ok || p.Code != "79" || p.Era != Era2025 {
		t.Errorf("ProvinceOf(Tân Định 2025) = %+v, %v", p, ok)
	}
	// A pre-2025 commune created after 2023-04 gets the district of its
	// code neighbours.
	for _, c := range d.order[EraPre2025][LevelCommune] {
		if d.get(Era2023, LevelCommune, c.Code) != nil {
			continue
		}
		dist, ok := d.DistrictOf(c.Unit)
		if !ok {
			t.Errorf("no district for %s", c.Code)
			continue
		}
		if p, _ := d.ProvinceOf(dist); p.Code != c.province {
			t.Errorf("%s %s placed in district %s of province %s", c.Code, c.Name, dist.Name, p.Code)
		}
	}
}

func TestNewUnitsFor(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct {
		old  string
		want []string // 2025 codes
	}{
		{"00001", []string{"00097"}},                   // Phúc Xá → Hồng Hà
		{"26737", []string{"26740", "26737"}},          // Đa Kao → Sài Gòn, Tân Định
		{"09820", []string{"09832", "09817"}},          // Tân Lập (Đan Phượng) split
		{"00454", []string{"00475", "00454", "00466"}}, // TT Đông Anh split three ways
		{"27160", []string{"27154"}},                   // Phường 1, Quận 3 → Bàn Cờ
		{"99999", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got := d.NewUnitsFor(tt.old)
		var codes []string
		for _, u := range got {
			if u.Era != Era2025 || u.Level != LevelCommune {
				t.Errorf("NewUnitsFor(%s) returned %+v", tt.old, u)
			}
			codes = append(codes, u.Code)
		}
		slices.Sort(codes)
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if !slices.Equal(codes, want) {
			t.Errorf("NewUnitsFor(%s) = %v, want %v", tt.old, codes, want)
		}
	}
}

func TestNewProvinceFor(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct{ old, want string }{
		{"01", "01"}, {"02", "08"}, {"74", "79"}, {"77", "79"}, {"64", "52"}, {"52", "52"}, {"95", "96"}, {"00", ""}, {"03", ""},
	}
	for _, tt := range tests {
		u, ok := d.NewProvinceFor(tt.old)
		if ok != (tt.want != "") || u.Code != tt.want || (ok && u.Era != Era2025) {
			t.Errorf("NewProvinceFor(%s) = %+v, %v; want %s", tt.old, u, ok, tt.want)
		}
	}
}

func TestProvinceByPIDCode(t *testing.T) {
	d := loadDirectory(t)
	tests := []struct{ code, old, current string }{
		{"001", "Thành phố Hà Nội", "Thành phố Hà Nội"},
		{"079", "Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"},
		{"074", "Tỉnh Bình Dương", "Thành phố Hồ Chí Minh"},
		{"096", "Tỉnh Cà Mau", "Tỉnh Cà Mau"},
		{"002", "Tỉnh Hà Giang", "Tỉnh Tuyên Quang"},
		{"003", "", ""},
		{"01", "", ""},
		{"101", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		old, cur, ok := d.ProvinceByPIDCode(tt.code)
		if ok != (tt.old != "") || old.Name != tt.old || cur.Name != tt.current {
			t.Errorf("ProvinceByPIDCode(%q) = %q, %q, %v", tt.code, old.Name, cur.Name, ok)
		}
		if ok && (old.Era != EraPre2025 || cur.Era != Era2025 || PIDCode(old.Code) != tt.code) {
			t.Errorf("ProvinceByPIDCode(%q) eras %s %s", tt.code, old.Era, cur.Era)
		}
	}
}

func TestReadTableRejects(t *testing.T) {
	header := []string{"code", "name"}
	tests := []struct{ name, in string }{
		{"wrong header", "id,name\n01,x\n"},
		{"short row", "code,name\n01\n"},
		{"empty field", "code,name\n01, \n"},
		{"empty file", ""},
		{"bad quote", "code,name\n\"01,x\n"},
	}
	for _, tt := range tests {
		err := readTable(strings.NewReader(tt.in), header, func([]string) error { return nil })
		if err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

// FuzzReadTable feeds arbitrary bytes to the table reader and the row
// checks Load applies.
func FuzzReadTable(f *testing.F) {
	f.Add([]byte("province_code,code,name\n01,00001,Phường Phúc Xá\n"))
	f.Add([]byte("province_code,code,name\n01,0001,x\n"))
	f.Add([]byte("province_code,code,name\n\"01\",\"00001\",\"a,b\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := &Directory{units: map[Era]map[Level]map[string]*unit{
			Era2025: {LevelProvince: {"01": {Unit: Unit{Code: "01"}}}, LevelCommune: {}},
		}}
		err := readTable(bytes.NewReader(in), []string{"province_code", "code", "name"}, d.communeAdder(Era2025))
		if err != nil {
			return
		}
		for code, u := range d.units[Era2025][LevelCommune] {
			if checkCode(code, 5) != nil || u.province != "01" || u.Name == "" {
				t.Fatalf("accepted bad commune %q %+v", code, u)
			}
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestOldUnitsFor(t *testing.T) {
	d := loadDirectory(t)
	// Phường Hồng Hà (2025) was formed from, among others, Phường Phúc Xá.
	olds := d.OldUnitsFor("00097")
	found := false
	for _, u := range olds {
		if u.Era != EraPre2025 {
			t.Errorf("%+v is not pre2025", u)
		}
		if u.Code == "00001" {
			found = true
		}
		news := d.NewUnitsFor(u.Code)
		back := false
		for _, n := range news {
			back = back || n.Code == "00097"
		}
		if !back {
			t.Errorf("%s is said to form 00097 but does not map to it", u.Code)
		}
	}
	if !found {
		t.Fatalf("OldUnitsFor(00097) = %+v, want it to include 00001 Phường Phúc Xá", olds)
	}
	if d.OldUnitsFor("99999") == nil || len(d.OldUnitsFor("99999")) != 0 {
		t.Fatal("unknown code should give an empty list")
	}
}
