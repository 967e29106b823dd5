package synth

import "strconv"

// Street parts of addresses: the house number, lane and street in towns,
// the hamlet or village in the country, in the forms each region uses —
// ngõ and ngách (lane, alley) in the North, kiệt in Huế and Đà Nẵng, hẻm
// and "123/45" numbers in the South, thôn and xóm (village, hamlet) in the
// North and Centre, bản in the northern uplands, buôn and làng in the
// Central Highlands, ấp in the South, tổ (dân phố) and khu phố for urban
// neighbourhoods.

// streetNames are common street names, after national heroes, events and
// places, found in most towns.
var streetNames = []string{
	"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung",
	"Lý Thường Kiệt", "Nguyễn Huệ", "Phan Chu Trinh", "Hùng Vương", "Lê Duẩn",
	"Điện Biên Phủ", "Võ Nguyên Giáp", "Nguyễn Văn Cừ", "Hoàng Văn Thụ", "Trần Phú",
	"Nguyễn Du", "Bà Triệu", "Lê Lai", "Cách Mạng Tháng Tám", "Lạc Long Quân",
	"Nguyễn Thị Minh Khai", "Phạm Văn Đồng", "Lê Thánh Tông", "Ngô Quyền", "Lý Tự Trọng",
	"Trường Chinh", "Nguyễn Chí Thanh", "Tôn Đức Thắng", "Phan Đình Phùng", "Lê Hồng Phong",
	"Nguyễn Văn Linh", "Hoàng Hoa Thám", "Đinh Tiên Hoàng", "Yết Kiêu", "Bạch Đằng",
	"Phan Bội Châu", "Nguyễn Thái Học", "Chu Văn An", "Lý Thái Tổ", "Trần Quang Khải",
	"Nguyễn Đình Chiểu", "Võ Thị Sáu", "Pasteur", "Huế", "Giải Phóng",
}

// northStreetNames are the "phố" of northern towns.
var northStreetNames = []string{
	"Huế", "Bà Triệu", "Hàng Bài", "Tràng Thi", "Kim Mã", "Láng Hạ", "Thái Hà",
	"Chùa Bộc", "Tây Sơn", "Xã Đàn", "Minh Khai", "Lò Đúc", "Đội Cấn", "Cầu Giấy",
	"Trần Duy Hưng", "Nguyễn Khánh Toàn", "Hoàng Quốc Việt", "Lạch Tray", "Tô Hiệu",
	"Lê Thánh Tông", "Điện Biên Phủ", "Quang Trung", "Trần Phú", "Nguyễn Trãi",
}

// villageNames name thôn, xóm, làng, ấp and bản; many villages across the
// country share them.
var villageNames = []string{
	"Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Đoài", "An Lạc",
	"Phú Mỹ", "Tân Lập", "Hòa Bình", "Đồng Tâm", "Thành Công", "Quyết Tiến",
	"Văn Minh", "Yên Thịnh", "Tân Phú", "An Phú", "Bình An", "Phú Xuân",
	"Đông Hưng", "Tiền Phong", "Đoàn Kết", "Thắng Lợi", "Trung Hòa", "Phú Lộc",
	"Tân Thành", "Hưng Long", "Mỹ Lộc", "Đại Đồng", "Phúc Lâm", "Kim Sơn",
}

var southHamletNames = []string{
	"Tân Hòa", "Bình Thạnh", "Phú Hòa", "Long Hòa", "Mỹ Phú", "Tân Thuận",
	"An Thạnh", "Thạnh Lợi", "Hòa Lợi", "Phước Thạnh", "Bình Đông", "Tân Lập",
	"Long Thạnh", "Mỹ Hòa", "Vĩnh Phú", "Phú Thạnh", "Tân Bình", "Hòa Bình",
}

var uplandVillageNames = []string{
	"Nà Pục", "Pá Khoang", "Nà Hẩu", "Bó Ngoạng", "Khuổi Nà", "Nà Tông",
	"Pác Bó", "Tả Van", "Lao Chải", "Hua Pe", "Nậm Cang", "Mường Hoa",
	"Cốc Lầu", "Nà Lang", "Tát Ngà", "Phiêng Luông", "Na Sang", "Co Mạ",
}

var highlandVillageNames = []string{
	"Ako Dhông", "Kô Siêr", "Tring", "Đak Rơ Wa", "Kon Klor", "Plei Ơi",
	"Ea Kmát", "Buôr", "Kna", "Tul", "Hra", "Đăk Mar", "Rơ Hai", "Kon Jơ Dri",
}

func pick(r rng, list []string) string { return list[r.intn(len(list))] }

// street writes the street part of an address in a commune of region reg,
// urban or not, to b.
func appendStreet(b []byte, r rng, reg region, urban bool) []byte {
	num := func(b []byte, lo, hi int) []byte { return strconv.AppendInt(b, int64(r.between(lo, hi)), 10) }
	u := r.intn(100)
	if urban {
		switch reg {
		case redRiverDelta, northernUplands:
			switch {
			case u < 35:
				b = num(append(b, "Số "...), 1, 150)
				b = num(append(b, ", Ngõ "...), 1, 300)
				return append(append(b, ", Phố "...), pick(r, northStreetNames)...)
			case u < 45:
				b = num(append(b, "Số "...), 1, 60)
				b = num(append(b, ", Ngách "...), 1, 80)
				b = num(append(b, ", Ngõ "...), 1, 300)
				return append(append(b, ", Đường "...), pick(r, streetNames)...)
			case u < 70:
				b = num(append(b, "Số "...), 1, 400)
				return append(append(b, ", Phố "...), pick(r, northStreetNames)...)
			case u < 85:
				return num(append(b, "Tổ dân phố "...), 1, 40)
			}
			b = num(append(b, "Số "...), 1, 120)
			return num(append(b, ", Tổ "...), 1, 30)
		case southeast, mekongDelta:
			switch {
			case u < 35:
				b = num(append(b, "Số "...), 1, 600)
				return append(append(b, ", Đường "...), pick(r, streetNames)...)
			case u < 60:
				b = num(append(b, "Số "...), 1, 600)
				b = num(append(b, '/'), 1, 120)
				return append(append(b, " Đường "...), pick(r, streetNames)...)
			case u < 70:
				b = num(append(b, "Số "...), 1, 200)
				b = num(append(b, ", Hẻm "...), 1, 400)
				return append(append(b, ", Đường "...), pick(r, streetNames)...)
			case u < 85:
				return num(append(b, "Khu phố "...), 1, 12)
			}
			b = num(append(b, "Tổ "...), 1, 50)
			return num(append(b, ", Khu phố "...), 1, 12)
		}
		switch {
		case u < 45:
			b = num(append(b, "Số "...), 1, 400)
			return append(append(b, ", Đường "...), pick(r, streetNames)...)
		case u < 60 && reg == northCentralCoast:
			b = num(append(b, "Số "...), 1, 80)
			b = num(append(b, ", Kiệt "...), 1, 300)
			return append(append(b, ", Đường "...), pick(r, streetNames)...)
		case u < 80:
			return num(append(b, "Tổ dân phố "...), 1, 30)
		}
		return num(append(b, "Tổ "...), 1, 40)
	}
	switch reg {
	case redRiverDelta:
		switch {
		case u < 60:
			return append(append(b, "Thôn "...), pick(r, villageNames)...)
		case u < 90:
			return num(append(b, "Xóm "...), 1, 15)
		}
		return num(append(b, "Đội "...), 1, 12)
	case northernUplands:
		switch {
		case u < 35:
			return append(append(b, "Bản "...), pick(r, uplandVillageNames)...)
		case u < 80:
			return append(append(b, "Thôn "...), pick(r, villageNames)...)
		}
		return append(append(b, "Xóm "...), pick(r, uplandVillageNames)...)
	case northCentralCoast:
		switch {
		case u < 60:
			return append(append(b, "Thôn "...), pick(r, villageNames)...)
		case u < 85:
			return num(append(b, "Xóm "...), 1, 15)
		}
		return append(append(b, "Làng "...), pick(r, villageNames)...)
	case centralHighlands:
		switch {
		case u < 30:
			return append(append(b, "Buôn "...), pick(r, highlandVillageNames)...)
		case u < 75:
			return num(append(b, "Thôn "...), 1, 20)
		}
		return append(append(b, "Làng "...), pick(r, highlandVillageNames)...)
	}
	switch {
	case u < 70:
		return append(append(b, "Ấp "...), pick(r, southHamletNames)...)
	case u < 90:
		return num(append(b, "Ấp "...), 1, 12)
	}
	b = num(append(b, "Tổ "...), 1, 30)
	return append(append(b, ", Ấp "...), pick(r, southHamletNames)...)
}

// appendLodging writes the street part of a migrant worker's lodging: a
// room in a boarding house (phòng trọ) near the industrial zones.
func appendLodging(b []byte, r rng, reg region) []byte {
	b = strconv.AppendInt(append(b, "Phòng "...), int64(r.between(1, 40)), 10)
	switch r.intn(3) {
	case 0:
		b = strconv.AppendInt(append(b, ", Dãy trọ số "...), int64(r.between(1, 12)), 10)
		if reg == southeast || reg == mekongDelta {
			return strconv.AppendInt(append(b, ", Khu phố "...), int64(r.between(1, 12)), 10)
		}
		return strconv.AppendInt(append(b, ", Tổ "...), int64(r.between(1, 30)), 10)
	case 1:
		b = strconv.AppendInt(append(b, ", Số "...), int64(r.between(1, 300)), 10)
		return append(append(b, " Đường "...), pick(r, streetNames)...)
	}
	b = append(append(b, ", Khu nhà trọ "...), pick(r, villageNames)...)
	return strconv.AppendInt(append(b, ", Tổ "...), int64(r.between(1, 30)), 10)
}
