package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
)

// benchRows is the number of rows of the benchmark file.
const benchRows = 100_000

// benchFile returns a CSV export of n made-up subscribers in the shape a
// telecoms operator sends: semicolons, Vietnamese headers, dates dd/mm/yyyy,
// phones with spaces, one row in fifty with an error.
func benchFile(n int) []byte {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"}
	middle := []string{"Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu"}
	given := []string{"An", "Bích", "Cường", "Dung", "Giang", "Hòa", "Khánh", "Linh", "Phúc", "Thủy"}
	var b bytes.Buffer
	b.WriteString("\ufeffMã KH;Số CCCD;Họ và tên;Ngày sinh;Giới tính;Địa chỉ thường trú;Số thuê bao\r\n")
	for i := range n {
		gender := "Nam"
		if i%2 == 1 {
			gender = "Nữ"
		}
		dob := fmt.Sprintf("%02d/%02d/%d", 1+i%28, 1+i%12, 1950+i%60)
		if i%50 == 0 {
			dob = "31/02/1990"
		}
		fmt.Fprintf(&b, "KH%07d;0%02d%d%02d%06d;%s %s %s;%s;%s;\"Số %d, Phường Láng, Thành phố Hà Nội\";09%02d %03d %03d\r\n",
			i, 1+i%96, i%2, i%100, i, family[i%len(family)], middle[i%len(middle)], given[i%len(given)],
			dob, gender, i%200, i%100, i%1000, (i*7)%1000)
	}
	return b.Bytes()
}

// BenchmarkReader reads a CSV file of 100,000 rows held in memory and
// reports rows per second. The whole reconciliation must run at a million
// records a minute on two cores; the reader should take a small part of it.
func BenchmarkReader(b *testing.B) {
	data := benchFile(benchRows)
	opts := Options{Today: testToday, Columns: map[string]string{
		FieldRecordKey: "Mã KH", FieldPID: "Số CCCD", FieldFullName: "Họ và tên", FieldDateOfBirth: "Ngày sinh",
		FieldGender: "Giới tính", FieldAddress: "Địa chỉ thường trú", FieldPhone: "Số thuê bao"}}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if rec.Invalid {
				b.Fatalf("line %d: %v", rec.Line, rec.Errors)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReaderNDJSON reads the rows of BenchmarkReader as NDJSON.
func BenchmarkReaderNDJSON(b *testing.B) {
	var data bytes.Buffer
	r, err := NewReader(bytes.NewReader(benchFile(benchRows)), Options{Today: testToday, Columns: map[string]string{
		FieldRecordKey: "Mã KH", FieldPID: "Số CCCD", FieldFullName: "Họ và tên", FieldDateOfBirth: "Ngày sinh",
		FieldGender: "Giới tính", FieldAddress: "Địa chỉ thường trú", FieldPhone: "Số thuê bao"}})
	if err != nil {
		b.Fatal(err)
	}
	enc := json.NewEncoder(&data)
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		_ = enc.Encode(map[string]string{"ma_kh": rec.Key, "so_cccd": rec.Raw.PID, "ho_ten": rec.Raw.FullName,
			"ngay_sinh": rec.Raw.DateOfBirth, "gioi_tinh": rec.Raw.Gender, "dia_chi": rec.Raw.Address, "sdt": rec.Raw.Phone})
	}
	opts := Options{Today: testToday, Columns: map[string]string{
		FieldRecordKey: "ma_kh", FieldPID: "so_cccd", FieldFullName: "ho_ten", FieldDateOfBirth: "ngay_sinh",
		FieldGender: "gioi_tinh", FieldAddress: "dia_chi", FieldPhone: "sdt"}}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data.Bytes()), opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
