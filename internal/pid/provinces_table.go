package pid

// The 63 provinces in force before 1 July 2025, keyed by their two-digit
// statistical code, with the code of the 2025 province each merged into.
//
// Source: the General Statistics Office's list of administrative unit codes
// and the National Assembly Standing Committee resolutions of 2025 on the
// reorganisation of provinces, as compiled in the MIT-licensed dataset
// dvhcvn/20250701 (Copyright (c) 2025 dvhcvn). Copied once into this file;
// the package never reads the dataset at run time.
//
// The table is indexed by the statistical code (0–99) so that decoding a
// number is an array lookup. An entry with an empty name is not a province.
var provinces = [100]province{
	1:  {name: "Thành phố Hà Nội", code2025: "01"},
	2:  {name: "Tỉnh Hà Giang", code2025: "08"},
	4:  {name: "Tỉnh Cao Bằng", code2025: "04"},
	6:  {name: "Tỉnh Bắc Kạn", code2025: "19"},
	8:  {name: "Tỉnh Tuyên Quang", code2025: "08"},
	10: {name: "Tỉnh Lào Cai", code2025: "15"},
	11: {name: "Tỉnh Điện Biên", code2025: "11"},
	12: {name: "Tỉnh Lai Châu", code2025: "12"},
	14: {name: "Tỉnh Sơn La", code2025: "14"},
	15: {name: "Tỉnh Yên Bái", code2025: "15"},
	17: {name: "Tỉnh Hoà Bình", code2025: "25"},
	19: {name: "Tỉnh Thái Nguyên", code2025: "19"},
	20: {name: "Tỉnh Lạng Sơn", code2025: "20"},
	22: {name: "Tỉnh Quảng Ninh", code2025: "22"},
	24: {name: "Tỉnh Bắc Giang", code2025: "24"},
	25: {name: "Tỉnh Phú Thọ", code2025: "25"},
	26: {name: "Tỉnh Vĩnh Phúc", code2025: "25"},
	27: {name: "Tỉnh Bắc Ninh", code2025: "24"},
	30: {name: "Tỉnh Hải Dương", code2025: "31"},
	31: {name: "Thành phố Hải Phòng", code2025: "31"},
	33: {name: "Tỉnh Hưng Yên", code2025: "33"},
	34: {name: "Tỉnh Thái Bình", code2025: "33"},
	35: {name: "Tỉnh Hà Nam", code2025: "37"},
	36: {name: "Tỉnh Nam Định", code2025: "37"},
	37: {name: "Tỉnh Ninh Bình", code2025: "37"},
	38: {name: "Tỉnh Thanh Hóa", code2025: "38"},
	40: {name: "Tỉnh Nghệ An", code2025: "40"},
	42: {name: "Tỉnh Hà Tĩnh", code2025: "42"},
	44: {name: "Tỉnh Quảng Bình", code2025: "44"},
	45: {name: "Tỉnh Quảng Trị", code2025: "44"},
	46: {name: "Thành phố Huế", code2025: "46"},
	48: {name: "Thành phố Đà Nẵng", code2025: "48"},
	49: {name: "Tỉnh Quảng Nam", code2025: "48"},
	51: {name: "Tỉnh Quảng Ngãi", code2025: "51"},
	52: {name: "Tỉnh Bình Định", code2025: "52"},
	54: {name: "Tỉnh Phú Yên", code2025: "66"},
	56: {name: "Tỉnh Khánh Hòa", code2025: "56"},
	58: {name: "Tỉnh Ninh Thuận", code2025: "56"},
	60: {name: "Tỉnh Bình Thuận", code2025: "68"},
	62: {name: "Tỉnh Kon Tum", code2025: "51"},
	64: {name: "Tỉnh Gia Lai", code2025: "52"},
	66: {name: "Tỉnh Đắk Lắk", code2025: "66"},
	67: {name: "Tỉnh Đắk Nông", code2025: "68"},
	68: {name: "Tỉnh Lâm Đồng", code2025: "68"},
	70: {name: "Tỉnh Bình Phước", code2025: "75"},
	72: {name: "Tỉnh Tây Ninh", code2025: "80"},
	74: {name: "Tỉnh Bình Dương", code2025: "79"},
	75: {name: "Tỉnh Đồng Nai", code2025: "75"},
	77: {name: "Tỉnh Bà Rịa - Vũng Tàu", code2025: "79"},
	79: {name: "Thành phố Hồ Chí Minh", code2025: "79"},
	80: {name: "Tỉnh Long An", code2025: "80"},
	82: {name: "Tỉnh Tiền Giang", code2025: "82"},
	83: {name: "Tỉnh Bến Tre", code2025: "86"},
	84: {name: "Tỉnh Trà Vinh", code2025: "86"},
	86: {name: "Tỉnh Vĩnh Long", code2025: "86"},
	87: {name: "Tỉnh Đồng Tháp", code2025: "82"},
	89: {name: "Tỉnh An Giang", code2025: "91"},
	91: {name: "Tỉnh Kiên Giang", code2025: "91"},
	92: {name: "Thành phố Cần Thơ", code2025: "92"},
	93: {name: "Tỉnh Hậu Giang", code2025: "92"},
	94: {name: "Tỉnh Sóc Trăng", code2025: "92"},
	95: {name: "Tỉnh Bạc Liêu", code2025: "96"},
	96: {name: "Tỉnh Cà Mau", code2025: "96"},
}
