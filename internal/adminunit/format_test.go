package adminunit

import "testing"

// ParseFormatted reads back what Format wrote, for every commune of both
// eras, with and without a street, except the one pair of pre-2025
// communes that share a name in one district.
func TestParseFormatted(t *testing.T) {
	d := loadDirectory(t)
	unreadable := 0
	for _, era := range []Era{Era2025, EraPre2025} {
		for _, p := range d.Provinces(era) {
			for _, c := range d.Communes(era, p.Code) {
				text, _ := d.Format(era, c.Code)
				for _, street := range []string{"", "Số 12, Ngõ 5, Phố Xã Đàn"} {
					in := text
					if street != "" {
						in = street + ", " + text
					}
					gotStreet, u, ok := d.ParseFormatted(in)
					if !ok && era == EraPre2025 && (c.Code == "16387" || c.Code == "16408") {
						unreadable++
						continue
					}
					if !ok || u.Code != c.Code || u.Era != era || gotStreet != street {
						t.Fatalf("ParseFormatted(%q) = %q, %+v, %v", in, gotStreet, u, ok)
					}
				}
			}
		}
	}
	if unreadable != 4 {
		t.Errorf("%d unreadable, want the one pair twice", unreadable)
	}
	for _, in := range []string{"", ",", "Hà Nội", "Số 1, Phường Không Có, Thành phố Hà Nội", ", , ,"} {
		if _, u, ok := d.ParseFormatted(in); ok {
			t.Errorf("ParseFormatted(%q) = %+v", in, u)
		}
	}
	// Case, spacing and Unicode form do not matter.
	if _, u, ok := d.ParseFormatted("  12 phố huế ,PHƯỜNG  HAI BÀ TRƯNG,thành phố hà nội "); !ok || u.Era != Era2025 {
		t.Errorf("loose spelling: %+v %v", u, ok)
	}
}

func BenchmarkParseFormatted(b *testing.B) {
	d := loadDirectory(b)
	text, _ := d.Format(EraPre2025, "26737")
	in := "Số 12, Ngõ 5, " + text
	d.ParseFormatted(in)
	for b.Loop() {
		d.ParseFormatted(in)
	}
}
