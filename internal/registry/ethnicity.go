package registry

// Ethnicity is one of Vietnam's 54 recognised ethnic groups (dân tộc), with
// the code of the statistics office's classification (Decision
// 121-TCTK/PPCĐ of 1979, used in the censuses).
type Ethnicity struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

var ethnicities = []Ethnicity{
	{"01", "Kinh"}, {"02", "Tày"}, {"03", "Thái"}, {"04", "Hoa"}, {"05", "Khơ Me"},
	{"06", "Mường"}, {"07", "Nùng"}, {"08", "Mông"}, {"09", "Dao"}, {"10", "Gia Rai"},
	{"11", "Ngái"}, {"12", "Ê Đê"}, {"13", "Ba Na"}, {"14", "Xơ Đăng"}, {"15", "Sán Chay"},
	{"16", "Cơ Ho"}, {"17", "Chăm"}, {"18", "Sán Dìu"}, {"19", "Hrê"}, {"20", "Mnông"},
	{"21", "Ra Glai"}, {"22", "Xtiêng"}, {"23", "Bru Vân Kiều"}, {"24", "Thổ"}, {"25", "Giáy"},
	{"26", "Cơ Tu"}, {"27", "Gié Triêng"}, {"28", "Mạ"}, {"29", "Khơ Mú"}, {"30", "Co"},
	{"31", "Tà Ôi"}, {"32", "Chơ Ro"}, {"33", "Kháng"}, {"34", "Xinh Mun"}, {"35", "Hà Nhì"},
	{"36", "Chu Ru"}, {"37", "Lào"}, {"38", "La Chí"}, {"39", "La Ha"}, {"40", "Phù Lá"},
	{"41", "La Hủ"}, {"42", "Lự"}, {"43", "Lô Lô"}, {"44", "Chứt"}, {"45", "Mảng"},
	{"46", "Pà Thẻn"}, {"47", "Cờ Lao"}, {"48", "Cống"}, {"49", "Bố Y"}, {"50", "Si La"},
	{"51", "Pu Péo"}, {"52", "Brâu"}, {"53", "Ơ Đu"}, {"54", "Rơ Măm"},
}

// Ethnicities lists the 54 groups in code order.
func Ethnicities() []Ethnicity { return append([]Ethnicity(nil), ethnicities...) }

// EthnicityName returns the name of the group with code, and whether the
// code is one of the 54.
func EthnicityName(code string) (string, bool) {
	if len(code) != 2 || code[0] < '0' || code[0] > '5' || code[1] < '0' || code[1] > '9' {
		return "", false
	}
	n := int(code[0]-'0')*10 + int(code[1]-'0')
	if n < 1 || n > len(ethnicities) {
		return "", false
	}
	return ethnicities[n-1].Name, true
}
