package synth

import (
	"fmt"
	"strconv"
	"strings"

	"dancu/internal/adminunit"
)

// region is one of the six socio-economic regions of the statistics
// office (vùng kinh tế – xã hội).
type region uint8

const (
	redRiverDelta region = iota
	northernUplands
	northCentralCoast // North Central and Central Coast
	centralHighlands
	southeast
	mekongDelta
)

// provinceFacts describes a pre-2025 province. pop is its population in
// thousands at the 2019 census (General Statistics Office, "Kết quả toàn
// bộ Tổng điều tra dân số và nhà ở năm 2019", rounded; the 63 sum to
// 96.2 million). mix gives the main ethnic minorities as "code:percent"
// from the same census, approximate; Kinh make up the rest.
type provinceFacts struct {
	code   string
	pop    float64
	region region
	mix    string
}

var provinceTable = []provinceFacts{
	{"01", 8054, redRiverDelta, "06:0.8 02:0.3"},                                             // Hà Nội
	{"02", 855, northernUplands, "08:33.7 02:23 09:15.1 07:9.9 38:1.8 25:0.9 43:0.4"},        // Hà Giang
	{"04", 530, northernUplands, "02:41 07:31.1 08:11.3 09:10.3"},                            // Cao Bằng
	{"06", 314, northernUplands, "02:51.8 09:17 07:9.5 08:7.3 15:0.5"},                       // Bắc Kạn
	{"08", 785, northernUplands, "02:25.4 09:12.1 15:8.1 08:2.5 07:1.6 18:1.4"},              // Tuyên Quang
	{"10", 731, northernUplands, "08:25 02:15 09:14 25:4.6 07:4 35:2.5 40:1.4"},              // Lào Cai
	{"11", 599, northernUplands, "08:37 03:34 29:3.3 37:1.2 35:0.9 33:0.7"},                  // Điện Biên
	{"12", 460, northernUplands, "03:32 08:24 09:13 35:6 41:2.4 29:1.5 42:1.3 25:1.3"},       // Lai Châu
	{"14", 1249, northernUplands, "03:53 08:16.6 06:7.6 34:2 09:1.8 29:1.5 33:0.8 39:0.7"},   // Sơn La
	{"15", 822, northernUplands, "02:19 08:11.5 09:10.5 03:6.7 07:1.9 06:1.6"},               // Yên Bái
	{"17", 855, northernUplands, "06:63 03:3.9 02:2.7 09:1.9 08:0.5"},                        // Hoà Bình
	{"19", 1287, northernUplands, "02:10.7 07:5.6 18:3.9 15:2.9 09:1.9 08:0.6"},              // Thái Nguyên
	{"20", 782, northernUplands, "07:42.9 02:35.9 09:3.5 04:0.3 15:0.4"},                     // Lạng Sơn
	{"22", 1321, redRiverDelta, "09:4.4 02:2.3 18:1.8 15:1.4 04:0.4"},                        // Quảng Ninh
	{"24", 1804, northernUplands, "07:4.4 02:2.5 15:1.6 18:1.5 04:0.8 09:0.4"},               // Bắc Giang
	{"25", 1464, northernUplands, "06:13.5 09:0.9 15:0.5"},                                   // Phú Thọ
	{"26", 1152, redRiverDelta, "18:2.7 15:0.2"},                                             // Vĩnh Phúc
	{"27", 1369, redRiverDelta, ""},                                                          // Bắc Ninh
	{"30", 1893, redRiverDelta, ""},                                                          // Hải Dương
	{"31", 2029, redRiverDelta, ""},                                                          // Hải Phòng
	{"33", 1253, redRiverDelta, ""},                                                          // Hưng Yên
	{"34", 1861, redRiverDelta, ""},                                                          // Thái Bình
	{"35", 853, redRiverDelta, ""},                                                           // Hà Nam
	{"36", 1781, redRiverDelta, ""},                                                          // Nam Định
	{"37", 983, redRiverDelta, "06:2.1"},                                                     // Ninh Bình
	{"38", 3641, northCentralCoast, "06:8.7 03:6.2 08:0.5 09:0.2"},                           // Thanh Hóa
	{"40", 3328, northCentralCoast, "03:9.8 29:1.3 08:1.1"},                                  // Nghệ An
	{"42", 1289, northCentralCoast, ""},                                                      // Hà Tĩnh
	{"44", 896, northCentralCoast, "23:1.6 44:0.6"},                                          // Quảng Bình
	{"45", 633, northCentralCoast, "23:9.2 31:2.6"},                                          // Quảng Trị
	{"46", 1129, northCentralCoast, "31:2.6 26:1.5 23:0.3"},                                  // Huế
	{"48", 1135, northCentralCoast, ""},                                                      // Đà Nẵng
	{"49", 1496, northCentralCoast, "26:3 14:2.6 27:1.4"},                                    // Quảng Nam
	{"51", 1232, northCentralCoast, "19:10.8 30:2.3 14:1.3"},                                 // Quảng Ngãi
	{"52", 1487, northCentralCoast, "13:1.7 19:0.3 17:0.2"},                                  // Bình Định
	{"54", 873, northCentralCoast, "17:2.5 12:2.4 13:0.6"},                                   // Phú Yên
	{"56", 1232, northCentralCoast, "21:4.4 16:0.2"},                                         // Khánh Hòa
	{"58", 591, northCentralCoast, "17:12.6 21:12.5 16:0.5 36:0.4"},                          // Ninh Thuận
	{"60", 1231, northCentralCoast, "17:3.1 21:1.6 04:0.8 16:0.6"},                           // Bình Thuận
	{"62", 541, centralHighlands, "14:26.9 13:12.4 10:7.4 27:5.7"},                           // Kon Tum
	{"64", 1514, centralHighlands, "10:33.5 13:12 02:0.6 07:0.5"},                            // Gia Lai
	{"66", 1870, centralHighlands, "12:18 07:4.2 02:2.8 20:2.2 08:1.2 03:1.1 10:0.9 09:0.8"}, // Đắk Lắk
	{"67", 622, centralHighlands, "20:8.9 07:6.2 02:5 08:5 09:2.5 12:1.2"},                   // Đắk Nông
	{"68", 1297, centralHighlands, "16:12.3 28:2.4 07:2 02:1.5 36:1.2"},                      // Lâm Đồng
	{"70", 995, southeast, "22:8.2 07:2.4 05:1.8 02:1.2 20:0.8"},                             // Bình Phước
	{"72", 1170, southeast, "05:0.7 17:0.3"},                                                 // Tây Ninh
	{"74", 2456, southeast, "04:0.7 05:0.5 07:0.4 02:0.3"},                                   // Bình Dương
	{"75", 3097, southeast, "04:2.7 07:0.9 02:0.6 32:0.6"},                                   // Đồng Nai
	{"77", 1149, southeast, "32:1.4 04:0.8"},                                                 // Bà Rịa - Vũng Tàu
	{"79", 8993, southeast, "04:4.4 05:0.6"},                                                 // Hồ Chí Minh
	{"80", 1689, mekongDelta, ""},                                                            // Long An
	{"82", 1765, mekongDelta, ""},                                                            // Tiền Giang
	{"83", 1289, mekongDelta, ""},                                                            // Bến Tre
	{"84", 1010, mekongDelta, "05:32.2 04:0.5"},                                              // Trà Vinh
	{"86", 1023, mekongDelta, "05:2.1 04:0.4"},                                               // Vĩnh Long
	{"87", 1600, mekongDelta, ""},                                                            // Đồng Tháp
	{"89", 1908, mekongDelta, "05:4.7 17:0.8 04:0.4"},                                        // An Giang
	{"91", 1723, mekongDelta, "05:12.5 04:2"},                                                // Kiên Giang
	{"92", 1236, mekongDelta, "05:1.8 04:1"},                                                 // Cần Thơ
	{"93", 734, mekongDelta, "05:3.1 04:0.3"},                                                // Hậu Giang
	{"94", 1200, mekongDelta, "05:30.2 04:5.5"},                                              // Sóc Trăng
	{"95", 907, mekongDelta, "05:7.9 04:2.4"},                                                // Bạc Liêu
	{"96", 1194, mekongDelta, "05:1.3 04:0.6"},                                               // Cà Mau
}

// migrantDestinations gives, by region of origin, the provinces (pre-2025
// codes) that labour migrants register their temporary residence in, with
// relative weights. The 2019 census names Bình Dương, Hồ Chí Minh City,
// Hà Nội, Đồng Nai and Bắc Ninh as the provinces of largest net
// in-migration, the South drawing mostly from the Mekong Delta and the
// North Central Coast, Hà Nội and its industrial neighbours from the
// North; the weights are estimates of that shape.
var migrantDestinations = [...]string{
	redRiverDelta:     "01:45 27:15 31:10 24:8 22:5 79:10 74:7",
	northernUplands:   "01:35 27:15 24:10 19:10 31:5 79:13 74:12",
	northCentralCoast: "79:30 74:25 01:18 75:10 48:7 27:5 80:5",
	centralHighlands:  "79:40 74:25 75:15 68:10 48:5 56:5",
	southeast:         "79:50 74:30 75:20",
	mekongDelta:       "79:45 74:30 75:10 80:10 92:5",
}

// migrantPropensity scales the chance that an adult of a region works in
// another province: out-migration is highest from the Mekong Delta and the
// North Central Coast and lowest from the Southeast, which receives
// (2019 census, migration chapter; the factors are estimates).
var migrantPropensity = [...]float64{
	redRiverDelta:     0.8,
	northernUplands:   1.0,
	northCentralCoast: 1.4,
	centralHighlands:  0.9,
	southeast:         0.4,
	mekongDelta:       1.3,
}

// religionWeights gives, by region, the share in percent of each religion
// (the rest have none). The 2019 census counted 13.7 % of the population
// as followers of a religion — Catholics 6.1 %, Buddhists 4.8 %, Hòa Hảo
// 1.0 %, Protestants 1.0 %, Cao Đài 0.6 % — Catholics strongest in the
// Red River Delta's southern provinces, the Southeast and the Central
// Highlands, Protestants among the Highland and northern minorities, Hòa
// Hảo and Cao Đài in the South; the regional split is an estimate.
type share struct {
	name    string
	percent float64
}

var religionWeights = [...][]share{
	redRiverDelta:     {{"Công giáo", 6}, {"Phật giáo", 2}},
	northernUplands:   {{"Tin lành", 3}, {"Công giáo", 2}, {"Phật giáo", 1}},
	northCentralCoast: {{"Công giáo", 5}, {"Phật giáo", 3}, {"Tin lành", 0.3}},
	centralHighlands:  {{"Công giáo", 12}, {"Tin lành", 9}, {"Phật giáo", 4}},
	southeast:         {{"Công giáo", 10}, {"Phật giáo", 6}, {"Cao Đài", 1.5}, {"Tin lành", 0.5}},
	mekongDelta:       {{"Phật giáo", 5}, {"Phật giáo Hòa Hảo", 5.5}, {"Cao Đài", 1.5}, {"Công giáo", 2}},
}

// weightedCodes parses "code:weight code:weight …".
func weightedCodes(s string) (codes []string, weights []float64, err error) {
	for _, f := range strings.Fields(s) {
		i := strings.LastIndexByte(f, ':')
		if i < 0 {
			return nil, nil, fmt.Errorf("%w: %q has no weight", ErrBadData, f)
		}
		w, err := strconv.ParseFloat(f[i+1:], 64)
		if err != nil || w < 0 {
			return nil, nil, fmt.Errorf("%w: weight of %q", ErrBadData, f)
		}
		codes = append(codes, f[:i])
		weights = append(weights, w)
	}
	return codes, weights, nil
}

// oldCommune is a pre-2025 commune the generator may place people in.
type oldCommune struct {
	code  string
	text  string  // adminunit Format text, pre-2025 era
	prov  int16   // index in provinceTable
	urban bool    // a ward or township
	news  []int32 // the 2025 communes it became, indices in places.news
}

// newCommune is a 2025 commune.
type newCommune struct {
	code string
	text string // Format text, 2025 era
	// pidPrefix is the PID prefix of a birth registered there: the
	// pre-2025 province of the communes it was formed from, or, when
	// those lay in several, the 2025 province's own code (the rule of
	// registry's pidPrefix).
	pidPrefix string
	urban     bool
}

// places holds the communes and the tables keyed by them.
type places struct {
	olds        []oldCommune
	news        []newCommune
	byProv      [][]int32 // usable old communes of each province of provinceTable
	province    alias     // provinces by population
	ethnic      []picker  // ethnicity codes by province
	ethnicShare map[string]float64
	religion    [6]picker
	religionP   [6]float64 // share with any religion, by region
	dest        [6]struct {
		a     alias
		provs []int16
	}
	provIndex  map[string]int16 // pre-2025 code → index in provinceTable
	provPrefix []string         // PID prefix of each province of provinceTable
	province25 []string         // the 2025 province each merged into
}

func loadPlaces(dir *adminunit.Directory) (*places, error) {
	p := &places{provIndex: map[string]int16{}, ethnicShare: map[string]float64{}}
	pops := make([]float64, len(provinceTable))
	var total float64
	for i, f := range provinceTable {
		if _, ok := dir.Province(adminunit.EraPre2025, f.code); !ok {
			return nil, fmt.Errorf("%w: no pre-2025 province %s", ErrBadData, f.code)
		}
		p.provIndex[f.code] = int16(i)
		p.provPrefix = append(p.provPrefix, adminunit.PIDCode(f.code))
		now, ok := dir.NewProvinceFor(f.code)
		if !ok {
			return nil, fmt.Errorf("%w: no 2025 province for %s", ErrBadData, f.code)
		}
		p.province25 = append(p.province25, now.Code)
		pops[i] = f.pop
		total += f.pop
	}
	p.province = newAlias(pops)

	// Ethnicity by province.
	for i, f := range provinceTable {
		codes, weights, err := weightedCodes(f.mix)
		if err != nil {
			return nil, err
		}
		var minorities float64
		for _, w := range weights {
			minorities += w
		}
		if minorities >= 100 {
			return nil, fmt.Errorf("%w: province %s: minorities sum to %.1f%%", ErrBadData, f.code, minorities)
		}
		codes = append([]string{"01"}, codes...)
		weights = append([]float64{100 - minorities}, weights...)
		for j, c := range codes {
			p.ethnicShare[c] += weights[j] / 100 * pops[i] / total
		}
		p.ethnic = append(p.ethnic, newPicker(codes, weights))
	}

	// Religions and migration by region.
	for reg := range religionWeights {
		var names []string
		var weights []float64
		var sum float64
		for _, sh := range religionWeights[reg] {
			names = append(names, sh.name)
			weights = append(weights, sh.percent)
			sum += sh.percent
		}
		p.religionP[reg] = sum / 100
		p.religion[reg] = newPicker(names, weights)
		codes, weights, err := weightedCodes(migrantDestinations[reg])
		if err != nil {
			return nil, err
		}
		d := &p.dest[reg]
		d.a = newAlias(weights)
		for _, c := range codes {
			i, ok := p.provIndex[c]
			if !ok {
				return nil, fmt.Errorf("%w: migrant destination %s", ErrBadData, c)
			}
			d.provs = append(d.provs, i)
		}
	}

	// 2025 communes.
	newIndex := map[string]int32{}
	for _, c := range dir.Communes(adminunit.Era2025, "") {
		text, ok := dir.Format(adminunit.Era2025, c.Code)
		if !ok || !readsBack(dir, text, c) {
			continue
		}
		prefix, ok := pidPrefix2025(dir, c)
		if !ok {
			continue
		}
		newIndex[c.Code] = int32(len(p.news))
		p.news = append(p.news, newCommune{code: c.Code, text: text, pidPrefix: prefix, urban: isUrban(c.Name)})
	}

	// Pre-2025 communes, with the 2025 communes they became.
	p.byProv = make([][]int32, len(provinceTable))
	for _, c := range dir.Communes(adminunit.EraPre2025, "") {
		prov, ok := dir.ProvinceOf(c)
		if !ok {
			continue
		}
		pi, ok := p.provIndex[prov.Code]
		if !ok {
			continue
		}
		text, ok := dir.Format(adminunit.EraPre2025, c.Code)
		if !ok || !readsBack(dir, text, c) {
			continue // the one pair of communes whose text is the same
		}
		oc := oldCommune{code: c.Code, text: text, prov: pi, urban: isUrban(c.Name)}
		for _, n := range dir.NewUnitsFor(c.Code) {
			if ni, ok := newIndex[n.Code]; ok {
				oc.news = append(oc.news, ni)
			}
		}
		if len(oc.news) == 0 {
			continue
		}
		p.byProv[pi] = append(p.byProv[pi], int32(len(p.olds)))
		p.olds = append(p.olds, oc)
	}
	for i, list := range p.byProv {
		if len(list) == 0 {
			return nil, fmt.Errorf("%w: no usable commune in province %s", ErrBadData, provinceTable[i].code)
		}
	}
	return p, nil
}

// readsBack reports whether an address written with text reads back to c,
// so that every line the generator writes names its commune exactly.
func readsBack(dir *adminunit.Directory, text string, c adminunit.Unit) bool {
	_, u, ok := dir.ParseFormatted("Số 1, " + text)
	return ok && u.Code == c.Code && u.Era == c.Era
}

// pidPrefix2025 is the PID prefix of a birth registered in 2025 commune c.
func pidPrefix2025(dir *adminunit.Directory, c adminunit.Unit) (string, bool) {
	var code string
	for _, o := range dir.OldUnitsFor(c.Code) {
		p, ok := dir.ProvinceOf(o)
		if !ok {
			continue
		}
		if code != "" && p.Code != code {
			code = ""
			break
		}
		code = p.Code
	}
	if code == "" {
		p, ok := dir.ProvinceOf(c)
		if !ok {
			return "", false
		}
		code = p.Code
	}
	return adminunit.PIDCode(code), true
}

func isUrban(name string) bool {
	return strings.HasPrefix(name, "Phường ") || strings.HasPrefix(name, "Thị trấn ")
}

// commune draws a usable pre-2025 commune of province pi.
func (p *places) commune(r rng, pi int16) int32 {
	list := p.byProv[pi]
	return list[r.intn(len(list))]
}

// anyCommune draws a commune of a province drawn by population.
func (p *places) anyCommune(r rng) int32 {
	return p.commune(r, int16(p.province.draw(r)))
}

// region of an old commune.
func (p *places) region(c int32) region { return provinceTable[p.olds[c].prov].region }
