package verify

import (
	"errors"
	"fmt"
	"strings"
)

// maxPhoneDigits is the longest number E.164 allows, country code included.
const maxPhoneDigits = 15

var errPhoneLength = errors.New("a phone number has 9 to 15 digits")

// checkPhone reads a phone number as the register and agencies write it
// and returns it in international form (E.164: country code, then the
// national number) as an integer, which no two different numbers share:
//
//   - spaces, dots, dashes and brackets are separators and are dropped;
//   - "+" or "00" introduces a country code: "+84 912 345 678",
//     "0084912345678";
//   - a leading 0 is Vietnam's trunk prefix: "0912 345 678" is
//     +84 912 345 678;
//   - "84" followed by a 9- or 10-digit national number is the country code
//     written without "+": "84912345678";
//   - any other number of 9 or 10 digits is a Vietnamese national number
//     written without its 0: "912345678";
//   - a 0 kept after the country code, "+84 (0) 912 345 678", is dropped:
//     no Vietnamese national number starts with 0.
func checkPhone(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	var buf [maxPhoneDigits + 8]byte
	d := buf[:0]
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			if len(d) == cap(d) {
				return 0, errPhoneLength
			}
			d = append(d, c)
		case c == '+' && len(d) == 0 && !plus:
			plus = true
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return 0, errors.New("a phone number holds digits, spaces, dots, dashes, brackets and a + before the digits")
		}
	}
	if n := len(d); n < 9 || n > maxPhoneDigits+2 || (plus && n > maxPhoneDigits) {
		return 0, errPhoneLength
	}
	var intl []byte
	var cc [maxPhoneDigits + 8]byte
	switch {
	case plus:
		intl = d
	case d[0] == '0' && d[1] == '0':
		intl = d[2:]
	case d[0] == '0':
		intl = append(append(cc[:0], '8', '4'), d[1:]...)
	case d[0] == '8' && d[1] == '4' && (len(d) == 11 || len(d) == 12):
		intl = d
	default:
		intl = append(append(cc[:0], '8', '4'), d...)
	}
	if len(intl) > 2 && intl[0] == '8' && intl[1] == '4' && intl[2] == '0' {
		intl = append(intl[:2], intl[3:]...)
		if len(intl) > 2 && intl[2] == '0' {
			return 0, errors.New("a Vietnamese national number cannot start with 0")
		}
	}
	if len(intl) < 9 || len(intl) > maxPhoneDigits {
		return 0, errPhoneLength
	}
	if intl[0] == '0' {
		return 0, fmt.Errorf("a country code cannot start with 0")
	}
	var v uint64
	for _, c := range intl {
		v = v*10 + uint64(c-'0')
	}
	return v, nil
}
